"""Due dates a civil servant would count by hand, shown, paused, extended and explained over the API."""

from datetime import UTC, date, datetime

import pytest

from engine.calendar import DEFAULT_OVERRIDE_FILE, Override, WorkCalendar, load_overrides
from engine.escalation import LadderBook
from engine.rules import Rules
from tests import flows
from tests.conftest import PROCESSES
from tests.forms import deploy_with_forms, fields_form
from tests.integration.test_processes_api import bpmn


def test_consultation_started_at_1600_before_tet_is_due_2_march(api, clock):
    clock.set(datetime(2026, 2, 12, 9, 0, tzinfo=UTC))  # Thursday 16:00 in Hà Nội, after the 15:00 cut-off
    instance_id, _ = flows.start(api, consulted=("SXD",), reply_days=7)
    task = flows.open_task(api, "SXD", instance_id)
    # Day 1 is Friday 13/2; Tết 14–22/2 is skipped; 23, 24, 25, 26, 27/2 and 2/3 are days 2–7.
    assert task["due_at"] == "2026-03-02T10:00:00+00:00"
    listed = api("GET", "/api/v1/tasks?due_before=2026-03-02T17:00:01%2B07:00", "SXD").json
    assert [t["id"] for t in listed["items"]] == [task["id"]]


def test_deadline_explanation_names_every_skipped_day_in_vietnamese(api, clock):
    clock.set(datetime(2026, 2, 12, 9, 0, tzinfo=UTC))
    instance_id, _ = flows.start(api, consulted=("SXD",), reply_days=7)
    task = flows.open_task(api, "SXD", instance_id)
    body = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json
    assert body["rule"] == "7 ngày làm việc" and body["model"] == "day_count"
    assert body["cutoff_applied"] is False and body["first_counted_day"] == "2026-02-13"
    skipped = {d["date"]: d["reason"] for d in body["skipped_days"]}
    assert skipped["2026-02-17"] == "Tết Nguyên Đán"
    assert skipped["2026-02-14"] == "Thứ Bảy"
    assert body["explanation_vi"].startswith("Cách tính: đếm theo ngày")
    assert "Ngày làm việc thứ nhất: 13/02/2026." in body["explanation_vi"]
    assert body["due"] == task["due_at"]
    assert api("GET", f"/api/v1/tasks/{task['id']}/deadline", "STC").status_code == 403


def test_an_approved_pause_spanning_the_april_holidays_skips_them(api, clock):
    clock.set(datetime(2026, 4, 24, 3, 0, tzinfo=UTC))  # Friday 24/4/2026 10:00
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    # 27/4 (Hùng Kings, substitute), 30/4 and 1/5 are off: 28, 29/4, 4, 5, 6/5 are counted.
    assert task["due_at"] == "2026-05-06T10:00:00+00:00"
    asked = api("POST", f"/api/v1/tasks/{task['id']}/deadline-requests", "SXD",
                json={"kind": "pause", "working_days": 2, "reason": "Chờ cơ quan chủ trì bổ sung hồ sơ"})
    decided = api("POST", f"/api/v1/deadline-requests/{asked.json['id']}/decision", "STP_head",
                  json={"approve": True})
    # Two working days from Wednesday 6/5 17:00: Thursday 7/5 and Friday 8/5.
    assert decided.json["task_due_at"] == "2026-05-08T10:00:00+00:00"
    body = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json
    assert body["paused_working_hours"] == 16.0 and body["paused"] is False
    assert [e["kind"] for e in body["ledger"]] == ["pause_granted"]


def test_more_time_approved_by_the_lead_is_in_the_history(api):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    asked = api("POST", f"/api/v1/tasks/{task['id']}/deadline-requests", "SXD",
                json={"kind": "more_time", "working_days": 3, "reason": "Cần lấy thêm ý kiến chuyên gia"})
    api("POST", f"/api/v1/deadline-requests/{asked.json['id']}/decision", "STP_head", json={"approve": True})
    ledger = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json["ledger"]
    assert ledger[0]["kind"] == "extended" and ledger[0]["approved_by"]
    history = [h["type"] for h in api("GET", f"/api/v1/instances/{instance_id}", "STP").json["history"]]
    assert "deadline.extended" in history


