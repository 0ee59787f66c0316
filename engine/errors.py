"""Name the ways a use case can refuse, so each layer can map them to its own answer."""

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every refusal the engine reports to its callers."""

    status = 400
    title = "Yêu cầu không hợp lệ"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Không tìm thấy"


class Forbidden(DomainError):
    status = 403
    title = "Không có quyền"


class Conflict(DomainError):
    status = 409
    title = "Xung đột trạng thái"


class StaleState(Conflict):
    """Another step saved the instance after this one read it; running again may succeed."""


class Unauthenticated(DomainError):
    status = 401
    title = "Chưa xác thực"


class TooManyAttempts(DomainError):
    status = 429
    title = "Thử quá nhiều lần"


class Invalid(DomainError):
    """Input that parses but breaks a rule; carries per-field messages in Vietnamese."""

    status = 422
    title = "Dữ liệu không hợp lệ"

    def __init__(self, detail: str, errors: dict[str, str] | None = None, **extra):
        super().__init__(detail, **extra)
        self.errors = errors or {}


class StepFailed(Invalid):
    """The engine could not run a step (script error, bad deadline); nothing was saved."""

    title = "Quy trình không chạy tiếp được"


class ScriptRejected(Exception):
    """A script or expression the sandbox refuses to compile or run."""


@dataclass
class BpmnProblem:
    """One reason a BPMN document cannot be deployed, located as precisely as known."""

    reason: str
    element_id: str | None = None
    element_tag: str | None = None
    line: int | None = None
    extra: dict = field(default_factory=dict)


class InvalidBpmn(Invalid):
    """A BPMN upload that cannot become a process version."""

    def __init__(self, problems: list[BpmnProblem]):
        first = problems[0]
        where = f" (phần tử {first.element_id})" if first.element_id else ""
        super().__init__(f"Tệp BPMN không hợp lệ{where}: {first.reason}")
        self.problems = problems
