"""BPMN the engine cannot run is refused at upload with a Vietnamese reason on the right element;
whatever is accepted starts without a 500 and never holds a request thread.

One small fixture per construct found in third-party files (Camunda Modeler, bpmn.io,
SpiffWorkflow's own tests).
"""

import time

import pytest

from engine import directory
from engine.identity import Role
from tests import bpmn_models as m

START = '<bpmn:startEvent id="start"><bpmn:outgoing>f_start_work</bpmn:outgoing></bpmn:startEvent>'
END = '<bpmn:endEvent id="end"><bpmn:incoming>f_work_end</bpmn:incoming></bpmn:endEvent>'
IN_OUT = "<bpmn:incoming>f_start_work</bpmn:incoming><bpmn:outgoing>f_work_end</bpmn:outgoing>"
FLOWS = m.flows("start>work", "work>end")


def through(work: str, **kwargs) -> bytes:
    """start -> ``work`` (an element with id "work" and IN_OUT) -> end."""
    return m.document(START + work + END + FLOWS, **kwargs)


def refused(api, body: bytes) -> dict:
    response = m.deploy(api, body)
    assert response.status_code == 422, response.json
    return response.json


def first_problem(api, body: bytes) -> dict:
    return refused(api, body)["problems"][0]


@pytest.mark.parametrize("kind", ["task", "manualTask"])
def test_every_task_kind_that_waits_for_a_person_needs_an_agency(api, kind):
    problem = first_problem(api, through(f'<bpmn:{kind} id="work">{IN_OUT}</bpmn:{kind}>'))
    assert problem["element_id"] == "work" and "agency" in problem["reason"]


@pytest.mark.parametrize("kind", ["task", "manualTask"])
def test_a_plain_or_manual_task_with_an_agency_is_a_task_of_that_agency(api, kind):
    body = through(f'<bpmn:{kind} id="work">{m.AGENCY}{IN_OUT}</bpmn:{kind}>')
    assert m.deploy(api, body).status_code == 201
    started = m.start(api)
    assert started.status_code == 201
    assert [(t["bpmn_id"], t["agency"]) for t in started.json["open_tasks"]] == [("work", "STP")]


def test_a_multi_instance_over_a_missing_collection_fails_the_step_with_422(api):
    work = (f'<bpmn:scriptTask id="work">{IN_OUT}<bpmn:multiInstanceLoopCharacteristics>'
            "<bpmn:loopDataInputRef>khong_co</bpmn:loopDataInputRef>"
            '<bpmn:inputDataItem id="item" name="item" /></bpmn:multiInstanceLoopCharacteristics>'
            "<bpmn:script>y = item</bpmn:script></bpmn:scriptTask>")
    assert m.deploy(api, through(work)).status_code == 201
    response = m.start(api)
    assert response.status_code == 422, response.json
    assert "work" in response.json["detail"]


def test_a_call_activity_calling_its_own_process_is_refused_at_upload(api):
    problem = first_problem(api, through(
        f'<bpmn:callActivity id="work" calledElement="thu_nghiem">{IN_OUT}</bpmn:callActivity>'))
    assert problem["element_id"] == "work" and "chính quy trình" in problem["reason"]


def test_a_call_activity_whose_process_is_missing_is_named(api):
    problem = first_problem(api, through(
        f'<bpmn:callActivity id="work" calledElement="Process_khac">{IN_OUT}</bpmn:callActivity>'))
    assert problem["element_id"] == "work" and "Process_khac" in problem["reason"]


def test_a_loop_without_a_wait_state_is_stopped_within_the_step_budget(api):
    body = m.document("""
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start_a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="a" default="f_a_b"><bpmn:incoming>f_start_a</bpmn:incoming>
      <bpmn:incoming>f_b_a</bpmn:incoming><bpmn:outgoing>f_a_b</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:exclusiveGateway id="b" default="f_b_a"><bpmn:incoming>f_a_b</bpmn:incoming>
      <bpmn:outgoing>f_b_a</bpmn:outgoing><bpmn:outgoing>f_b_end</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f_b_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start_a" sourceRef="start" targetRef="a" />
    <bpmn:sequenceFlow id="f_a_b" sourceRef="a" targetRef="b" />
    <bpmn:sequenceFlow id="f_b_a" sourceRef="b" targetRef="a" />
    <bpmn:sequenceFlow id="f_b_end" sourceRef="b" targetRef="end">
      <bpmn:conditionExpression>False</bpmn:conditionExpression></bpmn:sequenceFlow>""")
    assert m.deploy(api, body).status_code == 201
    started = time.monotonic()
    response = m.start(api)
    assert response.status_code == 422 and "dừng tại" in response.json["detail"]
    assert time.monotonic() - started < 15


