"""Administration in the browser: users, API tokens, delegations and webhook subscriptions.

Each test drives real Chromium against the app served on loopback; the webhook test posts to
a real receiver through the real worker. Every page passes the axe audit.
"""

import json
import urllib.error
import urllib.request

import pytest

from engine import services
from engine.worker import Worker
from tests.conftest import PROCESSES
from tests.webhook_receiver import Receiver
from webhooks import handlers as webhook_handlers

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver():
    agency_system = Receiver()
    agency_system.start()
    yield agency_system
    agency_system.stop()


@pytest.fixture
def app(uow_factory, clock, tokens):
    """The app, allowed to deliver webhooks to the receiver on loopback."""
    from service.app import create_app

    return create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                       "TESTING": True, "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"})


def _status_of(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_an_admin_adds_a_user_after_a_refused_username_keeps_the_input_and_can_lock_them(
        live_server, page, user, sign_in, screenshot, axe_audit):
    user("qt.tinh", "Trần Quản Trị", "VPUBND", roles=("admin",))
    sign_in(page, "qt.tinh")
    page.goto(f"{live_server}/quan-tri/co-quan")
    page.get_by_role("cell", name="Sở Xây dựng").wait_for()
    axe_audit(page)
    page.goto(f"{live_server}/quan-tri/nguoi-dung")
    page.get_by_label("Tên đăng nhập").fill("Cán Bộ Mới")  # capitals, spaces and diacritics
    page.get_by_label("Họ và tên").fill("Lê Thị Mới")
    page.get_by_label("Cơ quan của người dùng").select_option("SXD")
    page.get_by_label("Chuyên viên").check()
    page.get_by_role("button", name="Tạo người dùng").click()
    field = page.locator(".field-error", has=page.get_by_label("Tên đăng nhập"))
    assert field.locator(".error-message").inner_text() == "Không đúng định dạng quy định."
    assert page.get_by_label("Họ và tên").input_value() == "Lê Thị Mới"
    axe_audit(page)
    screenshot(page, "admin-user-refused")
    page.get_by_label("Tên đăng nhập").fill("cv.moi.sxd")
    page.get_by_label("Chuyên viên").check()
    page.get_by_role("button", name="Tạo người dùng").click()
    page.get_by_text("Đã tạo người dùng cv.moi.sxd.").wait_for()
    page.get_by_role("link", name="cv.moi.sxd").click()
    page.get_by_label("Đang hoạt động").uncheck()
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.get_by_text("Đã lưu thay đổi người dùng.").wait_for()
    assert not page.get_by_label("Đang hoạt động").is_checked()
    axe_audit(page)


def test_a_head_issues_a_token_shown_once_that_works_until_revoked_without_javascript(
        live_server, page_without_js, user, sign_in, screenshot):
    page = page_without_js
    user("ld.sxd", "Phạm Lãnh Đạo", "SXD", roles=("head",))
    sign_in(page, "ld.sxd")
    page.goto(f"{live_server}/quan-tri/ma-truy-cap")
    page.get_by_label("Nhãn").fill("Phần mềm văn bản Sở Xây dựng")
    page.get_by_role("button", name="Cấp mã").click()
    token = page.get_by_label("Mã truy cập").input_value()
    screenshot(page, "admin-token-issued")
    assert len(token) > 20
    tasks = f"{live_server}/api/v1/tasks?state=open"
    assert _status_of(tasks, token) == 200
    page.goto(f"{live_server}/quan-tri/ma-truy-cap")
    assert token not in page.content()  # shown once, never again
    page.get_by_role("button", name="Thu hồi mã Phần mềm văn bản Sở Xây dựng").click()
    page.get_by_text("Đã thu hồi mã truy cập.").wait_for()
    assert _status_of(tasks, token) == 401


def test_an_officer_is_refused_the_directory_and_the_tokens(live_server, page, user, sign_in):
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    sign_in(page, "cv.sxd")
    for path in ("/quan-tri/co-quan", "/quan-tri/nguoi-dung", "/quan-tri/nguoi-dung/x"):
        answer = page.goto(f"{live_server}{path}")
        assert answer.status == 403, path
        page.get_by_role("heading", name="Không có quyền").wait_for()
    assert page.get_by_role("link", name="Quản trị").count() == 0


def test_a_head_delegates_to_a_member_for_a_trip_and_ends_it_early(
        live_server, page, user, sign_in, screenshot, axe_audit):
    user("ld.sxd", "Phạm Lãnh Đạo", "SXD", roles=("head",))
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    sign_in(page, "ld.sxd")
    page.goto(f"{live_server}/quan-tri/uy-quyen")
    page.get_by_label("Người được ủy quyền").select_option(label="Nguyễn Văn Xây")
    page.get_by_label("Từ (giờ Việt Nam)").fill("2026-02-12T08:00")
    page.get_by_label("Đến (giờ Việt Nam)").fill("2026-02-12T07:00")  # ends before it starts
    page.get_by_label("Lý do").fill("Đi công tác Hà Nội hai ngày")
    page.get_by_role("button", name="Ủy quyền").click()
    page.locator(".flash-error, .error-message").first.wait_for()
    assert page.get_by_label("Lý do").input_value() == "Đi công tác Hà Nội hai ngày"
    page.get_by_label("Đến (giờ Việt Nam)").fill("2026-02-13T17:00")
    page.get_by_role("button", name="Ủy quyền").click()
    page.get_by_text("Đã ủy quyền.").wait_for()
    row = page.get_by_role("row", name="Nguyễn Văn Xây")
    assert "17:00 13/02/2026" in row.inner_text()
    axe_audit(page)
    screenshot(page, "admin-delegation")
    row.get_by_role("button", name="Thu hồi").click()
    page.get_by_text("Đã thu hồi ủy quyền").wait_for()
    assert "Đã thu hồi" in page.get_by_role("row", name="Nguyễn Văn Xây").inner_text()


def test_an_agency_subscribes_its_system_tests_it_and_sends_a_delivery_again(
        app, clock, live_server, page, user, sign_in, receiver, screenshot, axe_audit):
    rt = app.extensions["dunghan"]
    handlers = {**services.handlers(rt.rules),
                **webhook_handlers.handlers(rt.uow, app.extensions["webhooks"])}
    worker = Worker(rt.uow, clock, handlers, "test-worker")
    user("cv.sxd", "Nguyễn Văn Xây", "SXD")
    sign_in(page, "cv.sxd")
    page.goto(f"{live_server}/quan-tri/webhook")
    page.get_by_label("Địa chỉ https").fill("http://10.0.0.8/hook")
    page.get_by_role("button", name="Đăng ký").click()
    assert "https" in page.locator(".field-error .error-message").inner_text()
    page.get_by_label("Địa chỉ https").fill(receiver.url)
    page.get_by_role("button", name="Đăng ký").click()
    secret = page.get_by_label("Bí mật ký").input_value()
    assert secret.startswith("whsec_")
    receiver.secrets.append(secret)
    page.get_by_role("link", name=receiver.url).click()
    page.get_by_role("button", name="Gửi sự kiện thử").click()
    page.get_by_role("cell", name="Chờ gửi").wait_for()
    while worker.run_once():
        pass
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["webhook.ping"]
    page.reload()
    page.get_by_role("cell", name="Đã nhận").wait_for()
    axe_audit(page)
    screenshot(page, "admin-webhook-log")
    page.get_by_role("row").filter(has_text="webhook.ping").get_by_role("button").click()
    page.get_by_text("Đã xếp lần gửi vào hàng đợi gửi lại.").wait_for()
    while worker.run_once():
        pass
    assert len(receiver.requests) == 2
    assert receiver.requests[0].webhook_id == receiver.requests[1].webhook_id
