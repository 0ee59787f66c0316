"""The job queue: one job per effect, leased to one worker at a time, never lost or doubled."""

import logging
import os
import signal
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.retry import RetryPolicy
from engine.store.jobs import JobStatus, jobs
from engine.store.migrate import alembic_config
from engine.store.tables import metadata
from engine.worker import Worker, install_sigterm

LEASE = timedelta(seconds=60)
NO_JITTER = RetryPolicy(max_attempts=3, base=timedelta(seconds=10), factor=4, jitter=0)


def schedule(uow_factory, clock, key, due_in=timedelta(0), kind="reminder", payload=None) -> bool:
    with uow_factory() as uow:
        added = uow.jobs.schedule(kind, key, clock.now() + due_in, payload or {}, clock.now())
        uow.commit()
    return added


def claim(uow_factory, clock, worker="w1", limit=10, lease=LEASE):
    with uow_factory() as uow:
        claimed = uow.jobs.claim(worker, clock.now(), limit, lease)
        uow.commit()
    return claimed


def settle(uow_factory, method, *args):
    with uow_factory() as uow:
        result = getattr(uow.jobs, method)(*args)
        uow.commit()
    return result


def row(uow_factory, key):
    with uow_factory() as uow:
        return uow.jobs.get(key)


def noop(uow, job, now) -> None:
    """Do nothing, successfully."""


@pytest.fixture
def effects(uow_factory):
    """Give handlers a side table to write their effect into, without a unique key on purpose."""
    side = sa.MetaData()
    table = sa.Table(
        "test_job_effects", side,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_key", sa.String(255), nullable=False),
    )
    side.create_all(uow_factory.engine)
    yield table
    side.drop_all(uow_factory.engine)


def effect_counts(uow_factory, effects) -> Counter:
    with uow_factory.engine.connect() as conn:
        return Counter(conn.execute(sa.select(effects.c.job_key)).scalars())


def test_scheduling_the_same_key_twice_keeps_only_the_first_job(uow_factory, clock):
    assert schedule(uow_factory, clock, "escalate/t1/level1", timedelta(hours=1))
    assert not schedule(uow_factory, clock, "escalate/t1/level1", timedelta(hours=5))
    job = row(uow_factory, "escalate/t1/level1")
    assert job.due_at == clock.now() + timedelta(hours=1) and job.status == JobStatus.PENDING
    assert job.attempts == 0
    with uow_factory.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one() == 1


def test_claim_takes_only_due_jobs_oldest_due_first(uow_factory, clock):
    for key, minutes in [("c", -1), ("a", -5), ("future", 60), ("b", -3), ("d", 0)]:
        schedule(uow_factory, clock, key, timedelta(minutes=minutes), payload={"n": minutes})
    first = claim(uow_factory, clock, limit=2)
    assert [job.key for job in first] == ["a", "b"]
    assert first[0].payload == {"n": -5} and first[0].attempts == 1
    rest = claim(uow_factory, clock, worker="w2")
    assert [job.key for job in rest] == ["c", "d"]
    a = row(uow_factory, "a")
    assert (a.status, a.locked_by, a.lease_until) == (JobStatus.RUNNING, "w1", clock.now() + LEASE)
    assert claim(uow_factory, clock, worker="w3") == []


def test_an_expired_lease_passes_to_another_worker_and_the_late_finish_is_refused(
        uow_factory, clock):
    schedule(uow_factory, clock, "timer/i1/t1")
    [job] = claim(uow_factory, clock, worker="w1")
    clock.advance(seconds=59)
    assert claim(uow_factory, clock, worker="w2") == []
    clock.advance(seconds=2)
    [again] = claim(uow_factory, clock, worker="w2")
    assert again.id == job.id and again.attempts == 2
    assert settle(uow_factory, "finish", job.id, "w1", clock.now()) is False
    assert settle(uow_factory, "fail", job.id, "w1", clock.now(), "late", None) is False
    assert settle(uow_factory, "finish", job.id, "w2", clock.now()) is True
    done = row(uow_factory, "timer/i1/t1")
    assert (done.status, done.locked_by, done.last_error) == (JobStatus.DONE, "w2", None)


