"""Configure logging: JSON lines in production, readable lines in development.

DUNGHAN_LOG_FORMAT=json|text (default text) and DUNGHAN_LOG_LEVEL (default INFO). Every line
names the ids bound in engine.log_context: request, principal, instance, task and job. Each
request gets one access line; SpiffWorkflow's per-task chatter is kept at WARNING.
"""

import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, g, request, session
from pythonjsonlogger.json import JsonFormatter

from engine import log_context

# Libraries that narrate every step at INFO: a consultation would log a hundred lines.
QUIET = {"SpiffWorkflow": logging.WARNING, "spiff": logging.WARNING, "alembic": logging.WARNING,
         "waitress.queue": logging.ERROR}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access = logging.getLogger("dunghan.access")


class ContextFilter(logging.Filter):
    """Copy the bound ids onto each record, so both formats can show them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in log_context.current().items():
            setattr(record, key, value)
        record.context = " ".join(f"{k}={v}" for k, v in log_context.current().items())
        return True


class TextFormatter(logging.Formatter):
    """One readable line: time, level, logger, message, then the bound ids in brackets."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = getattr(record, "context", "")
        return f"{line} [{context}]" if context else line


def configure(fmt: str | None = None, level: str | None = None) -> None:
    """Install one handler on the root logger, replacing any earlier configuration."""
    root = logging.getLogger()
    root.handlers[:] = [handler(fmt or os.environ.get("DUNGHAN_LOG_FORMAT", "text"))]
    root.setLevel(level or os.environ.get("DUNGHAN_LOG_LEVEL", "INFO").upper())
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)


def handler(fmt: str, stream=None) -> logging.Handler:
    """Return a handler writing ``json`` or ``text`` lines, with the bound ids, to ``stream``."""
    result = logging.StreamHandler(stream or sys.stderr)
    result.addFilter(ContextFilter())
    if fmt == "json":
        result.setFormatter(JsonFormatter(
            "%(levelname)s %(name)s %(message)s", reserved_attrs=_RESERVED, timestamp="time",
            rename_fields={"levelname": "level", "name": "logger"}, json_ensure_ascii=False))
    else:
        result.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return result


def install(app: Flask) -> None:
    """Bind each request's ids for its log lines and write one access line when it ends."""

    @app.before_request
    def bind_request():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()
        args = request.view_args or {}
        g.log_token = log_context.bind(request_id=g.request_id, instance_id=args.get("instance_id"),
                                       task_id=args.get("task_id"))

    @app.after_request
    def log_access(response):
        if "started" not in g:  # a request refused before before_request ran
            return response
        principal = _principal()
        if principal:
            log_context.bind(principal=principal)
        ms = (time.perf_counter() - g.started) * 1000
        access.info("%s %s %d %.1f ms", request.method, request.path, response.status_code, ms,
                    extra={"method": request.method, "path": request.path,
                           "status": response.status_code, "duration_ms": round(ms, 1),
                           "remote_addr": request.remote_addr})
        response.headers["X-Request-ID"] = g.request_id
        return response

    @app.teardown_request
    def unbind(_exc):
        if token := g.pop("log_token", None):
            log_context.reset(token)


def _principal() -> str | None:
    """Name the caller: the API token's subject and agency, or the signed-in user's id."""
    user = g.get("flask_httpauth_user")
    if user is not None:
        return f"{user.subject}@{user.agency}"
    return session.get("user_id") if session else None


_RESERVED = ["args", "created", "exc_info", "exc_text", "filename", "funcName", "levelno",
             "lineno", "module", "msecs", "msg", "pathname", "process", "processName",
             "relativeCreated", "stack_info", "thread", "threadName", "taskName", "context"]
