"""Agencies learn of their work through signed webhooks, delivered at least once, never inline.

A real receiver on loopback checks every signature with the independent ``standardwebhooks``
library; a real Worker drives relay and delivery on a frozen clock, posting over real HTTP.
"""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import services
from engine.events import TaskAssigned
from engine.retry import RetryPolicy
from engine.store.jobs import JobStatus, jobs
from engine.store.tables import outbox
from engine.worker import Worker
from tests import flows
from tests.conftest import PROCESSES, Api
from tests.webhook_receiver import Receiver
from webhooks import handlers as webhook_handlers
from webhooks.crypto import SECRET_PREFIX
from webhooks.tables import subscriptions

FIVE_TRIES = RetryPolicy(max_attempts=5, base=timedelta(seconds=10), factor=4, jitter=0)
AFTER_ANY_BACKOFF = timedelta(hours=1)


class Hooks:
    """The app, a worker with every handler, and a receiver, as one agency's integrator sees them."""

    def __init__(self, app, tokens, clock, receiver):
        self.app, self.clock, self.receiver = app, clock, receiver
        self.api = Api(app.test_client(), tokens)
        self.rt = app.extensions["dunghan"]
        self.handlers = {**services.handlers(self.rt.rules),
                         **webhook_handlers.handlers(self.rt.uow, app.extensions["webhooks"])}
        self.worker = Worker(self.rt.uow, clock, self.handlers, "test-worker", policy=FIVE_TRIES)

    def subscribe(self, agency: str, **body) -> dict:
        body = {"url": f"{self.receiver.url}?agency={agency}", **body}
        created = self.api("POST", "/api/v1/webhooks", agency, json=body)
        assert created.status_code == 201, created.json
        self.receiver.secrets.append(created.json["secret"])
        return created.json

    def drain(self) -> int:
        """Run the worker until nothing is due now; return how many jobs ran."""
        ran = total = self.worker.run_once()
        while ran:
            ran = self.worker.run_once()
            total += ran
        return total

    def retry_later(self) -> int:
        self.clock.advance(seconds=AFTER_ANY_BACKOFF.total_seconds())
        return self.drain()

    def deliveries(self, agency: str, subscription_id: str, query: str = "") -> list[dict]:
        page = self.api("GET", f"/api/v1/webhooks/{subscription_id}/deliveries{query}", agency)
        assert page.status_code == 200, page.json
        return page.json["items"]

    def ping(self, agency: str, subscription_id: str) -> dict:
        queued = self.api("POST", f"/api/v1/webhooks/{subscription_id}/ping", agency)
        assert queued.status_code == 202, queued.json
        return queued.json


@pytest.fixture
def receiver():
    agency_system = Receiver()
    agency_system.start()
    yield agency_system
    agency_system.stop()


@pytest.fixture
def hooks(uow_factory, clock, tokens, receiver) -> Hooks:
    from service.app import create_app

    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                      "TESTING": True, "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"})
    return Hooks(app, tokens, clock, receiver)


def received_by(receiver: Receiver, agency: str) -> list[dict]:
    return [json.loads(r.body) for r in receiver.requests
            if r.path.endswith(f"agency={agency}")]


def test_task_events_reach_the_task_agency_and_the_lead_signed_as_standard_webhooks(hooks):
    hooks.subscribe("STP")
    hooks.subscribe("SXD", event_types=["task.*"])
    hooks.subscribe("STC")  # consulted in nothing here: hears nothing
    instance_id, view = flows.start(hooks.api, consulted=("SXD",))
    assert hooks.receiver.requests == []  # nothing is sent inside the request
    hooks.drain()

    assert all(r.verified_with for r in hooks.receiver.requests)
    assert len({r.webhook_id for r in hooks.receiver.requests}) == len(hooks.receiver.requests)
    lead = received_by(hooks.receiver, "STP")
    assert [e["type"] for e in lead] == ["instance.started", "task.assigned", "task.completed",
                                         "task.assigned"]
    [assigned] = received_by(hooks.receiver, "SXD")
    reply = flows.open_task(hooks.api, "SXD", instance_id)
    assert assigned["type"] == "task.assigned"
    assert assigned["occurred_at"] == "2026-02-12T02:00:00+00:00"
    data = assigned["data"]
    assert (data["agency"], data["due_at"]) == ("SXD", reply["due_at"])
    assert data["link"] == f"http://127.0.0.1:8000/api/v1/tasks/{reply['id']}"
    assert data["task"]["id"] == reply["id"] and data["instance"]["lead_agency"] == "STP"
    assert received_by(hooks.receiver, "STC") == []