def test_a_start_event_with_no_outgoing_flow_is_refused(api):
    body = m.document('<bpmn:startEvent id="start" />')
    problem = first_problem(api, body)
    assert problem["element_id"] == "start" and "luồng đi ra" in problem["reason"]


def test_a_start_event_with_several_message_definitions_is_refused(api):
    start = ('<bpmn:startEvent id="start"><bpmn:outgoing>f_start_work</bpmn:outgoing>'
             '<bpmn:messageEventDefinition id="m1" messageRef="msg_a" />'
             '<bpmn:messageEventDefinition id="m2" messageRef="msg_b" /></bpmn:startEvent>')
    messages = '<bpmn:message id="msg_a" name="a" /><bpmn:message id="msg_b" name="b" />'
    work = f'<bpmn:scriptTask id="work">{IN_OUT}<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
    body = m.document(start + work + END + FLOWS, extra=messages)
    problem = first_problem(api, body)
    assert problem["element_id"] == "start" and "định nghĩa sự kiện" in problem["reason"]


def test_an_event_based_gateway_mixing_a_timer_and_a_message_is_refused(api):
    body = m.document("""
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start_gw</bpmn:outgoing></bpmn:startEvent>
    <bpmn:eventBasedGateway id="gw"><bpmn:incoming>f_start_gw</bpmn:incoming>
      <bpmn:outgoing>f_gw_t</bpmn:outgoing><bpmn:outgoing>f_gw_m</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="t"><bpmn:incoming>f_gw_t</bpmn:incoming>
      <bpmn:outgoing>f_t_end</bpmn:outgoing><bpmn:timerEventDefinition id="td">
      <bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="msg"><bpmn:incoming>f_gw_m</bpmn:incoming>
      <bpmn:outgoing>f_m_end</bpmn:outgoing><bpmn:messageEventDefinition id="md" messageRef="reply" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f_t_end</bpmn:incoming><bpmn:incoming>f_m_end</bpmn:incoming>
    </bpmn:endEvent>""" + m.flows("start>gw", "gw>t", "gw>m", "t>end", "m>end").replace(
        'targetRef="m"', 'targetRef="msg"').replace('sourceRef="m"', 'sourceRef="msg"'),
        extra='<bpmn:message id="reply" name="reply" />')
    problem = first_problem(api, body)
    assert problem["element_id"] == "gw" and "hẹn giờ" in problem["reason"]


@pytest.mark.parametrize("attributes", ["", ' camunda:class="vn.gov.Delegate"',
                                        ' camunda:expression="${svc.run()}"'])
def test_a_service_task_says_in_vietnamese_what_is_not_supported(api, attributes):
    namespace = ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"' if attributes else ""
    work = f'<bpmn:serviceTask id="work"{namespace}{attributes}>{IN_OUT}</bpmn:serviceTask>'
    problem = first_problem(api, through(work))
    assert problem["element_id"] == "work"
    assert "Java delegate" in problem["reason"] and "scriptTask" in problem["reason"]


def test_a_camunda_expression_in_a_condition_is_explained(api):
    problem = first_problem(api, m.gateway("${so_ngay &gt; 5}"))
    assert "JUEL" in problem["reason"] and "Python" in problem["reason"]


def test_a_process_not_marked_executable_says_how_to_mark_it(api):
    work = f'<bpmn:scriptTask id="work">{IN_OUT}<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
    problem = first_problem(api, through(work, executable="false"))
    assert problem["element_id"] == "thu_nghiem" and 'isExecutable="true"' in problem["reason"]


