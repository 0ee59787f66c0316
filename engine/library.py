"""Load, validate and lint BPMN documents, with the forms they name, into process definitions.

A definition is identified by the SHA-256 of its bytes and of the forms it uses: the same
content is the same version, changed content (BPMN or a form) becomes the next version of
that process id (numbered by the store), so running instances keep the forms they started with.
"""

import ast
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from engine import codec
from engine.calendar import DeadlineModel
from engine.deadlines import parse_model, parse_pause_approver, parse_rule
from engine.errors import BpmnProblem, InvalidBpmn, ScriptRejected
from engine.forms import SYSTEM_VARIABLES
from engine.forms.binding import FormUse, bind_forms
from engine.identity import Role
from engine.runnable import duplicate_ids, schema_problem, unrunnable
from engine.scripting import lint_expression, lint_script

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_BPMN_BYTES = 2_000_000

# Refuse entities and network access: uploads come from outside.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)


@dataclass(frozen=True)
class ProcessDefinition:
    """A parsed, linted BPMN process ready to be stored as a version."""

    process_id: str
    name: str
    content_hash: str
    bpmn_xml: str
    spec_json: str
    forms: dict = field(default_factory=dict)  # form name -> its JSON Schema document


@dataclass(frozen=True)
class _Parsed:
    """What parsing the BPMN bytes alone yields; forms are bound afterwards."""

    definition: ProcessDefinition | None  # None when the lint found problems
    form_uses: tuple[FormUse, ...]
    produced: frozenset[str]
    assigning: frozenset[str]
    problems: tuple[BpmnProblem, ...] = ()


