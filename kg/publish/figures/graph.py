"""The ``graph`` view: one node per distinct ``?source``/``?target``, one edge per row.

Nodes are coloured by ``?sourceKindLabel``/``?targetKindLabel``; edges are drawn and labelled
by ``?edgeLabel``, with ``?evidence`` as their hover text and ``?evidenceUrl`` as their link.
Two layouts, both computed here because the graphs are small and a fixed, deterministic
placement matters more than a general one:

* ``circle`` (default): nodes on a circle, each connected component together and ordered
  breadth-first, so linked nodes sit near each other; labels outside, edge labels placed
  where they overlap nothing.
* ``layered`` (``#+ view: {type: graph, layout: layered}``): a left-to-right tree for
  derivations, the edge's target (the base) left of its source (the derivative).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from kg.publish.figures.svg import (
    MUTED,
    PAPER,
    Legend,
    Palette,
    View,
    colour_legend,
    el,
    halo_label,
    ink_on,
    label,
    text_width,
    wrap,
)
from kg.publish.figures.table import Rows

DASHES = ("", "8 5", "2 4", "10 4 2 4", "14 6")
#: Edge colours: Okabe-Ito from the dark end, so edges stand apart from the node fills.
EDGE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass
class Node:
    iri: str
    label: str
    kind: str
    neighbours: set[str] = field(default_factory=set)
    detail: str = ""


@dataclass
class Edge:
    key: str
    source: str
    target: str
    kind: str
    title: str
    href: str


def draw(rows: Rows) -> View:
    nodes, edges = read(rows)
    if not nodes:
        raise ValueError("a graph view needs ?source and ?target columns with values")
    palette = Palette([n.kind for n in nodes.values()])
    kinds = sorted({e.kind for e in edges})
    styles = {k: {"stroke": EDGE_COLOURS[i % len(EDGE_COLOURS)],
                  "stroke-dasharray": DASHES[i % len(DASHES)] or None}
              for i, k in enumerate(kinds)}
    body = el(None, "g", class_="view-graph", data_view="graph")
    if rows.options.get("layout") == "layered":
        size = _layered(body, nodes, edges, palette, styles)
    else:
        size = _circle(body, nodes, edges, palette, styles, rows.options.get("centre"))
    edge_legend = Legend("Edge")
    for kind in kinds:
        edge_legend.add({"stroke-width": "3", **{k: v for k, v in styles[kind].items() if v}},
                        kind, "line")
    alt = "; ".join(f"{nodes[e.source].label} ↔ {nodes[e.target].label} ({e.kind})"
                    for e in edges)
    return View(body, size, [colour_legend("Node", palette), edge_legend],
                f"{len(nodes)} nodes and {len(edges)} edges: {alt}.")


def read(rows: Rows) -> tuple[dict[str, Node], list[Edge]]:
    """Nodes and edges exactly as the rows give them (rows with one end unbound are skipped)."""
    source, target = rows.role("source"), rows.role("target")
    if source is None or target is None:
        raise ValueError("a graph view needs ?source and ?target columns")
    edge_col, kind_col = rows.role("edge"), rows.role("edgeLabel")
    evidence, url = rows.role("evidence"), rows.role("evidenceUrl")
    detail = rows.role("detail", "")
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    seen: set[tuple[str, str, str, str]] = set()
    for row in rows.rows:
        if not row.get(source) or not row.get(target):
            continue
        for end in (source, target):
            nodes.setdefault(row[end], Node(row[end], rows.text(row, end),
                                            rows.text(row, f"{end}Kind")))
        if detail and row.get(detail):  # what the source node belongs to (its project)
            nodes[row[source]].detail = rows.text(row, detail)
        kind = row.get(kind_col, "") if kind_col else ""
        key = (row.get(edge_col, "") if edge_col else "", row[source], row[target], kind)
        if key in seen:  # the same edge on several rows (e.g. one row per project)
            continue
        seen.add(key)
        nodes[row[source]].neighbours.add(row[target])
        nodes[row[target]].neighbours.add(row[source])
        text = f"{nodes[row[source]].label} ↔ {nodes[row[target]].label}: {kind or 'linked'}"
        if evidence and row.get(evidence):
            text += f". {row[evidence]}"
        if url and row.get(url):
            text += f" Source: {row[url]}"
        href = row.get(url, "") if url else ""
        edges.append(Edge(key[0], row[source], row[target], kind, text,
                          href if href.startswith(("https://", "http://")) else ""))
    return nodes, edges


def _order(nodes: dict[str, Node]) -> list[str | None]:
    """Components, largest first; within each, breadth-first from its best-linked node;
    ``None`` marks an empty place between components, so they stand apart."""
    left = set(nodes)
    order: list[str | None] = []
    components: list[list[str]] = []
    while left:
        start = min(left, key=lambda n: (-len(nodes[n].neighbours), nodes[n].label))
        arc, queue, side = deque([start]), deque([start]), {start: 0}
        left.discard(start)
        while queue:
            current = queue.popleft()
            for k, nb in enumerate(sorted(nodes[current].neighbours & left,
                                          key=lambda n: nodes[n].label)):
                left.discard(nb)
                # The hub's neighbours alternate sides; the others follow their parent's.
                side[nb] = (1 if k % 2 == 0 else -1) if current == start else side[current]
                if side[nb] < 0:
                    arc.appendleft(nb)
                else:
                    arc.append(nb)
                queue.append(nb)
        components.append(list(arc))
    for component in sorted(components, key=lambda c: (-len(c), nodes[c[0]].label)):
        order.extend(component)
        if len(components) > 1:
            order.append(None)
    if order and order[-1] is None:  # a gap at the top, where labels would meet the caption
        order = [None, *order[:-1]]
    return order


def _circle(body, nodes: dict[str, Node], edges: list[Edge], palette: Palette,
            styles: dict, centre: str | None = None) -> tuple[float, float]:
    """Nodes on a circle; with ``centre`` (an entity's neighbourhood) that node in the middle,
    its neighbours around it."""
    if centre not in nodes:
        centre = None
    slots = _order(nodes)
    if centre is not None:
        slots = [s for s in slots if s is not None and s != centre]
    count = max(1, len(slots))
    radius = max(170.0, count * 15.0)
    label_w = 190.0
    tallest = max(len(wrap(n.label, label_w, 13)) for n in nodes.values())
    cx, cy = label_w + radius + 30, radius + 30 + 16 * tallest
    position = {}
    for i, iri in enumerate(slots):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        if iri is not None:
            position[iri] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle),
                             angle)
    if centre is not None:
        position[centre] = (cx, cy, math.pi / 2)  # its label below it
        slots.append(centre)
    order = [iri for iri in slots if iri is not None]
    boxes: list[tuple[float, float, float, float]] = []
    node_layer = el(None, "g", class_="nodes")
    for iri in order:
        node = nodes[iri]
        x, y, angle = position[iri]
        group = el(node_layer, "g", class_="node", data_iri=iri)
        el(group, "title", f"{node.label}" + (f": {node.kind}" if node.kind else ""))
        el(group, "circle", cx=x, cy=y, r=11, **palette.style(node.kind))
        lines = wrap(node.label, label_w, 13)
        cos, sin = math.cos(angle), math.sin(angle)
        lx, ly = x + 18 * cos, y + 18 * sin
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        top = ly - 8 * (len(lines) - 1) + 4 if abs(sin) < 0.8 else (
            ly + 10 if sin > 0 else ly - 16 * (len(lines) - 1) - 2)
        for n, line in enumerate(lines):
            text_y = top + 16 * n
            halo_label(group, lx, text_y, line, 13, anchor=anchor)
            w = text_width(line, 13)
            x0 = lx if anchor == "start" else lx - w if anchor == "end" else lx - w / 2
            boxes.append((x0, text_y - 12, x0 + w, text_y + 4))
        boxes.append((x - 12, y - 12, x + 12, y + 12))
    edge_layer = el(body, "g", class_="edges")
    pairs: dict[frozenset, int] = {}
    for edge in edges:
        (x1, y1, _), (x2, y2, _) = position[edge.source], position[edge.target]
        nth = pairs.get(frozenset((edge.source, edge.target)), 0)
        pairs[frozenset((edge.source, edge.target))] = nth + 1
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        if centre in (edge.source, edge.target):  # a spoke: parallel links fan out sideways
            length = math.hypot(x2 - x1, y2 - y1) or 1
            bend = 36.0 * ((nth + 1) // 2) * (1 if nth % 2 else -1)
            qx, qy = mx - (y2 - y1) / length * bend, my + (x2 - x1) / length * bend
        else:
            pull = 0.3 + 0.18 * nth
            qx, qy = mx + (cx - mx) * pull, my + (cy - my) * pull
        _edge(edge_layer, edge, f"M{x1:.1f} {y1:.1f} Q{qx:.1f} {qy:.1f} {x2:.1f} {y2:.1f}",
              styles, [(x1, y1), (qx, qy), (x2, y2)], boxes)
    body.append(node_layer)
    return cx + radius + label_w + 30, cy + radius + 30 + 16 * tallest


def _bezier(points, t: float) -> tuple[float, float]:
    (x1, y1), (qx, qy), (x2, y2) = points[0], points[1], points[-1]
    if len(points) == 4:  # cubic
        (ax, ay), (bx, by) = points[1], points[2]
        u = 1 - t
        return (u ** 3 * x1 + 3 * u * u * t * ax + 3 * u * t * t * bx + t ** 3 * x2,
                u ** 3 * y1 + 3 * u * u * t * ay + 3 * u * t * t * by + t ** 3 * y2)
    u = 1 - t
    return (u * u * x1 + 2 * u * t * qx + t * t * x2, u * u * y1 + 2 * u * t * qy + t * t * y2)


def _edge(layer, edge: Edge, path: str, styles: dict, points, boxes, marker: str | None = None,
          show_label: bool = True) -> None:
    holder = el(layer, "a", href=edge.href, class_="edge-link") if edge.href else layer
    group = el(holder, "g", class_="edge", data_source=edge.source, data_target=edge.target,
               data_kind=edge.kind, data_iri=edge.key or None)
    el(group, "title", edge.title)
    style = styles.get(edge.kind, {"stroke": MUTED})
    el(group, "path", d=path, fill="none", stroke_width=2.5, marker_end=marker,
       **{k.replace("-", "_"): v for k, v in style.items() if v})
    el(group, "path", d=path, fill="none", stroke="transparent", stroke_width=12)  # hover
    if not show_label or not edge.kind:
        return
    w, spots = text_width(edge.kind, 11) + 10, []
    for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
        (ax, ay), (bx, by) = _bezier(points, t - 0.01), _bezier(points, t + 0.01)
        length = math.hypot(bx - ax, by - ay) or 1
        nx, ny = -(by - ay) / length, (bx - ax) / length
        x, y = _bezier(points, t)
        spots.extend((x + nx * off, y + ny * off) for off in (0, 14, -14, 28, -28))
    for x, y in spots:
        box = (x - w / 2, y - 9, x + w / 2, y + 9)
        if not any(_overlap(box, other) for other in boxes):
            break
    else:
        x, y = spots[0]
        box = (x - w / 2, y - 9, x + w / 2, y + 9)
    boxes.append(box)
    tag = el(group, "g", class_="edge-label")
    el(tag, "rect", x=box[0], y=box[1], width=w, height=18, rx=9, fill=PAPER,
       fill_opacity=0.92, stroke=style["stroke"], stroke_width=1)
    label(tag, x, y + 4, edge.kind, 11, anchor="middle")


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _layered(body, nodes: dict[str, Node], edges: list[Edge], palette: Palette,
             styles: dict) -> tuple[float, float]:
    bases = {e.source: set() for e in edges}
    children: dict[str, list[str]] = {iri: [] for iri in nodes}
    for edge in edges:
        bases[edge.source].add(edge.target)
        children[edge.target].append(edge.source)
    depth: dict[str, int] = {}

    def depth_of(iri: str, trail: frozenset = frozenset()) -> int:
        if iri not in depth:
            parents = [p for p in bases.get(iri, ()) if p not in trail]
            depth[iri] = 1 + max((depth_of(p, trail | {iri}) for p in parents), default=-1)
        return depth[iri]

    for iri in nodes:
        depth_of(iri)
    slots: dict[str, float] = {}
    next_slot = [0]

    def place(iri: str) -> float:
        if iri in slots:
            return slots[iri]
        slots[iri] = -1  # in progress: a cycle back here is ignored
        kids = [place(c) for c in sorted(children[iri], key=lambda c: nodes[c].label)
                if slots.get(c) != -1]
        kids = [k for k in kids if k >= 0]
        if kids:
            slots[iri] = (min(kids) + max(kids)) / 2
        else:
            slots[iri] = next_slot[0]
            next_slot[0] += 1
        return slots[iri]

    roots = sorted((n for n in nodes if depth[n] == 0), key=lambda n: nodes[n].label)
    for root in roots:
        place(root)
        next_slot[0] += 0.5  # a little air between trees
    for iri in nodes:
        place(iri)
    columns = max(depth.values()) + 1
    def extent(node: Node) -> float:
        extra = text_width(node.detail, 12) + 10 if node.detail else 0
        return text_width(node.label, 13) + 24 + extra

    widths = [max(extent(nodes[n]) for n in nodes if depth[n] == c) for c in range(columns)]
    gap = 150
    xs = [sum(widths[:c]) + gap * c for c in range(columns)]
    row_h = 46
    box = {}
    node_layer = el(None, "g", class_="nodes")
    for iri, node in nodes.items():
        c = depth[iri]
        x, y, w = xs[c], 28 + slots[iri] * row_h, text_width(node.label, 13) + 24
        box[iri] = (x, y, w)
        group = el(node_layer, "g", class_="node", data_iri=iri)
        el(group, "title", f"{node.label}" + (f": {node.kind}" if node.kind else ""))
        style = palette.style(node.kind)
        el(group, "rect", x=x, y=y, width=w, height=30, rx=8, **style)
        label(group, x + 12, y + 20, node.label, 13, fill=ink_on(style["fill"]))
        if node.detail:
            label(group, x + w + 8, y + 20, node.detail, 12, fill=MUTED, class_="detail")
    defs = el(body, "defs")
    markers = {}
    for i, kind in enumerate(sorted(styles)):
        marker = el(defs, "marker", id=f"arrow-{i}", viewBox="0 0 10 10", refX=9, refY=5,
                    markerWidth=7, markerHeight=7, orient="auto-start-reverse")
        el(marker, "path", d="M0 0 L10 5 L0 10 z", fill=styles[kind]["stroke"])
        markers[kind] = f"url(#arrow-{i})"
    edge_layer = el(body, "g", class_="edges")
    boxes = [(x, y, x + w, y + 30) for x, y, w in box.values()]
    for edge in edges:
        sx, sy, _ = box[edge.source]
        tx, ty, _ = box[edge.target]
        x1, y1, x2, y2 = sx, sy + 15, tx + extent(nodes[edge.target]) + 4, ty + 15
        bend = (x1 - x2) / 2
        points = [(x1, y1), (x1 - bend, y1), (x2 + bend, y2), (x2, y2)]
        _edge(edge_layer, edge, f"M{x1:.1f} {y1:.1f} C{x1 - bend:.1f} {y1:.1f} "
              f"{x2 + bend:.1f} {y2:.1f} {x2:.1f} {y2:.1f}", styles, points, boxes,
              markers.get(edge.kind), show_label=False)
    body.append(node_layer)
    height = (max(slots.values()) + 1) * row_h
    header = el(body, "g", class_="columns")
    for c in range(columns):
        text = "base models" if c == 0 else f"derived, step {c}"
        label(header, xs[c], 12, text, 12, fill=MUTED)
    body.set("data-layout", "layered")
    return xs[-1] + widths[-1] + 20, height + 38

