"""Assigned tasks over the API on a frozen clock: registration, reports, extension, completion, access.

The clock stands at 09:00 on Monday 2 March 2026 (02:00 UTC); no holiday falls in March 2026,
so working days are Monday to Friday. Every expected instant is 17:00 Hà Nội, 10:00 UTC.
"""

from datetime import UTC, datetime

import pytest

from tests import assignment_flows as flows

MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def at_monday(clock):
    clock.set(MONDAY)
    return clock


def test_provincial_office_registers_a_task_with_one_lead_and_a_cooperating_agency(api, at_monday):
    created = flows.register(api)
    assert created.status_code == 201, created.json
    opened = {(t["bpmn_id"], t["agency"], t["due_at"]) for t in created.json["open_tasks"]}
    # 10 working days from Monday 2/3: 3, 4, 5, 6, 9, 10, 11, 12, 13, 16/3. The first weekly
    # report is due at the end of the first week, Monday 9/3; STC's 5 days: 3, 4, 5, 6, 9/3.
    assert opened == {("carry_out", "SXD", "2026-03-16T10:00:00+00:00"),
                      ("report_progress", "SXD", "2026-03-09T10:00:00+00:00"),
                      ("send_input", "STC", "2026-03-09T10:00:00+00:00")}
    [row] = flows.listed(api)
    assert row["id"] == created.json["id"]
    assert (row["lead_agency"], row["head_name"], row["state"], row["due_at"], row["overdue"]) == (
        "SXD", "Hoàng Văn Dựng", "in_progress", "2026-03-16T10:00:00+00:00", False)
    assert row["source"] == {"kind": "conclusion", "number": "125/TB-UBND", "date": "2026-02-27",
                             "assigned_by": "vice_chairman", "assigned_by_name": "Nguyễn Văn Bình"}
    assert row["cooperating_agencies"] == ["STC"]


def test_a_deadline_given_as_a_date_ends_that_day_or_the_next_working_day(api, at_monday):
    on_tuesday = flows.register(api, deadline_kind="date", deadline_date="2026-03-31")
    on_saturday = flows.register(api, deadline_kind="date", deadline_date="2026-03-28")
    due = {r["id"]: r["due_at"] for r in flows.listed(api)}
    assert due[on_tuesday.json["id"]] == "2026-03-31T10:00:00+00:00"
    assert due[on_saturday.json["id"]] == "2026-03-30T10:00:00+00:00"  # Saturday: Monday 30/3


def test_a_registration_without_its_deadline_or_lead_is_refused_field_by_field(api, at_monday):
    answer = flows.register(api, deadline_kind="date", assigned_agency="KHONGCO")
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"deadline_date", "assigned_agency"}
    past = flows.register(api, deadline_kind="date", deadline_date="2026-02-20")
    assert past.status_code == 422
    assert "20/02/2026" in past.json["detail"]
    assert flows.listed(api) == []


def test_an_agency_cannot_register_an_assigned_task(api, at_monday):
    answer = flows.register(api, as_="SXD")
    assert answer.status_code == 403
    assert answer.json["detail"] == "Vai trò này không được khởi tạo hồ sơ của quy trình này"
    assert flows.register(api, as_="SXD_head").status_code == 403
    assert flows.listed(api) == []


def test_each_agency_sees_only_the_tasks_it_leads_and_the_office_sees_all(api, at_monday):
    flows.register(api)
    flows.register(api, assigned_agency="STC", cooperating_agencies=[])
    assert sorted(r["lead_agency"] for r in flows.listed(api)) == ["STC", "SXD"]
    assert [r["lead_agency"] for r in flows.listed(api, "SXD")] == ["SXD"]
    assert [r["lead_agency"] for r in flows.listed(api, "STC")] == ["STC"]
    assert flows.listed(api, "STP") == []
    assert api("GET", "/api/v1/assignments?lead_agency=SXD", "STC").status_code == 403
    assert [r["lead_agency"] for r in flows.listed(api, "VPUBND", "?lead_agency=STC")] == ["STC"]
    assert api("GET", "/api/v1/assignments/backlog?agency=SXD", "STC").status_code == 403
    assert api("GET", "/api/v1/assignments").status_code == 401


