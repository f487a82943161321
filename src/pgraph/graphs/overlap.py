"""Overlap and membership graphs built from saved-query rows, as networkx graphs."""
from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any, Callable, Iterable

from ..errors import UsageError

METRICS = ("shared", "jaccard", "overlap_coefficient", "shared_areas")
KINDS = ("framework", "initiative", "special-body", "forum", "programme", "tool", "document", "trust-fund")


def date_text(as_of: Any) -> str:
    """A date as YYYY-MM-DD text: today when None, a date object formatted, text kept as given."""
    if as_of is None:
        return dt.date.today().isoformat()
    return as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of)


def parse_kinds(kinds: Iterable[str] | str | None) -> set[str] | None:
    """A set of instrument kinds from a list or 'a,b,c'; unknown kinds are refused."""
    if kinds is None or kinds == "":
        return None
    items = [k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds) if k.strip()]
    unknown = sorted(set(items) - set(KINDS))
    if unknown:
        raise UsageError(f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    return set(items)


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise UsageError(f"unknown metric '{metric}'; choose one of {', '.join(METRICS)}")


def _instrument_nodes(kg: Any, as_of: str, kinds: set[str] | None) -> dict[str, dict[str, Any]]:
    nodes = {}
    for row in kg.query("instruments", asOf=as_of):
        if row["status"] == "ended" or (kinds and row["kind"] not in kinds):
            continue
        nodes[row["instrument"]] = {
            "label": row["label"], "short": row.get("acronym") or row["instrument"], "kind": row["kind"],
            "node_type": "instrument", "established": row["established"], "ended": row["ended"] or "",
            "status": row["status"], "participants": int(row["participants"]),
        }
    return nodes


def overlap_graph(kg: Any, *, asOf: Any = None, kinds: Iterable[str] | str | None = None, metric: str = "jaccard",
                  min_weight: float = 0.0) -> Any:
    """Instruments in force on the date as nodes; an edge where two share active participants.

    Edge attributes: shared, jaccard, overlap_coefficient, shared_areas (count of thematic areas both
    cover), shared_area_ids and shared_countries (';'-joined ids), and weight (the chosen metric).
    Edges whose metric is below min_weight are left out; nodes stay.
    """
    from concurrent.futures import ThreadPoolExecutor
    from ..version import __version__
    _check_metric(metric)
    as_of, wanted = date_text(asOf), parse_kinds(kinds)
    # the instruments' query runs in the engine (without the GIL) beside the pairs' counting in Python
    background = ThreadPoolExecutor(max_workers=1)
    instruments = background.submit(_instrument_nodes, kg, as_of, wanted)
    background.shutdown(wait=False)
    try:
        import networkx as nx
        overlaps, areas = _pairs(kg, as_of, instruments.result)
    except BaseException:
        with contextlib.suppress(BaseException):
            instruments.result()  # nothing still reads the store once this raises; the first error is the one told
        raise
    nodes = instruments.result()
    g = nx.Graph(as_of=as_of, query="overlap", metric=metric, min_weight=float(min_weight),
                 pgraph_version=__version__, title=f"Instruments sharing active partners, as of {as_of}")
    g.add_nodes_from(nodes.items())
    least = float(min_weight)
    edges = []
    for a, b, shared, jaccard, coefficient, countries in overlaps:
        shared_areas = areas.get((a, b)) or areas.get((b, a)) or []
        attrs = {"shared": int(shared), "jaccard": float(jaccard), "overlap_coefficient": float(coefficient),
                 "shared_areas": len(shared_areas), "shared_area_ids": ";".join(shared_areas),
                 "shared_countries": ";".join(countries)}
        attrs["weight"] = float(attrs[metric])
        if attrs["weight"] >= least:
            edges.append((a, b, attrs))
    g.add_edges_from(edges)
    return g


def _pairs(kg: Any, as_of: str, drawn: Callable[[], dict[str, Any]]) -> tuple[list[tuple[Any, ...]], dict[tuple[str, str], list[str]]]:
    """The overlap rows between the drawn instruments (drawn(): waited for once the pairs are counted),
    as (a, b, shared, jaccard, overlap_coefficient, shared_countries), and the shared areas of those
    pairs only: counted from participation rows (pairwise.py), or, when the graph is told not to, the
    saved queries."""
    if not getattr(kg, "fast_pairs", False):
        areas = {(r["a"], r["b"]): r["shared_areas"] for r in kg.query("thematic-overlap", asOf=as_of)}
        columns = ("a", "b", "shared", "jaccard", "overlap_coefficient", "shared_countries")
        found, nodes = kg.query("overlap", asOf=as_of), drawn()
        return [tuple(r[c] for c in columns) for r in found if r["a"] in nodes and r["b"] in nodes], areas
    from .pairwise import Participation, area_masks, mask_keys, overlap_pairs
    p = Participation.fetch(kg, as_of)
    found, nodes = overlap_pairs(p), drawn()
    rows = [r for r in found if r[0] in nodes and r[1] in nodes]
    mask_of, listed = area_masks(p.in_force_areas)  # a pair's common areas: the AND of two masks
    keys: dict[int, list[str]] = {}
    areas = {}
    for a, b, *_ in rows:  # the shared areas of the drawn pairs only, as thematic-overlap.rq names them
        common = mask_of.get(a, 0) & mask_of.get(b, 0)
        if common and a != b:
            if common not in keys:
                keys[common] = mask_keys(p, listed, common)
            areas[(a, b)] = keys[common]
    return rows, areas


def membership_graph(kg: Any, *, asOf: Any = None, kinds: Iterable[str] | str | None = None) -> Any:
    """The bipartite graph of participants and the instruments they take part in on the date."""
    import networkx as nx
    from ..version import __version__
    as_of, wanted = date_text(asOf), parse_kinds(kinds)
    g = nx.Graph(as_of=as_of, query="memberships", pgraph_version=__version__,
                 title=f"Who takes part in which instrument, as of {as_of}")
    nodes = _instrument_nodes(kg, as_of, wanted)
    g.add_nodes_from((k, {**v, "bipartite": 0}) for k, v in nodes.items())
    for row in kg.query("memberships", asOf=as_of):
        if row["instrument"] not in nodes:
            continue
        who = row["participant"]
        if who not in g:
            g.add_node(who, label=row["label"], short=who, kind=row["type"], node_type=row["type"],
                       iso=who if row["type"] == "country" else "", status=row["role"], bipartite=1,
                       participants=0)
        g.add_edge(row["instrument"], who, status=row["status"], since=row["since"], weight=1.0)
    for n, data in g.nodes(data=True):
        if data["node_type"] != "instrument":
            data["participants"] = g.degree(n)
    return g


def overlap_timeline(kg: Any, *, start: int, end: int, kinds: Iterable[str] | str | None = None,
                     metric: str = "jaccard", min_weight: float = 0.0) -> Any:
    """A dynamic overlap graph: one snapshot per year (on 31 December, or today for this year),
    merged so that nodes and edges carry the years they exist in (GEXF spells, first and last year
    included) and the edge weights carry their value per year; the graph's start and end are the
    first and last year asked for."""
    import networkx as nx
    from ..version import __version__
    _check_metric(metric)
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    today = dt.date.today()
    if end > today.year:
        raise UsageError(f"--to {end} is in the future")
    g = nx.Graph(mode="dynamic", query="overlap", metric=metric, pgraph_version=__version__,
                 start=start, end=end, title=f"Instruments sharing active partners, {start}-{end}")
    node_years: dict[str, list[int]] = {}
    edge_years: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for year in range(start, end + 1):
        day = dt.date(year, 12, 31) if year < today.year else today
        snap = overlap_graph(kg, asOf=day, kinds=kinds, metric=metric, min_weight=min_weight)
        for n, data in snap.nodes(data=True):
            node_years.setdefault(n, []).append(year)
            g.add_node(n, **{k: v for k, v in data.items() if k not in ("participants", "status", "ended")})
            g.nodes[n].setdefault("participants_by_year", []).append((data["participants"], year, year))
        for a, b, data in snap.edges(data=True):
            edge_years.setdefault(tuple(sorted((a, b))), []).append((year, data))
    for n, years in node_years.items():
        g.nodes[n]["spells"] = _spells(years)
        g.nodes[n]["participants"] = g.nodes[n].pop("participants_by_year")
    for (a, b), seen in edge_years.items():
        g.add_edge(a, b, spells=_spells([y for y, _ in seen]),
                   weight=[(float(d["weight"]), y, y) for y, d in seen],
                   shared=[(int(d["shared"]), y, y) for y, d in seen],
                   jaccard=[(float(d["jaccard"]), y, y) for y, d in seen])
    return g


def _spells(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive years as closed [first, last] intervals, as GEXF reads a spell's start and end."""
    spells: list[tuple[int, int]] = []
    for y in sorted(years):
        if spells and spells[-1][1] == y - 1:
            spells[-1] = (spells[-1][0], y)
        else:
            spells.append((y, y))
    return spells