def test_a_rolled_back_completion_sends_nothing(hooks):
    hooks.subscribe("STP")
    hooks.subscribe("SXD")
    instance_id, _ = flows.start(hooks.api, consulted=("SXD",))
    hooks.drain()
    before = len(hooks.receiver.requests)
    with hooks.rt.uow() as uow:
        outbox_rows = uow.conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar()

    refused = flows.reply(hooks.api, "SXD", instance_id, "disagree", "Không đồng ý")
    assert refused.status_code == 422
    assert hooks.drain() == 0
    assert len(hooks.receiver.requests) == before
    with hooks.rt.uow() as uow:
        assert uow.conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar() == outbox_rows


def test_an_event_whose_transaction_rolls_back_is_never_relayed(hooks):
    hooks.subscribe("STP")
    for commit in (False, True):
        with hooks.rt.uow() as uow:
            uow.journal.record(TaskAssigned(f"instance-{commit}", hooks.clock.now(), "test",
                                            f"task-{commit}", "draft", "Soạn", "STP"))
            if commit:
                uow.commit()
    hooks.drain()
    [delivered] = [json.loads(r.body) for r in hooks.receiver.requests]
    assert delivered["data"]["detail"]["task_id"] == "task-True"


def test_an_agency_that_was_down_gets_the_event_later_with_the_same_webhook_id(hooks):
    sub = hooks.subscribe("STP", event_types=["instance.started"])
    hooks.receiver.stop()
    flows.start(hooks.api, consulted=("SXD",))
    hooks.drain()
    [delivery] = hooks.deliveries("STP", sub["id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "retrying", 1, None)
    assert "Connection" in delivery["last_error"]

    hooks.receiver.start()  # back on the same port, but failing once more
    hooks.receiver.script = [503]
    hooks.retry_later()
    hooks.retry_later()
    [delivery] = hooks.deliveries("STP", sub["id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "delivered", 3, 204)
    assert delivery["last_error"] is None and delivery["last_latency_ms"] > 0
    assert [r.webhook_id for r in hooks.receiver.requests] == [delivery["webhook_id"]] * 2
    assert all(r.verified_with for r in hooks.receiver.requests)


def test_five_failures_dead_letter_a_delivery_which_is_redelivered_after_a_fix(hooks):
    sub = hooks.subscribe("STP")
    hooks.receiver.script = [500] * 10
    first, second = hooks.ping("STP", sub["id"]), hooks.ping("STP", sub["id"])
    hooks.drain()
    for _ in range(4):
        hooks.retry_later()
    dead = hooks.deliveries("STP", sub["id"], "?status=dead")
    assert {d["id"] for d in dead} == {first["id"], second["id"]}
    assert {(d["attempts"], d["last_status_code"]) for d in dead} == {(5, 500)}
    assert dead[0]["last_error"].startswith("HTTP 500")
    with hooks.rt.uow() as uow:
        assert {j.key for j in uow.jobs.failed()} == {f"webhook:{first['id']}",
                                                      f"webhook:{second['id']}"}
    assert hooks.retry_later() == 0  # a dead letter waits for a person

    hooks.receiver.script = []  # the agency fixed its endpoint
    one = hooks.api("POST", f"/api/v1/webhooks/{sub['id']}/deliveries/{first['id']}/redeliver",
                    "STP")
    assert one.status_code == 202 and one.json["status"] == "pending"
    hooks.drain()
    rest = hooks.api("POST", f"/api/v1/webhooks/{sub['id']}/deliveries/redeliver", "STP")
    assert rest.json == {"redelivered": 1, "delivery_ids": [second["id"]]}
    hooks.drain()
    settled = {d["id"]: d for d in hooks.deliveries("STP", sub["id"])}
    assert {d["status"] for d in settled.values()} == {"delivered"}
    assert settled[first["id"]]["attempts"] == 6
    ids = [r.webhook_id for r in hooks.receiver.requests]
    assert ids.count(first["webhook_id"]) == 6 and ids.count(second["webhook_id"]) == 6
    again = hooks.api("POST", f"/api/v1/webhooks/{sub['id']}/deliveries/{first['id']}/redeliver",
                      "STP")
    assert again.status_code == 202  # a delivered message can be sent again on request


def test_a_worker_killed_between_post_and_record_makes_the_receiver_see_a_duplicate(hooks):
    sub = hooks.subscribe("STP")
    delivery = hooks.ping("STP", sub["id"])
    lease = timedelta(seconds=60)
    with hooks.rt.uow() as uow:
        [job] = uow.jobs.claim("doomed-worker", hooks.clock.now(), 10, lease)
        uow.commit()
    hooks.handlers["webhook"].perform(job, hooks.clock.now())  # posted; then the worker dies
    assert hooks.drain() == 0  # the dead worker's lease still holds the job

    hooks.clock.advance(seconds=61)
    assert hooks.drain() == 1
    assert [r.webhook_id for r in hooks.receiver.requests] == [delivery["webhook_id"]] * 2
    [logged] = hooks.deliveries("STP", sub["id"])
    assert (logged["status"], logged["attempts"]) == ("delivered", 1)
    with hooks.rt.uow() as uow:
        assert uow.jobs.get(job.key).attempts == 2


def test_410_gone_switches_the_subscription_off(hooks):
    sub = hooks.subscribe("STP")
    hooks.receiver.script = [410]
    hooks.ping("STP", sub["id"])
    hooks.drain()
    shown = hooks.api("GET", f"/api/v1/webhooks/{sub['id']}", "STP").json
    assert shown["active"] is False and "410" in shown["disabled_reason"]
    [delivery] = hooks.deliveries("STP", sub["id"])
    assert (delivery["status"], delivery["last_status_code"]) == ("dead", 410)
    assert hooks.api("POST", f"/api/v1/webhooks/{sub['id']}/ping", "STP").status_code == 409

    flows.start(hooks.api, consulted=("SXD",))
    hooks.drain()
    assert len(hooks.receiver.requests) == 1  # nothing more after 410
    on = hooks.api("PATCH", f"/api/v1/webhooks/{sub['id']}", "STP", json={"active": True})
    assert on.json["active"] is True and on.json["disabled_reason"] is None


def test_secrets_are_shown_once_and_stored_only_encrypted(hooks):
    created = hooks.subscribe("STP", description="Hệ thống văn bản Sở Tư pháp")
    secret = created["secret"]
    assert secret.startswith(SECRET_PREFIX) and len(secret) > 40
    listed = hooks.api("GET", "/api/v1/webhooks", "STP").json
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in hooks.api("GET", f"/api/v1/webhooks/{created['id']}", "STP").json
    with hooks.rt.uow() as uow:
        stored = uow.conn.execute(sa.select(subscriptions)).mappings().one()
    columns = json.dumps({k: str(v) for k, v in stored.items()})
    assert secret not in columns and secret.removeprefix(SECRET_PREFIX) not in columns
    assert hooks.app.extensions["webhooks"].box.open(stored["secret_ciphertext"]) == secret


def test_another_agencys_subscription_answers_403(hooks):
    sub = hooks.subscribe("STP")
    for method, path in [("GET", ""), ("DELETE", ""), ("POST", "/ping"),
                         ("GET", "/deliveries"), ("POST", "/rotate-secret")]:
        response = hooks.api(method, f"/api/v1/webhooks/{sub['id']}{path}", "SXD", json={})
        assert response.status_code == 403, (method, path)
    assert hooks.api("GET", "/api/v1/webhooks", "SXD").json == []
    assert hooks.api("DELETE", f"/api/v1/webhooks/{sub['id']}", "STP").status_code == 204
    assert hooks.api("GET", f"/api/v1/webhooks/{sub['id']}", "STP").status_code == 404


def test_rotation_signs_with_both_secrets_during_the_grace_period_only(hooks):
    sub = hooks.subscribe("STP")
    old = sub["secret"]
    rotated = hooks.api("POST", f"/api/v1/webhooks/{sub['id']}/rotate-secret", "STP", json={})
    assert rotated.status_code == 200
    new = rotated.json["secret"]
    assert new != old and rotated.json["previous_secret_valid_until"] == "2026-02-13T02:00:00+00:00"
    hooks.receiver.secrets = [old, new]
    hooks.ping("STP", sub["id"])
    hooks.drain()
    during = hooks.receiver.requests[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verified_with == [old, new]

    hooks.clock.advance(hours=24, seconds=1)
    hooks.ping("STP", sub["id"])
    hooks.drain()
    after = hooks.receiver.requests[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert after.verified_with == [new]


@pytest.mark.parametrize("url", [
    "https://10.1.2.3/hook", "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hook", "https://localhost/hook", "https://192.168.1.20:8443/hook",
    "http://vanban.example.gov.vn/hook", "ftp://example.org/x", "https://user:pw@example.org/",
])
def test_targets_on_private_networks_or_without_https_are_refused(api, url):
    refused = api("POST", "/api/v1/webhooks", "STP", json={"url": url})
    assert refused.status_code == 422, refused.json
    assert refused.json["errors"]["url"]


def test_an_allow_listed_loopback_target_is_accepted_but_not_elsewhere(api, hooks):
    url = {"url": f"{hooks.receiver.url}"}
    assert api("POST", "/api/v1/webhooks", "STP", json=url).status_code == 422
    assert hooks.api("POST", "/api/v1/webhooks", "STP", json=url).status_code == 201


def test_an_event_filter_must_name_types_or_prefixes(hooks):
    bad = hooks.api("POST", "/api/v1/webhooks", "STP",
                    json={"url": hooks.receiver.url, "event_types": ["task", "Task.Assigned"]})
    assert bad.status_code == 422 and "event_types" in bad.json["errors"]


def test_the_openapi_document_describes_every_event_type(api):
    spec = api("GET", "/api/v1/openapi.json").json
    for event_type in ["task.assigned", "task.completed", "task.reminded", "task.overdue",
                       "task.escalated", "reply.deemed_agreed", "instance.started",
                       "instance.completed", "instance.cancelled", "webhook.ping"]:
        body = spec["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]
        name = body["schema"]["$ref"].rsplit("/", 1)[1]
        assert spec["components"]["schemas"][name]["properties"]["type"]["enum"] == [event_type]
    assert "/api/v1/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver" in spec["paths"]
    assert "/api/v1/messages/{name}" in spec["paths"]


def test_relay_jobs_are_queued_only_once_someone_subscribes(hooks):
    flows.start(hooks.api, consulted=("SXD",))
    with hooks.rt.uow() as uow:
        kinds = set(uow.conn.execute(sa.select(jobs.c.kind)).scalars())
    assert "relay" not in kinds  # no subscriber, no extra work per event
    hooks.subscribe("STP")
    flows.start(hooks.api, consulted=("SXD",))
    hooks.drain()
    with hooks.rt.uow() as uow:
        relays = uow.conn.execute(sa.select(jobs.c.status).where(jobs.c.kind == "relay"))
        assert set(relays.scalars()) == {JobStatus.DONE}
