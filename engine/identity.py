"""Say who is calling: principals, roles, API tokens kept as hashes, passwords kept as argon2.

This is the one small interface the web layer authenticates through. An OIDC provider can be
added as one more function returning a Principal from a verified ID token's claims.
"""

import enum
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "dh_"
_PASSWORDS = PasswordHasher()
# Verified when the username is unknown, so a missing user costs as much time as a wrong password.
_DUMMY_HASH = _PASSWORDS.hash("not a real password")


class Role(enum.StrEnum):
    OFFICER = "officer"
    HEAD = "head"
    DEPUTY = "deputy"
    PROVINCIAL_OFFICE = "provincial_office"
    HOME_AFFAIRS = "home_affairs"
    DESIGNER = "designer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller acting for one agency with a set of roles.

    ``acting_for`` names the head whose authority a deputy holds through a delegation.
    """

    subject: str
    agency: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    user_id: str | None = None
    acting_for: str | None = None

    def __post_init__(self):
        roles = {self.roles} if isinstance(self.roles, str) else set(self.roles)
        object.__setattr__(self, "roles", frozenset(Role(r) for r in roles))

    def has(self, role: Role) -> bool:
        return role in self.roles

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


SYSTEM = Principal("system", "", {Role.ADMIN})


def new_token() -> str:
    """Return a fresh random API token; it is shown once and only its hash is kept."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Hash a token for storage and lookup.

    Tokens carry 256 random bits, so a fast unsalted hash is safe; passwords use argon2.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _PASSWORDS.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Verify a password in constant effort, whether or not the user exists."""
    try:
        return _PASSWORDS.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate_token(uow, token: str, now: datetime) -> Principal | None:
    """Return the principal a bearer token stands for, or None if it grants nothing now.

    A token bound to a user acts for the agency it was issued for, only while the user is
    active and still a member there, and never with more than the user holds at this moment.
    """
    row = uow.directory.token(hash_token(token))
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return None
    if row["user_id"] is None:
        return Principal(system_subject(row), row["agency_code"], frozenset(row["roles"]))
    user = uow.directory.user(row["user_id"])
    if user is None or not user["active"] or user["agency_code"] != row["agency_code"]:
        return None
    principal = user_principal(uow, user, now, roles=row["roles"])
    return principal if principal.roles else None


def system_subject(row) -> str:
    """Name an agency system token in audit rows by the person (or origin) that issued it."""
    issuer = (row["issued_by"] or "").removeprefix("user:")
    return f"token:{row['id']}@issuer:{issuer}"[:160] if issuer else f"token:{row['id']}"


def user_principal(uow, user, now: datetime, roles: Iterable[str] | None = None) -> Principal:
    """Build a user's principal; membership and delegations are read now, not cached.

    ``roles`` narrows a token to some of the user's own roles; the result never exceeds what
    the user holds now. A delegated head role comes with it only while the delegation is in
    force, so nothing issued under a delegation keeps the borrowed authority after it ends.
    """
    granted = set(user["roles"]) if roles is None else set(user["roles"]) & set(roles)
    delegation = uow.directory.active_delegation(user["id"], now)
    subject = f"user:{user['username']}"
    if delegation is not None:
        granted.add(Role.HEAD)
        head = uow.directory.user(delegation["from_user_id"])
        subject += f"@head:{head['username']}"  # every audit row shows the borrowed authority
    return Principal(subject, user["agency_code"], frozenset(granted), user["id"],
                     delegation["from_user_id"] if delegation else None)
