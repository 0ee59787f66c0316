"""Declare the notification tables on the engine's metadata, so one migration history covers all."""

import enum

import sqlalchemy as sa

from engine.store.tables import UtcDateTime, metadata


class NotificationStatus(enum.StrEnum):
    """Where one notification stands; the values are what the database stores."""

    PENDING = "pending"          # an immediate email waits for its ``mail`` job
    DIGEST = "digest"            # waits for the person's daily digest
    SENT = "sent"
    DEAD = "dead"                # every attempt failed; listed for administrators
    UNREACHABLE = "unreachable"  # the person has no email address


class DeliveryMode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


notifications = sa.Table(
    "notifications", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("outbox_id", sa.Integer, nullable=False),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("email", sa.String(255)),
    sa.Column("status", sa.String(16), nullable=False),
    # What the message says, rendered at send time: task, instance title, agencies, due date.
    sa.Column("facts", sa.JSON, nullable=False),
    # ``digest:{user}:{local date}`` for items waiting for a digest, which is also its job key.
    sa.Column("digest_key", sa.String(96)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime()),
    # One notification per event and person, so a fan-out run twice adds nothing.
    sa.UniqueConstraint("outbox_id", "user_id"),
    sa.Index(None, "digest_key"),
    sa.Index(None, "status", "created_at"),
)

preferences = sa.Table(
    "notification_preferences", metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("mode", sa.String(16), nullable=False),
    # Local hour (0–23) of the daily digest, sent on working days only.
    sa.Column("digest_hour", sa.Integer, nullable=False),
    # Kinds the person does not want; overdue and escalation are never muted.
    sa.Column("muted", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)
