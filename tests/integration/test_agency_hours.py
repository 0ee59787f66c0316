"""Agencies with their own reception hours, and open due dates recomputed under corrected rules."""

from datetime import UTC, datetime, time

import sqlalchemy as sa

from engine.calendar import DEFAULT_OVERRIDE_FILE, WorkCalendar, WorkingHours, load_overrides
from engine.escalation import LadderBook
from engine.rules import Rules
from engine.store.jobs import jobs
from engine.store.tables import audit_events, settings, tasks
from tests import flows
from tests.conftest import PROCESSES, Api
from tests.forms import deploy_with_forms, fields_form
from tests.integration.test_deadlines_api import two_steps

# The Department of Construction's desk: 08:00-12:00, 13:30-17:30, dossiers taken until 16:00.
SXD_HOURS = WorkingHours(periods=((time(8), time(12)), (time(13, 30), time(17, 30))), cutoff=time(16))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def app_with(uow_factory, clock, rules: Rules):
    from service.app import create_app

    return create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "RULES": rules,
                       "PROCESSES_DIR": PROCESSES})


def agency_rules() -> Rules:
    province = WorkingHours()
    calendar = WorkCalendar(load_overrides(DEFAULT_OVERRIDE_FILE), province, {"SXD": SXD_HOURS})
    return Rules(calendar, LadderBook.from_file())


def legacy_pause(uow_factory, task: dict, at: datetime) -> None:
    """Pause a task's clock as agencies could themselves before migration 0020: open-ended."""
    with uow_factory() as uow:
        uow.ledger.add(task_id=task["id"], kind="paused", at=at, actor="token:legacy",
                       reason="Chờ bổ sung hồ sơ", working_days=0, old_due=None, new_due=None)
        uow.tasks.update(task["id"], paused_at=at)
        uow.jobs.cancel_prefix(f"ladder:{task['id']}:")
        uow.commit()


def ladder(uow_factory, task_id: str) -> dict[str, datetime]:
    """Return each pending rung of a task and its instant."""
    query = sa.select(jobs.c.key, jobs.c.due_at).where(jobs.c.key.like(f"ladder:{task_id}:%"),
                                                       jobs.c.status == "pending")
    with uow_factory.engine.connect() as conn:
        rows = conn.execute(query).all()
    return {key.split(":")[2]: due_at for key, due_at in rows}


def test_due_dates_explanations_and_the_ladder_use_the_owning_agency_hours(uow_factory, clock, tokens):
    api = Api(app_with(uow_factory, clock, agency_rules()).test_client(), tokens)
    # Thursday 12/02/2026 09:00: day 1 Friday 13/02, Tết, day 2 Monday 23/02.
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"), reply_days=2)
    sxd, stc = (flows.open_task(api, a, instance_id) for a in ("SXD", "STC"))
    assert sxd["due_at"] == "2026-02-23T10:30:00+00:00"  # 17:30, the close of SXD's day
    assert stc["due_at"] == "2026-02-23T10:00:00+00:00"  # 17:00, the province's close
    explained = api("GET", f"/api/v1/tasks/{sxd['id']}/deadline", "SXD").json
    assert "Hạn xử lý: 17:30 ngày 23/02/2026, cuối ngày làm việc thứ 2." in explained["explanation_vi"]
    # Reminder one working day (8 h of SXD's periods) before Monday 17:30: Friday 13/02 17:30;
    # escalation 16 working hours after: Tuesday, then Wednesday 25/02 17:30.
    assert ladder(uow_factory, sxd["id"]) == {"reminder": utc(2026, 2, 13, 10, 30),
                                             "overdue": utc(2026, 2, 23, 10, 30),
                                             "escalation": utc(2026, 2, 25, 10, 30),
                                             "deemed_consent": utc(2026, 2, 23, 10, 30)}
    assert ladder(uow_factory, stc["id"])["reminder"] == utc(2026, 2, 13, 10)


def test_a_one_stop_appointment_at_an_agency_desk_open_until_16h(uow_factory, clock, tokens):
    api = Api(app_with(uow_factory, clock, agency_rules()).test_client(), tokens)
    deployed = deploy_with_forms(api, two_steps("2 working_days", "one_stop"),
                                 {"so_ngay": fields_form("days")})
    assert deployed.status_code == 201
    clock.set(utc(2026, 2, 12, 8, 30))  # Thursday 15:30 in Hà Nội
    started = api("POST", "/api/v1/instances", "SXD", json={"process_id": "thu_nghiem"}).json
    flows.complete(api, "SXD", started["id"], {})
    task = flows.open_task(api, "SXD", started["id"])
    # Before SXD's 16:00 cut-off: 2 h to 17:30, 8 h Friday 13/02, Tết, then Monday 23/02
    # 08:00-12:00 (4 h) and 13:30-15:30 (2 h). At the province's hours (cut-off 15:00) it
    # would have started Friday 07:30 and ended Monday 17:00.
    assert task["due_at"] == "2026-02-23T08:30:00+00:00"
    text = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json["explanation_vi"]
    assert "Tiếp nhận lúc 15:30 ngày 12/02/2026 (Thứ Năm), trong giờ làm việc" in text
    assert text.endswith("Hẹn trả kết quả: 15:30 ngày 23/02/2026.")


