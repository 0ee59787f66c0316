"""The unit of work: one database transaction around one use case."""

import sqlalchemy as sa

from engine.store.assignments import Assignments
from engine.store.attachments import Attachments
from engine.store.deadline_requests import DeadlineRequests
from engine.store.directory import Directory
from engine.store.documents import DocumentNumbers
from engine.store.dossiers import Catalog, Dossiers
from engine.store.feedback import FeedbackItems
from engine.store.flags import ConsultationFlags
from engine.store.hot import HotInstances
from engine.store.inbox import Inbox
from engine.store.jobs import Jobs
from engine.store.repositories import (
    DeadlineLedger,
    Instances,
    Journal,
    Processes,
    Settings,
    SpecCache,
    Tasks,
    Violations,
)


def create_db_engine(url: str) -> sa.Engine:
    """Create an engine; SQLite gets a busy timeout and foreign keys, like PostgreSQL has."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    # No pre-ping: it costs a round trip per transaction. Recycling connections bounds their
    # age instead, and a connection that died anyway fails one request, which the caller retries.
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)


class UnitOfWork:
    """Open a transaction on enter; commit only when asked, roll back otherwise."""

    def __init__(self, engine: sa.Engine, specs: SpecCache, hot: HotInstances | None = None,
                 reading: bool = False):
        self.engine, self.specs, self.reading = engine, specs, reading
        self.hot = hot if hot is not None else HotInstances(size=0)

    def __enter__(self) -> "UnitOfWork":
        self._after_commit: list = []
        self.conn = self.engine.connect()
        if self.reading:
            # No BEGIN and no ROLLBACK: two round trips fewer. Under READ COMMITTED each
            # statement sees a fresh snapshot inside a transaction too, so reads lose nothing.
            self.conn = self.conn.execution_options(isolation_level="AUTOCOMMIT")
        self.tx = self.conn.begin()
        self.processes = Processes(self.conn, self.specs)
        self.instances = Instances(self.conn)
        self.tasks = Tasks(self.conn)
        self.inbox = Inbox(self.conn)
        self.attachments = Attachments(self.conn)
        self.journal = Journal(self.conn)
        self.directory = Directory(self.conn)
        self.ledger = DeadlineLedger(self.conn)
        self.requests = DeadlineRequests(self.conn)
        self.flags = ConsultationFlags(self.conn)
        self.settings = Settings(self.conn)
        self.violations = Violations(self.conn)
        self.jobs = Jobs(self.conn)
        self.catalog = Catalog(self.conn)
        self.dossiers = Dossiers(self.conn)
        self.feedback = FeedbackItems(self.conn)
        self.numbers = DocumentNumbers(self.conn)
        self.assignments = Assignments(self.conn)
        return self

    def __exit__(self, *exc) -> None:
        if self.tx.is_active:
            self.tx.rollback()
        self.conn.close()

    def commit(self) -> None:
        if self.reading:
            raise RuntimeError("a reading unit of work has nothing to commit")
        self.tx.commit()
        done, self._after_commit = self._after_commit, []
        for action in done:
            action()

    def after_commit(self, action) -> None:
        """Run an action once this transaction commits; a rollback forgets it."""
        self._after_commit.append(action)


class UnitOfWorkFactory:
    """Make units of work that share one engine and one spec cache."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_db_engine(url)
        self.specs = SpecCache()
        self.hot = HotInstances()

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.specs, self.hot)

    def reader(self) -> UnitOfWork:
        """Make a unit of work for reads only: each statement runs on its own, nothing commits."""
        return UnitOfWork(self.engine, self.specs, self.hot, reading=True)
