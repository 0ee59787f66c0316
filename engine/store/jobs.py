"""The job queue: one row per logical effect, leased to workers with an expiring lock."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from engine.store.tables import UtcDateTime, metadata


class JobStatus(enum.StrEnum):
    """Where a job is in its life; the values are what the database stores."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    # Unique per logical effect, so the same timer or escalation can never be queued twice.
    sa.Column("key", sa.String(255), nullable=False, unique=True),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("locked_by", sa.String(64)),
    sa.Column("lease_until", UtcDateTime()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("fired_at", UtcDateTime()),
    sa.Column("lag_seconds", sa.Float),
    # Claims scan pending jobs by due date; the lag metric reads the latest done jobs.
    sa.Index(None, "status", "due_at"),
    sa.Index(None, "status", "fired_at"),
    # cancel_prefix's LIKE 'ladder:{task}:%' needs a pattern index on PostgreSQL.
    sa.Index("ix_jobs_key_pattern", "key", postgresql_ops={"key": "text_pattern_ops"}),
)

# One row per live worker, written every HEARTBEAT_EVERY by a thread of its own.
worker_heartbeats = sa.Table(
    "worker_heartbeats", metadata,
    sa.Column("worker_id", sa.String(64), primary_key=True),
    sa.Column("beat_at", UtcDateTime(), nullable=False),
)

# A worker silent for this long is taken as dead: its leases pass on without waiting them out.
HEARTBEAT_STALE = timedelta(seconds=10)

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


@dataclass(frozen=True)
class Job:
    """A claimed job as a handler sees it; attempts counts this attempt too."""

    id: int
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]
    attempts: int


