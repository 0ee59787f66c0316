"""Dossier figures per handling agency under Decision 766, and working time per procedure.

The 766 on-time rate is (finished on time + still within time) / dossiers in the period,
where the dossiers in the period are those finished in it plus those still open at its end.
A dossier finished (done, returned, refused, stopped or withdrawn) counts on time unless it
is marked late: finished after its original promise (supplement time already added to it),
asked for a supplement more than once, or reached its promise without an apology. One still
open at the end is within time while its original promise has not passed (or its clock is
paused), overdue otherwise. The flags are the dossier's as of the report's build.
"""

from collections import defaultdict

import sqlalchemy as sa

from engine.dossiers import DossierStatus
from engine.reports.sql import by_agency, count_if, within
from engine.reports.worktime import WorkingClock
from engine.store.tables import dossiers

FIELDS = ("received", "finished", "finished_on_time", "finished_late", "in_time_at_end",
          "overdue_at_end", "in_period", "on_time_766", "apologies", "refused", "supplements_over_one")


def dossier_figures(conn, period) -> dict[str, dict]:
    """Count each handling agency's dossiers for the period, with its 766 rate and score."""
    d = dossiers.c
    finished = within(d.finished_at, period)
    open_at_end = sa.and_(d.received_at < period.end,
                          sa.or_(d.finished_at.is_(None), d.finished_at >= period.end))
    running_late = sa.or_(d.late.is_(True),
                          sa.and_(d.paused_since.is_(None), d.original_promised_at < period.end))
    query = sa.select(
        d.agency_code.label("agency"),
        count_if(within(d.received_at, period)).label("received"),
        count_if(finished).label("finished"),
        count_if(finished, d.late.is_(False)).label("finished_on_time"),
        count_if(finished, d.late.is_(True)).label("finished_late"),
        count_if(open_at_end, sa.not_(running_late)).label("in_time_at_end"),
        count_if(open_at_end, running_late).label("overdue_at_end"),
        count_if(within(d.apologised_at, period)).label("apologies"),
        count_if(finished, d.status == int(DossierStatus.REFUSED)).label("refused"),
        count_if(sa.or_(finished, open_at_end), d.supplement_count > 1).label("supplements_over_one"),
    ).where(d.submitted_at < period.end).group_by(d.agency_code)
    fields = [f for f in FIELDS if f not in ("in_period", "on_time_766")]
    figures = by_agency(conn.execute(query).mappings(), *fields)
    for f in figures.values():
        f["in_period"] = f["finished"] + f["in_time_at_end"] + f["overdue_at_end"]
        f["on_time_766"] = f["finished_on_time"] + f["in_time_at_end"]
        f.update(rates(f))
    return figures


def rates(f: dict) -> dict:
    """Return the 766 on-time rate and its progress score (20 × rate); None without dossiers."""
    if not f["in_period"]:
        return {"on_time_rate": None, "progress_766": None}
    rate = f["on_time_766"] / f["in_period"]
    return {"on_time_rate": round(rate, 4), "progress_766": round(20 * rate, 2)}


def procedure_times(conn, period, calendar) -> list[dict]:
    """Average working days from receipt to finish, pauses left out, per agency and procedure."""
    d = dossiers.c
    query = (sa.select(d.agency_code, d.procedure_code, d.received_at, d.finished_at, d.paused_seconds)
             .where(within(d.finished_at, period), d.received_at.is_not(None)))
    rows = conn.execute(query).mappings().all()
    if not rows:
        return []
    clock = WorkingClock(calendar, min(r["received_at"] for r in rows).astimezone(calendar.tz).date())
    day_hours = clock.day_length / 3600
    spans = defaultdict(list)
    for r in rows:
        hours = clock.hours(r["received_at"], r["finished_at"]) - r["paused_seconds"] / 3600
        spans[(r["agency_code"], r["procedure_code"])].append(max(0.0, hours) / day_hours)
    return [{"agency": agency, "procedure_code": code, "finished": len(days),
             "average_working_days": round(sum(days) / len(days), 2)}
            for (agency, code), days in sorted(spans.items())]
