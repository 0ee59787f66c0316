"""The Provincial Office, Home Affairs and the one-stop desk at work in a real headless Chromium.

Set DUNGHAN_UPDATE_DOCS=1 to refresh the README's picture of the report page
(docs/screenshots/report.png) from the test that takes it.
"""

import io
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from tests import dossier_flows, flows
from tests.ui.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
README_SHOTS = ROOT / "docs" / "screenshots"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Return a PDF's text as pdftotext reads it: proof that the file is a real, readable PDF."""
    path = tmp_path / "file.pdf"
    path.write_bytes(data)
    assert data.startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_desk_receives_a_dossier_accepts_it_prints_the_receipt_and_hands_over(
        live_server, page_without_js, page, user, sign_in, screenshot, axe_audit, tmp_path):
    """Everything works with JavaScript off: forms post, links print.

    axe needs JavaScript, so a second page with it on audits the same pages afterwards.
    """
    audited, page = page, page_without_js
    user("cv.ttpvhcc", "Phạm Thị Một Cửa", "TTPVHCC")
    sign_in(page, "cv.ttpvhcc", then="/mot-cua")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Tiếp nhận hồ sơ").click()
    page.get_by_label("Thủ tục", exact=True).select_option("1.009972")
    page.get_by_role("button", name="Chọn thủ tục").click()
    page.get_by_label("Họ và tên (bắt buộc)").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("027090001234")
    page.get_by_label("Bản sao giấy tờ chứng minh quyền sử dụng đất").check()
    page.get_by_label("Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)").check()
    screenshot(page, "desk-receive")
    page.get_by_role("button", name="Đăng ký hồ sơ").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    code = heading.removeprefix("Hồ sơ ")
    assert code.startswith("BN-SXD-260212-")
    page.get_by_label("Tiếp nhận", exact=True).check()
    page.get_by_role("button", name="Ghi quyết định").click()
    assert "Được tiếp nhận" in page.get_by_role("main").inner_text()
    # Received Thursday 12/02/2026 09:00 for 20 working days of 8 hours, over Tết (16-20/02).
    assert "09:00 19/03/2026" in page.get_by_role("main").inner_text()
    screenshot(page, "desk-dossier")
    with page.expect_navigation():  # read the printed form only once it has loaded
        page.get_by_role("link", name="xem để in").first.click()
    assert code in page.content() and "Bản sao giấy tờ chứng minh quyền sử dụng đất" in page.content()
    screenshot(page, "desk-receipt")
    page.go_back()
    receipt = page.request.get(f"{live_server}/ho-so/{code}/mau-01.pdf")
    assert receipt.status == 200
    assert code in pdf_text(receipt.body(), tmp_path)
    page.get_by_role("button", name="Chuyển cho cơ quan giải quyết").click()
    assert "Đang xử lý" in page.get_by_role("main").inner_text()
    page.get_by_role("link", name="Về danh sách hồ sơ").click()
    row = page.get_by_role("row", name=code)
    assert "Đang xử lý" in row.inner_text() and "09:00 19/03/2026" in row.inner_text()
    screenshot(page, "desk-dossiers")
    sign_in(audited, "cv.ttpvhcc", then="/mot-cua")
    for path in ("/mot-cua", "/mot-cua/tiep-nhan?procedure=1.012757", f"/mot-cua/ho-so/{code}"):
        audited.goto(f"{live_server}{path}")
        axe_audit(audited)


def test_the_provincial_office_finds_an_overdue_reply_and_who_answers_for_it(
        live_server, page, user, sign_in, api, clock, screenshot, axe_audit):
    """The reply is due Thursday 26/02/2026 17:00; on Monday 2/3 at 09:00 it is 2 working days late."""
    user("cv.vp", "Trần Thị Giám Sát", "VPUBND", ["provincial_office"])
    instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
    flows.reply(api, "STC", instance_id, "agree")
    clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    sign_in(page, "cv.vp", then="/qua-han")
    main = page.get_by_role("main")
    row = main.get_by_role("row", name="Trả lời ý kiến")
    assert "Sở Xây dựng" in row.inner_text() and "17:00 26/02/2026" in row.inner_text()
    # Friday 27/02 is one whole working day, Monday 07:30-09:00 another 1.5 hours.
    assert "1 ngày làm việc (9.5 giờ)" in row.inner_text()
    assert row.get_by_role("link").get_attribute("href") == f"/tien-trinh/{instance_id}"
    assert "Thủ trưởng (việc chưa giao)" in main.get_by_role("table").nth(1).inner_text()
    axe_audit(page)
    screenshot(page, "supervision-overdue")
    page.get_by_label("Cơ quan", exact=True).select_option("STC")
    page.get_by_role("button", name="Lọc").click()
    assert "Không có việc quá hạn theo bộ lọc" in main.inner_text()


def test_home_affairs_reads_the_ranking_and_downloads_the_workbook_and_the_pdf(
        live_server, page, user, sign_in, api, clock, screenshot, axe_audit, tmp_path):
    user("cv.snv", "Lê Văn Nội Vụ", "SNV", ["officer", "home_affairs"])
    instance_id, _ = flows.start(api, consulted=("SXD", "STC", "SNNMT"))
    flows.reply(api, "STC", instance_id, "agree")
    flows.reply(api, "SNNMT", instance_id, "agree")
    code = dossier_flows.receive(api, "TTPVHCC", "1.009972")["code"]
    dossier_flows.step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    sign_in(page, "cv.snv", then="/bao-cao")
    page.get_by_label("Tháng báo cáo", exact=True).fill("2026-02")
    page.get_by_role("button", name="Xem báo cáo").click()
    main = page.get_by_role("main")
    assert "tháng 02/2026" in page.get_by_role("heading", level=1).inner_text()
    chart = page.get_by_role("figure", name="Điểm kỷ luật hành chính tháng 02/2026")
    assert "Sở Tài chính" in chart.inner_text() and "điểm" in chart.inner_text()
    assert "Xếp hạng cơ quan" in main.inner_text()
    axe_audit(page)
    shot = screenshot(page, "report")
    if os.environ.get("DUNGHAN_UPDATE_DOCS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot(page, "report-top", full_page=False), README_SHOTS / "report.png")
    assert shot.exists()
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Tải bảng tính Excel (XLSX)").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    ranking = workbook.worksheets[0]
    cells = [c.value for row in ranking.iter_rows() for c in row]
    assert "Sở Tài chính" in cells and "Sở Xây dựng" in cells
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Tải văn bản PDF").click()
    text = pdf_text(Path(pdf.value.path()).read_bytes(), tmp_path)
    assert "Sở Tài chính" in text and "02/2026" in text


def test_an_agency_officer_is_refused_the_supervision_pages_and_does_not_see_them(
        live_server, page, user, sign_in, axe_audit):
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    sign_in(page, "cv.sxd")
    links = page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link")
    assert not {"Việc quá hạn", "Báo cáo kỷ luật", "Hồ sơ một cửa"} & set(links.all_inner_texts())
    for path in ("/qua-han", "/bao-cao", "/mot-cua"):
        answer = page.goto(f"{live_server}{path}")
        assert answer.status == 403
        assert "Không có quyền" in page.get_by_role("heading", level=1).inner_text()
    axe_audit(page)
