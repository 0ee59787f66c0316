"""Check that a hand-written migration builds exactly the tables the code declares."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.store.migrate import alembic_config
from engine.store.tables import metadata


def assert_migration_round_trip(db_url: str, before: str, tables: set[str]) -> None:
    """Downgrade to ``before`` (the tables vanish), upgrade to head, compare with the metadata."""
    config = alembic_config(db_url)
    engine = sa.create_engine(db_url)
    try:
        command.downgrade(config, before)
        assert not tables & set(sa.inspect(engine).get_table_names())
    finally:
        command.upgrade(config, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, *_: (
                name if kind == "table" else obj.table.name) in tables,
        })
        assert compare_metadata(context, metadata) == []
    engine.dispose()
