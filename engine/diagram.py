"""Give BPMN documents a diagram (BPMN DI) when they lack one, and tell which elements lack it.

A file written by hand, or uploaded from a tool that kept no diagram, has no ``bpmndi``
section, and bpmn-js then draws an empty canvas. ``lay_out`` replaces whatever diagram there
is by one computed here: a pool for each participant, a band per lane (one agency each),
expanded sub-processes so that a step inside one can be marked. The rest of the document is
kept byte for byte, so the shipped files differ only by the appended section.
"""

import re

from lxml import etree

from engine.diagram_layout import INNER_PAD, Box, Graph, Placed, place

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}
POOL_HEADER = 30  # the vertical title bar of a pool, and of a lane inside it

_EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
           "boundaryEvent")
_GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
             "complexGateway")
_ACTIVITIES = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask",
               "receiveTask", "businessRuleTask", "callActivity", "subProcess", "transaction",
               "adHocSubProcess")
_SIZES = {**dict.fromkeys(_EVENTS, (36, 36)), **dict.fromkeys(_GATEWAYS, (50, 50)),
          **dict.fromkeys(_ACTIVITIES, (100, 80))}
_CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}

# Any earlier diagram, whatever prefix its namespace has in the document.
_OLD_DIAGRAM = re.compile(rb"[ \t]*<(\w+:)?BPMNDiagram\b.*?</\1?BPMNDiagram>\s*", re.DOTALL)
# Uploads come from outside: no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)


def missing_di(bpmn: bytes) -> list[str]:
    """Return the ids of the flow nodes and sequence flows that no diagram element draws."""
    root = etree.fromstring(bpmn, _PARSER)
    drawn = set(root.xpath("//bpmndi:BPMNShape/@bpmnElement | //bpmndi:BPMNEdge/@bpmnElement",
                           namespaces=NS))
    return [el.get("id") for el in root.iter(f"{{{BPMN}}}*")
            if (_local(el) in _SIZES or _local(el) == "sequenceFlow") and el.get("id") not in drawn]


def with_diagram(bpmn: bytes) -> bytes:
    """Return the document as it is when every element is drawn, else laid out anew."""
    return lay_out(bpmn) if missing_di(bpmn) else bpmn


def steps_in_order(bpmn: bytes) -> list[dict]:
    """List the activities and events of a drawn document as a reader meets them: left to right.

    This is the text a page shows beside (or instead of) the diagram; gateways are left out,
    as their question is read on the flows they choose between.
    """
    root = etree.fromstring(bpmn, _PARSER)
    at = {s.get("bpmnElement"): (float(b.get("x")), float(b.get("y")))
          for s in root.iter(f"{{{BPMNDI}}}BPMNShape") for b in s.iter(f"{{{DC}}}Bounds")}
    steps = [{"id": el.get("id"), "name": el.get("name") or el.get("id"), "kind": _local(el)}
             for el in root.iter(f"{{{BPMN}}}*")
             if _local(el) in _SIZES and _local(el) not in _GATEWAYS and el.get("id") in at]
    return sorted(steps, key=lambda s: at[s["id"]])


def lay_out(bpmn: bytes) -> bytes:
    """Return the document with its diagram replaced by a computed layout.

    The text outside the diagram is kept as it was: the new section is spliced in before the
    closing tag of ``definitions``, declaring its own namespaces.
    """
    root = etree.fromstring(bpmn, _PARSER)
    collaboration = root.find("bpmn:collaboration", NS)
    if collaboration is not None:
        diagrams = [_diagram(collaboration.get("id"), _pools(root, collaboration))]
    else:
        diagrams = [_diagram(p.get("id"), _drawing(*_placed(p, [ids for _, ids in _lanes(p)]), 0, 0))
                    for p in root.findall("bpmn:process", NS)]
    text = _OLD_DIAGRAM.sub(b"", bpmn)
    end = text.rindex(b"</")
    head = text[:end].rstrip() + b"\n\n"
    return head + b"".join(diagrams) + text[end:]