def test_filters_by_source_state_and_due_dates(api, at_monday):
    first = flows.register(api).json["id"]
    second = flows.register(api, source_kind="document", source_number="88/UBND-KT",
                            deadline_kind="date", deadline_date="2026-04-30").json["id"]
    assert [r["id"] for r in flows.listed(api, query="?source_kind=document")] == [second]
    assert [r["id"] for r in flows.listed(api, query="?source_number=125/TB-UBND")] == [first]
    assert [r["id"] for r in flows.listed(api, query="?due_from=2026-03-16&due_to=2026-03-16")] == [first]
    assert [r["id"] for r in flows.listed(api, query="?due_from=2026-03-17")] == [second]
    assert [r["id"] for r in flows.listed(api, query="?state=in_progress&per_page=1&page=2")] == [second]
    assert api("GET", "/api/v1/assignments?state=lost", "VPUBND").status_code == 422


def make_api(uow_factory, clock, tokens):
    """Return an API and a worker sharing the default ladder: overdue at due, escalated +2 days."""
    from engine import services
    from engine.rules import Rules
    from engine.worker import Worker
    from service.app import create_app
    from tests.conftest import PROCESSES, Api

    rules = Rules.from_files()
    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "RULES": rules,
                      "PROCESSES_DIR": PROCESSES})
    worker = Worker(uow_factory, clock, services.handlers(rules), worker_id="test-worker")
    return Api(app.test_client(), tokens), worker


def violations(uow_factory) -> list[tuple]:
    import sqlalchemy as sa

    from engine.store.tables import tasks
    from engine.store.tables import violations as table

    with uow_factory.engine.connect() as conn:
        query = (sa.select(table.c.agency_code, table.c.kind, tasks.c.bpmn_id, table.c.head_name)
                 .join(tasks, tasks.c.id == table.c.task_id).order_by(table.c.id))
        return [tuple(r) for r in conn.execute(query)]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_progress_reported_on_time_is_no_violation_and_a_missed_report_is_one(uow_factory, clock, tokens):
    clock.set(MONDAY)
    api, worker = make_api(uow_factory, clock, tokens)
    instance_id = flows.register(api).json["id"]

    clock.set(utc(2026, 3, 5, 3))  # Thursday 5/3: the first week's report, early
    assert flows.complete(api, "SXD", instance_id, "report_progress", flows.REPORT).status_code == 200
    [row] = flows.listed(api)
    assert (row["last_report"]["percent"], row["last_report_at"]) == (30, "2026-03-05T03:00:00+00:00")
    # Reported early for the week ending 9/3: the next is the week ending Monday 16/3.
    assert flows.task(api, "SXD", instance_id, "report_progress")["due_at"] == "2026-03-16T10:00:00+00:00"
    clock.set(utc(2026, 3, 9, 10))
    worker.run_once()
    assert [v for v in violations(uow_factory) if v[2] == "report_progress"] == []

    clock.set(utc(2026, 3, 16, 10))  # the second report's due instant passes unreported
    worker.run_once()
    assert ("SXD", "overdue", "report_progress", "Hoàng Văn Dựng") in violations(uow_factory)
    clock.set(utc(2026, 3, 17, 3))
    late = flows.complete(api, "SXD", instance_id, "report_progress", {**flows.REPORT, "percent": 60})
    assert late.status_code == 200
    assert ("SXD", "late_completion", "report_progress", "Hoàng Văn Dựng") in violations(uow_factory)
    # The week ending 23/3 comes next; the missed week is not owed twice.
    assert flows.task(api, "SXD", instance_id, "report_progress")["due_at"] == "2026-03-23T10:00:00+00:00"
    assert flows.listed(api)[0]["last_report"]["percent"] == 60
    shown = api("GET", f"/api/v1/assignments/{instance_id}", "VPUBND").json
    assert [(r["percent"], r["due_at"], r["late"]) for r in shown["reports"]] == [
        (30, "2026-03-09T10:00:00+00:00", False), (60, "2026-03-16T10:00:00+00:00", True)]
    assert api("GET", f"/api/v1/assignments/{instance_id}", "SXD").status_code == 200
    assert api("GET", f"/api/v1/assignments/{instance_id}", "STC").status_code == 403
    assert api("GET", "/api/v1/assignments/khong-co", "VPUBND").status_code == 404


