"""Read and write aggregates and projections through one connection in one transaction."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from engine import events as ev
from engine.codec import CompiledSpec, load_spec
from engine.errors import Conflict, StaleState
from engine.instances import TaskStatus
from engine.store.jobs import Jobs
from engine.store.tables import (
    agencies,
    audit_events,
    deadline_changes,
    instances,
    outbox,
    process_versions,
    settings,
    tasks,
    violations,
)

UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class SpecCache:
    """Keep restored spec objects per process version; versions never change, so never evict."""

    def __init__(self):
        self._specs: dict[int, CompiledSpec] = {}

    def get(self, conn: Connection, version_id: int) -> CompiledSpec:
        if version_id not in self._specs:
            t = process_versions
            query = sa.select(t.c.spec_json, t.c.forms).where(t.c.id == version_id)
            spec_json, forms = conn.execute(query).one()
            self._specs[version_id] = load_spec(spec_json, forms)
        return self._specs[version_id]


class Processes:
    """Process versions: each distinct BPMN content stored once, numbered per process id."""

    def __init__(self, conn: Connection, cache: SpecCache):
        self.conn, self.cache = conn, cache

    def find_by_hash(self, process_id: str, content_hash: str):
        t = process_versions
        query = sa.select(t).where(t.c.process_id == process_id, t.c.content_hash == content_hash)
        return self.conn.execute(query).mappings().first()

    def get(self, version_id: int):
        query = sa.select(process_versions).where(process_versions.c.id == version_id)
        return self.conn.execute(query).mappings().first()

    def latest(self, process_id: str):
        t = process_versions
        query = sa.select(t).where(t.c.process_id == process_id).order_by(t.c.version.desc())
        return self.conn.execute(query.limit(1)).mappings().first()

    def add(self, **row) -> int:
        """Insert a version; raise Conflict if another process just took its number or content."""
        insert = UPSERTS[self.conn.dialect.name](process_versions).values(**row)
        added = self.conn.execute(insert.on_conflict_do_nothing().returning(process_versions.c.id)).first()
        if added is None:
            raise Conflict("Phiên bản quy trình vừa được triển khai đồng thời; hãy thử lại")
        return added[0]

    def versions(self, process_id: str) -> list:
        t = process_versions
        cols = [t.c.id, t.c.process_id, t.c.version, t.c.name, t.c.content_hash,
                t.c.deployed_at, t.c.deployed_by]
        query = sa.select(*cols).where(t.c.process_id == process_id).order_by(t.c.version)
        return list(self.conn.execute(query).mappings())

    def summaries(self) -> list:
        t = process_versions
        latest = sa.select(t.c.process_id, sa.func.max(t.c.version).label("v")).group_by(t.c.process_id)
        latest = latest.subquery()
        query = (
            sa.select(t.c.process_id, t.c.name, t.c.version, t.c.content_hash, t.c.deployed_at)
            .join(latest, sa.and_(t.c.process_id == latest.c.process_id, t.c.version == latest.c.v))
            .order_by(t.c.process_id)
        )
        return list(self.conn.execute(query).mappings())

    def document(self, process_id: str, version: int):
        """Return one version's row with its BPMN text, or None."""
        t = process_versions
        query = sa.select(t).where(t.c.process_id == process_id, t.c.version == version)
        return self.conn.execute(query).mappings().first()

    def compiled(self, version_id: int) -> CompiledSpec:
        return self.cache.get(self.conn, version_id)


