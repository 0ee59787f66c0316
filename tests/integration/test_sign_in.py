"""Web sign-in with argon2 passwords, CSRF-protected forms, throttling, and audited attempts."""

import logging
import re

import pytest
import sqlalchemy as sa

from engine import directory
from engine.store.tables import api_tokens, security_events, users

PASSWORD = "mật-khẩu-đủ-dài-2026"


@pytest.fixture
def officer(uow_factory, clock) -> str:
    return directory.seed_user(uow_factory(), clock, "cv.sxd", "Nguyễn Văn Xây", "SXD",
                               ["officer"], PASSWORD)


def csrf(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, password=PASSWORD, username="cv.sxd", token=None):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token or csrf(client)})


def security_kinds(uow_factory) -> list[str]:
    with uow_factory.engine.connect() as conn:
        return list(conn.execute(sa.select(security_events.c.kind).order_by(security_events.c.id)).scalars())


def test_officer_signs_in_and_sees_the_agency_inbox_in_vietnamese(app, officer, api):
    from tests import flows

    flows.start(api, consulted=("SXD",))
    client = app.test_client()
    assert client.get("/").status_code == 302  # not signed in: sent to /login
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    inbox = client.get("/").get_data(as_text=True)
    assert "Việc cần xử lý" in inbox and "Trả lời ý kiến" in inbox
    # The header names the person, the role and the agency, not `user:cv.sxd · SXD`.
    assert "Nguyễn Văn Xây" in inbox and "Chuyên viên" in inbox and "Sở Xây dựng" in inbox


def test_sign_in_returns_to_the_page_asked_for_and_never_to_another_site(app, officer):
    client = app.test_client()
    asked = client.get("/thong-bao")
    assert asked.status_code == 302 and asked.headers["Location"] == "/login?next=/thong-bao"
    token = csrf(client, "/login?next=/thong-bao")
    back = client.post("/login", data={"username": "cv.sxd", "password": PASSWORD,
                                       "csrf_token": token, "next": "/thong-bao"})
    assert back.headers["Location"] == "/thong-bao"
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = app.test_client()
        again = client.post("/login", data={"username": "cv.sxd", "password": PASSWORD,
                                            "csrf_token": csrf(client), "next": elsewhere})
        assert again.headers["Location"] == "/", elsewhere


def test_a_form_without_the_csrf_token_is_refused(app, officer, uow_factory):
    client = app.test_client()
    csrf(client)
    response = client.post("/login", data={"username": "cv.sxd", "password": PASSWORD})
    assert response.status_code == 400
    assert security_kinds(uow_factory) == []  # refused before the password was even checked


def test_wrong_password_is_refused_and_audited(app, officer, uow_factory):
    client = app.test_client()
    response = sign_in(client, password="sai-mật-khẩu")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    assert sign_in(client, username="khong-co").status_code == 401
    assert sign_in(client).status_code == 302
    assert security_kinds(uow_factory) == ["login_failed", "login_failed", "login_succeeded"]


def test_brute_force_is_throttled_even_with_the_right_password(app, officer, uow_factory, clock):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, password="đoán-mò").status_code == 401
    throttled = sign_in(client)
    assert throttled.status_code == 429
    assert "thử lại sau 15 phút" in throttled.get_data(as_text=True)
    clock.advance(minutes=16)
    assert sign_in(client).status_code == 302
    assert security_kinds(uow_factory).count("login_throttled") == 1


def test_deactivated_user_is_signed_out_on_the_next_request(app, officer, uow_factory):
    client = app.test_client()
    sign_in(client)
    with uow_factory.engine.begin() as conn:
        conn.execute(sa.update(users).values(active=False))
    assert client.get("/").status_code == 302


