"""Graphs as inline SVG for the pages: circles with hover titles, lines weighted by overlap,
every text escaped, no style attributes (the Content-Security-Policy forbids inline styles)."""
from __future__ import annotations

import math
from html import escape
from typing import Any

KIND_COLOURS = {"framework": "#2e75b6", "initiative": "#70ad47", "special-body": "#c00000", "forum": "#7f6000",
                "programme": "#7030a0", "tool": "#ed7d31", "document": "#808080", "trust-fund": "#bf9000",
                "country": "#5b9bd5", "organisation": "#a5a5a5"}


def _layout(graph: Any, width: int, height: int) -> dict[Any, tuple[float, float]]:
    import networkx as nx
    if graph.number_of_nodes() == 0:
        return {}
    linked = [n for n in graph if graph.degree(n) > 0]
    alone = sorted((n for n in graph if graph.degree(n) == 0), key=str)
    pos: dict[Any, tuple[float, float]] = {}
    band = 70 if alone else 0
    if linked:
        raw = nx.spring_layout(graph.subgraph(linked), seed=7, weight="weight")
        xs = [p[0] for p in raw.values()]
        ys = [p[1] for p in raw.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        for n, (x, y) in raw.items():
            pos[n] = (60 + (x - min(xs)) / span_x * (width - 120),
                      40 + (y - min(ys)) / span_y * (height - band - 90))
    for i, n in enumerate(alone):  # nodes with no edge in a row at the bottom, labels below their markers
        step = (width - 120) / max(1, len(alone) - 1) if len(alone) > 1 else 0
        pos[n] = (60 + i * step, height - 45)
    return pos


def network(graph: Any, *, link: Any = None, width: int = 960, height: int = 640, title: str = "") -> str:
    """The graph as an <svg> element: node size by participants, colour by kind, width by weight;
    each node and edge has a <title> shown on hover; link(node) gives a page to link a node to."""
    pos = _layout(graph, width, height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'class="graph" aria-label="{escape(title or str(graph.graph.get("title", "graph")))}">']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for a, b, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        w = float(data.get("weight", 1.0))
        hover = f"{graph.nodes[a].get('short', a)} – {graph.nodes[b].get('short', b)}"
        if "shared" in data:
            hover += f": {data['shared']} shared, Jaccard {float(data.get('jaccard', 0)):.2f}"
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#9aa5b1" '
                   f'stroke-width="{0.6 + 5 * min(1.0, w):.2f}" stroke-opacity="0.7">'
                   f"<title>{escape(hover)}</title></line>")
    for n, data in graph.nodes(data=True):
        x, y = pos[n]
        r = 5 + 2.2 * math.sqrt(max(0, int(data.get("participants", 0) or 0)))
        colour = KIND_COLOURS.get(str(data.get("kind", "")), "#595959")
        name = str(data.get("label", n))
        short = str(data.get("short", n))
        hover = f"{name} ({short}), {data.get('kind', '')}: {data.get('participants', 0)} participants"
        circle = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" stroke="#ffffff">'
                  f"<title>{escape(hover)}</title></circle>")
        below = graph.degree(n) == 0
        label = (f'<text x="{x:.1f}" y="{y + r + 12 if below else y - r - 3:.1f}" text-anchor="middle" '
                 f'font-size="11" fill="#1f1f1f">{escape(short[:24])}</text>')
        href = link(n) if link else None
        if href:
            out.append(f'<a href="{escape(href)}">{circle}{label}</a>')
        else:
            out.append(circle + label)
    kinds = sorted({str(d.get("kind", "")) for _, d in graph.nodes(data=True)} & set(KIND_COLOURS))
    for i, kind in enumerate(kinds):  # the legend: colour by kind
        out.append(f'<circle cx="{14 + i * 105}" cy="12" r="5" fill="{KIND_COLOURS[kind]}"/>'
                   f'<text x="{22 + i * 105}" y="16" font-size="11" fill="#595959">{escape(kind)}</text>')
    out.append("</svg>")
    return "".join(out)


def timeline(rows: list[dict[str, Any]], *, as_of: str, link: Any = None, width: int = 960, key: str = "instrument") -> str:
    """Participations as bars from start to end (or the as-of date), one row each, with the years
    along the bottom; each bar's <title> says who or what, dates and status; link(row[key]) a page."""
    spells = [r for r in rows if r.get("start")]
    if not spells:
        return ""
    first = min(int(str(r["start"])[:4]) for r in spells)
    last = max([int(as_of[:4])] + [int(str(r["end"])[:4]) for r in spells if r.get("end")])
    left, right, row_h = 190, 20, 22
    height = 40 + row_h * len(spells)
    span = max(1, last + 1 - first)

    def x(day: str) -> float:
        year, month = int(day[:4]), int(day[5:7]) if len(day) >= 7 else 1
        return left + (year - first + (month - 1) / 12) / span * (width - left - right)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="graph timeline" '
           f'aria-label="partnership timeline">']
    for year in range(first, last + 1):
        if (year - first) % max(1, span // 12) == 0:
            out.append(f'<line x1="{x(str(year)):.1f}" y1="10" x2="{x(str(year)):.1f}" y2="{height - 22}" '
                       f'stroke="#e0e0e0"/><text x="{x(str(year)):.1f}" y="{height - 8}" font-size="11" '
                       f'text-anchor="middle" fill="#595959">{year}</text>')
    for i, r in enumerate(spells):
        y = 12 + i * row_h
        start, end = str(r["start"]), str(r["end"] or as_of)
        colour = {"active": "#2e75b6", "suspended": "#ed7d31"}.get(str(r.get("status")), "#a5a5a5")
        hover = f"{r.get('label') or r[key]}: {start} – {r['end'] or 'in force'} ({r.get('status', '')})"
        bar = (f'<rect x="{x(start):.1f}" y="{y}" width="{max(2.0, x(end) - x(start)):.1f}" height="{row_h - 6}" '
               f'fill="{colour}"><title>{escape(hover)}</title></rect>')
        name = (f'<text x="{left - 6}" y="{y + row_h - 10}" font-size="11" text-anchor="end" fill="#1f1f1f">'
                f'{escape(str(r.get("label") or r[key])[:30])}</text>')
        href = link(r[key]) if link else None
        out.append(f'<a href="{escape(href)}">{name}{bar}</a>' if href else name + bar)
    out.append("</svg>")
    return "".join(out)
