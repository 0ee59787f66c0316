"""Number outgoing documents: one series per agency and year, without gaps or duplicates."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.errors import StaleState
from engine.store.repositories import UPSERTS
from engine.store.tables import document_counters, issued_documents


class DocumentNumbers:
    """The agencies' yearly series and the documents that took a number from them."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def issued(self, subject: str, form: str):
        t = issued_documents
        query = sa.select(t).where(t.c.subject == subject, t.c.form == form)
        return self.conn.execute(query).mappings().first()

    def issue(self, subject: str, form: str, agency: str, year: int, kind: str, now: datetime):
        """Take the series' next number for a document, in the caller's transaction.

        The counter row is bumped by one upsert, which locks it until commit: a concurrent
        issuer waits, and a transaction that rolls back returns its number, so the series
        has no gaps. A second issue of the same document fails on its unique key.
        """
        insert = UPSERTS[self.conn.dialect.name](document_counters).values(
            agency_code=agency, year=year, last_number=1)
        bump = insert.on_conflict_do_update(
            index_elements=["agency_code", "year"],
            set_={"last_number": document_counters.c.last_number + 1})
        number = self.conn.execute(bump.returning(document_counters.c.last_number)).scalar_one()
        row = dict(subject=subject, form=form, agency_code=agency, year=year, number=number,
                   symbol=f"{number}/{kind}-{agency}" if kind else f"{number}/{agency}", issued_at=now)
        insert = UPSERTS[self.conn.dialect.name](issued_documents).values(**row)
        added = insert.on_conflict_do_nothing().returning(issued_documents.c.id)
        if self.conn.execute(added).first() is None:
            # Someone issued this very document meanwhile; rolling back returns the number.
            raise StaleState("Văn bản vừa được cấp số đồng thời; hãy thử lại")
        return row
