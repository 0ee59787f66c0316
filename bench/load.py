"""Drive a running server with many clients, then check every effect happened exactly once.

The server is the production one: gunicorn with ``service/gunicorn_config.py`` (2 processes of
2 threads by default, ``DUNGHAN_WEB_PROCESSES`` and ``DUNGHAN_WEB_THREADS``), started by this
script on a loopback port against a PostgreSQL database of its own (**its public schema is
dropped**). Then:

1. **Completions under load.** ``--clients`` client threads (8), each with its own keep-alive
   connection, run consultation rounds for ``--seconds``: the lead starts an instance, and
   each of the seven human steps is an inbox read (``GET /api/v1/tasks?state=open&
   instance_id=...`` with the acting agency's token) and a completion (``POST .../complete``).
   The report gives completions per second, p50/p99 of the completion request and of any
   request, and the count of 5xx answers. Afterwards the database is checked: every
   completion answered 200 closed exactly one task, wrote exactly one ``task.completed``
   audit row and outbox row, left no pending reminder or escalation of a closed task, and
   every finished round's instance is ``completed``.
2. **Inbox at scale.** The tasks table is grown with bulk ``INSERT ... SELECT`` to each size
   in ``--inbox-sizes`` (10k and 1M by default), one agency holding ``--inbox-open`` (1,000)
   open tasks among them; ``GET /api/v1/tasks?state=open`` as that agency is timed by one
   client (p50/p95 of 300) and by 8 clients at once (p50/p99), and the resident size of the
   web processes is read after each size.

Aims (printed, never enforced): >= 250 completions/s with 8 clients, p99 < 50 ms, no 5xx,
every effect once; inbox p95 < 10 ms; web RSS <= 150 MB and within 10 % between sizes.
"""

import argparse
import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consultation import (  # noqa: E402
    CONSULTED,
    LEAD,
    PROCESS_ID,
    ROUND,
    demo_agencies,
    ensure_database,
    percentile,
    reset_postgres,
)

from engine import directory, services  # noqa: E402
from engine.clock import SystemClock  # noqa: E402
from engine.identity import Role  # noqa: E402
from engine.store.migrate import upgrade  # noqa: E402
from engine.store.uow import UnitOfWorkFactory  # noqa: E402

PROCESSES = ROOT / "processes"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_bench_load"
FORBIDDEN = {"test", "postgres", "template0", "template1"}
INBOX_AGENCY = "SXD"
AIMS = {"completions_per_s": 250, "completion_p99_ms": 50, "inbox_p95_ms": 10, "rss_mb": 150}


class BenchError(Exception):
    """The server answered what a correct service never answers, or an effect is missing."""


