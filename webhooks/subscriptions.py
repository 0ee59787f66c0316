"""Use cases for an agency's own webhook subscriptions: each runs in one unit of work.

An agency sees and manages only its own subscriptions; another agency's id answers 403,
as tasks and instances do. The signing secret is returned by `create_subscription` and
`rotate_secret` only, and stored encrypted.
"""

import uuid
from datetime import datetime, timedelta

from engine import policy
from engine.clock import Clock
from engine.errors import Conflict, Invalid, NotFound
from engine.policy import Action, Resource
from engine.store.repositories import RELAY_SETTING
from webhooks import payloads
from webhooks.catalog import invalid_patterns
from webhooks.config import WebhookConfig
from webhooks.crypto import new_secret
from webhooks.relay import enqueue
from webhooks.repositories import Deliveries, Subscriptions
from webhooks.tables import DeliveryStatus
from webhooks.targets import TargetRefused
from webhooks.views import delivery_view, subscription_view

MAX_GRACE = timedelta(days=7)
IN_FLIGHT = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def create_subscription(uow, clock: Clock, principal, config: WebhookConfig, url: str,
                        event_types: list[str], description: str = "") -> dict:
    """Subscribe the caller's agency; the answer shows the signing secret, this once."""
    policy.require(principal, Action.MANAGE_WEBHOOKS, Resource(principal.agency))
    _check_url(config, url)
    _check_filter(event_types)
    now, secret = clock.now(), new_secret()
    row = dict(id=str(uuid.uuid4()), agency_code=principal.agency, url=url,
               event_types=list(event_types), description=description, active=True,
               secret_ciphertext=config.box.seal(secret), created_at=now, updated_at=now)
    with uow:
        Subscriptions(uow.conn).add(**row)
        # From now on every outbox row queues a relay job (see Journal.record).
        uow.settings.put(RELAY_SETTING, "on")
        uow.commit()
    return {**subscription_view(row), "secret": secret}


def list_subscriptions(uow, principal) -> list[dict]:
    """List the caller's agency's subscriptions, without secrets."""
    policy.require(principal, Action.MANAGE_WEBHOOKS, Resource(principal.agency))
    with uow:
        return [subscription_view(r) for r in Subscriptions(uow.conn).of_agency(principal.agency)]


def get_subscription(uow, principal, subscription_id: str) -> dict:
    """Show one of the caller's subscriptions, without its secret."""
    with uow:
        return subscription_view(_own(uow, principal, subscription_id))


def update_subscription(uow, clock: Clock, principal, config: WebhookConfig,
                        subscription_id: str, changes: dict) -> dict:
    """Change the URL, filter, description or active flag; re-enabling clears the reason."""
    if "url" in changes:
        _check_url(config, changes["url"])
    if "event_types" in changes:
        _check_filter(changes["event_types"])
    if changes.get("active"):
        changes = {**changes, "disabled_reason": None}
    with uow:
        _own(uow, principal, subscription_id)
        subs = Subscriptions(uow.conn)
        subs.update(subscription_id, **changes, updated_at=clock.now())
        view = subscription_view(subs.get(subscription_id))
        uow.commit()
    return view


def delete_subscription(uow, principal, subscription_id: str) -> None:
    """Delete a subscription and its delivery log; queued deliveries are dropped."""
    with uow:
        _own(uow, principal, subscription_id)
        Subscriptions(uow.conn).delete(subscription_id)
        uow.commit()


def rotate_secret(uow, clock: Clock, principal, config: WebhookConfig, subscription_id: str,
                  grace: timedelta | None = None) -> dict:
    """Issue a new secret; the old one keeps signing alongside it until the grace ends."""
    grace = config.grace if grace is None else grace
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise Invalid("Thời gian chuyển tiếp phải từ 0 đến 7 ngày", {"grace_hours": "0–168"})
    now, secret = clock.now(), new_secret()
    with uow:
        row = _own(uow, principal, subscription_id)
        subs = Subscriptions(uow.conn)
        subs.update(subscription_id, secret_ciphertext=config.box.seal(secret),
                    previous_secret_ciphertext=row["secret_ciphertext"],
                    previous_secret_until=now + grace, updated_at=now)
        view = subscription_view(subs.get(subscription_id))
        uow.commit()
    return {**view, "secret": secret}


