"""The Department of Home Affairs' pages: the monthly discipline report, its ranking and downloads."""

from apiflask import APIBlueprint
from flask import flash, g, redirect, render_template, request, url_for

from engine.reports.period import parse_month
from engine.services import reports
from service.api.reports import scoring, send_file
from service.exports.tables import Kind, tables, vietnamese_number
from service.runtime import runtime
from service.web import signed_in

bp = APIBlueprint("reports", __name__, enable_openapi=False)


def _period(month: str | None):
    """Read the chosen month; none means the current local month."""
    rt = runtime()
    tz = rt.rules.calendar.tz
    return parse_month(month or f"{rt.clock.now().astimezone(tz):%Y-%m}", tz)


def _report(month: str | None) -> dict:
    rt = runtime()
    return reports.read_province_report(rt.uow(), g.principal, _period(month), rt.clock.now(),
                                        rt.rules, scoring())


def score_bars(rows: list[dict]) -> list[dict]:
    """Scale each ranked agency's score to a bar: its width against the largest score's size."""
    ranked = [r for r in rows if r["score"] is not None]
    largest = max((abs(r["score"]) for r in ranked), default=0) or 1
    return [{**r, "width": round(abs(r["score"]) / largest * 100, 1),
             "text": vietnamese_number(r["score"], Kind.SCORE)} for r in ranked]


def rate_bars(rows: list[dict]) -> list[dict]:
    """Show each agency's 766 on-time rate as a bar of its percentage."""
    return [{**r, "width": round(r["on_time_rate"] * 100, 1),
             "text": vietnamese_number(r["on_time_rate"], Kind.RATE)}
            for r in rows if r["on_time_rate"] is not None]


@bp.get("/bao-cao")
@signed_in
def report():
    """Show a month's discipline report: ranking, charts, every section, downloads, publications."""
    rt = runtime()
    period = _period(request.args.get("month"))
    data = _report(period.label)
    published = reports.list_published(rt.uow(), g.principal, period.label)
    sections = data["sections"]
    return render_template(
        "reports/report.html", report=data, period=period, tables=tables(data),
        number=vietnamese_number, published=published, principal=g.principal,
        scores=score_bars(sections["ranking"]["rows"]),
        rates=rate_bars(sections["dossiers"]["rows"]),
        previous=period.previous_month().label, following=period.next_month().label,
        may_publish=reports.may_publish(g.principal))


@bp.get("/bao-cao/<month>.<any(xlsx, pdf, csv):fmt>")
@signed_in
def download(month: str, fmt: str):
    """Download the month's report as XLSX, PDF or CSV, built now from the figures."""
    return send_file(_report(month), fmt, request.args.get("section"))


@bp.get("/bao-cao/<month>/ban-<int(max=1000000):revision>.<any(xlsx, pdf, csv):fmt>")
@signed_in
def download_published(month: str, revision: int, fmt: str):
    """Download a published revision exactly as it was stored."""
    stored = reports.read_published(runtime().uow(), g.principal, month, revision)
    return send_file(stored, fmt, request.args.get("section"))


@bp.post("/bao-cao/<month>/cong-bo")
@signed_in
def publish(month: str):
    """Publish the month's report again with a reason; a new revision only if a figure changed."""
    rt = runtime()
    reason = request.form.get("reason", "").strip()[:2000]
    if not reason:
        flash("Hãy ghi lý do tính lại báo cáo.", "error")
        return redirect(url_for("pages.reports.report", month=month))
    revision, new = reports.publish_report(rt.uow(), rt.clock, g.principal,
                                           parse_month(month, rt.rules.calendar.tz), rt.rules,
                                           scoring(), reason)
    flash(f"Đã công bố bản số {revision['revision']}." if new else
          f"Số liệu không đổi: giữ bản số {revision['revision']}.", "info")
    return redirect(url_for("pages.reports.report", month=month))
