"""An agency's own system moves a waiting case forward with a signed BPMN message, exactly once."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from tests.conftest import PROCESSES, Api

WAITING_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:message id="msg_kq" name="ket_qua_tham_dinh" />
  <bpmn:process id="cho_ket_qua" name="Chờ kết quả thẩm định" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan">
      <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>appraise</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:intermediateCatchEvent id="wait" name="Chờ kết quả từ hệ thống của Sở">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition id="med" messageRef="msg_kq"><bpmn:extensionElements>
        <spiffworkflow:messageVariable>ket_qua</spiffworkflow:messageVariable>
      </bpmn:extensionElements></bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="review" name="Xem kết quả"><bpmn:extensionElements>
      <spiffworkflow:properties><spiffworkflow:property name="agency" value="lead_agency" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="appraise" name="Thẩm định"><bpmn:extensionElements>
      <spiffworkflow:properties><spiffworkflow:property name="agency" value="expert_agency" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="done"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="appraise" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="review" />
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="appraise" targetRef="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>""".encode()
MESSAGE = "ket_qua_tham_dinh"
RESULT = {"ket_luan": "dat", "so_van_ban": "123/SXD-QLXD"}


class Sender:
    """Sign and send messages the way an agency's system would, with its own secret."""

    def __init__(self, api: Api, agency: str, secret: str):
        self.api, self.agency, self.secret = api, agency, secret

    def send(self, instance_id: str, payload=None, webhook_id: str | None = None,
             sent_at: datetime | None = None, secret: str | None = None, name: str = MESSAGE):
        body = json.dumps({"correlation_key": instance_id, "payload": payload or RESULT})
        webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
        sent_at = sent_at or datetime.now(UTC)
        headers = {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Webhook(secret or self.secret).sign(webhook_id, sent_at, body),
            "Content-Type": "application/json",
        }
        return self.api("POST", f"/api/v1/messages/{name}", self.agency, data=body, headers=headers)


@pytest.fixture
def hook_api(uow_factory, clock, tokens) -> Api:
    from service.app import create_app

    app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "PROCESSES_DIR": PROCESSES,
                      "TESTING": True, "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"})
    api = Api(app.test_client(), tokens)
    deployed = api("POST", "/api/v1/processes", "SKHCN_designer", data=WAITING_PROCESS,
                   headers={"Content-Type": "application/xml"})
    assert deployed.status_code == 201, deployed.json
    return api


def sender(api: Api, agency: str) -> Sender:
    created = api("POST", "/api/v1/webhooks", agency, json={"url": "http://127.0.0.1:9/hook"})
    assert created.status_code == 201, created.json
    return Sender(api, agency, created.json["secret"])


def waiting_instance(api: Api) -> str:
    started = api("POST", "/api/v1/instances", "STP",
                  json={"process_id": "cho_ket_qua", "variables": {"expert_agency": "SXD"}})
    assert started.status_code == 201, started.json
    return started.json["id"]


def state(api: Api, instance_id: str) -> tuple[list[str], dict, list[str]]:
    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    history = [h["type"] for h in view["history"]]
    return sorted(t["bpmn_id"] for t in view["open_tasks"]), view["variables"], history


def test_a_signed_message_completes_the_waiting_step(hook_api):
    instance_id = waiting_instance(hook_api)
    answer = sender(hook_api, "STP").send(instance_id)
    assert answer.status_code == 202, answer.json
    assert answer.json["status"] == "delivered" and answer.json["waiting_messages"] == []
    tasks, variables, history = state(hook_api, instance_id)
    assert tasks == ["appraise", "review"]
    assert variables["ket_qua"] == RESULT
    assert history.count("instance.message_received") == 1


def test_an_agency_with_an_open_task_may_send_and_a_stranger_may_not(hook_api):
    instance_id = waiting_instance(hook_api)
    assert sender(hook_api, "STC").send(instance_id).status_code == 403
    assert state(hook_api, instance_id)[0] == ["appraise"]
    assert sender(hook_api, "SXD").send(instance_id).status_code == 202
    assert state(hook_api, instance_id)[0] == ["appraise", "review"]


def test_a_replay_answers_202_again_without_applying_twice(hook_api):
    instance_id = waiting_instance(hook_api)
    stp = sender(hook_api, "STP")
    first = stp.send(instance_id, webhook_id="msg_dms_0001")
    replay = stp.send(instance_id, webhook_id="msg_dms_0001")
    assert (first.status_code, replay.status_code) == (202, 202)
    assert replay.json["status"] == "duplicate"
    assert state(hook_api, instance_id)[2].count("instance.message_received") == 1


def test_a_replay_with_another_body_is_refused(hook_api):
    instance_id = waiting_instance(hook_api)
    stp = sender(hook_api, "STP")
    assert stp.send(instance_id, webhook_id="msg_dms_0002").status_code == 202
    changed = stp.send(instance_id, payload={"ket_luan": "khong_dat"}, webhook_id="msg_dms_0002")
    assert changed.status_code == 409
    assert state(hook_api, instance_id)[1]["ket_qua"] == RESULT


@pytest.mark.parametrize("forgery", ["other_secret", "stale", "future", "no_signature"])
def test_a_bad_or_stale_signature_is_refused_and_the_instance_untouched(hook_api, forgery):
    instance_id = waiting_instance(hook_api)
    stp = sender(hook_api, "STP")
    stranger = sender(hook_api, "STC").secret
    now = datetime.now(UTC)
    if forgery == "no_signature":
        answer = hook_api("POST", f"/api/v1/messages/{MESSAGE}", "STP",
                          json={"correlation_key": instance_id, "payload": RESULT})
    else:
        answer = stp.send(instance_id, secret=stranger if forgery == "other_secret" else None,
                          sent_at={"stale": now - timedelta(minutes=6),
                                   "future": now + timedelta(minutes=6)}.get(forgery))
    assert answer.status_code == 401, answer.json
    assert answer.headers["Content-Type"] == "application/problem+json"
    tasks, variables, history = state(hook_api, instance_id)
    assert tasks == ["appraise"] and "ket_qua" not in variables
    assert "instance.message_received" not in history
    assert stp.send(instance_id).status_code == 202  # the genuine message still gets through


def test_a_message_nobody_waits_for_answers_404_and_may_be_sent_again(hook_api):
    instance_id = waiting_instance(hook_api)
    stp = sender(hook_api, "STP")
    assert stp.send(str(uuid.uuid4()), webhook_id="msg_x").status_code == 404
    assert stp.send(instance_id, name="ket_qua_khac").status_code == 404
    assert stp.send(instance_id, webhook_id="msg_x").status_code == 202
    assert stp.send(instance_id).status_code == 404  # delivered already: nothing waits now


def test_a_message_needs_a_token_and_a_well_formed_body(hook_api):
    instance_id = waiting_instance(hook_api)
    stp = sender(hook_api, "STP")
    anonymous = Sender(hook_api, None, stp.secret).send(instance_id)
    assert anonymous.status_code == 401
    body = b'{"payload": {}, "extra": 1}'
    signature = Webhook(stp.secret).sign("msg_bad", datetime.now(UTC), body.decode())
    bad = hook_api("POST", f"/api/v1/messages/{MESSAGE}", "STP", data=body, headers={
        "Content-Type": "application/json", "webhook-id": "msg_bad",
        "webhook-signature": signature, "webhook-timestamp": str(int(datetime.now(UTC).timestamp()))})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"correlation_key", "extra"}
