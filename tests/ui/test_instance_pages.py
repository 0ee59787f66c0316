"""The instance and dossier pages in a real headless Chromium: the marked diagram, hand-offs, rights.

The clock is frozen at 09:00 Thu 12/02/2026 (Vietnam time). A consultation asks for replies
within 5 working days, counted from the day after: Fri 13/02 is day 1, Tết (Sat 14/02 to
Sun 22/02) is skipped, Mon 23/02 to Thu 26/02 are days 2 to 5, so replies are due at
17:00 Thu 26/02/2026. At 10:00 Fri 27/02 a silent agency's reply is overdue.
"""

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests import bpmn_models, flows
from tests.dossier_flows import receive, step

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
AFTER_DUE = datetime(2026, 2, 27, 3, 0, tzinfo=UTC)  # 10:00 Fri 27/02/2026 in Vietnam
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "instance-overdue.png"


def _consultation_with_a_silent_agency(api, clock) -> str:
    instance_id, _ = flows.start(api, lead="STP", consulted=("SXD", "STC"), silence_is_consent=False)
    assert flows.reply(api, "STC", instance_id, "agree").status_code == 200
    clock.set(AFTER_DUE)
    return instance_id


def _diagram_ready(page) -> None:
    page.wait_for_selector("#diagram[data-state='ready']", timeout=15000)


def test_the_provincial_office_sees_the_overdue_reply_marked_on_the_diagram(
        live_server, page, user, sign_in, api, clock, screenshot, axe_audit):
    instance_id = _consultation_with_a_silent_agency(api, clock)
    user("cv.vpubnd", "Đỗ Thị Giám Sát", "VPUBND", ["officer", "provincial_office"])
    sign_in(page, "cv.vpubnd", then=f"/tien-trinh/{instance_id}")
    _diagram_ready(page)

    reply = page.locator(".djs-element[data-element-id='reply_to_consultation']")
    assert "mark-overdue" in reply.get_attribute("class")
    def marks(element_id: str) -> str:
        return page.locator(f".djs-element[data-element-id='{element_id}']").get_attribute("class")

    assert "mark-completed" in marks("start") and "mark-completed" in marks("draft_request")
    assert "mark-current" in marks("collect_replies")
    assert "mark-" not in marks("synthesize")
    badges = page.locator(".djs-overlay .diagram-badge").all_inner_texts()
    assert "! Quá hạn" in badges and "✓ Đã xong" in badges  # words, not colour alone

    timeline = page.locator("table.timeline")
    silent = timeline.locator("tr", has_text="Sở Xây dựng")
    assert "17:00 26/02/2026" in silent.inner_text()
    assert "Quá hạn, chưa xong" in silent.inner_text()
    silent.get_by_text("Cách tính hạn").click()
    explanation = silent.locator("details p").inner_text()
    assert "13/02/2026" in explanation and "26/02/2026" in explanation
    assert "Trước hạn" in timeline.locator("tr", has_text="Sở Tài chính").inner_text()
    axe_audit(page)
    shot = screenshot(page, "instance-overdue")
    if os.environ.get("DUNGHAN_UPDATE_DOCS") == "1":  # the README's picture is this screenshot
        shutil.copyfile(shot, DOCS_SCREENSHOT)


def test_a_consulted_agency_opens_the_instance_from_its_inbox_and_sees_only_its_own_steps(
        live_server, page, user, sign_in, api, clock):
    instance_id = _consultation_with_a_silent_agency(api, clock)
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    sign_in(page, "cv.sxd")
    page.locator("tr", has_text="Trả lời ý kiến").get_by_role("link", name="Xem tiến trình").click()
    page.wait_for_url(f"{live_server}/tien-trinh/{instance_id}#step-*")
    _diagram_ready(page)
    timeline = page.locator("table.timeline").inner_text()
    assert "Sở Xây dựng" in timeline and "Sở Tài chính" not in timeline
    assert "Soạn yêu cầu lấy ý kiến" not in timeline
    assert "chỉ xem được tiến độ các bước của mình" in page.content()
    # Its own due date is explained to it; the lead's draft is not marked for it.
    assert "26/02/2026" in page.locator("table.timeline details p").text_content()
    assert "mark-" not in page.locator(".djs-element[data-element-id='draft_request']").get_attribute("class")


