"""Requests to pause a task's clock or give it more time, and their decisions."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.store.tables import deadline_requests

PENDING = "pending"


class DeadlineRequests:
    """Asked, approved and refused requests; a decision is taken once, by compare-and-set."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(deadline_requests).values(state=PENDING, **row))

    def get(self, request_id: str):
        query = sa.select(deadline_requests).where(deadline_requests.c.id == request_id)
        return self.conn.execute(query).mappings().first()

    def for_task(self, task_id: str, kind: str | None = None) -> list:
        r = deadline_requests.c
        query = sa.select(deadline_requests).where(r.task_id == task_id)
        if kind:
            query = query.where(r.kind == kind)
        return list(self.conn.execute(query.order_by(r.asked_at, r.id)).mappings())

    def decide(self, request_id: str, state: str, **values) -> bool:
        """Record the decision unless another was recorded first; tell whether this one was."""
        r = deadline_requests.c
        done = self.conn.execute(sa.update(deadline_requests)
                                 .where(r.id == request_id, r.state == PENDING)
                                 .values(state=state, **values))
        return done.rowcount == 1

    def search(self, agency: str | None, state: str | None, limit: int = 200) -> list:
        """List the requests an agency asked or must decide (all when ``agency`` is None)."""
        r = deadline_requests.c
        query = sa.select(deadline_requests)
        if agency:
            query = query.where(sa.or_(r.agency_code == agency, r.approver_agency == agency))
        if state:
            query = query.where(r.state == state)
        return list(self.conn.execute(query.order_by(r.asked_at.desc(), r.id).limit(limit)).mappings())
