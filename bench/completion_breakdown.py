"""Split the wall time of a task completion over HTTP on PostgreSQL into its parts.

cProfile inflates code made of many small calls (SpiffWorkflow's tree walks looked like a fifth
of a completion under it, and a walk twice as fast changed nothing measurable), so this wraps
the layers of a completion in plain timers instead and runs mode c of ``bench/consultation.py``
(waitress in this process, a keep-alive client, PostgreSQL on loopback). Each line is the mean
wall time per completion spent in that part, nested parts indented under their caller; the
database lines include waiting for PostgreSQL.

    .venv/bin/python bench/completion_breakdown.py > bench/completion_breakdown.txt
"""

import argparse
import functools
import os
import statistics
import sys
import time

import consultation as bench

from engine.instances import ProcessInstance
from engine.services import persistence
from engine.services import tasks as task_cases
from engine.store.jobs import Jobs
from engine.store.repositories import Instances, Journal, Tasks
from engine.store.uow import UnitOfWork
from service import auth

# (owner, attribute, label, depth): what to time, as shown, indented by depth.
PARTS = [
    (auth, "authenticate_token", "authentication (token row, principal)", 0),
    (task_cases, "_complete_task", "the use case, from BEGIN to COMMIT", 0),
    (task_cases, "task_row", "read the task row (with BEGIN)", 1),
    (task_cases, "load_instance", "read the instance row, take the hot workflow", 1),
    (ProcessInstance, "actor_role", "role check on the process", 1),
    (task_cases, "validate_submission", "validate the form data (JSON Schema)", 1),
    (ProcessInstance, "complete_task", "SpiffWorkflow step (run the task, engine steps)", 1),
    (task_cases, "save_instance", "save: state, projection, jobs, journal", 1),
    (ProcessInstance, "dump", "serialize the state (Spiff to_dict + orjson)", 2),
    (Instances, "save", "UPDATE instances (compare-and-set, 30 KB)", 2),
    (Tasks, "close", "UPDATE tasks ... RETURNING", 2),
    (Jobs, "cancel_prefix", "UPDATE jobs (cancel the ladder)", 2),
    (persistence, "_open_tasks", "INSERT tasks and ladder jobs (new tasks only)", 2),
    (Journal, "record_all", "INSERT audit_events, INSERT outbox", 2),
    (UnitOfWork, "commit", "COMMIT (fsync)", 1),
]


def wrap(owner, name: str, totals: dict, key: str) -> None:
    """Replace owner.name with a timed version adding its wall time to totals[key]."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.perf_counter() - started

    setattr(owner, name, timed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--postgres-url", default=os.environ.get(
        "DUNGHAN_BENCH_POSTGRES_URL", bench.DEFAULT_POSTGRES_URL))
    args = parser.parse_args(argv)
    totals: dict[str, float] = {}
    for owner, name, label, _ in PARTS:
        wrap(owner, name, totals, label)
    driver = bench.HttpApi(args.postgres_url)
    try:
        for _ in range(3):  # warm up: prepared statements, hot instances, caches
            bench.run_round(driver, dict.fromkeys(bench.STEP_KINDS, 0.0),
                            {k: [] for k in bench.STEP_KINDS})
        driver.completions.reset()
        seconds: dict[str, float] = {}
        timed = driver.completions.time

        def counted(call):
            """Time one completion request, keeping what each part spent inside it."""
            start = dict(totals)
            result = timed(call)
            for key, value in totals.items():
                seconds[key] = seconds.get(key, 0.0) + value - start.get(key, 0.0)
            return result

        # Only completion requests count: the inbox reads and starts authenticate too.
        driver.completions.time = counted
        for _ in range(args.rounds):
            bench.run_round(driver, dict.fromkeys(bench.STEP_KINDS, 0.0),
                            {k: [] for k in bench.STEP_KINDS})
        n = len(driver.completions.ms)
        client = sum(driver.completions.ms) / n
        print(f"{n} completions (POST /tasks/{{id}}/complete) of {args.rounds} consultation rounds; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        print(f"at the client: mean {client:.2f} ms, p50 {statistics.median(driver.completions.ms):.2f} ms; "
              f"{sum(driver.completions.statements) / n:.1f} SQL statements, plus BEGIN and COMMIT\n")
        for _, _, label, depth in PARTS:
            ms = 1000 * seconds.get(label, 0.0) / n
            print(f"{'  ' * depth}{ms:6.2f} ms  {label}")
        inside = 1000 * (seconds.get(PARTS[0][2], 0.0) + seconds.get(PARTS[1][2], 0.0)) / n
        print(f"{client - inside:6.2f} ms  the rest: HTTP both ways, Flask/APIFlask routing, "
              "request and response schemas")
    finally:
        driver.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