def test_passwords_and_tokens_never_appear_in_responses_or_logs(app, api, officer, uow_factory,
                                                                 caplog, tokens):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    sign_in(client, password="sai-" + PASSWORD)
    sign_in(client)
    listed = api("GET", "/api/v1/users", "VPUBND_admin").get_data(as_text=True)
    issued = api("POST", "/api/v1/tokens", "VPUBND_admin", json={
        "agency_code": "SXD", "roles": ["officer"], "label": "hệ thống", "system": True}).json
    token_list = api("GET", "/api/v1/tokens?agency=SXD", "VPUBND_admin").get_data(as_text=True)
    with uow_factory.engine.connect() as conn:
        hashes = list(conn.execute(sa.select(users.c.password_hash)).scalars())
        token_hashes = list(conn.execute(sa.select(api_tokens.c.token_hash)).scalars())
    assert hashes[0].startswith("$argon2id$")
    for secret in (PASSWORD, hashes[0], issued["token"], *token_hashes):
        assert secret not in listed and secret not in token_list
        assert secret not in caplog.text
    assert issued["token"].startswith("dh_")
    assert "token" not in api("GET", "/api/v1/tokens?agency=SXD", "VPUBND_admin").json[0]


def test_revoked_token_is_refused_from_the_next_request(api, tokens):
    issued = api("POST", "/api/v1/tokens", "VPUBND_admin", json={
        "agency_code": "SXD", "roles": ["officer"], "label": "tạm thời", "system": True}).json
    auth = {"Authorization": f"Bearer {issued['token']}"}
    assert api("GET", "/api/v1/tasks", headers=dict(auth)).status_code == 200
    revoked = api("POST", f"/api/v1/tokens/{issued['id']}/revoke", "VPUBND_admin")
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert api("GET", "/api/v1/tasks", headers=dict(auth)).status_code == 401


def test_a_head_issues_tokens_only_for_its_own_agency_and_never_system_tokens(api, uow_factory,
                                                                              clock):
    head = directory.seed_user(uow_factory(), clock, "ld.sxd", "Lãnh đạo", "SXD", ["head"], None)
    api.tokens["ld.sxd"] = directory.issue_token(uow_factory(), clock, "SXD", ["head"], "ld",
                                                 user_id=head)
    own = {"agency_code": "SXD", "roles": ["head"], "label": "hệ thống văn bản"}
    assert api("POST", "/api/v1/tokens", "ld.sxd", json=own).status_code == 201
    assert api("POST", "/api/v1/tokens", "ld.sxd",
               json={**own, "roles": ["admin"]}).status_code == 422
    assert api("POST", "/api/v1/tokens", "ld.sxd",
               json={**own, "agency_code": "STC"}).status_code == 403
    assert api("POST", "/api/v1/tokens", "ld.sxd", json={**own, "system": True}).status_code == 403
    # A system token belongs to no one, so it cannot issue a token bound to someone.
    assert api("POST", "/api/v1/tokens", "SXD_head", json=own).status_code == 403


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_an_empty_or_missing_csrf_token_is_refused_even_without_a_cookie(app, officer, uow_factory):
    fresh = app.test_client()  # no session cookie at all: the stored token is missing too
    response = fresh.post("/login", data={"username": "cv.sxd", "password": PASSWORD,
                                          "csrf_token": ""})
    assert response.status_code == 400
    assert fresh.post("/login", data={"username": "cv.sxd", "password": PASSWORD}).status_code == 400
    assert security_kinds(uow_factory) == []


