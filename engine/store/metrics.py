"""Read the figures the metrics endpoint exposes, straight from the job and settings tables."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.store.jobs import JobStatus, jobs
from engine.store.tables import instances, settings

HEARTBEAT_PREFIX = "heartbeat:"
RECENT_LAGS = 10_000


@dataclass(frozen=True)
class Snapshot:
    lags: list[float]
    backlog: int
    failed: int
    heartbeats: dict[str, datetime]


def snapshot(conn: Connection, now: datetime) -> Snapshot:
    """Return recent lags, the due backlog, failed jobs and each worker's last heartbeat."""
    lags = conn.execute(
        sa.select(jobs.c.lag_seconds).where(jobs.c.status == JobStatus.DONE)
        .order_by(jobs.c.fired_at.desc()).limit(RECENT_LAGS)
    ).scalars()
    count = sa.select(sa.func.count()).select_from(jobs)
    backlog = conn.execute(count.where(jobs.c.status == JobStatus.PENDING, jobs.c.due_at <= now))
    failed = conn.execute(count.where(jobs.c.status == JobStatus.FAILED))
    beats = conn.execute(sa.select(settings).where(settings.c.key.startswith(HEARTBEAT_PREFIX)))
    return Snapshot(
        lags=[lag for lag in lags if lag is not None],
        backlog=backlog.scalar_one(),
        failed=failed.scalar_one(),
        heartbeats={r.key.removeprefix(HEARTBEAT_PREFIX): datetime.fromisoformat(r.value) for r in beats},
    )


def beat(conn: Connection, worker_id: str, at: datetime) -> None:
    """Record a worker's heartbeat in the settings table."""
    key = HEARTBEAT_PREFIX + worker_id[:50]
    updated = conn.execute(sa.update(settings).where(settings.c.key == key).values(value=at.isoformat()))
    if updated.rowcount == 0:
        conn.execute(sa.insert(settings).values(key=key, value=at.isoformat()))


def instances_by_status(conn: Connection) -> dict[str, int]:
    """Count process instances by status."""
    rows = conn.execute(sa.select(instances.c.status, sa.func.count()).group_by(instances.c.status))
    return dict(rows.all())
