"""List an inbox: what each task is about, how due, who has it; counts per state for the tabs."""

from dataclasses import dataclass

from engine import policy
from engine.clock import Clock
from engine.identity import Principal
from engine.instances import TaskStatus
from engine.policy import Action, Resource
from engine.store.inbox import SORTS, InboxQuery
from engine.store.uow import UnitOfWork
from engine.views import task_view

STATES = (TaskStatus.OPEN, TaskStatus.COMPLETED, TaskStatus.WITHDRAWN)
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class InboxFilters:
    """What a person asks of the inbox; values out of range fall back to the defaults."""

    state: str = TaskStatus.OPEN  # a TaskStatus, or "all"
    overdue: bool = False
    process_id: str | None = None
    claim: str | None = None  # "mine" or "unclaimed"
    agency: str | None = None  # for those who read every agency
    sort: str = "due"
    page: int = 1
    per_page: int = 25


def list_inbox(uow: UnitOfWork, clock: Clock, principal: Principal, f: InboxFilters) -> dict:
    """Return one page of the inbox with its counts; an agency sees only its own tasks."""
    reads_all = policy.reads_all(principal)
    if f.agency and f.agency != principal.agency:
        policy.require(principal, Action.READ_TASK, Resource(f.agency))
    agency = f.agency if reads_all else principal.agency
    per_page = min(max(f.per_page, 1), MAX_PER_PAGE)
    page, now = max(f.page, 1), clock.now()
    query = InboxQuery(
        agency=agency or None,
        state=None if f.state == "all" else (f.state if f.state in STATES else TaskStatus.OPEN),
        overdue_at=now if f.overdue else None, process_id=f.process_id or None,
        claimed_by=principal.user_id if f.claim == "mine" else None,
        unclaimed=f.claim == "unclaimed", sort=f.sort if f.sort in SORTS else "due",
        limit=per_page, offset=(page - 1) * per_page)
    with uow:
        rows, total = uow.inbox.page(query)
        counts = uow.inbox.counts(query, now)
        processes = uow.inbox.processes(query.agency)
        agencies = [(a["code"], a["name"]) for a in uow.directory.agencies()] if reads_all else []
    return {"items": [inbox_item(r) for r in rows], "total": total, "page": page,
            "pages": max(1, -(-total // per_page)), "per_page": per_page,
            "counts": counts, "processes": processes, "agencies": agencies,
            "all_agencies": reads_all}


def inbox_item(row) -> dict:
    """Describe a task with what it is about, from what its agency may see.

    The title is the draft's title or the procedure's name as the task's form shows them;
    the dossier code and procedure come from the dossier when the instance is one.
    """
    data = row["data"] if isinstance(row["data"], dict) else {}
    return {
        **task_view(row),
        "title": data.get("title") or row["procedure_name"] or data.get("procedure_name"),
        "process_id": row["process_id"],
        "process_name": row["process_name"],
        "lead_agency": row["lead_agency"],
        "lead_agency_name": row["lead_agency_name"],
        "agency_name": row["agency_name"] or row["agency_code"],
        "dossier_code": row["dossier_code"] or data.get("dossier_code"),
        "procedure_code": row["procedure_code"] or data.get("procedure_code"),
        "claimer_name": row["claimer_name"],
    }
