"""The frame of every signed-in page: who is signed in, navigation by role, flashes, a11y, phone."""

import pytest

from tests import flows

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def test_the_header_names_the_person_their_role_and_agency_and_sign_out_says_so(
        live_server, page, user, sign_in, screenshot, axe_audit):
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    page.goto(f"{live_server}/login")
    axe_audit(page)
    sign_in(page, "cv.sxd")
    banner = page.get_by_role("banner")
    assert "Nguyễn Văn Xây" in banner.inner_text()
    assert "Chuyên viên" in banner.inner_text() and "Sở Xây dựng" in banner.inner_text()
    assert "user:cv.sxd" not in page.content()
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    assert nav.get_by_role("link", name="Việc cần xử lý").get_attribute("aria-current") == "page"
    axe_audit(page)
    screenshot(page, "shell-officer")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server}/login")
    assert page.get_by_role("status").inner_text() == "Anh/chị đã đăng xuất."


def test_the_skip_link_is_the_first_stop_of_the_keyboard_and_lands_on_the_content(
        live_server, page, user, sign_in):
    user("ld.sxd", "Trần Thị Lãnh", "SXD", ["head"])
    sign_in(page, "ld.sxd")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert "Lãnh đạo cơ quan" in page.get_by_role("banner").inner_text()


def test_a_phone_sees_the_whole_inbox_without_scrolling_sideways(live_server, browser, user,
                                                                 sign_in, api, screenshot):
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    flows.start(api, consulted=("SXD",))
    phone = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740},
                                is_mobile=True, has_touch=True).new_page()
    sign_in(phone, "cv.sxd")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.get_by_text("Trả lời ý kiến").first.is_visible()
    screenshot(phone, "shell-phone")


def test_the_navigation_follows_the_role(live_server, page, user, sign_in):
    user("thietke", "Người thiết kế quy trình", "SKHCN", ["designer"])
    sign_in(page, "thietke", then="/thong-bao")
    links = page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link")
    assert "Việc cần xử lý" not in links.all_inner_texts()
    assert "Người thiết kế quy trình" in page.get_by_role("banner").inner_text()
