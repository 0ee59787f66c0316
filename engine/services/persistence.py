"""Load and save instances for use cases: state, tasks, jobs, audit and outbox in one commit."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from engine.deadlines import timer_helpers
from engine.errors import NotFound, StaleState, StepFailed
from engine.escalation import Rung
from engine.events import InstanceStartFailed, StepFailedRecorded
from engine.instances import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from engine.periods import period_helpers
from engine.rules import Rules
from engine.scripting import SandboxScriptEngine
from engine.services.assignment_state import follow_assignment
from engine.services.dossier_status import follow_instance
from engine.services.feedback_state import follow_feedback

log = logging.getLogger(__name__)
STALE_ATTEMPTS = 4
T = TypeVar("T")


def retrying_stale(attempt: Callable[[], T]) -> T:
    """Run a whole read-modify-save again when another step saved the instance in between.

    Two agencies replying to their own tasks of one instance at the same instant collide on
    the instance's version, not on anything either of them did; re-reading and re-applying
    succeeds. Only a collision that keeps happening reaches the caller as 409.
    """
    for _ in range(STALE_ATTEMPTS - 1):
        try:
            return attempt()
        except StaleState:
            continue
    return attempt()


def script_engine(rules: Rules, now: datetime) -> SandboxScriptEngine:
    """Build the sandboxed engine for one step, with deadline helpers anchored at ``now``.

    Anchoring on the use case's instant makes a boundary timer written as
    ``due_in_working_days(n)`` agree to the second with the task's stored due date.
    ``feedback_days(kind)`` reads the province's handling limit of a kind of feedback.
    """
    return SandboxScriptEngine(helpers={**timer_helpers(rules.calendar, now),
                                        **period_helpers(rules.calendar, now),
                                        "feedback_days": rules.feedback.handle_days})


def load_instance(uow, instance_id: str, rules: Rules, now: datetime, writing: bool = True):
    """Return the instance row and its aggregate, with a fresh sandboxed engine attached.

    A step about to write takes the workflow its process last committed for this very version,
    when it still holds one, instead of restoring it from JSON; a read restores its own copy
    and leaves the hot one for the next step.
    """
    row = uow.instances.get(instance_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ")
    compiled = uow.processes.compiled(row["process_version_id"])
    hot = uow.hot.take(row["id"], row["version"]) if writing else None
    instance = ProcessInstance.load(row["id"], row["process_id"], row["process_version"],
                                    row["state_json"], compiled, script_engine(rules, now),
                                    rules.calendar, row["status"], workflow=hot)
    return row, instance


def save_instance(uow, row, instance: ProcessInstance, rules: Rules, now: datetime) -> dict:
    """Compare-and-set the state, project the instance's events and schedule its jobs.

    Return the task rows the step closed, by task id, as they now stand.
    """
    ended = now if instance.status != InstanceStatus.RUNNING else None
    uow.instances.save(row["id"], row["version"], state_json=instance.dump(),
                       status=instance.status, updated_at=now, ended_at=ended, last_error=None)
    keep_hot(uow, instance, row["version"] + 1)
    return publish(uow, instance, rules, now)


def keep_hot(uow, instance: ProcessInstance, version: int) -> None:
    """Keep the workflow in memory once its state commits as ``version``, for the next step."""
    if instance.status == InstanceStatus.RUNNING:
        uow.after_commit(lambda: uow.hot.keep(instance.id, version, instance.workflow))


def publish(uow, instance: ProcessInstance, rules: Rules, now: datetime) -> dict:
    """Project events onto tasks, ladder jobs, the audit log and the outbox; arm timer jobs.

    New tasks, their rungs and the journal are written in bulk: a consultation step opens one
    task per consulted agency, and round trips are most of a request's cost. Return the task
    rows closed, by task id.
    """
    opened = [instance.assigned[e.task_id] for e in instance.events if e.type == "task.assigned"]
    _open_tasks(uow, instance, opened, rules, now)
    closed = {}
    for event in instance.events:
        if event.type == "task.completed":
            closed[event.task_id] = uow.tasks.close(
                event.task_id, TaskStatus.COMPLETED, completed_at=now, completed_by=event.actor,
                data=json_safe(event.data))
            uow.jobs.cancel_prefix(ladder_prefix(event.task_id))
        elif event.type == "task.withdrawn":
            closed[event.task_id] = uow.tasks.close(event.task_id, TaskStatus.WITHDRAWN,
                                                    completed_at=now)
            uow.jobs.cancel_prefix(ladder_prefix(event.task_id))
    actor = instance.events[-1].actor if instance.events else None
    uow.journal.record_all(instance.events)
    instance.events.clear()
    follow_instance(uow, instance, rules, now, actor)
    follow_assignment(uow, instance, now, actor)
    follow_feedback(uow, instance, now, actor)
    for task_id, due in instance.waiting_timers():
        key = f"timer:{instance.id}:{task_id}:{due.isoformat()}"
        # SpiffWorkflow fires a timer once its instant is strictly past, hence the microsecond.
        fire_at = due + timedelta(microseconds=1)
        uow.jobs.schedule("timer", key, fire_at, {"instance_id": instance.id}, now)
    return closed


def _open_tasks(uow, instance: ProcessInstance, opened: list[HumanTask], rules: Rules, now) -> None:
    uow.tasks.add_many([
        dict(id=t.id, instance_id=instance.id, bpmn_id=t.bpmn_id, name=t.name, lane=t.lane,
             agency_code=t.agency, form=t.form, created_at=now, due_at=t.due_at,
             deadline=t.deadline.to_json() if t.deadline else None,
             deemed_consent=t.deemed_consent, pause_approver=t.pause_approver,
             data=json_safe(t.data))
        for t in opened
    ])
    uow.jobs.schedule_many("ladder", [
        rung for t in opened if t.due_at
        for rung in [*_rungs(rules, instance.process_id, t.id, t.agency, t.due_at, t.deemed_consent),
                     *_unclaimed_rung(rules, instance.process_id, t.id, t.agency, now)]
    ], now)


def _unclaimed_rung(rules: Rules, process_id, task_id, agency, opened) -> list:
    """Return the rung that calls the head to a task nobody claimed, counted from its opening.

    Its key is outside the due-date rungs' prefix: a moved deadline does not move it, and a
    task closed or claimed by then is left alone when it fires.
    """
    ladder = rules.ladders.for_task(process_id, agency)
    at = ladder.unclaimed_at(opened, rules.calendar.for_agency(agency))
    return [(f"unclaimed:{task_id}", at, {"task_id": task_id, "rung": Rung.UNCLAIMED})] if at else []


def ladder_prefix(task_id: str) -> str:
    return f"ladder:{task_id}:"


def _rungs(rules: Rules, process_id, task_id, agency, due, deemed_consent):
    """Return (key, instant, payload) of each rung; the key names the due date.

    So a moved deadline gets fresh rungs while rungs that fired for the old date stay done.
    """
    ladder = rules.ladders.for_task(process_id, agency)
    return [(f"{ladder_prefix(task_id)}{rung}:{due.isoformat()}", at, {"task_id": task_id, "rung": rung})
            for rung, at in ladder.rungs(due, rules.calendar.for_agency(agency), deemed_consent)]


def schedule_ladder(uow, rules: Rules, process_id: str, task_id: str, agency: str,
                    due: datetime, deemed_consent: bool, now: datetime) -> None:
    """Reschedule a task's rungs for a new due date, reviving any cancelled by a pause."""
    uow.jobs.cancel_prefix(ladder_prefix(task_id))
    for key, at, payload in _rungs(rules, process_id, task_id, agency, due, deemed_consent):
        if not uow.jobs.schedule("ladder", key, at, payload, now):
            uow.jobs.revive(key, at)


