"""Store procedure catalog versions and dossiers; hand out dossier numbers without collisions."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.dossiers import Dossier, DossierStatus
from engine.errors import Conflict
from engine.store.repositories import UPSERTS
from engine.store.tables import dossier_counters, dossiers, procedure_versions


class Catalog:
    """Procedure versions: each distinct catalog file stored once, numbered per code."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def find_by_hash(self, code: str, content_hash: str):
        t = procedure_versions
        query = sa.select(t).where(t.c.code == code, t.c.content_hash == content_hash)
        return self.conn.execute(query).mappings().first()

    def latest(self, code: str):
        t = procedure_versions
        query = sa.select(t).where(t.c.code == code).order_by(t.c.version.desc()).limit(1)
        return self.conn.execute(query).mappings().first()

    def get(self, version_id: int):
        t = procedure_versions
        return self.conn.execute(sa.select(t).where(t.c.id == version_id)).mappings().first()

    def add(self, **row) -> int:
        """Insert a version; raise Conflict if a concurrent start stored it first."""
        insert = UPSERTS[self.conn.dialect.name](procedure_versions).values(**row)
        added = self.conn.execute(insert.on_conflict_do_nothing().returning(procedure_versions.c.id)).first()
        if added is None:
            raise Conflict("Danh mục thủ tục vừa được nạp đồng thời; hãy thử lại")
        return added[0]

    def summaries(self) -> list:
        """Return the latest version of every procedure, by code."""
        t = procedure_versions
        latest = sa.select(t.c.code, sa.func.max(t.c.version).label("v")).group_by(t.c.code).subquery()
        query = (sa.select(t).join(latest, sa.and_(t.c.code == latest.c.code, t.c.version == latest.c.v))
                 .order_by(t.c.code))
        return list(self.conn.execute(query).mappings())


@dataclass(frozen=True)
class DossierQuery:
    """Filters of the dossier list; ``agency`` matches the handling agency or the desk."""

    agency: str | None = None
    procedure: str | None = None
    status: int | None = None
    late: bool | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    now: datetime | None = None
    limit: int = 50
    offset: int = 0


class Dossiers:
    """Dossier rows, saved with a compare-and-set on their version."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def next_number(self, prefix: str) -> int:
        """Bump and return the counter of a prefix in one statement, safe under concurrency."""
        insert = UPSERTS[self.conn.dialect.name](dossier_counters).values(prefix=prefix, last_number=1)
        bump = insert.on_conflict_do_update(
            index_elements=["prefix"], set_={"last_number": dossier_counters.c.last_number + 1})
        return self.conn.execute(bump.returning(dossier_counters.c.last_number)).scalar_one()

    def add(self, dossier: Dossier, **row) -> None:
        self.conn.execute(sa.insert(dossiers).values(version=1, **row, **_state(dossier)))

    def get(self, code: str):
        return self.conn.execute(sa.select(dossiers).where(dossiers.c.code == code)).mappings().first()

    def by_instance(self, instance_id: str):
        query = sa.select(dossiers).where(dossiers.c.instance_id == instance_id)
        return self.conn.execute(query).mappings().first()

    def save(self, row, dossier: Dossier, now: datetime) -> None:
        """Write the dossier's state unless someone saved it since ``row`` was read."""
        query = (sa.update(dossiers)
                 .where(dossiers.c.code == row["code"], dossiers.c.version == row["version"])
                 .values(version=row["version"] + 1, updated_at=now, **_state(dossier)))
        if self.conn.execute(query).rowcount != 1:
            raise Conflict("Hồ sơ vừa được người khác cập nhật; hãy tải lại và thử lại")

    def search(self, q: DossierQuery) -> tuple[list, int]:
        """Return one page of matching dossiers, newest first, and the total count."""
        t = dossiers
        where = [c for c in (
            sa.or_(t.c.agency_code == q.agency, t.c.desk_agency == q.agency) if q.agency else None,
            t.c.procedure_code == q.procedure if q.procedure else None,
            t.c.status == q.status if q.status else None,
            t.c.received_at >= q.received_from if q.received_from else None,
            t.c.received_at < q.received_to if q.received_to else None,
            t.c.submitted_at >= q.submitted_from if q.submitted_from else None,
            t.c.submitted_at < q.submitted_to if q.submitted_to else None,
        ) if c is not None]
        if q.late is not None:
            where.append(_late(q.now) if q.late else sa.not_(_late(q.now)))
        total = self.conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one()
        page = (sa.select(t).where(*where).order_by(t.c.submitted_at.desc(), t.c.code.desc())
                .limit(q.limit).offset(q.offset))
        return list(self.conn.execute(page).mappings()), total

    def status_counts(self, agency: str) -> dict[int, int]:
        """Count an agency's dossiers (handled or received) in each status."""
        t = dossiers
        query = (sa.select(t.c.status, sa.func.count()).group_by(t.c.status)
                 .where(sa.or_(t.c.agency_code == agency, t.c.desk_agency == agency)))
        return {int(status): count for status, count in self.conn.execute(query)}


def _late(now: datetime):
    """Select dossiers late under 766: recorded late, or still running past their promise."""
    # Spelled out so that a dossier not yet received (no promise) is plainly not late, not NULL.
    running_past = sa.and_(dossiers.c.finished_at.is_(None), dossiers.c.paused_since.is_(None),
                           dossiers.c.original_promised_at.is_not(None),
                           dossiers.c.original_promised_at < now)
    return sa.or_(dossiers.c.late.is_(True), running_past)


def _state(d: Dossier) -> dict:
    return dict(
        status=int(d.status), received_at=d.received_at, promised_at=d.promised_at,
        original_promised_at=d.original_promised_at, finished_at=d.finished_at,
        supplement_count=d.supplement_count, paused_seconds=int(d.paused.total_seconds()),
        paused_since=d.paused_since, apologised_at=d.apologised_at,
        apology_missing=d.apology_missing, late=d.late,
    )


def to_dossier(row, total_working_days: Decimal) -> Dossier:
    """Rebuild the aggregate from its row."""
    return Dossier(
        code=row["code"], instance_id=row["instance_id"], procedure_code=row["procedure_code"],
        total_working_days=total_working_days, agency=row["agency_code"],
        status=DossierStatus(row["status"]), submitted_at=row["submitted_at"],
        received_at=row["received_at"], promised_at=row["promised_at"],
        original_promised_at=row["original_promised_at"], finished_at=row["finished_at"],
        supplement_count=row["supplement_count"], paused=timedelta(seconds=row["paused_seconds"]),
        paused_since=row["paused_since"], apologised_at=row["apologised_at"],
        apology_missing=row["apology_missing"], late=row["late"],
    )
