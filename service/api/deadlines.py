"""Pause, resume, extend and explain task deadlines."""

from apiflask import APIBlueprint

from engine import services
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import DeadlineOut, ExtendIn, ReasonIn, TaskOut

bp = APIBlueprint("deadlines", __name__, url_prefix="/api/v1/tasks", tag="Thời hạn")


@bp.post("/<task_id>/pause")
@bp.auth_required(auth)
@bp.input(ReasonIn, arg_name="body")
@bp.output(TaskOut)
@bp.doc(responses={409: "Đã tạm dừng, hoặc nhiệm vụ không có thời hạn"})
def pause(task_id: str, body):
    """Stop the task's clock (supplement requested, fees requested)."""
    rt = runtime()
    return services.pause_task(rt.uow(), rt.clock, principal(), task_id, body["reason"], rt.rules)


@bp.post("/<task_id>/resume")
@bp.auth_required(auth)
@bp.input(ReasonIn, arg_name="body")
@bp.output(TaskOut)
@bp.doc(responses={409: "Thời hạn không tạm dừng"})
def resume(task_id: str, body):
    """Restart the clock; the due date moves by the paused working time."""
    rt = runtime()
    return services.resume_task(rt.uow(), rt.clock, principal(), task_id, body["reason"], rt.rules)


@bp.post("/<task_id>/extend")
@bp.auth_required(auth)
@bp.input(ExtendIn, arg_name="body")
@bp.output(TaskOut)
@bp.doc(responses={403: "Chỉ lãnh đạo cơ quan được duyệt", 409: "Đã gia hạn một lần"})
def extend(task_id: str, body):
    """Extend the deadline once by N working days, approved by the agency's head."""
    rt = runtime()
    return services.extend_task(rt.uow(), rt.clock, principal(), task_id, body["working_days"],
                                body["reason"], rt.rules)


@bp.get("/<task_id>/deadline")
@bp.auth_required(auth)
@bp.output(DeadlineOut)
def explain(task_id: str):
    """Explain how the due date was computed: start, rule, skipped days, pauses, extension."""
    rt = runtime()
    return services.explain_deadline(rt.uow(), principal(), task_id, rt.rules)
