"""Follow the tasks the provincial leaders assign: their list, their backlog, their state.

An assigned task is an instance of ``theo_doi_nhiem_vu``. After every step the instance
takes, `follow_assignment` keeps its row in step: the facts the Provincial Office registered
(on the first step) and where the task stands now. Its due date is the lead's task's
(``carry_out``), so an approved extension, a pause or a recomputed calendar shows at once.
"""

from dataclasses import replace
from datetime import datetime

from SpiffWorkflow.util.task import TaskState

from engine import policy
from engine.clock import Clock
from engine.errors import Forbidden
from engine.identity import Principal
from engine.instances import InstanceStatus, ProcessInstance
from engine.policy import Action, Resource
from engine.reports.period import month_of
from engine.rules import Rules, default_rules
from engine.store.assignments import AssignmentQuery
from engine.store.uow import UnitOfWork
from engine.views import iso

PROCESS_ID = "theo_doi_nhiem_vu"
MAX_MONTHS = 24


def state_of(instance: ProcessInstance) -> str:
    """Say where the task stands: in progress, awaiting confirmation, returned, completed or cancelled."""
    if instance.status != InstanceStatus.RUNNING:
        return str(instance.status)
    waiting = {t.task_spec.bpmn_id for t in instance.workflow.get_tasks(state=TaskState.READY, manual=True)}
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


def list_assignments(uow: UnitOfWork, clock: Clock, principal: Principal,
                     query: AssignmentQuery) -> tuple[list[dict], int]:
    """List assigned tasks; an agency sees those it leads, the Provincial Office every one."""
    query = replace(query, lead_agency=_readable(principal, query.lead_agency), now=clock.now())
    with uow:
        rows, total = uow.assignments.search(query)
    return [_view(r) for r in rows], total


def assignment_backlog(uow: UnitOfWork, clock: Clock, principal: Principal, months: int = 6,
                       agency: str | None = None, rules: Rules | None = None) -> dict:
    """Count each lead agency's backlog: owed and overdue now, open and overdue at each month end."""
    agency, now = _readable(principal, agency), clock.now()
    tz = (rules or default_rules()).calendar.tz
    local = now.astimezone(tz).date()
    periods, month = [], month_of(local.year, local.month, tz)
    for _ in range(max(1, min(months, MAX_MONTHS))):
        periods.insert(0, month)
        month = month.previous_month()
    with uow:
        rows = uow.assignments.backlog(now, [min(p.end, now) for p in periods], agency)
    return {"as_of": now.isoformat(), "agencies": [
        {"agency": r["lead_agency"], "agency_name": r["name"], "head_name": r["head_name"],
         "open": int(r["open"] or 0), "overdue": int(r["overdue"] or 0),
         "months": [{"month": p.label, "end": min(p.end, now).isoformat(),
                     "open": int(r[f"open_{i}"] or 0), "overdue": int(r[f"overdue_{i}"] or 0)}
                    for i, p in enumerate(periods)]}
        for r in rows]}


def _readable(principal: Principal, agency: str | None) -> str | None:
    """Return the agency filter the principal may use: its own unless it reads every agency's."""
    if agency:
        policy.require(principal, Action.READ_ASSIGNMENTS, Resource(agency))
        return agency
    if policy.reads_all(principal):
        return None
    if not policy.may(principal, Action.READ_ASSIGNMENTS, Resource(principal.agency)):
        raise Forbidden(policy.REFUSALS[Action.READ_ASSIGNMENTS])
    return principal.agency


def _view(r) -> dict:
    return {
        "id": r["instance_id"], "lead_task_id": r["lead_task_id"],
        "source": {"kind": r["source_kind"], "number": r["source_number"], "date": r["source_date"],
                   "assigned_by": r["assigned_by"], "assigned_by_name": r["assigned_by_name"]},
        "content": r["content"], "lead_agency": r["lead_agency"],
        "lead_agency_name": r["lead_agency_name"], "head_name": r["head_name"],
        "cooperating_agencies": list(r["cooperating_agencies"]), "report_period": r["report_period"],
        "state": r["state"], "registered_at": iso(r["registered_at"]), "due_at": iso(r["due_at"]),
        "overdue": bool(r["overdue"]), "extended_working_days": int(r["extended_days"] or 0),
        "last_report": dict(r["last_report"]) if r["last_report"] else None,
        "last_report_at": iso(r["last_report_at"]), "reported_done_at": iso(r["reported_done_at"]),
        "ended_at": iso(r["ended_at"]),
    }
