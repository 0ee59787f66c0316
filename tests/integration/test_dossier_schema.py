"""The hand-written 0012 migration builds exactly the dossier tables the code declares."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.store.migrate import alembic_config
from engine.store.tables import dossier_counters, dossiers, metadata, procedure_versions

DOSSIER_TABLES = {t.name for t in (dossiers, procedure_versions, dossier_counters)}


def test_the_dossier_migration_matches_the_tables_and_downgrades_cleanly(db_url):
    config = alembic_config(db_url)
    engine = sa.create_engine(db_url)
    try:
        command.downgrade(config, "0012-1")  # just before this revision
        assert not DOSSIER_TABLES & set(sa.inspect(engine).get_table_names())
    finally:
        command.upgrade(config, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, *_: (
                name if kind == "table" else obj.table.name) in DOSSIER_TABLES,
        })
        assert compare_metadata(context, metadata) == []
    engine.dispose()
