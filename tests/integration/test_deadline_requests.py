"""Nobody moves the clock that binds them: pauses and more time are asked for and decided by another."""

from datetime import UTC, datetime

import pytest

from tests import flows
from tests.forms import deploy_with_forms, fields_form
from tests.integration.test_agency_hours import ladder, legacy_pause
from tests.integration.test_deadlines_api import two_steps

PAUSE = {"kind": "pause", "working_days": 3, "reason": "Chờ Sở Tư pháp gửi bản đồ quy hoạch kèm dự thảo"}
MORE_TIME = {"kind": "more_time", "working_days": 3, "reason": "Cần họp liên phòng để thống nhất ý kiến"}
# Received Thursday 12/02/2026 09:00 with 5 working days: 13/02, then Tết, 23, 24, 25, 26/02.
DUE = "2026-02-26T10:00:00+00:00"


def ask(api, who, task_id, body):
    return api("POST", f"/api/v1/tasks/{task_id}/deadline-requests", who, json=body)


def decide(api, who, request_id, approve, reason=None):
    return api("POST", f"/api/v1/deadline-requests/{request_id}/decision", who,
               json={"approve": approve, "reason": reason})


def reply_task(api):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    return instance_id, flows.open_task(api, "SXD", instance_id)


def test_an_agency_can_no_longer_pause_resume_or_extend_its_own_deadline(api):
    _, task = reply_task(api)
    for action, body in [("pause", {"reason": "Chờ bổ sung hồ sơ"}), ("resume", {"reason": "Đã đủ hồ sơ"}),
                         ("extend", {"working_days": 3, "reason": "Cần thêm thời gian"})]:
        for who in ("SXD", "SXD_head"):
            response = api("POST", f"/api/v1/tasks/{task['id']}/{action}", who, json=body)
            assert response.status_code == 409, (action, who)
            assert "deadline-requests" in response.json["detail"]
    body = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json
    assert body["due"] == DUE and body["ledger"] == []
    assert api("POST", f"/api/v1/tasks/{task['id']}/pause", "STC", json={"reason": "Chờ bổ sung"}
               ).status_code == 403  # another agency's task: refused before anything else


def test_a_refused_pause_never_stopped_the_clock(api, clock):
    _, task = reply_task(api)
    clock.set(datetime(2026, 2, 24, 3, 0, tzinfo=UTC))  # Tuesday 24/02 10:00
    asked = ask(api, "SXD", task["id"], PAUSE)
    assert asked.status_code == 201 and asked.json["state"] == "pending"
    assert asked.json["approver_agency"] == "STP"
    assert ask(api, "SXD", task["id"], PAUSE).status_code == 409  # one pending request at a time
    # While asked, the clock runs: at the due instant the reply is overdue like any other.
    clock.set(datetime(2026, 2, 26, 10, 0, tzinfo=UTC))
    assert api("GET", "/api/v1/tasks?overdue=true", "VPUBND").json["total"] == 1
    # The asking agency, its own head and another agency's head may not decide; STP's head may.
    assert decide(api, "SXD_head", asked.json["id"], True).status_code == 403
    assert decide(api, "STC_head", asked.json["id"], True).status_code == 403
    assert decide(api, "STP", asked.json["id"], True).status_code == 403
    assert decide(api, "STP_head", asked.json["id"], False).status_code == 422  # no reason
    refused = decide(api, "STP_head", asked.json["id"], False, "Bản đồ đã gửi kèm công văn số 12")
    assert refused.status_code == 200 and refused.json["state"] == "refused"
    assert refused.json["task_due_at"] == DUE
    assert decide(api, "STP_head", asked.json["id"], True).status_code == 409  # decided once
    body = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json
    assert body["due"] == DUE and body["ledger"] == [] and body["paused_working_hours"] == 0
    assert [r["state"] for r in body["requests"]] == ["refused"]
    view = api("GET", f"/api/v1/instances/{task['instance_id']}", "STP").json
    history = [h["type"] for h in view["history"]]
    assert {"deadline_request.asked", "deadline_request.refused"} <= set(history)


