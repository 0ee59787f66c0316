"""The hand-written 0012 migration builds exactly the dossier tables the code declares."""

from engine.store.tables import dossier_counters, dossiers, procedure_versions
from tests.migrations import assert_migration_round_trip

DOSSIER_TABLES = {t.name for t in (dossiers, procedure_versions, dossier_counters)}


def test_the_dossier_migration_matches_the_tables_and_downgrades_cleanly(db_url):
    assert_migration_round_trip(db_url, "0012-1", DOSSIER_TABLES)  # just before this revision
