"""Officers and heads do their daily work on the task page in a real Chromium, mouse or not."""

import pytest

from tests import flows

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

CLEAR = ("Đề nghị bổ sung nguồn kinh phí duy tu cây xanh tại Điều 9 "
         "vì dự thảo chưa nêu nguồn chi")


@pytest.fixture
def reply_task(api, user):
    """A consultation asking Sở Xây dựng, whose officer cv.sxd can sign in."""
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    instance_id, _ = flows.start(api, consulted=("SXD",), attachments=["du_thao_quyet_dinh.pdf"])
    return flows.open_task(api, "SXD", instance_id)


def test_an_officer_answers_a_consultation_a_vague_answer_is_refused_and_kept(
        live_server, page, reply_task, sign_in, screenshot, axe_audit, api):
    sign_in(page, "cv.sxd")
    row = page.get_by_role("row", name="Trả lời ý kiến")
    assert "Dự thảo Quyết định quy định quản lý cây xanh đô thị" in row.inner_text()
    assert "Cơ quan đề nghị: Sở Tư pháp" in row.inner_text()
    row.get_by_role("link", name="Trả lời ý kiến").click()
    page.wait_for_url(f"{live_server}/viec/{reply_task['id']}")
    shown = page.get_by_role("region", name="Nội dung nhiệm vụ được xem")
    assert "du_thao_quyet_dinh.pdf" in shown.inner_text()  # what the form shows, read-only
    axe_audit(page)
    page.get_by_label("Không đồng ý").check()
    page.get_by_label("Ý kiến cụ thể và lý do").fill("Không đồng ý vì chưa phù hợp")
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    reasons = page.get_by_label("Ý kiến cụ thể và lý do")
    assert reasons.input_value() == "Không đồng ý vì chưa phù hợp"  # the input is kept
    assert reasons.get_attribute("aria-invalid") == "true"
    message = page.locator("#err-reasons")  # next to the field, and announced with it
    assert "Ý kiến chưa rõ" in message.inner_text()
    assert "err-reasons" in reasons.get_attribute("aria-describedby")
    assert page.get_by_label("Không đồng ý").is_checked()
    assert page.get_by_role("alert").get_by_role("link", name="Ý kiến cụ thể và lý do").is_visible()
    axe_audit(page)
    screenshot(page, "task-reply-refused")
    assert api("GET", f"/api/v1/tasks/{reply_task['id']}", "SXD").json["state"] == "open"
    page.get_by_label("Đồng ý, có ý kiến sửa đổi, bổ sung").check()
    reasons.fill(CLEAR)
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    page.wait_for_url(f"{live_server}/")
    assert "Đã hoàn thành: Trả lời ý kiến" in page.get_by_role("status").first.inner_text()
    done = api("GET", f"/api/v1/tasks/{reply_task['id']}", "SXD").json
    assert done["state"] == "completed"
    assert done["data"] == {"position": "agree_with_amendments", "reasons": CLEAR}


