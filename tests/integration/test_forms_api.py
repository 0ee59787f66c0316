"""Specify what a task shows and writes through the API: its form, and nothing else.

Written against the attacks of a consulted agency that submits system variables to take
over the lead's next step, and of a participant reading what other agencies answered.
"""

import json

import pytest

from tests import flows
from tests.forms import deploy_with_forms, fields_form
from tests.integration.test_processes_api import bpmn, deploy


def two_agencies(first: str = "", second: str = "", process_id: str = "hai_buoc",
                 start_form: str | None = None) -> bytes:
    """SXD acts first, then the lead (STP) or STC; ``first``/``second`` add properties."""
    def task(task_id, agency, extra):
        return f"""<bpmn:userTask id="{task_id}" name="Bước {task_id}"><bpmn:extensionElements>
      <spiffworkflow:properties><spiffworkflow:property name="agency" value="{agency}" />{extra}
      </spiffworkflow:properties></bpmn:extensionElements>"""
    return bpmn(f"""
    {task("work", "'SXD'", first)}<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    {task("second", "lead_agency if not after_stc else 'STC'", second)}
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="prepare"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:script>after_stc = title == "STC"</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="prepare" />
    <bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="second" />
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />""", process_id).replace(
        b"<bpmn:flowNodeRef>work</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>work</bpmn:flowNodeRef><bpmn:flowNodeRef>second</bpmn:flowNodeRef>"
        b"<bpmn:flowNodeRef>prepare</bpmn:flowNodeRef>").replace(
        b'<bpmn:startEvent id="start">', b'<bpmn:startEvent id="start"><bpmn:extensionElements>'
        b'<spiffworkflow:properties><spiffworkflow:property name="form" value="%s" />'
        b'</spiffworkflow:properties></bpmn:extensionElements>' % start_form.encode()
        if start_form else b'<bpmn:startEvent id="start">')


def start(api, process_id: str, title: str = "Hồ sơ thử") -> dict:
    started = api("POST", "/api/v1/instances", "STP", json={"process_id": process_id,
                                                            "variables": {"title": title}})
    assert started.status_code == 201, started.json
    return started.json


def test_an_agency_cannot_take_over_the_lead_step_by_submitting_system_variables(api):
    assert deploy(api, two_agencies()).status_code == 201
    instance = start(api, "hai_buoc")
    [work] = [t for t in flows_tasks(api, "SXD") if t["instance_id"] == instance["id"]]

    grab = api("POST", f"/api/v1/tasks/{work['id']}/complete", "SXD",
               json={"data": {"lead_agency": "SXD", "provincial_office": "SXD"}})

    assert grab.status_code == 422
    assert set(grab.json["errors"]) == {"lead_agency", "provincial_office"}
    done = api("POST", f"/api/v1/tasks/{work['id']}/complete", "SXD", json={"data": {}})
    assert done.status_code == 200
    view = api("GET", f"/api/v1/instances/{instance['id']}", "STP").json
    assert [(t["bpmn_id"], t["agency"]) for t in view["open_tasks"]] == [("second", "STP")]
    assert view["variables"]["lead_agency"] == "STP"


def flows_tasks(api, agency: str) -> list[dict]:
    return api("GET", "/api/v1/tasks?state=open&per_page=200", agency).json["items"]


def test_a_consulted_agency_sees_the_request_and_nothing_else_of_the_instance(api):
    instance_id, _ = flows.start(api, attachments=["du_thao_quyet_dinh.pdf"])
    flows.reply(api, "STC", instance_id, "disagree", "Đề nghị bỏ Điều 5 vì trái Luật Ngân sách nhà nước")

    task = flows.open_task(api, "SXD", instance_id)
    shown = api("GET", f"/api/v1/tasks/{task['id']}", "SXD").json["data"]

    assert shown == {"title": flows.REQUEST["title"], "summary": flows.REQUEST["summary"],
                     "attachments": ["du_thao_quyet_dinh.pdf"], "reply_days": flows.REQUEST["reply_days"]}
    assert task["data"] == shown  # the inbox shows the same
    text = json.dumps(shown, ensure_ascii=False)
    assert "Luật Ngân sách" not in text and "STC" not in text and "STP" not in text


def test_a_later_agency_never_sees_what_an_earlier_agency_answered(api):
    forms = {"ho_so": fields_form("title"), "y_kien_sxd": fields_form("opinion", shows=["title"]),
             "xem_xet_stc": fields_form("note", shows=["title"])}
    body = two_agencies('<spiffworkflow:property name="form" value="y_kien_sxd" />',
                        '<spiffworkflow:property name="form" value="xem_xet_stc" />', start_form="ho_so")
    assert deploy_with_forms(api, body, forms).status_code == 201
    instance = start(api, "hai_buoc", title="STC")
    [work] = [t for t in flows_tasks(api, "SXD") if t["instance_id"] == instance["id"]]
    assert api("POST", f"/api/v1/tasks/{work['id']}/complete", "SXD",
               json={"data": {"opinion": "Ý kiến nội bộ của SXD"}}).status_code == 200

    [second] = [t for t in flows_tasks(api, "STC") if t["instance_id"] == instance["id"]]
    shown = api("GET", f"/api/v1/tasks/{second['id']}", "STC").json

    assert shown["data"] == {"title": "STC"}
    assert "Ý kiến nội bộ" not in json.dumps(api("GET", f"/api/v1/instances/{instance['id']}", "STC").json,
                                              ensure_ascii=False)