class Instances:
    """Instance rows: state JSON saved with a compare-and-set on the version counter."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(instances).values(version=1, **row))

    def get(self, instance_id: str):
        query = sa.select(instances).where(instances.c.id == instance_id)
        return self.conn.execute(query).mappings().first()

    def running_per_version(self) -> dict[tuple[str, int], int]:
        """Count the running instances of each process version, keyed by (process id, version)."""
        t = instances
        query = (sa.select(t.c.process_id, t.c.process_version, sa.func.count())
                 .where(t.c.status == "running").group_by(t.c.process_id, t.c.process_version))
        return {(p, v): n for p, v, n in self.conn.execute(query)}

    def note_error(self, instance_id: str, error: str) -> None:
        """Remember the last failed step; not a state change, so the version stays."""
        query = sa.update(instances).where(instances.c.id == instance_id).values(last_error=error)
        self.conn.execute(query)

    def save(self, instance_id: str, expected_version: int, **values) -> None:
        """Write new state only if nobody saved since it was read; else raise StaleState."""
        query = (
            sa.update(instances)
            .where(instances.c.id == instance_id, instances.c.version == expected_version)
            .values(version=expected_version + 1, **values)
        )
        if self.conn.execute(query).rowcount != 1:
            raise StaleState("Hồ sơ vừa được người khác cập nhật; hãy tải lại và thử lại")


@dataclass(frozen=True)
class TaskQuery:
    """Filters of the task inbox."""

    agency: str | None = None
    state: str | None = None
    due_before: datetime | None = None
    overdue_at: datetime | None = None
    instance_id: str | None = None
    limit: int = 50
    offset: int = 0


class Tasks:
    """The human-task projection that inboxes and deadline sweeps read."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.add_many([row])

    def add_many(self, rows: list[dict]) -> None:
        """Open several tasks in one statement (a multi-instance step opens one per agency)."""
        if rows:
            # A list of parameter sets, not a VALUES list: one cached statement for any count.
            self.conn.execute(sa.insert(tasks), [{**r, "state": TaskStatus.OPEN} for r in rows])

    def get(self, task_id: str):
        return self.conn.execute(sa.select(tasks).where(tasks.c.id == task_id)).mappings().first()

    def close(self, task_id: str, state: TaskStatus, **values):
        """Close an open task and return its row as closed; raise Conflict if someone closed it first."""
        query = (
            sa.update(tasks)
            .where(tasks.c.id == task_id, tasks.c.state == TaskStatus.OPEN)
            .values(state=state, **values)
            .returning(*tasks.c)  # the caller's view needs no second read
        )
        row = self.conn.execute(query).mappings().first()
        if row is None:
            raise Conflict("Nhiệm vụ đã được xử lý")
        return row

    def update(self, task_id: str, **values) -> None:
        self.conn.execute(sa.update(tasks).where(tasks.c.id == task_id).values(**values))

    def overdue(self, now: datetime) -> list:
        """Return overdue tasks with their agency and its head, oldest due first."""
        query = (
            sa.select(tasks, agencies.c.name.label("agency_name"), agencies.c.head_name)
            .join(agencies, agencies.c.code == tasks.c.agency_code)
            .where(*overdue_conditions(now))
            .order_by(tasks.c.due_at, tasks.c.id)
        )
        return list(self.conn.execute(query).mappings())

    def open_with_deadlines(self) -> list:
        # By due_at: a task without a deadline stores JSON null, which IS NOT NULL lets through.
        query = sa.select(tasks).where(tasks.c.state == TaskStatus.OPEN, tasks.c.due_at.is_not(None))
        return list(self.conn.execute(query.order_by(tasks.c.id)).mappings())

    def search(self, q: TaskQuery) -> tuple[list, int]:
        """Return one page of matching tasks, oldest due first, and the total count."""
        conditions = [
            tasks.c.agency_code == q.agency if q.agency else None,
            tasks.c.state == q.state if q.state else None,
            tasks.c.instance_id == q.instance_id if q.instance_id else None,
            tasks.c.due_at < q.due_before if q.due_before else None,
        ]
        if q.overdue_at:
            conditions += overdue_conditions(q.overdue_at)
        where = [c for c in conditions if c is not None]
        order = [tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.created_at, tasks.c.id]
        page = sa.select(tasks).where(*where).order_by(*order).limit(q.limit).offset(q.offset)
        rows = list(self.conn.execute(page).mappings())
        if len(rows) < q.limit and (rows or q.offset == 0):
            return rows, q.offset + len(rows)  # the page ends the list: it tells the total
        total = self.conn.execute(sa.select(sa.func.count()).select_from(tasks).where(*where))
        return rows, total.scalar_one()


RELAY_SETTING = "outbox.relay"
NOTIFY_SETTING = "outbox.notify"
# Each listener whose setting is ``on`` gets a job of its kind for every outbox row.
LISTENERS = {RELAY_SETTING: "relay", NOTIFY_SETTING: "notify"}


