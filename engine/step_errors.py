"""Describe why an engine step failed, naming the BPMN element and the underlying cause.

SpiffWorkflow wraps a failing expression as "Error evaluating expression '...'" and keeps the
real error only as the exception's context; designers need that cause and the element id.
"""

from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import StepFailed

MAX_DETAIL = 1000


def element_of(err: BaseException) -> str | None:
    """Return the id of the BPMN element an engine error happened on, if it says."""
    task = getattr(err, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(err, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)


def cause_of(err: BaseException) -> str:
    """Return the innermost error's type and message, plus what SpiffWorkflow noted about it."""
    inner = err
    while isinstance(inner, SpiffWorkflowException) and (inner.__cause__ or inner.__context__):
        inner = inner.__cause__ or inner.__context__
    if inner is err:
        return str(err) if isinstance(err, SpiffWorkflowException) else f"{type(err).__name__}: {err}"
    noted = str(err).split("\n")[0]
    return f"{type(inner).__name__}: {inner} ({noted})"


def step_failed(err: BaseException) -> StepFailed:
    """Turn any error raised while the engine ran into a refusal that names where and why."""
    element = element_of(err)
    where = f" tại phần tử '{element}'" if element else ""
    detail = f"Quy trình không chạy tiếp được{where}: {cause_of(err)}"
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL] + "…"
    return StepFailed(detail, element=element)