def test_an_approved_pause_moves_the_due_date_by_the_paused_working_time(api, clock, uow_factory):
    _, task = reply_task(api)
    clock.set(datetime(2026, 2, 24, 3, 0, tzinfo=UTC))  # Tuesday 24/02 10:00: asked
    asked = ask(api, "SXD", task["id"], PAUSE).json
    assert api("GET", f"/api/v1/tasks/{task['id']}", "SXD").json["due_at"] == DUE  # still running
    clock.set(datetime(2026, 2, 25, 2, 0, tzinfo=UTC))  # Wednesday 25/02 09:00: approved
    approved = decide(api, "STP_head", asked["id"], True)
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    # Three working days paused: due Thu 26/02 17:00 moves over Fri 27/02 and Mon 02/03 to Tue 03/03 17:00.
    assert approved.json["task_due_at"] == "2026-03-03T10:00:00+00:00"
    body = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json
    assert body["due"] == "2026-03-03T10:00:00+00:00" and body["paused_working_hours"] == 24.0
    [entry] = body["ledger"]
    assert (entry["kind"], entry["working_days"], entry["old_due"]) == ("pause_granted", 3, DUE)
    assert entry["approved_by"] == approved.json["decided_by"] != asked["asked_by"]
    assert ("Tạm dừng 3 ngày làm việc theo đề nghị được duyệt lúc 09:00 ngày 25/02/2026"
            in body["explanation_vi"])
    # The ladder follows the new due date: the overdue rung now waits for 03/03 17:00.
    assert ladder(uow_factory, task["id"])["overdue"] == datetime(2026, 3, 3, 10, tzinfo=UTC)


def test_more_time_is_asked_once_and_approved_by_the_lead_agencys_head(api):
    _, task = reply_task(api)
    asked = ask(api, "SXD", task["id"], MORE_TIME)
    assert asked.status_code == 201 and asked.json["approver_agency"] == "STP"
    assert decide(api, "SXD_head", asked.json["id"], True).status_code == 403
    approved = decide(api, "STP_head", asked.json["id"], True, "Đồng ý, vì cần họp liên phòng")
    # 3 more working days from Thu 26/02 17:00: 27/02, 02/03, 03/03.
    assert approved.json["task_due_at"] == "2026-03-03T10:00:00+00:00"
    second = ask(api, "SXD", task["id"], MORE_TIME)
    assert second.status_code == 409 and "một lần" in second.json["detail"]
    ledger = api("GET", f"/api/v1/tasks/{task['id']}/deadline", "SXD").json["ledger"]
    assert [(e["kind"], e["working_days"]) for e in ledger] == [("extended", 3)]
    listed = api("GET", "/api/v1/deadline-requests?state=approved", "STP_head").json["items"]
    assert [r["id"] for r in listed] == [asked.json["id"]]
    assert api("GET", "/api/v1/deadline-requests", "STC").json["items"] == []  # not STC's business


def test_a_refused_more_time_request_still_counts_as_the_one_request(api):
    _, task = reply_task(api)
    asked = ask(api, "SXD", task["id"], MORE_TIME).json
    assert decide(api, "STP_head", asked["id"], False, "Thời hạn 5 ngày là đủ").status_code == 200
    assert ask(api, "SXD", task["id"], MORE_TIME).status_code == 409


@pytest.mark.parametrize("body", [
    {"kind": "pause", "working_days": 0, "reason": "lý do đủ dài"},
    {"kind": "pause", "working_days": "3", "reason": "lý do đủ dài"},
    {"kind": "sleep", "working_days": 3, "reason": "lý do đủ dài"},
    {"kind": "pause", "working_days": 3, "reason": "x"},
], ids=["zero-days", "days-as-text", "unknown-kind", "short-reason"])
def test_bad_requests_are_422(api, body):
    _, task = reply_task(api)
    assert ask(api, "SXD", task["id"], body).status_code == 422