def test_a_schema_error_on_one_line_names_the_failing_element_not_the_root(api):
    work = f'<bpmn:userTask id="work" bogus="1">{m.AGENCY}{IN_OUT}</bpmn:userTask>'
    body = b" ".join(through(work).split(b"\n"))  # one line, as some tools write
    problem = first_problem(api, body)
    assert problem["element_id"] == "work" and "bogus" in problem["reason"]


def test_a_collaboration_sharing_the_process_id_names_the_duplicate(api):
    collaboration = ('<bpmn:collaboration id="thu_nghiem">'
                     '<bpmn:participant id="p" processRef="thu_nghiem" /></bpmn:collaboration>')
    work = f'<bpmn:scriptTask id="work">{IN_OUT}<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
    problem = first_problem(api, through(work, extra=collaboration))
    assert problem["element_id"] == "thu_nghiem" and "collaboration" in problem["reason"]


def test_a_file_reusing_another_designers_process_id_announces_the_new_version(
        api, uow_factory, clock):
    work = f'<bpmn:scriptTask id="work">{IN_OUT}<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
    assert m.deploy(api, through(work)).status_code == 201
    api.tokens["other_designer"] = directory.issue_token(uow_factory(), clock, "SKHCN",
                                                          Role.DESIGNER, "người thiết kế khác")
    again = m.deploy(api, through(work.replace("y = 1", "y = 2")), as_="other_designer")
    assert again.status_code == 201 and again.json["version"] == 2
    assert "thu_nghiem" in again.json["notice"] and "phiên bản 2" in again.json["notice"]
    mine = m.deploy(api, through(work.replace("y = 1", "y = 3")), as_="other_designer")
    assert mine.json["notice"] is None  # the same designer updating their own process


def test_an_event_based_gateway_of_messages_waits_for_them_and_takes_the_delivered_branch(
        api, uow_factory, clock):
    from engine.identity import Principal
    from engine.services.messages import deliver_message

    body = m.document("""
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start_gw</bpmn:outgoing></bpmn:startEvent>
    <bpmn:eventBasedGateway id="gw"><bpmn:incoming>f_start_gw</bpmn:incoming>
      <bpmn:outgoing>f_gw_a</bpmn:outgoing><bpmn:outgoing>f_gw_b</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="a"><bpmn:incoming>f_gw_a</bpmn:incoming>
      <bpmn:outgoing>f_a_end</bpmn:outgoing><bpmn:messageEventDefinition id="ma" messageRef="m_a" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="b"><bpmn:incoming>f_gw_b</bpmn:incoming>
      <bpmn:outgoing>f_b_end</bpmn:outgoing><bpmn:messageEventDefinition id="mb" messageRef="m_b" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f_a_end</bpmn:incoming><bpmn:incoming>f_b_end</bpmn:incoming>
    </bpmn:endEvent>""" + m.flows("start>gw", "gw>a", "gw>b", "a>end", "b>end"),
        extra='<bpmn:message id="m_a" name="dong_y" /><bpmn:message id="m_b" name="tu_choi" />')
    assert m.deploy(api, body).status_code == 201
    started = m.start(api)
    assert started.status_code == 201 and started.json["status"] == "running"
    lead = Principal("token:lead", "STP", frozenset({Role.OFFICER}))
    answer = deliver_message(uow_factory(), clock, lead, "tu_choi", started.json["id"], {"x": 1})
    assert answer["instance_status"] == "completed"
    history = api("GET", f"/api/v1/instances/{started.json['id']}", "STP").json["history"]
    assert [h["type"] for h in history][-2:] == ["instance.message_received", "instance.completed"]


def test_a_data_store_is_refused_in_vietnamese_on_its_element(api):
    work = ('<bpmn:scriptTask id="work">' + IN_OUT +
            '<bpmn:dataOutputAssociation id="out"><bpmn:targetRef>kho</bpmn:targetRef>'
            '</bpmn:dataOutputAssociation><bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
            '<bpmn:dataStoreReference id="kho" dataStoreRef="so_lieu" />')
    problem = first_problem(api, through(work, extra='<bpmn:dataStore id="so_lieu" />'))
    assert problem["element_id"] == "kho" and "Kho dữ liệu" in problem["reason"]
