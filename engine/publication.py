"""Say what a process asks of whom and by when, in words a citizen reads: its published steps.

The directive asks agencies to publish their internal procedures. The BPMN already holds
them: each user task is a step, its lane names who does it, its ``deadline`` property the
time limit. This module reads those out of a document (no database, no instance data).
"""

from lxml import etree

from engine.deadlines import UNIT_WORDS, parse_rule
from engine.diagram import BPMN, steps_in_order, with_diagram

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
# Deadline amounts that are not numbers name a variable of the request; say where it comes from.
_GIVEN = "theo thời hạn ghi trong yêu cầu hoặc trong danh mục thủ tục"


def published_steps(bpmn: bytes) -> list[dict]:
    """List the user tasks of a process in reading order with their lane and time limit."""
    bpmn = with_diagram(bpmn)  # the reading order is the diagram's, left to right
    root = etree.fromstring(bpmn, _PARSER)
    lanes = {(ref.text or "").strip(): lane.get("name") or lane.get("id")
             for lane in root.iter(f"{{{BPMN}}}lane") for ref in lane.iter(f"{{{BPMN}}}flowNodeRef")}
    tasks = {el.get("id"): el for el in root.iter(f"{{{BPMN}}}userTask")}
    steps = []
    for step in steps_in_order(bpmn):
        task = tasks.get(step["id"])
        if task is None:
            continue
        props = {p.get("name"): p.get("value") for p in task.iter(f"{{{SPIFF}}}property")}
        steps.append({"id": step["id"], "name": step["name"], "lane": _lane(task, lanes),
                      "within": _within(task),
                      "agency_expression": props.get("agency"),
                      "time_limit": time_limit(props.get("deadline")),
                      "deemed_consent": bool(props.get("deemed_consent"))})
    return steps


def time_limit(deadline: str | None) -> str:
    """Word a ``deadline`` property: "5 ngày làm việc", or where a request sets the amount."""
    if not deadline:
        return "Không quy định"
    try:
        rule = parse_rule(deadline)
    except ValueError:
        return deadline
    words = UNIT_WORDS[rule.unit]
    try:
        return f"{float(rule.expression):g} {words}"
    except ValueError:
        return f"{_GIVEN} (tính bằng {words})"


def _within(task) -> str | None:
    """Return the id of the sub-process a task runs in (a catalog step may name it)."""
    parent = task.getparent()
    return parent.get("id") if etree.QName(parent).localname == "subProcess" else None


def _lane(task, lanes: dict) -> str | None:
    """Return the lane of a task, or of the sub-process around it (its lanes name only it)."""
    node = task
    while node is not None and node.get("id") not in lanes:
        node = node.getparent()
    return lanes.get(node.get("id")) if node is not None else None
