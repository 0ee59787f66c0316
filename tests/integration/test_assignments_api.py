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