def test_a_failing_handler_is_retried_with_backoff_then_marked_failed(uow_factory, clock, caplog):
    def unreachable(uow, job, now):
        uow.conn.execute(sa.update(jobs).values(kind="tampered"))  # must be rolled back
        raise ConnectionError("agency endpoint down")

    schedule(uow_factory, clock, "webhook/42")
    worker = Worker(uow_factory, clock, {"reminder": unreachable}, "w1", policy=NO_JITTER)
    for attempt, wait in [(1, 10), (2, 40)]:
        assert worker.run_once() == 1
        job = row(uow_factory, "webhook/42")
        assert (job.status, job.attempts, job.kind) == (JobStatus.PENDING, attempt, "reminder")
        assert job.due_at == clock.now() + timedelta(seconds=wait)
        assert job.last_error == "ConnectionError: agency endpoint down"
        clock.advance(seconds=wait - 1)
        assert worker.run_once() == 0
        clock.advance(seconds=1)
    with caplog.at_level(logging.ERROR, logger="engine.worker"):
        assert worker.run_once() == 1
    job = row(uow_factory, "webhook/42")
    assert (job.status, job.attempts, job.fired_at) == (JobStatus.FAILED, 3, None)
    assert "webhook/42" in caplog.text and "agency endpoint down" in caplog.text
    clock.advance(days=2)
    assert worker.run_once() == 0
    with uow_factory() as uow:
        assert [j.key for j in uow.jobs.failed()] == ["webhook/42"]


def test_a_job_of_unknown_kind_fails_at_once_with_a_clear_error(uow_factory, clock):
    schedule(uow_factory, clock, "mystery/1", kind="carrier_pigeon")
    assert Worker(uow_factory, clock, {"reminder": noop}, "w1").run_once() == 1
    job = row(uow_factory, "mystery/1")
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert "no handler for job kind 'carrier_pigeon'" in job.last_error


def test_a_job_whose_workers_keep_dying_is_given_up(uow_factory, clock):
    schedule(uow_factory, clock, "poison/1")
    for _ in range(NO_JITTER.max_attempts):  # each claim is a worker that died mid-job
        assert claim(uow_factory, clock, worker="doomed")
        clock.advance(seconds=61)
    assert Worker(uow_factory, clock, {"reminder": noop}, "w1", policy=NO_JITTER).run_once() == 1
    job = row(uow_factory, "poison/1")
    assert job.status == JobStatus.FAILED and "gave up after 3 attempts" in job.last_error


def test_cancelled_jobs_are_never_claimed(uow_factory, clock):
    for key in ["task/1/remind/1", "task/1/remind/2", "task/10/remind/1", "escalate/1", "x%/1"]:
        schedule(uow_factory, clock, key)
    assert settle(uow_factory, "cancel_prefix", "task/1/") == 2
    assert settle(uow_factory, "cancel_prefix", "x%") == 1
    assert settle(uow_factory, "cancel_prefix", "%") == 0  # a prefix, not a LIKE pattern
    assert settle(uow_factory, "cancel", "escalate/1") is True
    assert settle(uow_factory, "cancel", "escalate/1") is False
    [running] = claim(uow_factory, clock)
    assert running.key == "task/10/remind/1"
    assert settle(uow_factory, "cancel", "task/10/remind/1") is False  # already running
    settle(uow_factory, "finish", running.id, "w1", clock.now())
    clock.advance(days=1)
    assert claim(uow_factory, clock, worker="w2") == []
    assert row(uow_factory, "task/1/remind/1").status == JobStatus.CANCELLED


def test_rescheduling_moves_a_pending_job_but_not_a_running_one(uow_factory, clock):
    schedule(uow_factory, clock, "timer/paused", timedelta(hours=1))
    assert settle(uow_factory, "reschedule", "timer/paused", clock.now() + timedelta(hours=3))
    clock.advance(hours=2)
    assert claim(uow_factory, clock) == []
    clock.advance(hours=1)
    assert [job.key for job in claim(uow_factory, clock)] == ["timer/paused"]
    assert not settle(uow_factory, "reschedule", "timer/paused", clock.now() + timedelta(hours=9))
    assert not settle(uow_factory, "reschedule", "no/such/job", clock.now())


def test_lag_and_backlog_are_recorded_for_metrics(uow_factory, clock):
    schedule(uow_factory, clock, "late", timedelta(0))
    schedule(uow_factory, clock, "later", timedelta(seconds=30))
    schedule(uow_factory, clock, "not/yet", timedelta(hours=1))
    clock.advance(seconds=90)
    with uow_factory() as uow:
        assert uow.jobs.backlog(clock.now()) == 2
    assert Worker(uow_factory, clock, {"reminder": noop}, "w1").run_once() == 2
    job = row(uow_factory, "late")
    assert (job.status, job.fired_at, job.lag_seconds) == (JobStatus.DONE, clock.now(), 90.0)
    with uow_factory() as uow:
        assert uow.jobs.backlog(clock.now()) == 0
        assert sorted(uow.jobs.lag_seconds_of_recent(10)) == [60.0, 90.0]
        assert len(uow.jobs.lag_seconds_of_recent(1)) == 1


