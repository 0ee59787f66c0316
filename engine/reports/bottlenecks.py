"""Bottlenecks: working time per process step and agency, repeated steps, and the longest waits.

Working time is counted in working hours on the calendar in force (a task opened Friday
16:00 and closed Monday 08:30 took 2 hours, not 64). The median is the middle value (the
mean of the two middle ones for an even count); p90 is the nearest-rank 90th percentile.
"""

import math
import statistics
from collections import defaultdict

import sqlalchemy as sa

from engine.instances import TaskStatus
from engine.reports.sql import open_at, within
from engine.reports.worktime import WorkingClock
from engine.store.tables import instances, tasks


def nearest_rank(values: list[float], pct: float) -> float:
    """Return the nearest-rank percentile: the smallest value with pct% of values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def bottleneck_rows(conn, period, calendar, agency: str | None = None,
                    target: float = 0.2) -> list[dict]:
    """Per process, step and agency: completions, median and p90 working hours, repeats, waits.

    ``target_hours`` is the median cut by the simplification target (20% by default).
    """
    t = tasks.c
    columns = (instances.c.process_id, t.bpmn_id, t.name, t.agency_code, t.instance_id,
               t.created_at, t.completed_at)
    base = sa.select(*columns).join(instances, instances.c.id == t.instance_id)
    if agency:
        base = base.where(t.agency_code == agency)
    done = base.where(t.state == TaskStatus.COMPLETED, within(t.completed_at, period))
    waiting = base.where(open_at(period.end))
    groups: dict[tuple, dict] = defaultdict(lambda: {"durations": [], "visits": defaultdict(int),
                                                     "waits": []})
    rows_done, rows_waiting = conn.execute(done).mappings().all(), conn.execute(waiting).mappings().all()
    first = min((r["created_at"] for r in (*rows_done, *rows_waiting)), default=period.start)
    clock = WorkingClock(calendar, first.astimezone(calendar.tz).date())
    for r in rows_done:
        g = groups[(r["process_id"], r["bpmn_id"], r["name"], r["agency_code"])]
        g["durations"].append(clock.hours(r["created_at"], r["completed_at"]))
        g["visits"][r["instance_id"]] += 1
    for r in rows_waiting:
        wait = clock.hours(r["created_at"], period.end)
        groups[(r["process_id"], r["bpmn_id"], r["name"], r["agency_code"])]["waits"].append(wait)
    return sorted((_summary(key, g, target) for key, g in groups.items()),
                  key=lambda r: (r["process_id"], r["step"], r["agency"]))


def step_rows(conn, period, calendar, agency: str | None = None, target: float = 0.2) -> list[dict]:
    """Per process and step, every agency together: the figures the simplification chart shows."""
    t = tasks.c
    query = (sa.select(instances.c.process_id, t.bpmn_id, t.name, t.created_at, t.completed_at)
             .join(instances, instances.c.id == t.instance_id)
             .where(t.state == TaskStatus.COMPLETED, within(t.completed_at, period)))
    if agency:
        query = query.where(t.agency_code == agency)
    rows = conn.execute(query).mappings().all()
    if not rows:
        return []
    clock = WorkingClock(calendar, min(r["created_at"] for r in rows).astimezone(calendar.tz).date())
    durations = defaultdict(list)
    for r in rows:
        durations[(r["process_id"], r["bpmn_id"], r["name"])].append(
            clock.hours(r["created_at"], r["completed_at"]))
    return [{"process_id": p, "step": s, "name": n, "completed": len(d),
             "median_hours": statistics.median(d), "p90_hours": nearest_rank(d, 90),
             "target_hours": round(statistics.median(d) * (1 - target), 2)}
            for (p, s, n), d in sorted(durations.items())]


def _summary(key: tuple, g: dict, target: float) -> dict:
    process_id, step, name, agency = key
    d, waits = g["durations"], g["waits"]
    median = statistics.median(d) if d else None
    return {
        "process_id": process_id, "step": step, "name": name, "agency": agency,
        "completed": len(d),
        "median_hours": median,
        "target_hours": round(median * (1 - target), 2) if median is not None else None,
        "p90_hours": nearest_rank(d, 90) if d else None,
        # A step done more than once in one instance was sent back to it (e.g. a returned reply).
        "repeats": sum(n - 1 for n in g["visits"].values()),
        "waiting_at_end": len(waits),
        "longest_wait_hours": max(waits) if waits else None,
    }
