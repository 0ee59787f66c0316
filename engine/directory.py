"""Seed agencies and issue API tokens; the full directory with users comes later."""

from datetime import timedelta

from engine.clock import Clock
from engine.identity import Role, hash_token, new_token
from engine.store.uow import UnitOfWork


def seed_agencies(uow: UnitOfWork, agencies: list[dict]) -> int:
    """Add the agencies that are missing; return how many were added."""
    with uow:
        known = uow.directory.agency_codes()
        missing = [a for a in agencies if a["code"] not in known]
        for a in missing:
            uow.directory.add_agency(code=a["code"], name=a["name"], kind=a["kind"],
                                     head_name=a.get("head_name"))
        uow.commit()
    return len(missing)


def issue_token(uow: UnitOfWork, clock: Clock, agency: str, role: Role, label: str,
                valid_days: int | None = None) -> str:
    """Create an API token for an agency and role; return it once, keep only its hash."""
    token, now = new_token(), clock.now()
    with uow:
        uow.directory.add_token(
            token_hash=hash_token(token), agency_code=agency, role=Role(role), label=label,
            created_at=now, expires_at=now + timedelta(days=valid_days) if valid_days else None,
        )
        uow.commit()
    return token
