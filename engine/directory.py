"""Seed the directory from a file and issue API tokens; used by `make run` and by tests."""

import uuid
from collections.abc import Iterable
from datetime import timedelta

from engine.clock import Clock
from engine.identity import Role, hash_password, hash_token, new_token
from engine.store.uow import UnitOfWork


def seed_agencies(uow: UnitOfWork, agencies: list[dict]) -> int:
    """Add the agencies that are missing; return how many were added."""
    with uow:
        known = uow.directory.agency_codes()
        missing = [a for a in agencies if a["code"] not in known]
        for a in missing:
            uow.directory.add_agency(code=a["code"], name=a["name"], kind=a["kind"],
                                     head_name=a.get("head_name"), parent_code=a.get("parent"))
        uow.commit()
    return len(missing)


def seed_user(uow: UnitOfWork, clock: Clock, username: str, full_name: str, agency: str,
              roles: Iterable[str], password: str | None, email: str | None = None) -> str:
    """Add a user unless the username exists (then only fill in a missing email); return its id."""
    password_hash = hash_password(password) if password else None  # CPU-heavy: outside the transaction
    with uow:
        existing = uow.directory.user_by_username(username)
        if existing:
            if email and not existing["email"]:
                uow.directory.update_user(existing["id"], email=email)
                uow.commit()
            return existing["id"]
        user_id = str(uuid.uuid4())
        uow.directory.add_user(id=user_id, username=username, full_name=full_name,
                               agency_code=agency, roles=sorted(Role(r) for r in roles),
                               active=True, created_at=clock.now(),
                               password_hash=password_hash, email=email)
        uow.commit()
    return user_id


def issue_token(uow: UnitOfWork, clock: Clock, agency: str, roles: Role | Iterable[Role],
                label: str, valid_days: int = 365, user_id: str | None = None,
                issued_by: str = "seed") -> str:
    """Create an API token for an agency and roles; return it once, keep only its hash.

    Seeding is done by whoever runs the command line; ``issued_by`` names that origin.
    """
    roles = [roles] if isinstance(roles, str) else list(roles)
    token, now = new_token(), clock.now()
    with uow:
        uow.directory.add_token(
            token_hash=hash_token(token), agency_code=agency, roles=sorted(Role(r) for r in roles),
            user_id=user_id, label=label, created_at=now, issued_by=issued_by,
            expires_at=now + timedelta(days=valid_days),
        )
        uow.commit()
    return token
