"""Complete, read and list human tasks."""

from engine import policy
from engine.rules import Rules
from engine.clock import Clock
from engine.errors import Conflict, NotFound, StepFailed
from engine.forms import FormContext, validate_submission
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.rules import default_rules
from engine.services.persistence import load_instance, record_failure, save_instance
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import task_view


def complete_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                  data: dict, rules: Rules | None = None) -> dict:
    """Complete an agency's task with its form data and run the process on."""
    now, instance_id = clock.now(), None
    try:
        with uow:
            task = task_row(uow, task_id)
            instance_id = task["instance_id"]
            policy.require_act_on_task(principal, task["agency_code"])
            if task["state"] != TaskStatus.OPEN:
                raise Conflict("Nhiệm vụ đã được xử lý")
            rules = rules or default_rules()
            row, instance = load_instance(uow, instance_id, rules, now)
            ctx = FormContext(uow.directory.agency_codes(), row["lead_agency"])
            cleaned = validate_submission(task["form"], data, ctx)
            instance.complete_task(task_id, cleaned, now, principal.subject)
            save_instance(uow, row, instance, rules, now)
            if task["due_at"] is not None and now > task["due_at"]:
                uow.violations.add(agency_code=task["agency_code"], kind="late_completion",
                                   instance_id=instance_id, task_id=task_id, occurred_at=now)
            view = task_view(uow.tasks.get(task_id))
            view["instance_status"] = instance.status
            uow.commit()
    except StepFailed as err:
        record_failure(uow, instance_id, err, principal.subject, now)
        raise
    return view


def get_task(uow: UnitOfWork, principal: Principal, task_id: str) -> dict:
    """Show one task to its agency or to a reader of all agencies."""
    with uow:
        task = task_row(uow, task_id)
        policy.require_read_agency(principal, task["agency_code"])
        return task_view(task)


def list_tasks(uow: UnitOfWork, principal: Principal, query: TaskQuery) -> tuple[list[dict], int]:
    """List tasks; an agency sees only its own unless it reads all agencies."""
    if query.agency:
        policy.require_read_agency(principal, query.agency)
    elif not policy.reads_all(principal):
        query = TaskQuery(**{**query.__dict__, "agency": principal.agency})
    with uow:
        rows, total = uow.tasks.search(query)
    return [task_view(r) for r in rows], total


def task_row(uow, task_id: str):
    """Return a task's projection row or raise NotFound."""
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound("Không tìm thấy nhiệm vụ")
    return task
