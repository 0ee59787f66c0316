"""Wake idle workers when work arrives: PostgreSQL LISTEN/NOTIFY; SQLite keeps polling.

Migration 0025 makes PostgreSQL send a notification on ``CHANNEL`` whenever jobs are inserted
or put back in the queue (commit time, once per transaction). A worker with nothing to do
waits on its own listening connection until such a notification, the next job's due instant,
or its poll interval, whichever comes first. The poll stays as the safety net: a lease that
expires sends no notification, and a lost listening connection degrades to polling.
"""

import logging
import threading
import time

import psycopg
import sqlalchemy as sa

log = logging.getLogger(__name__)
CHANNEL = "dunghan_jobs"
STOP_CHECK = 0.25  # seconds: how soon a waiting worker notices it was asked to stop


class Poller:
    """Wait by sleeping: the backend cannot notify (SQLite)."""

    def __init__(self, stop: threading.Event):
        self.stop = stop

    def wait(self, timeout: float) -> None:
        self.stop.wait(timeout)

    def close(self) -> None:
        """Release nothing."""


class Listener(Poller):
    """Wait on a LISTEN connection of its own, outside the pool and any transaction."""

    def __init__(self, stop: threading.Event, engine: sa.Engine):
        super().__init__(stop)
        self.args, self.kwargs = engine.dialect.create_connect_args(engine.url)
        self.conn: psycopg.Connection | None = None

    def wait(self, timeout: float) -> None:
        """Return on a notification, after timeout seconds, or soon after stop is set."""
        deadline = time.monotonic() + timeout
        try:
            conn = self._connected()
            while not self.stop.is_set() and (left := deadline - time.monotonic()) > 0:
                if list(conn.notifies(timeout=min(left, STOP_CHECK), stop_after=1)):
                    return
        except psycopg.Error:
            log.warning("lost the connection that listens for new jobs; polling meanwhile")
            self.close()
            self.stop.wait(timeout)

    def _connected(self) -> psycopg.Connection:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(*self.args, **{**self.kwargs, "autocommit": True})
            self.conn.execute(f"LISTEN {CHANNEL}")
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def waiter(engine: sa.Engine, stop: threading.Event) -> Poller:
    """Return how a worker on this engine waits for work."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        return Listener(stop, engine)
    return Poller(stop)
