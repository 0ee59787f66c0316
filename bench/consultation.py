"""Time one consultation round three ways in one run, to show what each layer of dunghan costs.

A round is what agencies do in a real consultation: the lead (STP) starts it and submits its
request, five departments reply (``agree`` or ``agree_with_amendments`` with real reasons, so no
provincial review follows) and the lead submits its synthesis: eight steps. The same round runs

(a) on raw SpiffWorkflow in memory, persisted the way a naive integrator would: the stock
    serializer writes the whole workflow, spec included, after every step and reads it back
    before the next, with the default (unsandboxed) script engine;
(a′) the same, persisted the way dunghan stores state: the spec is kept out of the blob and
    each step restores the workflow from its JSON and spec objects parsed once and cached;
    this is the reference the service should approach;
(b) through the use cases (``engine.services``) on a fresh SQLite file: sandboxed scripts, form
    validation, compare-and-set saves, the task projection, the audit log and the outbox;
(c) through the HTTP API on PostgreSQL, served by waitress on a loopback port and driven by a
    keep-alive ``http.client`` connection that finds each task in its inbox like a real client
    does (as ``bench/load.py`` does; ``requests`` would add 0.5 ms of client work per call, in
    this very process, to what is timed).

(a) is the floor a naive persisted run pays and (a′) the floor of a split-state one, so b/a,
c/a, b/a′ and c/a′ say what durability, checks and the network keep of it. The report also
gives p50/p99 per kind of step, the p50/p99 of the completion request alone in (c), SQL
statements and SQLAlchemy statement compilations per completion (counted on the engine), and
the process's resident size. The targets (c/a >= 0.5; a completion over HTTP p50 <= 5 ms,
p99 <= 15 ms) are reported, never enforced.
"""

import argparse
import copy
import gc
import http.client
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
import waitress
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.engine.interfaces import CacheStats

from engine import codec, directory, services
from engine.clock import SystemClock
from engine.identity import Principal, Role
from engine.store.migrate import upgrade
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWorkFactory
from service.app import create_app

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
DEMO_PROVINCE = ROOT / "config" / "demo_province.json"
PROCESS_ID = "lay_y_kien_phoi_hop"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dunghan_bench"
TARGET_C_OVER_A = 0.5
TARGET_COMPLETION_P50_MS, TARGET_COMPLETION_P99_MS = 5.0, 15.0

LEAD, PROVINCIAL_OFFICE = "STP", "VPUBND"
CONSULTED = ("SXD", "STC", "SNNMT", "SYT", "SKHCN")
REQUEST = {
    "title": "Dự thảo Quyết định quy định quản lý cây xanh đô thị",
    "summary": "Lấy ý kiến các sở về dự thảo quy định quản lý cây xanh đô thị trên địa bàn tỉnh.",
    "consulted_agencies": list(CONSULTED),
    "concern_reasons": [f"{code}: cơ quan quản lý nhà nước về lĩnh vực của dự thảo" for code in CONSULTED],
    "reply_days": 5,
    "silence_is_consent": True,
}
REASONS = "Đề nghị bổ sung trách nhiệm duy tu cây xanh của UBND cấp xã tại Điều 7 vì chưa rõ ai chăm sóc cây"
SYNTHESIS = {"synthesis": "Đã tiếp thu ý kiến các sở về trách nhiệm duy tu cây xanh tại Điều 7."}
POSITIONS = ("agree", "agree_with_amendments")

# The human steps after the start, in order: (kind of step, acting agency, form data).
ROUND = [
    ("draft", LEAD, REQUEST),
    *(("reply", a, {"position": POSITIONS[i % 2], "reasons": REASONS})
      for i, a in enumerate(CONSULTED)),
    ("synthesis", LEAD, SYNTHESIS),
]
STEP_KINDS = ("start", "draft", "reply", "synthesis")
STEPS_PER_ROUND = 1 + len(ROUND)


