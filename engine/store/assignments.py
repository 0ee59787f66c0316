"""The assigned-task rows: registration facts and state, read with the lead's task's due date."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.store.tables import agencies, assignments, deadline_changes, tasks

# The lead's task whose deadline is the assignment's; an approved extension moves it.
LEAD_TASK = "carry_out"
# States in which the lead still owes the work; past due in one of them is overdue.
OWED = ("in_progress", "returned")


@dataclass(frozen=True)
class AssignmentQuery:
    """Filters of the assigned-task list; ``now`` decides what is overdue."""

    now: datetime
    instance_id: str | None = None
    lead_agency: str | None = None
    source_kind: str | None = None
    source_number: str | None = None
    state: str | None = None
    overdue: bool | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    limit: int = 50
    offset: int = 0


def _due():
    return tasks.c.due_at


def with_lead_task():
    """Join each assignment to its lead's task, whose due date is the assignment's."""
    return assignments.join(tasks, sa.and_(tasks.c.instance_id == assignments.c.instance_id,
                                           tasks.c.bpmn_id == LEAD_TASK))


def open_at(end: datetime):
    """Select assignments open at an instant: registered by then, neither reported done nor ended."""
    a = assignments.c
    return sa.and_(a.registered_at < end,
                   sa.or_(a.reported_done_at.is_(None), a.reported_done_at >= end),
                   sa.or_(a.ended_at.is_(None), a.ended_at >= end))


def _overdue(now: datetime):
    return sa.and_(assignments.c.state.in_(OWED), tasks.c.paused_at.is_(None), _due() <= now)


def _extended():
    d = deadline_changes.c
    return (sa.select(sa.func.coalesce(sa.func.sum(d.working_days), 0))
            .where(d.task_id == tasks.c.id, d.kind == "extended").scalar_subquery())


class Assignments:
    """Assignment rows, one per instance of the assigned-task process."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, instance_id: str):
        query = sa.select(assignments).where(assignments.c.instance_id == instance_id)
        return self.conn.execute(query).mappings().first()

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(assignments).values(**row))

    def update(self, instance_id: str, **values) -> None:
        self.conn.execute(sa.update(assignments).where(assignments.c.instance_id == instance_id)
                          .values(**values))

    def search(self, q: AssignmentQuery) -> tuple[list, int]:
        """Return one page of assignments, earliest due first, and the total count."""
        a = assignments.c
        where = [c for c in (
            a.instance_id == q.instance_id if q.instance_id else None,
            a.lead_agency == q.lead_agency if q.lead_agency else None,
            a.source_kind == q.source_kind if q.source_kind else None,
            a.source_number == q.source_number if q.source_number else None,
            a.state == q.state if q.state else None,
            _due() >= q.due_from if q.due_from else None,
            _due() < q.due_to if q.due_to else None,
        ) if c is not None]
        if q.overdue is not None:
            where.append(_overdue(q.now) if q.overdue else sa.not_(_overdue(q.now)))
        joined = with_lead_task()
        total = self.conn.execute(sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one()
        page = (sa.select(assignments, _due().label("due_at"), tasks.c.id.label("lead_task_id"),
                          _overdue(q.now).label("overdue"), _extended().label("extended_days"),
                          agencies.c.name.label("lead_agency_name"), agencies.c.head_name)
                .select_from(joined.join(agencies, agencies.c.code == a.lead_agency))
                .where(*where).order_by(_due(), a.instance_id).limit(q.limit).offset(q.offset))
        return list(self.conn.execute(page).mappings()), total

    def backlog(self, now: datetime, month_ends: list[datetime], agency: str | None) -> list:
        """Count per lead agency: owed now, overdue now, and open and overdue at each month end.

        Open at a month end: registered by then and neither reported done nor ended by then.
        """
        a = assignments.c

        def count(condition):
            return sa.func.sum(sa.case((condition, 1), else_=0))

        columns = [a.lead_agency, agencies.c.name, agencies.c.head_name,
                   count(a.state.in_(OWED)).label("open"), count(_overdue(now)).label("overdue")]
        for i, end in enumerate(month_ends):
            columns += [count(open_at(end)).label(f"open_{i}"),
                        count(sa.and_(open_at(end), _due() < end)).label(f"overdue_{i}")]
        query = (sa.select(*columns)
                 .select_from(with_lead_task().join(agencies, agencies.c.code == a.lead_agency))
                 .group_by(a.lead_agency, agencies.c.name, agencies.c.head_name)
                 .order_by(a.lead_agency))
        if agency:
            query = query.where(a.lead_agency == agency)
        return list(self.conn.execute(query).mappings())
