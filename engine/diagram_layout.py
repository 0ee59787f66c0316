"""Place a process's flow nodes on a grid: columns by longest path, rows by lane.

Pure geometry, no XML: ``engine.diagram`` reads the graph out of a BPMN document and writes
the boxes and waypoints this module computes back as BPMN DI. Loops back (a supplement that
returns the dossier to reception) are found by a depth-first walk from the start events and
drawn below their band instead of pushing the columns to the right forever.
"""

from collections import defaultdict
from dataclasses import dataclass, field

GAP_X, GAP_Y = 50, 30  # between columns, between rows inside a band
BAND_PAD = 30  # above and below the rows of a band; back edges run in the lower one
INNER_PAD = 25  # inside an expanded sub-process


@dataclass(frozen=True)
class Box:
    """A rectangle in diagram coordinates (y grows downwards, as in BPMN DI)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def moved(self, dx: float, dy: float) -> "Box":
        return Box(self.x + dx, self.y + dy, self.w, self.h)


@dataclass
class Graph:
    """The flow nodes of one container (a process or a sub-process) and their flows."""

    sizes: dict[str, tuple[float, float]]  # node id -> (width, height), in document order
    flows: list[tuple[str, str, str]]  # (flow id, source id, target id)
    bands: list[list[str]] = field(default_factory=list)  # node ids per lane, top to bottom
    hosts: dict[str, str] = field(default_factory=dict)  # boundary event id -> its activity
    gateways: frozenset[str] = frozenset()  # their branches leave by the top or the bottom


@dataclass
class Placed:
    """Where a graph's nodes and flows go, relative to the graph's own origin."""

    boxes: dict[str, Box]
    waypoints: dict[str, list[tuple[float, float]]]
    band_spans: list[tuple[float, float]]  # (top, height) of each band
    width: float
    height: float


def place(graph: Graph) -> Placed:
    """Return boxes for every node and orthogonal waypoints for every flow of the graph."""
    nodes = [n for n in graph.sizes if n not in graph.hosts]
    edges = [(graph.hosts.get(s, s), graph.hosts.get(t, t)) for _, s, t in graph.flows]
    rank = _ranks(nodes, edges)
    bands = _bands(graph, nodes)
    slot = _slots(bands, rank)
    col_x, col_w = _columns(graph, nodes, rank)
    boxes, spans, y = {}, [], 0.0
    for band in bands:
        row_h = _row_heights(graph, band, slot)
        row_y = [y + BAND_PAD + sum(row_h[:i]) + GAP_Y * i for i in range(len(row_h))]
        for n in band:
            w, h = graph.sizes[n]
            r, s = rank[n], slot[n]
            boxes[n] = Box(col_x[r] + (col_w[r] - w) / 2, row_y[s] + (row_h[s] - h) / 2, w, h)
        height = 2 * BAND_PAD + sum(row_h) + GAP_Y * max(len(row_h) - 1, 0)
        spans.append((y, height))
        y += height
    for event, host in graph.hosts.items():
        w, h = graph.sizes[event]
        on = boxes[host]  # the event sits on its activity's lower edge, near the right corner
        boxes[event] = Box(on.x + on.w - w - 10, on.y + on.h - h / 2, w, h)
    width = col_x[-1] + col_w[-1] if col_x else 0
    band_of = {n: i for i, band in enumerate(bands) for n in band}
    waypoints = {fid: _route(boxes[s], boxes[t], graph, s, t, rank, col_x, col_w, spans, band_of, boxes)
                 for fid, s, t in graph.flows}
    return Placed(boxes, waypoints, spans, width, y)


def _ranks(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Rank each node by its longest path from a start, ignoring edges that close a loop.

    One depth-first walk finds the loops' closing edges and the finishing order; without
    those edges, reversed finishing order is a topological order, so one pass ranks all.
    """
    succ = defaultdict(list)
    for s, t in edges:
        if s != t:
            succ[s].append(t)
    incoming = {t for _, t in edges}
    order = [n for n in nodes if n not in incoming] + [n for n in nodes if n in incoming]
    back, finished, done, on_path = set(), [], set(), set()
    for root in order:
        if root in done:
            continue
        stack = [(root, iter(succ[root]))]
        on_path.add(root)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
                finished.append(node)
                done.add(node)
            elif child in on_path:
                back.add((node, child))
            elif child not in done:
                on_path.add(child)
                stack.append((child, iter(succ[child])))
    rank = dict.fromkeys(nodes, 0)
    for node in reversed(finished):
        for child in succ[node]:
            if (node, child) not in back:
                rank[child] = max(rank[child], rank[node] + 1)
    return rank


