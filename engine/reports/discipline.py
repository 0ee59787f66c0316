"""Assemble the monthly discipline report from its sections, each a query returning plain dicts."""

from datetime import datetime

import sqlalchemy as sa

from engine.reports import assignments, consultations, dossiers, work
from engine.reports.bottlenecks import bottleneck_rows, step_rows
from engine.reports.people import person_figures
from engine.reports.period import Period
from engine.reports.scoring import Scoring, rank
from engine.reports.sql import not_yet
from engine.store.tables import agencies

# Work the system cannot record yet: reported as absent, never as zeros.
ABSENT = {
    "feedback": "Chưa có quy trình xử lý phản ánh, kiến nghị",
}
REPLY_ZERO = dict.fromkeys(consultations.REPLY_FIELDS, 0)
REQUEST_ZERO = {"requests_sent": 0, "agencies_consulted": 0, "agencies_per_request": None,
                "flagged_over_broad": 0, "over_broad_share": None}
DEADLINE_REQUEST_ZERO = dict.fromkeys(consultations.DEADLINE_REQUEST_FIELDS, 0)
WORK_ZERO = dict.fromkeys(work.WORK_FIELDS, 0)
VIOLATION_ZERO = dict.fromkeys((*work.VIOLATION_KINDS, "total"), 0)
ASSIGNED_ZERO = dict.fromkeys(assignments.FIELDS, 0)
DOSSIER_ZERO = {**dict.fromkeys(dossiers.FIELDS, 0), "on_time_rate": None, "progress_766": None}


def agency_rows(conn, period: Period) -> dict[str, dict]:
    """Return each agency's figures for a period, keyed by code, in code order."""
    replies = consultations.reply_figures(conn, period)
    requests = consultations.request_figures(conn, period)
    asked = consultations.deadline_request_figures(conn, period)
    done = work.work_figures(conn, period)
    breaches = work.violation_figures(conn, period)
    cases = dossiers.dossier_figures(conn, period)
    assigned = assignments.assignment_figures(conn, period)
    rows = {}
    for a in conn.execute(sa.select(agencies).order_by(agencies.c.code)).mappings():
        code = a["code"]
        row = {"agency": code, "name": a["name"], "head_name": a["head_name"],
               "consultations": {**REPLY_ZERO, **replies.get(code, {}),
                                 "returned_vague": breaches.get(code, {}).get("vague_reply", 0),
                                 **REQUEST_ZERO,
                                 **requests.get(code, {}), **DEADLINE_REQUEST_ZERO,
                                 **asked.get(code, {})},
               "work": {**WORK_ZERO, **done.get(code, {})},
               "violations": {**VIOLATION_ZERO, **breaches.get(code, {})},
               "dossiers": {**DOSSIER_ZERO, **cases.get(code, {})},
               "assigned_tasks": {**ASSIGNED_ZERO, **assigned.get(code, {})}}
        row["active"] = any((row["work"]["received"], row["work"]["closed"], row["work"]["open_at_end"],
                             row["violations"]["total"], row["consultations"]["requests_sent"],
                             row["dossiers"]["in_period"], row["dossiers"]["received"],
                             row["assigned_tasks"]["assigned"], row["assigned_tasks"]["open_at_end"]))
        rows[code] = row
    return rows


def ranking(conn, period: Period, scoring: Scoring, month: dict[str, dict]) -> list[dict]:
    """Score and rank every agency, with the change from the month before and the year to date."""
    before = agency_rows(conn, period.previous_month())
    ytd = agency_rows(conn, period.year_to_date())
    scores = {c: scoring.score(r) for c, r in month.items()}
    prev_scores = {c: scoring.score(r) for c, r in before.items()}
    ytd_scores = {c: scoring.score(r) for c, r in ytd.items()}
    ranks, prev_ranks, ytd_ranks = rank(scores), rank(prev_scores), rank(ytd_scores)
    rows = [{
        "agency": c, "name": r["name"], "active": r["active"],
        "indicators": scoring.indicators(r), "score": scores[c], "rank": ranks[c],
        "previous_score": prev_scores.get(c), "previous_rank": prev_ranks.get(c),
        "score_change": _change(scores[c], prev_scores.get(c)),
        "ytd_score": ytd_scores.get(c), "ytd_rank": ytd_ranks.get(c),
    } for c, r in month.items()]
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["agency"]))


