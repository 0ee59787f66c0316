"""Small SQL helpers the report sections share: counting with conditions, instants in a period."""

import sqlalchemy as sa

from engine.store.tables import tasks, violations

NOT_YET_RECORDED = "not_yet_recorded"


def count_if(*conditions) -> sa.ColumnElement:
    """Count the rows meeting every condition (a portable FILTER clause)."""
    return sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0))


def within(column, period) -> sa.ColumnElement:
    """Select rows whose instant falls in [period.start, period.end)."""
    return sa.and_(column >= period.start, column < period.end)


def open_at(instant) -> sa.ColumnElement:
    """Select tasks that existed and were not yet closed at an instant (history, not today's state)."""
    return sa.and_(tasks.c.created_at < instant,
                   sa.or_(tasks.c.completed_at.is_(None), tasks.c.completed_at >= instant))


def deemed() -> sa.ColumnElement:
    """Select tasks closed as a deemed consent (``tasks.deemed_consent`` only says it may be)."""
    closed_silent = sa.select(violations.c.task_id).where(violations.c.kind == "deemed_consent")
    return tasks.c.id.in_(closed_silent)


def touches(period) -> sa.ColumnElement:
    """Select tasks that matter to a period: opened in it, closed in it, or open at its end.

    Spelled as an OR of ranges so PostgreSQL can combine the created_at and completed_at
    indexes instead of reading every task ever created.
    """
    t = tasks.c
    return sa.and_(t.created_at < period.end,
                   sa.or_(t.created_at >= period.start, t.completed_at >= period.start,
                          t.completed_at.is_(None)))


def by_agency(rows, *fields: str) -> dict[str, dict]:
    """Key result rows by agency code, turning NULL sums into 0."""
    return {r["agency"]: {f: int(r[f] or 0) for f in fields} for r in rows}


def not_yet(reason: str) -> dict:
    """Describe a section whose facts the system cannot record yet, instead of faking zeros."""
    return {"status": NOT_YET_RECORDED, "reason": reason}
