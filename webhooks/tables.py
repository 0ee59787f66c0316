"""Declare the webhook tables on the engine's metadata, so one migration history covers all."""

import enum

import sqlalchemy as sa

from engine.store.tables import UtcDateTime, metadata


class DeliveryStatus(enum.StrEnum):
    """Where one delivery stands; the values are what the database stores."""

    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"


subscriptions = sa.Table(
    "webhook_subscriptions", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("url", sa.String(2048), nullable=False),
    # Event types or ``prefix.*`` patterns; an empty list means every event.
    sa.Column("event_types", sa.JSON, nullable=False),
    sa.Column("description", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    # Fernet ciphertexts under a key derived from DUNGHAN_SECRET_KEY; never the plain secret.
    sa.Column("secret_ciphertext", sa.Text, nullable=False),
    sa.Column("previous_secret_ciphertext", sa.Text),
    sa.Column("previous_secret_until", UtcDateTime()),
    sa.Column("disabled_reason", sa.Text),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # The relay looks up an event's agencies' active subscriptions.
    sa.Index(None, "agency_code", "active"),
)

deliveries = sa.Table(
    "webhook_deliveries", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("subscription_id", sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
              nullable=False),
    # None for test pings, which announce no outbox event.
    sa.Column("outbox_id", sa.Integer),
    # The Standard Webhooks message id: the same on every retry and redelivery.
    sa.Column("webhook_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_type", sa.String(64), nullable=False),
    # Rendered once, so every attempt signs and sends the very same bytes.
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("last_latency_ms", sa.Float),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_attempt_at", UtcDateTime()),
    sa.Column("delivered_at", UtcDateTime()),
    # One delivery per event and subscription, so a relay run twice adds nothing.
    sa.UniqueConstraint("subscription_id", "outbox_id"),
    # The delivery log and the dead letters of one subscription.
    sa.Index(None, "subscription_id", "status", "created_at"),
)

inbound_messages = sa.Table(
    "inbound_messages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_code", sa.ForeignKey("agencies.code"), nullable=False),
    sa.Column("webhook_id", sa.String(255), nullable=False),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("message_name", sa.String(128), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    # None while the message is being applied; a failed application removes the row.
    sa.Column("applied_at", UtcDateTime()),
    # Senders' message ids are unique per sender, so deduplicate per agency.
    sa.UniqueConstraint("agency_code", "webhook_id"),
)
