"""Browser fixtures shared by every page test: a live server, pages, screenshots, an axe audit.

Needs Debian's chromium (`/usr/bin/chromium`, or DUNGHAN_CHROMIUM) and the playwright package;
without them these tests skip visibly, and DUNGHAN_REQUIRE_BROWSER=1 (set by CI) makes that
a failure instead.

    def test_x(live_server, page, sign_in, screenshot, axe_audit):
        sign_in(page, "cv.sxd")                 # a user made by the ``user`` fixture
        axe_audit(page)                         # fails on serious or critical violations
        screenshot(page, "inbox")               # tests/ui/screenshots/inbox.png

Screenshots go to tests/ui/screenshots/ (ignored by git), or to DUNGHAN_SCREENSHOTS.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from waitress.server import create_server

from engine import directory

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DUNGHAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("DUNGHAN_REQUIRE_BROWSER") == "1"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("DUNGHAN_SCREENSHOTS") or Path(__file__).parent / "screenshots")
PASSWORD = "mật-khẩu-thử-nghiệm-2026"
BLOCKING = ("serious", "critical")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _playwright_or_skip():
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
def browser():
    """Launch one headless Chromium for the test."""
    sync_playwright = _playwright_or_skip()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A Vietnamese-locale page with JavaScript on."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser):
    """A page with JavaScript off: every action of the pages must still work."""
    context = browser.new_context(locale="vi-VN", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def user(uow_factory, clock):
    """Make a user who signs in with PASSWORD: ``user("cv.sxd", "Nguyễn Văn Xây", "SXD")``."""
    def make(username: str, full_name: str, agency: str, roles=("officer",)) -> str:
        return directory.seed_user(uow_factory(), clock, username, full_name, agency, roles, PASSWORD)
    return make


@pytest.fixture
def sign_in(live_server):
    """Sign a page in through the form, as a person would, and wait for the page after."""
    def go(page, username: str, password: str = PASSWORD, then: str = "/") -> None:
        page.goto(f"{live_server}/login?next={then}")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server}{then}")
    return go


@pytest.fixture
def screenshot(request):
    """Save a full-page PNG named for the test step; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=full_page)
        return path
    return save


@pytest.fixture
def axe_audit():
    """Run axe-core on the page; fail listing every serious or critical violation.

    The script is evaluated through the DevTools protocol, which the page's Content Security
    Policy does not govern, so the audit sees the page exactly as served.
    """
    source = AXE.read_text(encoding="utf-8")

    def audit(page, exclude: tuple[str, ...] = ()) -> list[dict]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        result = page.evaluate("""async (exclude) => await axe.run(
            {include: [document], exclude: exclude.map(s => [s])},
            {resultTypes: ['violations']})""", list(exclude))
        blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
        assert not blocking, f"axe on {page.url}:\n" + "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in blocking)
        return result["violations"]
    return audit