def parse_definition(bpmn: bytes, expected_id: str | None = None,
                     form_files: Mapping[str, bytes] | None = None) -> ProcessDefinition:
    """Parse and lint one BPMN document holding exactly one executable process, with its forms.

    ``form_files`` maps a form name to its file's bytes; every form the process names must be
    there. Raises InvalidBpmn listing every problem found, each with its element and line.
    """
    parsed = _parse_bpmn(bpmn, expected_id)
    forms, form_problems = bind_forms(list(parsed.form_uses), form_files or {}, set(parsed.produced),
                                      set(parsed.assigning))
    if parsed.problems or form_problems:
        raise InvalidBpmn([*parsed.problems, *form_problems])
    if not forms:
        return parsed.definition
    schemas = {name: form.schema for name, form in sorted(forms.items())}
    canonical = json.dumps(schemas, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(bpmn + b"\n" + canonical.encode()).hexdigest()
    return replace(parsed.definition, content_hash=digest, forms=schemas)


@functools.lru_cache(maxsize=64)
def _parse_bpmn(bpmn: bytes, expected_id: str | None) -> _Parsed:
    """Parse and lint the BPMN bytes; cached, as every start-up re-reads processes/."""
    if len(bpmn) > MAX_BPMN_BYTES:
        raise InvalidBpmn([BpmnProblem(f"Tệp BPMN vượt quá {MAX_BPMN_BYTES} byte")])
    root = parse_xml(bpmn)
    process = _single_process(root, expected_id)
    uses = tuple(_form_uses(root))
    produced = frozenset(_produced_variables(root))
    assigning = frozenset(str(n) for n in root.xpath("//bpmn:inputDataItem/@name", namespaces=NS))
    problems = [*_lint(root), *_lint_message_variables(root), *unrunnable(root, process)]
    if problems:
        return _Parsed(None, uses, produced, assigning, tuple(problems))
    spec, subprocess_specs = _parse_spec(root, process.get("id"))
    definition = ProcessDefinition(
        process_id=process.get("id"),
        name=process.get("name") or process.get("id"),
        content_hash=hashlib.sha256(bpmn).hexdigest(),
        bpmn_xml=bpmn.decode("utf-8"),
        spec_json=codec.dump_spec(spec, subprocess_specs),
    )
    return _Parsed(definition, uses, produced, assigning)


def read_form_files(directory: Path) -> dict[str, bytes]:
    """Read every ``<name>.json`` form file of a directory (none if it does not exist)."""
    return {path.stem: path.read_bytes() for path in sorted(directory.glob("*.json"))}


def load_directory(directory: Path) -> list[ProcessDefinition]:
    """Parse every ``*.bpmn`` file of a directory with the forms of its ``forms/`` folder.

    A file's stem must be its process id.
    """
    forms = read_form_files(directory / "forms")
    return [
        parse_definition(path.read_bytes(), expected_id=path.stem, form_files=forms)
        for path in sorted(directory.glob("*.bpmn"))
    ]


def _form_uses(root) -> list[FormUse]:
    uses = []
    for prop in root.iterfind(".//spiffworkflow:property[@name='form']", NS):
        owner = _owner(prop)
        if prop.get("value") and owner is not None:
            uses.append(FormUse(prop.get("value"), owner.get("id"), etree.QName(owner).localname,
                                owner.sourceline))
    return uses


def _produced_variables(root) -> set[str]:
    """Return the variables the process itself sets: scripts, multi-instance items, messages."""
    produced = set()
    for script in root.xpath("//bpmn:scriptTask/bpmn:script | //spiffworkflow:preScript"
                             " | //spiffworkflow:postScript", namespaces=NS):
        produced |= _assigned(script.text or "")
    produced |= {str(v) for v in root.xpath(
        "//bpmn:inputDataItem/@name | //bpmn:outputDataItem/@name | //bpmn:dataObject/@id",
        namespaces=NS)}
    produced |= {(e.text or "").strip() for e in root.xpath(
        "//bpmn:loopDataOutputRef | //spiffworkflow:messageVariable", namespaces=NS)}
    return produced - {""}


def _lint_message_variables(root) -> list[BpmnProblem]:
    """Refuse a message that would land in a system variable: a sender outside must not reassign."""
    return [_located(e, f"Thông điệp không được ghi vào biến do hệ thống đặt '{e.text.strip()}'")
            for e in root.iterfind(".//spiffworkflow:messageVariable", NS)
            if (e.text or "").strip() in SYSTEM_VARIABLES]


def _assigned(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()  # the script lint reports it
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def parse_xml(bpmn: bytes) -> etree._Element:
    """Read a BPMN document's XML safely; refuse what is not a well-formed, schema-valid one."""
    try:
        root = etree.fromstring(bpmn, _XML_PARSER)
    except etree.XMLSyntaxError as err:
        raise InvalidBpmn([BpmnProblem(f"XML sai cú pháp: {err.msg}", line=err.lineno)]) from err
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise InvalidBpmn([BpmnProblem("Phần tử gốc phải là bpmn:definitions", line=root.sourceline)])
    duplicates = duplicate_ids(root)
    if duplicates:
        raise InvalidBpmn(duplicates)
    broken = schema_problem(root)
    if broken:
        raise InvalidBpmn([broken])
    return root


def _single_process(root, expected_id: str | None):
    processes = root.findall("bpmn:process", NS)
    if len(processes) != 1:
        raise InvalidBpmn([BpmnProblem(f"Mỗi tệp phải có đúng một quy trình, có {len(processes)}")])
    process = processes[0]
    if expected_id and process.get("id") != expected_id:
        raise InvalidBpmn(
            [BpmnProblem(f"Mã quy trình phải trùng tên tệp '{expected_id}'", process.get("id"))]
        )
    return process


def _parse_spec(root, process_id: str):
    parser = SpiffBpmnParser()  # already validated against the XSD above
    try:
        parser.add_bpmn_xml(root, filename=f"{process_id}.bpmn")
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except ValidationException as err:
        raise InvalidBpmn([_problem_from(err, root)]) from err
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as err:
        # SpiffWorkflow reports some unsupported constructs as plain Python errors.
        raise InvalidBpmn([BpmnProblem(f"Không phân tích được quy trình: {err!r}")]) from err


def _problem_from(err: ValidationException, root) -> BpmnProblem:
    element_id = getattr(err, "id", "") or None
    line = getattr(err, "line_number", "") or None
    if element_id and line is None:
        found = root.xpath("//*[@id=$id]", id=element_id)
        line = found[0].sourceline if found else None
    if line and not element_id:
        # XSD errors carry only a line; name the element with an id that starts there.
        on_line = [e for e in root.iter() if e.sourceline == line and e.get("id")]
        element_id = on_line[0].get("id") if on_line else None
    # The engine's own wording is English; keep it for searching, framed for the designer.
    reason = f"Bộ máy quy trình không chấp nhận phần tử này: {str(err).splitlines()[0]}"
    return BpmnProblem(reason, element_id, getattr(err, "tag", None) or None, line)


def _lint(root) -> list[BpmnProblem]:
    return [*_lint_expressions(root), *_lint_user_tasks(root), *_lint_deadlines(root),
            *_lint_boundary_models(root), *_lint_extensions(root),
            *_lint_pause_approvers(root)]


def _lint_extensions(root) -> list[BpmnProblem]:
    """Refuse a starter or actor role that no one holds and an extension aimed at no user task."""
    problems = []
    for name, what in (("starter_role", "khởi tạo"), ("actor_role", "thực hiện nhiệm vụ")):
        for prop in root.iterfind(f".//spiffworkflow:property[@name='{name}']", NS):
            if prop.get("value") not in Role.__members__.values():
                problems.append(_located(prop, f"Vai trò {what} '{prop.get('value')}' không tồn tại;"
                                               f" dùng: {', '.join(Role)}"))
    user_tasks = {t.get("id") for t in root.iterfind(".//bpmn:userTask", NS)}
    for prop in root.iterfind(".//spiffworkflow:property[@name='extends']", NS):
        task = prop.getparent()
        if prop.get("value") not in user_tasks:
            problems.append(_located(prop, f"'extends' phải là mã một nhiệm vụ người dùng, nhận được"
                                           f" '{prop.get('value')}'"))
        if task.find("spiffworkflow:property[@name='extension']", NS) is None:
            problems.append(_located(prop, "Thuộc tính 'extends' cần đi kèm 'extension'"))
    return problems


def _owner(element):
    """Return the nearest ancestor-or-self flow element with an id, for error messages.

    Event definitions carry ids too, but designers look for the event they drew.
    """
    while element is not None and (
        element.get("id") is None or etree.QName(element).localname.endswith("EventDefinition")
    ):
        element = element.getparent()
    return element


def _located(element, reason: str) -> BpmnProblem:
    owner = _owner(element)
    tag = etree.QName(owner).localname if owner is not None else None
    return BpmnProblem(reason, owner.get("id") if owner is not None else None, tag, element.sourceline)


def _lint_expressions(root) -> list[BpmnProblem]:
    # Every place SpiffWorkflow hands to the script engine, so nothing reaches run time unlinted.
    checks = [
        ("//bpmn:scriptTask/bpmn:script | //spiffworkflow:preScript | //spiffworkflow:postScript",
         lint_script, "Kịch bản bị từ chối"),
        ("//bpmn:conditionExpression | //bpmn:condition | //bpmn:loopCondition"
         " | //bpmn:loopCardinality | //bpmn:completionCondition | //bpmn:formalExpression"
         " | //spiffworkflow:messagePayload | //spiffworkflow:parameter/@value",
         lint_expression, "Điều kiện/biểu thức bị từ chối"),
        ("//bpmn:timeDate | //bpmn:timeDuration | //bpmn:timeCycle", _lint_timer,
         "Biểu thức hẹn giờ bị từ chối"),
        ("//spiffworkflow:property[@name='agency']/@value", lint_expression,
         "Biểu thức cơ quan bị từ chối"),
        ("//spiffworkflow:property[@name='deemed_consent']/@value", lint_expression,
         "Biểu thức 'im lặng là đồng ý' bị từ chối"),
        ("//spiffworkflow:property[@name='extension']/@value", lint_expression,
         "Biểu thức gia hạn bị từ chối"),
    ]
    problems = []
    for xpath, lint, label in checks:
        for found in root.xpath(xpath, namespaces=NS):
            element = found.getparent() if isinstance(found, etree._ElementUnicodeResult) else found
            source = str(found) if element is not found else (found.text or "")
            try:
                lint(source)
            except (ScriptRejected, SyntaxError, ValueError) as err:
                problems.append(_located(element, f"{label}: {err}"))
    return problems


def _lint_timer(source: str) -> None:
    lint_expression(source, timer=True)
    for model in _timer_models(source):
        parse_model(model)  # a literal model is checked like a task's


def _timer_models(source: str) -> list[str]:
    """Return the literal model of each ``due_in_working_days`` call (the default if none)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return []  # an ISO literal, which lint_expression accepted
    models = []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "due_in_working_days":
            given = [k.value for k in call.keywords if k.arg == "model"]
            if not given:
                models.append(DeadlineModel.DAY_COUNT)
            elif isinstance(given[0], ast.Constant):
                models.append(given[0].value)
    return models


def _lint_boundary_models(root) -> list[BpmnProblem]:
    """Refuse a boundary timer that counts by another model than the task it guards."""
    problems = []
    for event in root.iterfind(".//bpmn:boundaryEvent[@attachedToRef]", NS):
        found = root.xpath("//*[@id=$id]", id=event.get("attachedToRef"))
        task = found[0] if found else None
        if task is None or task.find(".//spiffworkflow:property[@name='deadline']", NS) is None:
            continue
        declared = task.find(".//spiffworkflow:property[@name='deadline_model']", NS)
        model = DeadlineModel.DAY_COUNT if declared is None else declared.get("value")
        for timer in event.iterfind(".//bpmn:timerEventDefinition/*", NS):
            for other in {m for m in _timer_models(timer.text or "") if m != model}:
                problems.append(_located(timer, (
                    f"Hẹn giờ tính theo '{other}' nhưng nhiệm vụ '{task.get('id')}' tính theo"
                    f" '{model}': ghi model='{model}' để hai hạn trùng nhau")))
    return problems


def _lint_deadlines(root) -> list[BpmnProblem]:
    problems = []
    for prop in root.iterfind(".//spiffworkflow:property[@name='deadline']", NS):
        element = prop.getparent().getparent().getparent()  # property < properties < extensions < task
        options = {name: element.find(f".//spiffworkflow:property[@name='deadline_{name}']", NS)
                   for name in ("cutoff", "model")}
        values = {name: None if found is None else found.get("value") for name, found in options.items()}
        try:
            rule = parse_rule(prop.get("value") or "", values["cutoff"], values["model"])
            lint_expression(rule.expression)
        except (ValueError, ScriptRejected, SyntaxError) as err:
            problems.append(_located(prop, f"Thời hạn không hợp lệ: {err}"))
    for prop in root.iterfind(".//spiffworkflow:property[@name='deadline_model']", NS):
        if prop.getparent().find("spiffworkflow:property[@name='deadline']", NS) is None:
            problems.append(_located(prop, "Thuộc tính 'deadline_model' cần đi kèm 'deadline'"))
    return problems


def _lint_pause_approvers(root) -> list[BpmnProblem]:
    """Refuse an unknown pause approver, one on a task whose clock does not run, a bad return window."""
    problems = []
    for prop in root.iterfind(".//spiffworkflow:property[@name='pause_approver']", NS):
        try:
            parse_pause_approver(prop.get("value"))
        except ValueError as err:
            problems.append(_located(prop, f"Thuộc tính 'pause_approver' không hợp lệ: {err}"))
        if prop.getparent().find("spiffworkflow:property[@name='deadline']", NS) is None:
            problems.append(_located(prop, "Thuộc tính 'pause_approver' cần đi kèm 'deadline'"))
    for prop in root.iterfind(".//spiffworkflow:property[@name='return_window_days']", NS):
        value = prop.get("value") or ""
        if not value.isdigit() or not 1 <= int(value) <= 30:
            problems.append(_located(prop, f"Thuộc tính 'return_window_days' phải là số ngày làm việc"
                                           f" từ 1 đến 30, nhận được '{value}'"))
    return problems


def _lint_user_tasks(root) -> list[BpmnProblem]:
    in_lane = {ref.text.strip() for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS)}
    problems = []
    # Every kind SpiffWorkflow leaves for a person: a plain task and a manual task wait too.
    waiting = root.xpath("//bpmn:userTask | //bpmn:manualTask | //bpmn:task", namespaces=NS)
    for task in waiting:
        ancestors = [a.get("id") for a in task.iterancestors() if a.get("id")]
        if not in_lane & {task.get("id"), *ancestors}:
            problems.append(_located(task, "Nhiệm vụ người dùng phải nằm trong một làn (lane)"))
        props = {p.get("name"): p.get("value") for p in task.iterfind(".//spiffworkflow:property", NS)}
        if not props.get("agency"):
            problems.append(_located(task, "Nhiệm vụ người dùng phải có thuộc tính 'agency'"))
    return problems
