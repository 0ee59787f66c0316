"""The hand-written 0005 migration builds exactly the webhook tables the code declares."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.store.migrate import alembic_config
from engine.store.tables import metadata
from webhooks.tables import deliveries, inbound_messages, subscriptions

WEBHOOK_TABLES = {t.name for t in (subscriptions, deliveries, inbound_messages)}


def test_the_webhook_migration_matches_the_tables_and_downgrades_cleanly(db_url):
    config = alembic_config(db_url)
    engine = sa.create_engine(db_url)
    try:
        command.downgrade(config, "0004")
        assert not WEBHOOK_TABLES & set(sa.inspect(engine).get_table_names())
    finally:
        command.upgrade(config, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, *_: (
                name if kind == "table" else obj.table.name) in WEBHOOK_TABLES,
        })
        assert compare_metadata(context, metadata) == []
    engine.dispose()
