"""Send an email through SMTP, or keep it as an ``.eml`` file when no server is configured.

Failures are outcomes, not exceptions: the ``mail`` job records them and the worker retries
with the same backoff as webhook deliveries.
"""

import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Sent:
    """What one attempt came to: None for success, else the error, and how long it took."""

    error: str | None
    latency_ms: float

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


class SmtpMailer:
    """Send through an SMTP server with the standard library, one connection per message."""

    def __init__(self, settings: SmtpSettings, sender: str, timeout: float = TIMEOUT_SECONDS):
        self.settings, self.sender, self.timeout = settings, sender, timeout

    def send(self, message: EmailMessage) -> Sent:
        started = time.perf_counter()
        try:
            with self._connect() as smtp:
                if self.settings.username:
                    smtp.login(self.settings.username, self.settings.password or "")
                smtp.send_message(message)
        except smtplib.SMTPResponseException as err:
            return Sent(f"SMTP {err.smtp_code}: {_text(err.smtp_error)}", _ms_since(started))
        except smtplib.SMTPRecipientsRefused as err:
            code, detail = next(iter(err.recipients.values()))
            return Sent(f"SMTP {code}: {_text(detail)}", _ms_since(started))
        except (smtplib.SMTPException, OSError) as err:
            return Sent(f"{type(err).__name__}: {err}", _ms_since(started))
        return Sent(None, _ms_since(started))

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        if s.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


class DirectoryMailer:
    """Write each message to ``<folder>/<message id>.eml``: the demo's mailbox without a server.

    A retried message overwrites its own file, so the folder holds each message once.
    """

    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = Path(folder), sender

    def send(self, message: EmailMessage) -> Sent:
        started = time.perf_counter()
        name = message["Message-ID"].strip("<>").split("@", 1)[0]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.tmp"
            partial.write_bytes(bytes(message))
            os.replace(partial, self.folder / f"{name}.eml")  # whole files only, never half of one
        except OSError as err:
            return Sent(f"{type(err).__name__}: {err}", _ms_since(started))
        return Sent(None, _ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _text(detail: bytes | str) -> str:
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
