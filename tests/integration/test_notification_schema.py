"""The hand-written 0015 migration builds exactly the notification tables and column the code declares."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from engine.store.migrate import alembic_config
from engine.store.tables import metadata
from notifications.tables import notifications, preferences

TABLES = {notifications.name, preferences.name}


def _ours(obj, name, kind, *_) -> bool:
    table = name if kind == "table" else obj.table.name
    return table in TABLES or (table == "users" and (kind != "column" or name == "email"))


def test_the_notification_migration_matches_the_tables_and_downgrades_cleanly(db_url):
    config = alembic_config(db_url)
    engine = sa.create_engine(db_url)
    previous = ScriptDirectory.from_config(config).get_revision("0015").down_revision
    try:
        command.downgrade(config, previous)
        inspector = sa.inspect(engine)
        assert not TABLES & set(inspector.get_table_names())
        assert "email" not in {c["name"] for c in inspector.get_columns("users")}
    finally:
        command.upgrade(config, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _ours})
        assert compare_metadata(context, metadata) == []
    engine.dispose()
