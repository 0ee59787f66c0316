"""Reports for the Department of Home Affairs and the Provincial Office: discipline, overdue, bottlenecks."""

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, Range
from flask import Response, current_app, request

from engine.reports.overdue import OverdueFilter
from engine.reports.period import parse_month, parse_range
from engine.reports.scoring import Scoring
from engine.services import reports
from service import exports
from service.auth import auth, principal
from service.problems import problem
from service.report_cli import scoring_of
from service.runtime import runtime

bp = APIBlueprint("reports", __name__, url_prefix="/api/v1/reports", tag="Báo cáo")
READERS = "Sở Nội vụ, Văn phòng UBND tỉnh, quản trị; cơ quan khác chỉ thấy dòng của mình"


class PeriodIn(Schema):
    month = String(validate=Length(7, 7), metadata={"description": "Tháng báo cáo, dạng YYYY-MM"})
    from_ = String(data_key="from", validate=Length(10, 10), metadata={"description": "Từ ngày YYYY-MM-DD"})
    to = String(validate=Length(10, 10), metadata={"description": "Đến ngày YYYY-MM-DD"})


class FileIn(PeriodIn):
    section = String(validate=Length(1, 32), metadata={"description": "Mục xuất ra CSV (mặc định ranking)"})


class OverdueIn(Schema):
    agency = String(validate=Length(1, 32))
    process = String(validate=Length(1, 128))
    person = String(validate=Length(1, 36), metadata={"description": "Mã người dùng đang giữ việc"})
    min_days_late = Integer(load_default=0, validate=Range(0, 3650))
    page = Integer(load_default=1, validate=Range(1, 100_000))
    per_page = Integer(load_default=100, validate=Range(1, 500))


def scoring() -> Scoring:
    """Return the scoring rules, read once per app from SCORING_FILE or DUNGHAN_SCORING_FILE."""
    if "scoring" not in current_app.extensions:
        current_app.extensions["scoring"] = scoring_of(current_app.config)
    return current_app.extensions["scoring"]


def period_of(q: dict):
    """Read ``month``, or ``from`` and ``to``; the current month when neither is given."""
    rt = runtime()
    tz = rt.rules.calendar.tz
    if q.get("from_") or q.get("to"):
        return parse_range(q.get("from_"), q.get("to"), tz)
    return parse_month(q.get("month") or f"{rt.clock.now().astimezone(tz):%Y-%m}", tz)


@bp.get("")
@bp.auth_required(auth)
@bp.doc(description="Danh mục các báo cáo và đường dẫn.")
def index():
    """List the reports this API serves, with their links and formats."""
    base = "/api/v1/reports"
    return {"items": [
        {"name": "discipline", "title": "Báo cáo kỷ luật, kỷ cương hành chính hằng tháng",
         "href": f"{base}/discipline?month=YYYY-MM", "formats": list(exports.MEDIA_TYPES)},
        {"name": "published", "title": "Các bản báo cáo đã công bố", "href": f"{base}/discipline/published",
         "formats": list(exports.MEDIA_TYPES)},
        {"name": "overdue", "title": "Việc quá hạn và tồn đọng", "href": f"{base}/overdue",
         "formats": ["json"]},
        {"name": "bottlenecks", "title": "Điểm nghẽn theo bước xử lý",
         "href": f"{base}/bottlenecks?month=YYYY-MM", "formats": ["json"]},
    ]}


def _discipline(q: dict) -> dict:
    rt = runtime()
    return reports.read_discipline_report(rt.uow(), principal(), period_of(q), rt.clock.now(),
                                          rt.rules, scoring())


