"""Bring a database to the latest schema with Alembic, and tell whether it is there."""

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


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


def upgrade(url: str) -> None:
    """Apply every pending migration."""
    command.upgrade(alembic_config(url), "head")


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
