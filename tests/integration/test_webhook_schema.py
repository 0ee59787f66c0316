"""The hand-written 0005 migration builds exactly the webhook tables the code declares."""

from tests.migrations import assert_migration_round_trip
from webhooks.tables import deliveries, inbound_messages, subscriptions

WEBHOOK_TABLES = {t.name for t in (subscriptions, deliveries, inbound_messages)}


def test_the_webhook_migration_matches_the_tables_and_downgrades_cleanly(db_url):
    assert_migration_round_trip(db_url, "0004", WEBHOOK_TABLES)
