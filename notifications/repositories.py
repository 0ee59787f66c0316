"""Read and write notifications and preferences in the caller's transaction."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from engine.store.tables import users
from notifications.tables import DeliveryMode, NotificationStatus, notifications, preferences

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
DEFAULT_DIGEST_HOUR = 8


@dataclass(frozen=True)
class Preference:
    """How one person wants to hear: at once or in a daily digest at a local hour; what is muted."""

    mode: DeliveryMode = DeliveryMode.IMMEDIATE
    digest_hour: int = DEFAULT_DIGEST_HOUR
    muted: frozenset[str] = field(default_factory=frozenset)


class Preferences:
    """Each person's notification preferences; a person without a row takes the defaults."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def of(self, user_ids: list[str]) -> dict[str, Preference]:
        query = sa.select(preferences).where(preferences.c.user_id.in_(user_ids))
        return {r["user_id"]: Preference(DeliveryMode(r["mode"]), r["digest_hour"], frozenset(r["muted"]))
                for r in self.conn.execute(query).mappings()}

    def put(self, user_id: str, pref: Preference, now: datetime) -> None:
        values = dict(mode=pref.mode, digest_hour=pref.digest_hour, muted=sorted(pref.muted),
                      updated_at=now)
        insert = _INSERTS[self.conn.dialect.name](preferences).values(user_id=user_id, **values)
        self.conn.execute(insert.on_conflict_do_update(index_elements=["user_id"], set_=values))


class Notifications:
    """One row per event and person: what to tell, to which address, and how sending went."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> bool:
        """Add a notification unless this event already has one for this person."""
        insert = _INSERTS[self.conn.dialect.name](notifications).on_conflict_do_nothing(
            index_elements=["outbox_id", "user_id"])
        return self.conn.execute(insert.values(**row).returning(notifications.c.id)).first() is not None

    def get(self, notification_id: str):
        query = sa.select(notifications).where(notifications.c.id == notification_id)
        return self.conn.execute(query).mappings().first()

    def with_user(self, notification_id: str):
        """Return a notification with its person's current name and address, or None."""
        n, u = notifications, users
        query = (sa.select(n, u.c.full_name, u.c.email.label("user_email"), u.c.active)
                 .join(u, u.c.id == n.c.user_id).where(n.c.id == notification_id))
        return self.conn.execute(query).mappings().first()

    def waiting_digest(self, digest_key: str) -> list:
        n = notifications
        query = sa.select(n).where(n.c.digest_key == digest_key, n.c.status == NotificationStatus.DIGEST)
        return list(self.conn.execute(query.order_by(n.c.created_at, n.c.id)).mappings())

    def note_attempt(self, ids: list[str], error: str | None, now: datetime) -> None:
        """Record one sending attempt of these notifications: sent, or the error to retry on."""
        values = dict(attempts=notifications.c.attempts + 1, last_error=error)
        if error is None:
            values.update(status=NotificationStatus.SENT, sent_at=now)
        self.conn.execute(sa.update(notifications).where(notifications.c.id.in_(ids)).values(**values))

    def mark(self, ids: list[str], status: NotificationStatus, error: str | None = None) -> None:
        query = sa.update(notifications).where(notifications.c.id.in_(ids))
        values = {"status": status}
        if error is not None:
            values["last_error"] = sa.func.coalesce(notifications.c.last_error, error)
        self.conn.execute(query.values(**values))

    def move_digest(self, ids: list[str], digest_key: str) -> None:
        query = sa.update(notifications).where(notifications.c.id.in_(ids))
        self.conn.execute(query.values(digest_key=digest_key))

    def page(self, status: str | None, limit: int, offset: int) -> tuple[list, int]:
        """Return one page of notifications with their person, newest first, and the total."""
        n, u = notifications, users
        where = [n.c.status == status] if status else []
        total = self.conn.execute(sa.select(sa.func.count()).select_from(n).where(*where)).scalar_one()
        query = (sa.select(n, u.c.username, u.c.full_name).join(u, u.c.id == n.c.user_id).where(*where)
                 .order_by(n.c.created_at.desc(), n.c.id.desc()).limit(limit).offset(offset))
        return list(self.conn.execute(query).mappings()), total

    def users_without_address(self) -> list:
        """Return the active people with no email address, and how many notifications they missed."""
        n, u = notifications, users
        missed = (sa.select(sa.func.count()).where(n.c.user_id == u.c.id,
                                                   n.c.status == NotificationStatus.UNREACHABLE)
                  .scalar_subquery())
        query = (sa.select(u.c.id, u.c.username, u.c.full_name, u.c.agency_code, u.c.roles,
                           missed.label("missed"))
                 .where(u.c.active.is_(True), sa.or_(u.c.email.is_(None), u.c.email == ""))
                 .order_by(u.c.agency_code, u.c.username))
        return list(self.conn.execute(query).mappings())