def test_shutdown_finishes_the_current_job_and_hands_back_the_rest(uow_factory, clock):
    for n in range(5):
        schedule(uow_factory, clock, f"job/{n}", timedelta(seconds=-n))
    stop = threading.Event()
    worker = Worker(uow_factory, clock, {"reminder": lambda uow, job, now: stop.set()}, "w1")
    worker.run_forever(stop)  # returns: the handler asked it to stop, as SIGTERM would
    states = [(row(uow_factory, f"job/{n}").status, row(uow_factory, f"job/{n}").attempts)
              for n in range(5)]
    assert states == [(JobStatus.PENDING, 0)] * 4 + [(JobStatus.DONE, 1)]


def test_run_forever_drains_the_queue_and_stops_promptly(uow_factory, clock, effects):
    for n in range(30):
        schedule(uow_factory, clock, f"job/{n}")
    stop = threading.Event()

    def apply(uow, job, now):
        uow.conn.execute(sa.insert(effects).values(job_key=job.key))

    worker = Worker(uow_factory, clock, {"reminder": apply}, "w1", batch=7)
    thread = threading.Thread(target=worker.run_forever, args=(stop, 0.01))
    thread.start()
    for _ in range(500):
        if sum(effect_counts(uow_factory, effects).values()) == 30:
            break
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and worker.last_heartbeat == clock.now()
    assert effect_counts(uow_factory, effects) == Counter({f"job/{n}": 1 for n in range(30)})


def test_a_worker_that_loses_its_lease_mid_effect_rolls_the_effect_back(
        uow_factory, clock, effects):
    """A stalls inside its handler past the lease and B takes the job while A still runs it."""
    schedule(uow_factory, clock, "escalate/t9")
    stalled, taken_over = threading.Event(), threading.Event()

    def slow_apply(uow, job, now):
        stalled.set()
        taken_over.wait(5)
        uow.conn.execute(sa.insert(effects).values(job_key=job.key))

    a = Worker(uow_factory, clock, {"reminder": slow_apply}, "worker-a")
    thread = threading.Thread(target=a.run_once)
    thread.start()
    assert stalled.wait(5)
    clock.advance(seconds=61)
    [job] = claim(uow_factory, clock, worker="worker-b")
    taken_over.set()
    thread.join(5)
    assert effect_counts(uow_factory, effects) == Counter()
    held = row(uow_factory, "escalate/t9")
    assert (held.status, held.locked_by, held.attempts) == (JobStatus.RUNNING, "worker-b", 2)
    assert settle(uow_factory, "finish", job.id, "worker-b", clock.now())


def test_two_alternating_workers_apply_each_of_200_effects_exactly_once(
        uow_factory, clock, effects):
    """Worker A stalls past its lease on every seventh job; B takes over A's whole batch.

    A's own effect for the stalled job is then rolled back by its refused finish, so the
    side table, which has no unique key to hide duplicates, shows every effect once.
    """
    for n in range(200):
        schedule(uow_factory, clock, f"job/{n:03}", timedelta(seconds=n - 200), payload={"n": n})
    calls = Counter()

    def handler(name):
        def apply(uow, job, now):
            calls[name] += 1
            if name == "a" and job.payload["n"] % 7 == 0 and job.attempts == 1:
                clock.advance(seconds=61)
                b.run_once()
            uow.conn.execute(sa.insert(effects).values(job_key=job.key))
        return apply

    a = Worker(uow_factory, clock, {"reminder": handler("a")}, "worker-a", batch=10)
    b = Worker(uow_factory, clock, {"reminder": handler("b")}, "worker-b", batch=10)
    while a.run_once() + b.run_once():
        pass
    assert effect_counts(uow_factory, effects) == Counter({f"job/{n:03}": 1 for n in range(200)})
    with uow_factory.engine.connect() as conn:
        statuses = Counter(conn.execute(sa.select(jobs.c.status)).scalars())
        stolen = conn.execute(sa.select(sa.func.count()).where(jobs.c.attempts == 2)).scalar_one()
    assert statuses == {JobStatus.DONE: 200}
    assert calls["a"] > 0 and calls["b"] > 0 and stolen > 0
    assert calls["a"] + calls["b"] > 200  # some effects really were applied, then undone


