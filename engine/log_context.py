"""Carry the ids a log line should name (request, principal, instance, task, job) through a call.

The engine binds what it knows (the job it runs); the web layer binds the request's ids; the
log formatter reads them, so no call passes ids along just to log them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

_ids: ContextVar[dict[str, str]] = ContextVar("log_ids", default={})  # noqa: B039 (never mutated)


def bind(**ids) -> Token:
    """Add the given non-empty ids to the current context; return the token to reset it."""
    return _ids.set({**_ids.get(), **{k: str(v) for k, v in ids.items() if v}})


def reset(token: Token) -> None:
    """Restore the ids that were bound before ``bind`` returned ``token``."""
    _ids.reset(token)


@contextmanager
def bound(**ids) -> Iterator[None]:
    """Bind ids for the duration of a block."""
    token = bind(**ids)
    try:
        yield
    finally:
        reset(token)


def current() -> dict[str, str]:
    """Return the ids bound now."""
    return _ids.get()
