"""The web pages in a real headless Chromium: sign in, see the agency's inbox, sign out.

Needs Debian's chromium (`/usr/bin/chromium`, or DUNGHAN_CHROMIUM) and the playwright package;
without them these tests skip visibly, and DUNGHAN_REQUIRE_BROWSER=1 (set by CI) makes that
a failure instead.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from waitress.server import create_server

from engine import directory
from tests import flows

CHROMIUM = os.environ.get("DUNGHAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("DUNGHAN_REQUIRE_BROWSER") == "1"
PASSWORD = "mật-khẩu-thử-nghiệm-2026"
pytestmark = pytest.mark.browser


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = sync_playwright is None or not Path(CHROMIUM).exists()
    if missing and REQUIRED:
        pytest.fail(f"DUNGHAN_REQUIRE_BROWSER=1 but chromium ({CHROMIUM}) or playwright is missing")
    if missing:
        pytest.skip("browser tests need /usr/bin/chromium and the playwright package")
    return sync_playwright


@pytest.fixture
def live_server(app):
    """Serve the test app with waitress on a free loopback port."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.task_dispatcher.shutdown()
    server.close()
    thread.join(timeout=5)


@pytest.fixture
def page():
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser.new_page(locale="vi-VN")
        browser.close()


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
                                                               tmp_path):
    flows.start(api, consulted=("SXD",))
    sign_in(page, live_server)
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading").inner_text() == "Hộp công việc của cơ quan (1)"
    row = page.get_by_role("row", name="Trả lời ý kiến")
    assert "Chưa ai nhận" in row.inner_text()
    assert "17:00 26/02/2026" in row.inner_text()  # stored in UTC, shown in Vietnam time
    page.screenshot(path=os.environ.get("DUNGHAN_SCREENSHOT", tmp_path / "inbox.png"))
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
    page.get_by_text("Hộp công việc của cơ quan").first.wait_for()
    page.goto(f"{live_server}/tra-cuu")
    page.goto(f"{live_server}/api/v1/docs")
    page.get_by_text("Đúng hạn API").first.wait_for(timeout=15_000)
    assert [m for m in messages if "Content Security Policy" in m] == []
    page.set_content(f'<iframe src="{live_server}/login"></iframe>')
    page.wait_for_timeout(1_000)
    assert any("frame-ancestors" in m for m in messages)
    assert "Đăng nhập" not in page.frames[-1].content()
