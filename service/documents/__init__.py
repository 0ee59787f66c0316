"""Render a dossier's documents as HTML laid out per Decree 30/2020/NĐ-CP, and as PDF from that HTML.

The engine hands plain facts (engine.services.documents); this package only lays them out.
Instants print in the calendar's zone, as ``09:00 ngày 12/02/2026``.
"""

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.exports.pdf import PdfUnavailable, html_to_pdf

__all__ = ["PdfUnavailable", "to_html", "to_pdf"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_PLACE = "Bắc Ninh"
# Who issues each form: the desk hands out 01-03 and keeps 05; the handling agency apologises.
ISSUER = {"01": "desk", "02": "desk", "03": "desk", "04": "agency", "05": "desk"}


def _env(tz) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["when"] = lambda at: f"{at.astimezone(tz):%H:%M ngày %d/%m/%Y}" if at else ""
    env.filters["long_date"] = lambda at: f"{at.astimezone(tz):ngày %d tháng %m năm %Y}"
    env.filters["days"] = _days
    return env


def _days(value) -> str:
    number = Decimal(str(value))
    return str(int(number)) if number == int(number) else str(number).replace(".", ",")


def to_html(facts: dict, tz=None, place: str = DEFAULT_PLACE, secret: str = "",
            number: str | None = None) -> str:
    """Return one form of a dossier as an A4 HTML page, the same page the PDF prints."""
    tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
    issuer = facts[ISSUER[facts["form"]]]
    context = {**facts, "agency": issuer, "place": place, "secret": secret, "number": number,
               "issued": _issued(facts), "signer_title": "Thủ trưởng cơ quan",
               "signer_name": issuer["head_name"], "rows": _rows(facts)}
    return _env(tz).get_template(f"form_{facts['form']}.html").render(context)


def to_pdf(facts: dict, tz=None, place: str = DEFAULT_PLACE, secret: str = "",
           number: str | None = None) -> bytes:
    """Return one form of a dossier as PDF bytes; PdfUnavailable names a missing system package."""
    return html_to_pdf(to_html(facts, tz, place, secret, number))


def _issued(facts: dict) -> datetime:
    """Date the form by the fact it records: the receipt, the apology, the refusal, or today."""
    if facts["form"] == "01":
        return facts["received_at"] or facts["submitted_at"]
    if facts["form"] == "04":
        return facts["apology"]["at"]
    if facts["form"] == "03" and facts["finished_at"]:
        return facts["finished_at"]
    return facts["now"]


def _rows(facts: dict) -> list[dict]:
    """Interleave form 05's hand-offs with the pauses and the apology, in the order they happened."""
    rows = [{**h, "kind": "handoff", "at": h["received_at"]} for h in facts.get("handoffs", [])]
    rows += [{**p, "kind": "pause", "at": p["from"]} for p in facts["pauses"]]
    if facts["apology"]:
        rows.append({**facts["apology"], "kind": "apology"})
    # A pause or the apology comes before a step opened in the same instant: it caused the step.
    return sorted(rows, key=lambda r: (r["at"], r["kind"] == "handoff"))
