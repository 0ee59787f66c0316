"""A workflow kept hot in one process is used only while the database still holds its version.

Two apps on one database stand for two web processes: each has its own hot cache. A step
saved by one process makes the other's hot copy stale; that copy must never be used, whether
the other process notices before loading (the version differs) or only at its save (the
compare-and-set refuses it and the step is redone from the stored state).
"""

import pytest

from engine.services import tasks as task_use_cases
from service.app import create_app
from tests import flows
from tests.conftest import PROCESSES, Api

CONSULTED = ("SXD", "STC", "SNNMT")


@pytest.fixture
def other(uow_factory, clock, tokens) -> Api:
    """Return a client of a second app on the same database: another process's view."""
    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                      "TESTING": True})
    yield Api(app.test_client(), tokens)
    app.extensions["dunghan"].uow.engine.dispose()


def hot(app):
    return app.extensions["dunghan"].uow.hot


def test_a_step_saved_by_another_process_makes_the_hot_copy_unused(api, app, other):
    instance_id, _ = flows.start(api, consulted=CONSULTED)
    assert flows.reply(other, "SXD", instance_id, "agree").status_code == 200  # saved elsewhere
    misses = hot(app).misses

    assert flows.reply(api, "STC", instance_id, "agree").status_code == 200
    assert hot(app).misses == misses + 1  # the copy of the version before SXD's reply was dropped
    hits = hot(app).hits
    assert flows.reply(api, "SNNMT", instance_id, "agree").status_code == 200
    assert hot(app).hits == hits + 1  # its own save is the latest version: used

    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    # SXD's reply, saved by the other process, counts: all three replied, the synthesis opens.
    assert [(t["agency"], t["bpmn_id"]) for t in view["open_tasks"]] == [
        ("STP", "synthesize")]
    assert [r["agency"] for r in view["variables"]["replies"]] == list(CONSULTED)


def test_a_hot_copy_gone_stale_after_loading_is_refused_at_save_and_the_step_redone(
        api, app, other, monkeypatch):
    instance_id, _ = flows.start(api, consulted=CONSULTED)
    sxd = flows.open_task(other, "SXD", instance_id)
    real_load = task_use_cases.load_instance
    interleaved = []

    def load_then_let_the_other_process_save(uow, *args, **kwargs):
        loaded = real_load(uow, *args, **kwargs)
        if not interleaved and uow.hot is hot(app):
            interleaved.append(True)  # once: the other process replies between load and save
            done = other("POST", f"/api/v1/tasks/{sxd['id']}/complete", "SXD",
                         json={"data": {"position": "agree"}})
            assert done.status_code == 200
        return loaded

    monkeypatch.setattr(task_use_cases, "load_instance", load_then_let_the_other_process_save)
    hits, misses = hot(app).hits, hot(app).misses

    assert flows.reply(api, "STC", instance_id, "agree").status_code == 200
    # The first attempt took the hot copy, lost the compare-and-set; the retry restored.
    assert (hot(app).hits, hot(app).misses) == (hits + 1, misses + 1)
    assert flows.reply(api, "SNNMT", instance_id, "agree").status_code == 200
    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    assert [(t["agency"], t["bpmn_id"]) for t in view["open_tasks"]] == [
        ("STP", "synthesize")]
    assert [(r["agency"], r["reasons"]) for r in view["variables"]["replies"]] == [
        ("SXD", ""), ("STC", flows.REASONS), ("SNNMT", flows.REASONS)]
