"""Writers for overlap and membership graphs: GraphML, GEXF, DOT, node-link JSON, CSV, PNG, SVG, Turtle.

Every writer writes to a temporary file beside the target, renamed over it only when complete.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Callable

from ..output import atomic_path, escape_c1, for_spreadsheet, for_xml
from ..errors import OutputError, UsageError

FORMATS = ("graphml", "gexf", "dot", "json", "csv", "png", "svg", "turtle")
_EXTENSIONS = {".graphml": "graphml", ".gexf": "gexf", ".dot": "dot", ".gv": "dot", ".json": "json",
               ".csv": "csv", ".png": "png", ".svg": "svg", ".ttl": "turtle"}
BINARY = ("png",)


def format_for(path: str | Path | None, fmt: str | None) -> str:
    """The format asked for, else the one the file extension names (node-link JSON on standard output)."""
    if path is not None and str(path) == "-":  # standard output: like no -o at all
        path = None
    if path is not None and Path(path).is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
        return fmt
    if path is None:
        return "json"
    found = _EXTENSIONS.get(Path(path).suffix.lower())
    if not found:
        raise UsageError(f"cannot tell the format from '{Path(path).name}'; give --format "
                         f"({', '.join(FORMATS)})")
    return found


def _xml_text(value: Any) -> Any:
    """Text XML 1.0 can hold (a control character in a label would make the file unreadable)."""
    if isinstance(value, str):
        return for_xml(value)
    if isinstance(value, list):
        return [_xml_text(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_xml_text(v) for v in value)
    return value


def _xml_safe(g: Any) -> Any:
    """A copy whose node ids and text attributes XML 1.0 can hold (GraphML, GEXF, DOT)."""
    import networkx as nx
    h = nx.relabel_nodes(g, {n: _xml_text(n) for n in g if isinstance(n, str) and for_xml(n) != n}, copy=True)
    for store in [h.graph] + [d for _, d in h.nodes(data=True)] + [d for *_, d in h.edges(data=True)]:
        for k, v in list(store.items()):
            store[k] = _xml_text(v)
    return h


def _scalar_copy(g: Any) -> Any:
    """A copy whose attributes are all str/int/float/bool, as GraphML and DOT need."""
    h = _xml_safe(g)
    for store in [h.graph] + [d for _, d in h.nodes(data=True)] + [d for *_, d in h.edges(data=True)]:
        for k, v in list(store.items()):
            if v is None:
                store[k] = ""
            elif isinstance(v, (list, tuple)):
                store[k] = ";".join(str(x) for x in v)
    return h


def _graphml(g: Any, path: Path, **_: Any) -> None:
    import networkx as nx
    nx.write_graphml(_scalar_copy(g), path)


def _gexf(g: Any, path: Path, **_: Any) -> None:
    """GEXF 1.3 via networkx, then brought in line with the 1.3 schema: no graph 'name' attribute,
    'integer' (not 'long') time format, no misspelt xsi namespace, and the graph's own attributes
    (date, query, metric, pgraph version) in <meta><description>."""
    import xml.etree.ElementTree as ET
    import networkx as nx
    h = _xml_safe(g)
    for store in [d for _, d in h.nodes(data=True)] + [d for *_, d in h.edges(data=True)]:
        for k, v in list(store.items()):
            if v is None:
                store[k] = ""
        if isinstance(store.get("weight"), list):  # a dynamic weight is kept as the 'weight_by_year' attribute
            store["weight_by_year"] = store.pop("weight")
    nx.write_gexf(h, path, version="1.3")
    ns = "http://gexf.net/1.3"
    ET.register_namespace("", ns)
    tree = ET.parse(path)
    root = tree.getroot()
    for key in list(root.attrib):
        if key.startswith("{http://w3.org/2001/XMLSchema-instance}"):
            del root.attrib[key]
    graph = root.find(f"{{{ns}}}graph")
    graph.attrib.pop("name", None)
    if graph.get("timeformat") == "long":
        graph.set("timeformat", "integer")
    meta = root.find(f"{{{ns}}}meta")
    description = ET.SubElement(meta, f"{{{ns}}}description")
    description.text = for_xml("; ".join(f"{k}={v}" for k, v in sorted(g.graph.items()) if k not in ("mode",)))
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _dot(g: Any, path: Path, **_: Any) -> None:
    import networkx as nx
    h = _scalar_copy(g)
    for _, data in h.nodes(data=True):
        data.pop("short", None)
    for store in [h.graph] + [d for _, d in h.nodes(data=True)] + [d for *_, d in h.edges(data=True)]:
        for k, v in list(store.items()):
            store[k] = json.dumps(str(v), ensure_ascii=False)  # quoted: DOT ids may not contain ';', '-', ' '
    h.graph.pop("title", None)
    nx.nx_pydot.write_dot(h, path)


def _json(g: Any, path: Path, **_: Any) -> None:
    import networkx as nx
    data = nx.node_link_data(g, edges="edges")
    path.write_text(escape_c1(json.dumps(data, ensure_ascii=False, indent=2)) + "\n", encoding="utf-8")


def _csv(g: Any, path: Path, **_: Any) -> None:
    keys = sorted({k for *_, d in g.edges(data=True) for k in d} - {"weight"})
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["source", "source_label", "target", "target_label", "weight", *keys])
        cell = lambda v: for_spreadsheet(v) if isinstance(v, str) else v  # noqa: E731  (CWE-1236)
        for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
            a, b = sorted((a, b))
            writer.writerow([cell(a), cell(g.nodes[a].get("label", a)), cell(b), cell(g.nodes[b].get("label", b)),
                             d.get("weight", ""), *[cell(d.get(k, "")) for k in keys]])


def _picture(fmt: str) -> Callable[..., None]:
    def write(g: Any, path: Path, **_: Any) -> None:
        from .picture import draw
        draw(g, path, fmt=fmt)
    return write


def _turtle(g: Any, path: Path, *, kg: Any = None, **_: Any) -> None:
    if kg is None or g.graph.get("query") != "overlap":
        raise UsageError("turtle export is for the overlap graph: the pg:Overlap nodes")
    from ..output import render_triples
    kept = {tuple(sorted(e)) for e in g.edges()}
    triples = kg.query("overlap-graph", asOf=g.graph["as_of"])
    prefix = "https://w3id.org/pgraph/id/overlap/"
    keep = set()
    for t in triples:
        iri = t.subject.value
        pair = iri.removeprefix(prefix).rsplit("/", 1)[0].split("--")
        if len(pair) == 2 and tuple(sorted(pair)) in kept:
            keep.add(iri)
    path.write_text(render_triples([t for t in triples if t.subject.value in keep], "turtle"), encoding="utf-8")


_WRITERS: dict[str, Callable[..., None]] = {
    "graphml": _graphml, "gexf": _gexf, "dot": _dot, "json": _json, "csv": _csv,
    "png": _picture("png"), "svg": _picture("svg"), "turtle": _turtle,
}


def write(g: Any, path: str | Path, fmt: str, **options: Any) -> None:
    """Write a graph in a format, atomically: the target is replaced only by a complete file."""
    if g.graph.get("mode") == "dynamic" and fmt not in ("gexf", "json"):
        raise UsageError("a timeline (--from/--to) is written as gexf (or json); other formats show one date")
    with atomic_path(path) as tmp:
        try:
            _WRITERS[fmt](g, tmp, **options)
        except OSError as e:
            raise OutputError(f"{path}: {e.strerror or e}") from None
