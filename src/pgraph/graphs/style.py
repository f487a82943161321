"""How nodes and edges look in every export (PNG/SVG, DOT, GEXF, GraphML), so each file opens
looking like the picture: colour by kind, size by participants, width by weight, the same layout."""
from __future__ import annotations

import math
from typing import Any

from .picture import DPI, KIND_COLOURS, SIZE_INCHES, _layout

EDGE_COLOUR = "#8c8c8c"
OTHER_COLOUR = "#999999"


def colour(kind: str) -> str:
    """The fill colour of a node of this kind, as #rrggbb."""
    return KIND_COLOURS.get(kind, OTHER_COLOUR)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """#rrggbb as three 0-255 integers."""
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def marker_area(participants: int) -> float:
    """A node's marker area in square points, as the picture draws it (grows with the root of its participants)."""
    return 120 + 160 * math.sqrt(max(0, participants))


def marker_diameter(participants: int) -> float:
    """A node's marker diameter in points (1/72 inch)."""
    return 2 * math.sqrt(marker_area(participants) / math.pi)


def edge_width(weight: float, heaviest: float) -> float:
    """An edge's line width in points: 0.6 for the lightest, 6.6 for the heaviest."""
    return 0.6 + 6.0 * (weight / (heaviest or 1.0))


SUSPENDED_COLOUR = "#c00000"


def edge_look(g: Any, data: dict[str, Any], heaviest: float) -> tuple[float, str]:
    """An edge's width (points) and colour as the picture draws it: overlap edges as wide as their weight;
    membership edges thin, a suspended participation red."""
    if g.graph.get("query") == "memberships":
        return (1.4, SUSPENDED_COLOUR) if data.get("status") == "suspended" else (1.0, EDGE_COLOUR)
    return edge_width(largest(data.get("weight", 1.0)), heaviest), EDGE_COLOUR


def largest(value: Any) -> float:
    """A value that may be dynamic ([(value, start, end), ...]) as its largest value."""
    if isinstance(value, list):
        return max((float(v[0]) for v in value), default=0.0)
    return float(value or 0)


def static_view(g: Any) -> Any:
    """The graph with every dynamic participants count and weight replaced by its largest value."""
    h = g.copy()
    for _, data in h.nodes(data=True):
        data["participants"] = int(largest(data.get("participants", 0)))
    for *_, data in h.edges(data=True):
        data["weight"] = largest(data.get("weight", 1.0))
    return h


def positions_inches(g: Any) -> dict[Any, tuple[float, float]]:
    """The picture's layout, in inches from the picture's centre (y upwards), on the picture's canvas."""
    pos = _layout(static_view(g))
    half_w, half_h = SIZE_INCHES[0] / 2, SIZE_INCHES[1] / 2
    return {n: (float(x) / 1.15 * half_w, float(y) / 1.12 * half_h) for n, (x, y) in pos.items()}


def positions_pixels(g: Any) -> dict[Any, tuple[float, float]]:
    """The same layout in the picture's pixels (Gephi and Cytoscape coordinates)."""
    return {n: (x * DPI, y * DPI) for n, (x, y) in positions_inches(g).items()}
