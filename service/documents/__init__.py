"""Render a dossier's documents as HTML laid out per Decree 30/2020/NĐ-CP, and as PDF from that HTML.

The engine hands plain facts (engine.services.documents); this package only lays them out.
Instants print in the calendar's zone, as ``09:00 ngày 12/02/2026``.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine.services.documents import receipt_secret
from service.exports.pdf import PdfUnavailable, html_to_pdf

__all__ = ["PdfUnavailable", "consultation_html", "log_html", "render", "render_consultation",
           "render_log", "to_html", "to_pdf"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_PLACE = "Bắc Ninh"
# Who issues each form: the desk hands out 01-03 and keeps 05; the handling agency apologises.
ISSUER = {"01": "desk", "02": "desk", "03": "desk", "04": "agency", "05": "desk"}


def _env(tz) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["when"] = lambda at: f"{at.astimezone(tz):%H:%M ngày %d/%m/%Y}" if at else ""
    env.filters["long_date"] = lambda at: _long_date(at.astimezone(tz))
    env.filters["days"] = _days
    env.filters["day"] = lambda at: f"{at.astimezone(tz):%d/%m/%Y}"
    return env


def _long_date(at: datetime) -> str:
    """Write the date as Decree 30 does: a leading zero for days below 10 and months below 3."""
    month = f"{at.month:02d}" if at.month < 3 else str(at.month)
    return f"ngày {at.day:02d} tháng {month} năm {at.year}"


def _days(value) -> str:
    number = Decimal(str(value))
    return str(int(number)) if number == int(number) else str(number).replace(".", ",")


def to_html(facts: dict, tz=None, place: str = DEFAULT_PLACE, secret: str = "",
            number: str | None = None) -> str:
    """Return one form of a dossier as an A4 HTML page, the same page the PDF prints."""
    tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
    issuer = facts[ISSUER[facts["form"]]]
    context = {**facts, "agency": issuer, "place": place, "secret": secret,
               "number": number or facts.get("number"),
               "issued": facts["issued_at"], "signer_title": "Thủ trưởng cơ quan",
               "signer_name": issuer["head_name"], "rows": _rows(facts)}
    return _env(tz).get_template(f"form_{facts['form']}.html").render(context)


def to_pdf(facts: dict, tz=None, place: str = DEFAULT_PLACE, secret: str = "",
           number: str | None = None) -> bytes:
    """Return one form of a dossier as PDF bytes; PdfUnavailable names a missing system package."""
    return html_to_pdf(to_html(facts, tz, place, secret, number))


def render(facts: dict, fmt: str, tz, secret_key: str, place: str = DEFAULT_PLACE) -> bytes:
    """Return a form as HTML or PDF bytes; the receipt carries the secret that reopens it."""
    secret = receipt_secret(secret_key, facts["code"]) if facts["form"] == "01" else ""
    if fmt == "pdf":
        return to_pdf(facts, tz, place, secret)
    return to_html(facts, tz, place, secret).encode()


def consultation_html(facts: dict, tz=None, place: str = DEFAULT_PLACE) -> str:
    """Return a consultation's request or synthesis table as an A4 HTML page."""
    tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
    lead = facts["lead"]
    context = {**facts, "form": "", "code": "", "agency": lead, "place": place,
               "number": facts.get("number"), "issued": facts["issued_at"],
               "signer_title": "Thủ trưởng cơ quan", "signer_name": lead["head_name"]}
    return _env(tz).get_template(f"{facts['paper']}.html").render(context)


def log_html(facts: dict, tz=None, place: str = DEFAULT_PLACE) -> str:
    """Return form 06, the dossier log of a period, as an A4 HTML page."""
    tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
    agency = facts["agency"]
    last = facts["end"] - timedelta(seconds=1)
    context = {**facts, "form": "06", "code": "", "agency": agency, "place": place, "number": None,
               "issued": facts["now"], "last": last, "signer_title": "Thủ trưởng cơ quan",
               "signer_name": agency["head_name"]}
    return _env(tz).get_template("form_06.html").render(context)


def render_log(facts: dict, fmt: str, tz, place: str = DEFAULT_PLACE) -> bytes:
    """Return form 06 as HTML or PDF bytes."""
    html = log_html(facts, tz, place)
    return html_to_pdf(html) if fmt == "pdf" else html.encode()


def render_consultation(facts: dict, fmt: str, tz, place: str = DEFAULT_PLACE) -> bytes:
    """Return a consultation paper as HTML or PDF bytes."""
    html = consultation_html(facts, tz, place)
    return html_to_pdf(html) if fmt == "pdf" else html.encode()


def _rows(facts: dict) -> list[dict]:
    """Interleave form 05's hand-offs with the pauses and the apology, in the order they happened."""
    rows = [{**h, "kind": "handoff", "at": h["received_at"]} for h in facts.get("handoffs", [])]
    rows += [{**p, "kind": "pause", "at": p["from"]} for p in facts["pauses"]]
    if facts["apology"]:
        rows.append({**facts["apology"], "kind": "apology"})
    # A pause or the apology comes before a step opened in the same instant: it caused the step.
    return sorted(rows, key=lambda r: (r["at"], r["kind"] == "handoff"))