class BenchError(Exception):
    """A round did not go the way a correct service makes it go."""


@dataclass
class Result:
    """The timings of one mode, or why it was skipped."""

    mode: str
    label: str
    rounds: int = 0
    seconds: float = 0.0
    step_seconds: dict = field(default_factory=lambda: dict.fromkeys(STEP_KINDS, 0.0))
    step_samples: dict = field(default_factory=lambda: {k: [] for k in STEP_KINDS})
    completion_ms: list = field(default_factory=list)  # the completion call alone
    statements: list = field(default_factory=list)  # per completion call
    compilations: list = field(default_factory=list)  # per completion call
    rss_mb: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time: c's server threads, not PostgreSQL
    skipped: str | None = None

    @property
    def rate(self) -> float:
        """Return the timed rounds per second."""
        return self.rounds / self.seconds

    def step_ms(self, kind: str | None = None) -> float:
        """Return the mean latency of one step of a kind, or of any step, in milliseconds."""
        if kind is None:
            return 1000 * self.seconds / (self.rounds * STEPS_PER_ROUND)
        per_round = sum(1 for k, _, _ in ROUND if k == kind) or 1
        return 1000 * self.step_seconds[kind] / (self.rounds * per_round)

    def step_pct(self, kind: str | None, p: float) -> float:
        """Return the p-th percentile latency of one kind of step, or of any step, in ms."""
        samples = self.step_samples[kind] if kind else [
            x for k in STEP_KINDS for x in self.step_samples[k]]
        return percentile(samples, p)


def percentile(samples: list[float], p: float) -> float:
    """Return the nearest-rank p-th percentile of samples (NaN when there are none)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def rss_mb() -> float:
    """Return this process's resident set size now, in MB (Linux), else its peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StatementCounter:
    """Count SQL statements, and those SQLAlchemy had to compile, sent through one engine."""

    def __init__(self, engine: sa.Engine):
        self.engine, self.statements, self.compiled = engine, 0, 0
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, _statement, _params, context, _many) -> None:
        self.statements += 1
        # Anything but a hit was compiled for this execution: a shape new to the cache, or a
        # statement that cannot be cached at all (a multi-row VALUES list has no cache key).
        compiled = context is not None and getattr(context, "compiled", None) is not None
        if compiled and context.cache_hit is not CacheStats.CACHE_HIT:
            self.compiled += 1

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


class Completions:
    """Time each completion call and count its statements, for drivers with a database."""

    def __init__(self, counter: StatementCounter | None):
        self.counter, self.ms, self.statements, self.compilations = counter, [], [], []

    def time(self, call):
        """Run one completion call and note its time, statements and compilations."""
        before = (self.counter.statements, self.counter.compiled) if self.counter else (0, 0)
        started = time.perf_counter()
        result = call()
        self.ms.append(1000 * (time.perf_counter() - started))
        if self.counter:
            self.statements.append(self.counter.statements - before[0])
            self.compilations.append(self.counter.compiled - before[1])
        return result

    def reset(self) -> None:
        self.ms, self.statements, self.compilations = [], [], []


def demo_agencies() -> list[dict]:
    """Return the demo province's agencies, as `dunghan seed-demo` seeds them."""
    return json.loads(DEMO_PROVINCE.read_text(encoding="utf-8"))["agencies"]


def only(found: list, what: str):
    """Return the single item of a list, or fail saying what was looked for."""
    if len(found) != 1:
        raise BenchError(f"expected exactly one {what}, found {len(found)}")
    return found[0]


