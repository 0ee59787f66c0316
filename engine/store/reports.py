"""Published reports: each revision stored once and never changed (the database refuses edits).

A correction after publication is a new revision of the same period; migration 0013 installs
triggers that reject UPDATE and DELETE on both PostgreSQL and SQLite.
"""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.store.tables import UtcDateTime, metadata

published_reports = sa.Table(
    "published_reports", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("period", sa.String(32), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("built_at", UtcDateTime(), nullable=False),
    sa.Column("built_by", sa.String(160), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.UniqueConstraint("kind", "period", "revision"),
)

_SUMMARY = [c for c in published_reports.c if c.name != "content"]


class PublishedReports:
    """Add and read report revisions through the caller's transaction; there is no update."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> int:
        return self.conn.execute(sa.insert(published_reports).values(**row)).inserted_primary_key[0]

    def latest(self, kind: str, period: str):
        r = published_reports.c
        query = sa.select(*_SUMMARY).where(r.kind == kind, r.period == period)
        return self.conn.execute(query.order_by(r.revision.desc()).limit(1)).mappings().first()

    def get(self, kind: str, period: str, revision: int):
        r = published_reports.c
        query = sa.select(published_reports).where(r.kind == kind, r.period == period,
                                                   r.revision == revision)
        return self.conn.execute(query).mappings().first()

    def summaries(self, kind: str, period: str | None = None) -> list:
        r = published_reports.c
        query = sa.select(*_SUMMARY).where(r.kind == kind)
        if period:
            query = query.where(r.period == period)
        return list(self.conn.execute(query.order_by(r.period.desc(), r.revision)).mappings())
