"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts.

It can refuse: while ``refuse`` holds an SMTP reply such as ``"451 4.3.0 ..."``, every message
is answered with it and not kept, as a mail server in trouble would.
"""

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    """One accepted message: who it went to and what it says."""

    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    @property
    def kind(self) -> str:
        return self.message["X-Dunghan-Kind"]

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class SmtpReceiver:
    """Accept mail on 127.0.0.1 at a free port; options go to aiosmtpd's SMTP (TLS, sign-in)."""

    def __init__(self, **smtp_options):
        self.mails: list[Mail] = []
        self.refuse: str | None = None
        self.refused = 0
        self.controller = Controller(self, hostname="127.0.0.1", port=_free_port(), **smtp_options)

    @property
    def port(self) -> int:
        return self.controller.port

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            self.refused += 1
            return self.refuse
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.mails.append(Mail(tuple(envelope.rcpt_tos), message))
        return "250 2.0.0 OK"

    def start(self) -> "SmtpReceiver":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
