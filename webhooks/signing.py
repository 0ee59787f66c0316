"""Sign and verify Standard Webhooks messages: ``v1,`` + base64 HMAC-SHA256 of id.timestamp.body."""

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

from engine.errors import DomainError
from webhooks.crypto import secret_bytes

TOLERANCE_SECONDS = 5 * 60


class SignatureInvalid(DomainError):
    """The headers are missing, the timestamp is out of tolerance, or no signature matches."""

    status = 401
    title = "Chữ ký webhook không hợp lệ"


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """Return one ``v1,<base64>`` signature of a message with one secret."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets: Iterable[str], webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the three Standard Webhooks headers, signed with every valid secret.

    During a rotation's grace period both the new and the old secret sign, space-separated,
    so a receiver still holding the old secret keeps verifying.
    """
    signatures = " ".join(sign(s, webhook_id, timestamp, body) for s in secrets)
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signatures}


def verify(secrets: Iterable[str], received: Mapping[str, str], body: bytes, now: float,
           tolerance: int = TOLERANCE_SECONDS) -> str:
    """Check a signed message against any of the secrets and return its ``webhook-id``."""
    webhook_id, timestamp = received.get("webhook-id"), received.get("webhook-timestamp")
    offered = (received.get("webhook-signature") or "").split()
    if not (webhook_id and timestamp and offered):
        raise SignatureInvalid("thiếu tiêu đề webhook-id, webhook-timestamp hoặc webhook-signature")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        raise SignatureInvalid("webhook-timestamp lệch quá 5 phút so với máy chủ")
    expected = {sign(s, webhook_id, int(timestamp), body) for s in secrets}
    if not any(hmac.compare_digest(e.encode(), o.encode()) for e in expected for o in offered):
        raise SignatureInvalid("chữ ký không khớp với bí mật nào đang hiệu lực của cơ quan")
    return webhook_id
