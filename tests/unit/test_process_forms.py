"""Specify how a process and the forms it names are checked together, and versioned together."""

import json

import pytest

from engine.errors import InvalidBpmn
from engine.library import parse_definition
from tests.forms import fields_form
from tests.unit.test_library import bpmn, through


def task(task_id: str, agency: str, form: str) -> str:
    return f"""<bpmn:userTask id="{task_id}" name="Bước">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="agency" value="{agency}" />
        <spiffworkflow:property name="form" value="{form}" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>
    </bpmn:userTask>"""


def in_lane(node: str, ids: str = "Activity_reply") -> str:
    return f"""<bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan">
      <bpmn:flowNodeRef>{ids}</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>{through(node)}"""


def encoded(**forms) -> dict[str, bytes]:
    return {name: json.dumps(schema, ensure_ascii=False).encode() for name, schema in forms.items()}


def problems(doc: bytes, forms: dict[str, bytes]) -> list:
    with pytest.raises(InvalidBpmn) as excinfo:
        parse_definition(doc, form_files=forms)
    return excinfo.value.problems


ONE_TASK = bpmn(in_lane(task("Activity_reply", "lead_agency", "phieu")))


def test_a_process_carries_the_forms_it_names_and_no_others():
    definition = parse_definition(ONE_TASK, form_files=encoded(phieu=fields_form("note"),
                                                               khac=fields_form("other")))

    assert set(definition.forms) == {"phieu"}
    assert definition.forms["phieu"]["writes"] == ["note"]


def test_editing_a_form_changes_the_version_identity_and_editing_another_does_not():
    before = parse_definition(ONE_TASK, form_files=encoded(phieu=fields_form("note")))
    edited = parse_definition(ONE_TASK, form_files=encoded(phieu=fields_form("note", title="Phiếu mới")))
    unrelated = parse_definition(ONE_TASK, form_files=encoded(phieu=fields_form("note"),
                                                              khac=fields_form("x")))

    assert edited.content_hash != before.content_hash
    assert unrelated.content_hash == before.content_hash


def test_a_form_may_show_only_variables_the_process_produces():
    [problem] = problems(ONE_TASK, encoded(phieu=fields_form("note", shows=["secret_budget"])))

    assert problem.element_id == "Activity_reply"
    assert "cho xem biến 'secret_budget'" in problem.reason


def test_a_form_may_show_what_a_form_writes_and_what_the_engine_sets():
    forms = encoded(phieu=fields_form("note", shows=["note", "lead_agency"]))

    assert parse_definition(ONE_TASK, form_files=forms).forms["phieu"]["shows"] == ["note", "lead_agency"]


def test_a_form_may_not_write_the_multi_instance_item_that_assigns_the_task():
    doc = bpmn(f"""<bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan">
      <bpmn:flowNodeRef>Activity_each</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    {through('''<bpmn:userTask id="Activity_each" name="Trả lời">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="agency" value="agency" />
        <spiffworkflow:property name="form" value="phieu" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopDataInputRef>agencies</bpmn:loopDataInputRef>
        <bpmn:inputDataItem id="agency" name="agency" />
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>''')}""")

    [problem] = problems(doc, encoded(phieu=fields_form("agency")))

    assert problem.element_id == "Activity_each" and "không được ghi biến 'agency'" in problem.reason


def test_every_task_naming_a_missing_form_is_listed_with_the_file_it_needs():
    doc = bpmn(in_lane(task("Activity_reply", "lead_agency", "khong_co")))

    [problem] = problems(doc, {})

    assert problem.reason == "Không có tệp biểu mẫu 'khong_co' (forms/khong_co.json)"
    assert problem.extra["file"] == "forms/khong_co.json"


def test_a_message_may_not_land_in_a_system_variable():
    doc = bpmn(f"""<bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan">
      <bpmn:flowNodeRef>Event_wait</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    {through('''<bpmn:intermediateCatchEvent id="Event_wait" name="Chờ kết quả">
      <bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>
      <bpmn:messageEventDefinition id="Def_wait" messageRef="Message_ket_qua">
        <bpmn:extensionElements>
          <spiffworkflow:messageVariable>lead_agency</spiffworkflow:messageVariable>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>''')}""").replace(
        b"</bpmn:definitions>", b'<bpmn:message id="Message_ket_qua" name="ket_qua" /></bpmn:definitions>')

    reasons = [(p.element_id, p.reason) for p in problems(doc, {})]

    assert ("Event_wait", "Thông điệp không được ghi vào biến do hệ thống đặt 'lead_agency'") in reasons
