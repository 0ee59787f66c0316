"""Render the report as a Vietnamese administrative report in PDF: HTML laid out by WeasyPrint.

WeasyPrint needs Debian's Pango and a font with Vietnamese glyphs (DejaVu or Liberation);
without them ``PdfUnavailable`` names the missing package and the API answers 503.
"""

import base64
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.exports.tables import Kind, absent, tables, vietnamese_number

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")  # the default; callers pass the calendar's zone
TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
_env.filters["vn"] = vietnamese_number


class PdfUnavailable(RuntimeError):
    """A system library WeasyPrint needs is missing; ``package`` names the Debian package."""

    def __init__(self, package: str):
        super().__init__(f"PDF cần gói hệ thống {package}")
        self.package = package


def _weasyprint_html():
    if not any(d.is_dir() for d in FONT_DIRS):
        raise PdfUnavailable("fonts-dejavu-core")
    try:
        from weasyprint import HTML
    except OSError as err:  # WeasyPrint loads Pango with ctypes when it is imported
        raise PdfUnavailable("libpango-1.0-0") from err
    return HTML


def _data_uri(svg: str | None) -> str | None:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else None


def to_html(report: dict, tz=None) -> str:
    """Return the report as HTML, the same page the PDF prints."""
    # matplotlib (with numpy) is about 45 MB a process: loaded by the first report drawn,
    # not by every web process at start.
    from service.exports import charts

    sections = report["sections"]
    bottlenecks = sections["bottlenecks"].get("steps", sections["bottlenecks"]["rows"])
    processes = sorted({r["process_id"] for r in bottlenecks})
    first = datetime.fromisoformat(report["period"]["first"])
    generated = datetime.fromisoformat(report["generated_at"]).astimezone(tz or LOCAL)
    return _env.get_template("discipline.html").render(
        report=report, period=report["period"], month=first,
        generated_at=f"{generated:%H:%M ngày %d/%m/%Y}", tables=tables(report), Kind=Kind,
        absent=absent(report), score_chart=_data_uri(charts.score_chart(sections["ranking"]["rows"])),
        target=sections["bottlenecks"]["simplification_target"],
        procedure_charts=[(p, _data_uri(charts.simplification_chart(p, bottlenecks))) for p in processes],
    )


def to_pdf(report: dict, tz=None) -> bytes:
    """Return the report as PDF bytes, ready to print and sign; times shown in ``tz``."""
    return html_to_pdf(to_html(report, tz))


def html_to_pdf(html: str) -> bytes:
    """Print an HTML page to PDF bytes; raise PdfUnavailable without the system libraries."""
    return _weasyprint_html()(string=html).write_pdf()
