"""Run Alembic migrations against the URL the caller put in the config."""

from alembic import context
from sqlalchemy import create_engine

import engine.store.jobs  # noqa: F401  (registers the jobs table on the metadata)
import engine.store.reports  # noqa: F401  (and the published reports)
from engine.store.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _migrate(conn)
    engine.dispose()


def _migrate(connection) -> None:
    # batch mode lets later revisions alter SQLite tables, which lack ALTER COLUMN.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