def test_a_task_without_a_pause_approver_cannot_be_paused_and_another_agency_cannot_ask(api):
    deployed = deploy_with_forms(api, two_steps("3 working_days"), {"so_ngay": fields_form("days")})
    assert deployed.status_code == 201
    started = api("POST", "/api/v1/instances", "STP", json={"process_id": "thu_nghiem"}).json
    flows.complete(api, "STP", started["id"], {"days": 1})
    task = flows.open_task(api, "STP", started["id"])
    assert task["pause_approver"] == "none"
    refused = ask(api, "STP", task["id"], PAUSE)
    assert refused.status_code == 409 and "không cho phép tạm dừng" in refused.json["detail"]
    assert ask(api, "SXD", task["id"], PAUSE).status_code == 403


def test_an_own_head_approver_is_a_head_of_the_tasks_agency_but_never_the_asker(api):
    extra = '<spiffworkflow:property name="pause_approver" value="own_head" />'
    deployed = deploy_with_forms(api, two_steps("3 working_days", extra=extra),
                                 {"so_ngay": fields_form("days")})
    assert deployed.status_code == 201
    started = api("POST", "/api/v1/instances", "STP", json={"process_id": "thu_nghiem"}).json
    flows.complete(api, "STP", started["id"], {"days": 1})
    task = flows.open_task(api, "STP", started["id"])
    by_head = ask(api, "STP_head", task["id"], PAUSE).json
    assert decide(api, "STP_head", by_head["id"], True).status_code == 403  # nobody approves their own
    assert decide(api, "SXD_head", by_head["id"], False, "Không thuộc thẩm quyền").status_code == 403


@pytest.mark.parametrize("value", ["chairman", ""])
def test_an_unknown_pause_approver_is_refused_at_upload_naming_the_element(api, value):
    extra = f'<spiffworkflow:property name="pause_approver" value="{value}" />'
    response = deploy_with_forms(api, two_steps("3 working_days", extra=extra),
                                 {"so_ngay": fields_form("days")})
    assert response.status_code == 422
    problem = response.json["problems"][0]
    assert problem["element_id"] == "second"
    assert "Thuộc tính 'pause_approver' không hợp lệ" in problem["reason"]
    assert "lead, own_head, none" in problem["reason"]


def test_a_pause_started_before_pauses_needed_approval_can_still_be_ended(api, clock, uow_factory):
    _, task = reply_task(api)
    legacy_pause(uow_factory, task, datetime(2026, 2, 23, 3, 0, tzinfo=UTC))  # Monday 23/02 10:00
    assert ladder(uow_factory, task["id"]) == {}
    clock.set(datetime(2026, 2, 24, 3, 0, tzinfo=UTC))  # Tuesday 24/02 10:00: 8 working hours later
    resumed = api("POST", f"/api/v1/tasks/{task['id']}/resume", "SXD", json={"reason": "Đã đủ hồ sơ"})
    assert resumed.status_code == 200 and resumed.json["paused"] is False
    assert resumed.json["due_at"] == "2026-02-27T10:00:00+00:00"  # one working day later
    again = api("POST", f"/api/v1/tasks/{task['id']}/resume", "SXD", json={"reason": "Đã đủ hồ sơ"})
    assert again.status_code == 409
    assert ladder(uow_factory, task["id"])["overdue"] == datetime(2026, 2, 27, 10, tzinfo=UTC)


def test_the_report_counts_pauses_and_more_time_per_asking_agency(api, clock):
    _, task = reply_task(api)
    first = ask(api, "SXD", task["id"], PAUSE).json
    decide(api, "STP_head", first["id"], True)
    second = ask(api, "SXD", task["id"], PAUSE).json
    decide(api, "STP_head", second["id"], False, "Không có căn cứ tạm dừng")
    asked = ask(api, "SXD", task["id"], MORE_TIME).json
    decide(api, "STP_head", asked["id"], True)
    report = api("GET", "/api/v1/reports/discipline?month=2026-02", "SNV_home_affairs").json
    row = next(r for r in report["sections"]["consultations"]["rows"] if r["agency"] == "SXD")
    assert (row["pauses_requested"], row["pauses_approved"], row["more_time_requested"],
            row["more_time_approved"]) == (2, 1, 1, 1)
    assert "pauses_requested" not in report["sections"]["consultations"]["not_yet_recorded"]
