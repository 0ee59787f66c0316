"""Bring a database to the latest schema with Alembic, and on PostgreSQL set up the service role.

Migrations run as the owner of the schema. The service runs as ``dunghan_app``, which may
read and write the working tables but only append to the audit and security logs: it can
neither rewrite nor truncate them, nor disable their append-only triggers (only an owner can).
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"
APP_ROLE = "dunghan_app"
APPEND_ONLY = ("audit_events", "security_events")


class DatabaseNotMigrated(Exception):
    """The database lacks this release's schema: the operator must run ``dunghan migrate``."""

    def __init__(self, current: str | None, head: str):
        where = f"đang ở phiên bản {current}" if current else "chưa có bảng nào"
        super().__init__(f"Cơ sở dữ liệu chưa được cập nhật cấu trúc ({where}, cần {head}); "
                         "hãy chạy `dunghan migrate` trước")


def alembic_config(url: str) -> Config:
    """Build an Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, app_password: str | None = None) -> None:
    """Apply every pending migration; on PostgreSQL, then grant the service role its rights."""
    command.upgrade(alembic_config(url), "head")
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        grant_app_role(url, app_password)


def require_current(engine: sa.Engine) -> None:
    """Raise DatabaseNotMigrated unless the schema is at this release's head or newer.

    A revision this release does not know is newer: during a rolling upgrade the new release
    migrates first, and old processes that restart must keep serving on the additive schema.
    """
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    known = {script.revision for script in scripts.walk_revisions()}
    if current is None or (current != head and current in known):
        raise DatabaseNotMigrated(current, head)


def grant_app_role(url: str, password: str | None = None) -> None:
    """Create ``dunghan_app`` if missing and grant it exactly what the service needs.

    Run again after each migration, so new tables are covered. With a password the role may
    log in; without one it keeps whatever login the database administrator gave it.
    """
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in _grants(conn, password):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _grants(conn, password: str | None) -> list[str]:
    database = conn.dialect.identifier_preparer.quote(conn.exec_driver_sql(
        "SELECT current_database()").scalar_one())
    logs = ", ".join(APPEND_ONLY)
    statements = [
        # Two databases on one server may be migrated at the same moment; the role is shared.
        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {APP_ROLE}",
        f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {logs} FROM {APP_ROLE}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}",
    ]
    if password:
        literal = "'" + password.replace("'", "''") + "'"
        statements.append(f"ALTER ROLE {APP_ROLE} LOGIN PASSWORD {literal}")
    return statements


def runs_as_owner(engine: sa.Engine) -> bool:
    """Tell whether a PostgreSQL connection could rewrite the audit log (owner or superuser)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(conn.exec_driver_sql(
            "SELECT has_table_privilege(current_user, 'audit_events', 'UPDATE')").scalar())
