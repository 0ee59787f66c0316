"""Read and write subscriptions, deliveries and inbound message ids in the caller's transaction."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from webhooks.delivery import Attempt
from webhooks.tables import DeliveryStatus, deliveries, inbound_messages, subscriptions

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _insert_new(conn: Connection, table: sa.Table, conflict_on: list[str], **row) -> bool:
    """Insert a row unless one with the same unique columns exists; tell whether it was added."""
    insert = _INSERTS[conn.dialect.name](table).on_conflict_do_nothing(index_elements=conflict_on)
    # RETURNING rather than rowcount, which psycopg reports as -1 for such an insert.
    added = conn.execute(insert.values(**row).returning(*table.primary_key.columns))
    return added.first() is not None


class Subscriptions:
    """Agencies' webhook subscriptions; secrets only ever as ciphertexts."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(subscriptions).values(**row))

    def get(self, subscription_id: str):
        query = sa.select(subscriptions).where(subscriptions.c.id == subscription_id)
        return self.conn.execute(query).mappings().first()

    def of_agency(self, agency: str) -> list:
        t = subscriptions
        query = sa.select(t).where(t.c.agency_code == agency).order_by(t.c.created_at, t.c.id)
        return list(self.conn.execute(query).mappings())

    def active_of(self, agencies: set[str]) -> list:
        t = subscriptions
        query = sa.select(t).where(t.c.agency_code.in_(sorted(agencies)), t.c.active.is_(True))
        return list(self.conn.execute(query.order_by(t.c.created_at, t.c.id)).mappings())

    def update(self, subscription_id: str, **values) -> None:
        query = sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
        self.conn.execute(query.values(**values))

    def delete(self, subscription_id: str) -> None:
        # Deliveries first: SQLite enforces the cascade only when foreign keys are switched on.
        owned = deliveries.c.subscription_id == subscription_id
        self.conn.execute(sa.delete(deliveries).where(owned))
        self.conn.execute(sa.delete(subscriptions).where(subscriptions.c.id == subscription_id))


class Deliveries:
    """One row per event and subscription: the body to send and how its attempts went."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> bool:
        """Add a delivery unless this event already has one for this subscription."""
        return _insert_new(self.conn, deliveries, ["subscription_id", "outbox_id"],
                           status=DeliveryStatus.PENDING, **row)

    def get(self, delivery_id: str):
        query = sa.select(deliveries).where(deliveries.c.id == delivery_id)
        return self.conn.execute(query).mappings().first()

    def outgoing(self, delivery_id: str):
        """Return a delivery with its subscription's URL, state and sealed secrets, or None."""
        s, d = subscriptions, deliveries
        query = (
            sa.select(d.c.id, d.c.webhook_id, d.c.body, s.c.url, s.c.active,
                      s.c.secret_ciphertext, s.c.previous_secret_ciphertext,
                      s.c.previous_secret_until, s.c.id.label("subscription_id"))
            .join(s, s.c.id == d.c.subscription_id)
            .where(d.c.id == delivery_id)
        )
        return self.conn.execute(query).mappings().first()

    def page(self, subscription_id: str, status: str | None, limit: int, offset: int):
        """Return one page of a subscription's deliveries, newest first, and the total."""
        d = deliveries
        where = [d.c.subscription_id == subscription_id]
        if status:
            where.append(d.c.status == status)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(d).where(*where))
        query = sa.select(d).where(*where).order_by(d.c.created_at.desc(), d.c.id.desc())
        rows = self.conn.execute(query.limit(limit).offset(offset)).mappings()
        return list(rows), total.scalar_one()

    def dead_ids(self, subscription_id: str) -> list[str]:
        d = deliveries
        query = sa.select(d.c.id).where(d.c.subscription_id == subscription_id,
                                        d.c.status == DeliveryStatus.DEAD)
        return list(self.conn.execute(query.order_by(d.c.created_at, d.c.id)).scalars())

    def note_attempt(self, delivery_id: str, attempt: Attempt, now: datetime) -> None:
        """Record one POST: delivered, or to be retried until the worker gives up."""
        status = DeliveryStatus.DELIVERED if attempt.delivered else DeliveryStatus.RETRYING
        self.update(delivery_id, status=status, attempts=deliveries.c.attempts + 1,
                    last_status_code=attempt.status_code, last_error=attempt.error,
                    last_latency_ms=attempt.latency_ms, last_attempt_at=now,
                    delivered_at=now if attempt.delivered else None)

    def mark_dead(self, delivery_id: str, error: str) -> None:
        """Dead-letter a delivery, keeping the last attempt's own error when there was one."""
        self.update(delivery_id, status=DeliveryStatus.DEAD,
                    last_error=sa.func.coalesce(deliveries.c.last_error, error))

    def update(self, delivery_id: str, **values) -> None:
        query = sa.update(deliveries).where(deliveries.c.id == delivery_id)
        self.conn.execute(query.values(**values))


class InboundMessages:
    """The ids of signed messages agencies sent, to apply each at most once."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def reserve(self, **row) -> bool:
        """Claim a message id for this agency; False if it was seen before."""
        return _insert_new(self.conn, inbound_messages, ["agency_code", "webhook_id"], **row)

    def get(self, agency: str, webhook_id: str):
        t = inbound_messages
        query = sa.select(t).where(t.c.agency_code == agency, t.c.webhook_id == webhook_id)
        return self.conn.execute(query).mappings().first()

    def applied(self, agency: str, webhook_id: str, now: datetime) -> None:
        t = inbound_messages
        query = sa.update(t).where(t.c.agency_code == agency, t.c.webhook_id == webhook_id)
        self.conn.execute(query.values(applied_at=now))

    def release(self, agency: str, webhook_id: str,
                received_before: datetime | None = None) -> None:
        """Forget a message that was not applied, so its sender may try it again."""
        t = inbound_messages
        where = [t.c.agency_code == agency, t.c.webhook_id == webhook_id, t.c.applied_at.is_(None)]
        if received_before is not None:
            where.append(t.c.received_at < received_before)
        self.conn.execute(sa.delete(t).where(*where))
