"""The domain checks a form schema may name, each with its Vietnamese message.

A schema uses a keyword like any JSON Schema keyword (``"x-substantive": true``); the
validator calls its check on the value found at that place. ``value_schema`` says what the
keyword's own argument must look like, so a misspelt argument is refused at upload, not at
the first submission. Register a new check here, with its unit tests, when no schema can
express a rule.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from jsonschema import FormatChecker

from engine.forms.context import FormContext
from engine.forms.substance import WHAT, WHY, missing

Check = Callable[[object, object, FormContext], str | None]


@dataclass(frozen=True)
class Keyword:
    """A named domain check: what its argument looks like and what it says when it refuses."""

    name: str
    value_schema: dict
    check: Check
    summary: str


VAGUE = "Ý kiến chưa rõ: khi đồng ý có ý kiến hoặc không đồng ý, phải nêu"
LACKS_WHAT = ("rõ điều, khoản hoặc nội dung cụ thể được góp ý (ví dụ 'Điều 9', 'khoản 2', 'điểm a', "
              "một con số hoặc câu chữ trích trong ngoặc kép)")
LACKS_WHY = ("lý do hoặc căn cứ pháp lý (ví dụ 'vì …', 'do …', 'nhằm …', 'căn cứ …', "
             "'theo quy định tại …'), không chỉ 'chưa phù hợp quy định'")


def substantive(enabled, value, ctx: FormContext) -> str | None:
    """Refuse a reply that does not say what it is about and why, naming what is missing."""
    if not enabled or not isinstance(value, str):
        return None
    lacks = missing(value)
    if not lacks:
        return None
    parts = {WHAT: LACKS_WHAT, WHY: LACKS_WHY}
    return f"{VAGUE} " + " và ".join(parts[part] for part in lacks)


def agency_codes(options, value, ctx: FormContext) -> str | None:
    """Refuse unknown, repeated or (unless allowed) lead agency codes; one code or a list."""
    codes = [value] if isinstance(value, str) else value
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return None  # the schema's own ``type`` says what is expected
    if len(set(codes)) != len(codes):
        return "Mỗi cơ quan chỉ được nêu một lần"
    if unknown := sorted(set(codes) - ctx.known_agencies):
        return f"Không có cơ quan mã: {', '.join(unknown)}"
    allow_lead = isinstance(options, dict) and options.get("allow_lead", False)
    if not allow_lead and ctx.lead_agency in codes:
        return "Không được chọn chính cơ quan chủ trì"
    return None


def higher_agency(enabled, value, ctx: FormContext) -> str | None:
    """Refuse a transfer to an unknown agency or to one not above the acting agency's level."""
    if not enabled or not isinstance(value, str):
        return None
    if value not in ctx.known_agencies:
        return f"Không có cơ quan mã: {value}"
    if ctx.transfer_check is None or ctx.acting_agency is None:
        return "Không xác định được cơ quan đang xử lý để kiểm tra cấp thẩm quyền"
    return ctx.transfer_check(ctx.acting_agency, value)


def working_days(bounds, value, ctx: FormContext) -> str | None:
    """Refuse anything but a whole number of working days within the bounds."""
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"Phải là số ngày làm việc, số nguyên từ {low} đến {high}"
    return None


REGISTRY: dict[str, Keyword] = {k.name: k for k in (
    Keyword("x-substantive", {"const": True}, substantive,
            "Văn bản phải nêu điều, khoản hoặc nội dung cụ thể và lý do hoặc căn cứ"),
    Keyword("x-agency-codes",
            {"anyOf": [{"const": True},
                       {"type": "object", "properties": {"allow_lead": {"type": "boolean"}},
                        "additionalProperties": False}]},
            agency_codes,
            "Mã cơ quan có trong danh bạ, không trùng nhau, không là cơ quan chủ trì "
            "(trừ khi {\"allow_lead\": true})"),
    Keyword("x-higher-agency", {"const": True}, higher_agency,
            "Mã cơ quan cấp trên của cơ quan đang xử lý (chỉ chuyển lên, không chuyển ngang)"),
    Keyword("x-working-days",
            {"type": "array", "prefixItems": [{"type": "integer", "minimum": 0},
                                              {"type": "integer", "maximum": 365}],
             "minItems": 2, "maxItems": 2},
            working_days,
            "Số ngày làm việc, số nguyên trong khoảng [nhỏ nhất, lớn nhất], ví dụ [1, 30]"),
)}


# Formats a field may declare; any other is refused at upload rather than silently ignored.
FORMATS = FormatChecker(["date", "email"])
_AGENCY_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,31}")


@FORMATS.checks("agency-code")
def _is_agency_code(value) -> bool:
    return not isinstance(value, str) or _AGENCY_CODE.fullmatch(value) is not None
