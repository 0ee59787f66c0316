"""Carry over what a Camunda Modeler or bpmn.io file says in Camunda's terms, and say what is dropped.

Camunda 7 (`camunda:`) and Camunda 8 (`zeebe:`) keep a task's group, form and custom
properties in their own extensions. What has a meaning here becomes this product's
`spiffworkflow:property`: a property named like ours (agency, deadline, form…), the single
candidate group as the agency, a plain form key as the form. Everything else is left in the
file, which the engine never reads, and each such use is named in a note, so the designer knows
what will not happen. Constructs the engine cannot run (Java delegates, JUEL expressions) are
not translated: the upload lint refuses them on their element.
"""

import re
from dataclasses import dataclass

from lxml import etree

from engine.library import BPMN_NS, SPIFF_NS

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
PRODUCT_PROPERTIES = ("agency", "deadline", "deadline_model", "deadline_cutoff", "form",
                      "deemed_consent", "pause_approver", "dossier_status", "actor_role",
                      "starter_role")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
IGNORED = {
    "assignee": "người được giao (assignee): ở Đúng hạn việc giao cho cơ quan, cán bộ tự nhận việc",
    "candidateUsers": "danh sách người nhận (candidateUsers): ở Đúng hạn việc giao cho cơ quan",
    "dueDate": "hạn (dueDate) của Camunda tính theo ngày lịch; hãy đặt thuộc tính 'deadline', "
               "ví dụ '5 working_days'",
    "followUpDate": "ngày theo dõi (followUpDate)",
    "priority": "độ ưu tiên (priority)",
    "taskListener": "listener của nhiệm vụ: Đúng hạn không chạy mã Java/JUEL; dùng scriptTask",
    "executionListener": "listener thực thi: Đúng hạn không chạy mã Java/JUEL; dùng scriptTask",
    "inputOutput": "ánh xạ biến vào/ra (inputOutput): biến của hồ sơ dùng chung cho mọi bước",
    "formData": "biểu mẫu khai trong Camunda (formData): biểu mẫu của Đúng hạn là tệp JSON Schema "
                "trong processes/forms, đặt tên ở thuộc tính 'form'",
    "formField": "trường biểu mẫu của Camunda (formField)",
    "candidateGroups": "nhiều nhóm ứng viên (candidateGroups): Đúng hạn giao mỗi nhiệm vụ cho "
                       "một cơ quan; hãy đặt thuộc tính 'agency'",
    "formKey": "khóa biểu mẫu (formKey) không phải tên một biểu mẫu JSON Schema trong "
               "processes/forms; hãy đặt thuộc tính 'form'",
    "ioMapping": "ánh xạ biến của Zeebe (ioMapping)",
    "taskHeaders": "tiêu đề tác vụ Zeebe (taskHeaders)",
}
# Technical settings of Camunda's job executor and history: nothing here depends on them.
TECHNICAL = {"asyncBefore", "asyncAfter", "exclusive", "jobPriority", "historyTimeToLive",
             "versionTag", "isStartableInTasklist", "taskPriority", "candidateStarterGroups",
             "candidateStarterUsers", "executionPlatform", "executionPlatformVersion"}


@dataclass(frozen=True)
class Note:
    """What happened to one Camunda setting of one element: carried over or ignored."""

    element_id: str | None
    text: str
    kept: bool


def translate(bpmn: bytes) -> tuple[bytes, list[Note]]:
    """Return the document with Camunda settings carried over, and a note for each setting."""
    if CAMUNDA_NS.encode() not in bpmn and ZEEBE_NS.encode() not in bpmn:
        return bpmn, []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(bpmn, parser)
    except etree.XMLSyntaxError:
        return bpmn, []  # the upload's own parse names the syntax error
    notes: list[Note] = []
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        if element.get("id"):
            _translate_element(element, notes)
    technical = sorted({etree.QName(a).localname for e in root.iter() for a in e.attrib
                        if etree.QName(a).namespace in (CAMUNDA_NS, ZEEBE_NS)
                        and etree.QName(a).localname in TECHNICAL})
    if technical:
        notes.append(Note(None, "Bỏ qua thiết lập kỹ thuật của Camunda, không ảnh hưởng cách chạy: "
                                + ", ".join(technical), False))
    etree.cleanup_namespaces(root, top_nsmap={"spiffworkflow": SPIFF_NS})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), notes


