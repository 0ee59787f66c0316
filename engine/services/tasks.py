"""Complete, read and list human tasks."""

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, Invalid, NotFound, StepFailed
from engine.events import TaskAssignmentChanged
from engine.forms import FormContext, validate_submission
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.policy import Action, Resource
from engine.rules import Rules, default_rules
from engine.services.feedback_state import transfer_rule
from engine.services.ledger import grant_extension
from engine.services.persistence import (
    load_instance,
    record_failure,
    retrying_stale,
    save_instance,
)
from engine.services.responsibility import people_behind
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import task_view


def complete_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                  data: dict, rules: Rules | None = None) -> dict:
    """Complete an agency's task with its form data and run the process on."""
    return retrying_stale(lambda: _complete_task(uow, clock, principal, task_id, data, rules))


def _complete_task(uow, clock, principal, task_id, data, rules) -> dict:
    now, instance_id = clock.now(), None
    try:
        with uow:
            task = task_row(uow, task_id)
            instance_id = task["instance_id"]
            policy.require(principal, Action.ACT_ON_TASK, task_resource(task))
            if task["state"] != TaskStatus.OPEN:
                raise Conflict("Nhiệm vụ đã được xử lý")
            rules = rules or default_rules()
            row, instance = load_instance(uow, instance_id, rules, now)
            # Only the process knows which steps are a head's to take (a signature, a ruling).
            policy.require(principal, Action.ACT_IN_ROLE,
                           Resource(actor_role=instance.actor_role(task_id)))
            ctx = FormContext(uow.directory.agency_codes, row["lead_agency"], task["agency_code"],
                              transfer_rule(uow, rules))
            cleaned = validate_submission(instance.form(task["form"]), data, ctx)
            instance.complete_task(task_id, cleaned, now, principal.subject)
            closed = save_instance(uow, row, instance, rules, now)
            for grant in instance.grants:
                grant_extension(uow, now, principal, task, grant, rules)
            if task["due_at"] is not None and now > task["due_at"]:
                uow.violations.add(agency_code=task["agency_code"], kind="late_completion",
                                   instance_id=instance_id, task_id=task_id, occurred_at=now,
                                   **people_behind(uow, task, principal))
            view = task_view(closed[task_id])
            view["instance_status"] = instance.status
            uow.commit()
    except StepFailed as err:
        record_failure(uow, instance_id, err, principal.subject, now)
        raise
    return view


def claim_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str) -> dict:
    """Let an officer of the task's agency take it, so colleagues see who works on it."""
    with uow:
        task = open_task(uow, task_id)
        policy.require(principal, Action.CLAIM_TASK, Resource(task["agency_code"]))
        if task["claimed_by"] not in (None, principal.user_id):
            raise Conflict("Nhiệm vụ đã được cán bộ khác nhận xử lý")
        return _assign(uow, clock, principal, task, principal.user_id, "claimed")


def unclaim_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str) -> dict:
    """Release a claimed task back to the agency's shared inbox (the claimer or a head)."""
    with uow:
        task = open_task(uow, task_id)
        policy.require(principal, Action.ACT_ON_TASK, task_resource(task))
        return _assign(uow, clock, principal, task, None, "unclaimed")


def reassign_task(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                  user_id: str) -> dict:
    """Give a task to another member of the agency; the instance keeps running."""
    with uow:
        task = open_task(uow, task_id)
        policy.require(principal, Action.REASSIGN_TASK, Resource(task["agency_code"]))
        member = uow.directory.user(user_id)
        if member is None or member["agency_code"] != task["agency_code"] or not member["active"]:
            raise Invalid("Chỉ phân công cho cán bộ đang làm việc của cùng cơ quan",
                          {"user_id": "Không hợp lệ"})
        return _assign(uow, clock, principal, task, user_id, "reassigned")


def open_task(uow, task_id: str):
    """Return an open task's row; raise NotFound or Conflict."""
    task = task_row(uow, task_id)
    if task["state"] != TaskStatus.OPEN:
        raise Conflict("Nhiệm vụ đã đóng")
    return task


def _assign(uow, clock, principal: Principal, task, user_id: str | None, kind: str) -> dict:
    now = clock.now()
    uow.tasks.update(task["id"], claimed_by=user_id, claimed_at=now if user_id else None)
    uow.journal.record(TaskAssignmentChanged(task["instance_id"], now, principal.subject, task["id"],
                                             task["agency_code"], kind, user_id, principal.acting_for))
    view = task_view(uow.tasks.get(task["id"]))
    uow.commit()
    return view


def get_task(uow: UnitOfWork, principal: Principal, task_id: str) -> dict:
    """Show one task to its agency or to a reader of all agencies, with its form's schema.

    The schema is the one of the instance's own process version, so a client renders the
    form the task will actually check, whatever a designer changed since.
    """
    with uow:
        task = task_row(uow, task_id)
        policy.require(principal, Action.READ_TASK, Resource(task["agency_code"]))
        return {**task_view(task), "form_schema": _form_schema(uow, task)}


def _form_schema(uow, task) -> dict | None:
    if not task["form"]:
        return None
    version_id = uow.instances.get(task["instance_id"])["process_version_id"]
    form = uow.processes.compiled(version_id).forms.get(task["form"])
    return form.schema if form else None


def list_tasks(uow: UnitOfWork, principal: Principal, query: TaskQuery) -> tuple[list[dict], int]:
    """List tasks; an agency sees only its own unless it reads all agencies."""
    if query.agency:
        policy.require(principal, Action.READ_TASK, Resource(query.agency))
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


def task_resource(task) -> Resource:
    """Describe a task row to the policy: its agency and who claimed it."""
    return Resource(task["agency_code"], claimed_by=task["claimed_by"])
