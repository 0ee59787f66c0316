"""Reminders, overdue marking, escalation and deemed consent fire at hand-counted instants.

Every test runs a real Worker against the database on a frozen clock that jumps across Tết 2026.
"""

from datetime import UTC, datetime

import sqlalchemy as sa

from engine import directory, services
from engine.escalation import Ladder, LadderBook
from engine.identity import Role
from engine.rules import Rules
from engine.store.tables import outbox, violations
from engine.worker import Worker
from tests import flows
from tests.conftest import PROCESSES, Api
from tests.unit.test_deadlines import BOUNDARY


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_api(uow_factory, clock, tokens, ladder: Ladder):
    from service.app import create_app

    rules = Rules.from_files()
    rules = Rules(rules.calendar, LadderBook(ladder, {}, {}))
    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "RULES": rules,
                      "PROCESSES_DIR": PROCESSES})
    worker = Worker(uow_factory, clock, services.handlers(rules), worker_id="test-worker")
    return Api(app.test_client(), tokens), worker


def events(uow_factory, kind: str) -> list[dict]:
    with uow_factory.engine.connect() as conn:
        rows = conn.execute(sa.select(outbox.c.payload).where(outbox.c.type == kind).order_by(outbox.c.id))
        return list(rows.scalars())


def run_at(clock, worker, at: datetime) -> int:
    clock.set(at)
    return worker.run_once()


def test_on_time_late_and_silent_agencies_across_tet(uow_factory, clock, tokens):
    # Silence counts as consent 3 working days after the due date, so a late reply is still taken.
    api, worker = make_api(uow_factory, clock, tokens, Ladder(deemed_consent_after=24))
    # Thursday 12/2/2026 09:00: counted 13/2, then Tết (14–22/2), 23, 24, 25, 26/2.
    instance_id, _ = flows.start(api, consulted=("SXD", "STC", "SNNMT"))
    due = "2026-02-26T10:00:00+00:00"  # 26/2 17:00 in Hà Nội
    assert {flows.open_task(api, a, instance_id)["due_at"] for a in ("SXD", "STC", "SNNMT")} == {due}

    clock.set(utc(2026, 2, 13, 3))
    assert flows.reply(api, "SXD", instance_id, "agree").status_code == 200  # on time

    assert run_at(clock, worker, utc(2026, 2, 25, 9, 59, 59)) == 0  # one second early: nothing
    assert run_at(clock, worker, utc(2026, 2, 25, 10)) == 2  # 25/2 17:00, one working day before
    assert sorted(e["agency"] for e in events(uow_factory, "task.reminded")) == ["SNNMT", "STC"]
    assert flows.open_task(api, "STC", instance_id)["escalation_level"] == 1

    assert run_at(clock, worker, utc(2026, 2, 26, 10)) == 2  # at the due date
    overdue = events(uow_factory, "task.overdue")
    assert sorted(e["agency"] for e in overdue) == ["SNNMT", "STC"]
    assert {e["agency_head"] for e in overdue} == {"Phạm Thị Tài", "Vũ Thị Nông"}
    listed = api("GET", "/api/v1/overdue", "VPUBND").json
    assert sorted((t["agency"], t["escalated"]) for t in listed) == [("SNNMT", False), ("STC", False)]
    assert api("GET", "/api/v1/overdue", "STC").status_code == 403

    clock.set(utc(2026, 2, 27, 3))  # STC answers a day late
    assert flows.reply(api, "STC", instance_id, "agree_with_amendments").status_code == 200

    # +2 working days (27/2, 2/3): STC's remaining rungs were cancelled when it replied.
    assert run_at(clock, worker, utc(2026, 3, 2, 10)) == 1
    assert [e["agency"] for e in events(uow_factory, "task.escalated")] == ["SNNMT"]
    [entry] = api("GET", "/api/v1/overdue", "VPUBND").json
    assert entry["agency"] == "SNNMT" and entry["escalated"] and entry["agency_head"] == "Vũ Thị Nông"

    assert run_at(clock, worker, utc(2026, 3, 3, 10)) == 1  # +3 working days: deemed consent
    assert [e["agency"] for e in events(uow_factory, "reply.deemed_agreed")] == ["SNNMT"]
    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    assert [r["position"] for r in view["variables"]["replies"]] == [
        "agree", "agree_with_amendments", "deemed_agree"]
    synthesis = {"synthesis": "Tiếp thu ý kiến Sở Tài chính; Sở NN&MT coi như đồng ý."}
    assert flows.complete(api, "STP", instance_id, synthesis).json["instance_status"] == "completed"

    with uow_factory.engine.connect() as conn:
        breaches = conn.execute(sa.select(violations.c.agency_code, violations.c.kind)).all()
    assert sorted(breaches) == [("SNNMT", "deemed_consent"), ("SNNMT", "escalated"),
                                ("SNNMT", "overdue"), ("STC", "late_completion"), ("STC", "overdue")]
    assert run_at(clock, worker, utc(2026, 3, 30, 10)) == 0  # nothing left, nothing twice


