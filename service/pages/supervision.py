"""The Provincial Office's pages: overdue work across agencies, by agency and person; assigned tasks."""

from apiflask import APIBlueprint
from flask import g, render_template, request

from engine import services
from engine.reports.overdue import OverdueFilter
from engine.services import directory, reports
from engine.store.assignments import AssignmentQuery
from service.runtime import runtime
from service.web import number, signed_in

bp = APIBlueprint("supervision", __name__, enable_openapi=False)
PER_PAGE = 50
ESCALATION = ("Bình thường", "Đã nhắc", "Quá hạn", "Đã báo cáo VP UBND tỉnh")


def _filter() -> OverdueFilter:
    """Read the dashboard's filters from the query string; an empty field is no filter."""
    args = request.args
    return OverdueFilter(args.get("agency", "")[:32] or None, args.get("process", "")[:128] or None,
                         args.get("person", "")[:36] or None,
                         number(args.get("min_days_late"), 0, 0, 3650))


@bp.get("/qua-han")
@signed_in
def overdue():
    """Show overdue work across agencies, grouped by agency and person, and the backlog."""
    rt = runtime()
    wanted, page = _filter(), number(request.args.get("page"), 1, 1, 100_000)
    board = reports.read_overdue_dashboard(rt.uow(), g.principal, rt.clock.now(), rt.rules, wanted,
                                           page, PER_PAGE)
    pages = max(1, -(-board["total"] // PER_PAGE))
    processes = services.list_processes(rt.uow())
    return render_template("supervision/overdue.html", board=board, wanted=wanted, page=page,
                           pages=pages, escalation=ESCALATION, processes=processes,
                           process_names={p["process_id"]: p["name"] for p in processes},
                           principal=g.principal)


STATES = {"in_progress": "Đang thực hiện", "awaiting_confirmation": "Chờ xác nhận hoàn thành",
          "returned": "Bị trả lại, làm tiếp", "completed": "Đã hoàn thành", "cancelled": "Đã hủy"}
SOURCES = {"conclusion": "Kết luận", "document": "Văn bản"}
OVERDUE = {"1": True, "0": False}


@bp.get("/qua-han/nhiem-vu-giao")
@signed_in
def assignments():
    """Show the register of assigned tasks, earliest due first, and each lead agency's backlog."""
    rt, args = runtime(), request.args
    page = number(args.get("page"), 1, 1, 100_000)
    state = args.get("state") if args.get("state") in STATES else None
    query = AssignmentQuery(now=rt.clock.now(), lead_agency=args.get("agency", "")[:32] or None,
                            state=state, overdue=OVERDUE.get(args.get("overdue", "")),
                            limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    items, total = services.list_assignments(rt.uow(), rt.clock, g.principal, query)
    backlog = services.assignment_backlog(rt.uow(), rt.clock, g.principal, 3, query.lead_agency,
                                          rt.rules)
    agencies = directory.list_agencies(rt.uow())
    return render_template("supervision/assignments.html", items=items, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), query=query, backlog=backlog,
                           agencies=agencies, states=STATES, sources=SOURCES,
                           overdue=args.get("overdue", ""))
