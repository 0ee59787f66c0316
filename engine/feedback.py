"""Citizen feedback (phản ánh, kiến nghị): its states, per-kind time limits and authority levels.

The handling limit of each kind of feedback and the level of each kind of agency are the
province's to set, in ``config/feedback.toml``; a feedback item keeps the handling limit of
its kind as it stood when it was received. The other steps' limits are the process's.
A matter beyond an agency's authority goes only **up**: to an agency
whose level is higher, never sideways to another agency of the same level.
"""

import enum
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from engine import events as ev
from engine.shipped import shipped

DEFAULT_FILE = shipped("config/feedback.toml")
# The channels feedback arrives through; the intake form lists the same ones with their names.
CHANNELS = ("national_portal", "provincial_portal", "in_person", "post", "phone", "email")
# The sender travels as flat variables (``sender_name``...), so every form field is a plain input.
SENDER_FIELDS = ("name", "kind", "email", "phone", "address")


def sender_variables(sender: dict) -> dict:
    """Return the process variables of a sender given as an object, as the API takes it."""
    return {f"sender_{k}": sender[k] for k in SENDER_FIELDS if sender.get(k) is not None}


def sender_of(variables: dict) -> dict:
    """Return the sender as an object, from the process variables."""
    return {k: variables[f"sender_{k}"] for k in SENDER_FIELDS if variables.get(f"sender_{k}")}


class FeedbackState(enum.StrEnum):
    """Where a feedback item stands; the values are stored and filtered on."""

    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    HANDLING = "handling"
    ANSWERED = "answered"
    PUBLISHED = "published"
    REFUSED = "refused"
    NOT_SUPPLEMENTED = "not_supplemented"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """Return the state's Vietnamese name."""
        return LABELS[self]

    @property
    def closed(self) -> bool:
        return self in CLOSED


LABELS = {
    FeedbackState.RECEIVED: "Đang xem xét tiếp nhận",
    FeedbackState.SUPPLEMENT_REQUESTED: "Chờ người phản ánh bổ sung",
    FeedbackState.HANDLING: "Đang xử lý",
    FeedbackState.ANSWERED: "Đã xử lý, chờ công khai kết quả",
    FeedbackState.PUBLISHED: "Đã công khai kết quả xử lý",
    FeedbackState.REFUSED: "Từ chối tiếp nhận",
    FeedbackState.NOT_SUPPLEMENTED: "Dừng xử lý vì không được bổ sung",
    FeedbackState.CANCELLED: "Đã hủy",
}
CLOSED = frozenset({FeedbackState.PUBLISHED, FeedbackState.REFUSED, FeedbackState.NOT_SUPPLEMENTED,
                    FeedbackState.CANCELLED})


@dataclass(frozen=True)
class FeedbackKind:
    """A kind of feedback and the working days its handling may take."""

    code: str
    name: str
    handle_days: int


@dataclass(frozen=True)
class FeedbackRules:
    """The kinds with their handling limits and the level of each kind of agency, from the TOML file."""

    kinds: dict = field(default_factory=dict)
    levels: dict = field(default_factory=dict)
    level_names: dict = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path | None = None) -> "FeedbackRules":
        """Read the feedback rules file (the repository's by default)."""
        data = tomllib.loads((path or DEFAULT_FILE).read_text(encoding="utf-8"))
        kinds = {code: FeedbackKind(code, k["name"], int(k["handle_days"]))
                 for code, k in data.get("kinds", {}).items()}
        return cls(kinds, {k: int(v) for k, v in data.get("levels", {}).items()},
                   {int(k): v for k, v in data.get("level_names", {}).items()})

    def handle_days(self, kind: str) -> int:
        """Return the working days a feedback item of this kind may take to handle."""
        if kind not in self.kinds:
            raise ValueError(f"Không có loại phản ánh '{kind}'")
        return self.kinds[kind].handle_days

    def level_name(self, level: int | None) -> str:
        return self.level_names.get(level, "không xác định cấp") if level else "không xác định cấp"

    def upward_refusal(self, from_level: int | None, to_level: int | None) -> str | None:
        """Say why a transfer between these levels is refused, or None when it goes up."""
        if from_level is None or to_level is None:
            return "Cơ quan này không thuộc cấp nào được chuyển hoặc nhận phản ánh, kiến nghị"
        if to_level == from_level:
            return (f"Không được chuyển ngang sang cơ quan cùng cấp ({self.level_name(to_level)}); "
                    "chỉ chuyển lên cơ quan cấp trên có thẩm quyền")
        if to_level < from_level:
            return (f"Không được chuyển xuống cơ quan cấp dưới ({self.level_name(to_level)}); "
                    "chỉ chuyển lên cơ quan cấp trên có thẩm quyền")
        return None


@dataclass(frozen=True)
class FeedbackTransferred(ev.Event):
    """A feedback item beyond an agency's authority went up to an agency of a higher level."""

    from_agency: str = ""
    to_agency: str = ""
    reasons: str = ""
    link_path: str = ""
    type = "feedback.transferred"


@dataclass(frozen=True)
class FeedbackStateChanged(ev.Event):
    """A feedback item moved to another state (one audit row, one outbox event)."""

    agency: str = ""
    from_state: str | None = None
    to_state: str = ""
    label: str = ""
    link_path: str = ""
    type = "feedback.state_changed"


def link_path(instance_id: str) -> str:
    """Return the API path of a feedback item, which its events link to."""
    return f"/api/v1/feedback/{instance_id}"