def test_silence_is_consent_at_the_due_date_by_default(uow_factory, clock, tokens):
    api, worker = make_api(uow_factory, clock, tokens, Ladder())
    instance_id, _ = flows.start(api, consulted=("SXD",))
    run_at(clock, worker, utc(2026, 2, 26, 9, 59, 59))
    assert flows.open_task(api, "SXD", instance_id)["state"] == "open"
    run_at(clock, worker, utc(2026, 2, 26, 10))
    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    assert [t["bpmn_id"] for t in view["open_tasks"]] == ["synthesize"]
    assert view["variables"]["replies"][0]["position"] == "deemed_agree"


def test_without_deemed_consent_a_silent_agency_stays_open_and_escalated(uow_factory, clock, tokens):
    api, worker = make_api(uow_factory, clock, tokens, Ladder())
    instance_id, _ = flows.start(api, consulted=("SXD",), silence_is_consent=False)
    run_at(clock, worker, utc(2026, 3, 2, 10))
    task = flows.open_task(api, "SXD", instance_id)
    assert task["state"] == "open" and task["escalation_level"] == 3


def test_an_approved_pause_moves_every_rung_to_the_new_due_date(uow_factory, clock, tokens):
    api, worker = make_api(uow_factory, clock, tokens, Ladder())
    instance_id, _ = flows.start(api, consulted=("SXD",), silence_is_consent=False)
    task = flows.open_task(api, "SXD", instance_id)
    asked = api("POST", f"/api/v1/tasks/{task['id']}/deadline-requests", "SXD",
                json={"kind": "pause", "working_days": 3, "reason": "Chờ bổ sung tài liệu"}).json
    decided = api("POST", f"/api/v1/deadline-requests/{asked['id']}/decision", "STP_head",
                  json={"approve": True}).json
    assert decided["task_due_at"] == "2026-03-03T10:00:00+00:00"  # 26/02 + 27/02, 02/03, 03/03
    assert run_at(clock, worker, utc(2026, 2, 27, 10)) == 0  # the old date's rungs were cancelled
    assert run_at(clock, worker, utc(2026, 3, 10, 10)) == 3  # reminder, overdue, escalation
    assert flows.open_task(api, "SXD", instance_id)["escalation_level"] == 3


def test_a_boundary_timer_drawn_in_bpmn_fires_through_the_worker(uow_factory, clock, tokens):
    api, worker = make_api(uow_factory, clock, tokens, Ladder(reminder_before=None, overdue_after=None,
                                                              escalate_after=None))
    deployed = api("POST", "/api/v1/processes", "SKHCN_designer", data=BOUNDARY.encode(),
                   headers={"Content-Type": "application/xml"})
    assert deployed.status_code == 201
    started = api("POST", "/api/v1/instances", "STP",
                  json={"process_id": "han_tra_loi", "variables": {"reply_days": 2}}).json
    assert started["open_tasks"][0]["due_at"] == "2026-02-23T10:00:00+00:00"  # 13/2, 23/2
    assert run_at(clock, worker, utc(2026, 2, 23, 10)) == 0  # at the instant: not yet past
    assert run_at(clock, worker, utc(2026, 2, 23, 10, 0, 0, 1)) == 1
    view = api("GET", f"/api/v1/instances/{started['id']}", "STP").json
    assert view["status"] == "completed" and view["open_tasks"] == []
    assert api("GET", "/api/v1/tasks?state=withdrawn", "STP").json["total"] == 1
    with uow_factory.engine.connect() as conn:
        lag = conn.execute(sa.text("SELECT lag_seconds FROM jobs WHERE kind = 'timer'")).scalar_one()
    assert lag == 0.0