def _bands(graph: Graph, nodes: list[str]) -> list[list[str]]:
    """Return the nodes of each lane; nodes no lane names join the first band."""
    bands = [[n for n in band if n in graph.sizes and n not in graph.hosts] for band in graph.bands]
    bands = bands or [[]]
    laned = {n for band in bands for n in band}
    bands[0] = bands[0] + [n for n in nodes if n not in laned]
    return bands


def _slots(bands: list[list[str]], rank: dict[str, int]) -> dict[str, int]:
    """Number the nodes sharing a column inside a band, top to bottom, in document order."""
    slot = {}
    for band in bands:
        taken = defaultdict(int)
        for n in band:
            slot[n] = taken[rank[n]]
            taken[rank[n]] += 1
    return slot


def _columns(graph: Graph, nodes: list[str], rank: dict[str, int]) -> tuple[list[float], list[float]]:
    widths = [0.0] * (max(rank.values(), default=-1) + 1)
    for n in nodes:
        widths[rank[n]] = max(widths[rank[n]], graph.sizes[n][0])
    xs, x = [], float(GAP_X / 2)
    for w in widths:
        xs.append(x)
        x += w + GAP_X
    return xs, widths


def _row_heights(graph: Graph, band: list[str], slot: dict[str, int]) -> list[float]:
    heights = [0.0] * (max((slot[n] for n in band), default=-1) + 1)
    for n in band:
        heights[slot[n]] = max(heights[slot[n]], graph.sizes[n][1])
    return heights or [0.0]


def _route(src: Box, tgt: Box, graph, s, t, rank, col_x, col_w, spans, band_of, boxes) -> list:
    """Draw a flow with right angles: forward to the right, loops back under the band."""
    if s in graph.hosts:  # a boundary event leaves downwards, then turns toward its target
        return [(src.cx, src.y + src.h), (src.cx, tgt.cy), (tgt.x, tgt.cy)]
    s_node, t_node = graph.hosts.get(s, s), graph.hosts.get(t, t)
    after = col_x[rank[s_node]] + col_w[rank[s_node]] + GAP_X / 2  # the free gap after the source
    if rank[t_node] <= rank[s_node]:  # a loop back: out to the gap, under the band, up (or down)
        top, height = spans[band_of[s_node]]
        low = top + height - BAND_PAD / 2
        enter = tgt.y if low < tgt.y else tgt.y + tgt.h
        return [(src.x + src.w, src.cy), (after, src.cy), (after, low), (tgt.cx, low), (tgt.cx, enter)]
    lead = [(src.cx, src.y + src.h)] if s in graph.gateways else [(src.x + src.w, src.cy), (after, src.cy)]
    in_way = [b for n, b in boxes.items() if n not in (s, t) and src.x + src.w < b.x < tgt.x
              and b.y <= src.cy <= b.y + b.h]
    if abs(src.cy - tgt.cy) < 1 and in_way:  # a branch skipping a step goes round under it
        below = max(b.y + b.h for b in in_way) + GAP_Y / 2
        before = col_x[rank[t_node]] - GAP_X / 2
        return [*lead, (lead[-1][0], below), (before, below), (before, tgt.cy), (tgt.x, tgt.cy)]
    if abs(src.cy - tgt.cy) < 1:
        return [(src.x + src.w, src.cy), (tgt.x, tgt.cy)]
    if s in graph.gateways:  # a branch leaves by the top or the bottom
        edge_y = src.y if tgt.cy < src.cy else src.y + src.h
        return [(src.cx, edge_y), (src.cx, tgt.cy), (tgt.x, tgt.cy)]
    return [(src.x + src.w, src.cy), (after, src.cy), (after, tgt.cy), (tgt.x, tgt.cy)]
