"""Say who is calling: principals, roles, and API tokens stored only as hashes.

This is the one small interface the web layer authenticates through; a directory with users,
passwords and an OIDC provider can replace ``authenticate_token`` without touching use cases.
"""

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

TOKEN_PREFIX = "dh_"


class Role(enum.StrEnum):
    OFFICER = "officer"
    HEAD = "head"
    PROVINCIAL_OFFICE = "provincial_office"
    HOME_AFFAIRS = "home_affairs"
    DESIGNER = "designer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller acting for one agency in one role."""

    subject: str
    agency: str
    role: Role


SYSTEM = Principal("system", "", Role.ADMIN)


def new_token() -> str:
    """Return a fresh random API token; it is shown once and only its hash is kept."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Hash a token for storage and lookup.

    Tokens carry 256 random bits, so a fast unsalted hash is safe; passwords would need argon2.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate_token(uow, token: str, now: datetime) -> Principal | None:
    """Return the principal a bearer token stands for, or None if unknown, revoked or expired."""
    row = uow.directory.token(hash_token(token))
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return None
    return Principal(f"token:{row['id']}", row["agency_code"], Role(row["role"]))