def ping(uow, clock: Clock, principal, subscription_id: str) -> dict:
    """Queue a ``webhook.ping`` delivery to test the endpoint; the worker sends it."""
    now = clock.now()
    with uow:
        row = _own(uow, principal, subscription_id)
        _require_active(row)
        body = payloads.ping_body(subscription_id, row["agency_code"], now)
        delivery_id = enqueue(uow, subscription_id, payloads.PING_TYPE, body, now, now)
        view = delivery_view(Deliveries(uow.conn).get(delivery_id))
        uow.commit()
    return view


def list_deliveries(uow, principal, subscription_id: str, status: str | None, page: int,
                    per_page: int) -> dict:
    """Show one page of a subscription's delivery log, newest first."""
    with uow:
        _own(uow, principal, subscription_id)
        rows, total = Deliveries(uow.conn).page(subscription_id, status, per_page,
                                                (page - 1) * per_page)
    return {"items": [delivery_view(r) for r in rows], "page": page, "per_page": per_page,
            "total": total}


def redeliver(uow, clock: Clock, principal, subscription_id: str, delivery_id: str) -> dict:
    """Send one settled delivery again, same ``webhook-id``, with a fresh round of retries."""
    with uow:
        _require_active(_own(uow, principal, subscription_id))
        delivery = Deliveries(uow.conn).get(delivery_id)
        if delivery is None or delivery["subscription_id"] != subscription_id:
            raise NotFound("Không tìm thấy lần gửi này trong đăng ký")
        if delivery["status"] in IN_FLIGHT:
            raise Conflict("Lần gửi này đang chờ gửi hoặc gửi lại")
        _requeue(uow, delivery_id, clock.now())
        view = delivery_view(Deliveries(uow.conn).get(delivery_id))
        uow.commit()
    return view


def redeliver_dead(uow, clock: Clock, principal, subscription_id: str) -> dict:
    """Send every dead-lettered delivery of a subscription again, oldest first."""
    now = clock.now()
    with uow:
        _require_active(_own(uow, principal, subscription_id))
        dead = Deliveries(uow.conn).dead_ids(subscription_id)
        for delivery_id in dead:
            _requeue(uow, delivery_id, now)
        uow.commit()
    return {"redelivered": len(dead), "delivery_ids": dead}


def _requeue(uow, delivery_id: str, now: datetime) -> None:
    Deliveries(uow.conn).update(delivery_id, status=DeliveryStatus.PENDING)
    key = f"webhook:{delivery_id}"
    if not uow.jobs.requeue(key, now):
        uow.jobs.schedule("webhook", key, now, {"delivery_id": delivery_id}, now)


def _own(uow, principal, subscription_id: str):
    row = Subscriptions(uow.conn).get(subscription_id)
    if row is None:
        raise NotFound("Không tìm thấy đăng ký webhook")
    policy.require(principal, Action.MANAGE_WEBHOOKS, Resource(row["agency_code"]))
    return row


def _require_active(row) -> None:
    if not row["active"]:
        raise Conflict("Đăng ký đang tắt; hãy bật lại (active: true) trước khi gửi")


def _check_url(config: WebhookConfig, url: str) -> None:
    try:
        config.targets.check_url(url)
    except TargetRefused as err:
        raise Invalid(str(err), {"url": str(err)}) from err


def _check_filter(event_types: list[str]) -> None:
    bad = invalid_patterns(event_types)
    if bad:
        message = "Loại sự kiện phải có dạng 'task.assigned' hoặc 'task.*'"
        raise Invalid(message, {"event_types": f"{message}: {', '.join(map(str, bad))}"})
