"""Read the tasks the provincial leaders assign: the list, one task's progress, the backlog.

`engine.services.assignment_state` keeps their rows in step with their instances.
"""

from dataclasses import replace

from engine import policy
from engine.clock import Clock
from engine.errors import Forbidden, NotFound
from engine.identity import Principal
from engine.policy import Action, Resource
from engine.reports.period import month_of
from engine.rules import Rules, default_rules
from engine.services.dossiers import control_sheet
from engine.store.assignments import AssignmentQuery
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork
from engine.views import iso

MAX_MONTHS = 24


def list_assignments(uow: UnitOfWork, clock: Clock, principal: Principal,
                     query: AssignmentQuery) -> tuple[list[dict], int]:
    """List assigned tasks; an agency sees those it leads, the Provincial Office every one."""
    query = replace(query, lead_agency=_readable(principal, query.lead_agency), now=clock.now())
    with uow:
        rows, total = uow.assignments.search(query)
    return [_view(r) for r in rows], total


def get_assignment(uow: UnitOfWork, clock: Clock, principal: Principal, instance_id: str) -> dict:
    """Show one assigned task with its progress reports, inputs and every step's timeliness."""
    now = clock.now()
    with uow:
        rows, _ = uow.assignments.search(AssignmentQuery(now, instance_id=instance_id, limit=1))
        if not rows:
            raise NotFound("Không tìm thấy nhiệm vụ được giao")
        policy.require(principal, Action.READ_ASSIGNMENTS, Resource(rows[0]["lead_agency"]))
        tasks, _ = uow.tasks.search(TaskQuery(instance_id=instance_id, limit=1000))
    done = sorted((t for t in tasks if t["state"] == "completed"), key=lambda t: t["completed_at"])
    return {**_view(rows[0]),
            "reports": [_report(t) for t in done if t["bpmn_id"] == "report_progress"],
            "inputs": [{"agency": t["agency_code"], "at": iso(t["completed_at"]), **t["data"]}
                       for t in done if t["bpmn_id"] == "send_input"],
            "steps": control_sheet(tasks, now)}


def _report(task) -> dict:
    late = task["due_at"] is not None and task["completed_at"] > task["due_at"]
    return {"at": iso(task["completed_at"]), "due_at": iso(task["due_at"]), "late": late,
            **{k: task["data"].get(k) for k in ("percent", "work_done", "obstacles",
                                                "request_extension", "extension_days")}}


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
