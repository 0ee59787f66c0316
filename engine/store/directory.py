"""The directory's storage: agencies, users, delegations, API tokens and security events."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from engine.store.tables import (
    UtcDateTime,
    agencies,
    api_tokens,
    delegations,
    login_attempts,
    security_events,
    users,
)


class Directory:
    """Agencies, users, delegations, API tokens and security events."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def agency_codes(self) -> frozenset[str]:
        return frozenset(self.conn.execute(sa.select(agencies.c.code)).scalars())

    def agency(self, code: str):
        return self.conn.execute(sa.select(agencies).where(agencies.c.code == code)).mappings().first()

    def agency_of_kind(self, kind: str) -> str | None:
        """Return the code of the first agency of a kind, e.g. the Provincial Office."""
        query = sa.select(agencies.c.code).where(agencies.c.kind == kind).order_by(agencies.c.code)
        return self.conn.execute(query.limit(1)).scalar()

    def agencies(self) -> list:
        return list(self.conn.execute(sa.select(agencies).order_by(agencies.c.code)).mappings())

    def add_agency(self, **row) -> None:
        self.conn.execute(sa.insert(agencies).values(**row))

    def update_agency(self, code: str, **values) -> None:
        self.conn.execute(sa.update(agencies).where(agencies.c.code == code).values(**values))

    def user(self, user_id: str):
        return self.conn.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()

    def user_by_username(self, username: str):
        query = sa.select(users).where(users.c.username == username)
        return self.conn.execute(query).mappings().first()

    def users(self, agency: str | None = None) -> list:
        query = sa.select(users).order_by(users.c.agency_code, users.c.username)
        if agency:
            query = query.where(users.c.agency_code == agency)
        return list(self.conn.execute(query).mappings())

    def add_user(self, **row) -> None:
        self.conn.execute(sa.insert(users).values(**row))

    def update_user(self, user_id: str, **values) -> None:
        self.conn.execute(sa.update(users).where(users.c.id == user_id).values(**values))

    def end_sessions(self, user_id: str) -> None:
        """End every session of a user: sessions carry the generation they began in."""
        query = sa.update(users).where(users.c.id == user_id)
        self.conn.execute(query.values(session_generation=users.c.session_generation + 1))

    def add_delegation(self, **row) -> int:
        return self.conn.execute(sa.insert(delegations).values(**row)).inserted_primary_key[0]

    def delegation(self, delegation_id: int):
        query = sa.select(delegations).where(delegations.c.id == delegation_id)
        return self.conn.execute(query).mappings().first()

    def revoke_delegation(self, delegation_id: int, at: datetime) -> None:
        query = sa.update(delegations).where(delegations.c.id == delegation_id)
        self.conn.execute(query.values(revoked_at=at))

    def active_delegation(self, user_id: str, now: datetime):
        """Return the delegation that makes this user act as head right now, if any."""
        d = delegations
        query = sa.select(d).where(d.c.to_user_id == user_id, d.c.starts_at <= now,
                                   d.c.ends_at > now, d.c.revoked_at.is_(None))
        return self.conn.execute(query.order_by(d.c.id)).mappings().first()

    def delegations(self, agency: str) -> list:
        query = sa.select(delegations).where(delegations.c.agency_code == agency)
        return list(self.conn.execute(query.order_by(delegations.c.id)).mappings())

    def add_token(self, **row) -> int:
        return self.conn.execute(sa.insert(api_tokens).values(**row)).inserted_primary_key[0]

    def token(self, token_hash: str):
        query = sa.select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        return self.conn.execute(query).mappings().first()

    def token_by_id(self, token_id: int):
        query = sa.select(api_tokens).where(api_tokens.c.id == token_id)
        return self.conn.execute(query).mappings().first()

    def tokens(self, agency: str | None = None, system: bool | None = None) -> list:
        """List tokens, optionally one agency's, and only system (no user) or personal ones."""
        query = sa.select(api_tokens).order_by(api_tokens.c.id)
        if agency:
            query = query.where(api_tokens.c.agency_code == agency)
        if system is not None:
            bound = api_tokens.c.user_id.is_(None) if system else api_tokens.c.user_id.is_not(None)
            query = query.where(bound)
        return list(self.conn.execute(query).mappings())

    def revoke_token(self, token_id: int, at: datetime) -> None:
        query = sa.update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        self.conn.execute(query.values(revoked_at=at))

    def record_security_event(self, **row) -> None:
        self.conn.execute(sa.insert(security_events).values(**row))

    def count_attempt(self, key: str, now: datetime, window: timedelta) -> int:
        """Count one more sign-in attempt under a key in one atomic upsert; return the count.

        The count restarts when its window is over. Parallel attempts each see a distinct
        number, so no more than the limit ever reach the password check.
        """
        a = login_attempts
        at = sa.literal(now, UtcDateTime())
        expired = a.c.window_start <= now - window
        insert = (postgresql.insert if self.conn.dialect.name == "postgresql" else sqlite.insert)(a)
        statement = insert.values(key=key, count=1, window_start=now).on_conflict_do_update(
            index_elements=[a.c.key],
            set_={"count": sa.case((expired, 1), else_=a.c.count + 1),
                  "window_start": sa.case((expired, at), else_=a.c.window_start)})
        return self.conn.execute(statement.returning(a.c.count)).scalar_one()

    def forget_attempt(self, key: str) -> None:
        """Take back one counted attempt under a key (a success is not a guess)."""
        a = login_attempts
        query = sa.update(a).where(a.c.key == key, a.c.count > 0)
        self.conn.execute(query.values(count=a.c.count - 1))

    def clear_attempts(self, key: str) -> None:
        self.conn.execute(sa.delete(login_attempts).where(login_attempts.c.key == key))
