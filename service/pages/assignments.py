"""The page "Nhiệm vụ được giao": the Provincial Office follows every agency's, an agency its own.

It reads the same use case as ``GET /api/v1/assignments``; filters are a plain GET form, so
the page works without JavaScript.
"""

from apiflask import APIBlueprint
from flask import g, render_template, request

from engine import services
from engine.store.assignments import AssignmentQuery
from service.runtime import runtime
from service.web import signed_in

bp = APIBlueprint("assignments", __name__, enable_openapi=False)

STATES = {"in_progress": "Đang thực hiện", "awaiting_confirmation": "Chờ xác nhận hoàn thành",
          "returned": "Bị trả lại, đang hoàn thiện", "completed": "Đã hoàn thành",
          "cancelled": "Đã huỷ"}
OVERDUE = {"": None, "1": True, "0": False}


@bp.get("/nhiem-vu-duoc-giao")
@signed_in
def index():
    """List assigned tasks, earliest due first, filtered by lead agency, state and lateness."""
    rt, args = runtime(), request.args
    lead = (args.get("lead_agency") or "").strip()[:32] or None
    query = AssignmentQuery(now=rt.clock.now(), lead_agency=lead,
                            state=args.get("state") if args.get("state") in STATES else None,
                            overdue=OVERDUE.get(args.get("overdue", "")), limit=200)
    items, total = services.list_assignments(rt.uow(), rt.clock, g.principal, query)
    return render_template("assignments/index.html", items=items, total=total, states=STATES,
                           chosen=args)
