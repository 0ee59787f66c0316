"""Run one job worker as its own OS process, for the multi-process tests.

    python -m tests.integration.worker_child URL WORKER_ID [--delay S] [--batch N] [--lease S]

Each job's effect is one row in `test_process_effects`, unique per job key, so a doubled
effect could not even commit, plus one domain event written to the audit log and the outbox
(which have no such key), as the real ladder handler does. The child prints "ready" once
connected, waits for a line on stdin so that racing workers start together, then works until
SIGTERM.
"""

import argparse
import logging
import sys
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from engine.clock import SystemClock
from engine.events import LadderRungReached
from engine.store.uow import UnitOfWorkFactory
from engine.worker import Worker, install_sigterm

side = sa.MetaData()
effects = sa.Table(
    "test_process_effects", side,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("job_key", sa.String(255), nullable=False, unique=True),
    sa.Column("worker_id", sa.String(64), nullable=False),
)


def make_handler(worker_id: str, delay: float):
    """Build a handler that writes the job's effect, then dawdles to widen the crash window."""

    def apply(uow, job, now) -> None:
        uow.conn.execute(sa.insert(effects).values(job_key=job.key, worker_id=worker_id))
        uow.journal.record(LadderRungReached(job.key, now, worker_id, job.key, "SXD", "reminder"))
        time.sleep(delay)

    return apply


def main(argv: list[str]) -> None:
    """Start a worker on the given database and run it until SIGTERM."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("worker_id")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--lease", type=float, default=60.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    factory = UnitOfWorkFactory(args.url)
    handlers = {"effect": make_handler(args.worker_id, args.delay)}
    worker = Worker(factory, SystemClock(), handlers, args.worker_id, batch=args.batch,
                    lease=timedelta(seconds=args.lease))
    stop = threading.Event()
    install_sigterm(stop)
    factory.engine.connect().close()
    print("ready", flush=True)
    sys.stdin.readline()
    worker.run_forever(stop, idle_sleep=0.02)
    factory.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
