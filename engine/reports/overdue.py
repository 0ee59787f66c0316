"""The Provincial Office's overdue list and backlog across every kind of open work.

Every process step is a task with a due date, so consultation replies, dossier steps,
assigned tasks and feedback all appear here as soon as their processes run.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from engine.instances import TaskStatus
from engine.store.tables import agencies, instances, tasks, users


@dataclass(frozen=True)
class OverdueFilter:
    """Narrow the list: one agency, one process, one person (user id), at least N working days late."""

    agency: str | None = None
    process: str | None = None
    person: str | None = None
    min_days_late: int = 0


def working_day_length(calendar) -> timedelta:
    """Return the working time of one full working day (8 hours by default)."""
    day = date(2000, 1, 1)
    return sum(((datetime.combine(day, e) - datetime.combine(day, s)) for s, e in calendar.hours.periods),
               timedelta(0))


def _conditions(now: datetime, calendar, f: OverdueFilter) -> list:
    t, day = tasks.c, working_day_length(calendar)
    latest_due = calendar.subtract_working_hours(now, day * f.min_days_late) if f.min_days_late else now
    wanted = [t.state == TaskStatus.OPEN, t.paused_at.is_(None), t.due_at <= latest_due]
    for column, value in ((t.agency_code, f.agency), (instances.c.process_id, f.process),
                          (t.claimed_by, f.person)):
        if value:
            wanted.append(column == value)
    return wanted


def overdue_count(conn, now: datetime, calendar, f: OverdueFilter = OverdueFilter()) -> int:
    """Count the overdue tasks the filter keeps."""
    query = sa.select(sa.func.count()).select_from(tasks).where(*_conditions(now, calendar, f))
    if f.process:  # the join costs a pass over the overdue tasks; only the process needs it
        query = query.join(instances, instances.c.id == tasks.c.instance_id)
    return conn.execute(query).scalar_one()


def overdue_rows(conn, now: datetime, calendar, f: OverdueFilter = OverdueFilter(),
                 limit: int = 100, offset: int = 0) -> list[dict]:
    """List one page of open, running tasks at or past due, oldest first, with head and holder."""
    t, day = tasks.c, working_day_length(calendar)
    query = (
        sa.select(t.id, t.instance_id, t.bpmn_id, t.name, t.agency_code, t.due_at, t.created_at,
                  t.escalation_level, t.claimed_by, instances.c.process_id,
                  agencies.c.name.label("agency_name"), agencies.c.head_name,
                  users.c.username, users.c.full_name)
        .join(instances, instances.c.id == t.instance_id)
        .join(agencies, agencies.c.code == t.agency_code)
        .outerjoin(users, users.c.id == t.claimed_by)
        .where(*_conditions(now, calendar, f))
        .order_by(t.due_at, t.id).limit(limit).offset(offset)
    )
    return [_row(r, now, calendar, day) for r in conn.execute(query).mappings()]


def overdue_by_person(conn, now: datetime, calendar, f: OverdueFilter = OverdueFilter()) -> list[dict]:
    """Count the filtered overdue tasks per answerable person, most first.

    The officer holding a task answers for it; an unclaimed task is its agency head's, since
    the head assigns the work. A head is counted per agency: two agencies' heads are two people.
    """
    t = tasks.c
    query = (
        sa.select(t.agency_code, t.claimed_by, users.c.full_name, agencies.c.head_name,
                  sa.func.count().label("overdue"))
        .join(instances, instances.c.id == t.instance_id)
        .join(agencies, agencies.c.code == t.agency_code)
        .outerjoin(users, users.c.id == t.claimed_by)
        .where(*_conditions(now, calendar, f))
        .group_by(t.agency_code, t.claimed_by, users.c.full_name, agencies.c.head_name)
    )
    people: dict[tuple, dict] = {}
    for r in conn.execute(query).mappings():
        if r["claimed_by"]:
            key = ("holder", r["claimed_by"])
            entry = {"role": "holder", "user_id": r["claimed_by"], "name": r["full_name"],
                     "agencies": [], "overdue": 0}
        else:
            key = ("head", r["agency_code"])
            entry = {"role": "head", "user_id": None, "name": r["head_name"], "agencies": [],
                     "overdue": 0}
        entry = people.setdefault(key, entry)
        entry["agencies"] = sorted({*entry["agencies"], r["agency_code"]})
        entry["overdue"] += r["overdue"]
    return sorted(people.values(), key=lambda e: (-e["overdue"], e["name"] or "", e["agencies"]))


def _row(r, now: datetime, calendar, day: timedelta) -> dict:
    late = calendar.working_time_between(r["due_at"], now)
    return {
        "task_id": r["id"], "instance_id": r["instance_id"], "process_id": r["process_id"],
        "step": r["bpmn_id"], "name": r["name"], "agency": r["agency_code"],
        "agency_name": r["agency_name"], "head_name": r["head_name"],
        "holder": r["username"], "holder_name": r["full_name"],
        "due_at": r["due_at"].isoformat(), "working_hours_late": round(late.total_seconds() / 3600, 2),
        "working_days_late": int(late // day), "escalation_level": r["escalation_level"],
    }


def backlog(conn, now: datetime, agency: str | None = None) -> list[dict]:
    """Count open tasks and those past due now, per agency and process."""
    t = tasks.c
    overdue = sa.and_(t.paused_at.is_(None), t.due_at <= now)
    query = (
        sa.select(t.agency_code.label("agency"), instances.c.process_id,
                  sa.func.count().label("open"),
                  sa.func.sum(sa.case((overdue, 1), else_=0)).label("overdue"),
                  sa.func.min(sa.case((overdue, t.due_at), else_=None)).label("oldest_due_at"))
        .join(instances, instances.c.id == t.instance_id)
        .where(t.state == TaskStatus.OPEN)
        .group_by(t.agency_code, instances.c.process_id)
        .order_by(t.agency_code, instances.c.process_id)
    )
    if agency:
        query = query.where(t.agency_code == agency)
    return [{"agency": r["agency"], "process_id": r["process_id"], "open": r["open"],
             "overdue": int(r["overdue"] or 0),
             "oldest_due_at": r["oldest_due_at"].isoformat() if r["oldest_due_at"] else None}
            for r in conn.execute(query).mappings()]
