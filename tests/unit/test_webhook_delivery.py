"""One POST is bounded: no redirects followed, a capped answer read, a deadline on the whole."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks.delivery import Poster
from webhooks.targets import TargetPolicy

HUGE = 1024 * 1024


class Endpoint(BaseHTTPRequestHandler):
    """Misbehave in the way the path names."""

    seen: list[str] = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Endpoint.seen.append(self.path)
        if self.path == "/redirect":
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(500)
            self.send_header("Content-Length", str(HUGE))
            self.end_headers()
            self.wfile.write(b"x" * HUGE)
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send_response(204)
            self.end_headers()
        else:
            self.send_response(204)
            self.end_headers()

    def log_message(self, *args):
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def poster() -> Poster:
    return Poster(TargetPolicy(["127.0.0.1"]), timeout=0.5)


def test_a_redirect_is_a_failure_and_is_not_followed(poster, base_url):
    Endpoint.seen.clear()
    attempt = poster.post(f"{base_url}/redirect", b"{}", {})
    assert attempt.status_code == 307 and not attempt.delivered
    assert Endpoint.seen == ["/redirect"]


def test_only_the_first_64_kib_of_an_answer_are_read(base_url):
    capped = Poster(TargetPolicy(["127.0.0.1"]), max_response=64 * 1024)
    read = []
    original = capped._send

    def spy(target, body, headers):
        status, answer = original(target, body, headers)
        read.append(len(answer))
        return status, answer

    capped._send = spy
    attempt = capped.post(f"{base_url}/huge", b"{}", {})
    assert attempt.status_code == 500 and read == [64 * 1024]
    assert attempt.error.startswith("HTTP 500: xxxx") and len(attempt.error) < 300


def test_a_slow_receiver_times_out(poster, base_url):
    attempt = poster.post(f"{base_url}/slow", b"{}", {})
    assert attempt.status_code is None and "Timeout" in attempt.error
    assert attempt.latency_ms < 1200


def test_a_2xx_answer_is_delivered(poster, base_url):
    attempt = poster.post(f"{base_url}/ok", b"{}", {"webhook-id": "msg_1"})
    assert attempt.delivered and attempt.error is None
