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
    assert "Hộp công việc của cơ quan (1)" in inbox and "Trả lời ý kiến" in inbox


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
    issued = api("POST", "/api/v1/tokens", "VPUBND_admin",
                 json={"agency_code": "SXD", "roles": ["officer"], "label": "hệ thống"}).json
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
    issued = api("POST", "/api/v1/tokens", "VPUBND_admin",
                 json={"agency_code": "SXD", "roles": ["officer"], "label": "tạm thời"}).json
    auth = {"Authorization": f"Bearer {issued['token']}"}
    assert api("GET", "/api/v1/tasks", headers=dict(auth)).status_code == 200
    revoked = api("POST", f"/api/v1/tokens/{issued['id']}/revoke", "VPUBND_admin")
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert api("GET", "/api/v1/tasks", headers=dict(auth)).status_code == 401


def test_a_head_issues_only_agency_roles_for_its_own_agency(api):
    own = {"agency_code": "SXD", "roles": ["officer"], "label": "hệ thống văn bản"}
    assert api("POST", "/api/v1/tokens", "SXD_head", json=own).status_code == 201
    assert api("POST", "/api/v1/tokens", "SXD_head",
               json={**own, "roles": ["admin"]}).status_code == 422
    assert api("POST", "/api/v1/tokens", "SXD_head",
               json={**own, "agency_code": "STC"}).status_code == 403