def record_failure(uow, instance_id: str, error: StepFailed, actor: str, now: datetime) -> None:
    """Record, in a transaction of its own, why a step failed; the step itself was rolled back."""
    with uow:
        note_failure(uow, instance_id, error, actor, now)
        uow.commit()


def note_failure(uow, instance_id: str, error: StepFailed, actor: str, now: datetime) -> None:
    """Log a failed step with its instance and element, and keep it on the instance and audit log."""
    log.warning("step failed on instance %s at element %s (actor %s): %s", instance_id,
                error.extra.get("element"), actor, error.detail)
    uow.instances.note_error(instance_id, error.detail)
    uow.journal.record(StepFailedRecorded(instance_id, now, actor, error.detail))


def record_start_failure(uow, failed: InstanceStartFailed, error: StepFailed) -> None:
    """Keep an audit row and a log line for an instance whose first steps failed.

    No instance row exists (its transaction rolled back); the audit row keeps the id it would
    have had, so the log line, the audit log and the designer's report all agree.
    """
    log.warning("start of %s failed on instance %s at element %s (actor %s): %s",
                failed.process_id, failed.instance_id, error.extra.get("element"), failed.actor,
                error.detail)
    with uow:
        uow.journal.record(failed)
        uow.commit()


def json_safe(data: dict) -> dict:
    """Keep only JSON values of task data, for the projection."""
    kinds = (str, int, float, bool, list, dict, type(None))
    return {k: v for k, v in data.items() if isinstance(v, kinds)}
