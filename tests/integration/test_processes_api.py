"""Designers deploy BPMN versions over the API; bad documents get 422 naming the element."""

from pathlib import Path

import pytest

from tests import flows

SHIPPED = Path("processes/lay_y_kien_phoi_hop.bpmn").read_bytes()
XML = {"Content-Type": "application/xml"}


def bpmn(body: str, process_id="thu_nghiem") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>work</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
{body}
  </bpmn:process>
</bpmn:definitions>""".encode()


def script_process(script: str) -> bytes:
    return bpmn(f"""
    <bpmn:scriptTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />""")


def condition_process(condition: str) -> bytes:
    return bpmn(f"""
    <bpmn:exclusiveGateway id="work" default="f3"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end" />""")


def timer_process(expression: str) -> bytes:
    return bpmn(f"""
    <bpmn:intermediateCatchEvent id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="timer"><bpmn:timeDuration>{expression}</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />""")


ATTACKS = {
    "import": "__import__('os').system('id')",
    "open": "open('/etc/passwd').read()",
    "subclasses": "().__class__.__base__.__subclasses__()",
}


def deploy(api, body: bytes, as_="SKHCN_designer"):
    return api("POST", "/api/v1/processes", as_, data=body, headers=dict(XML))


def test_shipped_process_is_loaded_at_start_up(api):
    listed = api("GET", "/api/v1/processes", "STP").json
    assert [(p["process_id"], p["version"]) for p in listed] == [
        ("giai_quyet_tthc", 1), ("lay_y_kien_phoi_hop", 1), ("theo_doi_nhiem_vu", 1),
        ("tthc_lien_thong", 1), ("xu_ly_pakn", 1)]


def test_same_bytes_keep_the_version_and_changed_bytes_get_the_next(api):
    same = deploy(api, SHIPPED)
    assert same.status_code == 200 and same.json["version"] == 1
    changed = deploy(api, SHIPPED.replace("Trả lời ý kiến".encode(), "Trả lời ý kiến bằng văn bản".encode()))
    assert changed.status_code == 201 and changed.json["version"] == 2
    detail = api("GET", "/api/v1/processes/lay_y_kien_phoi_hop", "STP").json
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["latest_version"] == 2


def test_running_instance_keeps_the_version_it_started_with(api):
    instance_id, _ = flows.start(api)
    deploy(api, SHIPPED.replace("Trả lời ý kiến".encode(), "Cho ý kiến".encode()))
    view = api("GET", f"/api/v1/instances/{instance_id}", "STP").json
    assert view["process_version"] == 1
    assert {t["name"] for t in view["open_tasks"]} == {"Trả lời ý kiến"}
    newer = api("POST", "/api/v1/instances", "STP", json={"process_id": "lay_y_kien_phoi_hop"})
    assert newer.json["process_version"] == 2


def test_multipart_upload_is_accepted(api):
    changed = SHIPPED.replace(b"Ghi nh", b"Ghi l")
    response = api("POST", "/api/v1/processes", "SKHCN_designer",
                   data={"file": (__import__("io").BytesIO(changed), "lay_y_kien_phoi_hop.bpmn")},
                   content_type="multipart/form-data")
    assert response.status_code == 201


@pytest.mark.parametrize(("body", "element_id", "reason"), [
    (b"<bpmn:definitions><unclosed>", None, "XML sai cú pháp"),
    (bpmn('<bpmn:userTask id="work" bogus="1"><bpmn:incoming>f1</bpmn:incoming></bpmn:userTask>'),
     "work", "bogus"),
    (bpmn('<bpmn:frobnicateTask id="work" />'), "work", "frobnicateTask"),
    (bpmn("""<bpmn:userTask id="outside"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="agency" value="lead_agency" /></spiffworkflow:properties>
        </bpmn:extensionElements></bpmn:userTask>"""), "outside", "làn"),
], ids=["not-well-formed", "xsd-violation", "unknown-element", "user-task-outside-lane"])
def test_malformed_bpmn_is_refused_with_the_element_and_reason(api, body, element_id, reason):
    response = deploy(api, body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json["problems"][0]
    assert reason in problem["reason"]
    assert problem["element_id"] == element_id
    assert problem["line"] is not None
    assert api("GET", "/api/v1/processes", "STP").json[0]["version"] == 1  # nothing deployed


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
@pytest.mark.parametrize(("build", "element_id"), [
    (script_process, "work"), (condition_process, "f2"), (timer_process, "work"),
], ids=["script", "condition", "timer"])
def test_sandbox_rejected_expressions_are_refused_at_upload(api, build, element_id, attack):
    response = deploy(api, build(attack))
    assert response.status_code == 422
    problem = response.json["problems"][0]
    assert problem["element_id"] == element_id
    assert problem["line"] > 5
    assert "bị từ chối" in problem["reason"]
    assert api("GET", "/api/v1/processes/thu_nghiem", "STP").status_code == 404


def test_only_designers_deploy(api):
    assert deploy(api, SHIPPED, as_="STP").status_code == 403


def test_non_xml_upload_is_refused(api):
    response = api("POST", "/api/v1/processes", "SKHCN_designer", json={"bpmn": "x"})
    assert response.status_code == 422
    assert "application/xml" in response.json["detail"]
