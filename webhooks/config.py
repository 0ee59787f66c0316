"""Hold what webhook use cases and handlers need from the composition root."""

from dataclasses import dataclass
from datetime import timedelta

from webhooks.crypto import SecretBox
from webhooks.targets import TargetPolicy

DEFAULT_GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class WebhookConfig:
    """The key box for secrets, the target policy, and the public URL that links point to."""

    box: SecretBox
    targets: TargetPolicy
    public_url: str
    grace: timedelta = DEFAULT_GRACE

    @classmethod
    def from_settings(cls, secret_key: str | None, allowed_hosts: str | None,
                      public_url: str) -> "WebhookConfig":
        """Build the configuration from the DUNGHAN_* settings the service read."""
        return cls(SecretBox.from_key(secret_key), TargetPolicy.from_setting(allowed_hosts),
                   public_url.rstrip("/"))
