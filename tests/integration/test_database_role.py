"""The service runs as `dunghan_app`: it appends to the audit and security logs, never rewrites them.

Migrations run as the owner; `dunghan migrate` on PostgreSQL also creates the role and grants it
what the service needs. On SQLite (one file, one user) the append-only triggers are the guard.
"""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from engine.store.migrate import APP_ROLE, grant_app_role
from engine.store.tables import audit_events, security_events
from tests import flows

APPEND_ONLY = (audit_events, security_events)


def test_the_security_log_is_append_only_like_the_audit_log(api, uow_factory):
    api("POST", "/api/v1/tokens", "VPUBND_admin",
        json={"agency_code": "SXD", "roles": ["officer"], "label": "hệ thống", "system": True})
    with uow_factory.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(security_events)).scalar() > 0
    with pytest.raises(sa.exc.DBAPIError), uow_factory.engine.begin() as conn:
        conn.execute(sa.delete(security_events))
    with pytest.raises(sa.exc.DBAPIError), uow_factory.engine.begin() as conn:
        conn.execute(sa.update(security_events).values(username="ai đó"))


@pytest.fixture
def app_url(uow_factory) -> str:
    """Let dunghan_app sign in (trust authentication on the test server) and return its URL."""
    owner = sa.engine.make_url(uow_factory.url)
    if owner.get_backend_name() != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only")
    grant_app_role(uow_factory.url, password="chỉ-dùng-khi-kiểm-thử")
    return owner.set(username=APP_ROLE, password="chỉ-dùng-khi-kiểm-thử").render_as_string(
        hide_password=False)


def as_app(app_url: str):
    return sa.create_engine(app_url)


@pytest.mark.parametrize("table", APPEND_ONLY, ids=lambda t: t.name)
def test_the_service_role_cannot_rewrite_truncate_or_unprotect_the_logs(app_url, api, table):
    flows.start(api)
    api("POST", "/api/v1/tokens", "VPUBND_admin",
        json={"agency_code": "SXD", "roles": ["officer"], "label": "hệ thống", "system": True})
    engine = as_app(app_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() > 0
        statements = [sa.update(table).values(id=table.c.id), sa.delete(table),
                      sa.text(f"TRUNCATE {table.name}"),
                      sa.text(f"ALTER TABLE {table.name} DISABLE TRIGGER ALL"),
                      sa.text(f"DROP TABLE {table.name}")]
        for statement in statements:
            refused = pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner")
            with refused, engine.begin() as conn:
                conn.execute(statement)
    finally:
        engine.dispose()


def test_the_service_role_may_append_to_the_logs(app_url):
    engine = as_app(app_url)
    now = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(security_events).values(kind="probe", occurred_at=now, detail={}))
            conn.execute(sa.insert(audit_events).values(instance_id="x", type="probe", actor="t",
                                                        occurred_at=now, detail={}))
    finally:
        engine.dispose()


def test_the_service_warns_when_it_connects_as_a_role_that_could_rewrite_the_logs(
        app_url, uow_factory, clock, tokens, caplog):
    from service.app import create_app
    from tests.conftest import PROCESSES

    create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES})
    assert "connect as dunghan_app" in caplog.text
    caplog.clear()
    app = create_app({"DATABASE_URL": app_url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES})
    app.extensions["dunghan"].uow.engine.dispose()
    assert "dunghan_app" not in caplog.text


def test_the_whole_service_works_as_the_service_role(app_url, uow_factory, clock, tokens):
    """A consultation from start to end, a sign-in, a token and a sign-out, all as dunghan_app."""
    from engine import directory
    from service.app import create_app
    from tests.conftest import PROCESSES, Api

    directory.seed_user(uow_factory(), clock, "cv.sxd", "Cán bộ", "SXD", ["officer"],
                        "mật-khẩu-đủ-dài-2026")
    app = create_app({"DATABASE_URL": app_url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES})
    try:
        api = Api(app.test_client(), tokens)
        instance_id, _ = flows.start(api, consulted=("SXD", "STC"))
        assert flows.reply(api, "SXD", instance_id, "agree").status_code == 200
        assert flows.reply(api, "STC", instance_id, "agree").status_code == 200
        done = flows.complete(api, "STP", instance_id, {"synthesis": "Các sở thống nhất với dự thảo."})
        assert done.json["instance_status"] == "completed", done.json
        issued = api("POST", "/api/v1/tokens", "VPUBND_admin", json={
            "agency_code": "SXD", "roles": ["officer"], "label": "hệ thống", "system": True})
        assert issued.status_code == 201
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post("/login", data={"username": "cv.sxd", "password": "sai-mật-khẩu-rồi",
                                           "csrf_token": csrf}).status_code == 401
        assert client.post("/login", data={"username": "cv.sxd", "password": "mật-khẩu-đủ-dài-2026",
                                           "csrf_token": csrf}).status_code == 302
        page = client.get("/").get_data(as_text=True)
        csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    finally:
        app.extensions["dunghan"].uow.engine.dispose()
