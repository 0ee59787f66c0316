"""Simulate a process's due dates from a start instant, on the real working calendar.

Each step starts when the steps before it are due, as if every agency used its whole time:
after a gateway the longer branch counts, a loop back is not taken again, and a step without
a deadline takes no time. The due dates are those an instance would get: the same rule parser,
the same sandbox (and its child processes) over the given variables, the same agency calendars.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from engine.calendar import WorkCalendar
from engine.calendar_explain import dmy, hm
from engine.deadlines import UNIT_WORDS, Deadline, check_amount, explain, parse_rule
from engine.errors import BpmnProblem, InvalidBpmn
from engine.library import BPMN_NS, NS, parse_xml
from engine.scripting import SandboxEnvironment

PEOPLE = {"userTask", "manualTask", "task"}


@dataclass(frozen=True)
class Step:
    """One step of the simulated schedule: when it starts, when it is due, or why not known."""

    element_id: str
    name: str
    agency: str | None
    rule: str | None
    model: str | None
    start: datetime
    due: datetime | None
    explanation: str | None = None
    error: str | None = None


def simulate(bpmn: bytes, start: datetime, variables: Mapping[str, Any],
             calendar: WorkCalendar) -> dict:
    """Return each step's start and due instant from ``start``, and the variables still needed."""
    root = parse_xml(bpmn)
    process = root.find("bpmn:process", NS)
    if process is None:
        raise InvalidBpmn([BpmnProblem("Tệp không có quy trình (bpmn:process) nào để tính lịch hạn")])
    graph = _Graph(process)
    finish: dict[str, datetime] = {}
    steps, needs = [], set()
    for node_id in graph.order():
        begins = max((finish[p] for p in graph.before(node_id) if p in finish), default=start)
        element = graph.nodes.get(node_id)
        step = None if element is None else _step(element, begins, variables, calendar, needs)
        finish[node_id] = step.due if step and step.due else begins
        if step:
            steps.append(step)
    end = max(finish.values(), default=start)
    return {"start": _instant(start, calendar), "end": _instant(end, calendar),
            "steps": [_row(s, calendar) for s in steps], "needs": sorted(needs)}


class _Graph:
    """The process's flow as edges, subprocesses opened up, loops cut where they turn back."""

    def __init__(self, process):
        self.nodes = {e.get("id"): e for e in process.iter() if _is_node(e)}
        self.edges: dict[str, list[str]] = {}
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            self._add(self._exit(flow.get("sourceRef")), flow.get("targetRef"))
        for sub in process.iter(f"{{{BPMN_NS}}}subProcess"):
            for inner in sub.findall("bpmn:startEvent", NS):
                self._add(sub.get("id"), inner.get("id"))
            for inner in sub.findall("bpmn:endEvent", NS):
                self._add(inner.get("id"), self._exit(sub.get("id")))
        self.roots = [e.get("id") for e in process.findall("bpmn:startEvent", NS)]

    def _add(self, source: str, target: str) -> None:
        self.edges.setdefault(source, []).append(target)

    def _exit(self, node_id: str) -> str:
        """Name the point a subprocess is left from, after its inner steps."""
        node = self.nodes.get(node_id)
        opened = node is not None and etree.QName(node).localname == "subProcess" \
            and node.find("bpmn:startEvent", NS) is not None
        return f"{node_id}#end" if opened else node_id

    def order(self) -> list[str]:
        """Return the reachable nodes in flow order, dropping the edges that close a loop."""
        done, on_path, post = set(), set(), []
        self.kept: dict[str, set[str]] = {}

        def visit(node: str) -> None:
            on_path.add(node)
            for target in self.edges.get(node, []):
                if target in on_path:
                    continue  # a loop back: the first pass is what the schedule shows
                self.kept.setdefault(target, set()).add(node)
                if target not in done:
                    visit(target)
            on_path.discard(node)
            done.add(node)
            post.append(node)

        for root in self.roots:
            if root not in done:
                visit(root)
        return post[::-1]

    def before(self, node_id: str) -> set[str]:
        return self.kept.get(node_id, set())


def _is_node(element) -> bool:
    if not isinstance(element.tag, str) or not element.get("id"):
        return False
    name = etree.QName(element)
    return name.namespace == BPMN_NS and name.localname not in {"sequenceFlow", "lane", "laneSet"}


def _properties(element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in element.xpath(
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)}


def _step(element, start: datetime, variables, calendar: WorkCalendar, needs: set) -> Step | None:
    props = _properties(element)
    if etree.QName(element).localname not in PEOPLE and "deadline" not in props:
        return None
    agency = _agency(props.get("agency"), variables)
    base = Step(element.get("id"), element.get("name") or "", agency, props.get("deadline"),
                props.get("deadline_model"), start, None)
    if not props.get("deadline"):
        return base
    try:
        rule = parse_rule(props["deadline"], props.get("deadline_cutoff"), props.get("deadline_model"))
        amount = SandboxEnvironment().evaluate(rule.expression, dict(variables))
        deadline = Deadline(check_amount(amount, rule.unit), rule.unit, start, rule.cutoff, rule.model)
    except NameError as err:
        needs.add(err.name)
        return _failed(base, f"Cần giá trị của biến '{err.name}' để tính thời hạn")
    except Exception as err:  # noqa: BLE001  a draft's expression may fail in any way; say how
        return _failed(base, f"Không tính được thời hạn '{props['deadline']}': {err}")
    own = calendar.for_agency(agency)
    words = f"{deadline.amount:g} {UNIT_WORDS[deadline.unit]}"
    return Step(base.element_id, base.name, agency, words, deadline.model, start,
                deadline.base_due(own), explain(deadline, [], own)["explanation_vi"])


def _failed(step: Step, error: str) -> Step:
    return Step(step.element_id, step.name, step.agency, step.rule, step.model, step.start,
                None, None, error)


def _agency(expression: str | None, variables) -> str | None:
    """Evaluate the agency when the variables tell it; else its calendar is the province's."""
    if not expression:
        return None
    try:
        value = SandboxEnvironment().evaluate(expression, dict(variables))
    except Exception:  # noqa: BLE001  an agency given by a later step is simply not known yet
        return None
    return value if isinstance(value, str) else None


def _instant(moment: datetime, calendar: WorkCalendar) -> dict:
    local = moment.astimezone(calendar.tz)
    return {"at": moment.isoformat(), "text": f"{hm(local)} {dmy(local.date())}"}


def _row(step: Step, calendar: WorkCalendar) -> dict:
    return {"element_id": step.element_id, "name": step.name, "agency": step.agency,
            "rule": step.rule, "model": step.model, "start": _instant(step.start, calendar),
            "due": step.due and _instant(step.due, calendar), "explanation": step.explanation,
            "error": step.error}
