"""Post one signed webhook over HTTP with hard bounds: time, redirects, response size, address."""

import time
from dataclasses import dataclass

import urllib3

from webhooks.targets import Target, TargetPolicy, TargetRefused

TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "dunghan-webhooks/1"


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: the status code if any answer came, its latency and the error."""

    status_code: int | None
    latency_ms: float
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        """Tell whether the receiver said 410 Gone: it wants no more webhooks at this URL."""
        return self.status_code == 410


class Poster:
    """Send webhooks to vetted addresses; never follow redirects or read more than a cap."""

    def __init__(self, targets: TargetPolicy, timeout: float = TIMEOUT_SECONDS,
                 max_response: int = MAX_RESPONSE_BYTES):
        self.targets, self.timeout, self.max_response = targets, timeout, max_response

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Attempt:
        """POST the body and report the outcome; network failures are outcomes, not exceptions."""
        started = time.perf_counter()
        try:
            # Vetting again here, at connect time, is what defeats DNS rebinding.
            target = self.targets.check_url(url)
            status, answer = self._send(target, body, headers)
        except TargetRefused as err:
            return Attempt(None, _ms_since(started), f"Địa chỉ bị từ chối: {err}")
        except (urllib3.exceptions.HTTPError, OSError) as err:
            return Attempt(None, _ms_since(started), f"{type(err).__name__}: {err}")
        error = None if 200 <= status < 300 else f"HTTP {status}: {_excerpt(answer)}"
        return Attempt(status, _ms_since(started), error)

    def _send(self, target: Target, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        with self._pool(target) as pool:
            response = pool.urlopen(
                "POST", target.path, body=body, redirect=False, retries=False,
                preload_content=False, assert_same_host=False,
                timeout=urllib3.Timeout(total=self.timeout),
                headers={**headers, "Host": _host_header(target), "User-Agent": USER_AGENT,
                         "Content-Type": "application/json"},
            )
            try:
                answer = response.read(self.max_response, decode_content=False)
            finally:
                response.release_conn()
        return response.status, answer

    def _pool(self, target: Target) -> urllib3.HTTPConnectionPool:
        """Connect to the vetted address itself, naming the host only in Host and TLS (SNI)."""
        if target.scheme == "https":
            return urllib3.HTTPSConnectionPool(
                target.address, target.port, maxsize=1, retries=False, cert_reqs="CERT_REQUIRED",
                server_hostname=target.host, assert_hostname=target.host)
        return urllib3.HTTPConnectionPool(target.address, target.port, maxsize=1, retries=False)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _excerpt(answer: bytes) -> str:
    return answer[:200].decode("utf-8", "replace").strip() or "(không có nội dung)"


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
