"""Run due jobs: lease a batch, then apply each effect in the transaction that marks it done.

Exactly-once comes from that shared transaction: `Jobs.finish` succeeds only while this
worker still holds the job, so if the lease expired and another worker took the job, the
effect is rolled back with the failed finish instead of being applied twice.
"""

import logging
import os
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine.clock import Clock
from engine.retry import RetryPolicy, next_attempt_at
from engine.store.jobs import Job
from engine.store.metrics import beat
from engine.store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Job, datetime], None]
DEFAULT_POLICY = RetryPolicy()
HEARTBEAT_EVERY = timedelta(seconds=5)


class PermanentJobError(Exception):
    """A failure that retrying cannot cure; the job is marked failed at once."""


def default_worker_id() -> str:
    """Name a worker by host and process, plus a suffix that differs across restarts."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Lease due jobs and run their handlers, one transaction per job."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        handlers: Mapping[str, Handler],
        worker_id: str | None = None,
        batch: int = 100,
        lease: timedelta = timedelta(seconds=60),
        policy: RetryPolicy = DEFAULT_POLICY,
    ):
        self.uow_factory, self.clock, self.handlers = uow_factory, clock, dict(handlers)
        self.worker_id = worker_id or default_worker_id()
        self.batch, self.lease, self.policy = batch, lease, policy
        self.last_heartbeat: datetime | None = None
        self._stop = threading.Event()

    def run_once(self) -> int:
        """Claim one batch of due jobs and run them in due order; return how many ran."""
        claimed_at = self.clock.now()
        jobs = self._claim(claimed_at)
        for ran, job in enumerate(jobs):
            # Past our lease another worker may own the rest; on shutdown we should not start
            # more. Either way hand the unstarted jobs back rather than sit on them.
            if self._stop.is_set() or self.clock.now() >= claimed_at + self.lease:
                self._release(jobs[ran:])
                return ran
            self._run(job)
        return len(jobs)

    def run_forever(self, stop: threading.Event, idle_sleep: float = 0.2) -> None:
        """Run batches until stop is set, sleeping only when nothing was due."""
        self._stop = stop
        log.info("worker %s started", self.worker_id)
        while not stop.is_set():
            self._beat()
            if self._run_once_outliving_outages() == 0:
                stop.wait(idle_sleep)
        log.info("worker %s stopped", self.worker_id)

    def _beat(self) -> None:
        """Note that this worker is alive; persisted every few seconds for the metrics."""
        now = self.clock.now()
        if self.last_heartbeat is not None and now - self.last_heartbeat < HEARTBEAT_EVERY:
            return
        self.last_heartbeat = now
        try:
            with self.uow_factory() as uow:
                beat(uow.conn, self.worker_id, now)
                uow.commit()
        except sa.exc.OperationalError:
            log.warning("worker %s could not record its heartbeat", self.worker_id)

    def _run_once_outliving_outages(self) -> int:
        try:
            return self.run_once()
        except sa.exc.OperationalError:
            # The database is down or busy. Leased jobs come back when their lease expires,
            # so the right move is to wait and try again, not to die.
            log.exception("worker %s could not reach the database", self.worker_id)
            return 0

    def _claim(self, now: datetime) -> list[Job]:
        with self.uow_factory() as uow:
            jobs = uow.jobs.claim(self.worker_id, now, self.batch, self.lease)
            uow.commit()
        return jobs

    def _release(self, jobs: list[Job]) -> None:
        with self.uow_factory() as uow:
            uow.jobs.release([job.id for job in jobs], self.worker_id)
            uow.commit()

    def _run(self, job: Job) -> None:
        """Apply one job's effect and mark it done in one transaction, or record why not."""
        try:
            with self.uow_factory() as uow:
                self._handler_for(job)(uow, job, self.clock.now())
                if uow.jobs.finish(job.id, self.worker_id, self.clock.now()):
                    uow.commit()
                else:
                    log.warning("lost the lease on job %s; its effect was rolled back", job.key)
        except Exception as err:  # a handler's failure is data: it goes on the job row
            self._fail(job, err)

    def _handler_for(self, job: Job) -> Handler:
        if job.attempts > self.policy.max_attempts:
            # Only crashes skip `fail`, so a job past its attempts keeps killing workers.
            raise PermanentJobError(f"gave up after {job.attempts - 1} attempts lost to crashes")
        if job.kind not in self.handlers:
            raise PermanentJobError(f"no handler for job kind {job.kind!r}")
        return self.handlers[job.kind]

    def _fail(self, job: Job, err: Exception) -> None:
        """Record a failed attempt and when to retry; the handler's writes are already undone."""
        now = self.clock.now()
        permanent = isinstance(err, PermanentJobError)
        retry_at = None if permanent else next_attempt_at(self.policy, job.attempts, now)
        error = "".join(traceback.format_exception_only(err)).strip()
        with self.uow_factory() as uow:
            recorded = uow.jobs.fail(job.id, self.worker_id, now, error, retry_at)
            uow.commit()
        if not recorded:
            log.warning("job %s failed after its lease was lost: %s", job.key, error)
        elif retry_at is None:
            log.error("job %s failed for good on attempt %d: %s", job.key, job.attempts, error,
                      exc_info=err)
        else:
            log.warning("job %s failed on attempt %d, retrying at %s: %s", job.key, job.attempts,
                        retry_at.isoformat(), error, exc_info=err)


def install_sigterm(stop: threading.Event) -> None:
    """Set stop on SIGTERM or SIGINT, so the worker ends after its current job.

    Python only lets the main thread install signal handlers; elsewhere this raises ValueError.
    """

    def handle(_signum, _frame) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handle)
