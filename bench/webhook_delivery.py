"""Time webhook delivery, and show that it adds nothing to the request that completes a task.

Two measurements, each on a fresh database (a temporary SQLite file unless --database-url):

1. **Throughput.** N test pings are queued for one subscription whose target is a threaded
   HTTP receiver on loopback; one Worker posts them (signed, over real HTTP, each attempt
   logged) and the run reports deliveries per second.
2. **Task completion latency.** The same consultation rounds (start, the lead's request, five
   replies, the synthesis) run through the use cases, timing every ``complete_task`` call,
   four ways: (off) nobody subscribes, so no relay job is ever queued; (queued) all six
   agencies subscribe, so every event also queues a relay job in the same transaction, but
   no worker runs; (thread) as queued, with a worker thread relaying and posting to an
   in-process receiver while the rounds run, as ``dunghan serve`` embeds it; (process) the
   worker and the receiver run in another process, as ``dunghan worker`` does.
   ``queued - off`` is what the relay costs inside the transaction; ``process - queued`` is
   what a busy delivery worker costs the request, whose target is zero: delivery is never
   in the request path. ``thread - queued`` adds the sharing of one interpreter (the GIL)
   and, on SQLite, of one write lock.

``--database-url`` pointing at PostgreSQL **drops its public schema** first; give it a
database of its own.
"""

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import directory, services  # noqa: E402
from engine.clock import SystemClock  # noqa: E402
from engine.identity import Principal, Role  # noqa: E402
from engine.store.migrate import upgrade  # noqa: E402
from engine.store.repositories import TaskQuery  # noqa: E402
from engine.store.uow import UnitOfWorkFactory  # noqa: E402
from engine.worker import Worker  # noqa: E402
from webhooks import handlers as webhook_handlers  # noqa: E402
from webhooks import payloads, subscriptions  # noqa: E402
from webhooks.config import WebhookConfig  # noqa: E402
from webhooks.crypto import SecretBox  # noqa: E402
from webhooks.relay import enqueue  # noqa: E402
from webhooks.tables import DeliveryStatus, deliveries  # noqa: E402
from webhooks.targets import TargetPolicy  # noqa: E402

PROCESSES = ROOT / "processes"
PROCESS_ID = "lay_y_kien_phoi_hop"
LEAD, CONSULTED = "STP", ("SXD", "STC", "SNNMT", "SYT", "SKHCN")
REQUEST = {
    "title": "Dự thảo Quyết định quy định quản lý cây xanh đô thị",
    "summary": "Lấy ý kiến các sở về dự thảo quy định quản lý cây xanh đô thị trên địa bàn tỉnh.",
    "consulted_agencies": list(CONSULTED), "reply_days": 5, "silence_is_consent": True,
    "concern_reasons": [f"{c}: cơ quan quản lý nhà nước về lĩnh vực của dự thảo" for c in CONSULTED],
}
REASONS = "Đề nghị bổ sung trách nhiệm duy tu cây xanh của UBND cấp xã tại Điều 7 vì chưa rõ ai chăm sóc cây"
STEPS = [(LEAD, REQUEST),
         *((a, {"position": "agree_with_amendments", "reasons": REASONS}) for a in CONSULTED),
         (LEAD, {"synthesis": "Đã tiếp thu ý kiến các sở về trách nhiệm duy tu tại Điều 7."})]


class Receiver:
    """Count POSTs on a loopback port and answer 204 at once."""

    def __init__(self):
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.count += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                """Keep the benchmark output readable."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Province:
    """A fresh, migrated and seeded database with the shipped processes, and its principals."""

    @classmethod
    def attach(cls, url: str) -> "Province":
        """Open an existing province's database, e.g. for a worker, without resetting it."""
        province = cls.__new__(cls)
        province.tmp, province.clock = None, SystemClock()
        province.uow, province.config = UnitOfWorkFactory(url), _config()
        return province

    def __init__(self, url: str | None):
        self.tmp = None
        if url is None:
            self.tmp = tempfile.TemporaryDirectory(prefix="dunghan-bench-webhooks-")
            url = f"sqlite:///{Path(self.tmp.name) / 'bench.db'}"
        else:
            _reset_postgres(url)
        upgrade(url)
        self.uow, self.clock = UnitOfWorkFactory(url), SystemClock()
        agencies = json.loads((ROOT / "config" / "demo_province.json").read_text("utf-8"))
        directory.seed_agencies(self.uow(), agencies["agencies"])
        services.load_process_directory(self.uow(), self.clock, PROCESSES)
        self.config = _config()
        self.principals = {c: Principal(f"bench:{c}", c, Role.OFFICER) for c in (LEAD, *CONSULTED)}

    def subscribe(self, agency: str, url: str) -> str:
        created = subscriptions.create_subscription(self.uow(), self.clock, self.principals[agency],
                                                    self.config, url, [])
        return created["id"]

    def worker(self) -> Worker:
        handlers = webhook_handlers.handlers(self.uow, self.config)
        return Worker(self.uow, self.clock, handlers, "bench-worker", batch=100)

    def close(self) -> None:
        self.uow.engine.dispose()
        if self.tmp:
            self.tmp.cleanup()


