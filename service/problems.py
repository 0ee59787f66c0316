"""Answer every error as RFC 9457 problem details, in Vietnamese, never leaking internals."""

import logging
import re

import sqlalchemy as sa
from apiflask import APIFlask
from flask import request
from werkzeug.exceptions import HTTPException

from engine.errors import DomainError, InvalidBpmn

log = logging.getLogger(__name__)
PROBLEM_TYPE = "https://dunghan.gov.vn/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Yêu cầu sai định dạng",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Phương thức không được hỗ trợ",
    409: "Xung đột trạng thái",
    413: "Dữ liệu quá lớn",
    415: "Kiểu dữ liệu không được hỗ trợ",
    429: "Thử quá nhiều lần",
    503: "Tạm thời không phục vụ được",
    422: "Dữ liệu không hợp lệ",
    500: "Lỗi hệ thống",
}


# One scheme for every problem type: PROBLEM_TYPE + a kebab-case name, the same name for the
# same meaning whether an HTTP status or a domain error (``InvalidBpmn`` -> ``invalid-bpmn``) raised it.
SLUGS = {
    400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media-type",
    422: "invalid", 429: "too-many-attempts", 500: "internal-error", 503: "unavailable",
}


def slug_of(error: type) -> str:
    """Name a domain error's problem type: its class name in kebab case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", error.__name__).lower()


DETAILS = {
    400: "Nội dung gửi lên không đọc được (JSON sai cú pháp?)",
    422: "Dữ liệu gửi lên không hợp lệ",
}

# marshmallow speaks English; officers read Vietnamese.
MESSAGES = {
    "Missing data for required field.": "Trường bắt buộc.",
    "Unknown field.": "Trường không được phép.",
    "Not a valid string.": "Phải là chuỗi ký tự.",
    "Not a valid integer.": "Phải là số nguyên.",
    "Not a valid boolean.": "Phải là true hoặc false.",
    "Not a valid datetime.": "Phải là thời điểm ISO 8601, ví dụ 2026-02-12T16:00:00+07:00.",
    "Not a valid mapping type.": "Phải là đối tượng JSON.",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ.",
    "Field may not be null.": "Không được để trống (null).",
    "String does not match expected pattern.": "Không đúng định dạng quy định.",
    "Not a valid email address.": "Không phải địa chỉ thư điện tử hợp lệ.",
}
# The validators' messages that carry figures, as (pattern, Vietnamese with the same groups).
PATTERNS = [
    (re.compile(r"Length must be between (\d+) and (\d+)\."), r"Độ dài phải từ \1 đến \2."),
    (re.compile(r"Shorter than minimum length (\d+)\."), r"Ngắn hơn tối thiểu \1."),
    (re.compile(r"Longer than maximum length (\d+)\."), r"Dài hơn tối đa \1."),
    (re.compile(r"Must be one of: (.*)\."), r"Phải là một trong: \1."),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
     r"Phải từ \1 đến \2."),
]


def _vietnamese(message: str) -> str:
    if message in MESSAGES:
        return MESSAGES[message]
    for pattern, text in PATTERNS:
        if pattern.fullmatch(message):
            return pattern.sub(text, message)
    return message


def translated(detail):
    """Put marshmallow's English validation messages, nested per field, into Vietnamese."""
    if isinstance(detail, dict):
        return {k: translated(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [translated(v) for v in detail]
    if isinstance(detail, str):
        return _vietnamese(detail)
    return detail


def problem(status: int, detail: str, slug: str | None = None, headers=None, **extra):
    """Build a problem-details response."""
    body = {
        "type": PROBLEM_TYPE + (slug or SLUGS.get(status, "error")),
        "title": TITLES.get(status, "Lỗi"),
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extra,
    }
    return body, status, {"Content-Type": MEDIA_TYPE, **(headers or {})}


def domain_problem(error: DomainError):
    """Answer a refusal of the engine as problem details; a BPMN refusal lists each problem."""
    extra = {"errors": error.errors} if getattr(error, "errors", None) else {}
    if isinstance(error, InvalidBpmn):
        extra["problems"] = [
            {"reason": p.reason, "element_id": p.element_id, "element": p.element_tag,
             "line": p.line}
            for p in error.problems
        ]
    return problem(error.status, error.detail, slug_of(type(error)), **extra)


def register(app: APIFlask) -> None:
    """Install the handlers that turn every failure into problem details."""

    @app.error_processor
    def http_error(error):
        extra = {"errors": translated(error.detail)} if error.detail else {}
        detail = DETAILS.get(error.status_code, TITLES.get(error.status_code, error.message))
        return problem(error.status_code, detail, headers=error.headers, **extra)

    app.register_error_handler(DomainError, domain_problem)

    @app.errorhandler(sa.exc.OperationalError)
    def database_unavailable(error):
        log.warning("database unavailable on %s: %s", request.path, error.orig)
        return problem(503, "Cơ sở dữ liệu tạm thời không trả lời; hãy thử lại sau ít giây",
                       headers={"Retry-After": "5"})

    @app.errorhandler(HTTPException)
    def http_exception(error: HTTPException):
        return problem(error.code or 500, TITLES.get(error.code, error.name))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s", request.path)
        return problem(500, "Đã có lỗi hệ thống; yêu cầu không được thực hiện")
