"""Consultation figures per agency: replies on time, late and deemed consent; requests sent; pauses."""

import sqlalchemy as sa

from engine.instances import TaskStatus
from engine.reports.sql import by_agency, count_if, deemed, open_at, touches, within
from engine.store.tables import consultation_flags, deadline_requests, tasks

REPLY_FORM = "consultation_reply"
REQUEST_FORM = "consultation_request"
# Facts of the directive the consultation process cannot record yet; reported as such, not as 0.
NOT_YET: dict[str, str] = {}
REPLY_FIELDS = ("replies_closed", "on_time", "late", "deemed_consent", "overdue_open_at_end")


def reply_figures(conn, period) -> dict[str, dict]:
    """Count each consulted agency's replies closed in the period, and those overdue at its end.

    A reply counts in the month it closed; one still open and past due when the month ends is
    in that month's ``overdue_open_at_end`` and, once answered, in the next month's ``late``.
    """
    t, closed = tasks.c, tasks.c.state == TaskStatus.COMPLETED
    in_period = sa.and_(closed, within(t.completed_at, period))
    on_time, silent = sa.or_(t.due_at.is_(None), t.completed_at <= t.due_at), deemed()
    query = sa.select(
        t.agency_code.label("agency"),
        count_if(in_period).label("replies_closed"),
        count_if(in_period, sa.not_(silent), on_time).label("on_time"),
        count_if(in_period, sa.not_(silent), sa.not_(on_time)).label("late"),
        count_if(in_period, silent).label("deemed_consent"),
        count_if(open_at(period.end), t.due_at < period.end).label("overdue_open_at_end"),
    ).where(t.form == REPLY_FORM, touches(period)).group_by(t.agency_code)
    return by_agency(conn.execute(query).mappings(), *REPLY_FIELDS)


def request_figures(conn, period) -> dict[str, dict]:
    """Count the requests each lead agency sent in the period, the agencies each consulted, and
    those the Provincial Office flagged as over-broad (whenever it flagged them)."""
    request, reply, flag = tasks.alias("request"), tasks.alias("reply"), consultation_flags
    consulted = (
        sa.select(request.c.instance_id, request.c.agency_code,
                  sa.func.count(sa.distinct(reply.c.agency_code)).label("n"),
                  sa.func.count(sa.distinct(flag.c.instance_id)).label("flagged"))
        .join(reply, sa.and_(reply.c.instance_id == request.c.instance_id, reply.c.form == REPLY_FORM),
              isouter=True)
        .join(flag, flag.c.instance_id == request.c.instance_id, isouter=True)
        .where(request.c.form == REQUEST_FORM, request.c.state == TaskStatus.COMPLETED,
               within(request.c.completed_at, period))
        .group_by(request.c.instance_id, request.c.agency_code)
        .subquery()
    )
    query = sa.select(consulted.c.agency_code.label("agency"),
                      sa.func.count().label("requests_sent"),
                      sa.func.sum(consulted.c.n).label("agencies_consulted"),
                      sa.func.sum(consulted.c.flagged).label("flagged_over_broad")
                      ).group_by(consulted.c.agency_code)
    figures = by_agency(conn.execute(query).mappings(), "requests_sent", "agencies_consulted",
                        "flagged_over_broad")
    for f in figures.values():
        f["agencies_per_request"] = round(f["agencies_consulted"] / f["requests_sent"], 2)
        f["over_broad_share"] = round(f["flagged_over_broad"] / f["requests_sent"], 4)
    return figures


DEADLINE_REQUEST_FIELDS = ("pauses_requested", "pauses_approved", "more_time_requested",
                           "more_time_approved")


def deadline_request_figures(conn, period) -> dict[str, dict]:
    """Count, per asking agency, pauses and more time asked in the period and approved in it."""
    r = deadline_requests.c
    asked, approved = within(r.asked_at, period), sa.and_(r.state == "approved", within(r.decided_at, period))
    query = sa.select(
        r.agency_code.label("agency"),
        count_if(asked, r.kind == "pause").label("pauses_requested"),
        count_if(approved, r.kind == "pause").label("pauses_approved"),
        count_if(asked, r.kind == "more_time").label("more_time_requested"),
        count_if(approved, r.kind == "more_time").label("more_time_approved"),
    ).where(sa.or_(asked, approved)).group_by(r.agency_code)
    return by_agency(conn.execute(query).mappings(), *DEADLINE_REQUEST_FIELDS)
