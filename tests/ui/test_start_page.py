"""Start a process in the browser: the lead drafts a consultation request from /khoi-tao.

The Provincial Office alone may register a leader's assigned task (its start event asks for
that role); dossier processes start at the one-stop desk and are never offered here.
"""

import pytest

from tests import flows

pytestmark = pytest.mark.browser


def test_the_lead_starts_a_consultation_and_the_consulted_agency_gets_its_reply_task(
        live_server, page, user, sign_in, api, screenshot, axe_audit):
    user("cv.stp", "Trần Thị Tư", "STP")
    sign_in(page, "cv.stp")
    page.get_by_role("link", name="Khởi tạo").click()
    buttons = page.get_by_role("button", name="Khởi tạo:").all_inner_texts()
    assert any("Lấy ý kiến" in b for b in buttons)
    assert not any("thủ tục" in b.lower() or "nhiệm vụ" in b.lower() for b in buttons)
    axe_audit(page)
    page.get_by_role("button", name="Lấy ý kiến").click()
    page.get_by_text("Đã khởi tạo; hãy điền bước đầu tiên.").wait_for()
    page.get_by_label("Tiêu đề").fill(flows.REQUEST["title"])
    page.get_by_label("Tóm tắt nội dung").fill(flows.REQUEST["summary"])
    page.get_by_role("group", name="Cơ quan được lấy ý kiến").get_by_label("Sở Xây dựng").check()
    page.get_by_label("Lý do hỏi ý kiến từng cơ quan").fill(
        "SXD: quản lý nhà nước về cây xanh đô thị theo quy hoạch")
    page.get_by_label("Thời hạn trả lời (ngày làm việc)").fill("5")
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    page.wait_for_url(f"{live_server}/")
    assert "Đã hoàn thành: Soạn yêu cầu lấy ý kiến" in page.get_by_role("status").first.inner_text()
    screenshot(page, "start-consultation-sent")
    [reply] = api("GET", "/api/v1/tasks?state=open", "SXD").json["items"]
    assert (reply["name"], reply["data"]["title"]) == ("Trả lời ý kiến", flows.REQUEST["title"])


def test_only_the_provincial_office_is_offered_an_assigned_task(live_server, page, user, sign_in):
    user("cv.vpubnd", "Lê Văn Phòng", "VPUBND", roles=("provincial_office",))
    sign_in(page, "cv.vpubnd")
    page.goto(f"{live_server}/khoi-tao/")
    offered = " ".join(page.get_by_role("button", name="Khởi tạo:").all_inner_texts())
    assert "nhiệm vụ" in offered.lower()
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, "cv.sxd")
    page.goto(f"{live_server}/khoi-tao/")
    offered = " ".join(page.get_by_role("button", name="Khởi tạo:").all_inner_texts())
    assert "nhiệm vụ" not in offered.lower() and "Lấy ý kiến" in offered