def test_editing_the_override_file_recomputes_open_due_dates(app, api, tmp_path, uow_factory, clock):
    from service.app import create_app

    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    assert task["due_at"] == "2026-02-26T10:00:00+00:00"
    extra_day_off = Override(date(2026, 2, 24), "day_off", "Nghỉ đột xuất (thử nghiệm)",
                             "Quyết định giả định")
    calendar = WorkCalendar([*load_overrides(DEFAULT_OVERRIDE_FILE), extra_day_off])
    rules = Rules(calendar, LadderBook.from_file())
    restarted = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "RULES": rules,
                            "PROCESSES_DIR": PROCESSES})
    client = restarted.test_client()
    auth = {"Authorization": f"Bearer {api.tokens['SXD']}"}
    moved = client.get(f"/api/v1/tasks/{task['id']}", headers=auth).json
    assert moved["due_at"] == "2026-02-27T10:00:00+00:00"
    ledger = client.get(f"/api/v1/tasks/{task['id']}/deadline", headers=auth).json["ledger"]
    assert [(e["kind"], e["old_due"], e["new_due"]) for e in ledger] == [
        ("recomputed", "2026-02-26T10:00:00+00:00", "2026-02-27T10:00:00+00:00")]
    create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "RULES": rules,
                "PROCESSES_DIR": PROCESSES})
    again = client.get(f"/api/v1/tasks/{task['id']}/deadline", headers=auth).json["ledger"]
    assert len(again) == 1  # unchanged calendar: nothing recomputed twice


TWO_STEPS = """
    <bpmn:userTask id="work" name="Bước một"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="agency" value="lead_agency" />
      <spiffworkflow:property name="form" value="so_ngay" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="second" name="Bước hai"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="agency" value="lead_agency" />
      <spiffworkflow:property name="deadline" value="{deadline}" />{extra}</spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="second" />
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />"""


def two_steps(deadline: str, model: str | None = None, extra: str = "") -> bytes:
    if model:
        extra += f'<spiffworkflow:property name="deadline_model" value="{model}" />'
    return bpmn(TWO_STEPS.format(deadline=deadline, extra=extra)).replace(
        b"<bpmn:flowNodeRef>work</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>work</bpmn:flowNodeRef><bpmn:flowNodeRef>second</bpmn:flowNodeRef>")


@pytest.mark.parametrize(("deadline", "model", "reason"), [
    ("5 fortnights", None, "Đơn vị thời hạn"),
    ("-2 working_days", None, "không được âm"),
    ("working_days", None, "dạng"),
    ("__import__('os') working_days", None, "invalid variable name"),
    ("5 working_days", "ngay_le", "Cách tính thời hạn 'ngay_le' không hợp lệ"),
    ("5 calendar_days", "one_stop", "chỉ dùng với đơn vị working_days"),
], ids=["unknown-unit", "negative", "no-amount", "sandbox", "unknown-model", "one-stop-calendar-days"])
def test_bad_deadline_rules_are_refused_at_upload(api, deadline, model, reason):
    response = deploy_with_forms(api, two_steps(deadline, model), {"so_ngay": fields_form("days")})
    assert response.status_code == 422
    problem = response.json["problems"][0]
    assert problem["element_id"] == "second" and reason in problem["reason"]


@pytest.mark.parametrize(("data", "reason"), [
    ({}, "days"), ({"days": -1}, "không được âm"), ({"days": "năm"}, "phải là một số"),
], ids=["missing-variable", "negative", "not-a-number"])
def test_bad_deadline_values_at_run_time_are_recorded_on_the_instance(api, data, reason):
    deployed = deploy_with_forms(api, two_steps("days working_days"), {"so_ngay": fields_form("days")})
    assert deployed.status_code == 201
    started = api("POST", "/api/v1/instances", "STP", json={"process_id": "thu_nghiem"}).json
    first = started["open_tasks"][0]
    response = api("POST", f"/api/v1/tasks/{first['id']}/complete", "STP", json={"data": data})
    assert response.status_code == 422 and reason in response.json["detail"]
    view = api("GET", f"/api/v1/instances/{started['id']}", "STP").json
    assert [t["bpmn_id"] for t in view["open_tasks"]] == ["work"]  # nothing moved
    assert view["history"][-1]["type"] == "instance.step_failed"
    ok = api("POST", f"/api/v1/tasks/{first['id']}/complete", "STP", json={"data": {"days": 2}})
    assert ok.status_code == 200


def test_a_one_stop_deadline_keeps_the_hour_of_receipt(api, clock):
    deployed = deploy_with_forms(api, two_steps("3 working_days", "one_stop"),
                                 {"so_ngay": fields_form("days")})
    assert deployed.status_code == 201
    clock.set(datetime(2026, 3, 9, 3, 0, tzinfo=UTC))  # Monday 09/03/2026 10:00 in Hà Nội
    started = api("POST", "/api/v1/instances", "STP", json={"process_id": "thu_nghiem"}).json
    flows.complete(api, "STP", started["id"], {})
    task = flows.open_task(api, "STP", started["id"])
    assert task["bpmn_id"] == "second"
    # 3 working days = 24 working hours from Monday 10:00: Thursday 12/03/2026 10:00.
    assert task["due_at"] == "2026-03-12T03:00:00+00:00"
    body = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "STP").json
    assert body["model"] == "one_stop" and body["clock_start"] == "2026-03-09T03:00:00+00:00"
    assert body["explanation_vi"].startswith("Cách tính: hẹn trả theo giờ làm việc")
    assert "Hẹn trả kết quả: 10:00 ngày 12/03/2026." in body["explanation_vi"]
