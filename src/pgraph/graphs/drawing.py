"""A graph picture as plain shapes in canvas pixels (lines, circles, texts, each with its hover title).

The SVG writer and the PNG renderer draw the same shapes, so both pictures agree; every text from
the data stays plain text here (no markup, no math), and the renderers escape it.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any

from .layout import EDGE_LIMIT, Scene, scene

KIND_COLOURS = {
    "framework": "#1f4e79", "initiative": "#c55a11", "special-body": "#7030a0", "forum": "#2e75b6",
    "programme": "#548235", "tool": "#bf9000", "document": "#7f7f7f", "trust-fund": "#a50021",
    "country": "#d9d9d9", "organisation": "#ffd966",
}
WIDTH, HEIGHT = 1300, 900          # canvas pixels; the PNG is drawn at 1.4x (1820 x 1260)
PLOT = (20.0, 900.0)               # the network's left and right edges
PANEL = 925.0                      # the legend and the acronym key start here
TOP = 96.0                         # below the title, subtitle and caption
KEY_LIMIT = 60                     # acronyms expanded in the key at most
KEY_WRAP = 54                      # characters per key line
LINE = 14.0                        # key line height


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    colour: str
    opacity: float = 1.0
    dashed: bool = False
    title: str = ""


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    fill: str
    title: str = ""
    node: str = ""


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 12.0
    bold: bool = False
    anchor: str = "start"        # start, middle, end
    colour: str = "#111111"
    halo: bool = False
    node: str = ""


@dataclass
class Picture:
    """Everything one picture draws, back to front, on a canvas of width x height pixels."""

    width: float
    height: float
    title: str
    description: str
    shapes: list[Any]
    scene: Scene


def radius(participants: int, *, cap: float = 28.0) -> float:
    """Marker radius in pixels: area grows with the number of active participants."""
    return min(cap, 5.0 + 3.2 * math.sqrt(max(0, participants)))


def short(g: Any, n: Any) -> str:
    return str(g.nodes[n].get("short") or n)


def _node_title(g: Any, n: Any) -> str:
    d = g.nodes[n]
    label, kind = str(d.get("label") or n), str(d.get("kind", ""))
    name = label if short(g, n) == label else f"{label} ({short(g, n)})"
    if d.get("node_type", "instrument") == "instrument":
        return f"{name}: {kind}, {int(d.get('participants', 0) or 0)} active participants"
    return f"{name}: {kind}, {d.get('status', '')}".rstrip(", ")


def _key_entries(g: Any, nodes: list[Any]) -> list[str]:
    """'ACRONYM: full name' for every drawn node whose short name is not its full name."""
    entries = {}
    for n in nodes:
        label = str(g.nodes[n].get("label") or "")
        if label and label != short(g, n):
            entries[f"{short(g, n)}: {label}"] = None
    return sorted(entries, key=str.lower)


def compose(g: Any, *, key: bool = True, edge_limit: int = EDGE_LIMIT) -> Picture:
    """The picture of a graph: strongest edges, sized and coloured markers, labels under markers, legend, key.

    key=False leaves out the panel of names (a page that shows the picture beside a table of names
    uses it): the canvas is then narrower, so the picture stays legible at a printed page's width.
    edge_limit: the strongest edges drawn at most (the caption says how many of how many).
    """
    s = scene(g, edge_limit=edge_limit)
    memberships = g.graph.get("query") == "memberships"
    entries = _key_entries(g, s.nodes) if key else []
    shown, more = entries[:KEY_LIMIT], len(entries) - KEY_LIMIT
    key_lines = [line for e in shown for line in textwrap.wrap(e, KEY_WRAP, subsequent_indent="   ")]
    kinds = sorted({str(g.nodes[n].get("kind", "")) for n in s.nodes})
    top = TOP if key else TOP + 22
    key_top = top + 30 + 20 * len(kinds) + 30
    height = max(HEIGHT, key_top + LINE * (len(key_lines) + 2) + 20) if key else HEIGHT
    width = WIDTH if key else PLOT[1] + PLOT[0]
    x0, x1, y0, y1 = PLOT[0], PLOT[1], top, height - 12

    def at(n: Any) -> tuple[float, float]:
        fx, fy = s.pos[n]
        return x0 + (x1 - x0) * fx, y0 + (y1 - y0) * fy

    shapes: list[Any] = []
    metric = g.graph.get("metric")
    strongest = max((float(d.get("weight", 1.0) or 0.0) for *_, d in s.edges), default=1.0) or 1.0
    for a, b, d in s.edges:
        (ax, ay), (bx, by) = at(a), at(b)
        if memberships:
            suspended = d.get("status") == "suspended"
            shapes.append(Line(ax, ay, bx, by, 1.6 if suspended else 1.0, "#c00000" if suspended else "#8c8c8c",
                               0.8 if suspended else 0.6, suspended,
                               f"{short(g, a)} – {short(g, b)}: {d.get('status', '')}"))
        else:
            w = float(d.get("weight", 1.0) or 0.0)
            shapes.append(Line(ax, ay, bx, by, 0.8 + 7.0 * w / strongest, "#8c8c8c", 0.55, False,
                               f"{short(g, a)} – {short(g, b)}: {metric} {w:g}, {d.get('shared', '?')} shared"))
    strip = set(s.alone)
    biggest = max(9.0, min(28.0, 160.0 / math.sqrt(max(1, len(s.linked)))))  # crowded pictures get smaller markers
    if s.alone:
        line_y = y0 + (y1 - y0) * s.strip_top - 6
        shapes.append(Line(x0, line_y, x1, line_y, 0.8, "#cccccc", 1.0, True))
        caption = ("instruments with no active participant on this date" if memberships
                   else "instruments that share no active participant with another on this date")
        shapes.append(Text(x0, line_y - 6, f"{s.alone_total} {caption}", 12.0, colour="#555555"))
    for n in s.nodes:
        x, y = at(n)
        r = radius(int(g.nodes[n].get("participants", 0) or 0), cap=14.0 if n in strip else biggest)
        colour = KIND_COLOURS.get(str(g.nodes[n].get("kind", "")), "#999999")
        shapes.append(Circle(x, y, r, colour, _node_title(g, n), str(n)))
        shapes.append(Text(x, y + r + (11.0 if n in strip else 12.5), short(g, n), 11.0 if n in strip else 12.0,
                           bold=True, anchor="middle", halo=True, node=str(n)))
    subtitle = ("node size: active participants; edge width: " + str(metric) if metric
                else "instruments and their participants; red dashed: suspended")
    subtitle += f"; pgraph {g.graph.get('pgraph_version', '')}"
    shapes.append(Text(x0, 30, str(g.graph.get("title", "")), 20.0, bold=True))
    shapes.append(Text(x0, 54, subtitle, 13.0, colour="#333333"))
    if s.trimmed:
        shapes.append(Text(x0, 74, s.caption(), 13.0, colour="#a50021"))
    if key:
        y = top + 10
        shapes.append(Text(PANEL, y, "kind", 13.0, bold=True))
        for kind in kinds:
            y += 20
            shapes.append(Circle(PANEL + 7, y - 4, 7, KIND_COLOURS.get(kind, "#999999")))
            shapes.append(Text(PANEL + 20, y, kind, 12.0))
    else:  # the legend as one row under the title
        x, y = x0, top - 14
        shapes.append(Text(x, y, "kind:", 13.0, bold=True))
        x += 44
        for kind in kinds:
            shapes.append(Circle(x + 7, y - 4, 7, KIND_COLOURS.get(kind, "#999999")))
            shapes.append(Text(x + 18, y, kind, 12.0))
            x += 32 + 7.2 * len(kind)
    y = key_top
    if key_lines:
        shapes.append(Text(PANEL, y, "names", 13.0, bold=True))
        for line in key_lines:
            y += LINE
            shapes.append(Text(PANEL, y, line, 11.0, colour="#222222"))
        if more > 0:
            shapes.append(Text(PANEL, y + LINE, f"… and {more} more names (the GraphML and CSV exports hold them all)", 11.0,
                               colour="#555555"))
    description = subtitle + (". " + s.caption() if s.trimmed else "")
    return Picture(width, height, str(g.graph.get("title", "")), description, shapes, s)
