"""Two-phase handlers: the outside effect runs with no transaction open, its record commits."""

from datetime import timedelta

import sqlalchemy as sa

from engine.retry import RetryPolicy
from engine.store.jobs import JobStatus
from engine.store.tables import settings
from engine.worker import AttemptFailed, Worker

TWO_TRIES = RetryPolicy(max_attempts=2, base=timedelta(seconds=10), jitter=0)


class Courier:
    """Pretend to post a parcel; remember whether a database connection was held meanwhile."""

    def __init__(self, factory, outcomes: list[str]):
        self.factory, self.outcomes = factory, outcomes
        self.connections_held: list[int] = []
        self.abandoned: list[str] = []

    def perform(self, job, now) -> str:
        self.connections_held.append(self.factory.engine.pool.checkedout())
        return self.outcomes.pop(0)

    def record(self, uow, job, result, now) -> None:
        uow.settings.put(f"{job.key}:{job.attempts}", result)
        if result != "delivered":
            raise AttemptFailed(f"courier says {result}", permanent=result == "refused")

    def abandon(self, uow, job, error, now) -> None:
        uow.settings.put(f"{job.key}:abandoned", error)
        self.abandoned.append(error)


def notes(factory) -> dict:
    with factory.engine.connect() as conn:
        return dict(conn.execute(sa.select(settings.c.key, settings.c.value)).all())


def schedule(factory, clock, key: str) -> None:
    with factory() as uow:
        uow.jobs.schedule("parcel", key, clock.now(), {}, clock.now())
        uow.commit()


def test_perform_holds_no_connection_and_record_commits_with_the_job(uow_factory, clock):
    courier = Courier(uow_factory, ["delivered"])
    schedule(uow_factory, clock, "parcel:1")
    assert Worker(uow_factory, clock, {"parcel": courier}, "w1").run_once() == 1
    assert courier.connections_held == [0]
    assert notes(uow_factory)["parcel:1:1"] == "delivered"
    with uow_factory() as uow:
        assert uow.jobs.get("parcel:1").status == JobStatus.DONE


def test_a_failed_attempt_keeps_its_record_and_is_retried_then_abandoned(uow_factory, clock):
    courier = Courier(uow_factory, ["nobody home", "nobody home"])
    schedule(uow_factory, clock, "parcel:2")
    worker = Worker(uow_factory, clock, {"parcel": courier}, "w1", policy=TWO_TRIES)
    worker.run_once()
    with uow_factory() as uow:
        job = uow.jobs.get("parcel:2")
    assert (job.status, job.last_error) == (JobStatus.PENDING, "courier says nobody home")
    assert job.due_at == clock.now() + timedelta(seconds=10)
    clock.advance(seconds=10)
    worker.run_once()
    assert {k: v for k, v in notes(uow_factory).items() if k.startswith("parcel")} == {
        "parcel:2:1": "nobody home", "parcel:2:2": "nobody home",
        "parcel:2:abandoned": "courier says nobody home"}
    with uow_factory() as uow:
        assert uow.jobs.get("parcel:2").status == JobStatus.FAILED


def test_a_permanent_refusal_gives_up_at_once(uow_factory, clock):
    courier = Courier(uow_factory, ["refused"])
    schedule(uow_factory, clock, "parcel:3")
    Worker(uow_factory, clock, {"parcel": courier}, "w1").run_once()
    assert courier.abandoned == ["courier says refused"]
    with uow_factory() as uow:
        assert uow.jobs.get("parcel:3").status == JobStatus.FAILED


def test_a_record_after_the_lease_was_lost_is_rolled_back(uow_factory, clock):
    schedule(uow_factory, clock, "parcel:4")
    fast = Worker(uow_factory, clock, {"parcel": Courier(uow_factory, ["delivered"])}, "fast")
    stalling = Courier(uow_factory, ["delivered"])
    perform = stalling.perform

    def stalls_past_the_lease(job, now):
        clock.advance(seconds=61)
        fast.run_once()  # another worker takes the job over and delivers it again
        return perform(job, now)

    stalling.perform = stalls_past_the_lease
    Worker(uow_factory, clock, {"parcel": stalling}, "slow").run_once()
    recorded = {k for k in notes(uow_factory) if k.startswith("parcel:4")}
    assert recorded == {"parcel:4:2"}  # only the worker holding the lease recorded
