"""How nodes and edges look in every export (DOT, GEXF, GraphML), taken from the picture itself
(drawing.compose), so each file opens looking like the PNG: colour by kind, marker size by
participants, edge width by weight, the same positions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .drawing import KIND_COLOURS, Circle, compose

EDGE_COLOUR = "#8c8c8c"
SUSPENDED_COLOUR = "#c00000"
OTHER_COLOUR = "#999999"


@dataclass
class Look:
    """Where each node is drawn (canvas pixels, 1/100 inch, y upwards) and its marker's radius."""

    pos: dict[Any, tuple[float, float]]
    radius: dict[Any, float]


def colour(kind: str) -> str:
    """The fill colour of a node of this kind, as #rrggbb."""
    return KIND_COLOURS.get(kind, OTHER_COLOUR)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """#rrggbb as three 0-255 integers."""
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def largest(value: Any) -> float:
    """A value that may be dynamic ([(value, start, end), ...]) as its largest value."""
    if isinstance(value, list):
        return max((float(v[0]) for v in value), default=0.0)
    return float(value or 0)


def static_view(g: Any) -> Any:
    """The graph with every dynamic participants count and weight replaced by its largest value
    (a graph of one date is itself: copying 249k edges for nothing cost a second at 1M triples)."""
    if g.graph.get("mode") != "dynamic":
        return g
    h = g.copy()
    for _, data in h.nodes(data=True):
        data["participants"] = int(largest(data.get("participants", 0)))
    for *_, data in h.edges(data=True):
        data["weight"] = largest(data.get("weight", 1.0))
    return h


def look(g: Any) -> Look:
    """The picture's positions and marker sizes for every node; nodes a crowded picture leaves out
    are put in rows below it, at the smallest marker size."""
    picture = compose(static_view(g), key=False)
    drawn = {s.node: s for s in picture.shapes if isinstance(s, Circle) and s.node}
    pos = {n: (c.x, -c.y) for n, c in drawn.items()}
    radius = {n: c.r for n, c in drawn.items()}
    left_out = [n for n in g.nodes() if str(n) not in drawn]
    for i, n in enumerate(left_out):
        row, col = divmod(i, 40)
        pos[n] = (20.0 + 30.0 * col, -(picture.height + 30.0 + 30.0 * row))
        radius[n] = 5.0
    return Look({n: pos[str(n)] if str(n) in pos else pos[n] for n in g.nodes()},
                {n: radius[str(n)] if str(n) in radius else radius[n] for n in g.nodes()})


def edge_look(g: Any, data: dict[str, Any], heaviest: float) -> tuple[float, str]:
    """An edge's width (canvas pixels) and colour as the picture draws it: overlap edges as wide as
    their weight; membership edges thin, a suspended participation red."""
    if g.graph.get("query") == "memberships":
        return (1.6, SUSPENDED_COLOUR) if data.get("status") == "suspended" else (1.0, EDGE_COLOUR)
    return 0.8 + 7.0 * largest(data.get("weight", 1.0)) / (heaviest or 1.0), EDGE_COLOUR


def edge_looks(g: Any, datas: list[dict[str, Any]]) -> tuple[list[float], list[str]]:
    """edge_look of every edge, against the heaviest weight: the widths worked out once per distinct
    weight (a million-triple overlap graph has 243k edges but a few hundred weights)."""
    weights = [d.get("weight", 1.0) for d in datas]
    heaviest = max(map(largest, weights), default=1.0)
    if g.graph.get("query") == "memberships" or any(isinstance(w, list) for w in weights):
        looks = [edge_look(g, d, heaviest) for d in datas]
        return [w for w, _ in looks], [c for _, c in looks]
    width: dict[Any, float] = {}
    for w in weights:
        if w not in width:  # equal weights (1 and 1.0, 0.0 and -0.0) have equal widths
            width[w] = edge_look(g, {"weight": w}, heaviest)[0]
    return [width[w] for w in weights], [EDGE_COLOUR] * len(weights)
