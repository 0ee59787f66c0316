"""The Dossier aggregate: a citizen's file at the one-stop desk, its national status and its 766 verdict.

A dossier (hồ sơ TTHC) follows one process instance. The process decides the steps; the
dossier keeps what the national public-service portal syncs (status code 1-10, received,
promised and finished instants) and what the 766 index measures: the supplement count, the
working time paused for supplements and fees, and whether it finished on time.
"""

import enum
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from engine import events as ev
from engine.calendar import DeadlineModel, WorkCalendar
from engine.errors import Conflict, Invalid


class DossierStatus(enum.IntEnum):
    """The national portal's dossier status codes (TrangThaiHoSo); the values are stored."""

    SUBMITTED = 1
    RECEIVED = 2
    REFUSED = 3
    IN_PROCESS = 4
    SUPPLEMENT_REQUESTED = 5
    FEES_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    DONE = 9
    RETURNED = 10

    @property
    def label(self) -> str:
        """Return the status's Vietnamese name, as the portal prints it."""
        return LABELS[self]


LABELS = {
    DossierStatus.SUBMITTED: "Mới đăng ký",
    DossierStatus.RECEIVED: "Được tiếp nhận",
    DossierStatus.REFUSED: "Không được tiếp nhận",
    DossierStatus.IN_PROCESS: "Đang xử lý",
    DossierStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    DossierStatus.FEES_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.DONE: "Đã xử lý xong",
    DossierStatus.RETURNED: "Đã trả kết quả",
}
# The 766 end point is the first of these; the clock stops there.
END_POINTS = frozenset({DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED,
                        DossierStatus.DONE, DossierStatus.RETURNED})
# No status follows these (a done dossier still gets its result returned).
CLOSED = END_POINTS - {DossierStatus.DONE}
ACCEPTED_ONWARDS = frozenset({DossierStatus.IN_PROCESS, DossierStatus.SUPPLEMENT_REQUESTED,
                              DossierStatus.FEES_REQUESTED, DossierStatus.DONE,
                              DossierStatus.RETURNED})
PAUSING = frozenset({DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.FEES_REQUESTED})

CODE_PATTERN = re.compile(r"^[A-Z]{2,3}-[A-Z0-9_]{2,32}-\d{6}-\d{4,6}$")


class Verdict(enum.StrEnum):
    """Where a dossier stands under Decision 766."""

    ON_TIME = "on_time"  # finished no later than promised
    LATE = "late"  # finished after the promise, or supplemented more than once
    IN_TIME = "in_time"  # still being handled, within its time
    OVERDUE = "overdue"  # still being handled, past its promise


def public_code(province: str, agency: str, local_day: date, number: int) -> str:
    """Return the code printed on the receipt, e.g. ``BN-SXD-260212-0001``."""
    return f"{province}-{agency}-{local_day:%y%m%d}-{number:04d}"


def is_code(text: str) -> bool:
    """Tell whether a text has the shape of a public dossier code."""
    return bool(CODE_PATTERN.match(text or ""))


def mask_name(name: str) -> str:
    """Keep each word's first letter only: ``Nguyễn Văn An`` becomes ``N*** V*** A***``."""
    words = unicodedata.normalize("NFC", name or "").split()
    return " ".join(f"{w[0]}***" for w in words) or "***"


def one_stop_due(cal: WorkCalendar, received_at: datetime, working_days: Decimal | int) -> datetime:
    """Return the promised return instant under the one-stop appointment model.

    The clock starts at the receipt instant, or at the opening of the next working day when
    the receipt is strictly after the cut-off (15:00) or on a day off, or at the next working
    period when it falls outside working hours; N working days are N working-day lengths.
    """
    days = int(working_days) if working_days == int(working_days) else float(working_days)
    return cal.add_working_days(received_at, days, DeadlineModel.ONE_STOP)