def test_the_reply_form_works_with_the_keyboard_alone(live_server, page, reply_task, sign_in,
                                                      screenshot, api):
    sign_in(page, "cv.sxd", then=f"/viec/{reply_task['id']}")

    def tab_to(check: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(check):
                return
        raise AssertionError(f"Tab never reached {check}")

    tab_to("document.activeElement.name === 'position'")
    page.keyboard.press("ArrowDown")  # radio group: arrows move and select
    assert page.evaluate("document.activeElement.value") == "agree_with_amendments"
    tab_to("document.activeElement.name === 'reasons'")
    page.keyboard.type(CLEAR)
    tab_to("document.activeElement.textContent === 'Gửi và hoàn thành'")
    screenshot(page, "task-reply-keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    assert api("GET", f"/api/v1/tasks/{reply_task['id']}", "SXD").json["state"] == "completed"


def test_an_officer_asks_for_more_time_and_the_leads_head_approves_it(
        live_server, page, browser, reply_task, user, sign_in, screenshot, axe_audit, api):
    sign_in(page, "cv.sxd", then=f"/viec/{reply_task['id']}")
    info = page.get_by_role("complementary", name="Thông tin và thao tác")
    assert "17:00 26/02/2026" in info.inner_text()
    page.get_by_label("Thêm thời gian").check()
    page.get_by_label("Số ngày làm việc").fill("3")
    page.get_by_label("Lý do", exact=True).fill("Chờ")  # too short: refused, kept
    page.get_by_role("button", name="Gửi đề nghị").click()
    assert page.locator("#err-ask-reason").inner_text() == "Bắt buộc, ít nhất 5 ký tự"
    assert page.get_by_label("Số ngày làm việc").input_value() == "3"
    axe_audit(page)
    page.get_by_label("Lý do", exact=True).fill("Cần lấy thêm ý kiến của Phòng Quy hoạch về Điều 9")
    page.get_by_role("button", name="Gửi đề nghị").click()
    assert "Đã gửi đề nghị thêm thời gian 3 ngày làm việc" in page.get_by_role("status").inner_text()
    assert "Chờ duyệt" in info.inner_text() and "17:00 26/02/2026" in info.inner_text()

    user("ld.stp", "Hoàng Văn Pháp", "STP", ["head"])
    head = browser.new_context(locale="vi-VN").new_page()
    sign_in(head, "ld.stp")
    nav = head.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link", name="Đề nghị về thời hạn").click()
    row = head.get_by_role("row", name="Sở Xây dựng")
    assert "Thêm thời gian 3 ngày làm việc" in row.inner_text()
    assert flows.REQUEST["title"] in row.inner_text()
    axe_audit(head)
    screenshot(head, "deadline-request-to-decide")
    row.get_by_role("button", name="Duyệt", exact=True).click()
    # Three working days after Thursday 26/02: Friday 27/02, Monday 2/3, Tuesday 3/3.
    assert "Hạn xử lý mới: 17:00 03/03/2026" in head.get_by_role("main").inner_text()
    page.reload()
    assert "17:00 03/03/2026" in info.inner_text() and "Đã duyệt" in info.inner_text()
    assert api("GET", f"/api/v1/tasks/{reply_task['id']}", "SXD").json["due_at"].startswith("2026-03-03")
    screenshot(page, "task-more-time-approved")


def test_only_a_head_of_the_approving_agency_decides(live_server, page, reply_task, user, sign_in, api):
    sign_in(page, "cv.sxd", then=f"/viec/{reply_task['id']}")
    assert page.get_by_role("button", name="Giao việc").count() == 0  # reassigning is the head's
    user("ld.sxd", "Trần Thị Lãnh", "SXD", ["head"])
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, "ld.sxd", then=f"/viec/{reply_task['id']}")
    page.get_by_label("Số ngày làm việc").fill("2")
    page.get_by_label("Lý do", exact=True).fill("Cần đối chiếu thêm số liệu tại Điều 9")
    page.get_by_role("button", name="Gửi đề nghị").click()
    page.goto(f"{live_server}/de-nghi-thoi-han")
    # More time is the lead's to grant: even the asking agency's own head cannot.
    assert page.get_by_role("button", name="Duyệt", exact=True).count() == 0
    assert "Chờ duyệt" in page.get_by_role("table").inner_text()


def test_every_action_works_without_javascript(live_server, page_without_js, reply_task, user,
                                               sign_in, screenshot, api):
    page = page_without_js
    user("ld.sxd", "Trần Thị Lãnh", "SXD", ["head"])
    sign_in(page, "ld.sxd")
    page.get_by_label("Chỉ việc quá hạn").check()
    page.get_by_role("button", name="Lọc").click()
    assert "0 nhiệm vụ" in page.get_by_role("status").inner_text()
    page.get_by_label("Chỉ việc quá hạn").uncheck()
    page.get_by_role("button", name="Lọc").click()
    page.get_by_role("link", name="Trả lời ý kiến").click()
    page.get_by_role("button", name="Nhận xử lý").click()
    assert page.get_by_role("status").inner_text() == "Anh/chị đã nhận xử lý nhiệm vụ này."
    page.get_by_role("button", name="Trả về danh sách chung").click()
    assert "Chưa ai nhận" in page.get_by_role("complementary").inner_text()
    page.get_by_label("Giao cho cán bộ").select_option(label="Nguyễn Văn Xây")
    page.get_by_role("button", name="Giao việc").click()
    assert "Nguyễn Văn Xây" in page.get_by_role("complementary").inner_text()
    assert api("GET", f"/api/v1/tasks/{reply_task['id']}", "SXD").json["claimed_by"]
    page.get_by_label("Số ngày làm việc").fill("2")
    page.get_by_label("Lý do", exact=True).fill("Cần thêm thời gian đối chiếu Điều 9")
    page.get_by_role("button", name="Gửi đề nghị").click()
    assert "Đã gửi đề nghị" in page.get_by_role("status").inner_text()
    page.get_by_label("Đồng ý", exact=True).check()
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    page.wait_for_url(f"{live_server}/")
    screenshot(page, "no-js-inbox-after-reply")
    assert api("GET", f"/api/v1/tasks/{reply_task['id']}", "SXD").json["state"] == "completed"


def test_a_head_refuses_a_request_without_javascript_and_must_say_why(
        live_server, page_without_js, reply_task, user, sign_in, api, screenshot):
    asked = api("POST", f"/api/v1/tasks/{reply_task['id']}/deadline-requests", "SXD",
                json={"kind": "more_time", "working_days": 10, "reason": "Chờ ý kiến của Bộ về Điều 9"})
    assert asked.status_code == 201, asked.json
    user("ld.stp", "Hoàng Văn Pháp", "STP", ["head"])
    page = page_without_js
    sign_in(page, "ld.stp", then="/de-nghi-thoi-han")
    row = page.get_by_role("row", name="Sở Xây dựng")
    row.get_by_label("Ý kiến (bắt buộc khi không duyệt)").fill("Chưa")
    row.get_by_role("button", name="Không duyệt").click()
    row = page.get_by_role("row", name="Sở Xây dựng")
    field = row.get_by_label("Ý kiến (bắt buộc khi không duyệt)")
    assert field.input_value() == "Chưa" and field.get_attribute("aria-invalid") == "true"
    assert "ít nhất 5 ký tự" in row.inner_text()
    field.fill("Thời hạn 5 ngày đã đủ để cho ý kiến về Điều 9")
    row.get_by_role("button", name="Không duyệt").click()
    assert page.get_by_role("status").inner_text() == "Đã không duyệt đề nghị."
    page.get_by_role("link", name="Không duyệt").click()
    assert "Thời hạn 5 ngày đã đủ" in page.get_by_role("table").inner_text()
    screenshot(page, "deadline-request-refused-no-js")
    due = api("GET", f"/api/v1/tasks/{reply_task['id']}", "SXD").json["due_at"]
    assert due.startswith("2026-02-26")  # a refusal leaves the clock as it was