def test_metrics_expose_lag_backlog_and_heartbeat(uow_factory, clock, tokens):
    api, worker = make_api(uow_factory, clock, tokens, Ladder())
    flows.start(api, consulted=("SXD",))
    # The worker wakes 3 s after the due date: the reminder is a day late, the other two 3 s.
    run_at(clock, worker, utc(2026, 2, 26, 10, 0, 3))
    worker._beat()
    text = api("GET", "/metrics").data.decode()
    assert 'dunghan_job_lag_seconds_bucket{le="2"} 0' in text
    assert 'dunghan_job_lag_seconds_bucket{le="5"} 2' in text
    assert 'dunghan_job_lag_seconds_bucket{le="+Inf"} 3' in text
    assert "dunghan_job_lag_seconds_sum 86409.000000" in text
    assert "dunghan_job_backlog 0" in text
    assert 'dunghan_worker_heartbeat_timestamp_seconds{worker="test-worker"}' in text


NO_DUE_RUNGS = dict(reminder_before=None, overdue_after=None, escalate_after=None)


def test_a_task_nobody_claimed_for_a_working_day_goes_to_the_head(uow_factory, clock, tokens):
    api, worker = make_api(uow_factory, clock, tokens, Ladder(**NO_DUE_RUNGS, unclaimed_after=8))
    instance_id, _ = flows.start(api, consulted=("SXD",))  # opened Thursday 12/02 09:00
    # 8 working hours: 2.5 h to 11:30 and 4 h from 13:00 on Thursday, then 1.5 h from 07:30 Friday.
    assert run_at(clock, worker, utc(2026, 2, 13, 1, 59)) == 0
    assert run_at(clock, worker, utc(2026, 2, 13, 2, 0)) == 1  # Friday 13/02 09:00
    history = api("GET", f"/api/v1/instances/{instance_id}", "STP").json["history"]
    [event] = [h for h in history if h["type"] == "task.unclaimed"]
    task = flows.open_task(api, "SXD", instance_id)
    assert event["task_id"] == task["id"] and task["escalation_level"] == 0
    with uow_factory() as uow:
        assert uow.violations.for_instance(instance_id) == []  # a call to the head, not a breach
        detail = uow.journal.history(instance_id)[-1]["detail"]
    assert (detail["rung"], detail["agency_head"]) == ("unclaimed", "Hoàng Văn Dựng")


def test_a_task_claimed_in_time_never_reaches_the_head(uow_factory, clock, tokens):
    api, worker = make_api(uow_factory, clock, tokens, Ladder(**NO_DUE_RUNGS, unclaimed_after=8))
    user_id = directory.seed_user(uow_factory(), clock, "cv.sxd.nhan", "Trần Văn Nhận", "SXD",
                                  ["officer"], None)
    api.tokens["cv.sxd.nhan"] = directory.issue_token(uow_factory(), clock, "SXD", [Role.OFFICER],
                                                      "cv.sxd.nhan", user_id=user_id)
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    assert api("POST", f"/api/v1/tasks/{task['id']}/claim", "cv.sxd.nhan").status_code == 200
    assert run_at(clock, worker, utc(2026, 2, 13, 2, 0)) == 1  # the rung runs and finds a holder
    history = api("GET", f"/api/v1/instances/{instance_id}", "STP").json["history"]
    assert "task.unclaimed" not in [h["type"] for h in history]
