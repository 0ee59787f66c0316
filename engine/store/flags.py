"""The Provincial Office's over-broad flags on consultations, one per instance."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.store.tables import consultation_flags


class ConsultationFlags:
    """Flags as recorded; a consultation is flagged at most once."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(consultation_flags).values(**row))

    def get(self, instance_id: str):
        query = sa.select(consultation_flags).where(consultation_flags.c.instance_id == instance_id)
        return self.conn.execute(query).mappings().first()