def ask_extension(api, instance_id, days=5):
    return flows.complete(api, "SXD", instance_id, "report_progress", {
        **flows.REPORT, "request_extension": True, "extension_days": days,
        "extension_reasons": "Chờ ý kiến thẩm định của Bộ Xây dựng về chỉ tiêu cây xanh."})


APPROVAL = {"decision": "approve", "decided_by": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Bình",
            "granted_days": 5, "reasons": "Đồng ý gia hạn để chờ ý kiến của Bộ Xây dựng."}
REFUSAL = {"decision": "refuse", "decided_by": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Bình",
           "reasons": "Không đồng ý, đề nghị hoàn thành đúng hạn."}


def test_an_approved_extension_moves_the_deadline_once_and_is_in_the_ledger(api, at_monday):
    instance_id = flows.register(api).json["id"]
    at_monday.set(utc(2026, 3, 5, 3))
    assert ask_extension(api, instance_id).status_code == 200
    review = flows.task(api, "VPUBND", instance_id, "review_extension")
    assert review["data"]["report"]["extension_days"] == 5
    approved = flows.complete(api, "VPUBND", instance_id, "review_extension", APPROVAL)
    assert approved.status_code == 200, approved.json
    # Five working days after Monday 16/3: 17, 18, 19, 20, 23/3.
    [row] = flows.listed(api)
    assert (row["due_at"], row["extended_working_days"]) == ("2026-03-23T10:00:00+00:00", 5)
    lead = flows.task(api, "SXD", instance_id, "carry_out")
    ledger = api("GET", f"/api/v1/tasks/{lead['id']}/deadline", "VPUBND").json["ledger"]
    assert [(e["kind"], e["working_days"], e["approved_by"], e["old_due"], e["new_due"]) for e in ledger] == [
        ("extended", 5, "Phó Chủ tịch UBND tỉnh Nguyễn Văn Bình",
         "2026-03-16T10:00:00+00:00", "2026-03-23T10:00:00+00:00")]

    # A second request: approving it is refused, nothing moves; refusing it is recorded.
    assert ask_extension(api, instance_id, days=3).status_code == 200
    again = flows.complete(api, "VPUBND", instance_id, "review_extension", APPROVAL)
    assert again.status_code == 409
    assert "một lần" in again.json["detail"]
    assert flows.complete(api, "VPUBND", instance_id, "review_extension", REFUSAL).status_code == 200
    assert flows.listed(api)[0]["due_at"] == "2026-03-23T10:00:00+00:00"


def test_a_refused_extension_leaves_the_deadline_and_the_ledger_untouched(api, at_monday):
    instance_id = flows.register(api).json["id"]
    assert ask_extension(api, instance_id).status_code == 200
    assert flows.complete(api, "VPUBND", instance_id, "review_extension", REFUSAL).status_code == 200
    [row] = flows.listed(api)
    assert (row["due_at"], row["extended_working_days"]) == ("2026-03-16T10:00:00+00:00", 0)
    lead = flows.task(api, "SXD", instance_id, "carry_out")
    assert api("GET", f"/api/v1/tasks/{lead['id']}/deadline", "SXD").json["ledger"] == []


def test_an_extension_asked_after_the_deadline_cannot_be_approved(api, at_monday):
    instance_id = flows.register(api, deadline_days=3).json["id"]  # due Thursday 5/3
    at_monday.set(utc(2026, 3, 6, 3))
    assert ask_extension(api, instance_id).status_code == 200
    late = flows.complete(api, "VPUBND", instance_id, "review_extension", APPROVAL)
    assert late.status_code == 409
    assert "sau khi đã hết hạn" in late.json["detail"]
    assert flows.listed(api)[0]["due_at"] == "2026-03-05T10:00:00+00:00"


def test_the_lead_cannot_extend_its_own_assigned_task(api, at_monday):
    instance_id = flows.register(api).json["id"]
    lead = flows.task(api, "SXD", instance_id, "carry_out")
    answer = api("POST", f"/api/v1/tasks/{lead['id']}/extend", "SXD_head",
                 json={"working_days": 5, "reason": "Tự gia hạn"})
    assert answer.status_code == 409
    assert "review_extension" in answer.json["detail"]
    # Nor ask for more time outside the process: the leader decides in the process's own step.
    asked = api("POST", f"/api/v1/tasks/{lead['id']}/deadline-requests", "SXD",
                json={"kind": "more_time", "working_days": 5, "reason": "Chờ số liệu của Bộ"})
    assert asked.status_code == 409
    assert "review_extension" in asked.json["detail"]
    assert flows.listed(api)[0]["due_at"] == "2026-03-16T10:00:00+00:00"


