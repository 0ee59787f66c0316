"""A designer edits a process in the browser's BPMN modeler and deploys it, in real Chromium.

The lint, the schedule and the diff are the server's answers, shown on the diagram. The
screenshots land in tests/ui/screenshots/ (or DUNGHAN_SCREENSHOTS); the README's modeler
picture is ``designer-modeler.png``.
"""

from pathlib import Path

import pytest

from engine.library import parse_definition, read_form_files
from tests import flows

ROOT = Path(__file__).resolve().parents[2]
CAMUNDA = ROOT / "tests" / "data" / "designer" / "camunda_hop_y_kien.bpmn"
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def people(user):
    user("tk.skhcn", "Lê Thiết Kế", "SKHCN", ["designer"])
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")


def open_modeler(tab, base: str) -> None:
    tab.goto(f"{base}/thiet-ke")
    tab.get_by_role("link", name="Lấy ý kiến phối hợp", exact=True).click()
    tab.locator('#designer[data-ready="true"]').wait_for(timeout=20_000)


def select(tab, element_id: str) -> None:
    """Click the element unless it is selected already (a second click would deselect it)."""
    if tab.locator("#selected-element").inner_text() != f"UserTask · {element_id}":
        tab.locator(f'.djs-element.djs-shape[data-element-id="{element_id}"]').click()
    tab.get_by_text(f"UserTask · {element_id}").wait_for()


def test_designer_changes_a_deadline_sees_the_lint_error_fixes_it_and_deploys_version_2(
        live_server, page, people, api, sign_in, screenshot):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "tk.skhcn")
    open_modeler(page, live_server)
    assert "1 hồ sơ đang chạy" in page.locator("#version-line").inner_text()

    # Keyboard users pick the element from the list instead of the canvas.
    page.get_by_label("Phần tử", exact=False).select_option("synthesize")
    page.get_by_text("UserTask · synthesize").wait_for()
    deadline = page.get_by_label("Thời hạn", exact=True)
    assert deadline.input_value() == "5 working_days"
    deadline.fill("7 ngay")
    deadline.press("Tab")
    page.get_by_role("button", name="Kiểm tra").click()
    problem = page.locator('#lint-list li[data-element-id="synthesize"]')
    problem.wait_for()
    assert "Đơn vị thời hạn 'ngay' không hợp lệ" in problem.inner_text()
    assert "“Tổng hợp, tiếp thu, giải trình”" in problem.inner_text()
    assert "lint-error" in page.locator('.djs-element[data-element-id="synthesize"]').get_attribute("class")
    screenshot(page, "designer-lint")

    select(page, "synthesize")
    deadline.fill("7 working_days")
    page.get_by_role("button", name="Áp dụng").click()
    page.get_by_role("button", name="Kiểm tra").click()
    page.get_by_text("Không có lỗi: sơ đồ triển khai được.").wait_for()
    assert page.locator(".djs-element.lint-error").count() == 0

    page.get_by_label("Thời điểm bắt đầu (giờ Việt Nam)").fill("2026-02-12T16:00")
    page.get_by_label("Giá trị biến của hồ sơ (JSON)", exact=False).fill(
        '{"reply_days": 10, "reanswer_days": 2, "lead_agency": "STP"}')
    page.get_by_role("button", name="Tính lịch hạn").click()
    row = page.locator('#schedule-table tr[data-element-id="synthesize"]')
    row.wait_for()
    # Replies due 17:00 05/03 (10 working days across Tết); then 7 working days: 06, 09-13, 16/03.
    assert "17:00 05/03/2026" in page.locator('tr[data-element-id="reply_to_consultation"]').inner_text()
    assert "17:00 16/03/2026" in row.inner_text()
    assert "xong chậm nhất 17:00 19/03/2026" in page.locator("#schedule-summary").inner_text()

    page.get_by_role("button", name="So sánh với phiên bản 1").click()
    change = page.locator('#diff-list li[data-element-id="synthesize"]')
    change.wait_for()
    assert "Thời hạn: 5 working_days → 7 working_days" in change.inner_text()
    screenshot(page, "designer-modeler")

    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    page.get_by_text("Đã triển khai phiên bản 2.", exact=False).wait_for()
    assert page.locator("#deployed-version").inner_text() == "2"
    assert api("GET", f"/api/v1/instances/{instance_id}", "STP").json["process_version"] == 1
    page.goto(f"{live_server}/thiet-ke")
    versions = page.locator("#process-lay_y_kien_phoi_hop").inner_text()
    assert "Phiên bản 2 · " in versions and "Phiên bản 1 · " in versions
    assert errors == []


