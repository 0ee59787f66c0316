"""Inbox and completion of human tasks."""

from apiflask import APIBlueprint

from engine import services
from engine.store.repositories import TaskQuery
from service.api import paging
from service.auth import auth, principal
from service.runtime import runtime
from service.schemas import CompleteTaskIn, ReassignIn, TaskOut, TaskPageOut, TaskQueryIn

bp = APIBlueprint("tasks", __name__, url_prefix="/api/v1/tasks", tag="Nhiệm vụ")


@bp.get("")
@bp.auth_required(auth)
@bp.input(TaskQueryIn, location="query", arg_name="q")
@bp.output(TaskPageOut)
def list_tasks(q):
    """List tasks, oldest due first; an agency sees only its own."""
    rt = runtime()
    query = TaskQuery(
        agency=q.get("agency"),
        state=q.get("state"),
        instance_id=q.get("instance_id"),
        due_before=rt.rules.calendar.assume_local(q.get("due_before")),
        overdue_at=rt.clock.now() if q["overdue"] else None,
        **paging.window(q),
    )
    items, total = services.list_tasks(rt.uow.reader(), principal(), query)
    return paging.page(q, items, total)


@bp.get("/<task_id>")
@bp.auth_required(auth)
@bp.output(TaskOut)
def get_task(task_id: str):
    """Show one task."""
    return services.get_task(runtime().uow(), principal(), task_id)


@bp.post("/<task_id>/complete")
@bp.auth_required(auth)
@bp.input(CompleteTaskIn, arg_name="body")
@bp.output(TaskOut)
@bp.doc(responses={403: "Nhiệm vụ của cơ quan khác", 404: "Không có nhiệm vụ",
                   409: "Nhiệm vụ đã được xử lý", 422: "Dữ liệu biểu mẫu không hợp lệ"})
def complete_task(task_id: str, body):
    """Complete a task with its form data."""
    rt = runtime()
    return services.complete_task(rt.uow(), rt.clock, principal(), task_id, body["data"], rt.rules)


@bp.post("/<task_id>/claim")
@bp.auth_required(auth)
@bp.output(TaskOut)
@bp.doc(responses={409: "Cán bộ khác đã nhận"})
def claim(task_id: str):
    """Take a task of your agency, so colleagues see who works on it."""
    rt = runtime()
    return services.claim_task(rt.uow(), rt.clock, principal(), task_id)


@bp.post("/<task_id>/unclaim")
@bp.auth_required(auth)
@bp.output(TaskOut)
def unclaim(task_id: str):
    """Release a claimed task back to the agency's shared inbox."""
    rt = runtime()
    return services.unclaim_task(rt.uow(), rt.clock, principal(), task_id)


@bp.post("/<task_id>/reassign")
@bp.auth_required(auth)
@bp.input(ReassignIn, arg_name="body")
@bp.output(TaskOut)
@bp.doc(responses={403: "Chỉ lãnh đạo cơ quan"})
def reassign(task_id: str, body):
    """Give the task to another member of the agency (heads); the instance keeps running."""
    rt = runtime()
    return services.reassign_task(rt.uow(), rt.clock, principal(), task_id, body["user_id"])
