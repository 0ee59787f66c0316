"""Specify which BPMN uploads engine.library accepts, and how it locates each problem."""

import hashlib
import json
from pathlib import Path

import pytest

from engine import codec
from engine.errors import InvalidBpmn
from engine.library import MAX_BPMN_BYTES, load_directory, parse_definition, read_form_files

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SHIPPED = PROCESSES / "lay_y_kien_phoi_hop.bpmn"
SHIPPED_FORMS = read_form_files(PROCESSES / "forms")

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_1" targetNamespace="https://dunghan.test/bpmn">
"""
STRAIGHT = """
    <bpmn:startEvent id="start"><bpmn:outgoing>to_end</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="end">
      <bpmn:incoming>to_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="to_end" sourceRef="start" targetRef="end" />"""

ATTACKS = {
    "import_os": "__import__('os')",
    "read_passwd": "open('/etc/passwd').read()",
    "subclasses_escape": "().__class__.__base__.__subclasses__()",
}


def process(body: str, process_id: str = "probe") -> str:
    return f"""  <bpmn:process id="{process_id}" name="Quy trình thử" isExecutable="true">
{body}
  </bpmn:process>
"""


def document(*processes: str, prolog: str = HEADER) -> bytes:
    return (prolog + "".join(processes) + "</bpmn:definitions>\n").encode()


def bpmn(body: str) -> bytes:
    """A document holding one process ``probe`` with ``body``."""
    return document(process(body))


def line_of(doc: bytes, marker: str) -> int:
    """Return the 1-based line on which ``marker`` first appears."""
    text = doc.decode()
    assert marker in text, marker
    return text[: text.index(marker)].count("\n") + 1


def problems_of(doc: bytes, **kwargs):
    with pytest.raises(InvalidBpmn) as excinfo:
        parse_definition(doc, **kwargs)
    assert excinfo.value.problems, "InvalidBpmn must list at least one problem"
    return excinfo.value.problems


def only_problem(doc: bytes, **kwargs):
    [problem] = problems_of(doc, **kwargs)
    return problem


def through(node: str) -> str:
    """A process start -> ``node`` (which must use flows in_ and out_) -> end."""
    return f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>in_</bpmn:outgoing></bpmn:startEvent>
    {node}
    <bpmn:endEvent id="end"><bpmn:incoming>out_</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="in_" sourceRef="start" targetRef="{_node_id(node)}" />
    <bpmn:sequenceFlow id="out_" sourceRef="{_node_id(node)}" targetRef="end" />"""


def _node_id(node: str) -> str:
    return node.split('id="', 1)[1].split('"', 1)[0]


def user_task(properties: dict[str, str], *, in_lane: bool = True) -> str:
    """A process with one user task ``Activity_reply`` carrying ``properties``."""
    props = "\n".join(
        f'          <spiffworkflow:property name="{name}" value="{value}" />'
        for name, value in properties.items()
    )
    lanes = ""
    if in_lane:
        lanes = """    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_consulted" name="Cơ quan được lấy ý kiến">
        <bpmn:flowNodeRef>Activity_reply</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>"""
    node = f"""<bpmn:userTask id="Activity_reply" name="Trả lời ý kiến">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
{props}
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>
    </bpmn:userTask>"""
    return lanes + through(node)


# Documents that are not BPMN at all.


def test_xml_that_is_not_well_formed_is_reported_with_its_line():
    doc = bpmn(STRAIGHT).replace(b"</bpmn:endEvent>", b"</bpmn:endEvnt>")

    problem = only_problem(doc)

    assert "XML sai cú pháp" in problem.reason
    assert problem.line == line_of(doc, "</bpmn:endEvnt>")


def test_root_element_must_be_bpmn_definitions():
    doc = b'<?xml version="1.0"?>\n<process id="probe" />\n'

    problem = only_problem(doc)

    assert "bpmn:definitions" in problem.reason


def test_document_over_the_size_limit_is_refused_before_parsing():
    doc = bpmn(STRAIGHT + "\n<!--" + "x" * MAX_BPMN_BYTES + "-->")

    problem = only_problem(doc)

    assert "vượt quá" in problem.reason


def test_attribute_the_bpmn_schema_does_not_allow_is_reported_on_its_element():
    doc = bpmn(STRAIGHT.replace('id="end">', 'id="end" colour="red">'))

    problem = only_problem(doc)

    assert "colour" in problem.reason and "not allowed" in problem.reason
    assert problem.element_id == "end"
    assert problem.line == line_of(doc, '<bpmn:endEvent id="end"')


