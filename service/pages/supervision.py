"""The Provincial Office's dashboard: overdue work and backlog across agencies, by agency and person."""

from apiflask import APIBlueprint
from flask import g, render_template, request

from engine import services
from engine.reports.overdue import OverdueFilter
from engine.services import reports
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
    assigned = services.assignment_backlog(rt.uow(), rt.clock, g.principal, 3, wanted.agency,
                                           rt.rules)
    return render_template("supervision/overdue.html", board=board, wanted=wanted, page=page,
                           pages=pages, escalation=ESCALATION, processes=processes,
                           assigned=assigned,
                           process_names={p["process_id"]: p["name"] for p in processes},
                           principal=g.principal)

