"""Describe why an engine step failed, naming the BPMN element and the underlying cause.

SpiffWorkflow wraps a failing expression as "Error evaluating expression '...'" and keeps the
real error only as the exception's context; designers need that cause and the element id.
"""

import time

from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import StepFailed

MAX_DETAIL = 1000
MAX_TASKS_PER_STEP = 1_000
MAX_STEP_SECONDS = 5.0
MAX_DEPTH = 16


class StepBudget:
    """Stop one run of engine steps that goes on too long, does too much or nests too deep.

    A loop of script tasks with no wait state, or subprocesses nested without end, would
    otherwise hold a request thread or a worker at full CPU for good. Called by SpiffWorkflow
    after each task it completes.
    """

    def __init__(self, tasks: int = MAX_TASKS_PER_STEP, seconds: float = MAX_STEP_SECONDS,
                 depth: int = MAX_DEPTH):
        self.left, self.until, self.depth = tasks, time.monotonic() + seconds, depth
        self.seconds = seconds
        self.current = None

    def starting(self, task) -> None:
        """Remember the task about to run, to name it if it raises an error of its own."""
        self.current = task

    def __call__(self, task) -> None:
        self.left -= 1
        if self.left < 0:
            raise StepFailed(f"Một bước chạy quá {MAX_TASKS_PER_STEP} phần tử liên tiếp không "
                             f"dừng chờ (vòng lặp?), dừng tại '{task.task_spec.bpmn_id}'",
                             element=task.task_spec.bpmn_id)
        if time.monotonic() > self.until:
            raise StepFailed(f"Một bước chạy quá {self.seconds:g} giây, dừng tại "
                             f"'{task.task_spec.bpmn_id}'", element=task.task_spec.bpmn_id)
        if _depth(task.workflow) > self.depth:
            raise StepFailed(f"Tiểu quy trình lồng nhau quá {self.depth} tầng tại "
                             f"'{task.task_spec.bpmn_id}'", element=task.task_spec.bpmn_id)


def _depth(workflow) -> int:
    depth = 0
    while getattr(workflow, "parent_workflow", None) is not None:
        workflow, depth = workflow.parent_workflow, depth + 1
    return depth


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


def _task_in_traceback(err: BaseException):
    """Return the innermost task SpiffWorkflow was handling when a plain Python error rose.

    Its task specs name the task they work on ``my_task``; completing one task updates the
    next, so the task that was running is not always the one that failed.
    """
    found, tb = None, err.__traceback__
    while tb is not None:
        task = tb.tb_frame.f_locals.get("my_task")
        if getattr(task, "task_spec", None) is not None:
            found = task
        tb = tb.tb_next
    return found


def step_failed(err: BaseException, running=None) -> StepFailed:
    """Turn any error raised while the engine ran into a refusal that names where and why.

    ``running`` is the task the engine was running, for errors that do not say (a TypeError
    from a multi-instance over a missing collection).
    """
    running = _task_in_traceback(err) or running
    element = element_of(err) or (running.task_spec.bpmn_id if running is not None else None)
    where = f" tại phần tử '{element}'" if element else ""
    detail = f"Quy trình không chạy tiếp được{where}: {cause_of(err)}"
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL] + "…"
    return StepFailed(detail, element=element)
