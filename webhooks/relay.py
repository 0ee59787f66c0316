"""Relay one outbox row: one delivery per matching active subscription, each with its job.

The relay runs as a ``relay`` job that `Journal.record` queued in the very transaction that
wrote the outbox row, so a change that rolled back never reaches anyone. It runs inside the
worker's transaction and is idempotent by keys: one delivery per (subscription, outbox row),
one ``webhook:{delivery_id}`` job per delivery.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa

from engine.store.jobs import Job
from engine.store.tables import outbox
from webhooks import payloads
from webhooks.catalog import matches
from webhooks.repositories import Deliveries, Subscriptions


def relay_event(uow, job: Job, now: datetime, public_url: str) -> None:
    """Fan an outbox row out to the subscriptions of the agencies it concerns."""
    row = uow.conn.execute(sa.select(outbox).where(outbox.c.id == job.payload["outbox_id"]))
    event = row.mappings().first()
    if event is None or event["published_at"] is not None:
        return
    instance = uow.instances.get(event["payload"].get("instance_id"))
    agencies = payloads.recipients(event["payload"], instance["lead_agency"] if instance else None)
    wanted = [s for s in Subscriptions(uow.conn).active_of(agencies)
              if matches(s["event_types"], event["type"])]
    if wanted:
        task_id = event["payload"].get("task_id")
        task = uow.tasks.get(task_id) if task_id else None
        body = payloads.event_body(event, instance, task, public_url)
        for subscription in wanted:
            enqueue(uow, subscription["id"], event["type"], body, event["occurred_at"], now,
                    outbox_id=event["id"])
    query = sa.update(outbox).where(outbox.c.id == event["id"]).values(published_at=now)
    uow.conn.execute(query)


def enqueue(uow, subscription_id: str, event_type: str, body: str, due_at: datetime,
            now: datetime, outbox_id: int | None = None) -> str | None:
    """Add a delivery and its ``webhook`` job; return its id, or None if it already existed.

    The job is due at the event's instant, so the queue's due order keeps a subscription's
    deliveries in event order, as far as retries allow.
    """
    delivery_id = str(uuid.uuid4())
    added = Deliveries(uow.conn).add(
        id=delivery_id, subscription_id=subscription_id, outbox_id=outbox_id,
        webhook_id=f"msg_{uuid.uuid4().hex}", event_type=event_type, body=body, created_at=now)
    if not added:
        return None
    key = f"webhook:{delivery_id}"
    uow.jobs.schedule("webhook", key, due_at, {"delivery_id": delivery_id}, now)
    return delivery_id
