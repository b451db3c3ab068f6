"""The layer dependency graph (:data:`clientctl.layers.LAYERS`) as DOT and as SVG.

The SVG needs no graphviz: a simple layered (Sugiyama-style) layout puts each node on the rank of its
longest dependency path, orders a rank by the average position of its parents, and draws edges as curves
from the bottom of a dependency to the top of its dependent. That is enough for a small DAG like the six
layers (no edge crossings to minimise beyond the barycenter pass).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clientctl.layers import LAYERS, Layer
from clientctl.pictures import svg

NODE_WIDTH = 250
NODE_GAP_X = 36
RANK_GAP_Y = 64
MARGIN = 24
TITLE_HEIGHT = 40
NAME_SIZE = 14
DESC_SIZE = 11
DESC_CHARS = 40
LINE_HEIGHT = 14


@dataclass(frozen=True)
class Box:
    name: str
    rank: int
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2


def edges(layers: Sequence[Layer] = LAYERS) -> list[tuple[str, str]]:
    """(dependency, dependent) pairs: the apply order, as in layers.py's docstring."""
    return [(dep, layer.name) for layer in layers for dep in layer.depends_on]


def ranks(names: Sequence[str], links: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest-path rank of every node; a cycle is a ValueError (the layer graph must be a DAG)."""
    parents: dict[str, list[str]] = {n: [] for n in names}
    for src, dst in links:
        if src not in parents or dst not in parents:
            raise ValueError(f"edge {src} -> {dst} names an unknown node")
        parents[dst].append(src)
    result: dict[str, int] = {}
    visiting: set[str] = set()

    def rank_of(node: str) -> int:
        if node in result:
            return result[node]
        if node in visiting:
            raise ValueError(f"dependency cycle through {node}")
        visiting.add(node)
        value = 1 + max((rank_of(p) for p in parents[node]), default=-1)
        visiting.discard(node)
        result[node] = value
        return value

    for node in names:
        rank_of(node)
    return result


def layout(layers: Sequence[Layer] = LAYERS) -> tuple[list[Box], float, float]:
    """Boxes of every layer and the canvas size (width, height)."""
    names = [layer.name for layer in layers]
    links = edges(layers)
    rank = ranks(names, links)
    by_rank: dict[int, list[str]] = {}
    for name in names:
        by_rank.setdefault(rank[name], []).append(name)
    order: dict[str, float] = {}
    for r in sorted(by_rank):
        members = by_rank[r]

        def barycenter(name: str) -> tuple[float, str]:
            parents = [order[src] for src, dst in links if dst == name and src in order]
            return (sum(parents) / len(parents) if parents else 0.0, name)

        members.sort(key=barycenter)
        for i, name in enumerate(members):
            order[name] = i - (len(members) - 1) / 2
    widest = max(len(m) for m in by_rank.values())
    width = 2 * MARGIN + widest * NODE_WIDTH + (widest - 1) * NODE_GAP_X
    descriptions = {layer.name: tuple(svg.wrap(layer.description, DESC_CHARS)) for layer in layers}
    boxes: list[Box] = []
    y = MARGIN + TITLE_HEIGHT
    centers: dict[str, float] = {}
    step = NODE_WIDTH + NODE_GAP_X
    for r in sorted(by_rank):
        members = by_rank[r]
        height = max(28 + LINE_HEIGHT * len(descriptions[n]) for n in members) + 8
        # Under the parents' average when there are parents, else centred; then pushed apart to one step.
        wanted = []
        for name in members:
            parents = [centers[src] for src, dst in links if dst == name and src in centers]
            wanted.append(sum(parents) / len(parents) if parents else width / 2 + order[name] * step)
        placed: list[float] = []
        for center in wanted:
            placed.append(max(center, placed[-1] + step) if placed else center)
        low, high = MARGIN + NODE_WIDTH / 2, width - MARGIN - NODE_WIDTH / 2
        shift = min(0.0, high - placed[-1]) or max(0.0, low - placed[0])
        for name, center in zip(members, placed, strict=True):
            centers[name] = center + shift
            box_x = centers[name] - NODE_WIDTH / 2
            boxes.append(Box(name, r, box_x, y, NODE_WIDTH, height, descriptions[name]))
        y += height + RANK_GAP_Y
    return boxes, width, y - RANK_GAP_Y + MARGIN + 20


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(layers: Sequence[Layer] = LAYERS) -> str:
    """Graphviz DOT text (``dot -Tsvg layers.dot > layers.svg`` for users who have graphviz)."""
    out = [
        "// clientctl layer graph: apply top to bottom, destroy in reverse (src/clientctl/layers.py)",
        "digraph layers {",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#3b6fb6", fontname="Helvetica"];',
        '  edge [color="#555555"];',
    ]
    for layer in layers:
        label = "\\n".join([layer.name, *svg.wrap(layer.description, DESC_CHARS)])
        label = label.replace('"', '\\"')
        out.append(f'  {_dot_quote(layer.name)} [label="{label}", tooltip={_dot_quote(layer.description)}];')
    for src, dst in edges(layers):
        out.append(f"  {_dot_quote(src)} -> {_dot_quote(dst)};")
    out.append("}")
    return "\n".join(out) + "\n"


STYLE = (
    ".node rect{fill:#e8f0fe;stroke:#3b6fb6;stroke-width:1.5}"
    ".node:hover rect{fill:#d2e3fc}"
    ".node .name{font-size:14px;font-weight:bold;fill:#1a1a1a}"
    ".node .desc{font-size:11px;fill:#333333}"
    ".edge path{fill:none;stroke:#555555;stroke-width:1.5}"
    ".edge:hover path{stroke:#d93025;stroke-width:2.5}"
    ".caption{font-size:12px;fill:#555555}"
)


def to_svg(layers: Sequence[Layer] = LAYERS) -> str:
    boxes, width, height = layout(layers)
    root = svg.document(width, height, "clientctl layer graph", STYLE)
    defs = svg.add(root, "defs")
    marker = svg.add(
        defs, "marker", id="arrow", viewBox="0 0 10 10", refX=10, refY=5, markerWidth=8, markerHeight=8, orient="auto"
    )
    svg.add(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill="#555555")
    svg.add(
        root,
        "text",
        "clientctl layers: apply top to bottom, destroy in reverse",
        x=MARGIN,
        y=MARGIN + 8,
        class_="caption",
    )
    by_name = {b.name: b for b in boxes}
    edge_group = svg.add(root, "g", id="edges")
    for src, dst in edges(layers):
        a, b = by_name[src], by_name[dst]
        x1, y1, x2, y2 = a.center_x, a.y + a.height, b.center_x, b.y
        mid = (y1 + y2) / 2
        g = svg.add(edge_group, "g", class_="edge", id=f"edge-{src}-{dst}")
        g.set("data-from", src)
        g.set("data-to", dst)
        svg.add(g, "title", f"{src} → {dst}: {dst} depends on {src}")
        path = f"M {svg.num(x1)} {svg.num(y1)} C {svg.num(x1)} {svg.num(mid)}, {svg.num(x2)} {svg.num(mid)}, {svg.num(x2)} {svg.num(y2)}"
        svg.add(g, "path", d=path, marker_end="url(#arrow)")
    node_group = svg.add(root, "g", id="nodes")
    descriptions = {layer.name: layer.description for layer in layers}
    for box in boxes:
        g = svg.add(node_group, "g", class_="node", id=f"node-{box.name}")
        g.set("data-rank", str(box.rank))
        svg.add(g, "title", f"{box.name}: {descriptions[box.name]}")
        svg.add(g, "rect", x=box.x, y=box.y, width=box.width, height=box.height, rx=8, ry=8)
        svg.add(g, "text", box.name, x=box.center_x, y=box.y + 20, text_anchor="middle", class_="name")
        for i, line in enumerate(box.lines):
            svg.add(
                g, "text", line, x=box.center_x, y=box.y + 38 + i * LINE_HEIGHT, text_anchor="middle", class_="desc"
            )
    return svg.to_text(root)
