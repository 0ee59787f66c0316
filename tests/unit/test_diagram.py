"""Every shipped process has a diagram, and a process without one gets one laid out."""

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from engine.diagram import NS, lay_out, missing_di, with_diagram
from engine.library import parse_definition, read_form_files

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SHIPPED = sorted(PROCESSES.glob("*.bpmn"))
DIAGRAM = re.compile(rb"\s*<bpmndi:BPMNDiagram\b.*</bpmndi:BPMNDiagram>", re.DOTALL)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_flow_node_and_sequence_flow_is_drawn(path):
    assert missing_di(path.read_bytes()) == []


def test_a_process_without_diagram_is_reported_as_undrawn():
    bare = DIAGRAM.sub(b"", (PROCESSES / "giai_quyet_tthc.bpmn").read_bytes())
    missing = missing_di(bare)
    assert {"receive", "consult", "reply_to_consultation", "flow_supplement_back"} <= set(missing)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_laying_out_changes_only_the_diagram_and_draws_everything(path):
    bare = DIAGRAM.sub(b"", path.read_bytes())
    drawn = lay_out(bare)
    assert missing_di(drawn) == []
    assert DIAGRAM.sub(b"", drawn).rstrip() == bare.rstrip()
    forms = read_form_files(PROCESSES / "forms")
    assert _spec(drawn, path.stem, forms) == _spec(bare, path.stem, forms)


def _spec(bpmn: bytes, process_id: str, forms) -> dict:
    """Return the parsed spec with each gateway's branches in a fixed order.

    SpiffWorkflow orders a gateway's branches by the height of their targets in the diagram,
    and an exclusive gateway takes the first true condition: the shipped conditions exclude
    each other, so the order does not change which branch is taken.
    """
    spec = json.loads(parse_definition(bpmn, process_id, forms).spec_json)
    for task in spec["spec"]["task_specs"].values():
        for key in ("outputs", "cond_task_specs"):
            if key in task:
                task[key] = sorted(task[key], key=json.dumps)
    return spec


def test_a_complete_diagram_is_kept_as_drawn():
    bpmn = (PROCESSES / "lay_y_kien_phoi_hop.bpmn").read_bytes()
    assert with_diagram(bpmn) is bpmn


def _bounds(bpmn: bytes) -> dict[str, tuple[float, float, float, float]]:
    root = etree.fromstring(bpmn)
    return {s.get("bpmnElement"): tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
            for s in root.iterfind(".//bpmndi:BPMNShape", NS) for b in s.iterfind("dc:Bounds", NS)}


def test_steps_follow_the_flow_left_to_right_in_their_agencys_lane():
    bounds = _bounds(lay_out(DIAGRAM.sub(b"", (PROCESSES / "giai_quyet_tthc.bpmn").read_bytes())))
    x = {k: v[0] for k, v in bounds.items()}
    path = ["start", "receive", "hand_over", "assign", "appraise", "sign", "return_result"]
    assert [x[step] for step in path] == sorted(x[step] for step in path)
    # The supplement loops back to appraisal without pushing it to the right of itself.
    assert x["receive_supplement"] > x["appraise"]
    desk, agency = bounds["Lane_desk"], bounds["Lane_agency"]
    assert desk[1] <= bounds["receive"][1] and bounds["receive"][1] + 80 <= desk[1] + desk[3]
    assert agency[1] <= bounds["appraise"][1] and bounds["appraise"][1] + 80 <= agency[1] + agency[3]
    # A step inside the consultation sub-process lies inside the expanded sub-process.
    sub, reply = bounds["consult"], bounds["reply_to_consultation"]
    assert sub[0] < reply[0] and reply[0] + reply[2] < sub[0] + sub[2]


def test_a_process_without_collaboration_is_drawn_on_its_own_plane():
    bpmn = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="p" isExecutable="true">
    <startEvent id="s"><outgoing>f1</outgoing></startEvent>
    <task id="t" name="Vi\xe1\xbb\x87c"><incoming>f1</incoming><outgoing>f2</outgoing></task>
    <boundaryEvent id="b" attachedToRef="t"><outgoing>f3</outgoing><timerEventDefinition/></boundaryEvent>
    <endEvent id="e"><incoming>f2</incoming><incoming>f3</incoming></endEvent>
    <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    <sequenceFlow id="f3" sourceRef="b" targetRef="e"/>
  </process>
</definitions>"""
    drawn = lay_out(bpmn)
    assert missing_di(drawn) == []
    plane = etree.fromstring(drawn).find(".//bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "p"
    bounds = _bounds(drawn)
    task, boundary = bounds["t"], bounds["b"]
    assert task[1] < boundary[1] + boundary[3] / 2 <= task[1] + task[3]  # sits on the task's lower edge


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_laying_out_again_gives_the_same_bytes(path):
    once = lay_out(path.read_bytes())
    assert lay_out(once) == once