def test_completion_returned_then_confirmed_closes_everything_still_open(api, at_monday):
    instance_id = flows.register(api).json["id"]
    at_monday.set(utc(2026, 3, 12, 3))  # Thursday 12/3
    assert flows.complete(api, "SXD", instance_id, "carry_out", flows.RESULT).status_code == 200
    [row] = flows.listed(api)
    assert (row["state"], row["reported_done_at"]) == ("awaiting_confirmation", "2026-03-12T03:00:00+00:00")
    assert flows.listed(api, query="?overdue=true") == []

    returned = flows.complete(api, "VPUBND", instance_id, "confirm_completion", {
        "decision": "return", "reasons": "Thiếu số liệu cây xanh của các phường.", "redo_days": 3})
    assert returned.status_code == 200
    redo = flows.task(api, "SXD", instance_id, "redo")
    assert redo["due_at"] == "2026-03-17T10:00:00+00:00"  # 13, 16, 17/3
    assert redo["data"]["confirmation"]["reasons"] == "Thiếu số liệu cây xanh của các phường."
    assert flows.listed(api)[0]["state"] == "returned"

    at_monday.set(utc(2026, 3, 13, 3))
    assert flows.complete(api, "SXD", instance_id, "redo", flows.RESULT).status_code == 200
    confirmed = flows.complete(api, "VPUBND", instance_id, "confirm_completion", {"decision": "confirm"})
    assert (confirmed.status_code, confirmed.json["instance_status"]) == (200, "completed")
    [row] = flows.listed(api)
    assert (row["state"], row["ended_at"]) == ("completed", "2026-03-13T03:00:00+00:00")
    # The report and STC's input were still open; the confirmed task no longer asks for them.
    withdrawn = api("GET", f"/api/v1/tasks?instance_id={instance_id}&state=withdrawn", "VPUBND").json
    assert sorted(t["bpmn_id"] for t in withdrawn["items"]) == ["report_progress", "send_input"]


def test_a_late_assigned_task_reaches_the_overdue_list_with_its_head_and_the_backlog(
        uow_factory, clock, tokens):
    clock.set(MONDAY)
    api, worker = make_api(uow_factory, clock, tokens)
    instance_id = flows.register(api, deadline_days=3).json["id"]  # 3, 4, 5/3: Thursday 17:00
    flows.register(api, assigned_agency="STC", cooperating_agencies=[], deadline_days=22)

    clock.set(utc(2026, 3, 5, 10))
    worker.run_once()
    assert [r["id"] for r in flows.listed(api, query="?overdue=true")] == [instance_id]
    # Escalated 2 working days past due: Monday 9/3 17:00.
    clock.set(utc(2026, 3, 9, 10))
    worker.run_once()
    listed = [t for t in api("GET", "/api/v1/overdue", "VPUBND").json if t["bpmn_id"] == "carry_out"]
    assert [(t["instance_id"], t["agency"], t["agency_head"], t["escalated"]) for t in listed] == [
        (instance_id, "SXD", "Hoàng Văn Dựng", True)]
    assert ("SXD", "escalated", "carry_out", "Hoàng Văn Dựng") in violations(uow_factory)

    clock.set(utc(2026, 4, 2, 3))  # Thursday 2/4: March has ended with SXD's task still owed
    backlog = api("GET", "/api/v1/assignments/backlog?months=2", "VPUBND").json
    figures = {a["agency"]: (a["head_name"], a["open"], a["overdue"],
                             [(m["month"], m["open"], m["overdue"]) for m in a["months"]])
               for a in backlog["agencies"]}
    # STC's 22 working days from 2/3 end on Wednesday 1/4: overdue now, not yet at the end of March.
    assert figures == {
        "SXD": ("Hoàng Văn Dựng", 1, 1, [("2026-03", 1, 1), ("2026-04", 1, 1)]),
        "STC": ("Phạm Thị Tài", 1, 1, [("2026-03", 1, 0), ("2026-04", 1, 1)]),
    }
    own = api("GET", "/api/v1/assignments/backlog", "SXD").json["agencies"]
    assert [a["agency"] for a in own] == ["SXD"]
    # The monthly discipline report carries the same backlog for March, per lead agency.
    report = api("GET", "/api/v1/reports/discipline?month=2026-03", "VPUBND").json
    section = {r["agency"]: r for r in report["sections"]["assigned_tasks"]["rows"]}
    fields = ("assigned", "completed", "completed_late", "open_at_end", "overdue_at_end")
    assert [section["SXD"][f] for f in fields] == [1, 0, 0, 1, 1]
    assert [section["STC"][f] for f in fields] == [1, 0, 0, 1, 0]
    assert report["sections"]["assigned_tasks"]["totals"]["overdue_at_end"] == 1


