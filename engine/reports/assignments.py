"""Each lead agency's assigned tasks in a period: assigned, completed on time or late, owed at its end."""

import sqlalchemy as sa

from engine.reports.sql import by_agency, count_if, within
from engine.store.assignments import open_at, with_lead_task
from engine.store.tables import assignments, tasks

FIELDS = ("assigned", "completed", "completed_late", "open_at_end", "overdue_at_end")


def assignment_figures(conn, period) -> dict[str, dict]:
    """Count, per lead agency, the period's assigned tasks and those still owed when it ends.

    A task is completed in the month the Provincial Office confirmed it, and late when the
    lead reported completion after its (possibly extended) deadline.
    """
    a, due = assignments.c, tasks.c.due_at
    confirmed = sa.and_(a.state == "completed", within(a.ended_at, period))
    query = (sa.select(a.lead_agency.label("agency"),
                       count_if(within(a.registered_at, period)).label("assigned"),
                       count_if(confirmed).label("completed"),
                       count_if(confirmed, a.reported_done_at > due).label("completed_late"),
                       count_if(open_at(period.end)).label("open_at_end"),
                       count_if(open_at(period.end), due < period.end).label("overdue_at_end"))
             .select_from(with_lead_task()).group_by(a.lead_agency))
    return by_agency(conn.execute(query).mappings(), *FIELDS)
