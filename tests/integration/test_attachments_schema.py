"""The hand-written 0021 migration builds exactly the attachments table the code declares."""

from tests.migrations import assert_migration_round_trip


def test_the_attachments_migration_matches_the_table_and_downgrades_cleanly(db_url):
    assert_migration_round_trip(db_url, "0021-1", {"attachments"})  # just before this revision
