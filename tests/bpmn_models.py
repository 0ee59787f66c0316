"""Build small BPMN documents for tests: a process body inside one lane, with flows by name."""

import re

DESIGNER = "SKHCN_designer"
XML = {"Content-Type": "application/xml"}


def document(body: str, process_id: str = "thu_nghiem", extra: str = "",
             executable: str = "true") -> bytes:
    """Wrap flow elements in a process whose every node id sits in one lane."""
    nodes = sorted(set(re.findall(r'<bpmn:(?!sequenceFlow|laneSet|lane\b)\w+ id="([^"]+)"', body)))
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
{extra}
  <bpmn:process id="{process_id}" isExecutable="{executable}">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Cơ quan chủ trì">{refs}</bpmn:lane></bpmn:laneSet>
{body}
  </bpmn:process>
</bpmn:definitions>""".encode()


def flows(*pairs: str) -> str:
    """Write sequence flows from ``"a>b"`` pairs, named f_a_b."""
    return "".join(
        f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}" />'
        for a, b in (p.split(">") for p in pairs))


def io(*pairs: str) -> dict[str, str]:
    """Return each node's incoming/outgoing tags for ``"a>b"`` pairs."""
    tags: dict[str, str] = {}
    for a, b in (p.split(">") for p in pairs):
        tags[a] = tags.get(a, "") + f"<bpmn:outgoing>f_{a}_{b}</bpmn:outgoing>"
        tags[b] = f"<bpmn:incoming>f_{a}_{b}</bpmn:incoming>" + tags.get(b, "")
    return tags


AGENCY = ('<bpmn:extensionElements><spiffworkflow:properties>'
          '<spiffworkflow:property name="agency" value="lead_agency" />'
          '</spiffworkflow:properties></bpmn:extensionElements>')


def script_chain(*scripts: str, ask_first: bool = False) -> bytes:
    """start -> [ask (user task of the lead)] -> script_1 ... -> end."""
    names = (["ask"] if ask_first else []) + [f"script_{i}" for i in range(1, len(scripts) + 1)]
    pairs = [f"{a}>{b}" for a, b in zip(["start", *names], [*names, "end"], strict=True)]
    tags = io(*pairs)
    body = f'<bpmn:startEvent id="start">{tags["start"]}</bpmn:startEvent>'
    if ask_first:
        body += f'<bpmn:userTask id="ask" name="Hỏi">{AGENCY}{tags["ask"]}</bpmn:userTask>'
    for i, script in enumerate(scripts, 1):
        name = f"script_{i}"
        body += (f'<bpmn:scriptTask id="{name}">{tags[name]}'
                 f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>")
    body += f'<bpmn:endEvent id="end">{tags["end"]}</bpmn:endEvent>' + flows(*pairs)
    return document(body)


def gateway(condition: str) -> bytes:
    """start -> exclusive gateway with one conditional flow and a default -> end."""
    body = f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start_gw</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="gw" default="f_gw_other"><bpmn:incoming>f_start_gw</bpmn:incoming>
      <bpmn:outgoing>f_gw_end</bpmn:outgoing><bpmn:outgoing>f_gw_other</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f_gw_end</bpmn:incoming>
      <bpmn:incoming>f_gw_other</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start_gw" sourceRef="start" targetRef="gw" />
    <bpmn:sequenceFlow id="f_gw_end" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_gw_other" sourceRef="gw" targetRef="end" />"""
    return document(body)


def deploy(api, body: bytes, as_: str = DESIGNER):
    return api("POST", "/api/v1/processes", as_, data=body, headers=dict(XML))


def start(api, process_id: str = "thu_nghiem", as_: str = "STP", variables=None):
    return api("POST", "/api/v1/instances", as_,
               json={"process_id": process_id, "variables": variables or {}})