def test_a_confirmed_task_counts_as_completed_on_time_in_its_month(api, at_monday):
    instance_id = flows.register(api).json["id"]
    at_monday.set(utc(2026, 3, 12, 3))  # reported Thursday 12/3, due 16/3
    assert flows.complete(api, "SXD", instance_id, "carry_out", flows.RESULT).status_code == 200
    assert flows.complete(api, "VPUBND", instance_id, "confirm_completion",
                          {"decision": "confirm"}).status_code == 200
    report = api("GET", "/api/v1/reports/discipline?month=2026-03", "VPUBND").json
    [sxd] = [r for r in report["sections"]["assigned_tasks"]["rows"] if r["agency"] == "SXD"]
    assert (sxd["assigned"], sxd["completed"], sxd["completed_late"], sxd["open_at_end"]) == (1, 1, 0, 0)


def test_a_cooperating_agency_sends_its_input_to_the_lead_in_its_own_time(api, at_monday):
    instance_id = flows.register(api).json["id"]
    send = flows.task(api, "STC", instance_id, "send_input")
    assert send["due_at"] == "2026-03-09T10:00:00+00:00"  # STC's own 5 working days
    assert send["data"]["content"] == flows.REGISTRATION["content"]
    at_monday.set(utc(2026, 3, 4, 3))
    note = {"content": "Đề nghị bố trí kinh phí duy tu cây xanh từ nguồn sự nghiệp đô thị.",
            "document": "410/STC-HCSN"}
    assert flows.complete(api, "STC", instance_id, "send_input", note).status_code == 200
    assert flows.complete(api, "SXD", instance_id, "report_progress", flows.REPORT).status_code == 200
    # The lead reads what STC sent in its assignment, as the Provincial Office does.
    for reader in ("SXD", "VPUBND"):
        detail = api("GET", f"/api/v1/assignments/{instance_id}", reader).json
        assert detail["inputs"] == [{"agency": "STC", "at": "2026-03-04T03:00:00+00:00", **note}]
    assert {s["step"]: s["timeliness"] for s in detail["steps"] if s["state"] == "completed"} == {
        "send_input": "on_time", "report_progress": "on_time"}


def test_the_provincial_office_can_withdraw_a_registration_and_it_leaves_the_backlog(api, at_monday):
    instance_id = flows.register(api, deadline_days=3).json["id"]
    assert api("POST", f"/api/v1/instances/{instance_id}/cancel", "SXD",
               json={"reason": "Không phải việc của Sở"}).status_code == 403
    at_monday.set(utc(2026, 3, 4, 3))
    cancelled = api("POST", f"/api/v1/instances/{instance_id}/cancel", "VPUBND",
                    json={"reason": "Vào sổ nhầm, đã có nhiệm vụ 124/TB-UBND"})
    assert cancelled.status_code == 200
    at_monday.set(utc(2026, 3, 9, 3))  # past the 3 days: a cancelled task is owed by no one
    [row] = flows.listed(api)
    assert (row["state"], row["overdue"]) == ("cancelled", False)
    assert row["ended_at"] == "2026-03-04T03:00:00+00:00"
    assert flows.listed(api, query="?overdue=true") == []
    [sxd] = api("GET", "/api/v1/assignments/backlog?months=1", "VPUBND").json["agencies"]
    assert (sxd["open"], sxd["overdue"], sxd["months"][0]["open"]) == (0, 0, 0)
