"""Keep each assigned task's row in step with its instance, after every step it takes.

An assigned task is an instance of ``theo_doi_nhiem_vu``. `follow_assignment` writes the facts
the Provincial Office registered (on the first step) and where the task stands now. Its due
date is not copied: it is the lead's task's (``carry_out``), so an approved extension, a
pause or a recomputed calendar shows at once.
"""

from datetime import datetime

from SpiffWorkflow.util.task import TaskState

from engine.instances import InstanceStatus, ProcessInstance

PROCESS_ID = "theo_doi_nhiem_vu"


def state_of(instance: ProcessInstance) -> str:
    """Say where the task stands: in progress, awaiting confirmation, returned, completed or cancelled."""
    if instance.status != InstanceStatus.RUNNING:
        return str(instance.status)
    waiting = {t.task_spec.bpmn_id for t in instance.ready_tasks()}
    if "confirm_completion" in waiting:
        return "awaiting_confirmation"
    return "returned" if "redo" in waiting else "in_progress"


def follow_assignment(uow, instance: ProcessInstance, now: datetime, actor: str | None) -> None:
    """Create or update the assignment row of an instance of the assigned-task process."""
    if instance.process_id != PROCESS_ID:
        return
    row, variables, state = uow.assignments.get(instance.id), instance.variables, state_of(instance)
    if row is None:
        uow.assignments.add(
            instance_id=instance.id, registered_at=now, registered_by=actor or "",
            lead_agency=variables["assigned_agency"], state=state,
            cooperating_agencies=list(variables.get("cooperating_agencies", [])),
            **{k: variables[k] for k in ("source_kind", "source_number", "source_date", "assigned_by",
                                         "assigned_by_name", "content", "report_period")})
        return
    changes = {"state": state}
    report = _last_report(instance)
    if report and report != row["last_report"]:
        changes.update(last_report=dict(report), last_report_at=now)
    if state == "awaiting_confirmation" and row["state"] != state:
        changes["reported_done_at"] = now
    elif state in ("in_progress", "returned"):
        changes["reported_done_at"] = None  # a returned result is owed again
    if state in ("completed", "cancelled") and row["ended_at"] is None:
        changes["ended_at"] = now
    uow.assignments.update(instance.id, **changes)


def _last_report(instance: ProcessInstance) -> dict | None:
    """Return the latest progress report; branches keep their own data, so ask its task."""
    done = [t for t in instance.workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.bpmn_id == "report_progress"]
    return max(done, key=lambda t: t.last_state_change).data.get("report") if done else None
