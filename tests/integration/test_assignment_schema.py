"""The assignments migration builds exactly the table the code declares, and undoes it."""

from tests.migrations import assert_migration_round_trip


def test_assignments_migration_round_trip(db_url):
    assert_migration_round_trip(db_url, "0017", {"assignments"})
