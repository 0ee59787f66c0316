"""Worker processes sharing one PostgreSQL apply every effect exactly once, even through kill -9."""

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.store.jobs import JobStatus, jobs
from engine.store.tables import audit_events, outbox
from engine.store.uow import UnitOfWorkFactory
from tests.integration.worker_child import effects, side

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def factory(postgres_migrated):
    """Give an empty job queue and an empty side table for the children's effects."""
    factory = UnitOfWorkFactory(postgres_migrated)
    side.drop_all(factory.engine)
    side.create_all(factory.engine)
    with factory.engine.begin() as conn:
        # TRUNCATE, not DELETE: the audit log refuses row deletes by design. Settings go too,
        # or an earlier test's webhook subscription would have the journal queue relay jobs.
        conn.execute(sa.text("TRUNCATE jobs, audit_events, outbox, settings"))
    yield factory
    side.drop_all(factory.engine)
    factory.engine.dispose()


@pytest.fixture
def spawn(factory, tmp_path):
    """Start worker processes and wait until each has connected; they work once told to go.

    Whatever a test leaves running is killed afterwards, so a failure leaves no orphan.
    """
    started: list[subprocess.Popen] = []

    def spawn(*workers: tuple[str, ...]) -> list[subprocess.Popen]:
        children = [start(factory.url, tmp_path / f"{w[0]}.log", w) for w in workers]
        started.extend(children)
        for child, worker in zip(children, workers, strict=True):
            log = tmp_path / f"{worker[0]}.log"
            assert child.stdout.readline().strip() == "ready", log.read_text()
        return children

    yield spawn
    for child in started:
        if child.poll() is None:
            child.kill()
        child.__exit__(None, None, None)  # close the pipes and reap the process


def schedule_due_jobs(factory, count: int) -> None:
    now = datetime.now(UTC)
    with factory() as uow:
        for n in range(count):
            uow.jobs.schedule("effect", f"job/{n:04}", now - timedelta(seconds=count - n), {}, now)
        uow.commit()


def start(url: str, log: Path, worker: tuple[str, ...]) -> subprocess.Popen:
    with log.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.integration.worker_child", url, *worker],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )


def go(*children: subprocess.Popen) -> None:
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()


def effect_rows(factory) -> list:
    with factory.engine.connect() as conn:
        return list(conn.execute(sa.select(effects.c.job_key, effects.c.worker_id)))


def wait_for_effects(factory, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(effect_rows(factory)) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def wait_for_lease(factory, worker: str, timeout: float) -> None:
    """Wait until the worker has committed a claim on a job it has not finished yet."""
    holding = sa.select(sa.func.count()).where(jobs.c.status == JobStatus.RUNNING,
                                               jobs.c.locked_by == worker)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with factory.engine.connect() as conn:
            if conn.execute(holding).scalar_one():
                return
        time.sleep(0.01)


def stop(*children: subprocess.Popen) -> None:
    """Ask each worker to finish its current job and exit, as a deploy would."""
    for child in children:
        child.send_signal(signal.SIGTERM)
    for child in children:
        assert child.wait(timeout=5) == 0


def assert_each_effect_once(factory, count: int) -> Counter:
    rows = effect_rows(factory)
    assert len(rows) == len({key for key, _ in rows}) == count
    with factory.engine.connect() as conn:
        settled = conn.execute(sa.select(jobs.c.status, jobs.c.last_error)).all()
        audited = Counter(conn.execute(sa.select(audit_events.c.task_id)).scalars())
        announced = Counter(p["task_id"] for p in conn.execute(sa.select(outbox.c.payload)).scalars())
    assert Counter(settled) == {(JobStatus.DONE, None): count}
    # The audit log and the outbox have no unique key: a doubled effect would show here.
    assert len(audited) == len(announced) == count
    assert set(audited.values()) == set(announced.values()) == {1}
    return Counter(worker for _, worker in rows)


def test_two_worker_processes_apply_each_of_1000_effects_exactly_once(factory, spawn):
    schedule_due_jobs(factory, 1000)
    children = spawn(("w1", "--batch", "25"), ("w2", "--batch", "25"))
    go(*children)
    wait_for_effects(factory, 1000, timeout=15)
    stop(*children)
    by_worker = assert_each_effect_once(factory, 1000)
    assert by_worker["w1"] > 0 and by_worker["w2"] > 0, by_worker
    with factory.engine.connect() as conn:
        attempts = Counter(conn.execute(sa.select(jobs.c.attempts)).scalars())
    assert attempts == {1: 1000}  # SKIP LOCKED: no job was ever claimed by both workers


def test_jobs_of_a_worker_killed_mid_batch_are_finished_by_another_once(factory, spawn):
    schedule_due_jobs(factory, 200)
    doomed, survivor = spawn(
        ("doomed", "--delay", "0.05", "--batch", "20", "--lease", "1.5"),
        ("survivor", "--lease", "1.5"),
    )
    go(doomed)
    wait_for_effects(factory, 5, timeout=5)
    # Kill it while it holds a lease: between two batches it would hold none to take over.
    wait_for_lease(factory, "doomed", timeout=5)
    doomed.send_signal(signal.SIGKILL)
    assert doomed.wait(timeout=5) == -signal.SIGKILL
    killed_after = len(effect_rows(factory))
    go(survivor)
    wait_for_effects(factory, 200, timeout=10)
    stop(survivor)
    by_worker = assert_each_effect_once(factory, 200)
    assert by_worker["doomed"] == killed_after and 5 <= killed_after < 200
    with factory.engine.connect() as conn:
        retaken = conn.execute(sa.select(sa.func.count()).where(jobs.c.attempts == 2)).scalar_one()
    assert retaken > 0  # the survivor took over jobs whose lease the dead worker held
