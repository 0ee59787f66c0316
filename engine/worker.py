"""Run due jobs: lease a batch, then apply each effect in the transaction that marks it done.

Exactly-once comes from that shared transaction: `Jobs.finish` succeeds only while this
worker still holds the job, so if the lease expired and another worker took the job, the
effect is rolled back with the failed finish instead of being applied twice.

An effect outside the database, such as an HTTP call, cannot share that transaction, and must
never run inside one. Its handler is two-phase (`TwoPhaseHandler`): `perform` runs with no
transaction open, then `record` writes the outcome in the transaction that settles the job.
A worker that dies between the two leaves the job to be performed again once its lease
expires: such effects happen at least once, never exactly once.
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
from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa

from engine import log_context
from engine.clock import Clock
from engine.retry import RetryPolicy, next_attempt_at
from engine.store.jobs import Job
from engine.store.metrics import beat, forget
from engine.store.uow import UnitOfWork, UnitOfWorkFactory
from engine.store.wakeup import waiter

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Job, datetime], None]
DEFAULT_POLICY = RetryPolicy()
HEARTBEAT_EVERY = 2.0  # seconds; HEARTBEAT_STALE (10 s) of silence and a worker is dead
GROUP_SIZE = 50
MIN_IDLE = 0.005  # seconds: a due job another worker is claiming right now is not spun on


class LeaseLost(Exception):
    """Another worker took a job while this one was running it."""


class PermanentJobError(Exception):
    """A failure that retrying cannot cure; the job is marked failed at once."""


class AttemptFailed(Exception):
    """Raised by a two-phase handler's `record` to fail the job yet keep what `record` wrote.

    The worker settles the job in that same transaction: retried after the policy's backoff,
    or given up at once when `permanent`. The attempt's log thus commits with its outcome.
    """

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@runtime_checkable
class TwoPhaseHandler(Protocol):
    """A handler whose effect lies outside the database, e.g. a webhook POST.

    It may also define `abandon(uow, job, error, now)`, which the worker calls in the
    transaction that marks the job failed for good, so the handler's own rows agree.
    """

    def perform(self, job: Job, now: datetime) -> Any:
        """Do the effect with no transaction open; return what `record` should write."""

    def record(self, uow: UnitOfWork, job: Job, result: Any, now: datetime) -> None:
        """Write the outcome of `perform`; raise AttemptFailed to retry or give up."""


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
        heartbeat_every: float = HEARTBEAT_EVERY,
    ):
        self.uow_factory, self.clock, self.handlers = uow_factory, clock, dict(handlers)
        self.worker_id = worker_id or default_worker_id()
        self.batch, self.lease, self.policy = batch, lease, policy
        self.heartbeat_every = heartbeat_every
        self.last_heartbeat: datetime | None = None
        self._stop = threading.Event()

    def run_once(self) -> int:
        """Claim one batch of due jobs and run them in due order; return how many ran."""
        claimed_at = self.clock.now()
        jobs = self._claim(claimed_at)
        ran = 0
        while ran < len(jobs):
            # Past our lease another worker may own the rest; on shutdown we should not start
            # more. Either way hand the unstarted jobs back rather than sit on them.
            if self._stop.is_set() or self.clock.now() >= claimed_at + self.lease:
                self._release(jobs[ran:])
                return ran
            group = self._group(jobs[ran:])
            if len(group) > 1:
                ran += self._run_group(group)
            else:
                self._run(group[0])
                ran += 1
        return len(jobs)

    def _group(self, jobs: list[Job]) -> list[Job]:
        """Take the next run of one-phase jobs that can share a transaction, or a single job.

        A commit per job costs a disk flush; sharing one among up to GROUP_SIZE jobs is what
        lets a burst of a thousand timers fire within a second. Only on PostgreSQL: SQLite has
        a single write lock, and a group would hold it across many effects while web requests
        wait to write.
        """
        if self.uow_factory.engine.dialect.name != "postgresql":
            return jobs[:1]
        group = []
        for job in jobs[:GROUP_SIZE]:
            if isinstance(self.handlers.get(job.kind), TwoPhaseHandler):
                break
            group.append(job)
        return group or jobs[:1]

    def _run_group(self, jobs: list[Job]) -> int:
        """Apply several effects and their finishes in one transaction; return how many ran.

        The fast path is all or nothing. If any effect raises or any lease was lost, the whole
        group is rolled back and each job runs again alone, so a failure stays with its job.
        Stops early on shutdown, committing what ran.
        """
        ran = []
        try:
            with self.uow_factory() as uow:
                for job in jobs:
                    if ran and self._stop.is_set():
                        break
                    ran.append(job)
                    self._handler_for(job)(uow, job, self.clock.now())
                done = [(job.id, job.due_at) for job in ran]
                if uow.jobs.finish_many(done, self.worker_id, self.clock.now()) != len(ran):
                    raise LeaseLost(", ".join(job.key for job in ran))
                uow.commit()
        except Exception:  # isolate the culprit: every job of the group runs again on its own
            log.info("a group of %d jobs was rolled back; running them one by one", len(ran))
            for job in ran:
                self._run(job)
        return len(ran)

    def run_forever(self, stop: threading.Event, idle_sleep: float = 0.2) -> None:
        """Run batches until stop is set, waiting only when nothing was due.

        An idle worker waits until the next job falls due, new work is announced (PostgreSQL
        notifications), or ``idle_sleep`` passes, whichever comes first; so a timer fires at
        its instant rather than up to a poll later. A thread of its own beats meanwhile, so a
        long job never makes a live worker look dead; a clean stop removes the heartbeat, a
        killed worker's goes stale.
        """
        self._stop = stop
        log.info("worker %s started", self.worker_id)
        self._beat()
        done = threading.Event()
        beating = threading.Thread(target=self._keep_beating, args=(done,), daemon=True,
                                   name=f"heartbeat {self.worker_id}")
        beating.start()
        wake = waiter(self.uow_factory.engine, stop)
        try:
            while not stop.is_set():
                if self._run_once_outliving_outages() == 0:
                    wake.wait(self._idle_for(idle_sleep))
        finally:
            wake.close()
            done.set()
            beating.join()
            self._say_goodbye()
        log.info("worker %s stopped", self.worker_id)

    def _idle_for(self, idle_sleep: float) -> float:
        """Return how long to wait: until the next job is due, at most ``idle_sleep``."""
        try:
            with self.uow_factory() as uow:
                due = uow.jobs.next_due()
        except sa.exc.OperationalError:
            return idle_sleep
        if due is None:
            return idle_sleep
        return min(idle_sleep, max(MIN_IDLE, (due - self.clock.now()).total_seconds()))

    def _keep_beating(self, done: threading.Event) -> None:
        while not done.wait(self.heartbeat_every):
            self._beat()

    def _beat(self) -> None:
        """Note that this worker is alive, for the job claim and the metrics."""
        now = self.clock.now()
        try:
            with self.uow_factory() as uow:
                beat(uow.conn, self.worker_id, now)
                uow.commit()
            self.last_heartbeat = now
        except sa.exc.OperationalError:
            log.warning("worker %s could not record its heartbeat", self.worker_id)

    def _say_goodbye(self) -> None:
        try:
            with self.uow_factory() as uow:
                forget(uow.conn, self.worker_id)
                uow.commit()
        except sa.exc.OperationalError:
            log.warning("worker %s could not remove its heartbeat", self.worker_id)

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
        with log_context.bound(job=job.key, instance_id=job.payload.get("instance_id"),
                               task_id=job.payload.get("task_id")):
            self._run_bound(job)

    def _run_bound(self, job: Job) -> None:
        try:
            handler = self._handler_for(job)
            if isinstance(handler, TwoPhaseHandler):
                self._perform_then_record(job, handler)
            else:
                with self.uow_factory() as uow:
                    handler(uow, job, self.clock.now())
                    self._finish(uow, job)
        except Exception as err:  # a handler's failure is data: it goes on the job row
            self._fail(job, err)

    def _perform_then_record(self, job: Job, handler: TwoPhaseHandler) -> None:
        """Perform with no transaction open, then record the outcome and settle the job."""
        result = handler.perform(job, self.clock.now())
        with self.uow_factory() as uow:
            now = self.clock.now()
            try:
                handler.record(uow, job, result, now)
            except AttemptFailed as failure:
                if self._settle_failure(uow, job, failure, now):
                    uow.commit()
                return
            self._finish(uow, job)

    def _finish(self, uow: UnitOfWork, job: Job) -> None:
        if uow.jobs.finish(job.id, self.worker_id, self.clock.now(), due_at=job.due_at):
            uow.commit()
        else:
            log.warning("lost the lease on job %s; its effect was rolled back", job.key)

    def _handler_for(self, job: Job) -> "Handler | TwoPhaseHandler":
        if job.attempts > self.policy.max_attempts:
            # Only crashes skip `fail`, so a job past its attempts keeps killing workers.
            raise PermanentJobError(f"gave up after {job.attempts - 1} attempts lost to crashes")
        if job.kind not in self.handlers:
            raise PermanentJobError(f"no handler for job kind {job.kind!r}")
        return self.handlers[job.kind]

    def _fail(self, job: Job, err: Exception) -> None:
        """Record a failed attempt and when to retry; the handler's writes are already undone."""
        with self.uow_factory() as uow:
            self._settle_failure(uow, job, err, self.clock.now())
            uow.commit()

    def _settle_failure(self, uow: UnitOfWork, job: Job, err: Exception, now: datetime) -> bool:
        """Mark the job for a retry or as failed in the caller's transaction; False if not ours."""
        permanent = isinstance(err, PermanentJobError) or getattr(err, "permanent", False)
        retry_at = None if permanent else next_attempt_at(self.policy, job.attempts, now)
        error = (str(err) if isinstance(err, AttemptFailed)
                 else "".join(traceback.format_exception_only(err)).strip())
        recorded = uow.jobs.fail(job.id, self.worker_id, now, error, retry_at)
        abandon = getattr(self.handlers.get(job.kind), "abandon", None)
        if recorded and retry_at is None and abandon is not None:
            abandon(uow, job, error, now)
        self._log_failure(job, err, error, recorded, retry_at)
        return recorded

    @staticmethod
    def _log_failure(job: Job, err: Exception, error: str, recorded: bool,
                     retry_at: datetime | None) -> None:
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