def test_child_the_bpmn_schema_does_not_allow_is_reported_with_its_line():
    doc = bpmn(STRAIGHT.replace(
        "<bpmn:incoming>to_end</bpmn:incoming>\n",
        "<bpmn:incoming>to_end</bpmn:incoming>\n      <bpmn:script>x = 1</bpmn:script>\n",
    ))

    problem = only_problem(doc)

    assert "script" in problem.reason and "not expected" in problem.reason
    assert problem.line == line_of(doc, "<bpmn:script>")


def test_unknown_element_in_the_bpmn_namespace_is_refused_by_the_schema():
    doc = bpmn(STRAIGHT + '\n    <bpmn:frobnicateTask id="Activity_frob" />')

    problem = only_problem(doc)

    assert "frobnicateTask" in problem.reason and "not expected" in problem.reason
    assert problem.element_id == "Activity_frob"
    assert problem.line == line_of(doc, "<bpmn:frobnicateTask")


def test_bpmn_element_spiffworkflow_cannot_run_is_refused():
    doc = bpmn(through(
        '<bpmn:complexGateway id="Gateway_complex">'
        "<bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>"
        "</bpmn:complexGateway>"
    ))

    problem = only_problem(doc)

    assert "no support" in problem.reason
    assert problem.element_id == "Gateway_complex"
    assert problem.element_tag == "bpmn:complexGateway"
    assert problem.line == line_of(doc, "<bpmn:complexGateway")


# Rules of this service for user tasks.


def test_user_task_outside_every_lane_is_refused():
    doc = bpmn(user_task({"agency": "lead_agency"}, in_lane=False))

    problem = only_problem(doc)

    assert "làn (lane)" in problem.reason
    assert (problem.element_id, problem.element_tag) == ("Activity_reply", "userTask")
    assert problem.line == line_of(doc, "<bpmn:userTask")


def test_user_task_without_an_agency_is_refused():
    doc = bpmn(user_task({"deadline": "5 working_days"}))

    problem = only_problem(doc)

    assert "'agency'" in problem.reason
    assert problem.element_id == "Activity_reply"
    assert problem.line == line_of(doc, "<bpmn:userTask")


def test_user_task_naming_an_unknown_form_is_refused():
    doc = bpmn(user_task({"agency": "lead_agency", "form": "phieu_khong_co"}))

    problem = only_problem(doc)

    assert "'phieu_khong_co'" in problem.reason and "Không có tệp biểu mẫu" in problem.reason
    assert problem.element_id == "Activity_reply"
    assert problem.line == line_of(doc, "<bpmn:userTask")


def test_user_task_with_lane_agency_and_known_form_is_accepted():
    doc = bpmn(user_task({"agency": "agency", "form": "consultation_synthesis"}))
    form = json.dumps({"title": "Ghi nhận", "shows": [], "writes": ["synthesis"], "type": "object",
                       "properties": {"synthesis": {"title": "Nội dung", "type": "string"}},
                       "additionalProperties": False}).encode()

    definition = parse_definition(doc, form_files={"consultation_synthesis": form})

    assert definition.process_id == "probe"


def test_every_problem_is_listed_not_just_the_first():
    doc = bpmn(user_task({"form": "phieu_khong_co"}, in_lane=False))

    reasons = " | ".join(p.reason for p in problems_of(doc))

    assert "làn (lane)" in reasons and "'agency'" in reasons and "'phieu_khong_co'" in reasons


# Scripts and expressions the sandbox would refuse are refused at upload, where they are.


def _script(attack: str) -> tuple[str, str, str]:
    node = f"""<bpmn:scriptTask id="Activity_script" name="Tính toán">
      <bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>
      <bpmn:script>x = {attack}</bpmn:script>
    </bpmn:scriptTask>"""
    return through(node), "Activity_script", "<bpmn:script>"


def _condition(attack: str) -> tuple[str, str, str]:
    body = f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>in_</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="Gateway_choose" default="Flow_otherwise">
      <bpmn:incoming>in_</bpmn:incoming>
      <bpmn:outgoing>Flow_attack</bpmn:outgoing><bpmn:outgoing>Flow_otherwise</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_a"><bpmn:incoming>Flow_attack</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_b"><bpmn:incoming>Flow_otherwise</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="in_" sourceRef="start" targetRef="Gateway_choose" />
    <bpmn:sequenceFlow id="Flow_attack" sourceRef="Gateway_choose" targetRef="end_a">
      <bpmn:conditionExpression>{attack}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_otherwise" sourceRef="Gateway_choose" targetRef="end_b" />"""
    return body, "Flow_attack", "<bpmn:conditionExpression>"