class RawSpiff:
    """Mode a: SpiffWorkflow in memory, the full workflow serialized around every step."""

    mode, label = "a", "raw SpiffWorkflow, full JSON"

    def __init__(self):
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_file(str(PROCESSES / f"{PROCESS_ID}.bpmn"))
        self.spec = parser.get_spec(PROCESS_ID)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = PythonScriptEngine()
        self.state = ""
        forms = (PROCESSES / "forms").glob("*.json")
        self.writes = {p.stem: json.loads(p.read_text())["writes"] for p in forms}

    def start(self) -> None:
        """Create a workflow, seed who leads, run it to the draft and serialize it."""
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update(lead_agency=LEAD, provincial_office=PROVINCIAL_OFFICE)
        workflow.do_engine_steps()
        self.state = self.serializer.serialize_json(workflow)

    def complete(self, agency: str, data: dict) -> str:
        """Deserialize, complete the agency's ready task, run on, serialize; return the status."""
        workflow = self.serializer.deserialize_json(self.state)
        workflow.script_engine = self.script_engine
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        task = only([t for t in ready if self._agency(t) == agency], f"ready task of {agency}")
        task.data.update(self._landed(task, copy.deepcopy(data)))
        task.run()
        workflow.do_engine_steps()
        self.state = self.serializer.serialize_json(workflow)
        return "completed" if workflow.completed else "running"

    def _landed(self, task, data: dict) -> dict:
        """Put the answer where its form writes it, as the service does (a reply lands in ``reply``)."""
        writes = self.writes.get(task.task_spec.extensions["properties"].get("form"))
        return {writes: data} if isinstance(writes, str) else data

    def _agency(self, task) -> str:
        """Evaluate the task's ``agency`` property, as the service does to route it."""
        expression = task.task_spec.extensions["properties"]["agency"]
        return self.script_engine.evaluate(task, expression)

    def close(self) -> None:
        """Release nothing: the workflow lives in memory."""


class RawSplit(RawSpiff):
    """Mode a′: raw SpiffWorkflow with the spec kept out of the blob, as dunghan stores state.

    The spec objects are parsed once and shared by every restore; each step still
    deserializes the task tree from JSON and serializes it again, with the default engine.
    """

    mode, label = "a′", "raw SpiffWorkflow, split state"

    def __init__(self):
        super().__init__()
        self.compiled = codec.CompiledSpec(self.spec, self.subprocess_specs)

    def start(self) -> None:
        """Create a workflow, seed who leads, run it to the draft and store its state."""
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data.update(lead_agency=LEAD, provincial_office=PROVINCIAL_OFFICE)
        workflow.do_engine_steps()
        self.state = codec.dump_state(workflow)

    def complete(self, agency: str, data: dict) -> str:
        """Restore from state and cached specs, complete the agency's task, store the state."""
        workflow = codec.load_state(self.state, self.compiled, self.script_engine)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        task = only([t for t in ready if self._agency(t) == agency], f"ready task of {agency}")
        task.data.update(self._landed(task, copy.deepcopy(data)))
        task.run()
        workflow.do_engine_steps()
        self.state = codec.dump_state(workflow)
        return "completed" if workflow.completed else "running"


class UseCases:
    """Mode b: the use cases of engine.services on a fresh SQLite file, without HTTP."""

    mode, label = "b", "use cases, SQLite file"

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="dunghan-bench-")
        url = f"sqlite:///{Path(self.tmp.name) / 'bench.db'}"
        upgrade(url)
        self.uow, self.clock = UnitOfWorkFactory(url), SystemClock()
        directory.seed_agencies(self.uow(), demo_agencies())
        services.load_process_directory(self.uow(), self.clock, PROCESSES)
        self.principals = {code: Principal(f"bench:{code}", code, Role.OFFICER)
                           for code in (LEAD, *CONSULTED)}
        self.instance_id = ""
        self.counter = StatementCounter(self.uow.engine)
        self.completions = Completions(self.counter)

    def start(self) -> None:
        """Start a consultation led by the lead agency."""
        view = services.start_instance(self.uow(), self.clock, self.principals[LEAD],
                                       PROCESS_ID, {})
        self.instance_id = view["id"]

    def complete(self, agency: str, data: dict) -> str:
        """Find the agency's open task through its inbox, complete it; return the status."""
        principal = self.principals[agency]
        query = TaskQuery(state="open", instance_id=self.instance_id)
        tasks, _ = services.list_tasks(self.uow.reader(), principal, query)
        task = only(tasks, f"open task of {agency}")
        view = self.completions.time(lambda: services.complete_task(
            self.uow(), self.clock, principal, task["id"], data))
        return view["instance_status"]

    def close(self) -> None:
        """Close the database and delete its directory."""
        self.counter.close()
        self.uow.engine.dispose()
        self.tmp.cleanup()


