"""The inbox in a real Chromium: what each task is about, due colours in words, the agency column."""

import pytest

from tests import flows

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def test_the_provincial_office_sees_whose_task_each_row_is(live_server, page, api, user, sign_in,
                                                           screenshot, axe_audit):
    user("cv.vpubnd", "Lê Văn Tỉnh", "VPUBND", ["provincial_office"])
    flows.start(api, consulted=("SXD", "STC"))
    sign_in(page, "cv.vpubnd")
    table = page.get_by_role("table")
    assert table.get_by_role("columnheader", name="Cơ quan xử lý").is_visible()
    assert page.get_by_role("row", name="Sở Xây dựng").count() == 1
    assert page.get_by_role("row", name="Sở Tài chính").count() == 1
    page.get_by_label("Cơ quan xử lý").select_option(label="Sở Tài chính")
    page.get_by_role("row", name="Sở Xây dựng").wait_for(state="detached")  # htmx swapped the rows
    assert "agency=STC" in page.url  # and the address says so, for the back button and links
    assert page.get_by_role("row", name="Sở Tài chính").count() == 1
    axe_audit(page)
    screenshot(page, "inbox-provincial-office")


def test_due_colours_say_their_meaning_in_words(live_server, page, api, user, sign_in, clock,
                                                screenshot, axe_audit):
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    flows.start(api, consulted=("SXD",))  # due 17:00 Thursday 26/02/2026
    clock.advance(days=13, hours=1)  # 10:00 Wednesday 25/02/2026
    sign_in(page, "cv.sxd")
    badge = page.get_by_role("row", name="Trả lời ý kiến").locator(".badge")
    assert badge.inner_text() == "Trong hạn"  # 10:00 Wed to 17:00 Thu: 1 day 6.5 hours
    clock.advance(days=1)  # 10:00 Thursday 26/02: 5.5 working hours left
    page.reload()
    assert badge.inner_text() == "Sắp đến hạn" and "soon" in badge.get_attribute("class")
    assert "Còn 5 giờ 30 phút làm việc" in page.get_by_role("row", name="Trả lời ý kiến").inner_text()
    clock.advance(days=1)  # 10:00 Friday 27/02: 2.5 working hours late
    page.reload()
    assert badge.inner_text() == "Quá hạn"
    assert "Quá hạn 2 giờ 30 phút làm việc" in page.get_by_role("row", name="Trả lời ý kiến").inner_text()
    assert page.get_by_role("link", name="Quá hạn: 1").is_visible()
    axe_audit(page)
    screenshot(page, "inbox-overdue")