def overdue_conditions(now: datetime) -> list:
    """Select open tasks whose clock runs and whose due instant has come.

    A paused deadline is not running, so it cannot be overdue; at the due instant itself a
    task still open can no longer finish on time, and its ``overdue`` rung fires then.
    """
    return [tasks.c.state == TaskStatus.OPEN, tasks.c.paused_at.is_(None), tasks.c.due_at <= now]


# Whether each listener is on, as columns the outbox insert returns (see Journal.record_all).
_LISTENING = [sa.exists().where(settings.c.key == key, settings.c.value == "on").label(kind)
              for key, kind in LISTENERS.items()]


class Journal:
    """The append-only audit log and the outbox, written in the caller's transaction.

    Once something listens to the outbox (the ``outbox.relay`` setting is ``on``, which the
    webhooks package sets when an agency first subscribes; ``outbox.notify``, which a worker
    able to send notifications sets), each outbox row also queues a ``relay`` or ``notify``
    job in the same transaction: a rolled-back change leaves neither behind.
    """

    def __init__(self, conn: Connection):
        self.conn = conn

    def record(self, event: ev.Event) -> None:
        self.record_all([event])

    def record_all(self, events: list[ev.Event]) -> None:
        """Append events to the audit log and the outbox, two statements for any number.

        The outbox insert returns, with each row, whether each listener is on: the settings
        are read in the same statement, not in a round trip of their own; only when some
        listener is on does a third statement queue its jobs.
        """
        if not events:
            return
        payloads = [e.payload() for e in events]
        # Lists of parameter sets, so each insert is one cached statement whatever the count.
        self.conn.execute(sa.insert(audit_events), [
            dict(instance_id=e.instance_id, task_id=p.get("task_id"), type=e.type, actor=e.actor,
                 occurred_at=e.occurred_at, detail=p)
            for e, p in zip(events, payloads, strict=True)
        ])
        rows = [dict(type=e.type, occurred_at=e.occurred_at, payload=p)
                for e, p in zip(events, payloads, strict=True)]
        added = self.conn.execute(
            sa.insert(outbox).returning(outbox.c.id, outbox.c.occurred_at, *_LISTENING,
                                        sort_by_parameter_order=True), rows).all()
        for kind in sorted(LISTENERS.values()):
            if getattr(added[0], kind):  # the same answer on every row
                Jobs(self.conn).schedule_many(kind, [
                    (f"{kind}:{row.id}", row.occurred_at, {"outbox_id": row.id}) for row in added
                ], now=min(e.occurred_at for e in events))

    def history(self, instance_id: str) -> list:
        t = audit_events
        query = sa.select(t).where(t.c.instance_id == instance_id).order_by(t.c.id)
        return list(self.conn.execute(query).mappings())


class DeadlineLedger:
    """Pauses, resumptions, extensions and recomputations of task deadlines, in order."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        self.conn.execute(sa.insert(deadline_changes).values(**row))

    def for_task(self, task_id: str) -> list:
        t = deadline_changes
        return list(self.conn.execute(sa.select(t).where(t.c.task_id == task_id).order_by(t.c.id)).mappings())


class Settings:
    """Small named values the system remembers, such as the calendar fingerprint in force."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, key: str) -> str | None:
        return self.conn.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()

    def put(self, key: str, value: str) -> None:
        """Set a value in one upsert, so processes starting together cannot collide."""
        insert = UPSERTS[self.conn.dialect.name](settings).values(key=key, value=value)
        self.conn.execute(insert.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


class Violations:
    """Breaches of discipline per agency (late, overdue, deemed consent), for monthly reports."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, **row) -> None:
        """Record a breach once per task and kind; a repeat is ignored."""
        exists = sa.select(violations.c.id).where(violations.c.task_id == row["task_id"],
                                                  violations.c.kind == row["kind"])
        if self.conn.execute(exists).first() is None:
            self.conn.execute(sa.insert(violations).values(**row))

    def for_agency(self, agency: str) -> list:
        query = sa.select(violations).where(violations.c.agency_code == agency)
        return list(self.conn.execute(query.order_by(violations.c.id)).mappings())

    def for_instance(self, instance_id: str) -> list:
        query = sa.select(violations).where(violations.c.instance_id == instance_id)
        return list(self.conn.execute(query.order_by(violations.c.id)).mappings())