def _translate_element(element, notes: list[Note]) -> None:
    found = {}
    for name, value, source in _product_settings(element):
        if name in found:
            continue
        found[name] = value
        notes.append(Note(element.get("id"), f"Đã chuyển {source} thành thuộc tính '{name}' = "
                                             f"{value}", True))
    if found:
        _write_properties(element, found)
    for reason in _ignored_settings(element):
        notes.append(Note(element.get("id"), f"Bỏ qua {reason}", False))


def _product_settings(element):
    """Yield (property, value, where it came from) for each Camunda setting that maps."""
    for prop in _extensions(element, "property"):
        if prop.get("name") in PRODUCT_PROPERTIES and prop.get("value") is not None:
            yield prop.get("name"), prop.get("value"), f"camunda:property '{prop.get('name')}'"
            _remove(prop)
    groups = element.get(f"{{{CAMUNDA_NS}}}candidateGroups")
    for assignment in _extensions(element, "assignmentDefinition"):
        groups = groups or assignment.get("candidateGroups")
    if groups and _NAME.match(groups.strip()):
        yield "agency", f'"{groups.strip()}"', f"nhóm ứng viên '{groups.strip()}'"
        element.attrib.pop(f"{{{CAMUNDA_NS}}}candidateGroups", None)
    key = element.get(f"{{{CAMUNDA_NS}}}formKey")
    for form in _extensions(element, "formDefinition"):
        key = key or form.get("formKey")
    if key and _NAME.match(key):
        yield "form", key, f"khóa biểu mẫu '{key}'"
        element.attrib.pop(f"{{{CAMUNDA_NS}}}formKey", None)


def _ignored_settings(element) -> list[str]:
    """Return, once each, why the element's remaining Camunda settings will have no effect."""
    reasons = [IGNORED[etree.QName(a).localname] for a in element.attrib
               if etree.QName(a).namespace == CAMUNDA_NS and etree.QName(a).localname in IGNORED]
    for child in element.xpath("./bpmn:extensionElements/*", namespaces={"bpmn": BPMN_NS}):
        name = etree.QName(child)
        if name.namespace not in (CAMUNDA_NS, ZEEBE_NS):
            continue
        if name.localname == "properties":
            reasons += [f"thuộc tính '{p.get('name')}': không phải thuộc tính của Đúng hạn "
                        f"({', '.join(PRODUCT_PROPERTIES)})" for p in child]
        elif name.localname in IGNORED:
            reasons.append(IGNORED[name.localname])
    return list(dict.fromkeys(reasons))


def _extensions(element, localname: str) -> list:
    return element.xpath(
        "./bpmn:extensionElements//*[local-name()=$name and (namespace-uri()=$c or namespace-uri()=$z)]",
        name=localname, c=CAMUNDA_NS, z=ZEEBE_NS, namespaces={"bpmn": BPMN_NS})


def _remove(node) -> None:
    parent = node.getparent()
    parent.remove(node)
    if len(parent) == 0 and etree.QName(parent).localname == "properties":
        parent.getparent().remove(parent)


def _write_properties(element, values: dict[str, str]) -> None:
    """Add the properties the element lacks; a value already written for this product wins."""
    extensions = element.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        element.insert(_after_documentation(element), extensions)
    properties = extensions.find(f"{{{SPIFF_NS}}}properties")
    if properties is None:
        properties = etree.SubElement(extensions, f"{{{SPIFF_NS}}}properties")
    present = {p.get("name") for p in properties}
    for name, value in values.items():
        if name not in present:
            etree.SubElement(properties, f"{{{SPIFF_NS}}}property", name=name, value=value)


def _after_documentation(element) -> int:
    """Return where extensionElements goes: the schema wants it right after documentation."""
    return sum(1 for c in element if etree.QName(c).localname == "documentation")
