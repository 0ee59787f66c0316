"""Accept signed messages from agencies' systems: verify, deduplicate, then deliver once.

A message must carry the sender agency's bearer token (checked by the web layer) and a
Standard Webhooks signature made with one of that agency's active subscription secrets,
stamped within five minutes of this server's clock. Its ``webhook-id`` is remembered per
agency: the same id with the same body answers as accepted without applying it again; the
same id with another body is refused.
"""

import enum
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.errors import Conflict, Invalid
from webhooks import signing
from webhooks.config import WebhookConfig
from webhooks.handlers import signing_secrets
from webhooks.repositories import InboundMessages, Subscriptions

ABANDONED_AFTER = timedelta(minutes=5)


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Message:
    """A verified inbound message: who sent it, under which id, for which instance."""

    agency: str
    webhook_id: str
    name: str
    correlation_key: str
    payload: dict
    body_sha256: str


def verify(uow, config: WebhookConfig, agency: str, name: str, headers, body: bytes,
           now: datetime, wall_now: float) -> Message:
    """Check the signature, then read the body; raise SignatureInvalid or Invalid."""
    with uow:
        secrets = [s for row in Subscriptions(uow.conn).active_of({agency})
                   for s in signing_secrets(row, config.box, now)]
    webhook_id = signing.verify(secrets, headers, body, wall_now)
    key, payload = _parse(body)
    return Message(agency, webhook_id, name, key, payload, hashlib.sha256(body).hexdigest())


def receive(uow_factory, message: Message, now: datetime,
            deliver: Callable[[str, dict], dict]) -> dict:
    """Apply a verified message at most once; ``deliver`` runs the engine's use case."""
    if not _reserve(uow_factory, message, now):
        return _replay(uow_factory, message)
    try:
        result = deliver(message.correlation_key, message.payload)
    except Exception:
        # Not applied: forget the id, so the sender may retry it once the cause is fixed.
        _settle(uow_factory, lambda seen: seen.release(message.agency, message.webhook_id))
        raise
    _settle(uow_factory, lambda seen: seen.applied(message.agency, message.webhook_id, now))
    return {"status": Outcome.DELIVERED, "webhook_id": message.webhook_id, **result}


def _reserve(uow_factory, message: Message, now: datetime) -> bool:
    with uow_factory() as uow:
        seen = InboundMessages(uow.conn)
        # A reservation never settled belongs to a request that died; let this one proceed.
        seen.release(message.agency, message.webhook_id, received_before=now - ABANDONED_AFTER)
        new = seen.reserve(
            agency_code=message.agency, webhook_id=message.webhook_id,
            body_sha256=message.body_sha256, message_name=message.name, received_at=now)
        uow.commit()
    return new


def _replay(uow_factory, message: Message) -> dict:
    with uow_factory() as uow:
        seen = InboundMessages(uow.conn).get(message.agency, message.webhook_id)
    if seen is None:
        raise Conflict("Thông điệp trùng webhook-id vừa bị hủy; hãy gửi lại")
    if (seen["body_sha256"], seen["message_name"]) != (message.body_sha256, message.name):
        raise Conflict("webhook-id này đã được dùng cho một thông điệp có nội dung khác")
    if seen["applied_at"] is None:
        raise Conflict("Thông điệp có webhook-id này đang được xử lý; hãy thử lại sau")
    return {"status": Outcome.DUPLICATE, "webhook_id": message.webhook_id}


def _settle(uow_factory, change) -> None:
    with uow_factory() as uow:
        change(InboundMessages(uow.conn))
        uow.commit()


def _parse(body: bytes) -> tuple[str, dict]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Invalid("Nội dung không phải JSON hợp lệ") from err
    if not isinstance(data, dict):
        raise Invalid("Nội dung phải là đối tượng JSON")
    errors = {}
    key, payload = data.get("correlation_key"), data.get("payload", {})
    if not isinstance(key, str) or not key:
        errors["correlation_key"] = "Bắt buộc: mã hồ sơ đang chờ thông điệp"
    if not isinstance(payload, dict):
        errors["payload"] = "Phải là đối tượng JSON"
    unknown = set(data) - {"correlation_key", "payload"}
    errors.update({k: "Trường không được phép." for k in unknown})
    if errors:
        raise Invalid("Dữ liệu gửi lên không hợp lệ", errors)
    return key, payload
