"""The production topology on this machine: 2 gunicorn web processes and 2 workers on PostgreSQL.

Set up as deploy/ does it (migrate and load processes as separate steps, configuration only
through the environment), then driven for a bounded time by agencies' clients: consultations
from start to synthesis, one-stop dossiers from the desk to the returned result, short BPMN
timers the workers must fire, and webhooks to a loopback receiver. Afterwards: no 5xx, every
consultation completed with each task completed exactly once, every dossier returned through
each status exactly once, every due timer fired once, every webhook delivered exactly once,
and every process stops cleanly on SIGTERM. DUNGHAN_TOPOLOGY_SECONDS sets the load's length (default 30).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from engine import directory
from engine.clock import SystemClock
from engine.identity import Role
from engine.store.uow import UnitOfWorkFactory
from tests import dossier_flows, flows
from tests.conftest import AGENCIES, _truncate
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOAD_SECONDS = float(os.environ.get("DUNGHAN_TOPOLOGY_SECONDS", "30"))
TIMER_SECONDS = 2
CONSULTED = ("SXD", "STC")
PERMIT = "1.009972"  # construction permit: desk TTPVHCC, handled by Sở Xây dựng

TIMER_PROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="hen_gio_thu" name="Hẹn giờ thử" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan chủ trì">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="timer"><bpmn:timeDuration>PT{TIMER_SECONDS}S</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


class Answer:
    """The parts of an HTTP answer that tests/flows.py reads, as Flask's test client has them."""

    def __init__(self, response: requests.Response):
        self.status_code = response.status_code
        is_json = "json" in response.headers.get("Content-Type", "")
        self.json = response.json() if is_json and response.content else None


class HttpApi:
    """Call the live API as one agency client; record every status code."""

    statuses: Counter = Counter()
    lock = threading.Lock()

    def __init__(self, base: str, tokens: dict[str, str]):
        self.base, self.tokens, self.session = base, tokens, requests.Session()

    def __call__(self, method: str, path: str, as_: str | None = None, **kwargs) -> Answer:
        headers = kwargs.pop("headers", {})
        if as_:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        answer = Answer(self.session.request(method, self.base + path, headers=headers,
                                             timeout=30, **kwargs))
        with self.lock:
            self.statuses[answer.status_code] += 1
        return answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def topology(postgres_migrated, tmp_path):
    """Prepare the database as an operator would, then start 2 web and 2 worker processes."""
    url = postgres_migrated
    _truncate(url)
    port = free_port()
    env = {**os.environ, "DUNGHAN_DATABASE_URL": url, "DUNGHAN_SECRET_KEY": "topology-test-key",
           "DUNGHAN_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "DUNGHAN_LOG_FORMAT": "json",
           "DUNGHAN_BIND": f"127.0.0.1:{port}", "DUNGHAN_WEB_PROCESSES": "2",
           "DUNGHAN_WEB_THREADS": "4", "DUNGHAN_VAR_DIR": str(tmp_path),
           "DUNGHAN_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    for step in ("migrate", "load-processes"):  # the release steps, before any process starts
        done = subprocess.run([BIN / "dunghan", step], env=env, cwd=tmp_path, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
    tokens = seed(UnitOfWorkFactory(url))
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("web", "worker-1", "worker-2")}
    commands = {"web": [BIN / "gunicorn", "-c", "python:service.gunicorn_config", "service.wsgi:app"],
                "worker-1": [BIN / "dunghan", "worker"], "worker-2": [BIN / "dunghan", "worker"]}
    children = {name: subprocess.Popen(command, env=env, cwd=ROOT, stdout=logs[name],
                                       stderr=subprocess.STDOUT)
                for name, command in commands.items()}
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: healthy(base), 60, "the web processes never answered /healthz")
        yield base, tokens, children, tmp_path, url
    finally:  # whatever failed, leave no process behind
        for child in children.values():
            if child.poll() is None:
                child.terminate()  # gunicorn's master takes its workers down with it
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        for log in logs.values():
            log.close()