@dataclass
class Tally:
    """What the clients saw: latencies by kind of request, completions, failures."""

    ms: dict = field(default_factory=lambda: {"start": [], "inbox": [], "complete": []})
    completed_ids: list = field(default_factory=list)
    rounds: list = field(default_factory=list)  # instance ids of finished rounds
    server_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One client: a keep-alive connection and the tokens of the agencies it acts for."""

    def __init__(self, port: int, tokens: dict[str, str], tally: Tally):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.tokens, self.tally = tokens, tally

    def call(self, kind: str, method: str, path: str, agency: str, body=None, expected=200):
        """Send one request, note its latency; fail on any status but the expected one."""
        headers = {"Authorization": f"Bearer {self.tokens[agency]}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body), "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        elapsed = 1000 * (time.perf_counter() - started)
        with self.tally.lock:
            self.tally.ms[kind].append(elapsed)
            if response.status >= 500:
                self.tally.server_errors += 1
        if response.status != expected:
            raise BenchError(f"{method} {path} as {agency}: HTTP {response.status}: {payload[:300]!r}")
        return json.loads(payload)

    def round(self) -> None:
        """Run one consultation round: start, then seven inbox reads and completions."""
        created = self.call("start", "POST", "/api/v1/instances", LEAD,
                            {"process_id": PROCESS_ID}, expected=201)
        instance_id = created["id"]
        for _kind, agency, data in ROUND:
            inbox = self.call("inbox", "GET",
                              f"/api/v1/tasks?state=open&instance_id={instance_id}", agency)
            if len(inbox["items"]) != 1:
                raise BenchError(f"{agency} sees {len(inbox['items'])} open tasks in {instance_id}")
            task_id = inbox["items"][0]["id"]
            done = self.call("complete", "POST", f"/api/v1/tasks/{task_id}/complete", agency,
                             {"data": data})
            with self.tally.lock:
                self.tally.completed_ids.append(task_id)
        if done["instance_status"] != "completed":
            raise BenchError(f"round {instance_id} ended {done['instance_status']}")
        with self.tally.lock:
            self.tally.rounds.append(instance_id)


def drive(port: int, tokens: dict, clients: int, seconds: float) -> tuple[Tally, float]:
    """Run rounds from every client until the time is up; return the tally and elapsed time."""
    tally, errors = Tally(), []
    stop_at = time.monotonic() + seconds

    def loop():
        client = Client(port, tokens, tally)
        try:
            while time.monotonic() < stop_at:
                client.round()
        except Exception as err:  # noqa: BLE001  reported after all clients stop
            errors.append(err)
        finally:
            client.conn.close()

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise BenchError(f"{len(errors)} client(s) failed; first: {errors[0]}")
    return tally, elapsed


def check_exactly_once(engine: sa.Engine, tally: Tally) -> list[str]:
    """Return what is wrong in the database after the run (nothing when all is well)."""
    ids = tally.completed_ids
    problems = []
    with engine.connect() as conn:
        def count(sql: str, **params) -> int:
            return conn.execute(sa.text(sql), params).scalar_one()

        if len(set(ids)) != len(ids):
            problems.append("a task was answered 200 twice")
        done = count("SELECT count(*) FROM tasks WHERE state = 'completed'")
        if done != len(ids):
            problems.append(f"{done} tasks completed in the database, {len(ids)} answered 200")
        twice = count("SELECT count(*) FROM (SELECT task_id FROM audit_events WHERE type = "
                      "'task.completed' GROUP BY task_id HAVING count(*) > 1) t")
        if twice:
            problems.append(f"{twice} tasks have more than one task.completed audit row")
        audit = count("SELECT count(*) FROM audit_events WHERE type = 'task.completed'")
        outbox = count("SELECT count(*) FROM outbox WHERE type = 'task.completed'")
        if not audit == outbox == len(ids):
            problems.append(f"task.completed: {audit} audit rows, {outbox} outbox rows, "
                            f"{len(ids)} completions")
        pending = count("SELECT count(*) FROM jobs j JOIN tasks t ON j.key LIKE 'ladder:' || "
                        "t.id || ':%' WHERE t.state = 'completed' AND j.status = 'pending'")
        if pending:
            problems.append(f"{pending} reminder/escalation jobs still pending for closed tasks")
        finished = count("SELECT count(*) FROM instances WHERE status = 'completed'")
        if finished != len(tally.rounds):
            problems.append(f"{finished} instances completed, {len(tally.rounds)} rounds finished")
    return problems


# --- the big inbox ------------------------------------------------------------------------


def grow_tasks(engine: sa.Engine, have: int, want: int, open_for_agency: int) -> None:
    """Add bulk tasks numbered have+1..want (multiples of 5), one instance per five.

    The first ``open_for_agency`` bulk tasks are the inbox agency's, open; the rest belong to
    the other agencies in turn, one in twenty still open, the rest completed.
    """
    if want <= have:
        return
    params = {"lo": have + 1, "hi": want, "n_open": open_for_agency, "mine": INBOX_AGENCY}
    with engine.begin() as conn:
        conn.execute(sa.text("""
            INSERT INTO instances (id, process_version_id, process_id, process_version, status,
                                   state_json, version, lead_agency, started_by, created_at,
                                   updated_at)
            SELECT 'bulk-i-' || g, v.id, v.process_id, v.version, 'completed', '{}', 1,
                   'STP', 'bench', now() - interval '30 days', now()
            FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer), 5) AS g,
                 (SELECT id, process_id, version FROM process_versions
                  ORDER BY id LIMIT 1) AS v"""), params)
        conn.execute(sa.text("""
            WITH others AS (SELECT array_agg(code ORDER BY code) AS codes FROM agencies
                            WHERE code <> :mine)
            INSERT INTO tasks (id, instance_id, bpmn_id, name, agency_code, form, state,
                               created_at, due_at, escalation_level, deemed_consent,
                               completed_at, data)
            SELECT 'bulk-t-' || g,
                   'bulk-i-' || (g - ((g - 1) % 5)),
                   'reply_to_consultation', 'Trả lời ý kiến',
                   CASE WHEN g <= :n_open THEN :mine
                        ELSE o.codes[1 + g % array_length(o.codes, 1)] END,
                   'consultation_reply',
                   CASE WHEN g <= :n_open OR g % 20 = 0 THEN 'open' ELSE 'completed' END,
                   now() - (g % 720) * interval '1 hour',
                   now() + (g % 400 - 100) * interval '1 hour', 0, false,
                   CASE WHEN g <= :n_open OR g % 20 = 0 THEN NULL ELSE now() END,
                   '{}'
            FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g, others o
            """), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE tasks")
        conn.exec_driver_sql("VACUUM ANALYZE instances")


def time_inbox(port: int, token: str, requests: int, clients: int) -> list[float]:
    """Time the agency's open inbox, first page, from `clients` threads; return ms samples."""
    samples, lock, errors = [], threading.Lock(), []

    def loop(count: int):
        client = Client(port, {INBOX_AGENCY: token}, Tally())
        try:
            for _ in range(count):
                page = client.call("inbox", "GET", "/api/v1/tasks?state=open", INBOX_AGENCY)
                if page["total"] < 1:
                    raise BenchError("the inbox agency sees no open task")
            with lock:
                samples.extend(client.tally.ms["inbox"])
        except Exception as err:  # noqa: BLE001  reported below
            errors.append(err)
        finally:
            client.conn.close()

    Client(port, {INBOX_AGENCY: token}, Tally()).call(  # warm the process's caches
        "inbox", "GET", "/api/v1/tasks?state=open", INBOX_AGENCY)
    threads = [threading.Thread(target=loop, args=(requests // clients,)) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise BenchError(f"inbox client failed: {errors[0]}")
    return samples


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, port: int, log):
    """Run gunicorn with the production settings; yield its process; stop it afterwards."""
    env = {**os.environ, "DUNGHAN_DATABASE_URL": url, "DUNGHAN_BIND": f"127.0.0.1:{port}",
           "DUNGHAN_SECRET_KEY": "bench-only-secret-key"}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_config",
               "service.wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                log.seek(0)
                raise BenchError(f"gunicorn stopped:\n{log.read()[-2000:]}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_seconds(pids) -> float:
    """Return the user + system CPU time the given processes have used so far (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def server_pids(server: subprocess.Popen, engine: sa.Engine) -> dict[str, list[int]]:
    """Return the pids of the gunicorn workers and of PostgreSQL's backends for this database."""
    web = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    with engine.connect() as conn:
        pg = conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND pid <> pg_backend_pid()")).scalars()
        return {"web": [int(p) for p in web], "postgres": list(pg)}


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    """Return the resident size of each gunicorn worker process (children of the arbiter)."""
    sizes = []
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    for pid in children:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sizes


# --- the run ------------------------------------------------------------------------------


def prepare(url: str) -> dict[str, str]:
    """Reset, migrate and seed the database, load the processes; return officer tokens."""
    ensure_database(url)
    reset_postgres(url)
    upgrade(url)
    uow, clock = UnitOfWorkFactory(url), SystemClock()
    try:
        directory.seed_agencies(uow(), demo_agencies())
        services.load_process_directory(uow(), clock, PROCESSES)
        return {code: directory.issue_token(uow(), clock, code, Role.OFFICER, "bench-load")
                for code in (LEAD, *CONSULTED)}
    finally:
        uow.engine.dispose()


def report_load(tally: Tally, elapsed: float, clients: int, problems: list[str]) -> None:
    completions = len(tally.completed_ids)
    every = [x for samples in tally.ms.values() for x in samples]
    rate = completions / elapsed
    p99 = percentile(tally.ms["complete"], 99)
    print(f"\n{clients} clients for {elapsed:.1f} s: {len(tally.rounds)} rounds, "
          f"{completions} completions, {len(every)} requests")
    print(f"  completions/s {rate:7.1f}   requests/s {len(every) / elapsed:7.1f}   "
          f"5xx {tally.server_errors}")
    for kind, samples in tally.ms.items():
        print(f"  {kind:<9} p50 {percentile(samples, 50):7.2f} ms   p99 {percentile(samples, 99):7.2f} ms"
              f"   (n={len(samples)})")
    print(f"  exactly once: {'yes' if not problems else 'NO'}")
    for problem in problems:
        print(f"    - {problem}")
    met = rate >= AIMS["completions_per_s"] and p99 < AIMS["completion_p99_ms"]
    met = met and not tally.server_errors and not problems
    print(f"  aim >= {AIMS['completions_per_s']} completions/s, p99 < "
          f"{AIMS['completion_p99_ms']} ms, no 5xx, every effect once: "
          f"{'met' if met else 'NOT met'}")


def parse_sizes(text: str) -> list[int]:
    return sorted(int(x.replace("_", "")) for x in text.split(",") if x.strip())


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--seconds", type=float, default=20, help="length of the load run (20)")
    parser.add_argument("--inbox-sizes", type=parse_sizes, default=[10_000, 1_000_000],
                        help="tasks in the table for the inbox timing (10000,1000000)")
    parser.add_argument("--inbox-open", type=int, default=1000,
                        help="open tasks of the inbox agency (1000)")
    parser.add_argument("--inbox-requests", type=int, default=304, help="inbox requests per timing")
    parser.add_argument("--postgres-url", default=os.environ.get("DUNGHAN_BENCH_LOAD_POSTGRES_URL",
                                                                 DEFAULT_URL),
                        help="database whose public schema is DROPPED (env "
                             "DUNGHAN_BENCH_LOAD_POSTGRES_URL)")
    args = parser.parse_args(argv)
    if sa.make_url(args.postgres_url).database in FORBIDDEN:
        parser.error("give the benchmark a database of its own: its public schema is dropped")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    shown = sa.make_url(args.postgres_url).render_as_string(hide_password=True)
    processes = os.environ.get("DUNGHAN_WEB_PROCESSES", "2")
    threads = os.environ.get("DUNGHAN_WEB_THREADS", "2")
    print(f"Load benchmark on {shown} (public schema reset); gunicorn {processes} processes x "
          f"{threads} threads; {os.cpu_count()} CPUs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    tokens = prepare(args.postgres_url)
    engine = sa.create_engine(args.postgres_url)
    port = free_port()
    try:
        with tempfile.TemporaryFile(mode="w+") as log, gunicorn(args.postgres_url, port, log) as server:
            drive(port, tokens, args.clients, 2)  # warm-up: every process and connection
            with engine.begin() as conn:  # count the timed run alone
                conn.exec_driver_sql("TRUNCATE audit_events, outbox, jobs, tasks, instances CASCADE")
            pids = server_pids(server, engine)
            before = {k: cpu_seconds(v) for k, v in pids.items()}
            client_cpu = time.process_time()
            tally, elapsed = drive(port, tokens, args.clients, args.seconds)
            used = {k: cpu_seconds(v) - before[k] for k, v in pids.items()}
            used["clients"] = time.process_time() - client_cpu
            report_load(tally, elapsed, args.clients, check_exactly_once(engine, tally))
            report_cpu(used, len(tally.completed_ids))
            print(f"  web RSS after the load run: "
                  f"{', '.join(f'{x:.0f}' for x in worker_rss_mb(server))} MB")
            with engine.connect() as conn:
                run_rows = conn.execute(sa.text("SELECT count(*) FROM tasks")).scalar_one()
            rss_by_size, bulk = {}, 0
            for size in args.inbox_sizes:
                started = time.perf_counter()
                want = max(args.inbox_open, (size - run_rows) // 5 * 5)
                grow_tasks(engine, bulk, want, args.inbox_open)
                bulk = want
                print(f"\nTasks table at {size:,} rows (built in {time.perf_counter() - started:.0f} s); "
                      f"{args.inbox_open:,} open for {INBOX_AGENCY}")
                pids = server_pids(server, engine)
                before = {k: cpu_seconds(v) for k, v in pids.items()}
                one = time_inbox(port, tokens[INBOX_AGENCY], args.inbox_requests, 1)
                per = {k: 1000 * (cpu_seconds(v) - before[k]) / len(one) for k, v in pids.items()}
                many = time_inbox(port, tokens[INBOX_AGENCY], args.inbox_requests, 8)
                rss_by_size[size] = worker_rss_mb(server)
                verdict = "met" if percentile(one, 95) < AIMS["inbox_p95_ms"] else "NOT met"
                print(f"  inbox, 1 client:  p50 {percentile(one, 50):6.2f} ms  p95 "
                      f"{percentile(one, 95):6.2f} ms  (aim p95 < {AIMS['inbox_p95_ms']} ms: {verdict})")
                print(f"  inbox, 8 clients: p50 {percentile(many, 50):6.2f} ms  p99 "
                      f"{percentile(many, 99):6.2f} ms")
                print(f"  CPU per inbox request: web {per['web']:.2f} ms, PostgreSQL "
                      f"{per['postgres']:.2f} ms")
                print(f"  web RSS: {', '.join(f'{x:.0f}' for x in rss_by_size[size])} MB")
            report_rss(rss_by_size)
    finally:
        engine.dispose()
    return 0


def report_cpu(used: dict[str, float], completions: int) -> None:
    """Print the CPU each completion cost, and the rate two free cores would allow.

    CPU time does not stretch when other work shares the machine (apart from cache effects),
    so this says what the service itself needs, whatever the load average.
    """
    per = {k: 1000 * v / completions for k, v in used.items()}
    server = per["web"] + per["postgres"]
    print(f"  CPU per completion (with its share of inbox reads and starts): web {per['web']:.1f} ms"
          f", PostgreSQL {per['postgres']:.1f} ms, clients {per['clients']:.1f} ms")
    print(f"  => two free cores could serve about {2000 / server:.0f} completions/s "
          f"(server side only), {2000 / (server + per['clients']):.0f} with these clients on them")


def report_rss(rss_by_size: dict[int, list[float]]) -> None:
    largest = {size: max(sizes) for size, sizes in rss_by_size.items() if sizes}
    if not largest:
        return
    small, big = min(largest), max(largest)
    growth = largest[big] / largest[small]
    met = largest[big] <= AIMS["rss_mb"] and growth <= 1.10
    print(f"\nWeb RSS (largest process): {largest[small]:.0f} MB at {small:,} tasks, "
          f"{largest[big]:.0f} MB at {big:,} ({growth:.2f}x); aim <= {AIMS['rss_mb']} MB and "
          f"within 10 %: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
