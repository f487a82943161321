"""A briefing-ready picture of an overlap or membership graph (PNG or SVG), drawn with matplotlib."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

KIND_COLOURS = {
    "framework": "#1f4e79", "initiative": "#c55a11", "special-body": "#7030a0", "forum": "#2e75b6",
    "programme": "#548235", "tool": "#bf9000", "document": "#7f7f7f", "trust-fund": "#a50021",
    "country": "#d9d9d9", "organisation": "#ffd966",
}
SIZE_INCHES = (13.0, 9.0)
DPI = 140


def _layout(g: Any) -> dict[Any, tuple[float, float]]:
    """Connected instruments in the upper part (stronger overlap, shorter distance); instruments that
    share no active participant in a strip along the bottom, grouped by kind."""
    import networkx as nx
    linked = [n for n in g.nodes() if g.degree(n) > 0]
    alone = sorted((n for n in g.nodes() if g.degree(n) == 0), key=lambda n: (g.nodes[n].get("kind", ""), str(n)))
    pos: dict[Any, tuple[float, float]] = {}
    if linked and g.graph.get("query") == "memberships":
        return {**_shells(g, linked), **_strip(g, alone)}
    if linked:
        core = g.subgraph(linked).copy()
        weight = None if g.graph.get("query") == "memberships" else "weight"
        raw = nx.spring_layout(core, seed=7, weight=weight, k=1.8 / math.sqrt(len(linked)), iterations=500)
        xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        top, bottom = 1.0, (-0.45 if alone else -1.0)
        for n, (x, y) in raw.items():
            pos[n] = (-1.0 + 1.78 * (x - min(xs)) / span_x, bottom + (top - bottom) * (y - min(ys)) / span_y)
    pos.update(_strip(g, alone))
    return pos


def _shells(g: Any, linked: list[Any]) -> dict[Any, tuple[float, float]]:
    """Membership: instruments on an inner ring, participants on the outer ring next to their instruments."""
    instruments = sorted((n for n in linked if g.nodes[n].get("node_type") == "instrument"),
                         key=lambda n: (-g.degree(n), str(n)))
    order = {n: i for i, n in enumerate(instruments)}
    others = sorted((n for n in linked if n not in order),
                    key=lambda n: (min(order[m] for m in g.neighbors(n)), str(n)))
    pos = {}
    for ring, members, radius in ((0, instruments, 0.38), (1, others, 0.95)):
        for i, n in enumerate(members):
            angle = 2 * math.pi * (i + 0.5 * ring) / max(1, len(members))
            pos[n] = (0.92 * radius * math.cos(angle) - 0.1, 0.24 + 0.72 * radius * math.sin(angle))
    return pos


def _strip(g: Any, alone: list[Any]) -> dict[Any, tuple[float, float]]:
    pos: dict[Any, tuple[float, float]] = {}
    if alone:
        per_row = max(1, min(len(alone), 7))
        rows = math.ceil(len(alone) / per_row)
        for i, n in enumerate(alone):
            r, c = divmod(i, per_row)
            y = -0.68 - (0.32 * r / max(1, rows - 1) if rows > 1 else 0.0)
            pos[n] = (-1.0 + 2.0 * (c + 0.5) / per_row, y)
    return pos


def draw(g: Any, path: Path, *, fmt: str) -> None:
    """Nodes sized by participants and coloured by kind, edges as wide as their weight, a titled legend."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    fig, ax = plt.subplots(figsize=SIZE_INCHES, dpi=DPI)
    ax.set_axis_off()
    pos = _layout(g)
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(-1.12, 1.12)
    nodes = list(g.nodes())
    sizes = [120 + 160 * math.sqrt(max(0, g.nodes[n].get("participants", 0))) for n in nodes]
    colours = [KIND_COLOURS.get(g.nodes[n].get("kind", ""), "#999999") for n in nodes]
    weights = [float(d.get("weight", 1.0)) for *_, d in g.edges(data=True)]
    top = max(weights, default=1.0) or 1.0
    if g.graph.get("query") == "memberships":
        edges = list(g.edges(data=True))
        nx.draw_networkx_edges(g, pos, ax=ax, edgelist=[(a, b) for a, b, d in edges if d.get("status") != "suspended"],
                               width=1.0, edge_color="#8c8c8c", alpha=0.6)
        nx.draw_networkx_edges(g, pos, ax=ax, edgelist=[(a, b) for a, b, d in edges if d.get("status") == "suspended"],
                               width=1.4, edge_color="#c00000", style="dashed", alpha=0.8)
    else:
        widths = [0.6 + 6.0 * (w / top) for w in weights]
        nx.draw_networkx_edges(g, pos, ax=ax, width=widths, edge_color="#8c8c8c", alpha=0.55)
    nx.draw_networkx_nodes(g, pos, ax=ax, nodelist=nodes, node_size=sizes, node_color=colours,
                           edgecolors="white", linewidths=1.2)
    from matplotlib import patheffects
    for n in nodes:
        x, y = pos[n]
        isolated = g.degree(n) == 0
        text = ax.text(x, y, str(g.nodes[n].get("short") or n), fontsize=7.5 if isolated else 9, fontweight="bold",
                       ha="center", va="center", color="#111111", zorder=5)
        text.set_path_effects([patheffects.withStroke(linewidth=3, foreground="white")])
    alone = sum(1 for n in nodes if g.degree(n) == 0)
    if alone:
        ax.axhline(-0.56, color="#cccccc", linewidth=0.8, linestyle="--")
        caption = ("instruments with no active participant on this date" if g.graph.get("query") == "memberships"
                   else "instruments that share no active participant with another on this date")
        ax.text(-1.0, -0.59, f"{alone} {caption}", fontsize=9, color="#555555", va="top")
    used = sorted({g.nodes[n].get("kind", "") for n in nodes})
    handles = [Line2D([0], [0], marker="o", color="w", markerfacecolor=KIND_COLOURS.get(k, "#999999"),
                      markersize=11, label=k) for k in used]
    if handles:
        ax.legend(handles=handles, title="kind", loc="upper right", frameon=True, fontsize=9, title_fontsize=10)
    metric = g.graph.get("metric")
    subtitle = (f"node size: active participants; edge width: {metric}" if metric
                else "instruments and their participants; red dashed: suspended")
    ax.set_title(f"{g.graph.get('title', '')}\n{subtitle}; pgraph {g.graph.get('pgraph_version', '')}",
                 fontsize=13)
    fig.tight_layout()
    fig.savefig(path, format=fmt, dpi=DPI, facecolor="white")
    plt.close(fig)
