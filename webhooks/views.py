"""Shape subscriptions and deliveries as plain dicts for the API; never a secret."""

import json

from engine.views import iso


def subscription_view(row) -> dict:
    """Describe a subscription; never its secret, which is shown once at creation."""
    return {
        "id": row["id"], "agency": row["agency_code"], "url": row["url"],
        "event_types": row["event_types"], "description": row["description"],
        "active": row["active"], "disabled_reason": row.get("disabled_reason"),
        "previous_secret_valid_until": iso(row.get("previous_secret_until")),
        "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"]),
    }


def delivery_view(row) -> dict:
    """Describe one delivery: what was sent and how its attempts went."""
    instants = {k: iso(row[k]) for k in ("created_at", "last_attempt_at", "delivered_at")}
    return {
        "id": row["id"], "webhook_id": row["webhook_id"], "event_type": row["event_type"],
        "status": row["status"], "attempts": row["attempts"],
        "last_status_code": row["last_status_code"], "last_error": row["last_error"],
        "last_latency_ms": row["last_latency_ms"], "payload": json.loads(row["body"]), **instants,
    }