def _config() -> WebhookConfig:
    return WebhookConfig(SecretBox("bench key"), TargetPolicy(["127.0.0.1"]),
                         "http://127.0.0.1:8000")


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def throughput(url: str | None, count: int) -> None:
    """Queue ``count`` pings and time one worker posting them all to the receiver."""
    province, receiver = Province(url), Receiver()
    try:
        sub = province.subscribe(LEAD, receiver.url)
        now = province.clock.now()
        with province.uow() as uow:
            for _ in range(count):
                enqueue(uow, sub, payloads.PING_TYPE, payloads.ping_body(sub, LEAD, now), now, now)
            uow.commit()
        worker, started = province.worker(), time.perf_counter()
        while worker.run_once():
            pass
        elapsed = time.perf_counter() - started
        with province.uow() as uow:
            rows = uow.conn.execute(sa.select(deliveries.c.status, deliveries.c.last_latency_ms))
            rows = rows.all()
        delivered = [ms for status, ms in rows if status == DeliveryStatus.DELIVERED]
        print(f"throughput: {len(delivered)}/{count} delivered in {elapsed:.2f} s = "
              f"{len(delivered) / elapsed:.0f} deliveries/s with one worker; "
              f"POST latency median {statistics.median(delivered):.2f} ms "
              f"(receiver counted {receiver.count})")
    finally:
        receiver.close()
        province.close()


def completion_latency(url: str | None, rounds: int, mode: str, quiet: bool = False) -> float:
    """Run consultation rounds through the use cases; return the median completion seconds."""
    province = Province(url)
    worker = {"thread": InProcessWorker, "process": OtherProcessWorker}.get(mode, NoWorker)(
        province.uow.url)
    try:
        if mode != "off":
            for agency in (LEAD, *CONSULTED):
                province.subscribe(agency, worker.receiver_url)
        worker.start()
        _round(province, [])  # warm-up: spec cache, connections
        timings: list[float] = []
        for _ in range(rounds):
            _round(province, timings)
        received = worker.stop()
        if not quiet:
            print(f"  {mode:<8} median {statistics.median(timings) * 1000:6.2f} ms, "
                  f"p95 {_p95(timings) * 1000:6.2f} ms over {len(timings)} completions; "
                  f"webhooks received meanwhile: {received}")
        return statistics.median(timings)
    finally:
        province.close()


class NoWorker:
    """Nobody delivers; subscriptions point at a port that is never called."""

    receiver_url = "http://127.0.0.1:9/hook"

    def __init__(self, url: str):
        self.url = url

    def start(self) -> None:
        """Start nothing."""

    def stop(self) -> int:
        return 0


class InProcessWorker(NoWorker):
    """A worker thread and the receiver in this process, as ``dunghan serve`` runs it."""

    def __init__(self, url: str):
        super().__init__(url)
        self.receiver, self.halt = Receiver(), threading.Event()
        self.receiver_url = self.receiver.url

    def start(self) -> None:
        province = Province.attach(self.url)
        self.thread = threading.Thread(target=province.worker().run_forever, args=(self.halt, 0.01))
        self.thread.start()

    def stop(self) -> int:
        self.halt.set()
        self.thread.join()
        self.receiver.close()
        return self.receiver.count


class OtherProcessWorker(NoWorker):
    """A worker and the receiver in a child process, as ``dunghan worker`` runs it."""

    def __init__(self, url: str):
        super().__init__(url)
        context = multiprocessing.get_context("spawn")
        self.halt, self.queue = context.Event(), context.Queue()
        self.child = context.Process(target=_serve_and_deliver, args=(url, self.halt, self.queue))
        self.child.start()
        self.receiver_url = self.queue.get(timeout=60)

    def stop(self) -> int:
        self.halt.set()
        received = self.queue.get(timeout=60)
        self.child.join()
        return received


def _serve_and_deliver(url: str, halt, queue) -> None:
    """Run in the child: receive webhooks and deliver them until told to stop."""
    receiver = Receiver()
    queue.put(receiver.url)
    province = Province.attach(url)
    province.worker().run_forever(halt, 0.01)
    receiver.close()
    queue.put(receiver.count)


def _round(province: Province, timings: list[float]) -> None:
    lead = province.principals[LEAD]
    view = services.start_instance(province.uow(), province.clock, lead, PROCESS_ID, {})
    for agency, data in STEPS:
        principal = province.principals[agency]
        query = TaskQuery(state="open", instance_id=view["id"])
        [task] = [t for t in services.list_tasks(province.uow(), principal, query)[0]
                  if t["agency"] == agency]
        started = time.perf_counter()
        services.complete_task(province.uow(), province.clock, principal, task["id"], data)
        timings.append(time.perf_counter() - started)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL to use instead of a temporary "
                        "SQLite file; its public schema is DROPPED first")
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite file"
    print(f"dunghan webhooks benchmark on {backend}")
    throughput(args.database_url, args.deliveries)
    print("task completion latency through the use cases:")
    completion_latency(args.database_url, 3, "off", quiet=True)  # warm the interpreter up
    medians = {mode: completion_latency(args.database_url, args.rounds, mode)
               for mode in ("off", "queued", "thread", "process")}

    def delta(a: str, b: str) -> str:
        return f"{(medians[a] - medians[b]) * 1000:+.2f} ms"

    print(f"relay job in the transaction (queued - off):   {delta('queued', 'off')} per completion")
    print(f"worker in another process (process - queued): {delta('process', 'queued')} "
          "per completion (target 0)")
    print(f"worker thread in-process (thread - queued):   {delta('thread', 'queued')} "
          "per completion (one GIL; on SQLite also one writer)")


if __name__ == "__main__":
    main()
