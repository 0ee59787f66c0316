"""Ask for and decide pauses and more time on task deadlines; explain deadlines."""

from apiflask import APIBlueprint

from engine import services
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import (
    DeadlineOut,
    DeadlineRequestIn,
    DeadlineRequestOut,
    DeadlineRequestPageOut,
    DeadlineRequestQueryIn,
    DecisionIn,
    ReasonIn,
    TaskOut,
)

bp = APIBlueprint("deadlines", __name__, url_prefix="/api/v1", tag="Thời hạn")

@bp.post("/tasks/<task_id>/pause")
@bp.post("/tasks/<task_id>/extend")
@bp.auth_required(auth)
@bp.doc(responses={409: "Không còn được tự dời thời hạn"})
def moved(task_id: str):
    """Refuse the old self-service pause and extension; point to the way that remains."""
    services.refuse_self_service(runtime().uow(), principal(), task_id)


@bp.post("/tasks/<task_id>/resume")
@bp.auth_required(auth)
@bp.input(ReasonIn, arg_name="body")
@bp.output(TaskOut)
@bp.doc(responses={409: "Thời hạn không bị tạm dừng từ trước phiên bản này"})
def resume(task_id: str, body):
    """End a pause an agency started itself before pauses needed approval; 409 otherwise."""
    rt = runtime()
    return services.end_legacy_pause(rt.uow(), rt.clock, principal(), task_id, body["reason"], rt.rules)


@bp.post("/tasks/<task_id>/deadline-requests")
@bp.auth_required(auth)
@bp.input(DeadlineRequestIn, arg_name="body")
@bp.output(DeadlineRequestOut, status_code=201)
@bp.doc(responses={403: "Nhiệm vụ của cơ quan khác", 409: "Không được tạm dừng, đang chờ duyệt, "
                   "hoặc đã xin thêm thời gian một lần"})
def ask(task_id: str, body):
    """Ask to pause the task's clock or for more time; the clock runs until a head decides."""
    rt = runtime()
    return services.request_deadline_change(rt.uow(), rt.clock, principal(), task_id, body["kind"],
                                            body["working_days"], body["reason"])


@bp.get("/deadline-requests")
@bp.auth_required(auth)
@bp.input(DeadlineRequestQueryIn, location="query", arg_name="q")
@bp.output(DeadlineRequestPageOut)
def list_requests(q):
    """List the requests your agency asked or must decide, newest first."""
    return {"items": services.list_deadline_requests(runtime().uow(), principal(), q["state"])}


@bp.post("/deadline-requests/<request_id>/decision")
@bp.auth_required(auth)
@bp.input(DecisionIn, arg_name="body")
@bp.output(DeadlineRequestOut)
@bp.doc(responses={403: "Không phải lãnh đạo cơ quan có thẩm quyền, hoặc tự duyệt đề nghị của mình",
                   409: "Đề nghị đã được quyết định hoặc nhiệm vụ đã đóng"})
def decide(request_id: str, body):
    """Approve or refuse a request; an approval moves the due date and is written in the ledger."""
    rt = runtime()
    return services.decide_deadline_request(rt.uow(), rt.clock, principal(), request_id,
                                            body["approve"], body["reason"], rt.rules)


@bp.get("/tasks/<task_id>/deadline")
@bp.auth_required(auth)
@bp.output(DeadlineOut)
def explain(task_id: str):
    """Explain how the due date was computed: start, rule, skipped days, pauses, extension."""
    rt = runtime()
    return services.explain_deadline(rt.uow(), principal(), task_id, rt.rules)
