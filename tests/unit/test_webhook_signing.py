"""Signatures interoperate with the standardwebhooks library; secrets are sealed at rest."""

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from webhooks import signing
from webhooks.crypto import SECRET_PREFIX, SecretBox, new_secret, secret_bytes

BODY = '{"type":"task.assigned","data":{"agency":"SXD","name":"Trả lời ý kiến"}}'.encode()
NOW = 1_780_000_000


def test_our_signature_verifies_with_the_standardwebhooks_library():
    secret = new_secret()
    sent_at = datetime.now(UTC)
    headers = signing.headers([secret], "msg_1", int(sent_at.timestamp()), BODY)
    assert Webhook(secret).verify(BODY, headers)["data"]["agency"] == "SXD"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_the_raw_hmac_is_over_id_timestamp_and_body_with_the_secret_bytes():
    import hashlib
    import hmac

    secret = new_secret()
    digest = hmac.new(secret_bytes(secret), b"msg_1.%d." % NOW + BODY, hashlib.sha256).digest()
    assert signing.sign(secret, "msg_1", NOW, BODY) == "v1," + base64.b64encode(digest).decode()


def test_the_library_signature_verifies_with_ours_within_five_minutes_only():
    secret = new_secret()
    at = datetime.fromtimestamp(NOW, UTC)
    received = {"webhook-id": "msg_2", "webhook-timestamp": str(NOW),
                "webhook-signature": Webhook(secret).sign("msg_2", at, BODY.decode())}
    assert signing.verify([new_secret(), secret], received, BODY, NOW + 300) == "msg_2"
    for late in (NOW + 301, NOW - 301):
        with pytest.raises(signing.SignatureInvalid, match="5 phút"):
            signing.verify([secret], received, BODY, late)
    with pytest.raises(signing.SignatureInvalid, match="không khớp"):
        signing.verify([secret], received, BODY + b" ", NOW)
    with pytest.raises(signing.SignatureInvalid, match="thiếu"):
        signing.verify([secret], {**received, "webhook-signature": ""}, BODY, NOW)


def test_both_secrets_sign_during_a_rotation_and_either_verifies():
    old, new = new_secret(), new_secret()
    headers = signing.headers([new, old], "msg_3", NOW, BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert signing.verify([secret], headers, BODY, NOW) == "msg_3"


def test_secrets_look_like_the_spec_and_are_random():
    secret = new_secret()
    assert secret.startswith(SECRET_PREFIX) and len(secret_bytes(secret)) == 32
    assert new_secret() != secret


def test_a_sealed_secret_opens_only_with_the_same_application_key():
    secret = new_secret()
    sealed = SecretBox("production key").seal(secret)
    assert secret not in sealed and secret.removeprefix(SECRET_PREFIX) not in sealed
    assert SecretBox("production key").open(sealed) == secret
    with pytest.raises(ValueError):
        SecretBox("another key").open(sealed)


def test_a_missing_application_key_falls_back_loudly(caplog):
    box = SecretBox.from_key(None)
    assert "DUNGHAN_SECRET_KEY" in caplog.text
    assert box.open(box.seal("whsec_AAAA")) == "whsec_AAAA"