def _timer(attack: str) -> tuple[str, str, str]:
    # Modellers (bpmn.io) give the event definition an id too; the problem must still name
    # the event, which is what the designer sees and clicks on.
    node = f"""<bpmn:intermediateCatchEvent id="Event_wait" name="Chờ">
      <bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerEventDefinition_1">
        <bpmn:timeDuration>{attack}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>"""
    return through(node), "Event_wait", "<bpmn:timeDuration>"


def _agency(attack: str) -> tuple[str, str, str]:
    return user_task({"agency": attack.replace("'", "&apos;")}), "Activity_reply", 'name="agency"'


LOCATIONS = {
    "script": (_script, "Kịch bản bị từ chối"),
    "condition": (_condition, "Điều kiện/biểu thức bị từ chối"),
    "timer": (_timer, "Biểu thức hẹn giờ bị từ chối"),
    "agency": (_agency, "Biểu thức cơ quan bị từ chối"),
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
@pytest.mark.parametrize("location", LOCATIONS)
def test_code_the_sandbox_refuses_is_rejected_at_upload_where_it_is(location, attack):
    build, label = LOCATIONS[location]
    body, element_id, marker = build(attack)
    doc = bpmn(body)

    problem = only_problem(doc)

    assert problem.reason.startswith(label)
    assert problem.element_id == element_id
    assert problem.line == line_of(doc, marker)


def test_bare_iso_duration_in_a_timer_passes_the_lint():
    node, _, _ = _timer("P10D")

    assert parse_definition(bpmn(node)).process_id == "probe"


# A script task, not a manual one: a manual task waits for a person and needs an agency.
_ACTIVITY = '<bpmn:scriptTask id="Activity_hidden">{extension}' \
    "<bpmn:incoming>in_</bpmn:incoming><bpmn:outgoing>out_</bpmn:outgoing>{loop}" \
    "<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>"
_IMPORT = ATTACKS["import_os"]
HIDDEN_EXPRESSIONS = {
    "pre_script": _ACTIVITY.format(
        extension="<bpmn:extensionElements><spiffworkflow:preScript>x = " + _IMPORT
        + "</spiffworkflow:preScript></bpmn:extensionElements>", loop=""),
    "post_script": _ACTIVITY.format(
        extension="<bpmn:extensionElements><spiffworkflow:postScript>x = " + _IMPORT
        + "</spiffworkflow:postScript></bpmn:extensionElements>", loop=""),
    "loop_cardinality": _ACTIVITY.format(extension="", loop=(
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>" + _IMPORT
        + "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>")),
    "completion_condition": _ACTIVITY.format(extension="", loop=(
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality>"
        "<bpmn:completionCondition>" + _IMPORT
        + "</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>")),
    "conditional_event": (
        '<bpmn:intermediateCatchEvent id="Activity_hidden"><bpmn:incoming>in_</bpmn:incoming>'
        '<bpmn:outgoing>out_</bpmn:outgoing><bpmn:conditionalEventDefinition id="Cond_1">'
        "<bpmn:condition>" + _IMPORT + "</bpmn:condition></bpmn:conditionalEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    ),
}


@pytest.mark.parametrize("where", HIDDEN_EXPRESSIONS)
def test_every_other_expression_the_engine_evaluates_is_linted_at_upload(where):
    """SpiffWorkflow also evaluates these through the script engine, so lint them too."""
    doc = bpmn(through(HIDDEN_EXPRESSIONS[where]))

    problem = only_problem(doc)

    assert "__import__" in problem.reason
    assert problem.element_id == "Activity_hidden"


# One executable process per file, named like the file.


def test_file_with_two_processes_is_refused():
    second = '<bpmn:startEvent id="start_second" />'
    doc = document(process(STRAIGHT, "first"), process(second, "second"))

    problem = only_problem(doc)

    assert "đúng một quy trình" in problem.reason and "2" in problem.reason


def test_file_without_a_process_is_refused():
    problem = only_problem(document())

    assert "đúng một quy trình" in problem.reason


def test_process_id_must_match_the_expected_id():
    problem = only_problem(bpmn(STRAIGHT), expected_id="lay_y_kien_phoi_hop")

    assert "'lay_y_kien_phoi_hop'" in problem.reason
    assert problem.element_id == "probe"


def test_shipped_consultation_process_parses():
    raw = SHIPPED.read_bytes()

    definition = parse_definition(raw, expected_id="lay_y_kien_phoi_hop", form_files=SHIPPED_FORMS)

    assert definition.process_id == "lay_y_kien_phoi_hop"
    assert definition.name == "Lấy ý kiến phối hợp"
    assert definition.content_hash != hashlib.sha256(raw).hexdigest()  # it covers the forms too
    assert set(definition.forms) == {"consultation_request", "consultation_reply",
                                     "consultation_reanswer", "consultation_synthesis",
                                     "provincial_review"}
    assert definition.bpmn_xml == raw.decode("utf-8")
    compiled = codec.load_spec(definition.spec_json)
    assert "reply_to_consultation" in compiled.subprocess_specs["collect_replies"].task_specs


def test_load_directory_finds_the_shipped_process():
    assert [d.process_id for d in load_directory(PROCESSES)] == [
        "giai_quyet_tthc", "lay_y_kien_phoi_hop", "theo_doi_nhiem_vu", "tthc_lien_thong", "xu_ly_pakn"]


def test_same_bytes_give_the_same_content_hash():
    raw = SHIPPED.read_bytes()

    assert parse_definition(raw, form_files=SHIPPED_FORMS).content_hash == parse_definition(
        bytes(raw), form_files=dict(SHIPPED_FORMS)).content_hash


def test_changed_bytes_give_a_different_content_hash():
    raw = SHIPPED.read_bytes()
    changed = raw.replace('name="Trả lời ý kiến"'.encode(), 'name="Trả lời ý kiến nhanh"'.encode())
    assert changed != raw

    assert parse_definition(changed, form_files=SHIPPED_FORMS).content_hash != parse_definition(
        raw, form_files=SHIPPED_FORMS).content_hash


# Hostile XML.

SECRET = "BI-MAT-KHONG-DUOC-LO"


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _with_entity(system_uri: str, body: str) -> bytes:
    doctype = f'<!DOCTYPE x [<!ENTITY e SYSTEM "{system_uri}">]>'
    prolog = HEADER.replace("?>\n", f"?>\n{doctype}\n", 1)
    return document(process(body), prolog=prolog)


ENTITY_USES = {
    "in_text": STRAIGHT + '\n    <bpmn:textAnnotation id="Note_1"><bpmn:text>&e;</bpmn:text>'
    "</bpmn:textAnnotation>",
    "in_attribute": STRAIGHT.replace('id="end">', 'id="end" name="&e;">'),
}


def _assert_not_leaked(doc: bytes, secret: str) -> None:
    try:
        definition = parse_definition(doc)
    except InvalidBpmn as err:
        told = err.detail + " ".join(f"{p.reason} {p.extra}" for p in err.problems)
        assert secret not in told
    else:
        assert secret not in definition.spec_json
        assert secret not in definition.bpmn_xml


@pytest.mark.parametrize("use", ENTITY_USES)
def test_external_entity_does_not_leak_a_local_file(secret_file, use):
    _assert_not_leaked(_with_entity(secret_file.as_uri(), ENTITY_USES[use]), SECRET)


@pytest.mark.parametrize("use", ENTITY_USES)
def test_external_entity_does_not_leak_etc_passwd(use):
    _assert_not_leaked(_with_entity("file:///etc/passwd", ENTITY_USES[use]), "root:")


def test_entity_expansion_bomb_is_not_expanded():
    lol = "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' if i else '<!ENTITY l0 "lol">' for i in range(9)
    )
    prolog = HEADER.replace("?>\n", f"?>\n<!DOCTYPE x [{lol}]>\n", 1)
    doc = document(process(STRAIGHT.replace('id="end">', 'id="end" name="&l8;">')), prolog=prolog)

    try:
        definition = parse_definition(doc)
    except InvalidBpmn as err:
        assert "lollollol" not in err.detail
    else:
        assert "lollollol" not in definition.spec_json


def test_a_task_asking_for_a_role_no_one_holds_is_refused_on_that_task():
    doc = bpmn(user_task({"agency": "'SXD'", "actor_role": "chairman"}))

    problem = only_problem(doc)

    assert problem.element_id == "Activity_reply"
    assert problem.reason.startswith("Vai trò thực hiện nhiệm vụ 'chairman' không tồn tại")


def test_a_task_asking_for_the_head_passes_the_lint():
    assert parse_definition(bpmn(user_task({"agency": "'SXD'", "actor_role": "head"})))