def ensure_database(url: str) -> None:
    """Create the benchmark's own database if it is missing, so `make bench` works anywhere."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def reset_postgres(url: str) -> None:
    """Empty the database's public schema; raise sa.exc.DBAPIError if it is unreachable."""
    ensure_database(url)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


def prepare_postgres(url: str) -> dict[str, str]:
    """Reset, migrate and seed the database; return an officer token per acting agency."""
    reset_postgres(url)
    upgrade(url)
    uow, clock = UnitOfWorkFactory(url), SystemClock()
    try:
        directory.seed_agencies(uow(), demo_agencies())
        return {code: directory.issue_token(uow(), clock, code, Role.OFFICER, "bench")
                for code in (LEAD, *CONSULTED)}
    finally:
        uow.engine.dispose()


class HttpApi:
    """Mode c: the REST API on PostgreSQL, served by waitress in a thread on a loopback port."""

    mode, label = "c", "HTTP API, PostgreSQL"

    def __init__(self, url: str):
        self.tokens = prepare_postgres(url)
        self.app = create_app({"DATABASE_URL": url, "PROCESSES_DIR": PROCESSES})
        self.server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=4)
        self.thread = threading.Thread(target=self.server.run, name="bench-http", daemon=True)
        self.thread.start()
        self.http = http.client.HTTPConnection("127.0.0.1", self.server.effective_port, timeout=30)
        self.instance_id = ""
        # The server runs in this process, so its engine's statements can be counted here.
        self.counter = StatementCounter(self.app.extensions["dunghan"].uow.engine)
        self.completions = Completions(self.counter)

    def call(self, method: str, path: str, agency: str, expected: int, body=None) -> dict:
        """Send one request as an agency; fail on any status but the expected one."""
        headers = {"Authorization": f"Bearer {self.tokens[agency]}"}
        if body is not None:
            body, headers["Content-Type"] = json.dumps(body), "application/json"
        self.http.request(method, "/api/v1" + path, body=body, headers=headers)
        response = self.http.getresponse()
        payload = response.read()
        if response.status != expected:
            raise BenchError(f"{method} {path} as {agency}: HTTP {response.status} "
                             f"(expected {expected}): {payload[:500]!r}")
        return json.loads(payload)

    def start(self) -> None:
        """Start a consultation led by the lead agency."""
        self.instance_id = self.call("POST", "/instances", LEAD, 201, {"process_id": PROCESS_ID})["id"]

    def complete(self, agency: str, data: dict) -> str:
        """Find the agency's open task in its inbox, complete it; return the instance status."""
        inbox = self.call("GET", "/tasks?state=open&per_page=200", agency, 200)
        mine = [t for t in inbox["items"] if t["instance_id"] == self.instance_id]
        task = only(mine, f"open task of {agency} in its inbox")
        done = self.completions.time(lambda: self.call(
            "POST", f"/tasks/{task['id']}/complete", agency, 200, {"data": data}))
        return done["instance_status"]

    def close(self) -> None:
        """Stop the server and close every connection."""
        self.counter.close()
        self.http.close()
        self.server.task_dispatcher.shutdown()  # workers finish before the server's trigger closes
        self.server.close()
        self.thread.join(timeout=5)
        self.app.extensions["dunghan"].uow.engine.dispose()


