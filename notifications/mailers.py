"""Send an email through SMTP, or keep it as an ``.eml`` file when no server is configured.

Failures are outcomes, not exceptions: the ``mail`` job records them and the worker retries
with the same backoff as webhook deliveries.
"""

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Sent:
    """What one attempt came to: no error for success, else why it failed."""

    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Mailer(Protocol):
    sender: str

    def send(self, message: EmailMessage) -> Sent:
        """Hand one message over; report the outcome."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: host, port, ``starttls``, ``tls`` or ``none``, and credentials."""

    host: str
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = None

    def __post_init__(self):
        if self.security not in ("starttls", "tls", "none"):
            raise ValueError("DUNGHAN_SMTP_SECURITY phải là starttls, tls hoặc none")
        # smtplib sends credentials as ASCII and would fail at every sending attempt instead.
        if not (self.username or "").isascii() or not (self.password or "").isascii():
            raise ValueError("Tên đăng nhập và mật khẩu SMTP chỉ được dùng ký tự ASCII")


class SmtpMailer:
    """Send through an SMTP server with the standard library, one connection per message."""

    def __init__(self, settings: SmtpSettings, sender: str, timeout: float = TIMEOUT_SECONDS,
                 tls: ssl.SSLContext | None = None):
        self.settings, self.sender, self.timeout = settings, sender, timeout
        # The system's trusted authorities by default; tests pass a context trusting their own.
        self.tls = tls or ssl.create_default_context()

    def send(self, message: EmailMessage) -> Sent:
        s = self.settings
        try:
            with self._connect() as smtp:
                if s.security == "starttls":
                    smtp.starttls(context=self.tls)
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(message)
        except smtplib.SMTPResponseException as err:
            return Sent(f"SMTP {err.smtp_code}: {_text(err.smtp_error)}")
        except smtplib.SMTPRecipientsRefused as err:
            code, detail = next(iter(err.recipients.values()))
            return Sent(f"SMTP {code}: {_text(detail)}")
        except (smtplib.SMTPException, OSError) as err:
            return Sent(f"{type(err).__name__}: {err}")
        return Sent()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.tls)
        return smtplib.SMTP(s.host, s.port, timeout=self.timeout)


class DirectoryMailer:
    """Write each message to ``<folder>/<message id>.eml``: the demo's mailbox without a server.

    A retried message overwrites its own file, so the folder holds each message once.
    """

    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = Path(folder), sender

    def send(self, message: EmailMessage) -> Sent:
        name = message["Message-ID"].strip("<>").split("@", 1)[0]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.tmp"
            partial.write_bytes(bytes(message))
            os.replace(partial, self.folder / f"{name}.eml")  # whole files only, never half of one
        except OSError as err:
            return Sent(f"{type(err).__name__}: {err}")
        return Sent()


def _text(detail: bytes | str) -> str:
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