def seed(factory: UnitOfWorkFactory) -> dict[str, str]:
    directory.seed_agencies(factory(), AGENCIES)
    clock = SystemClock()
    wanted = {("STP", "officer"), ("SXD", "officer"), ("SXD", "head"), ("STC", "officer"),
              ("TTPVHCC", "officer"), ("SKHCN", "designer")}
    tokens = {key: directory.issue_token(factory(), clock, agency, Role(role), key)
              for agency, role in wanted
              for key in [agency if role == "officer" else f"{agency}_{role}"]}
    factory.engine.dispose()
    return tokens


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or its processes are still booting
        return False


def wait_until(condition, seconds: float, failure) -> None:
    """Poll ``condition``; fail with ``failure`` (a text, or a function that writes one)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(failure() if callable(failure) else failure)
        time.sleep(0.25)


def consult(api: HttpApi, until: float, done: list[str]) -> None:
    """Run whole consultations, as the lead and two consulted agencies would, until time is up."""
    while time.monotonic() < until:
        instance_id, _ = flows.start(api, consulted=CONSULTED)
        assert flows.reply(api, "SXD", instance_id, "agree_with_amendments").status_code == 200
        assert flows.reply(api, "STC", instance_id, "agree", "").status_code == 200
        api("GET", "/api/v1/tasks?state=open", "STP")  # the lead looks at its inbox
        synthesis = flows.complete(api, "STP", instance_id,
                                   {"synthesis": "Đã tiếp thu ý kiến của Sở Xây dựng về duy tu."})
        assert synthesis.status_code == 200, synthesis.json
        done.append(instance_id)


def handle_dossiers(api: HttpApi, until: float, done: list[str]) -> None:
    """Take permit dossiers from the desk through Sở Xây dựng back to the desk, until time is up."""
    while time.monotonic() < until:
        code = dossier_flows.receive(api, "TTPVHCC", PERMIT)["code"]
        dossier_flows.step(api, "TTPVHCC", code, "receive", {"decision": "accept"})
        dossier_flows.step(api, "TTPVHCC", code, "hand_over")
        dossier_flows.step(api, "SXD_head", code, "assign", {"assignee": "cv.sxd"})
        dossier_flows.step(api, "SXD", code, "appraise", {"outcome": "propose"})
        dossier_flows.step(api, "SXD_head", code, "sign", {"signed": True})
        view = dossier_flows.step(api, "TTPVHCC", code, "return_result", {"note": "Đã trả giấy phép"})
        assert dossier_flows.statuses(view) == [1, 2, 4, 9, 10], view["history"]  # none doubled
        done.append(view["instance_id"])


def start_timers(api: HttpApi, until: float, started: list[str]) -> None:
    """Start an instance whose BPMN timer falls due a few seconds later, twice a second."""
    while time.monotonic() < until:
        created = api("POST", "/api/v1/instances", "STP", json={"process_id": "hen_gio_thu"})
        assert created.status_code == 201, created.json
        started.append(created.json["id"])
        time.sleep(0.5)


def test_two_web_and_two_worker_processes_serve_a_mixed_load_without_loss(topology):
    base, tokens, children, logs_dir, url = topology
    receiver = Receiver()
    receiver.start()
    admin = HttpApi(base, tokens)
    deployed = admin("POST", "/api/v1/processes", "SKHCN_designer", data=TIMER_PROCESS.encode(),
                     headers={"Content-Type": "application/xml"})
    assert deployed.status_code == 201, deployed.json
    subscribed = admin("POST", "/api/v1/webhooks", "STP", json={
        "url": receiver.url, "event_types": ["instance.completed", "task.completed"]})
    assert subscribed.status_code == 201, subscribed.json
    receiver.secrets.append(subscribed.json["secret"])

    consultations: list[str] = []
    dossiers: list[str] = []
    timed: list[str] = []
    began = time.monotonic()
    until = began + LOAD_SECONDS
    errors: list[BaseException] = []

    def client(work, done):
        try:
            work(HttpApi(base, tokens), until, done)
        except BaseException as err:  # reported by the assertion below, with the others
            errors.append(err)

    clients = [threading.Thread(target=client, args=(consult, consultations)) for _ in range(3)]
    clients.append(threading.Thread(target=client, args=(handle_dossiers, dossiers)))
    clients.append(threading.Thread(target=client, args=(start_timers, timed)))
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.monotonic() - began
    assert not errors, errors

    engine = sa.create_engine(url)
    instance_ids = set(consultations) | set(dossiers) | set(timed)
    # STP leads consultations and timers: one instance.completed each, and a task.completed for
    # each consultation task; dossiers belong to the desk and Sở Xây dựng, not to STP.
    expected_hooks = len(consultations) + len(timed) + len(consultations) * (2 + len(CONSULTED))

    def settled() -> bool:
        with engine.connect() as conn:
            open_ = conn.execute(sa.text("SELECT count(*) FROM instances WHERE status <> 'completed'"))
            return open_.scalar_one() == 0 and len(receiver.requests) >= expected_hooks

    def outstanding() -> str:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT process_id, status, count(*) FROM instances "
                                        "GROUP BY process_id, status")).all()
        return (f"still outstanding 30 s after the load: instances {rows}, "
                f"webhooks {len(receiver.requests)} of {expected_hooks}")

    wait_until(settled, 30, outstanding)
    time.sleep(1)  # a doubled delivery, if any, would arrive now

    with engine.connect() as conn:
        statuses = dict(conn.execute(sa.text(
            "SELECT status, count(*) FROM instances GROUP BY status")).all())
        completions = Counter(conn.execute(sa.text(
            "SELECT instance_id FROM audit_events WHERE type = 'task.completed'")).scalars())
        timers = conn.execute(sa.text(
            "SELECT payload, status, attempts, lag_seconds FROM jobs WHERE kind = 'timer'")).all()
        unfired = conn.execute(sa.text(
            "SELECT count(*) FROM jobs WHERE status = 'pending' AND due_at < now()")).scalar_one()
        failed = conn.execute(sa.text("SELECT count(*) FROM jobs WHERE status = 'failed'")).scalar_one()
    engine.dispose()

    stopped_in = stop_all(children)
    receiver.stop()

    assert not [s for s in HttpApi.statuses if s >= 500], HttpApi.statuses
    assert statuses == {"completed": len(instance_ids)}
    assert all(completions[i] == 2 + len(CONSULTED) for i in consultations)  # draft, replies, synthesis
    assert sorted(json.loads(p)["instance_id"] if isinstance(p, str) else p["instance_id"]
                  for p, *_ in timers) == sorted(timed)  # one timer job per timed instance
    assert all(status == "done" and attempts == 1 for _, status, attempts, _ in timers)
    assert unfired == 0 and failed == 0
    hooks = Counter(r.webhook_id for r in receiver.requests)
    assert set(hooks.values()) == {1}, "a webhook was delivered twice"
    assert all(r.verified_with for r in receiver.requests)
    bodies = [json.loads(r.body) for r in receiver.requests]
    completed = Counter(b["data"]["instance"]["id"] for b in bodies if b["type"] == "instance.completed")
    assert completed == Counter(set(consultations) | set(timed))  # each announced exactly once
    assert len(bodies) == expected_hooks
    assert all(code == 0 for code in stopped_in.values()), stopped_in
    for log in logs_dir.glob("*.log"):
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]

    requests_made = sum(HttpApi.statuses.values())
    lag = max(row[3] for row in timers)
    print(f"\ntopology: {elapsed:.0f} s of load, {requests_made} requests ({requests_made / elapsed:.0f}/s), "
          f"{len(consultations)} consultations, {len(dossiers)} dossiers, {len(timed)} timers "
          f"(max lag {lag:.1f} s), "
          f"{len(bodies)} webhooks; statuses {dict(HttpApi.statuses)}; SIGTERM exits {stopped_in}")


def stop_all(children: dict[str, subprocess.Popen]) -> dict[str, int]:
    """Send SIGTERM to every process at once; return each exit status (-9 if it had to be killed)."""
    for child in children.values():
        child.send_signal(signal.SIGTERM)
    codes = {}
    for name, child in children.items():
        try:
            codes[name] = child.wait(timeout=40)
        except subprocess.TimeoutExpired:
            child.kill()
            codes[name] = -9
    return codes