def run_round(driver, step_seconds: dict[str, float], samples: dict[str, list]) -> None:
    """Drive one consultation through its eight steps, noting each step's time by kind."""
    started = time.perf_counter()
    driver.start()
    elapsed = time.perf_counter() - started
    step_seconds["start"] += elapsed
    samples["start"].append(1000 * elapsed)
    status = None
    for kind, agency, data in ROUND:
        started = time.perf_counter()
        status = driver.complete(agency, data)
        elapsed = time.perf_counter() - started
        step_seconds[kind] += elapsed
        samples[kind].append(1000 * elapsed)
    if status != "completed":
        raise BenchError(f"mode {driver.mode}: the round ended '{status}', not 'completed'")


def measure(makers: list, rounds: int) -> list[Result]:
    """Set every mode's driver up, warm each up with one round, then time them interleaved.

    Round n of every mode runs before round n+1 of any, so a machine shared with other work
    slows every mode alike and the ratios stay meaningful even when absolute times swing.
    """
    drivers = []
    try:
        for make in makers:
            drivers.append(make())
        results = [Result(d.mode, d.label, rounds) for d in drivers]
        for driver in drivers:
            run_round(driver, dict.fromkeys(STEP_KINDS, 0.0), {k: [] for k in STEP_KINDS})
            if getattr(driver, "completions", None):
                driver.completions.reset()
        gc.collect()  # start the timing from a clean heap
        for _ in range(rounds):
            for driver, result in zip(drivers, results, strict=True):
                started, cpu = time.perf_counter(), time.process_time()
                run_round(driver, result.step_seconds, result.step_samples)
                result.seconds += time.perf_counter() - started
                result.cpu_seconds += time.process_time() - cpu
        for driver, result in zip(drivers, results, strict=True):
            if getattr(driver, "completions", None):
                result.completion_ms = driver.completions.ms
                result.statements = driver.completions.statements
                result.compilations = driver.completions.compilations
        rss = rss_mb()
        for result in results:
            result.rss_mb = rss
        return results
    finally:
        for driver in drivers:
            driver.close()


def http_maker(url: str):
    """Return how to make mode c's driver, or a skipped Result when PostgreSQL is unreachable."""
    try:
        reset_postgres(url)
    except sa.exc.DBAPIError as err:
        reason = str(err.orig or err).strip().splitlines()[0]
        return Result("c", HttpApi.label, skipped=f"PostgreSQL unreachable ({reason})")
    return lambda: HttpApi(url)


def print_report(results: list[Result], rounds: int, pg_url: str) -> None:
    """Print throughput, per-step latency, statements, memory and the ratios to a and a′."""
    print(f"Consultation round = start, draft, {len(CONSULTED)} replies, synthesis "
          f"({STEPS_PER_ROUND} steps); {rounds} timed rounds per mode after 1 warm-up round.")
    print(f"Mode c database: {pg_url}; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("Modes run interleaved, round by round. CPU s = this process's CPU time (for c: "
          "client and server threads, not PostgreSQL).")
    print(f"{'mode':<36}{'rounds':>7}{'seconds':>9}{'rounds/s':>10}{'CPU s':>8}{'RSS MB':>8}")
    for r in results:
        name = f"{r.mode:<3}{r.label}"
        if r.skipped:
            print(f"{name:<36}  skipped: {r.skipped}")
        else:
            print(f"{name:<36}{r.rounds:>7}{r.seconds:>9.2f}{r.rate:>10.1f}"
                  f"{r.cpu_seconds:>8.2f}{r.rss_mb:>8.0f}")
    measured = [r for r in results if not r.skipped]
    print("\nLatency per step, ms: mean / p50 / p99 (a step of b and c includes the inbox read)")
    print(f"{'mode':<5}" + "".join(f"{k:>20}" for k in (*STEP_KINDS, "any step")))
    for r in measured:
        cells = [f"{r.step_ms(k):.1f} / {r.step_pct(k, 50):.1f} / {r.step_pct(k, 99):.1f}"
                 for k in (*STEP_KINDS, None)]
        print(f"{r.mode:<5}" + "".join(f"{c:>20}" for c in cells))
    print("\nThe completion call alone (b: complete_task; c: POST /tasks/{id}/complete)")
    for r in (r for r in measured if r.completion_ms):
        stmts = statistics.mean(r.statements) if r.statements else float("nan")
        compiled = statistics.mean(r.compilations) if r.compilations else float("nan")
        print(f"{r.mode:<5} p50 {percentile(r.completion_ms, 50):6.2f} ms   "
              f"p99 {percentile(r.completion_ms, 99):6.2f} ms   "
              f"{stmts:5.1f} SQL statements and {compiled:4.2f} compilations per completion")
    print_ratios(results)