def _change(now: float | None, before: float | None) -> float | None:
    return round(now - before, 2) if now is not None and before is not None else None


def _flat(rows: dict[str, dict], section: str) -> list[dict]:
    return [{"agency": c, "name": r["name"], **r[section]} for c, r in rows.items()]


def _totals(rows: list[dict]) -> dict:
    keys = [k for k, v in rows[0].items() if isinstance(v, int) and not isinstance(v, bool)] if rows else []
    return {k: sum(r[k] for r in rows) for k in keys}


def _own_officers(officers: list[dict], scope: str) -> list[dict]:
    """Keep, for one agency, only its officers' violations recorded against it."""
    return [{**p, "violations": p["by_agency"][scope], "by_agency": {scope: p["by_agency"][scope]}}
            for p in officers if scope in p["by_agency"]]


def build_discipline_report(conn, period: Period, now: datetime, calendar, scoring: Scoring) -> dict:
    """Build the whole province's discipline report for a period."""
    month = agency_rows(conn, period)
    people = person_figures(conn, period)
    sections = {
        "ranking": {"scoring": scoring.describe(), "rows": ranking(conn, period, scoring, month)},
        "consultations": {"rows": _flat(month, "consultations"),
                          "not_yet_recorded": consultations.NOT_YET},
        "work": {"rows": _flat(month, "work")},
        "violations": {"rows": _flat(month, "violations")},
        "dossiers": {"rows": _flat(month, "dossiers"),
                     "procedures": dossiers.procedure_times(conn, period, calendar)},
        "assigned_tasks": {"rows": _flat(month, "assigned_tasks")},
        "people": people,
        "bottlenecks": {"simplification_target": scoring.simplification_target,
                        "rows": bottleneck_rows(conn, period, calendar, None,
                                                scoring.simplification_target),
                        "steps": step_rows(conn, period, calendar, None, scoring.simplification_target)},
        **{name: not_yet(reason) for name, reason in ABSENT.items()},
    }
    return {"report": "discipline", "period": period.as_dict(), "generated_at": now.isoformat(),
            "scope": None, "sections": _with_totals(sections)}


def _with_totals(sections: dict) -> dict:
    for name in ("consultations", "work", "violations", "dossiers", "assigned_tasks"):
        sections[name]["totals"] = _totals(sections[name]["rows"])
    sections["dossiers"]["totals"].update(dossiers.rates(sections["dossiers"]["totals"]))
    return sections


def scope_report(report: dict, agency: str) -> dict:
    """Keep one agency's rows of a report (its rank stays its place in the province)."""
    s = report["sections"]

    def mine(rows: list[dict]) -> list[dict]:
        return [r for r in rows if r["agency"] == agency]

    sections = {name: dict(section) for name, section in s.items()}
    for name in ("ranking", "consultations", "work", "violations", "bottlenecks", "dossiers",
                 "assigned_tasks"):
        sections[name]["rows"] = mine(s[name]["rows"])
    sections["dossiers"]["procedures"] = mine(s["dossiers"]["procedures"])
    # Province-wide step figures would reveal other agencies' times: show the agency's own.
    sections["bottlenecks"]["steps"] = sections["bottlenecks"]["rows"]
    sections["people"] = {"officers": _own_officers(s["people"]["officers"], agency),
                          "heads": mine(s["people"]["heads"])}
    return {**report, "scope": agency, "sections": _with_totals(sections)}
