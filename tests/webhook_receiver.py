"""A real HTTP receiver on loopback that checks every signature with the standardwebhooks library.

It answers from a script of status codes (then 204), records each request, and can be taken
down and brought back on the same port to play an agency's outage.
"""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    """One request as the receiver saw it, and whether its signature verified."""

    path: str
    headers: dict
    body: bytes
    verified_with: list[str] = field(default_factory=list)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    """Play an agency's document system at http://127.0.0.1:<port>/hook."""

    def __init__(self):
        self.requests: list[Received] = []
        self.script: list[int] = []
        self.secrets: list[str] = []
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def verified(self, received: Received) -> list[str]:
        """Return the known secrets that verify a request, checked by the independent library."""
        ok = []
        for secret in self.secrets:
            try:
                Webhook(secret).verify(received.body, received.headers)
                ok.append(secret)
            except WebhookVerificationError:
                pass
        return ok

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                got.verified_with = receiver.verified(got)
                receiver.requests.append(got)
                self.send_response(receiver.script.pop(0) if receiver.script else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                """Keep the test output quiet."""

        return Handler