def test_json_to_the_sign_in_page_is_refused(app, officer, uow_factory):
    fresh = app.test_client()
    response = fresh.post("/login", json={"username": "cv.sxd", "password": PASSWORD,
                                          "csrf_token": ""})
    assert response.status_code == 400
    client = app.test_client()
    token = csrf(client)
    response = client.post("/login", json={"username": "cv.sxd", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 400
    assert security_kinds(uow_factory) == []


def test_parallel_guesses_are_counted_atomically(app, officer, uow_factory, clock):
    """Forty guesses at once: no more than the limit ever reach the password check."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from engine.errors import TooManyAttempts, Unauthenticated
    from engine.services import directory as use_cases

    barrier = Barrier(40)

    def guess(_):
        barrier.wait()
        try:
            use_cases.sign_in(uow_factory(), clock, "cv.sxd", "đoán-mò", "203.0.113.7")
        except (TooManyAttempts, Unauthenticated) as err:
            return type(err).__name__

    with ThreadPoolExecutor(40) as pool:
        outcomes = list(pool.map(guess, range(40)))
    assert outcomes.count("Unauthenticated") == use_cases.MAX_FAILURES_PER_USER
    assert security_kinds(uow_factory).count("login_failed") == use_cases.MAX_FAILURES_PER_USER


def test_guesses_from_elsewhere_do_not_lock_the_real_user_out(app, officer, clock):
    attacker = client_from(app, "198.51.100.9")
    for _ in range(5):
        assert sign_in(attacker, password="đoán-mò").status_code == 401
    assert sign_in(attacker).status_code == 429
    office = client_from(app, "10.20.0.15")
    assert sign_in(office).status_code == 302


def test_one_address_guessing_many_usernames_is_throttled(app, officer, clock):
    from engine.services.directory import MAX_FAILURES_PER_ADDRESS

    attacker = client_from(app, "198.51.100.9")
    token = csrf(attacker)
    for n in range(MAX_FAILURES_PER_ADDRESS):
        assert sign_in(attacker, username=f"khong-co-{n}", token=token).status_code == 401
    assert sign_in(attacker, token=token).status_code == 429  # even the right password, now
    clock.advance(minutes=16)
    assert sign_in(attacker, token=token).status_code == 302


def test_a_success_clears_the_users_failures(app, officer, clock):
    client = app.test_client()
    for _ in range(4):
        assert sign_in(client, password="gõ-nhầm").status_code == 401
    assert sign_in(client).status_code == 302
    for _ in range(4):
        assert sign_in(client, password="gõ-nhầm").status_code == 401
    assert sign_in(client).status_code == 302


def test_pages_tell_the_browser_to_refuse_framing_sniffing_and_foreign_scripts(app):
    headers = app.test_client().get("/login").headers
    policy = dict(d.strip().split(" ", 1) for d in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and "unsafe" not in policy["script-src"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("public_url, secure", [("https://dunghan.tinh.gov.vn", True),
                                                ("http://127.0.0.1:8000", False)])
def test_the_session_cookie_is_secure_when_the_service_is_public_over_https(
        uow_factory, clock, tokens, officer, public_url, secure):
    from service.app import create_app
    from tests.conftest import PROCESSES

    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                      "PUBLIC_URL": public_url})
    client = app.test_client()
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_metrics_answer_only_on_the_machine_itself_by_default(app):
    assert app.test_client().get("/metrics").status_code == 200  # from 127.0.0.1
    outside = client_from(app, "203.0.113.7")
    assert outside.get("/metrics").status_code == 403
    proxied = app.test_client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert proxied.status_code == 403  # a reverse proxy on the same machine is not "local"


def test_metrics_with_a_configured_token_need_that_token(uow_factory, clock, tokens):
    from service.app import create_app
    from tests.conftest import PROCESSES

    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                      "METRICS_TOKEN": "giam-sat-" + "x" * 24})
    outside = client_from(app, "203.0.113.7")
    assert outside.get("/metrics").status_code == 401
    assert outside.get("/metrics", headers={"Authorization": "Bearer sai"}).status_code == 401
    good = outside.get("/metrics", headers={"Authorization": "Bearer giam-sat-" + "x" * 24})
    assert good.status_code == 200 and "dunghan_job_backlog" in good.get_data(as_text=True)


def test_behind_a_trusted_proxy_each_client_is_throttled_by_its_own_address(
        uow_factory, clock, tokens, officer):
    from service.app import create_app
    from tests.conftest import PROCESSES

    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                      "TRUSTED_PROXIES": 1})
    attacker, office = app.test_client(), app.test_client()
    attacker.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    office.environ_base["HTTP_X_FORWARDED_FOR"] = "10.20.0.15"
    for _ in range(5):
        assert sign_in(attacker, password="đoán-mò").status_code == 401
    assert sign_in(attacker).status_code == 429
    assert sign_in(office).status_code == 302  # same proxy address, a different client
    with uow_factory.engine.connect() as conn:
        addresses = set(conn.execute(sa.select(security_events.c.remote_addr)).scalars())
    assert addresses == {"198.51.100.9", "10.20.0.15"}
