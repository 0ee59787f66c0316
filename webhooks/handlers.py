"""Job handlers: ``relay`` fans outbox rows out; ``webhook`` posts one delivery, two-phase.

The POST happens in `WebhookSender.perform`, with no transaction open; `record` then writes
the attempt and settles the job in one transaction. A worker that dies in between makes the
job run again after its lease: the receiver sees the same ``webhook-id`` twice. Delivery is
at least once; receivers deduplicate by ``webhook-id``.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from engine.store.jobs import Job
from engine.store.uow import UnitOfWorkFactory
from engine.worker import AttemptFailed
from webhooks import signing
from webhooks.config import WebhookConfig
from webhooks.crypto import SecretBox
from webhooks.delivery import Attempt, Poster
from webhooks.relay import relay_event
from webhooks.repositories import Deliveries, Subscriptions


def handlers(uow_factory: UnitOfWorkFactory, config: WebhookConfig, poster: Poster | None = None,
             wall: Callable[[], float] = time.time) -> dict:
    """Return the webhook job handlers by kind, for the worker next to the engine's own."""
    sender = WebhookSender(uow_factory, config.box, poster or Poster(config.targets), wall)
    return {
        "relay": lambda uow, job, now: relay_event(uow, job, now, config.public_url),
        "webhook": sender,
    }


@dataclass(frozen=True)
class Skipped:
    """No POST was made: the delivery is gone, or its subscription is switched off."""

    reason: str | None


def signing_secrets(row, box: SecretBox, now: datetime) -> list[str]:
    """Return a subscription's valid secrets: the current one, and the old one in its grace."""
    secrets = [box.open(row["secret_ciphertext"])]
    until = row["previous_secret_until"]
    if row["previous_secret_ciphertext"] and until is not None and until > now:
        secrets.append(box.open(row["previous_secret_ciphertext"]))
    return secrets


class WebhookSender:
    """Post a delivery's body, signed, then log the attempt on the delivery row."""

    def __init__(self, uow_factory: UnitOfWorkFactory, box: SecretBox, poster: Poster,
                 wall: Callable[[], float] = time.time):
        self.uow_factory, self.box, self.poster, self.wall = uow_factory, box, poster, wall

    def perform(self, job: Job, now: datetime) -> Attempt | Skipped:
        """Read what to send in a short transaction of its own, then POST with none open."""
        with self.uow_factory() as uow:
            out = Deliveries(uow.conn).outgoing(job.payload["delivery_id"])
        if out is None:
            return Skipped(None)
        if not out["active"]:
            return Skipped("Đăng ký đang tắt nên không gửi")
        body = out["body"].encode()
        # The receiver checks the timestamp against its own clock, so it is the wall clock's.
        headers = signing.headers(signing_secrets(out, self.box, now), out["webhook_id"],
                                  int(self.wall()), body)
        return self.poster.post(out["url"], body, headers)

    def record(self, uow, job: Job, result: Attempt | Skipped, now: datetime) -> None:
        """Log the attempt; fail the job so the worker retries it, or gives up on 410 Gone."""
        delivery_id = job.payload["delivery_id"]
        deliveries = Deliveries(uow.conn)
        if isinstance(result, Skipped):
            if result.reason:
                deliveries.mark_dead(delivery_id, result.reason)
            return
        deliveries.note_attempt(delivery_id, result, now)
        if result.gone:
            self._disable(uow, delivery_id, now)
            raise AttemptFailed("HTTP 410 Gone: máy nhận từ chối vĩnh viễn; đã tắt đăng ký",
                                permanent=True)
        if not result.delivered:
            raise AttemptFailed(result.error or "gửi không thành công")

    def abandon(self, uow, job: Job, error: str, now: datetime) -> None:
        """Dead-letter the delivery when the worker gives up, for people to see and redeliver."""
        Deliveries(uow.conn).mark_dead(job.payload["delivery_id"], error)

    @staticmethod
    def _disable(uow, delivery_id: str, now: datetime) -> None:
        subscription_id = Deliveries(uow.conn).get(delivery_id)["subscription_id"]
        reason = f"Máy nhận trả 410 Gone lúc {now.isoformat()}"
        Subscriptions(uow.conn).update(subscription_id, active=False, disabled_reason=reason,
                                       updated_at=now)
