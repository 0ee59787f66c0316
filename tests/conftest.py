"""Shared fixtures: a migrated database per backend, a frozen clock, an app and agency tokens.

Tests marked ``postgres`` run against DUNGHAN_TEST_POSTGRES_URL. Without it they skip visibly,
unless DUNGHAN_REQUIRE_POSTGRES=1 (set by CI), which turns the skip into a failure.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import directory
from engine.clock import FrozenClock
from engine.identity import Role
from engine.store.migrate import upgrade
from engine.store.tables import metadata
from engine.store.uow import UnitOfWorkFactory

# Tests never write a key file into the repository's var/.
os.environ.setdefault("DUNGHAN_SECRET_KEY", "test-only-secret-key-not-for-production")

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
PG_URL = os.environ.get("DUNGHAN_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("DUNGHAN_REQUIRE_POSTGRES") == "1"

# The demo province, so tests use the same agency codes as the README.
AGENCIES = json.loads((ROOT / "config" / "demo_province.json").read_text(encoding="utf-8"))["agencies"]
CONSULTED = ["SXD", "STC", "SNNMT"]


def postgres_url() -> str:
    """Return the PostgreSQL URL for tests, skipping or failing when there is none."""
    if PG_URL:
        return _worker_database(PG_URL)
    if REQUIRE_PG:
        pytest.fail("DUNGHAN_REQUIRE_POSTGRES=1 but DUNGHAN_TEST_POSTGRES_URL is not set")
    pytest.skip("PostgreSQL tests need DUNGHAN_TEST_POSTGRES_URL")


def _worker_database(url: str) -> str:
    """Give each pytest-xdist worker its own database beside the configured one.

    Every session drops and recreates the public schema, so two workers sharing one database
    would wipe each other's tables mid-test.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists.first() is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as err:
        pytest.fail(f"PostgreSQL at {url} is unreachable: {err}")
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    except sa.exc.OperationalError as err:
        pytest.fail(f"PostgreSQL at {url} is unreachable: {err}")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """Migrate one SQLite file per session; each test copies it, which is faster than migrating."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    url = postgres_url()
    _reset_postgres(url)
    upgrade(url)
    return url


def _truncate(url: str) -> None:
    engine = sa.create_engine(url)
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, sqlite_template) -> str:
    """Yield a freshly migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "dunghan.db"
        path.write_bytes(sqlite_template.read_bytes())
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_migrated")
    _truncate(url)
    return url


@pytest.fixture
def clock() -> FrozenClock:
    """Stand at 09:00 Hanoi time on Thursday 12 February 2026, just before Tết."""
    return FrozenClock(datetime(2026, 2, 12, 2, 0, tzinfo=UTC))


@pytest.fixture
def uow_factory(db_url) -> UnitOfWorkFactory:
    factory = UnitOfWorkFactory(db_url)
    directory.seed_agencies(factory(), AGENCIES)
    yield factory
    factory.engine.dispose()


@pytest.fixture
def tokens(uow_factory, clock) -> dict[str, str]:
    """Issue one token per demo agency role, keyed like ``STP`` or ``SKHCN_designer``."""
    issued = {}
    for agency in AGENCIES:
        for role in agency["roles"]:
            key = agency["code"] if role in ("officer", "provincial_office") else f"{agency['code']}_{role}"
            issued[key] = directory.issue_token(uow_factory(), clock, agency["code"], Role(role), key)
    return issued


@pytest.fixture
def app(uow_factory, clock, tokens):
    from service.app import create_app

    return create_app({
        "DATABASE_URL": uow_factory.url,
        "CLOCK": clock,
        "PROCESSES_DIR": PROCESSES,
        "TESTING": True,
    })


class Api:
    """A test client that speaks for one agency token at a time."""

    def __init__(self, client, tokens):
        self.client, self.tokens = client, tokens

    def __call__(self, method: str, path: str, as_: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if as_:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        return self.client.open(path, method=method, headers=headers, **kwargs)


@pytest.fixture
def api(app, tokens) -> Api:
    return Api(app.test_client(), tokens)