def test_open_due_dates_written_under_the_double_shift_are_recomputed_once(uow_factory, clock, tokens,
                                                                           api):
    clock.set(utc(2026, 2, 12, 9))  # Thursday 16:00 in Hà Nội
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"), reply_days=7)
    assert flows.reply(api, "SXD", instance_id, "agree").status_code == 200
    # What the previous release stored: 7 days counted from Monday 23/02, due Tuesday 03/03,
    # the rule without a model, and its own calendar fingerprint.
    old_due = utc(2026, 3, 3, 10)
    with uow_factory.engine.begin() as conn:
        rows = conn.execute(sa.select(tasks.c.id, tasks.c.deadline).where(tasks.c.instance_id == instance_id))
        for row in [r for r in rows if r.deadline]:  # the replies; the lead's draft has no deadline
            stored = {k: v for k, v in row.deadline.items() if k != "model"}
            conn.execute(tasks.update().where(tasks.c.id == row.id).values(due_at=old_due, deadline=stored))
        conn.execute(settings.update().values(value="previous-release"))
    stc = flows.open_task(api, "STC", instance_id)
    assert stc["due_at"] == "2026-03-03T10:00:00+00:00"

    restarted = Api(app_with(uow_factory, clock, Rules.from_files()).test_client(), api.tokens)
    # Day 1 Friday 13/02, Tết, day 7 Monday 02/03.
    assert flows.open_task(restarted, "STC", instance_id)["due_at"] == "2026-03-02T10:00:00+00:00"
    ledger = restarted("GET", f"/api/v1/tasks/{stc['id']}/deadline", "STC").json["ledger"]
    assert [(e["kind"], e["old_due"], e["new_due"]) for e in ledger] == [
        ("recomputed", "2026-03-03T10:00:00+00:00", "2026-03-02T10:00:00+00:00")]
    assert "quy tắc tính thời hạn" in ledger[0]["reason"]
    with uow_factory.engine.connect() as conn:
        audit = conn.execute(sa.select(audit_events.c.task_id).where(
            audit_events.c.type == "deadline.recomputed")).scalars().all()
        done = conn.execute(sa.select(tasks.c.due_at).where(
            tasks.c.instance_id == instance_id, tasks.c.agency_code == "SXD")).scalar_one()
    assert audit == [stc["id"]]
    assert done == old_due  # the completed reply keeps the due date it was judged against
    assert ladder(uow_factory, stc["id"])["overdue"] == utc(2026, 3, 2, 10)
    Api(app_with(uow_factory, clock, Rules.from_files()).test_client(), api.tokens)
    again = restarted("GET", f"/api/v1/tasks/{stc['id']}/deadline", "STC").json["ledger"]
    assert len(again) == 1  # the next start finds the same fingerprint: nothing recomputed twice


def test_recompute_skips_tasks_without_a_deadline_and_keeps_a_paused_clock_silent(uow_factory, clock,
                                                                                 tokens, api):
    draft = api("POST", "/api/v1/instances", "STP", json={"process_id": "lay_y_kien_phoi_hop"}).json
    instance_id, _ = flows.start(api, consulted=("STC",), reply_days=7)
    stc = flows.open_task(api, "STC", instance_id)
    legacy_pause(uow_factory, stc, clock.now())
    assert ladder(uow_factory, stc["id"]) == {}
    with uow_factory.engine.begin() as conn:
        conn.execute(tasks.update().where(tasks.c.id == stc["id"]).values(due_at=utc(2026, 3, 3, 10)))
        conn.execute(settings.update().values(value="previous-release"))

    restarted = Api(app_with(uow_factory, clock, Rules.from_files()).test_client(), api.tokens)
    # The lead's open draft has no deadline and is left alone. The paused reply, received
    # Thursday 12/02 09:00, gets its due date back (13/02, 23-27/02, then day 7 on Monday
    # 02/03) but no reminder while its clock is stopped.
    assert flows.open_task(restarted, "STP", draft["id"])["due_at"] is None
    assert flows.open_task(restarted, "STC", instance_id)["due_at"] == "2026-03-02T10:00:00+00:00"
    assert ladder(uow_factory, stc["id"]) == {}
