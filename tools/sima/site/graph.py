"""Relation graphs as SVG, drawn at build time (no script, no library, no network).

- [`neighbourhood_svg`][sima.site.graph.neighbourhood_svg]: one entry in the middle, the
  entries that link to it on the left, those it links to on the right.
- [`site_svg`][sima.site.graph.site_svg]: every entry on a circle, grouped and coloured by
  type, with every link as a line.

Both are pure functions of plain data. Nodes are SVG links (`<a xlink:href>`: Material's
instant navigation rewrites every `a[href]` it finds and fails on SVG ones, so
`find.js` follows these links itself) with the title as
`<title>` (a tooltip and an accessible name); colours are CSS classes (`sima-node--tN`)
so the light and dark palettes style them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_NAMESPACES = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
NODE_W = 92
NODE_H = 26
ROW = 34


@dataclass(frozen=True)
class Node:
    """An entry as the graph shows it.

    Attributes:
        ref_id: Its ID (the node's label).
        title: Its title (tooltip).
        type: Its type (colour).
        url: Link to its page, relative to the page the SVG is on.
    """

    ref_id: str
    title: str
    type: str
    url: str


def type_classes(types: Iterable[str]) -> dict[str, str]:
    """A stable CSS class per type: `sima-node--t0`, `--t1`... in sorted order (8 colours)."""
    return {kind: f"sima-node--t{i % 8}" for i, kind in enumerate(sorted(set(types)))}


def _node(node: Node, x: float, y: float, css: str, extra: str = "") -> str:
    label = html.escape(node.ref_id)
    title = html.escape(f"{node.ref_id}: {node.title} ({node.type})")
    return (
        f'<a xlink:href="{html.escape(node.url)}" class="sima-node {css}{extra}" tabindex="0">'
        f"<title>{title}</title>"
        f'<rect x="{x - NODE_W / 2:.1f}" y="{y - NODE_H / 2:.1f}" width="{NODE_W}" '
        f'height="{NODE_H}" rx="5"/>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{label}</text></a>'
    )


def _clip(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float, float, float]:
    """Shorten a segment between two node centres to the nodes' borders (plus a gap)."""
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    if length == 0:
        return x1, y1, x2, y2
    half_w, half_h = NODE_W / 2 + 3, NODE_H / 2 + 3
    exit_at = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    if exit_at >= 0.5:
        return x1, y1, x2, y2
    return x1 + dx * exit_at, y1 + dy * exit_at, x2 - dx * exit_at, y2 - dy * exit_at


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        'class="sima-edge" marker-end="url(#sima-arrow)"/>'
    )


_DEFS = (
    '<defs><marker id="sima-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
    'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
    '<path d="M0,0 L10,5 L0,10 z" class="sima-arrowhead"/></marker></defs>'
)


def neighbourhood_svg(
    centre: Node, inbound: Sequence[Node], outbound: Sequence[Node], classes: Mapping[str, str]
) -> str:
    """The entries that link to `centre` (left) and those it links to (right)."""
    rows = max(len(inbound), len(outbound), 1)
    height = rows * ROW + 16
    width = 520
    cx, cy = width / 2, height / 2
    left, right = 60.0, width - 60.0
    parts = [
        f'<svg {_NAMESPACES} viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="sima-graph-svg" role="img" '
        f'aria-label="Links of {html.escape(centre.ref_id)}">',
        _DEFS,
    ]

    def column(nodes: Sequence[Node]) -> list[float]:
        top = cy - (len(nodes) - 1) * ROW / 2
        return [top + i * ROW for i in range(len(nodes))]

    for y in column(inbound):
        parts.append(_arrow(left + NODE_W / 2, y, cx - NODE_W / 2, cy))
    for y in column(outbound):
        parts.append(_arrow(cx + NODE_W / 2, cy, right - NODE_W / 2, y))
    for node, y in zip(inbound, column(inbound), strict=True):
        parts.append(_node(node, left, y, classes.get(node.type, "")))
    for node, y in zip(outbound, column(outbound), strict=True):
        parts.append(_node(node, right, y, classes.get(node.type, "")))
    parts.append(_node(centre, cx, cy, classes.get(centre.type, ""), " sima-node--centre"))
    parts.append("</svg>")
    return "".join(parts)


def site_svg(
    nodes: Sequence[Node],
    edges: Iterable[tuple[str, str]],
    classes: Mapping[str, str],
) -> str:
    """Every entry on a circle, grouped by type, and every link between them."""
    ordered = sorted(nodes, key=lambda n: (n.type, n.ref_id))
    count = max(len(ordered), 1)
    radius = max(120.0, count * (NODE_W * 0.45) / math.pi)
    size = 2 * radius + 2 * NODE_W
    centre = size / 2
    place: dict[str, tuple[float, float]] = {}
    for i, node in enumerate(ordered):
        angle = 2 * math.pi * i / count - math.pi / 2
        place[node.ref_id] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle))
    parts = [
        f'<svg {_NAMESPACES} viewBox="0 0 {size:.0f} {size:.0f}" '
        f'width="{size:.0f}" height="{size:.0f}" '
        'class="sima-graph-svg sima-graph-svg--site" role="img" '
        f'aria-label="All {len(ordered)} entries and their links">',
        _DEFS,
    ]
    for source, target in sorted(set(edges)):
        if source in place and target in place and source != target:
            (x1, y1), (x2, y2) = place[source], place[target]
            parts.append(_arrow(*_clip(x1, y1, x2, y2)))
    for node in ordered:
        x, y = place[node.ref_id]
        parts.append(_node(node, x, y, classes.get(node.type, "")))
    parts.append("</svg>")
    return "".join(parts)


def legend(classes: Mapping[str, str]) -> str:
    """An HTML legend of the type colours."""
    items = "".join(
        f'<span class="sima-legend__item"><svg viewBox="0 0 12 12" width="12" height="12" '
        f'aria-hidden="true"><rect width="12" height="12" rx="2" class="sima-node {css}"/></svg> '
        f"{html.escape(kind)}</span>"
        for kind, css in sorted(classes.items())
    )
    return f'<p class="sima-legend">{items}</p>'