def print_ratios(results: list[Result]) -> None:
    """Print each mode's ratio to a and to a′, and whether the targets are met; never fail."""
    by_mode = {r.mode: r for r in results}
    bases = [m for m in ("a", "a′") if m in by_mode]
    print()
    for m, r in by_mode.items():
        if m in ("a",) or r.skipped:
            continue
        print(f"{m:<3}" + "   ".join(f"{m}/{b} = {r.rate / by_mode[b].rate:.3f}"
                                     for b in bases if b != m)
              + "   (CPU time: " + ", ".join(
                  f"{m}/{b} = {by_mode[b].cpu_seconds / r.cpu_seconds:.3f}"
                  for b in bases if b != m) + ")")
    c = by_mode.get("c")
    if c is None or c.skipped:
        print(f"Target c/a >= {TARGET_C_OVER_A}: not measured (mode c skipped)")
        return
    c_over_a = c.rate / by_mode["a"].rate
    print(f"Target c/a >= {TARGET_C_OVER_A}: {'met' if c_over_a >= TARGET_C_OVER_A else 'NOT met'}"
          f" ({c_over_a:.3f})")
    p50, p99 = percentile(c.completion_ms, 50), percentile(c.completion_ms, 99)
    met = p50 <= TARGET_COMPLETION_P50_MS and p99 <= TARGET_COMPLETION_P99_MS
    print(f"Target completion over HTTP p50 <= {TARGET_COMPLETION_P50_MS:g} ms, p99 <= "
          f"{TARGET_COMPLETION_P99_MS:g} ms: {'met' if met else 'NOT met'} "
          f"(p50 {p50:.2f}, p99 {p99:.2f})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds per mode (30)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DUNGHAN_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="database for mode c; its public schema is DROPPED (env DUNGHAN_BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--repeat", type=int, default=2,
                        help="measure every mode this many times, each run reported (2)")
    parser.add_argument("--modes", default="a,a′,b,c",
                        help="modes to measure, comma-separated (a,a′,b,c); a is always run")
    parser.add_argument("--require-postgres", action="store_true",
                        help="fail instead of skipping mode c when PostgreSQL is unreachable")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.repeat < 1:
        parser.error("--rounds and --repeat must be at least 1")
    args.modes = {"a", *(m.strip().replace("'", "′") for m in args.modes.split(","))}
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure the modes --repeat times and print a report per run; return the exit status."""
    args = parse_args(argv)
    shown_url = sa.make_url(args.postgres_url).render_as_string(hide_password=True)
    drivers = {"a": RawSpiff, "a′": RawSplit, "b": UseCases}
    skipped = None
    for run in range(1, args.repeat + 1):
        makers = [drivers[m] for m in drivers if m in args.modes]
        c = http_maker(args.postgres_url) if "c" in args.modes else None
        if isinstance(c, Result):
            skipped = c.skipped
        elif c is not None:
            makers.append(c)
        results = measure(makers, args.rounds) + ([c] if isinstance(c, Result) else [])
        print(f"=== run {run} of {args.repeat} ===")
        print_report(results, args.rounds, shown_url)
        print()
    if skipped:
        print(f"Mode c was skipped: {skipped}.")
        if args.require_postgres:
            print("--require-postgres was given: failing.", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
