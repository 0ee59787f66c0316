"""Validate what an agency submits for a user task, with messages in Vietnamese.

A user task names its form in ``spiffworkflow:properties`` (``form``). A form accepts only
its own fields, so a submission can never overwrite process variables such as the list of
consulted agencies. A task without a form accepts plain variables.
"""

import functools
import re
import unicodedata
from collections.abc import Callable

from engine.errors import Invalid

POSITIONS = ("agree", "agree_with_amendments", "disagree")
MIN_REASON_WORDS = 4
# Stock phrases that say nothing; a reply made only of them is vague (directive item 1d).
_STOCK_PHRASES = sorted(
    [
        "không có ý kiến khác", "không có ý kiến", "cơ bản", "nhất trí", "thống nhất",
        "đồng ý", "hoàn toàn", "với", "nội dung", "dự thảo", "như", "theo", "đề án", "văn bản",
        "của", "cơ quan", "chủ trì", "ý kiến", "tham gia", "không", "có", "gì", "thêm", "khác",
    ],
    key=len,
    reverse=True,
)


class FormContext:
    """What a form may check a submission against.

    The agency directory is read only if a form asks for it (the request form does; replies,
    the most frequent submissions, do not), so ``known_agencies`` may be a loader.
    """

    def __init__(self, known_agencies: frozenset[str] | Callable[[], frozenset[str]],
                 lead_agency: str | None = None):
        self._known, self.lead_agency = known_agencies, lead_agency

    @functools.cached_property
    def known_agencies(self) -> frozenset[str]:
        return frozenset(self._known() if callable(self._known) else self._known)


Form = Callable[[dict, FormContext], dict]


def validate_submission(form: str | None, data: dict, ctx: FormContext) -> dict:
    """Return the cleaned fields of a submission, or raise Invalid with field messages."""
    if form is None:
        return _free_variables(data)
    return FORMS[form](data, ctx)


def _free_variables(data: dict) -> dict:
    bad = [k for k in data if not k.isidentifier() or k.startswith("_")]
    if bad:
        raise Invalid("Tên biến không hợp lệ", {k: "Tên biến không hợp lệ" for k in bad})
    return dict(data)


class _Checker:
    """Collect per-field errors so one answer lists every problem."""

    def __init__(self, data: dict, allowed: set[str]):
        self.data, self.errors = data, {}
        for key in set(data) - allowed:
            self.errors[key] = "Trường không thuộc biểu mẫu"

    def text(self, name: str, *, min_len=1, max_len=10_000, required=True) -> str | None:
        value = self.data.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or len(value.strip()) < min_len:
            self.errors[name] = f"Bắt buộc, ít nhất {min_len} ký tự"
        elif len(value) > max_len:
            self.errors[name] = f"Không quá {max_len} ký tự"
        else:
            return value.strip()
        return None

    def choice(self, name: str, options) -> str | None:
        value = self.data.get(name)
        if value not in options:
            self.errors[name] = f"Phải là một trong: {', '.join(options)}"
            return None
        return value

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.errors[name] = f"Phải là số nguyên từ {low} đến {high}"
            return None
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.errors[name] = "Phải là true hoặc false"
        return bool(value)

    def done(self, message: str, cleaned: dict) -> dict:
        if self.errors:
            raise Invalid(message, dict(sorted(self.errors.items())))
        return cleaned


def is_vague(reasons: str) -> bool:
    """Tell whether reasons say nothing beyond stock phrases of agreement."""
    text = unicodedata.normalize("NFC", reasons).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    for phrase in _STOCK_PHRASES:
        text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    return len(text.split()) < MIN_REASON_WORDS


def consultation_request(data: dict, ctx: FormContext) -> dict:
    """Check a lead agency's request for opinions."""
    c = _Checker(data, {"title", "summary", "consulted_agencies", "reply_days", "silence_is_consent"})
    cleaned = {
        "title": c.text("title", min_len=5, max_len=500),
        "summary": c.text("summary", min_len=10),
        "consulted_agencies": _consulted(c, ctx),
        "reply_days": c.integer("reply_days", 1, 30),
        "silence_is_consent": c.boolean("silence_is_consent", False),
    }
    return c.done("Yêu cầu lấy ý kiến chưa hợp lệ", cleaned)


def _consulted(c: _Checker, ctx: FormContext) -> list[str] | None:
    agencies = c.data.get("consulted_agencies")
    if not isinstance(agencies, list) or not agencies or not all(isinstance(a, str) for a in agencies):
        c.errors["consulted_agencies"] = "Phải là danh sách mã cơ quan, ít nhất một cơ quan"
    elif len(set(agencies)) != len(agencies):
        c.errors["consulted_agencies"] = "Mỗi cơ quan chỉ được lấy ý kiến một lần"
    elif unknown := sorted(set(agencies) - ctx.known_agencies):
        c.errors["consulted_agencies"] = f"Không có cơ quan mã: {', '.join(unknown)}"
    elif ctx.lead_agency in agencies:
        c.errors["consulted_agencies"] = "Cơ quan chủ trì không tự lấy ý kiến chính mình"
    else:
        return agencies
    return None


def consultation_reply(data: dict, ctx: FormContext) -> dict:
    """Check a consulted agency's reply: a position, and real reasons unless it plainly agrees."""
    c = _Checker(data, {"position", "reasons"})
    position = c.choice("position", POSITIONS)
    reasons = data.get("reasons", "")
    if not isinstance(reasons, str) or len(reasons) > 20_000:
        c.errors["reasons"] = "Phải là chuỗi ký tự, không quá 20000 ký tự"
        reasons = ""
    elif position in ("agree_with_amendments", "disagree") and is_vague(reasons):
        c.errors["reasons"] = (
            "Ý kiến chưa rõ: khi đồng ý có ý kiến hoặc không đồng ý, phải nêu cụ thể nội dung "
            "và lý do (không chỉ ghi 'nhất trí', 'không có ý kiến')"
        )
    return c.done("Ý kiến trả lời chưa hợp lệ", {"position": position, "reasons": reasons.strip()})


def consultation_synthesis(data: dict, ctx: FormContext) -> dict:
    """Check the lead agency's synthesis of the replies (tổng hợp, tiếp thu, giải trình)."""
    c = _Checker(data, {"synthesis"})
    return c.done("Báo cáo tổng hợp chưa hợp lệ", {"synthesis": c.text("synthesis", min_len=20)})


def provincial_review(data: dict, ctx: FormContext) -> dict:
    """Check the Provincial Office's review of an unresolved disagreement."""
    c = _Checker(data, {"decision", "submitted_to"})
    cleaned = {
        "decision": c.text("decision", min_len=20),
        "submitted_to": c.choice("submitted_to", ("chairman", "vice_chairman")),
    }
    return c.done("Ý kiến xem xét chưa hợp lệ", cleaned)


FORMS: dict[str, Form] = {
    f.__name__: f
    for f in (consultation_request, consultation_reply, consultation_synthesis, provincial_review)
}
