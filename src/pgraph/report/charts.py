"""Charts for the report as inline SVG (matplotlib), and the overlap matrix as table cells."""
from __future__ import annotations

import io
import re
from typing import Any

KIND_ORDER = ("framework", "initiative", "special-body", "forum", "programme", "tool", "document", "trust-fund")


def _svg(fig: Any) -> str:
    """A matplotlib figure as an SVG element that scales with the page (text drawn as paths: no fonts)."""
    import matplotlib.pyplot as plt
    buf = io.StringIO()
    fig.savefig(buf, format="svg", facecolor="white")
    plt.close(fig)
    return _inline(buf.getvalue())


def _inline(text: str) -> str:
    """An SVG document as an element for the page: no XML prologue, no fixed size (CSS sizes it by its viewBox)."""
    text = text[text.index("<svg"):]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)


def timeline(rows: list[dict[str, Any]], events: list[dict[str, Any]]) -> str:
    """Instruments established and ended per year (bars) and in force at each year's end (line),
    with the events that created instruments marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matplotlib.rcParams["svg.fonttype"] = "path"
    years = [r["year"] for r in rows]
    fig, ax = plt.subplots(figsize=(11, 4.6), dpi=100)
    ax.bar([y - 0.2 for y in years], [r["established"] for r in rows], width=0.4, color="#2e75b6", label="established")
    ax.bar([y + 0.2 for y in years], [r["ended"] for r in rows], width=0.4, color="#c00000", label="ended")
    ax2 = ax.twinx()
    ax2.plot(years, [r["active"] for r in rows], color="#1f1f1f", linewidth=2.2, label="in force (year end)")
    ax2.set_ylim(0, max([r["active"] for r in rows] + [1]) * 1.15)
    ax.set_ylim(0, max([r["established"] for r in rows] + [1]) * 2.2)
    top = ax.get_ylim()[1]
    by_year: dict[int, list[str]] = {}
    for e in events:
        year = int(str(e["date"])[:4])
        if years and years[0] <= year <= years[-1] and e["instruments_created"]:
            by_year.setdefault(year, []).append(str(e["event"]).rsplit("-", 1)[0] if str(e["event"]).endswith(str(year))
                                                else str(e["event"]))
    for year, names in by_year.items():
        ax.axvline(year, color="#bfbfbf", linewidth=0.8, linestyle=":", zorder=0)
        ax.text(year, top * 0.98, f"{year}: " + ", ".join(dict.fromkeys(names)), rotation=90, fontsize=7,
                ha="right", va="top", color="#595959")
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    ax.set_ylabel("instruments established / ended")
    ax2.set_ylabel("instruments in force")
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="center left", fontsize=8, frameon=True)
    ax.spines["top"].set_visible(False)
    ax2.spines["top"].set_visible(False)
    fig.tight_layout()
    return _svg(fig)


def network(graph: Any) -> str:
    """The overlap picture (the same drawing as `pgraph export overlap -f svg`) as inline SVG."""
    import tempfile
    from pathlib import Path
    from ..graphs import draw
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "overlap.svg"
        draw(graph, path, fmt="svg")
        return _inline(path.read_text(encoding="utf-8"))


def matrix(graph: Any, metric: str) -> dict[str, Any]:
    """Instrument x instrument cells for the heatmap: instruments with at least one overlap, by kind."""
    linked = [n for n in graph.nodes() if graph.degree(n) > 0]
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    linked.sort(key=lambda n: (order.get(graph.nodes[n]["kind"], 99), -graph.nodes[n]["participants"], n))
    top = max((float(d[metric]) for *_, d in graph.edges(data=True)), default=1.0) or 1.0
    rows = []
    for a in linked:
        cells = []
        for b in linked:
            if a == b:
                cells.append({"value": "", "shade": "#e7e6e6", "dark": False, "title": graph.nodes[a]["label"]})
            elif graph.has_edge(a, b):
                v = float(graph.edges[a, b][metric])
                cells.append({"value": f"{v:.2f}".rstrip("0").rstrip(".") if metric != "shared" else str(int(v)),
                              "shade": _shade(v / top), "dark": v / top > 0.55,
                              "title": f"{a} / {b}: {metric} {v:g}; shared: {graph.edges[a, b]['shared_countries']}"})
            else:
                cells.append({"value": "", "shade": "#ffffff", "dark": False, "title": f"{a} / {b}: no shared participant"})
        rows.append({"id": a, "short": graph.nodes[a]["short"], "kind": graph.nodes[a]["kind"], "cells": cells})
    return {"rows": rows, "ids": linked, "shorts": [graph.nodes[n]["short"] for n in linked]}


def _shade(x: float) -> str:
    """White to dark blue."""
    x = max(0.0, min(1.0, x))
    start, end = (255, 255, 255), (31, 78, 121)
    r, g, b = (round(s + (e - s) * x) for s, e in zip(start, end))
    return f"#{r:02x}{g:02x}{b:02x}"