def test_the_jobs_migration_downgrades_and_upgrades_cleanly(db_url):
    config = alembic_config(db_url)
    engine = sa.create_engine(db_url)
    try:
        command.downgrade(config, "0001")
        assert "jobs" not in sa.inspect(engine).get_table_names()
    finally:
        command.upgrade(config, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, *_: (
                name if kind == "table" else obj.table.name) == "jobs",
        })
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_sigterm_and_sigint_ask_the_worker_to_stop():
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for sig in previous:
            stop = threading.Event()
            install_sigterm(stop)
            os.kill(os.getpid(), sig)
            assert stop.wait(1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def test_one_failing_effect_in_a_shared_transaction_leaves_the_others_applied(uow_factory, clock,
                                                                               effects):
    """On PostgreSQL jobs share a transaction; a failure must still stay with its own job."""
    for n in range(6):
        schedule(uow_factory, clock, f"job/{n}")

    def apply(uow, job, now):
        uow.conn.execute(sa.insert(effects).values(job_key=job.key))
        if job.key == "job/3":
            raise RuntimeError("kho lưu trữ không trả lời")

    assert Worker(uow_factory, clock, {"reminder": apply}, "w1").run_once() == 6
    assert effect_counts(uow_factory, effects) == Counter({f"job/{n}": 1 for n in range(6) if n != 3})
    failed = row(uow_factory, "job/3")
    assert failed.status == JobStatus.PENDING and "kho lưu trữ" in failed.last_error
    assert {row(uow_factory, f"job/{n}").status for n in range(6) if n != 3} == {JobStatus.DONE}


def beat_as(uow_factory, worker_id, at) -> None:
    from engine.store.metrics import beat

    with uow_factory() as uow:
        beat(uow.conn, worker_id, at)
        uow.commit()


def test_a_worker_whose_heartbeat_stopped_loses_its_leases_at_once(uow_factory, clock):
    schedule(uow_factory, clock, "timer/i1/t1")
    beat_as(uow_factory, "w1", clock.now())
    [job] = claim(uow_factory, clock, worker="w1")
    clock.advance(seconds=5)
    assert claim(uow_factory, clock, worker="w2") == []  # w1 beat 5 s ago: alive
    clock.advance(seconds=6)
    # w1 last beat 11 s ago, well inside its 60 s lease: it is taken as dead.
    [again] = claim(uow_factory, clock, worker="w2")
    assert again.id == job.id and again.attempts == 2
    assert settle(uow_factory, "finish", job.id, "w1", clock.now()) is False


def test_a_worker_that_keeps_beating_keeps_its_lease(uow_factory, clock):
    schedule(uow_factory, clock, "timer/i1/t1")
    claim(uow_factory, clock, worker="w1")
    for _ in range(5):
        clock.advance(seconds=8)
        beat_as(uow_factory, "w1", clock.now())
        assert claim(uow_factory, clock, worker="w2") == []


def test_run_forever_beats_from_its_own_thread_while_a_job_runs(uow_factory, clock):
    from engine.store.metrics import snapshot

    schedule(uow_factory, clock, "slow")
    stop, started, release = threading.Event(), threading.Event(), threading.Event()

    def slow(uow, job, now):
        started.set()
        release.wait(10)

    worker = Worker(uow_factory, clock, {"reminder": slow}, "w1", heartbeat_every=0.02)
    thread = threading.Thread(target=worker.run_forever, args=(stop, 0.01))
    thread.start()
    assert started.wait(5)
    clock.advance(seconds=30)  # half a minute inside one job
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with uow_factory() as uow:
            if snapshot(uow.conn, clock.now()).heartbeats.get("w1") == clock.now():
                break
        time.sleep(0.02)
    with uow_factory() as uow:
        assert snapshot(uow.conn, clock.now()).heartbeats == {"w1": clock.now()}
    assert claim(uow_factory, clock, worker="w2") == []  # still alive: its lease holds
    release.set()
    stop.set()
    thread.join(5)
    with uow_factory() as uow:
        assert snapshot(uow.conn, clock.now()).heartbeats == {}  # a clean stop says goodbye


def test_metrics_forget_workers_that_stopped_beating(uow_factory, clock):
    from engine.store.metrics import snapshot

    beat_as(uow_factory, "dead", clock.now())
    clock.advance(seconds=5)
    beat_as(uow_factory, "alive", clock.now())
    clock.advance(minutes=2)
    beat_as(uow_factory, "alive", clock.now())
    with uow_factory() as uow:
        assert set(snapshot(uow.conn, clock.now()).heartbeats) == {"alive"}
