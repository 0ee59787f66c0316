"""Reports for the Department of Home Affairs and the Provincial Office: discipline, overdue, bottlenecks."""

import os

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, Range
from flask import current_app

from engine.reports.overdue import OverdueFilter
from engine.reports.period import parse_month, parse_range
from engine.reports.scoring import Scoring
from engine.services import reports
from service.auth import auth, principal
from service.runtime import runtime

bp = APIBlueprint("reports", __name__, url_prefix="/api/v1/reports", tag="Báo cáo")
READERS = "Sở Nội vụ, Văn phòng UBND tỉnh, quản trị; cơ quan khác chỉ thấy dòng của mình"


class PeriodIn(Schema):
    month = String(validate=Length(7, 7), metadata={"description": "Tháng báo cáo, dạng YYYY-MM"})
    from_ = String(data_key="from", validate=Length(10, 10), metadata={"description": "Từ ngày YYYY-MM-DD"})
    to = String(validate=Length(10, 10), metadata={"description": "Đến ngày YYYY-MM-DD"})


class OverdueIn(Schema):
    agency = String(validate=Length(1, 32))
    process = String(validate=Length(1, 128))
    person = String(validate=Length(1, 36), metadata={"description": "Mã người dùng đang giữ việc"})
    min_days_late = Integer(load_default=0, validate=Range(0, 3650))


def scoring() -> Scoring:
    """Return the scoring rules, read once per app from SCORING_FILE or DUNGHAN_SCORING_FILE."""
    if "scoring" not in current_app.extensions:
        path = current_app.config.get("SCORING_FILE") or os.environ.get("DUNGHAN_SCORING_FILE")
        current_app.extensions["scoring"] = Scoring.from_file(path)
    return current_app.extensions["scoring"]


def period_of(q: dict):
    """Read ``month``, or ``from`` and ``to``; the current month when neither is given."""
    rt = runtime()
    tz = rt.rules.calendar.tz
    if q.get("from_") or q.get("to"):
        return parse_range(q.get("from_"), q.get("to"), tz)
    return parse_month(q.get("month") or f"{rt.clock.now().astimezone(tz):%Y-%m}", tz)


@bp.get("/discipline")
@bp.auth_required(auth)
@bp.input(PeriodIn, location="query", arg_name="q")
@bp.doc(description=f"Báo cáo kỷ luật hành chính của một tháng hoặc khoảng ngày. {READERS}.",
        responses={200: "Báo cáo (JSON)", 403: "Không có quyền", 422: "Tháng không hợp lệ"})
def discipline(q):
    """Build the monthly discipline report: figures per agency and person, the ranking."""
    rt = runtime()
    return reports.read_discipline_report(rt.uow(), principal(), period_of(q), rt.clock.now(),
                                          rt.rules, scoring())


@bp.get("/overdue")
@bp.auth_required(auth)
@bp.input(OverdueIn, location="query", arg_name="q")
@bp.doc(description=f"Việc quá hạn và tồn đọng của mọi quy trình, có bộ lọc. {READERS}.")
def overdue(q):
    """List overdue work of every kind with filters, and the backlog per agency and process."""
    rt = runtime()
    wanted = OverdueFilter(q.get("agency"), q.get("process"), q.get("person"), q["min_days_late"])
    return reports.read_overdue_report(rt.uow(), principal(), rt.clock.now(), rt.rules, wanted)


@bp.get("/bottlenecks")
@bp.auth_required(auth)
@bp.input(PeriodIn, location="query", arg_name="q")
@bp.doc(description="Thời gian xử lý theo bước và cơ quan: trung vị, p90, số lần làm lại, "
        f"chờ lâu nhất. {READERS}.")
def bottlenecks(q):
    """Return median and p90 working time per process step and agency, repeats and waits."""
    rt = runtime()
    return reports.read_bottlenecks(rt.uow(), principal(), period_of(q), rt.rules, scoring())
