"""Read the inbox: tasks with what each is about, in one statement per page.

A task row alone says "Trả lời ý kiến"; the inbox also needs the instance's process and lead
agency, the dossier and its procedure when there is one, the agencies' names and the name of
whoever claimed it. Everything comes from indexed joins, never from an instance's blob.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.instances import TaskStatus
from engine.store.repositories import overdue_conditions
from engine.store.tables import (
    agencies,
    dossiers,
    instances,
    procedure_versions,
    process_versions,
    tasks,
    users,
)

SORTS = ("due", "-due", "created", "-created", "agency")


@dataclass(frozen=True)
class InboxQuery:
    """Filters, order and page of an inbox; ``agency`` None means every agency."""

    agency: str | None
    state: str | None = TaskStatus.OPEN
    overdue_at: datetime | None = None
    process_id: str | None = None
    claimed_by: str | None = None
    unclaimed: bool = False
    sort: str = "due"
    limit: int = 25
    offset: int = 0


_lead = agencies.alias("lead")
_owner = agencies.alias("owner")
_claimer = users.alias("claimer")
_COLUMNS = (
    *tasks.c,
    instances.c.process_id,
    instances.c.lead_agency,
    _lead.c.name.label("lead_agency_name"),
    _owner.c.name.label("agency_name"),
    process_versions.c.name.label("process_name"),
    dossiers.c.code.label("dossier_code"),
    dossiers.c.procedure_code,
    procedure_versions.c.name.label("procedure_name"),
    _claimer.c.full_name.label("claimer_name"),
)
_FROM = (tasks.join(instances, instances.c.id == tasks.c.instance_id)
         .join(process_versions, process_versions.c.id == instances.c.process_version_id)
         .join(_lead, _lead.c.code == instances.c.lead_agency)
         .outerjoin(_owner, _owner.c.code == tasks.c.agency_code)
         .outerjoin(dossiers, dossiers.c.instance_id == tasks.c.instance_id)
         .outerjoin(procedure_versions, procedure_versions.c.id == dossiers.c.procedure_version_id)
         .outerjoin(_claimer, _claimer.c.id == tasks.c.claimed_by))
_ORDER = {
    "due": [tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.created_at, tasks.c.id],
    "-due": [tasks.c.due_at.is_(None), tasks.c.due_at.desc(), tasks.c.created_at, tasks.c.id],
    "created": [tasks.c.created_at, tasks.c.id],
    "-created": [tasks.c.created_at.desc(), tasks.c.id],
    "agency": [tasks.c.agency_code, tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.id],
}


class Inbox:
    """The inbox's read queries."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def page(self, q: InboxQuery) -> tuple[list, int]:
        """Return one page of matching tasks with what they are about, and the total."""
        where = [*self._scope(q), *self._filters(q)]
        total = self.conn.execute(sa.select(sa.func.count()).select_from(tasks).join(
            instances, instances.c.id == tasks.c.instance_id).where(*where)).scalar_one()
        query = (sa.select(*_COLUMNS).select_from(_FROM).where(*where)
                 .order_by(*_ORDER[q.sort]).limit(q.limit).offset(q.offset))
        return list(self.conn.execute(query).mappings()), total

    def item(self, task_id: str):
        """Return one task with what it is about, or None."""
        query = sa.select(*_COLUMNS).select_from(_FROM).where(tasks.c.id == task_id)
        return self.conn.execute(query).mappings().first()

    def counts(self, q: InboxQuery, now: datetime) -> dict[str, int]:
        """Count the tasks in scope per state, and the overdue ones, ignoring the state filter."""
        scope = self._scope(q)
        base = sa.select(tasks.c.state, sa.func.count()).select_from(tasks).join(
            instances, instances.c.id == tasks.c.instance_id).where(*scope)
        counts = dict(self.conn.execute(base.group_by(tasks.c.state)).all())
        late = sa.select(sa.func.count()).select_from(tasks).join(
            instances, instances.c.id == tasks.c.instance_id).where(*scope, *overdue_conditions(now))
        return {**counts, "overdue": self.conn.execute(late).scalar_one()}

    def processes(self, agency: str | None) -> list[tuple[str, str]]:
        """List (process id, latest name) of the processes with tasks in scope, for the filter."""
        ids = sa.select(instances.c.process_id).join(tasks, tasks.c.instance_id == instances.c.id)
        if agency:
            ids = ids.where(tasks.c.agency_code == agency)
        latest = (sa.select(process_versions.c.process_id, process_versions.c.name)
                  .where(process_versions.c.process_id.in_(ids.distinct()))
                  .order_by(process_versions.c.process_id, process_versions.c.version.desc()))
        names: dict[str, str] = {}
        for process_id, name in self.conn.execute(latest).all():
            names.setdefault(process_id, name)
        return sorted(names.items(), key=lambda item: item[1])

    @staticmethod
    def _scope(q: InboxQuery) -> list:
        return [c for c in (tasks.c.agency_code == q.agency if q.agency else None,
                            instances.c.process_id == q.process_id if q.process_id else None)
                if c is not None]

    @staticmethod
    def _filters(q: InboxQuery) -> list:
        where = [tasks.c.state == q.state] if q.state else []
        if q.overdue_at:
            where += overdue_conditions(q.overdue_at)
        if q.claimed_by:
            where.append(tasks.c.claimed_by == q.claimed_by)
        if q.unclaimed:
            where.append(tasks.c.claimed_by.is_(None))
        return where