FORM_ON_WORK = '<spiffworkflow:property name="form" value="ghi_chu" />'


def with_form(form) -> tuple[bytes, dict]:
    return two_agencies(FORM_ON_WORK), {"ghi_chu": form}


@pytest.mark.parametrize(("forms", "reason"), [
    ({}, "Không có tệp biểu mẫu 'ghi_chu'"),
    ({"ghi_chu": b'{"title": '}, "không phải JSON hợp lệ"),
    ({"ghi_chu": {**fields_form("note"), "type": "objekt"}}, "Lược đồ JSON Schema không hợp lệ"),
    ({"ghi_chu": {**fields_form("note"), "properties": {"note": {"title": "Ghi chú", "x-ky-ten": True}}}},
     "Từ khóa không được hỗ trợ 'x-ky-ten'"),
    ({"ghi_chu": {**fields_form("note"), "writes": "lead_agency"}}, "biến do hệ thống đặt: lead_agency"),
    ({"ghi_chu": {**fields_form("note"), "shows": ["bi_mat"]}}, "cho xem biến 'bi_mat'"),
], ids=["missing-file", "not-json", "invalid-schema", "unknown-keyword", "writes-system-variable",
        "shows-unknown-variable"])
def test_an_upload_naming_a_broken_form_is_refused_naming_the_task_and_the_reason(api, forms, reason):
    response = deploy_with_forms(api, two_agencies(FORM_ON_WORK), forms)

    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    [problem] = [p for p in response.json["problems"] if reason in p["reason"]]
    assert problem["element_id"] == "work" and problem["element"] == "userTask"
    assert "hai_buoc" not in [p["process_id"] for p in api("GET", "/api/v1/processes", "STP").json]


def test_a_form_edit_makes_a_new_version_and_running_instances_keep_their_form(api):
    first = deploy_with_forms(api, two_agencies(FORM_ON_WORK), {"ghi_chu": fields_form("note")})
    assert (first.status_code, first.json["version"]) == (201, 1)
    running = start(api, "hai_buoc")
    stricter = {**fields_form("note", "reference"), "required": ["reference"]}

    second = deploy_with_forms(api, two_agencies(FORM_ON_WORK), {"ghi_chu": stricter})

    assert (second.status_code, second.json["version"]) == (201, 2)
    assert second.json["content_hash"] != first.json["content_hash"]
    newer = start(api, "hai_buoc")
    tasks = {t["instance_id"]: t["id"] for t in flows_tasks(api, "SXD")}
    note = {"data": {"note": "Đã xem"}}
    old = api("POST", f"/api/v1/tasks/{tasks[running['id']]}/complete", "SXD", json=note)
    new = api("POST", f"/api/v1/tasks/{tasks[newer['id']]}/complete", "SXD", json=note)
    assert old.status_code == 200
    assert new.status_code == 422 and set(new.json["errors"]) == {"reference"}
    again = deploy_with_forms(api, two_agencies(FORM_ON_WORK), {"ghi_chu": stricter})
    assert (again.status_code, again.json["version"]) == (200, 2)  # same BPMN and forms: same version


def test_a_task_carries_the_schema_of_its_instance_version_so_any_client_can_render_it(api):
    instance_id, _ = flows.start(api)
    task = flows.open_task(api, "SXD", instance_id)

    shown = api("GET", f"/api/v1/tasks/{task['id']}", "SXD").json

    schema = shown["form_schema"]
    assert schema["title"] == "Ý kiến trả lời" and schema["writes"] == "reply"
    assert set(schema["properties"]) == {"position", "reasons"}
    assert schema["properties"]["position"]["oneOf"][0] == {"const": "agree", "title": "Đồng ý"}
    assert "form_schema" not in task  # the inbox list stays light


def test_a_task_without_a_form_says_so_and_takes_an_empty_submission(api):
    assert deploy(api, two_agencies()).status_code == 201
    instance = start(api, "hai_buoc")
    [work] = [t for t in flows_tasks(api, "SXD") if t["instance_id"] == instance["id"]]

    shown = api("GET", f"/api/v1/tasks/{work['id']}", "SXD").json

    assert (shown["form"], shown["form_schema"], shown["data"]) == (None, None, {})
    refused = api("POST", f"/api/v1/tasks/{work['id']}/complete", "SXD", json={"data": {"ok": True}})
    assert refused.status_code == 422 and refused.json["errors"] == {
        "ok": "Nhiệm vụ không có biểu mẫu nên không nhận trường nào"}