@dataclass(frozen=True)
class DossierStatusChanged(ev.Event):
    """A dossier moved from one national status to another (one audit row, one outbox event)."""

    code: str = ""
    agency: str = ""
    from_status: int | None = None
    to_status: int = 0
    label: str = ""
    promised_at: datetime | None = None
    reason: str = ""
    type = "dossier.status_changed"


@dataclass(frozen=True)
class DossierApologised(ev.Event):
    """The handling agency apologised and set a new return instant, approved by its head."""

    code: str = ""
    agency: str = ""
    old_promised_at: datetime | None = None
    new_promised_at: datetime | None = None
    reason: str = ""
    type = "dossier.apologised"


@dataclass(frozen=True)
class DossierApologyMissed(ev.Event):
    """A dossier reached its promised instant unfinished and without an apology."""

    code: str = ""
    agency: str = ""
    promised_at: datetime | None = None
    type = "dossier.apology_missed"


@dataclass(frozen=True)
class DossierApologyReminded(ev.Event):
    """One working day is left to apologise before the promise, and no apology was issued yet."""

    code: str = ""
    agency: str = ""
    promised_at: datetime | None = None
    apology_deadline: datetime | None = None
    type = "dossier.apology_reminded"


@dataclass
class Dossier:
    """One dossier's state; methods change it and record what happened as events."""

    code: str
    instance_id: str
    procedure_code: str
    total_working_days: Decimal
    agency: str
    status: DossierStatus
    submitted_at: datetime
    received_at: datetime | None = None
    promised_at: datetime | None = None
    original_promised_at: datetime | None = None
    finished_at: datetime | None = None
    supplement_count: int = 0
    paused: timedelta = timedelta(0)
    paused_since: datetime | None = None
    apologised_at: datetime | None = None
    apology_missing: bool = False
    late: bool = False
    events: list[ev.Event] = field(default_factory=list)

    @classmethod
    def submit(cls, code: str, instance_id: str, procedure_code: str, total_working_days: Decimal,
               agency: str, now: datetime, actor: str) -> "Dossier":
        """Register a new dossier in status 1 (submitted), announcing it like any status change."""
        dossier = cls(code, instance_id, procedure_code, total_working_days, agency,
                      DossierStatus.SUBMITTED, now)
        dossier.events.append(DossierStatusChanged(
            instance_id, now, actor, code, agency, None, int(DossierStatus.SUBMITTED),
            DossierStatus.SUBMITTED.label))
        return dossier

    def move_to(self, status: DossierStatus, now: datetime, actor: str, cal: WorkCalendar,
                reason: str = "") -> bool:
        """Enter a status, keeping the clock and the verdict; return whether anything changed."""
        if status == self.status:
            return False
        if self.status in CLOSED or (self.status == DossierStatus.DONE
                                     and status != DossierStatus.RETURNED):
            raise Conflict(f"Hồ sơ {self.code} đã kết thúc ({self.status.label})")
        if self.status == DossierStatus.SUBMITTED and status in ACCEPTED_ONWARDS:
            self.move_to(DossierStatus.RECEIVED, now, actor, cal)  # portals expect 2 before 4
        before = self.status
        if self.paused_since is not None:
            self._resume(now, cal)
        self._enter(status, now, cal)
        self.status = status
        self.events.append(DossierStatusChanged(
            self.instance_id, now, actor, self.code, self.agency, int(before), int(status),
            status.label, self.promised_at, reason))
        return True

    def _enter(self, status: DossierStatus, now: datetime, cal: WorkCalendar) -> None:
        if status == DossierStatus.RECEIVED and self.received_at is None:
            self.received_at = now
            self.promised_at = one_stop_due(cal, now, self.total_working_days)
            self.original_promised_at = self.promised_at
        if status in PAUSING:
            self.paused_since = now
        if status == DossierStatus.SUPPLEMENT_REQUESTED:
            self.supplement_count += 1
            self.late = self.late or self.supplement_count > 1  # 766: a second request is late
        if status in END_POINTS and self.finished_at is None:
            self.finished_at = now
            due = self.original_promised_at
            self.late = self.late or (due is not None and now > due)

    def _resume(self, now: datetime, cal: WorkCalendar) -> None:
        """Move both promises by the working time spent paused."""
        spent = cal.working_time_between(self.paused_since, now)
        self.paused += spent
        self.paused_since = None
        if spent:
            self.promised_at = cal.add_working_hours(self.promised_at, spent)
            self.original_promised_at = cal.add_working_hours(self.original_promised_at, spent)

    def apologise(self, new_promised_at: datetime, now: datetime, actor: str, cal: WorkCalendar,
                  reason: str) -> None:
        """Set a new return instant once, no later than one working day before the promise."""
        new_promised_at = new_promised_at.astimezone(UTC)  # stored and announced in UTC
        if self.apologised_at is not None:
            raise Conflict("Hồ sơ đã có phiếu xin lỗi và hẹn lại; chỉ được hẹn lại một lần")
        if self.finished_at is not None or self.promised_at is None:
            raise Conflict(f"Hồ sơ {self.code} không ở trạng thái đang giải quyết")
        if self.paused_since is not None:
            raise Conflict("Hồ sơ đang tạm dừng; thời hạn chưa chạy lại")
        latest = self.apology_deadline(cal)
        if now > latest:
            raise Conflict("Quá thời điểm xin lỗi: phải chậm nhất 1 ngày làm việc trước hạn trả "
                           f"({latest.isoformat()})")
        if new_promised_at <= self.promised_at:
            raise Invalid("Ngày hẹn mới phải sau ngày hẹn trả cũ",
                          {"new_promised_at": "Phải sau ngày hẹn trả hiện tại"})
        self.events.append(DossierApologised(self.instance_id, now, actor, self.code, self.agency,
                                             self.promised_at, new_promised_at, reason))
        self.promised_at, self.apologised_at = new_promised_at, now

    def apology_deadline(self, cal: WorkCalendar) -> datetime:
        """Return the last instant an apology may be issued: 1 working day before the promise."""
        return cal.subtract_working_hours(self.promised_at, 8)

    def apology_reminder_at(self, cal: WorkCalendar) -> datetime:
        """Return when to remind the agency: one working day before the apology's last instant."""
        return cal.subtract_working_hours(self.apology_deadline(cal), 8)

    def remind_apology(self, now: datetime, actor: str, cal: WorkCalendar) -> bool:
        """Prompt the handling agency to apologise in time, if the dossier is still open and due."""
        running = self.finished_at is None and self.paused_since is None
        if not running or self.apologised_at is not None or self.promised_at is None:
            return False
        deadline = self.apology_deadline(cal)
        if not self.apology_reminder_at(cal) <= now <= deadline:
            return False  # a stale reminder of a promise that has moved since
        self.events.append(DossierApologyReminded(self.instance_id, now, actor, self.code,
                                                  self.agency, self.promised_at, deadline))
        return True

    def promised_instant_reached(self, now: datetime, actor: str) -> bool:
        """Record a dossier still open at its promise without an apology as late, apology missing."""
        running = self.finished_at is None and self.paused_since is None
        if not running or self.apologised_at is not None or self.promised_at is None:
            return False
        if now < self.promised_at or self.apology_missing:
            return False
        self.apology_missing = self.late = True
        self.events.append(DossierApologyMissed(self.instance_id, now, actor, self.code,
                                                self.agency, self.promised_at))
        return True

    def verdict(self, now: datetime) -> Verdict | None:
        """Judge the dossier under 766 at ``now``; None before it is received."""
        if self.late:
            return Verdict.LATE
        if self.finished_at is not None:
            return Verdict.ON_TIME
        if self.original_promised_at is None:
            return None
        running = self.paused_since is None and now > self.original_promised_at
        return Verdict.OVERDUE if running else Verdict.IN_TIME

    def snapshot(self) -> "Dossier":
        """Return a copy without pending events, for comparisons in tests and views."""
        return replace(self, events=[])
