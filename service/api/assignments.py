"""The tasks provincial leaders assign, as the Provincial Office and each lead agency follow them.

Registering, reporting, asking for an extension and reporting completion are steps of the
process ``theo_doi_nhiem_vu`` (``POST /api/v1/instances``, ``POST /api/v1/tasks/{id}/complete``);
these routes only read.
"""

from datetime import UTC, datetime, time, timedelta

from apiflask import APIBlueprint

from engine import services
from engine.store.assignments import AssignmentQuery
from service.api import paging
from service.assignment_schemas import (
    AssignmentDetailOut,
    AssignmentPageOut,
    AssignmentQueryIn,
    BacklogOut,
    BacklogQueryIn,
)
from service.auth import auth, principal
from service.runtime import runtime

bp = APIBlueprint("assignments", __name__, url_prefix="/api/v1/assignments", tag="Nhiệm vụ được giao")


@bp.get("")
@bp.auth_required(auth)
@bp.input(AssignmentQueryIn, location="query", arg_name="q")
@bp.output(AssignmentPageOut)
@bp.doc(responses={403: "Nhiệm vụ do cơ quan khác chủ trì"})
def list_assignments(q):
    """List assigned tasks, earliest due first; an agency sees those it leads."""
    rt = runtime()
    tz = rt.rules.calendar.tz
    query = AssignmentQuery(
        now=rt.clock.now(), lead_agency=q.get("lead_agency"), source_kind=q.get("source_kind"),
        source_number=q.get("source_number"), state=q.get("state"), overdue=q.get("overdue"),
        due_from=_start_of(q.get("due_from"), tz),
        due_to=_start_of(q["due_to"] + timedelta(days=1), tz) if q.get("due_to") else None,
        **paging.window(q))
    items, total = services.list_assignments(rt.uow(), rt.clock, principal(), query)
    return paging.page(q, items, total)


@bp.get("/backlog")
@bp.auth_required(auth)
@bp.input(BacklogQueryIn, location="query", arg_name="q")
@bp.output(BacklogOut)
@bp.doc(responses={403: "Nhiệm vụ do cơ quan khác chủ trì"})
def backlog(q):
    """Count each lead agency's backlog now and at the end of each of the last months."""
    rt = runtime()
    return services.assignment_backlog(rt.uow(), rt.clock, principal(), q["months"], q.get("agency"),
                                       rt.rules)


@bp.get("/<instance_id>")
@bp.auth_required(auth)
@bp.output(AssignmentDetailOut)
@bp.doc(responses={403: "Nhiệm vụ do cơ quan khác chủ trì", 404: "Không có nhiệm vụ được giao"})
def get_assignment(instance_id: str):
    """Show one assigned task: its progress reports, cooperating inputs and steps."""
    rt = runtime()
    return services.get_assignment(rt.uow(), rt.clock, principal(), instance_id)


def _start_of(day, tz) -> datetime | None:
    return datetime.combine(day, time(0), tz).astimezone(UTC) if day else None
