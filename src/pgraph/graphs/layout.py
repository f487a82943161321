"""Where each node of a graph picture goes, and which nodes and edges a readable picture can hold.

One scene serves every picture (the SVG written directly, the PNG drawn with matplotlib), so the
two show the same thing. A large graph keeps its strongest edges (at most EDGE_LIMIT, touching at
most NODE_LIMIT nodes) and says how much it left out; the layout then never needs scipy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

EDGE_LIMIT = 200      # edges a picture draws at most: the strongest by weight
NODE_LIMIT = 120      # linked nodes at most: still readable, and spring_layout stays on its dense path (< 500)
STRIP_LIMIT = 42      # nodes with no edge drawn in the bottom strip at most; beyond that only counted
ROW = 0.055           # height of one strip row, as a share of the picture's height
CHAR = 7.4 / 880      # width of one label character (11 px bold) as a share of the picture's width
GAP = 0.02            # space between two labels in the strip


@dataclass
class Scene:
    """The nodes and edges a picture draws, their positions in the unit square (y down), and what was left out."""

    graph: Any
    linked: list[Any]
    alone: list[Any]
    edges: list[tuple[Any, Any, dict[str, Any]]]
    pos: dict[Any, tuple[float, float]] = field(default_factory=dict)
    edges_total: int = 0
    linked_total: int = 0
    alone_total: int = 0
    strip_top: float = 1.0

    @property
    def nodes(self) -> list[Any]:
        return self.linked + self.alone

    @property
    def trimmed(self) -> bool:
        """True when the picture leaves out edges or nodes of the graph."""
        return (len(self.edges) < self.edges_total or len(self.linked) < self.linked_total
                or len(self.alone) < self.alone_total)

    def caption(self) -> str:
        """What the picture leaves out, in words ('' when it shows the whole graph)."""
        if not self.trimmed:
            return ""
        parts = []
        if len(self.edges) < self.edges_total:
            metric = self.graph.graph.get("metric") or "weight"
            parts.append(f"the {len(self.edges):,} strongest of {self.edges_total:,} edges (by {metric})")
        if len(self.linked) < self.linked_total:
            parts.append(f"{len(self.linked):,} of {self.linked_total:,} linked nodes")
        if len(self.alone) < self.alone_total:
            parts.append(f"{len(self.alone):,} of {self.alone_total:,} unlinked nodes")
        return "Showing " + ", ".join(parts) + "; the exports (GraphML, CSV) hold them all."


def _strength(edge: tuple[Any, Any, dict[str, Any]]) -> tuple[float, float]:
    """Sort key, strongest first: weight, then shared participants (ties keep the graph's own edge order)."""
    d = edge[2]
    return (-float(d.get("weight", 1.0) or 0.0), -float(d.get("shared", 0) or 0))


def edge_list(g: Any) -> list[tuple[Any, Any, dict[str, Any]]]:
    """Every edge once as (a, b, data), read straight from the adjacency (several times faster than g.edges(data=True))."""
    out, done = [], set()
    adjacency = getattr(g, "_adj", None) or g.adj  # the plain dict of dicts behind networkx's read-only views
    for a, neighbours in adjacency.items():
        out.extend((a, b, d) for b, d in neighbours.items() if b not in done)
        done.add(a)
    return out


def select(g: Any, *, edge_limit: int = EDGE_LIMIT, node_limit: int = NODE_LIMIT,
           strip_limit: int = STRIP_LIMIT) -> Scene:
    """The strongest edges (and the nodes they touch) a readable picture holds, and the unlinked nodes.

    Edges are taken strongest first while they add no node beyond node_limit; if that leaves room,
    the strongest remaining edges among the nodes already drawn fill it. Among drawn nodes no edge
    left out is stronger than one kept.
    """
    import heapq
    edges = edge_list(g)
    linked_all = [n for n, degree in g.degree() if degree > 0]
    alone_all = sorted((n for n, degree in g.degree() if degree == 0),
                       key=lambda n: (str(g.nodes[n].get("kind", "")), str(n)))
    if len(edges) <= edge_limit and len(linked_all) <= node_limit:
        kept, linked = edges, linked_all
    else:
        kept, seen = [], set()
        head = heapq.nsmallest(20 * edge_limit, edges, key=_strength)  # the strongest, in order
        for a, b, d in head:
            new = {a, b} - seen
            if len(seen) + len(new) > node_limit:
                continue
            kept.append((a, b, d))
            seen |= new
            if len(kept) >= edge_limit:
                break
        linked = [n for n in linked_all if n in seen]
        if len(kept) < edge_limit and len(head) < len(edges):  # fill with the strongest edges among drawn nodes
            taken = {(a, b) for a, b, _ in head} | {(b, a) for a, b, _ in head}
            inside, done = [], set()
            for a in linked:  # in the graph's order, never a set's: ties then fall as in edge_list, whatever the hash seed
                inside.extend((a, b, d) for b, d in (getattr(g, "_adj", None) or g.adj)[a].items()
                              if b in seen and b not in done
                              and (a, b) not in taken)
                done.add(a)
            kept.extend(sorted(inside, key=_strength)[:edge_limit - len(kept)])
    alone = alone_all if len(alone_all) <= strip_limit else []
    return Scene(g, linked, alone, kept, edges_total=len(edges), linked_total=len(linked_all),
                 alone_total=len(alone_all))


def scene(g: Any, **limits: int) -> Scene:
    """The picture's content and its layout: linked nodes above (stronger overlap, closer), unlinked in a strip."""
    s = select(g, **limits)
    flow = _flow(g, s.alone)
    rows = 1 + max((r for r, _ in flow.values()), default=-1)
    strip_top = 1.0 - ROW * rows - 0.02 if s.alone else 1.0
    bottom = strip_top - 0.04 if s.alone else 1.0
    if s.linked:
        if g.graph.get("query") == "memberships":
            raw = _shells(g, s.linked)
        else:
            raw = _spring(s)
        s.pos.update(_fit(raw, top=0.0, bottom=bottom))
    s.pos.update({n: (x, strip_top + ROW * (r + 0.35)) for n, (r, x) in flow.items()})
    s.strip_top = strip_top
    return s


def _spring(s: Scene) -> dict[Any, tuple[float, float]]:
    """Force-directed positions of the drawn linked nodes (networkx, dense solver: no scipy needed)."""
    import networkx as nx
    core = nx.Graph()
    core.add_nodes_from(s.linked)
    core.add_edges_from((a, b, {"weight": float(d.get("weight", 1.0) or 0.0)}) for a, b, d in s.edges)
    n = len(s.linked)
    iterations = 200 if n <= 80 else 120 if n <= 200 else 80
    raw = nx.spring_layout(core, seed=7, weight="weight", k=1.8 / math.sqrt(n), iterations=iterations)
    return {node: (float(x), -float(y)) for node, (x, y) in raw.items()}


def _shells(g: Any, linked: list[Any]) -> dict[Any, tuple[float, float]]:
    """Membership: instruments on an inner ring, participants on the outer ring next to their instruments."""
    instruments = sorted((n for n in linked if g.nodes[n].get("node_type") == "instrument"),
                         key=lambda n: (-g.degree(n), str(n)))
    order = {n: i for i, n in enumerate(instruments)}
    others = sorted((n for n in linked if n not in order),
                    key=lambda n: (min((order[m] for m in g.neighbors(n) if m in order), default=0), str(n)))
    pos = {}
    for ring, members, radius in ((0, instruments, 0.4), (1, others, 1.0)):
        for i, n in enumerate(members):
            angle = 2 * math.pi * (i + 0.5 * ring) / max(1, len(members))
            pos[n] = (radius * math.cos(angle), radius * math.sin(angle))
    return pos


def _fit(raw: dict[Any, tuple[float, float]], *, top: float, bottom: float) -> dict[Any, tuple[float, float]]:
    """Positions scaled into the unit square's band [top, bottom], with a margin for markers and labels."""
    xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    margin = 0.06
    out = {}
    for n, (x, y) in raw.items():
        fx = 0.5 if len(raw) == 1 else margin + (1 - 2 * margin) * (x - min(xs)) / span_x
        fy = (top + bottom) / 2 if len(raw) == 1 else top + margin + (bottom - top - 2 * margin) * (y - min(ys)) / span_y
        out[n] = (fx, fy)
    return out


def _flow(g: Any, alone: list[Any]) -> dict[Any, tuple[int, float]]:
    """Unlinked nodes left to right in rows along the bottom, each with room for its label: node -> (row, x)."""
    placed: dict[Any, tuple[int, float]] = {}
    row, x = 0, 0.0
    for n in alone:
        width = max(0.04, CHAR * len(str(g.nodes[n].get("short") or n)))
        if x and x + width > 1.0:
            row, x = row + 1, 0.0
        placed[n] = (row, x + width / 2)
        x += width + GAP
    return placed
