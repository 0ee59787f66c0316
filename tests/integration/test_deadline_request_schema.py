"""Migration 0020 builds the request and flag tables, and the tasks' approver, as the code declares."""

import sqlalchemy as sa
from alembic import command

from engine.store.migrate import alembic_config
from tests.migrations import assert_migration_round_trip


def test_migration_0020_round_trips(db_url):
    assert_migration_round_trip(db_url, "0020-1", {"deadline_requests", "consultation_flags"})


def test_migration_0020_adds_the_tasks_approver_and_takes_it_away(db_url):
    engine = sa.create_engine(db_url)

    def columns() -> set[str]:
        return {c["name"] for c in sa.inspect(engine).get_columns("tasks")}

    try:
        assert "pause_approver" in columns()
        command.downgrade(alembic_config(db_url), "0020-1")
        assert "pause_approver" not in columns()
    finally:
        command.upgrade(alembic_config(db_url), "head")
        engine.dispose()
