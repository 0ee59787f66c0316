"""The public procedure catalog in a real headless Chromium, without signing in.

Procedure 1.009972 (building permit, Sở Xây dựng) has 20 working days, sliced in its catalog
file: the desk hands over in 0.5 day (4 working hours), the head assigns in 0.5 day, the
appraisal takes 11.5 days, the consultation 5, the signature 2, the return 0.5 day.
"""

import pytest

from tests.dossier_flows import APPLICANT, receive

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def test_a_citizen_reads_the_catalog_and_a_procedures_steps_and_time_limits(
        live_server, page, api, screenshot, axe_audit):
    receive(api, "TTPVHCC", "1.009972")  # a dossier exists: nothing of it may show here
    page.goto(f"{live_server}/thu-tuc")
    assert page.get_by_role("button", name="Đăng xuất").count() == 0
    row = page.locator("table.catalog tr", has_text="1.009972")
    assert "Sở Xây dựng" in row.inner_text() and "20 ngày làm việc" in row.inner_text()
    birth = page.locator("table.catalog tr", has_text="1.001193").inner_text()
    assert "Đăng ký khai sinh" in birth and "1 ngày làm việc" in birth
    assert "UBND xã, phường nơi nộp hồ sơ" in birth
    axe_audit(page)
    screenshot(page, "catalog")

    page.get_by_role("link", name="Cấp giấy phép xây dựng mới").click()
    page.wait_for_url(f"{live_server}/thu-tuc/1.009972")
    steps = page.locator("table.steps-table tbody tr").all_inner_texts()
    assert len(steps) == 6
    assert "Trung tâm Phục vụ hành chính công tỉnh" in steps[0] and "4 giờ làm việc" in steps[0]
    assert "Sở Xây dựng" in steps[2] and "11.5 ngày làm việc" in steps[2]
    assert "Cơ quan được lấy ý kiến" in steps[3] and "5 ngày làm việc" in steps[3]
    assert "Đơn đề nghị cấp giấy phép xây dựng" in page.content()
    axe_audit(page)
    screenshot(page, "catalog-procedure")
    for text in (APPLICANT["name"], APPLICANT["id_number"], APPLICANT["phone"], "BN-SXD-"):
        assert text not in page.content()

    page.get_by_role("link", name="Giải quyết thủ tục hành chính một cửa").click()
    page.wait_for_selector("#diagram[data-state='ready']", timeout=15000)
    internal = page.locator("table.steps-table tbody").inner_text()
    assert "Phân công công chức xử lý" in internal and "Lãnh đạo cơ quan giải quyết" in internal
    assert page.locator(".djs-element[data-element-id='appraise']").count() == 1
    axe_audit(page)

    page.get_by_role("navigation", name="Dịch vụ công khai").get_by_role("link", name="Tra cứu hồ sơ").click()
    page.wait_for_url(f"{live_server}/tra-cuu")


def test_the_internal_consultation_procedure_is_published_with_its_time_limits(live_server, page):
    page.goto(f"{live_server}/thu-tuc")
    page.get_by_role("link", name="Lấy ý kiến phối hợp").click()
    rows = page.locator("table.steps-table tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows][:2] == ["1. Soạn yêu cầu lấy ý kiến", "2. Trả lời ý kiến"]
    assert "coi như đồng ý" in rows[1]
    synthesis = next(r for r in rows if "Tổng hợp, tiếp thu, giải trình" in r)
    assert "5 ngày làm việc" in synthesis
    assert any("Văn phòng UBND tỉnh" in r for r in rows[3:])  # the provincial review follows


def test_an_unknown_procedure_is_a_clear_404(live_server, page):
    response = page.goto(f"{live_server}/thu-tuc/9.999999")
    assert response.status == 404
    assert "Không có thủ tục mã '9.999999'" in page.content()
