"""A citizen looks a dossier up on /tra-cuu in a real headless Chromium, without signing in."""

import pytest

from tests.dossier_flows import receive, step

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_citizen_types_the_receipt_code_and_reads_the_status(live_server, page, api, screenshot,
                                                              axe_audit):
    code = receive(api, "TTPVHCC", "1.009972")["code"]
    step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
    page.goto(f"{live_server}/tra-cuu")
    page.get_by_label("Mã hồ sơ").fill(code)
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(f"{live_server}/tra-cuu?ma={code}")
    table = page.get_by_role("table", name="Thông tin hồ sơ")
    assert "Được tiếp nhận" in table.inner_text()
    # Received 09:00 Thu 12/02/2026: 20 working days end at 09:00 Thu 19/03/2026 (Vietnam time).
    assert "09:00 19/03/2026" in table.inner_text()
    assert "N*** V*** A***" in table.inner_text() and "Nguyễn" not in page.content()
    axe_audit(page)
    screenshot(page, "public-lookup")
    page.get_by_label("Mã hồ sơ").fill("BN-SXD-260212-9999")
    page.get_by_role("button", name="Tra cứu").click()
    assert page.get_by_role("alert").inner_text() == "Không tìm thấy hồ sơ với mã này"
