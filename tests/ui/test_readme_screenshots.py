"""Take the README's screenshots from a real run: an officer's inbox and a refused reply form.

`make screenshots` runs this module with DUNGHAN_SCREENSHOTS=docs/screenshots; a plain test
run saves them under tests/ui/screenshots/ like every other test.
"""

import pytest

from tests import flows

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
SIZE = {"width": 1100, "height": 720}


def test_readme_screenshots_of_the_inbox_and_a_reply_form(live_server, browser, api, user,
                                                          sign_in, clock, screenshot, axe_audit):
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    # 09:00 Thursday 12/02/2026: one reply due Friday 13/02 17:00, one due 26/02 17:00.
    flows.start(api, consulted=("SXD", "STC"), reply_days=1,
                title="Dự thảo Kế hoạch phòng cháy chữa cháy mùa khô 2026")
    flows.start(api, consulted=("SXD",), reply_days=5)
    clock.advance(days=11, hours=7)  # 16:00 Monday 23/02, after Tết: one more, due 24/02 17:00
    instance_id, _ = flows.start(api, lead="STC", consulted=("SXD",), reply_days=1,
                                 title="Dự thảo Quyết định giá dịch vụ thu gom rác thải",
                                 summary="Đề nghị cho ý kiến về mức giá thu gom, vận chuyển rác thải.")
    clock.advance(hours=18)  # 10:00 Tuesday 24/02/2026
    page = browser.new_context(locale="vi-VN", viewport=SIZE).new_page()
    sign_in(page, "cv.sxd")
    badges = page.locator("td .badge").all_inner_texts()
    assert sorted(badges) == ["Quá hạn", "Sắp đến hạn", "Trong hạn"]
    axe_audit(page)
    screenshot(page, "inbox", full_page=False)
    task = flows.open_task(api, "SXD", instance_id)
    page.goto(f"{live_server}/viec/{task['id']}")
    page.get_by_label("Không đồng ý").check()
    page.get_by_label("Ý kiến cụ thể và lý do").fill("Không đồng ý vì chưa phù hợp quy định")
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    assert "Ý kiến chưa rõ" in page.locator("#err-reasons").inner_text()
    page.locator("#form-title").scroll_into_view_if_needed()
    screenshot(page, "reply-form", full_page=True)
