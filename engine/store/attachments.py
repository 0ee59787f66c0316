"""Store the records of files uploaded on task pages (the bytes are the file store's)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.store.tables import attachments


class Attachments:
    """Attachment records, one per uploaded file."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(attachments).values(**row))

    def get(self, attachment_id: str):
        query = sa.select(attachments).where(attachments.c.id == attachment_id)
        return self.conn.execute(query).mappings().first()
