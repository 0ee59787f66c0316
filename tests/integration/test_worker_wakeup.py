"""An idle worker starts a job when it falls due or is queued, not a whole poll later.

Each worker here polls only once a minute, so a job done within seconds proves the wake-up:
on every backend the worker sleeps until the next job's due instant; on PostgreSQL a job
queued for now wakes it through LISTEN/NOTIFY.
"""

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.clock import SystemClock
from engine.store.wakeup import CHANNEL
from engine.worker import Worker

LONG_POLL = 60.0  # seconds: far longer than any wait these tests allow


def done_keys(uow_factory, keys) -> set[str]:
    with uow_factory() as uow:
        return {k for k in keys if (uow.jobs.get(k) or {}).get("status") == "done"}


def wait_until_done(uow_factory, keys, within: float) -> set[str]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and done_keys(uow_factory, keys) != set(keys):
        time.sleep(0.05)
    return done_keys(uow_factory, keys)


@pytest.fixture
def idle_worker(uow_factory):
    """Start a worker on the wall clock with a one-minute poll; stop it afterwards."""
    stop, ran, threads = threading.Event(), [], []

    def start() -> list[str]:
        worker = Worker(uow_factory, SystemClock(),
                        {"reminder": lambda uow, job, now: ran.append(job.key)}, "sleepy")
        threads.append(threading.Thread(target=worker.run_forever, args=(stop, LONG_POLL)))
        threads[0].start()
        time.sleep(0.5)  # let it find nothing due and settle into its wait
        return ran

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=LONG_POLL + 5)


def schedule(uow_factory, key: str, due_in: timedelta) -> None:
    now = SystemClock().now()
    with uow_factory() as uow:
        uow.jobs.schedule("reminder", key, now + due_in, {}, now)
        uow.commit()


def test_an_idle_worker_wakes_when_the_next_job_falls_due(uow_factory, idle_worker):
    schedule(uow_factory, "soon", timedelta(seconds=2))
    ran = idle_worker()
    assert ran == []  # not due yet when the worker looked
    assert wait_until_done(uow_factory, ["soon"], within=10) == {"soon"}
    assert ran == ["soon"]


def test_an_idle_worker_runs_a_job_queued_for_now_on_postgresql(uow_factory, idle_worker):
    if uow_factory.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no notifications: its workers poll")
    ran = idle_worker()
    schedule(uow_factory, "now", timedelta(0))
    assert wait_until_done(uow_factory, ["now"], within=10) == {"now"}
    assert ran == ["now"]


def test_queued_and_requeued_jobs_notify_listeners_on_postgresql(uow_factory):
    if uow_factory.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no notifications")
    import psycopg

    args, kwargs = uow_factory.engine.dialect.create_connect_args(uow_factory.engine.url)
    with psycopg.connect(*args, **kwargs, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        schedule(uow_factory, "a", timedelta(hours=1))
        assert len(list(listener.notifies(timeout=5, stop_after=1))) == 1
        with uow_factory() as uow:  # a running job handed back is work again
            uow.conn.execute(sa.text("UPDATE jobs SET status = 'running' WHERE key = 'a'"))
            uow.commit()
        assert list(listener.notifies(timeout=0.5, stop_after=1)) == []
        with uow_factory() as uow:
            uow.conn.execute(sa.text("UPDATE jobs SET status = 'pending' WHERE key = 'a'"))
            uow.commit()
        assert len(list(listener.notifies(timeout=5, stop_after=1))) == 1


def test_the_notification_triggers_come_and_go_with_migration_0025(uow_factory):
    from alembic import command

    from engine.store.migrate import alembic_config

    def triggers() -> set[str]:
        if uow_factory.engine.dialect.name != "postgresql":
            return set()
        with uow_factory.engine.connect() as conn:
            query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'jobs'::regclass"
            return set(conn.exec_driver_sql(query).scalars())

    config = alembic_config(uow_factory.url)
    expected = {"jobs_queued", "jobs_requeued"} if uow_factory.engine.dialect.name == "postgresql" \
        else set()
    assert triggers() == expected
    try:
        command.downgrade(config, "0020")
        assert triggers() == set()
    finally:
        command.upgrade(config, "head")
    assert triggers() == expected
