"""The web pages in a real headless Chromium: sign in, see the agency's inbox, sign out.

The browser fixtures (live_server, page, screenshot, axe_audit) are in tests/ui/conftest.py.
"""

import pytest

from engine import directory
from tests import flows
from tests.ui.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(uow_factory, clock):
    return directory.seed_user(uow_factory(), clock, "cv.sxd", "Nguyễn Văn Xây", "SXD",
                               ["officer"], PASSWORD)


def sign_in(page, base: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill("cv.sxd")
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_officer_signs_in_and_sees_the_reply_task_in_vietnamese(live_server, page, officer, api,
                                                               screenshot):
    flows.start(api, consulted=("SXD",))
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Việc cần xử lý"
    assert page.get_by_role("status").inner_text() == "1 nhiệm vụ."
    row = page.get_by_role("row", name="Trả lời ý kiến")
    assert "Chưa ai nhận" in row.inner_text()
    assert "17:00 26/02/2026" in row.inner_text()  # stored in UTC, shown in Vietnam time
    screenshot(page, "web-pages-inbox")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server}/login")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_wrong_password_shows_a_vietnamese_error(live_server, page, officer):
    sign_in(page, live_server, password="sai-mật-khẩu")
    assert page.get_by_role("alert").inner_text() == "Sai tên đăng nhập hoặc mật khẩu"
    assert page.url.endswith("/login")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_api_docs_render_offline_from_local_assets(live_server, page):
    page.goto(f"{live_server}/api/v1/docs")
    page.get_by_text("Đúng hạn API").first.wait_for(timeout=15_000)
    assert page.locator(".opblock").count() > 10  # every route is listed


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pages_keep_their_content_security_policy_and_refuse_to_be_framed(live_server, page,
                                                                         officer):
    """The policy breaks nothing on our own pages, and another site cannot frame them."""
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    sign_in(page, live_server)
    page.get_by_text("Việc cần xử lý").first.wait_for()
    page.goto(f"{live_server}/tra-cuu")
    page.goto(f"{live_server}/api/v1/docs")
    page.get_by_text("Đúng hạn API").first.wait_for(timeout=15_000)
    assert [m for m in messages if "Content Security Policy" in m] == []
    page.set_content(f'<iframe src="{live_server}/login"></iframe>')
    page.wait_for_timeout(1_000)
    assert any("frame-ancestors" in m for m in messages)
    assert "Đăng nhập" not in page.frames[-1].content()
