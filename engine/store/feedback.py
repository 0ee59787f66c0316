"""Store citizen feedback rows and search them for the feedback list."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.store.tables import feedback, tasks


@dataclass(frozen=True)
class FeedbackQuery:
    """Filters of the feedback list; ``agency`` matches the accountable or the receiving agency."""

    agency: str | None = None
    state: str | None = None
    overdue: bool | None = None
    channel: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    now: datetime | None = None
    limit: int = 50
    offset: int = 0


class FeedbackItems:
    """Feedback rows, one per process instance."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(feedback).values(**row))

    def get(self, instance_id: str):
        query = sa.select(feedback).where(feedback.c.instance_id == instance_id)
        return self.conn.execute(query).mappings().first()

    def by_source(self, system: str, source_id: str):
        f = feedback
        query = sa.select(f).where(f.c.source_system == system, f.c.source_id == source_id)
        return self.conn.execute(query).mappings().first()

    def update(self, instance_id: str, **values) -> None:
        self.conn.execute(sa.update(feedback).where(feedback.c.instance_id == instance_id).values(**values))

    def search(self, q: FeedbackQuery) -> tuple[list, int]:
        """Return one page of matching items, newest first, and the total count."""
        f = feedback
        where = [c for c in (
            sa.or_(f.c.agency_code == q.agency, f.c.received_by == q.agency) if q.agency else None,
            f.c.state == q.state if q.state else None,
            f.c.channel == q.channel if q.channel else None,
            f.c.received_at >= q.received_from if q.received_from else None,
            f.c.received_at < q.received_to if q.received_to else None,
        ) if c is not None]
        if q.overdue is not None:
            where.append(overdue(q.now) if q.overdue else sa.not_(overdue(q.now)))
        total = self.conn.execute(sa.select(sa.func.count()).select_from(f).where(*where)).scalar_one()
        page = (sa.select(f).where(*where).order_by(f.c.received_at.desc(), f.c.instance_id)
                .limit(q.limit).offset(q.offset))
        return list(self.conn.execute(page).mappings()), total


def overdue(now: datetime):
    """Select items with an open step past its due instant (a paused step is not late)."""
    t = tasks
    return sa.exists().where(t.c.instance_id == feedback.c.instance_id, t.c.state == "open",
                             t.c.due_at.is_not(None), t.c.due_at < now, t.c.paused_at.is_(None))
