"""The lead drafts a request in the browser with a file; only those it is shown to may download it."""

from pathlib import Path

import pytest

from engine import directory
from tests.ui.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(api, app, tmp_path, user):
    """A consultation STP has started: its first task is to draft the request."""
    app.config["ATTACHMENT_DIR"] = tmp_path / "attachments"
    user("cv.stp", "Phạm Thu Pháp", "STP")
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    created = api("POST", "/api/v1/instances", "STP", json={"process_id": "lay_y_kien_phoi_hop"})
    return created.json["open_tasks"][0]


def test_a_request_drafted_with_a_file_reaches_only_the_agencies_consulted(
        live_server, page, browser, draft, sign_in, screenshot, axe_audit, api, uow_factory, clock):
    sign_in(page, "cv.stp", then=f"/viec/{draft['id']}")
    page.get_by_label("Tiêu đề").fill("Dự thảo Quyết định quy định quản lý cây xanh đô thị")
    page.get_by_label("Tóm tắt nội dung").fill("Đề nghị các sở cho ý kiến về dự thảo quy định.")
    page.get_by_label("Sở Xây dựng").check()
    page.get_by_label("Lý do hỏi ý kiến từng cơ quan").fill("SXD: quản lý nhà nước về cây xanh đô thị")
    page.get_by_label("Thời hạn trả lời (ngày làm việc)").fill("45")  # out of range: refused
    page.get_by_label("Tài liệu kèm theo").set_input_files(
        [{"name": "Dự thảo cây xanh.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    assert "từ 1 đến 30" in page.locator("#err-reply_days").inner_text()
    kept = page.get_by_label("Giữ tệp Dự_thảo_cây_xanh.pdf")  # the file was kept, not lost
    assert kept.is_checked()
    assert page.get_by_label("Sở Xây dựng").is_checked()
    axe_audit(page)
    screenshot(page, "task-request-refused-file-kept")
    page.get_by_label("Tài liệu kèm theo").set_input_files(
        [{"name": "virus.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00"}])
    page.get_by_label("Thời hạn trả lời (ngày làm việc)").fill("5")
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    assert "không phải tệp .pdf thật" in page.locator("#err-attachments").inner_text()
    page.get_by_role("button", name="Gửi và hoàn thành").click()
    page.wait_for_url(f"{live_server}/")

    officer = browser.new_context(locale="vi-VN", accept_downloads=True).new_page()
    sign_in(officer, "cv.sxd")
    officer.get_by_role("link", name="Trả lời ý kiến").click()
    link = officer.get_by_role("link", name="Dự_thảo_cây_xanh.pdf")
    with officer.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PDF
    address = link.get_attribute("href")

    directory.seed_user(uow_factory(), clock, "cv.stc", "Đỗ Tài", "STC", ["officer"], PASSWORD)
    stranger = browser.new_context(locale="vi-VN").new_page()
    sign_in(stranger, "cv.stc")
    refused = stranger.request.get(f"{live_server}{address}")
    assert refused.status == 403 and "Không được xem tệp này" in refused.text()
