"""The public lookup: a citizen checks a dossier by its receipt code, without signing in.

It shows the procedure, the status in Vietnamese and the received and promised instants, and
nothing personal beyond a masked name. Unknown and malformed codes get the same answer, and
each address may look up only so many codes per minute, so codes cannot be enumerated.
"""

import threading
import time
from collections import deque

from apiflask import APIBlueprint
from flask import current_app, render_template, request

from engine.errors import NotFound, TooManyAttempts
from engine.services import dossiers as use_cases
from service.dossier_schemas import PublicDossierOut
from service.runtime import runtime

bp = APIBlueprint("public", __name__, tag="Tra cứu công khai")
DEFAULT_LIMIT = 30  # lookups per address per minute
WINDOW = 60.0


class RateLimiter:
    """Allow at most ``limit`` hits per key in a sliding window (per web process)."""

    def __init__(self, limit: int, window: float = WINDOW):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle addresses rather than grow forever
                self._hits = {k: v for k, v in self._hits.items() if v}
            return True


def _limiter() -> RateLimiter:
    ext = current_app.extensions
    if "public_lookup_limiter" not in ext:
        ext["public_lookup_limiter"] = RateLimiter(current_app.config.get("PUBLIC_LOOKUP_LIMIT",
                                                                          DEFAULT_LIMIT))
    return ext["public_lookup_limiter"]


def throttle_lookup() -> None:
    """Refuse a public lookup past the per-address limit (codes must not be enumerable)."""
    if not _limiter().allow(request.remote_addr or "?"):
        raise TooManyAttempts("Tra cứu quá nhiều lần; hãy thử lại sau một phút")


def _lookup(code: str) -> dict:
    throttle_lookup()
    rt = runtime()
    return use_cases.lookup_dossier(rt.uow(), rt.clock, code.strip().upper()[:64])


@bp.get("/api/v1/public/dossiers/<code>")
@bp.output(PublicDossierOut)
@bp.doc(security=[])
def lookup_dossier(code: str):
    """Look up a dossier by its receipt code, without signing in (rate-limited)."""
    return _lookup(code)


@bp.get("/tra-cuu")
@bp.doc(hide=True)
def lookup_page():
    """Show the lookup form and, when a code is given, the dossier's public status."""
    code = request.args.get("ma", "").strip()
    if not code:
        return render_template("tra_cuu.html", code="", dossier=None, error=None)
    try:
        dossier, error, status = _lookup(code), None, 200
    except NotFound as err:
        dossier, error, status = None, err.detail, 404
    except TooManyAttempts as err:
        dossier, error, status = None, err.detail, 429
    return render_template("tra_cuu.html", code=code, dossier=dossier, error=error), status
