"""Refuse at upload what the engine cannot run, saying why in Vietnamese a designer can act on.

Files made with Camunda Modeler or bpmn.io often use constructs SpiffWorkflow parses but never
runs (a Java delegate, a start event going nowhere, a process calling itself), or fail with an
English engine or XSD message that names the wrong element. Each check here returns problems
located on the element to fix.
"""

import re
from collections import Counter

from lxml import etree
from SpiffWorkflow.spiff.parser import VALIDATOR

from engine.errors import BpmnProblem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS}
CAMUNDA_ATTRIBUTES = ("class", "delegateExpression", "expression", "type", "topic")
UNSUPPORTED_SERVICE = (
    "Đúng hạn không chạy Java delegate (camunda:class, camunda:delegateExpression), biểu thức "
    "${…}/#{…}, connector hay tác vụ ngoài (external task). Hãy dùng scriptTask (Python hạn chế) "
    "để tính toán, userTask cho việc của cán bộ, hoặc sự kiện thông điệp/webhook để nối với hệ "
    "thống khác")


def _local(element) -> str:
    return etree.QName(element).localname


def _problem(element, reason: str) -> BpmnProblem:
    """Locate a problem on the nearest element with an id, which is what designers can find."""
    owner = element
    while owner is not None and owner.get("id") is None:
        owner = owner.getparent()
    owner = owner if owner is not None else element
    return BpmnProblem(reason, owner.get("id"), _local(owner), element.sourceline)


def duplicate_ids(root) -> list[BpmnProblem]:
    """Name every id used twice, e.g. a collaboration and a process both called ``main``."""
    # BPMN model elements only: extensions such as camunda:property reuse ids legitimately.
    counts = Counter(e.get("id") for e in root.iter(f"{{{BPMN_NS}}}*") if e.get("id"))
    problems = []
    for element_id in sorted(i for i, n in counts.items() if n > 1):
        found = root.xpath("//bpmn:*[@id=$id]", id=element_id, namespaces=NS)
        kinds = " và ".join(_local(e) for e in found)
        problems.append(BpmnProblem(
            f"Mã '{element_id}' bị dùng cho {len(found)} phần tử ({kinds}); mỗi phần tử cần một "
            "mã riêng (đổi id của collaboration hoặc của process)", element_id,
            _local(found[-1]), found[-1].sourceline))
    return problems


def schema_problem(root) -> BpmnProblem | None:
    """Check the BPMN 2.0 schema; locate the first error on the element that breaks it."""
    VALIDATOR.preprocess(root)
    schema = VALIDATOR.validator
    try:
        if schema.validate(root):
            return None
    except etree.LxmlError:
        pass  # e.g. an entity the parser refused to expand: the log still says where
    error = schema.error_log.last_error
    if error is None:
        return BpmnProblem("Không đúng lược đồ BPMN 2.0")
    namespaces = {k: v for k, v in root.nsmap.items() if k}
    try:
        found = root.getroottree().xpath(error.path, namespaces=namespaces) if error.path else []
    except etree.XPathError:
        found = []
    message = re.sub(r"\{[^}]*\}", "", error.message)
    if not found:
        return BpmnProblem(f"Không đúng lược đồ BPMN 2.0: {message}", line=error.line)
    element = found[0]
    problem = _problem(element.getparent() if element.get("id") is None and
                       element.getparent() is not None else element,
                       f"Không đúng lược đồ BPMN 2.0 tại <{_local(element)}>: {message}")
    problem.line = error.line or problem.line
    return problem


def unrunnable(root, process) -> list[BpmnProblem]:
    """List the constructs of a process the engine cannot run, each on its element."""
    return [*_not_executable(process), *_services(process), *_calls(process),
            *_starts(process), *_event_gateways(process), *_data_stores(process)]


def _not_executable(process) -> list[BpmnProblem]:
    if process.get("isExecutable", "true") == "true":
        return []
    return [_problem(process, f"Quy trình '{process.get('id')}' chưa được đánh dấu thực thi: đặt "
                              'isExecutable="true" (ô "Executable" trong Camunda Modeler/bpmn.io)')]


