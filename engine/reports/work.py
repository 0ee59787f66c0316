"""Every kind of work per agency: tasks received, closed on time or late, and overdue at period end.

These figures cover every process (consultations now; dossier steps, assigned tasks and
feedback as their processes are deployed), because each step is a task with a due date.
"""

import sqlalchemy as sa

from engine.instances import TaskStatus
from engine.reports.sql import by_agency, count_if, deemed, open_at, touches, within
from engine.store.tables import tasks, violations

WORK_FIELDS = ("received", "closed", "closed_on_time", "closed_late", "open_at_end",
               "overdue_open_at_end")
VIOLATION_KINDS = ("overdue", "escalated", "deemed_consent", "late_completion", "vague_reply")


def work_figures(conn, period) -> dict[str, dict]:
    """Count each agency's tasks received and closed in the period, and its backlog at the end."""
    t = tasks.c
    closed = sa.and_(t.state == TaskStatus.COMPLETED, within(t.completed_at, period))
    # A deemed consent closed the task at its due instant, but the agency did not do the work.
    late = sa.or_(deemed(), sa.and_(t.due_at.is_not(None), t.completed_at > t.due_at))
    query = sa.select(
        t.agency_code.label("agency"),
        count_if(within(t.created_at, period)).label("received"),
        count_if(closed).label("closed"),
        count_if(closed, sa.not_(late)).label("closed_on_time"),
        count_if(closed, late).label("closed_late"),
        count_if(open_at(period.end)).label("open_at_end"),
        count_if(open_at(period.end), t.due_at < period.end).label("overdue_open_at_end"),
    ).where(touches(period)).group_by(t.agency_code)
    return by_agency(conn.execute(query).mappings(), *WORK_FIELDS)


def violation_figures(conn, period) -> dict[str, dict]:
    """Count the violations recorded against each agency in the period, by kind."""
    v = violations.c
    query = sa.select(v.agency_code.label("agency"),
                      *[count_if(v.kind == kind).label(kind) for kind in VIOLATION_KINDS],
                      sa.func.count().label("total"))
    query = query.where(within(v.occurred_at, period)).group_by(v.agency_code)
    return by_agency(conn.execute(query).mappings(), *VIOLATION_KINDS, "total")
