"""Charts for the report as inline SVG written directly (no matplotlib), and the overlap matrix as table cells."""
from __future__ import annotations

import math
import textwrap
from typing import Any

from ..graphs import EDGE_LIMIT, edge_list, network_picture, svg_text as _esc

KIND_ORDER = ("framework", "initiative", "special-body", "forum", "programme", "tool", "document", "trust-fund")
MATRIX_LIMIT = 45          # instruments the matrix shows at most: those with the most overlap
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def nice_step(top: float, ticks: int = 5) -> int:
    """An integer tick step (1, 2, 5, 10, 20, ...) giving at most about `ticks` intervals up to `top`."""
    raw = max(1.0, top / ticks)
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * base >= raw:
            return int(m * base)
    return int(10 * base)


def axis(top: float) -> tuple[int, int]:
    """The axis maximum (the largest value rounded up to a whole step) and the step."""
    step = nice_step(top)
    return max(step, step * math.ceil(top / step)), step


def timeline(rows: list[dict[str, Any]], events: list[dict[str, Any]], names: dict[str, str] | None = None) -> str:
    """Instruments established and ended per year (bars, left axis scaled to the largest bar), in force at
    each year's end (line, right axis), and the events that created instruments named above the years."""
    names = names or {}
    w, h = 900.0, 560.0
    left, right, top, bottom = 64.0, w - 64.0, 200.0, h - 70.0
    years = [int(r["year"]) for r in rows] or [0]
    n = len(years)
    band = (right - left) / max(1, n)
    bar_max, bar_step = axis(max([int(r["established"]) for r in rows] + [int(r["ended"]) for r in rows] + [1]))
    act_max, act_step = axis(max([int(r["active"]) for r in rows] + [1]))

    def x(year: int) -> float:
        return left + band * (years.index(year) + 0.5) if year in years else left

    def y_bar(v: float) -> float:
        return bottom - (bottom - top) * v / bar_max

    def y_act(v: float) -> float:
        return bottom - (bottom - top) * v / act_max

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{w:g}" height="{h:g}" '
           f'viewBox="0 0 {w:g} {h:g}" role="img" font-family="{FONT}" '
           'aria-label="Instruments established and ended per year, and in force at each year\'s end">',
           "<title>Instruments established and ended per year, and in force at each year's end</title>",
           '<rect width="100%" height="100%" fill="#ffffff"/>']
    out.append('<g class="axis-left">')
    for v in range(0, bar_max + 1, bar_step):
        out.append(f'<line x1="{left:g}" y1="{y_bar(v):.1f}" x2="{right:g}" y2="{y_bar(v):.1f}" stroke="#e6e6e6"/>'
                   f'<text class="tick" x="{left - 6:g}" y="{y_bar(v) + 4:.1f}" font-size="12" text-anchor="end">{v}</text>')
    out.append(f'<text x="16" y="{(top + bottom) / 2:.1f}" font-size="13" text-anchor="middle" '
               f'transform="rotate(-90 16 {(top + bottom) / 2:.1f})">instruments established / ended</text></g>')
    out.append('<g class="axis-right">')
    for v in range(0, act_max + 1, act_step):
        out.append(f'<text class="tick" x="{right + 6:g}" y="{y_act(v) + 4:.1f}" font-size="12">{v}</text>')
    out.append(f'<text x="{w - 14:g}" y="{(top + bottom) / 2:.1f}" font-size="13" text-anchor="middle" '
               f'transform="rotate(90 {w - 14:g} {(top + bottom) / 2:.1f})">instruments in force</text></g>')
    by_year: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        year = int(str(e["date"])[:4])
        if year in years and e.get("instruments_created"):
            by_year.setdefault(year, []).append(e)
    out.append('<g class="events">')
    for year, found in sorted(by_year.items()):
        out.append(f'<line x1="{x(year):.1f}" y1="{top - 4:g}" x2="{x(year):.1f}" y2="{bottom:g}" stroke="#bfbfbf" '
                   'stroke-dasharray="2 3"/>')
        lines = [line for e in found for line in textwrap.wrap(str(e["label"]), 30, max_lines=2, placeholder="…")]
        for i, line in enumerate(lines):
            lx = x(year) - 5.5 * (len(lines) - 1) + 11 * i + 4
            created = ", ".join(names.get(str(i_), str(i_)) for e in found for i_ in e["instruments_created"])
            out.append(f'<text class="event" x="{lx:.1f}" y="{top - 16:g}" font-size="11" fill="#404040" '
                       f'transform="rotate(-90 {lx:.1f} {top - 16:g})"><title>{_esc(created)}</title>{_esc(line)}</text>')
    out.append("</g>")
    out.append('<g class="bars">')
    for r in rows:
        year = int(r["year"])
        for value, dx, colour, what in ((int(r["established"]), -0.2, "#2e75b6", "established"),
                                        (int(r["ended"]), 0.2, "#c00000", "ended")):
            if value:
                bx = x(year) + band * dx - band * 0.19
                out.append(f'<rect class="{what}" x="{bx:.1f}" y="{y_bar(value):.1f}" width="{band * 0.38:.1f}" '
                           f'height="{bottom - y_bar(value):.1f}" fill="{colour}" data-value="{value}">'
                           f'<title>{year}: {value} {what}</title></rect>'
                           f'<text class="value" x="{bx + band * 0.19:.1f}" y="{y_bar(value) - 3:.1f}" font-size="9.5" '
                           f'text-anchor="middle" fill="{colour}">{value}</text>')
    out.append("</g>")
    points = " ".join(f"{x(int(r['year'])):.1f},{y_act(int(r['active'])):.1f}" for r in rows)
    out.append(f'<polyline class="in-force" points="{points}" fill="none" stroke="#1f1f1f" stroke-width="2.4"/>')
    step = 1 if n <= 20 else 2 if n <= 40 else 5
    out.append('<g class="axis-x">')
    out.append(f'<line x1="{left:g}" y1="{bottom:g}" x2="{right:g}" y2="{bottom:g}" stroke="#404040"/>')
    for i, year in enumerate(years):
        if i % step == 0:
            out.append(f'<text x="{x(year):.1f}" y="{bottom + 16:g}" font-size="12" text-anchor="middle">{year}</text>')
    out.append("</g>")
    ly = h - 18
    out.append(f'<g class="legend" font-size="13"><rect x="{left:g}" y="{ly - 11:g}" width="14" height="12" fill="#2e75b6"/>'
               f'<text x="{left + 20:g}" y="{ly:g}">established</text>'
               f'<rect x="{left + 130:g}" y="{ly - 11:g}" width="14" height="12" fill="#c00000"/>'
               f'<text x="{left + 150:g}" y="{ly:g}">ended</text>'
               f'<line x1="{left + 230:g}" y1="{ly - 5:g}" x2="{left + 260:g}" y2="{ly - 5:g}" stroke="#1f1f1f" stroke-width="2.4"/>'
               f'<text x="{left + 266:g}" y="{ly:g}">in force at the year\'s end (right axis)</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def network(graph: Any, *, edge_limit: int | None = None) -> dict[str, str]:
    """The overlap picture (the drawing of `pgraph export overlap -f svg`, without its panel of names: the page's
    instruments table expands the acronyms) as inline SVG, narrow enough to stay legible on a printed page, with
    the caption saying what a large graph's picture leaves out (its strongest edge_limit edges drawn)."""
    svg, caption = network_picture(graph, key=False, edge_limit=EDGE_LIMIT if edge_limit is None else edge_limit)
    return {"svg": svg, "caption": caption}


def matrix(graph: Any, metric: str, *, limit: int = MATRIX_LIMIT) -> dict[str, Any]:
    """Instrument x instrument cells for the heatmap: instruments with at least one overlap, by kind
    (at most `limit`: those with the most overlapping partners; `total` says how many had one)."""
    linked = [n for n, degree in graph.degree() if degree > 0]
    total = len(linked)
    edges = edge_list(graph)
    top = max((float(d[metric]) for *_, d in edges), default=1.0) or 1.0
    if total > limit:
        strength = dict.fromkeys(linked, 0.0)
        for a, b, d in edges:
            w = float(d.get(metric, 0) or 0)
            strength[a] += w
            strength[b] += w
        linked = sorted(linked, key=lambda n: (-strength[n], str(n)))[:limit]
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    linked.sort(key=lambda n: (order.get(graph.nodes[n]["kind"], 99), -graph.nodes[n]["participants"], n))
    label = {n: graph.nodes[n]["label"] for n in linked}
    rows = []
    for a in linked:
        cells = []
        for b in linked:
            if a == b:
                cells.append({"value": "", "shade": "#e7e6e6", "dark": False, "title": label[a]})
            elif graph.has_edge(a, b):
                v = float(graph.edges[a, b][metric])
                shared = str(graph.edges[a, b]["shared_countries"]).replace(";", ", ")
                cells.append({"value": f"{v:.2f}".rstrip("0").rstrip(".") if metric != "shared" else str(int(v)),
                              "shade": _shade(v / top), "dark": v / top > 0.55,
                              "title": f"{label[a]} / {label[b]}: {metric} {v:g}; shared: {shared}"})
            else:
                cells.append({"value": "", "shade": "#ffffff", "dark": False,
                              "title": f"{label[a]} / {label[b]}: no shared participant"})
        rows.append({"id": a, "short": graph.nodes[a]["short"], "label": label[a], "kind": graph.nodes[a]["kind"],
                     "cells": cells})
    return {"rows": rows, "ids": linked, "shorts": [graph.nodes[n]["short"] for n in linked],
            "labels": [label[n] for n in linked], "total": total}


def _shade(x: float) -> str:
    """White to dark blue."""
    x = max(0.0, min(1.0, x))
    start, end = (255, 255, 255), (31, 78, 121)
    r, g, b = (round(s + (e - s) * x) for s, e in zip(start, end))
    return f"#{r:02x}{g:02x}{b:02x}"