class Jobs:
    """Schedule, lease and settle jobs through the caller's connection and transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def schedule(self, kind: str, key: str, due_at: datetime, payload: dict, now: datetime) -> bool:
        """Queue a pending job; return False and change nothing if the key is already taken."""
        insert = _INSERTS[self.conn.dialect.name](jobs).on_conflict_do_nothing(
            index_elements=["key"])
        row = dict(kind=kind, key=key, due_at=due_at, payload=payload, created_at=now)
        # RETURNING rather than rowcount, which psycopg reports as -1 for such an insert.
        added = insert.values(status=JobStatus.PENDING, **row).returning(jobs.c.id)
        return self.conn.execute(added).first() is not None

    def schedule_many(self, kind: str, jobs_to_add: list[tuple[str, datetime, dict]],
                      now: datetime) -> None:
        """Queue several (key, due_at, payload) jobs in one statement; taken keys are skipped."""
        if not jobs_to_add:
            return
        rows = [dict(kind=kind, key=key, due_at=due_at, payload=payload, created_at=now,
                     status=JobStatus.PENDING) for key, due_at, payload in jobs_to_add]
        insert = _INSERTS[self.conn.dialect.name](jobs).on_conflict_do_nothing(index_elements=["key"])
        self.conn.execute(insert, rows)  # parameter sets: one cached statement for any count

    def reschedule(self, key: str, due_at: datetime) -> bool:
        """Move a job that has not started yet to a new due instant."""
        return self._pending_where(jobs.c.key == key, due_at=due_at) == 1

    def cancel(self, key: str) -> bool:
        """Cancel a job that has not started yet; a running or settled job is left alone."""
        return self._pending_where(jobs.c.key == key, status=JobStatus.CANCELLED) == 1

    def cancel_prefix(self, prefix: str) -> int:
        """Cancel every pending job whose key starts with prefix, e.g. all reminders of a task.

        On PostgreSQL the `text_pattern_ops` index of migration 0007 serves this LIKE.
        """
        starts = jobs.c.key.startswith(prefix, autoescape=True)
        return self._pending_where(starts, status=JobStatus.CANCELLED)

    def revive(self, key: str, due_at: datetime) -> bool:
        """Put a cancelled job back in the queue, e.g. a reminder whose pause was lifted."""
        query = sa.update(jobs).where(jobs.c.key == key, jobs.c.status == JobStatus.CANCELLED)
        return self.conn.execute(query.values(status=JobStatus.PENDING, due_at=due_at)).rowcount == 1

    def requeue(self, key: str, due_at: datetime) -> bool:
        """Queue a failed or done job again with fresh attempts, e.g. a redelivered webhook.

        A pending or running job is left alone: it is already on its way.
        """
        settled = jobs.c.status.in_([JobStatus.FAILED, JobStatus.DONE])
        query = sa.update(jobs).where(jobs.c.key == key, settled).values(
            status=JobStatus.PENDING, due_at=due_at, attempts=0, locked_by=None,
            lease_until=None, fired_at=None, lag_seconds=None)
        return self.conn.execute(query).rowcount == 1

    def _pending_where(self, condition, **values) -> int:
        query = sa.update(jobs).where(condition, jobs.c.status == JobStatus.PENDING)
        return self.conn.execute(query.values(**values)).rowcount

    def claim(self, worker_id: str, now: datetime, limit: int, lease: timedelta) -> list[Job]:
        """Lease up to limit due jobs, oldest due first, plus up to limit whose lease is lost.

        A lease is lost when it expired, or at once when its worker stopped beating: a killed
        worker's jobs need not wait out a whole lease. A worker that never beat (a one-off
        ``run_once``) keeps its leases until they expire.

        One statement on both backends. Due jobs and expired leases are found by two separate
        ordered, limited scans, so PostgreSQL walks ``(status, due_at)`` and stops at the
        limit instead of sorting every overdue row; SKIP LOCKED lets concurrent workers take
        disjoint batches without waiting. SQLite ignores the locking clause.
        """
        t = jobs
        order = (t.c.due_at, t.c.id)
        due = (sa.select(t.c.id).where(t.c.status == JobStatus.PENDING, t.c.due_at <= now)
               .order_by(*order).limit(limit).with_for_update(skip_locked=True).cte("due"))
        dead = sa.select(worker_heartbeats.c.worker_id).where(
            worker_heartbeats.c.beat_at < now - HEARTBEAT_STALE)
        lost = sa.or_(t.c.lease_until < now, t.c.locked_by.in_(dead.scalar_subquery()))
        expired = (sa.select(t.c.id).where(t.c.status == JobStatus.RUNNING, lost)
                   .order_by(*order).limit(limit).with_for_update(skip_locked=True).cte("expired"))
        ids = sa.union_all(sa.select(due.c.id), sa.select(expired.c.id))
        query = (
            sa.update(t)
            .where(t.c.id.in_(ids.scalar_subquery()))
            .values(status=JobStatus.RUNNING, locked_by=worker_id, lease_until=now + lease,
                    attempts=t.c.attempts + 1)
            .returning(t.c.id, t.c.kind, t.c.key, t.c.due_at, t.c.payload, t.c.attempts)
        )
        claimed = [Job(**row) for row in self.conn.execute(query).mappings()]
        return sorted(claimed, key=lambda job: (job.due_at, job.id))

    def finish(self, job_id: int, worker_id: str, now: datetime, due_at: datetime | None = None) -> bool:
        """Mark a job done if this worker still holds it; False means the lease was lost.

        Pass the claimed ``due_at`` to save a round trip; it cannot have changed while the
        job was leased.
        """
        held = self._held(job_id, worker_id)
        if due_at is None:
            due_at = self.conn.execute(sa.select(jobs.c.due_at).where(*held)).scalar_one_or_none()
            if due_at is None:
                return False
        lag = (now - due_at).total_seconds()
        done = dict(status=JobStatus.DONE, fired_at=now, lag_seconds=lag, lease_until=None)
        return self.conn.execute(sa.update(jobs).where(*held).values(**done)).rowcount == 1

    def finish_many(self, claimed: list[tuple[int, datetime]], worker_id: str,
                    now: datetime) -> int:
        """Mark several (id, due_at) jobs done in one execution; return how many were held.

        One statement with a parameter set per job: psycopg sends them in one pipeline, so a
        group of jobs costs one round trip to settle instead of one per job.
        """
        held = (jobs.c.id == sa.bindparam("job_id"), jobs.c.locked_by == worker_id,
                jobs.c.status == JobStatus.RUNNING)
        query = sa.update(jobs).where(*held).values(
            status=JobStatus.DONE, fired_at=now, lag_seconds=sa.bindparam("lag"), lease_until=None)
        rows = [{"job_id": job_id, "lag": (now - due_at).total_seconds()} for job_id, due_at in claimed]
        return self.conn.execute(query, rows).rowcount

    def fail(self, job_id: int, worker_id: str, now: datetime, error: str,
             retry_at: datetime | None) -> bool:
        """Record an error; queue the job again at retry_at, or mark it failed when None.

        A failed job stays in the table with its error, for people to see and requeue.
        """
        if retry_at is None:
            values = dict(status=JobStatus.FAILED)
        else:
            # Moving due_at makes lag_seconds measure how promptly the queue ran the last
            # attempt; lateness caused by retries shows in attempts and last_error instead.
            values = dict(status=JobStatus.PENDING, due_at=retry_at, locked_by=None)
        query = sa.update(jobs).where(*self._held(job_id, worker_id))
        values.update(last_error=error, lease_until=None)
        return self.conn.execute(query.values(**values)).rowcount == 1

    def release(self, job_ids: list[int], worker_id: str) -> int:
        """Hand back claimed jobs that were never started, without counting an attempt."""
        query = (
            sa.update(jobs)
            .where(jobs.c.id.in_(job_ids), jobs.c.locked_by == worker_id,
                   jobs.c.status == JobStatus.RUNNING)
            .values(status=JobStatus.PENDING, locked_by=None, lease_until=None,
                    attempts=jobs.c.attempts - 1)
        )
        return self.conn.execute(query).rowcount

    @staticmethod
    def _held(job_id: int, worker_id: str) -> tuple:
        running = jobs.c.status == JobStatus.RUNNING
        return jobs.c.id == job_id, jobs.c.locked_by == worker_id, running

    def next_due(self) -> datetime | None:
        """Return when the earliest pending job falls due (the due index's first entry)."""
        query = sa.select(sa.func.min(jobs.c.due_at)).where(jobs.c.status == JobStatus.PENDING)
        return self.conn.execute(query).scalar()

    def get(self, key: str):
        """Return the job row with this key, or None."""
        return self.conn.execute(sa.select(jobs).where(jobs.c.key == key)).mappings().first()

    def failed(self) -> list:
        """Return the jobs that gave up, oldest due first."""
        query = sa.select(jobs).where(jobs.c.status == JobStatus.FAILED).order_by(jobs.c.due_at)
        return list(self.conn.execute(query).mappings())

    def backlog(self, now: datetime) -> int:
        """Count pending jobs that are already due: the queue's unserved work."""
        where = (jobs.c.status == JobStatus.PENDING, jobs.c.due_at <= now)
        return self.conn.execute(sa.select(sa.func.count()).where(*where)).scalar_one()

    def lag_seconds_of_recent(self, limit: int) -> list[float]:
        """Return how late the last limit done jobs fired, newest first, for the lag histogram."""
        query = (
            sa.select(jobs.c.lag_seconds)
            .where(jobs.c.status == JobStatus.DONE)
            .order_by(jobs.c.fired_at.desc())
            .limit(limit)
        )
        return list(self.conn.execute(query).scalars())
