"""Load and save instances for use cases: state, task projection, audit and outbox together."""

import functools
from datetime import datetime

from engine.calendar import WorkCalendar
from engine.deadlines import timer_helpers
from engine.errors import NotFound, StepFailed
from engine.events import StepFailedRecorded
from engine.instances import InstanceStatus, ProcessInstance, TaskStatus
from engine.scripting import SandboxScriptEngine


@functools.cache
def default_calendar() -> WorkCalendar:
    """Return the calendar of the repository's override file, loaded once."""
    return WorkCalendar.from_file()


def script_engine(calendar: WorkCalendar, now: datetime) -> SandboxScriptEngine:
    """Build the sandboxed engine for one step, with deadline helpers anchored at ``now``.

    Anchoring on the use case's instant makes a boundary timer written as
    ``due_in_working_days(n)`` agree to the second with the task's stored due date.
    """
    return SandboxScriptEngine(helpers=timer_helpers(calendar, now))


def load_instance(uow, instance_id: str, calendar: WorkCalendar, now: datetime):
    """Return the instance row and its aggregate, with a fresh sandboxed engine attached."""
    row = uow.instances.get(instance_id)
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ")
    compiled = uow.processes.compiled(row["process_version_id"])
    instance = ProcessInstance.load(row["id"], row["process_id"], row["process_version"],
                                    row["state_json"], compiled, script_engine(calendar, now),
                                    calendar, row["status"])
    return row, instance


def save_instance(uow, row, instance: ProcessInstance, now: datetime) -> None:
    """Compare-and-set the state, then project the instance's events."""
    ended = now if instance.status != InstanceStatus.RUNNING else None
    uow.instances.save(row["id"], row["version"], state_json=instance.dump(),
                       status=instance.status, updated_at=now, ended_at=ended, last_error=None)
    publish(uow, instance, now)


def publish(uow, instance: ProcessInstance, now: datetime) -> None:
    """Project the instance's events onto the task table, the audit log and the outbox."""
    for event in instance.events:
        if event.type == "task.assigned":
            t = instance.assigned[event.task_id]
            uow.tasks.add(id=t.id, instance_id=instance.id, bpmn_id=t.bpmn_id, name=t.name,
                          lane=t.lane, agency_code=t.agency, form=t.form, created_at=now,
                          due_at=t.due_at, deadline=t.deadline.to_json() if t.deadline else None,
                          data=json_safe(t.data))
        elif event.type == "task.completed":
            uow.tasks.close(event.task_id, TaskStatus.COMPLETED, completed_at=now,
                            completed_by=event.actor, data=json_safe(event.data))
        elif event.type == "task.withdrawn":
            uow.tasks.close(event.task_id, TaskStatus.WITHDRAWN, completed_at=now)
        uow.journal.record(event)
    instance.events.clear()


def record_failure(uow, instance_id: str, error: StepFailed, actor: str, now: datetime) -> None:
    """Record, in a transaction of its own, why a step failed; the step itself was rolled back."""
    with uow:
        uow.instances.note_error(instance_id, error.detail)
        uow.journal.record(StepFailedRecorded(instance_id, now, actor, error.detail))
        uow.commit()


def json_safe(data: dict) -> dict:
    """Keep only JSON values of task data, for the projection."""
    kinds = (str, int, float, bool, list, dict, type(None))
    return {k: v for k, v in data.items() if isinstance(v, kinds)}