def test_an_agency_outside_the_instance_is_refused(live_server, page, user, sign_in, api, clock):
    instance_id = _consultation_with_a_silent_agency(api, clock)
    user("cv.syt", "Phạm Thị Y", "SYT")
    sign_in(page, "cv.syt")
    for path in (f"/tien-trinh/{instance_id}", f"/tien-trinh/{instance_id}/so-do.bpmn"):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 403
        assert "Sở Tư pháp" not in page.content()
    assert page.goto(f"{live_server}/tien-trinh/khong-co").status == 404
    code = receive(api, "TTPVHCC", "1.009972")["code"]  # Sở Xây dựng's dossier, not Sở Y tế's
    for path in (f"/ho-so/{code}", f"/ho-so/{code}/mau-01.html"):
        assert page.goto(f"{live_server}{path}").status == 403
        assert "Nguyễn Văn An" not in page.content()


def test_without_javascript_the_steps_list_says_what_the_diagram_shows(
        live_server, page_without_js, user, sign_in, api, clock):
    instance_id = _consultation_with_a_silent_agency(api, clock)
    user("ld.stp", "Trần Văn Pháp", "STP", ["head"])
    sign_in(page_without_js, "ld.stp", then=f"/tien-trinh/{instance_id}")
    steps = page_without_js.get_by_role("list", name="Các bước của quy trình")
    assert "Trả lời ý kiến" in steps.locator("li.step-overdue").inner_text()
    assert "Quá hạn" in steps.locator("li.step-overdue").inner_text()
    assert "Soạn yêu cầu lấy ý kiến" in " ".join(steps.locator("li.step-completed").all_inner_texts())
    page_without_js.get_by_role("link", name="xem (HTML)").click()
    # Read the document once it has loaded (wait_for_url waits for "load"): right after the
    # click the new page can still be empty, which once failed a CI run.
    page_without_js.wait_for_url(f"{live_server}/tien-trinh/{instance_id}/van-ban/request.html")
    assert "Về việc lấy ý kiến" in page_without_js.content()


def test_the_dossier_page_shows_the_hand_offs_and_the_forms_to_print(
        live_server, page, user, sign_in, api, screenshot, axe_audit):
    code = receive(api, "TTPVHCC", "1.009972")["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    step(api, "TTPVHCC", code, "hand_over")
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    sign_in(page, "cv.sxd", then=f"/ho-so/{code}")
    _diagram_ready(page)
    assert "Được tiếp nhận" in page.get_by_role("table", name="Thông tin hồ sơ").inner_text() \
        or "Đang xử lý" in page.get_by_role("table", name="Thông tin hồ sơ").inner_text()
    rows = page.locator("table.timeline tbody tr")
    assert rows.count() == 3
    assert "Kiểm tra, tiếp nhận hồ sơ" in rows.nth(0).inner_text()
    assert "Trung tâm Phục vụ hành chính công tỉnh" in rows.nth(0).inner_text()
    assert "Sở Xây dựng" in rows.nth(2).inner_text()
    assert "mark-current" in page.locator(".djs-element[data-element-id='assign']").get_attribute("class")
    documents = page.get_by_role("region", name="Văn bản để in").inner_text()
    assert "Mẫu 01" in documents and "Mẫu 05" in documents and "Mẫu 03" not in documents
    axe_audit(page)
    screenshot(page, "dossier-page")
    with page.expect_navigation():  # read the printed form only once it has loaded
        page.get_by_role("link", name="xem (HTML)").last.click()
    assert "Phiếu kiểm soát quá trình giải quyết hồ sơ".upper() in page.content().upper()


def test_a_process_uploaded_without_a_diagram_is_drawn_on_the_server(
        live_server, page, user, sign_in, api):
    assert bpmn_models.deploy(api, bpmn_models.script_chain("x = 1", ask_first=True)).status_code == 201
    instance_id = bpmn_models.start(api).json["id"]
    user("cv.stp", "Lê Văn Tư", "STP")
    sign_in(page, "cv.stp", then=f"/tien-trinh/{instance_id}")
    _diagram_ready(page)
    assert "mark-current" in page.locator(".djs-element[data-element-id='ask']").get_attribute("class")
    assert "mark-completed" in page.locator(".djs-element[data-element-id='start']").get_attribute("class")
    assert page.locator(".djs-element[data-element-id='f_ask_script_1']").count() == 1


def test_a_phone_reads_the_instance_page_without_scrolling_sideways(
        live_server, browser, user, sign_in, api, clock, screenshot):
    instance_id = _consultation_with_a_silent_agency(api, clock)
    user("ld.stp", "Trần Văn Pháp", "STP", ["head"])
    phone = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740},
                                is_mobile=True, has_touch=True).new_page()
    sign_in(phone, "ld.stp", then=f"/tien-trinh/{instance_id}")
    _diagram_ready(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.locator("li.step-overdue").is_visible()
    screenshot(phone, "instance-phone")
