"""Compare two BPMN documents element by element, as a designer reviews a change before deploying.

Elements are matched by id, the way bpmn-js and Camunda Modeler keep them stable while a
diagram is edited. The diagram's layout (the BPMN DI section) is not compared: moving a shape
changes nothing an instance runs.
"""

from dataclasses import dataclass, field

from lxml import etree

from engine.library import BPMN_NS, NS, parse_xml

KINDS = {
    "process": "Quy trình", "collaboration": "Cộng tác", "participant": "Bể (pool)",
    "lane": "Làn", "userTask": "Nhiệm vụ người dùng", "manualTask": "Nhiệm vụ thủ công",
    "task": "Nhiệm vụ", "scriptTask": "Tác vụ kịch bản", "serviceTask": "Tác vụ dịch vụ",
    "sendTask": "Tác vụ gửi", "receiveTask": "Tác vụ nhận", "businessRuleTask": "Tác vụ quy tắc",
    "subProcess": "Tiểu quy trình", "callActivity": "Hoạt động gọi",
    "startEvent": "Sự kiện bắt đầu", "endEvent": "Sự kiện kết thúc",
    "boundaryEvent": "Sự kiện biên", "intermediateCatchEvent": "Sự kiện chờ",
    "intermediateThrowEvent": "Sự kiện phát", "exclusiveGateway": "Cổng loại trừ",
    "parallelGateway": "Cổng song song", "inclusiveGateway": "Cổng bao hàm",
    "eventBasedGateway": "Cổng sự kiện", "sequenceFlow": "Luồng", "message": "Thông điệp",
    "messageFlow": "Luồng thông điệp", "dataObject": "Đối tượng dữ liệu",
}
PROPERTY_LABELS = {
    "agency": "Cơ quan", "deadline": "Thời hạn", "deadline_model": "Cách tính thời hạn",
    "deadline_cutoff": "Giờ cắt 15:00", "form": "Biểu mẫu", "deemed_consent": "Im lặng là đồng ý",
    "pause_approver": "Người duyệt tạm dừng", "dossier_status": "Trạng thái hồ sơ",
    "actor_role": "Vai trò người thực hiện", "starter_role": "Vai trò người khởi tạo",
    "extends": "Gia hạn cho nhiệm vụ", "extension": "Việc gia hạn",
}
# What an instance runs besides the properties: each is compared as text.
ATTRIBUTES = {"name": "Tên", "sourceRef": "Nguồn", "targetRef": "Đích",
              "attachedToRef": "Gắn vào", "calledElement": "Quy trình được gọi",
              "cancelActivity": "Ngắt nhiệm vụ", "default": "Luồng mặc định"}
BODIES = {"conditionExpression": "Điều kiện", "script": "Kịch bản", "timeDate": "Hẹn giờ",
          "timeDuration": "Hẹn giờ", "timeCycle": "Hẹn giờ lặp",
          "loopCardinality": "Số lần lặp", "completionCondition": "Điều kiện hoàn thành",
          "loopDataInputRef": "Danh sách lặp", "loopDataOutputRef": "Danh sách kết quả lặp"}


@dataclass(frozen=True)
class Change:
    """One field of one element that differs: its label, the old and the new text."""

    field: str
    label: str
    old: str | None
    new: str | None


@dataclass
class ElementDiff:
    """An element added, removed or changed, with what changed."""

    element_id: str
    kind: str
    name: str
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"element_id": self.element_id, "kind": self.kind, "name": self.name,
                "changes": [c.__dict__ for c in self.changes]}


def diff_documents(old: bytes, new: bytes) -> dict:
    """Return the elements added, removed and changed from ``old`` to ``new``."""
    before, after = _elements(parse_xml(old)), _elements(parse_xml(new))
    added = [_describe(after[i]) for i in after if i not in before]
    removed = [_describe(before[i]) for i in before if i not in after]
    changed = []
    for element_id in after.keys() & before.keys():
        found = _describe(after[element_id])
        found.changes = _changes(before[element_id], after[element_id])
        if found.changes:
            changed.append(found)
    changed.sort(key=lambda d: list(after).index(d.element_id))
    return {"added": [d.to_json() for d in added], "removed": [d.to_json() for d in removed],
            "changed": [d.to_json() for d in changed],
            "same": not (added or removed or changed)}


def _elements(root) -> dict:
    """Map id to element for every BPMN model element (not the diagram, not extensions)."""
    return {e.get("id"): e for e in root.iter(f"{{{BPMN_NS}}}*")
            if e.get("id") and _kind(e) in KINDS}


def _kind(element) -> str:
    return etree.QName(element).localname


def _describe(element) -> ElementDiff:
    return ElementDiff(element.get("id"), KINDS[_kind(element)], element.get("name") or "")


def _fields(element) -> dict[str, tuple[str, str | None]]:
    """Return every compared field of an element: label and text, keyed by a stable name."""
    fields = {"kind": ("Loại phần tử", KINDS[_kind(element)])}
    fields |= {f"@{a}": (label, element.get(a)) for a, label in ATTRIBUTES.items()}
    for prop in element.xpath("./bpmn:extensionElements/spiffworkflow:properties/"
                              "spiffworkflow:property", namespaces=NS):
        name = prop.get("name") or ""
        fields[f"property:{name}"] = (PROPERTY_LABELS.get(name, f"Thuộc tính '{name}'"),
                                      prop.get("value"))
    for body in element.iter(*(f"{{{BPMN_NS}}}{tag}" for tag in BODIES)):
        owner = next((a for a in body.iterancestors() if a.get("id")), None)
        if owner is element or _kind(owner).endswith("EventDefinition"):
            fields[f"body:{_kind(body)}"] = (BODIES[_kind(body)], (body.text or "").strip())
    return fields


def _changes(old, new) -> list[Change]:
    before, after = _fields(old), _fields(new)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        label, new_text = after.get(key, (before.get(key, ("", None))[0], None))
        old_text = before.get(key, (label, None))[1]
        if old_text != new_text:
            changes.append(Change(key, label, old_text, new_text))
    return changes