@pytest.mark.parametrize("process_id", sorted(p.stem for p in (ROOT / "processes").glob("*.bpmn")))
def test_the_modeler_exports_what_the_engine_runs_unchanged(live_server, page, people, sign_in,
                                                            process_id):
    """Opened and saved, each shipped process compiles to the same engine spec: no property,
    script, message variable or variable reference (a multi-instance's input list) is lost
    on the way through bpmn-js."""
    sign_in(page, "tk.skhcn")
    page.goto(f"{live_server}/thiet-ke/{process_id}")
    page.locator('#designer[data-ready="true"]').wait_for(timeout=20_000)
    assert "cảnh báo" not in page.locator("#status").inner_text()
    page.get_by_role("button", name="So sánh với phiên bản 1").click()
    page.get_by_text("Không có thay đổi so với phiên bản 1.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp BPMN").click()
    exported = Path(download.value.path()).read_bytes()
    forms = read_form_files(ROOT / "processes" / "forms")
    original = (ROOT / "processes" / f"{process_id}.bpmn").read_bytes()
    assert exported != original  # bpmn-js wrote it anew
    assert parse_definition(exported, None, forms).spec_json == \
        parse_definition(original, None, forms).spec_json


def test_a_camunda_modeler_file_is_uploaded_and_the_ignored_settings_explained(
        live_server, page, people, sign_in, screenshot):
    sign_in(page, "tk.skhcn")
    page.goto(f"{live_server}/thiet-ke")
    page.locator("#bpmn-file").set_input_files(CAMUNDA)
    page.get_by_role("button", name="Tải lên và triển khai").click()
    page.get_by_role("status").get_by_text("Đã triển khai phiên bản 1", exact=False).wait_for()
    notes = page.locator("ul.notes").inner_text()
    assert "Đã chuyển nhóm ứng viên 'SXD' thành thuộc tính 'agency'" in notes
    assert "Bỏ qua listener của nhiệm vụ" in notes
    screenshot(page, "designer-camunda-upload")
    page.get_by_role("link", name="Mở trong trình thiết kế").click()
    page.locator('#designer[data-ready="true"]').wait_for(timeout=20_000)
    select(page, "prepare_meeting")
    assert page.get_by_label("Cơ quan thực hiện").input_value() == '"SXD"'
    assert page.get_by_label("Thời hạn", exact=True).input_value() == "3 working_days"


def test_an_officer_gets_403_on_the_designer_pages(live_server, page, people, sign_in):
    sign_in(page, "cv.sxd")
    response = page.goto(f"{live_server}/thiet-ke")
    assert response.status == 403
    assert page.get_by_role("alert").inner_text().strip() != ""
    assert page.goto(f"{live_server}/thiet-ke/lay_y_kien_phoi_hop").status == 403


def test_the_designer_pages_pass_the_accessibility_audit(live_server, page, people, sign_in,
                                                         axe_audit, screenshot):
    sign_in(page, "tk.skhcn")
    page.goto(f"{live_server}/thiet-ke")
    axe_audit(page)
    open_modeler(page, live_server)
    select(page, "synthesize")
    axe_audit(page)


def test_without_javascript_the_list_and_the_upload_still_work(live_server, page_without_js, people,
                                                              sign_in):
    page = page_without_js
    sign_in(page, "tk.skhcn")
    page.goto(f"{live_server}/thiet-ke/lay_y_kien_phoi_hop")
    assert "Trình thiết kế cần JavaScript" in page.locator("main").inner_text()
    page.goto(f"{live_server}/thiet-ke")
    page.locator("#bpmn-file").set_input_files(CAMUNDA)
    page.get_by_role("button", name="Tải lên và triển khai").click()
    page.get_by_role("status").get_by_text("Đã triển khai phiên bản 1", exact=False).wait_for()


def test_a_designer_drafts_a_new_process_and_deploys_its_first_version(live_server, page, people,
                                                                       sign_in, api):
    sign_in(page, "tk.skhcn")
    page.goto(f"{live_server}/thiet-ke")
    page.get_by_label("Mã quy trình", exact=False).fill("hop_giao_ban")
    page.get_by_label("Tên quy trình").fill("Họp giao ban")
    page.get_by_role("button", name="Mở bản nháp trong trình thiết kế").click()
    page.locator('#designer[data-ready="true"]').wait_for(timeout=20_000)
    select(page, "first_step")
    page.get_by_label("Thời hạn", exact=True).fill("2 working_days")
    page.get_by_role("button", name="Áp dụng").click()
    page.get_by_role("button", name="Triển khai phiên bản mới").click()
    page.wait_for_url(f"{live_server}/thiet-ke/hop_giao_ban")
    page.locator('#designer[data-ready="true"]').wait_for(timeout=20_000)
    assert page.locator("#deployed-version").inner_text() == "1"
    started = api("POST", "/api/v1/instances", "SXD", json={"process_id": "hop_giao_ban"})
    assert started.status_code == 201, started.json
    assert started.json["open_tasks"][0]["name"] == "Bước thứ nhất"