def _pools(root, collaboration) -> list:
    """Stack one pool per participant, lanes inside, and join them with their message flows."""
    items, y, boxes = [], 0.0, {}
    for participant in collaboration.findall("bpmn:participant", NS):
        process = root.find(f"bpmn:process[@id='{participant.get('processRef')}']", NS)
        if process is None:  # a black-box pool: a bar with only its name
            pool = Box(0, y, 600, 80)
            items.append(("shape", participant.get("id"), pool, {"isHorizontal": "true"}))
        else:
            lanes = _lanes(process)
            placed, inner, attrs = _placed(process, [ids for _, ids in lanes])
            left = POOL_HEADER * (2 if lanes else 1)
            pool = Box(0, y, left + placed.width, placed.height)
            items.append(("shape", participant.get("id"), pool, {"isHorizontal": "true"}))
            for (lane_id, _), (top, height) in zip(lanes, placed.band_spans, strict=False):
                lane = Box(POOL_HEADER, y + top, pool.w - POOL_HEADER, height)
                items.append(("shape", lane_id, lane, {"isHorizontal": "true"}))
            items += _drawing(placed, inner, attrs, left, y)
        boxes[participant.get("id")] = pool
        y += pool.h + 40
    boxes.update({item[1]: item[2] for item in items if item[0] == "shape"})
    flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef"))
             for f in collaboration.findall("bpmn:messageFlow", NS)]
    return items + [("edge", fid, _message_route(boxes[s], boxes[t]))
                    for fid, s, t in flows if s in boxes and t in boxes]


def _message_route(src: Box, tgt: Box) -> list:
    if src.cy <= tgt.cy:
        return [(src.cx, src.y + src.h), (src.cx, tgt.y)]
    return [(src.cx, src.y), (src.cx, tgt.y + tgt.h)]


def _lanes(process) -> list[tuple[str, list[str]]]:
    """Return the process's top-level lanes with the flow nodes each holds."""
    return [(lane.get("id"), [(ref.text or "").strip() for ref in lane.findall("bpmn:flowNodeRef", NS)])
            for lane in process.findall("bpmn:laneSet/bpmn:lane", NS)]


def _placed(container, bands: list) -> tuple[Placed, dict, dict]:
    """Place a container's nodes, its expanded sub-processes measured (and placed) first."""
    sizes, inner, hosts, gateways, marked = {}, {}, {}, set(), set()
    for el in container:
        name, node_id = _local(el), el.get("id")
        if name not in _SIZES or not node_id:
            continue
        sizes[node_id] = _SIZES[name]
        if name in _CONTAINERS and any(_local(c) in _SIZES for c in el):
            inner[node_id] = _placed(el, [])
            sub = inner[node_id][0]  # (placed, its own sub-processes, their attributes)
            sizes[node_id] = (sub.width + 2 * INNER_PAD, sub.height + 2 * INNER_PAD)
        if name == "boundaryEvent" and el.get("attachedToRef"):
            hosts[node_id] = el.get("attachedToRef")
        gateways.update([node_id] if name in _GATEWAYS else [])
        marked.update([node_id] if name == "exclusiveGateway" else [])
    flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef"))
             for f in container.findall("bpmn:sequenceFlow", NS)
             if f.get("sourceRef") in sizes and f.get("targetRef") in sizes]
    graph = Graph(sizes, flows, [list(b) for b in bands], hosts, frozenset(gateways))
    attrs = {n: {"isExpanded": "true"} for n in inner} | {n: {"isMarkerVisible": "true"} for n in marked}
    return place(graph), inner, attrs


def _drawing(placed: Placed, inner: dict, attrs: dict, dx: float, dy: float) -> list:
    """Return the shapes and edges of a placed container, moved to (dx, dy), nested ones too."""
    items = []
    for node_id, box in placed.boxes.items():
        box = box.moved(dx, dy)
        items.append(("shape", node_id, box, attrs.get(node_id, {})))
        if node_id in inner:
            items += _drawing(*inner[node_id], box.x + INNER_PAD, box.y + INNER_PAD)
    items += [("edge", flow_id, [(x + dx, y + dy) for x, y in points])
              for flow_id, points in placed.waypoints.items()]
    return items


def _diagram(element_id: str, items: list) -> bytes:
    """Serialise the items as one BPMNDiagram, indented as a child of ``definitions``."""
    diagram = etree.Element(f"{{{BPMNDI}}}BPMNDiagram", nsmap={"bpmndi": BPMNDI, "dc": DC, "di": DI},
                            id=f"BPMNDiagram_{element_id}")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"BPMNPlane_{element_id}",
                             bpmnElement=element_id)
    for kind, item_id, geometry, *rest in items:
        if kind == "shape":
            shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{item_id}_di", bpmnElement=item_id,
                                     **rest[0])
            etree.SubElement(shape, f"{{{DC}}}Bounds", x=_n(geometry.x), y=_n(geometry.y),
                             width=_n(geometry.w), height=_n(geometry.h))
        else:
            edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{item_id}_di", bpmnElement=item_id)
            for x, y in geometry:
                etree.SubElement(edge, f"{{{DI}}}waypoint", x=_n(x), y=_n(y))
    etree.indent(diagram, space="  ", level=1)
    return b"  " + etree.tostring(diagram, encoding="UTF-8", xml_declaration=False).strip() + b"\n"


def _n(value: float) -> str:
    return str(round(value))


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""
