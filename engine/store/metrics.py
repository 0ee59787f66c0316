"""Read the figures the metrics endpoint exposes, straight from the job and heartbeat tables."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from engine.store.jobs import HEARTBEAT_STALE, JobStatus, jobs, worker_heartbeats
from engine.store.tables import instances

RECENT_LAGS = 10_000
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


@dataclass(frozen=True)
class Snapshot:
    lags: list[float]
    backlog: int
    failed: int
    heartbeats: dict[str, datetime]


def snapshot(conn: Connection, now: datetime) -> Snapshot:
    """Return recent lags, the due backlog, failed jobs and the heartbeat of each live worker.

    A worker silent for longer than HEARTBEAT_STALE is dead (killed, or its host gone): it is
    left out, so a dashboard never shows a stopped worker as present.
    """
    lags = conn.execute(
        sa.select(jobs.c.lag_seconds).where(jobs.c.status == JobStatus.DONE)
        .order_by(jobs.c.fired_at.desc()).limit(RECENT_LAGS)
    ).scalars()
    count = sa.select(sa.func.count()).select_from(jobs)
    backlog = conn.execute(count.where(jobs.c.status == JobStatus.PENDING, jobs.c.due_at <= now))
    failed = conn.execute(count.where(jobs.c.status == JobStatus.FAILED))
    hb = worker_heartbeats
    beats = conn.execute(sa.select(hb).where(hb.c.beat_at >= now - HEARTBEAT_STALE))
    return Snapshot(
        lags=[lag for lag in lags if lag is not None],
        backlog=backlog.scalar_one(),
        failed=failed.scalar_one(),
        heartbeats={r.worker_id: r.beat_at for r in beats},
    )


def beat(conn: Connection, worker_id: str, at: datetime) -> None:
    """Record that a worker is alive at ``at``."""
    insert = _INSERTS[conn.dialect.name](worker_heartbeats).values(worker_id=worker_id, beat_at=at)
    conn.execute(insert.on_conflict_do_update(index_elements=["worker_id"], set_={"beat_at": at}))


def forget(conn: Connection, worker_id: str) -> None:
    """Remove a worker that stopped cleanly; its leases were handed back already."""
    conn.execute(sa.delete(worker_heartbeats).where(worker_heartbeats.c.worker_id == worker_id))


def instances_by_status(conn: Connection) -> dict[str, int]:
    """Count process instances by status."""
    rows = conn.execute(sa.select(instances.c.status, sa.func.count()).group_by(instances.c.status))
    return dict(rows.all())
