"""The hand-written 0019 migration builds exactly the feedback table the code declares."""

from engine.store.tables import feedback
from tests.migrations import assert_migration_round_trip


def test_the_feedback_migration_matches_the_table_and_downgrades_cleanly(db_url):
    assert_migration_round_trip(db_url, "0019-1", {feedback.name})  # just before this revision