def send_file(report: dict, fmt: str, section: str | None = None):
    """Answer a report as a file, or 503 naming the system package the PDF needs."""
    try:
        body = exports.render(report, fmt, section, runtime().rules.calendar.tz)
    except exports.PdfUnavailable as err:
        return problem(503, f"Máy chủ chưa cài gói hệ thống {err.package} để xuất PDF",
                       slug="pdf-unavailable", package=err.package)
    revision = f"-ban-{report['revision']}" if report.get("revision") else ""
    name = f"bao-cao-ky-luat-{report['period']['label'].replace('..', '_')}{revision}.{fmt}"
    return Response(body, mimetype=exports.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/discipline")
@bp.auth_required(auth)
@bp.input(FileIn, location="query", arg_name="q")
@bp.doc(description=f"Báo cáo kỷ luật hành chính của một tháng hoặc khoảng ngày. {READERS}. "
        "Định dạng theo tiêu đề Accept (JSON, XLSX, CSV, PDF) hoặc đuôi .xlsx/.csv/.pdf.",
        responses={200: "Báo cáo", 403: "Không có quyền", 422: "Tháng không hợp lệ",
                   503: "Thiếu thư viện hệ thống để xuất PDF"})
def discipline(q):
    """Build the monthly discipline report: figures per agency and person, the ranking."""
    offered = {media.split(";")[0]: fmt for fmt, media in exports.MEDIA_TYPES.items()}
    fmt = offered[request.accept_mimetypes.best_match(list(offered), default="application/json")]
    report = _discipline(q)
    return report if fmt == "json" else send_file(report, fmt, q.get("section"))


@bp.get("/discipline.<any(json, xlsx, csv, pdf):fmt>")
@bp.auth_required(auth)
@bp.input(FileIn, location="query", arg_name="q")
@bp.doc(description=f"Báo cáo kỷ luật hành chính dưới dạng tệp. {READERS}.",
        responses={200: "Tệp báo cáo", 403: "Không có quyền", 503: "Thiếu thư viện hệ thống để xuất PDF"})
def discipline_file(fmt: str, q):
    """Download the discipline report as XLSX (one sheet per section), CSV or PDF."""
    report = _discipline(q)
    return report if fmt == "json" else send_file(report, fmt, q.get("section"))


@bp.get("/overdue")
@bp.auth_required(auth)
@bp.input(OverdueIn, location="query", arg_name="q")
@bp.doc(description=f"Việc quá hạn và tồn đọng của mọi quy trình, có bộ lọc. {READERS}.")
def overdue(q):
    """List overdue work of every kind with filters, and the backlog per agency and process."""
    rt = runtime()
    wanted = OverdueFilter(q.get("agency"), q.get("process"), q.get("person"), q["min_days_late"])
    return reports.read_overdue_report(rt.uow(), principal(), rt.clock.now(), rt.rules, wanted,
                                       q["page"], q["per_page"])


@bp.get("/bottlenecks")
@bp.auth_required(auth)
@bp.input(PeriodIn, location="query", arg_name="q")
@bp.doc(description="Thời gian xử lý theo bước và cơ quan: trung vị, p90, số lần làm lại, "
        f"chờ lâu nhất. {READERS}.")
def bottlenecks(q):
    """Return median and p90 working time per process step and agency, repeats and waits."""
    rt = runtime()
    return reports.read_bottlenecks(rt.uow(), principal(), period_of(q), rt.rules, scoring())


class RebuildIn(Schema):
    reason = String(required=True, validate=Length(1, 2000),
                    metadata={"description": "Lý do tính lại (ví dụ: đính chính số liệu)"})


class PublishedQueryIn(Schema):
    month = String(validate=Length(7, 7))


class FormatIn(Schema):
    section = String(validate=Length(1, 32))


@bp.get("/discipline/published")
@bp.auth_required(auth)
@bp.input(PublishedQueryIn, location="query", arg_name="q")
@bp.doc(description="Các bản báo cáo đã công bố (mỗi bản bất biến; đính chính tạo bản mới).")
def published(q):
    """List the published revisions of monthly reports, newest month first."""
    return {"items": reports.list_published(runtime().uow(), principal(), q.get("month"))}


@bp.post("/discipline/published/<month>")
@bp.auth_required(auth)
@bp.input(RebuildIn, arg_name="body")
@bp.doc(description="Tính lại báo cáo tháng; chỉ tạo bản mới khi số liệu đã thay đổi. "
        "Sở Nội vụ hoặc quản trị.", responses={200: "Số liệu không đổi: bản hiện có",
                                                 201: "Bản mới", 403: "Không có quyền"})
def republish(month: str, body):
    """Rebuild a month's report on demand; a changed figure makes a new revision."""
    rt = runtime()
    period = parse_month(month, rt.rules.calendar.tz)
    revision, new = reports.publish_report(rt.uow(), rt.clock, principal(), period, rt.rules, scoring(),
                                           body["reason"])
    return revision, 201 if new else 200


@bp.get("/discipline/published/<month>/<int(max=1000000):revision>")
@bp.get("/discipline/published/<month>/<int(max=1000000):revision>.<any(json, xlsx, csv, pdf):fmt>")
@bp.auth_required(auth)
@bp.input(FormatIn, location="query", arg_name="q")
@bp.doc(description="Một bản báo cáo đã công bố, đúng như lúc lưu (JSON, .xlsx, .csv, .pdf).")
def published_revision(month: str, revision: int, q, fmt: str = "json"):
    """Return one published revision exactly as stored."""
    report = reports.read_published(runtime().uow(), principal(), month, revision)
    return report if fmt == "json" else send_file(report, fmt, q.get("section"))