def _services(process) -> list[BpmnProblem]:
    problems = []
    for task in process.xpath(".//bpmn:serviceTask | .//bpmn:sendTask | .//bpmn:businessRuleTask",
                              namespaces=NS):
        kind = {"serviceTask": "Tác vụ dịch vụ", "sendTask": "Tác vụ gửi",
                "businessRuleTask": "Tác vụ quy tắc nghiệp vụ"}[_local(task)]
        camunda = [a for a in task.attrib if etree.QName(a).localname in CAMUNDA_ATTRIBUTES]
        if _local(task) == "businessRuleTask" and not camunda:
            problems.append(_problem(task, f"{kind} '{task.get('id')}' không chạy được: Đúng hạn "
                                           "chưa nạp bảng quyết định DMN cùng quy trình; hãy viết "
                                           "quy tắc bằng scriptTask hoặc điều kiện của cổng"))
        elif _local(task) == "serviceTask" or camunda:
            problems.append(_problem(task, f"{kind} '{task.get('id')}' không chạy được: "
                                           f"{UNSUPPORTED_SERVICE}"))
    return problems


def _calls(process) -> list[BpmnProblem]:
    own = process.get("id")
    problems = []
    for call in process.iterfind(".//bpmn:callActivity", NS):
        called = call.get("calledElement") or ""
        if called == own:
            problems.append(_problem(call, f"Hoạt động gọi '{call.get('id')}' gọi lại chính quy "
                                           f"trình '{own}': vòng gọi không bao giờ dừng"))
        else:
            problems.append(_problem(call, f"Hoạt động gọi '{call.get('id')}' gọi quy trình "
                                           f"'{called}' không có trong tệp này; mỗi tệp chứa một quy "
                                           "trình, hãy vẽ phần được gọi thành tiểu quy trình "
                                           "(subProcess) trong cùng tệp"))
    return problems


def _sources(process) -> set[str]:
    return {f.get("sourceRef") for f in process.iter(f"{{{BPMN_NS}}}sequenceFlow")}


def _starts(process) -> list[BpmnProblem]:
    sources, problems = _sources(process), []
    for start in process.iter(f"{{{BPMN_NS}}}startEvent"):
        definitions = [d for d in start if _local(d).endswith("EventDefinition")]
        if len(definitions) > 1:
            problems.append(_problem(start, f"Sự kiện bắt đầu '{start.get('id')}' có "
                                            f"{len(definitions)} định nghĩa sự kiện; Đúng hạn chỉ "
                                            "chạy sự kiện bắt đầu có một định nghĩa (hoặc không có)"))
        if start.get("id") not in sources:
            problems.append(_problem(start, f"Sự kiện bắt đầu '{start.get('id')}' không có luồng "
                                            "đi ra: hồ sơ sẽ chờ mãi mà không có việc gì"))
    return problems


def _event_gateways(process) -> list[BpmnProblem]:
    flows = list(process.iter(f"{{{BPMN_NS}}}sequenceFlow"))
    problems = []
    for gateway in process.iter(f"{{{BPMN_NS}}}eventBasedGateway"):
        targets = [process.xpath(".//*[@id=$id]", id=f.get("targetRef")) for f in flows
                   if f.get("sourceRef") == gateway.get("id")]
        kinds = {_local(d) for found in targets for t in found[:1] for d in t
                 if _local(d).endswith("EventDefinition")}
        if "timerEventDefinition" in kinds:
            problems.append(_problem(gateway, f"Cổng sự kiện '{gateway.get('id')}' có sự kiện hẹn "
                                              "giờ: Đúng hạn chưa hẹn giờ được sau cổng sự kiện. "
                                              "Hãy dùng sự kiện hẹn giờ biên (boundary timer) trên "
                                              "một tác vụ nhận (receiveTask) hoặc userTask"))
    return problems


def _data_stores(process) -> list[BpmnProblem]:
    # SpiffWorkflow needs a registered implementation per data store and the engine registers
    # none, so the parser would refuse it with an English message naming no element.
    return [_problem(store, f"Kho dữ liệu '{store.get('id')}' (dataStoreReference) chưa được Đúng "
                            "hạn hỗ trợ: hãy lưu dữ liệu trong biến của quy trình, ghi bằng biểu "
                            "mẫu hoặc scriptTask")
            for store in process.iter(f"{{{BPMN_NS}}}dataStoreReference")]
