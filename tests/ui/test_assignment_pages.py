"""The page "Nhiệm vụ được giao" in a real headless Chromium: who sees what, late marked in words.

The clock stands at 09:00 on Monday 2 March 2026. SXD's task of 3 working days is due at
17:00 on Thursday 5/3; STC's of 20 at 17:00 on Monday 30/3. At 10:00 on Friday 6/3 SXD's is
overdue and STC's is not.
"""

from datetime import UTC, datetime

import pytest

from tests import assignment_flows as flows

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


def _two_assignments(api, clock) -> None:
    clock.set(MONDAY)
    assert flows.register(api, deadline_days=3).status_code == 201
    assert flows.register(api, assigned_agency="STC", cooperating_agencies=[], source_number="88/UBND-KT",
                          deadline_days=20).status_code == 201
    clock.set(FRIDAY)


def test_the_provincial_office_sees_every_agency_and_the_late_one_in_words(
        live_server, page, user, sign_in, api, clock, screenshot, axe_audit):
    _two_assignments(api, clock)
    user("cv.vpubnd", "Đỗ Thị Giám Sát", "VPUBND", ["officer", "provincial_office"])
    sign_in(page, "cv.vpubnd")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link", name="Nhiệm vụ được giao").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Nhiệm vụ được giao (2)"
    late = page.locator("tr", has_text="125/TB-UBND")
    assert "Sở Xây dựng" in late.inner_text() and "Thủ trưởng: Hoàng Văn Dựng" in late.inner_text()
    assert "17:00 05/03/2026" in late.inner_text() and "Quá hạn" in late.inner_text()
    assert "17:00 30/03/2026" in page.locator("tr", has_text="88/UBND-KT").inner_text()
    axe_audit(page)
    screenshot(page, "assignments-office")

    page.get_by_label("Thời hạn").select_option("1")
    page.get_by_role("button", name="Lọc").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Nhiệm vụ được giao (1)"
    assert "overdue=1" in page.url

    # Its progress page marks the lead's late step on the diagram and in the timeline.
    page.locator("tr", has_text="125/TB-UBND").get_by_role("link", name="Xem tiến trình").click()
    page.wait_for_selector("#diagram[data-state='ready']", timeout=15000)
    lead = page.locator(".djs-element[data-element-id='carry_out']")
    assert "mark-overdue" in lead.get_attribute("class")
    row = page.locator("table.timeline tr", has_text="Thực hiện nhiệm vụ, báo cáo hoàn thành")
    assert "Quá hạn, chưa xong" in row.inner_text()


def test_an_agency_sees_only_the_task_it_leads_and_is_refused_another(
        live_server, page_without_js, user, sign_in, api, clock):
    _two_assignments(api, clock)
    user("cv.stc", "Lê Văn Tài", "STC")
    sign_in(page_without_js, "cv.stc", then="/nhiem-vu-duoc-giao")
    rows = page_without_js.locator("tbody tr")
    assert rows.count() == 1 and "88/UBND-KT" in rows.inner_text()
    page_without_js.goto(f"{live_server}/nhiem-vu-duoc-giao?lead_agency=SXD")
    assert "Chỉ Văn phòng UBND tỉnh được xem nhiệm vụ được giao của cơ quan khác" in page_without_js.content()
