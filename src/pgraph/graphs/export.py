"""Writers for overlap and membership graphs: GraphML, GEXF, DOT, node-link JSON, CSV, PNG, SVG, Turtle.

Every writer writes to a temporary file beside the target, renamed over it only when complete.
"""
from __future__ import annotations

import csv
import json
import re
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
    from .graphml import write_graphml
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        write_graphml(g, out)


def _gexf(g: Any, path: Path, **_: Any) -> None:
    """GEXF 1.3 via networkx, then brought in line with the 1.3 schema: no graph 'name' attribute,
    'integer' (not 'long') time format, no misspelt xsi namespace, and the graph's own attributes
    (date, query, metric, pgraph version) in <meta><description>."""
    import xml.etree.ElementTree as ET
    import networkx as nx
    from .style import colour, edge_look, largest, look, rgb
    h = _xml_safe(g)
    drawn = look(h)
    heaviest = max((largest(d.get("weight", 1.0)) for *_, d in g.edges(data=True)), default=1.0)
    for store in [d for _, d in h.nodes(data=True)] + [d for *_, d in h.edges(data=True)]:
        for k, v in list(store.items()):
            if v is None:
                store[k] = ""
    for n, data in h.nodes(data=True):
        r, gr, b = rgb(colour(str(data.get("kind", ""))))
        data["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0},
                       "size": round(2 * drawn.radius[n], 2),
                       "position": {"x": round(drawn.pos[n][0], 2), "y": round(drawn.pos[n][1], 2), "z": 0.0}}
    for *_, data in h.edges(data=True):
        width, line = edge_look(g, data, heaviest)
        er, eg, eb = rgb(line)
        data["viz"] = {"color": {"r": er, "g": eg, "b": eb, "a": 0.55}, "thickness": round(width, 2)}
        if isinstance(data.get("weight"), list):  # a dynamic weight is kept as the 'weight_by_year' attribute
            data["weight_by_year"] = data.pop("weight")
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
    if g.graph.get("mode") == "dynamic":  # the timeline's first and last year, inclusive like every spell
        graph.set("start", str(g.graph["start"]))
        graph.set("end", str(g.graph["end"]))
    meta = root.find(f"{{{ns}}}meta")
    description = ET.SubElement(meta, f"{{{ns}}}description")
    description.text = for_xml("; ".join(f"{k}={v}" for k, v in sorted(g.graph.items()) if k not in ("mode",)))
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _dot(g: Any, path: Path, **_: Any) -> None:
    """DOT that `dot -Tpng` (or neato, fdp) renders as the picture: neato with the picture's positions
    pinned (spread apart where markers would overlap), nodes coloured by kind and sized by participants,
    edges as wide as their weight, the instruments with no edge grouped in a captioned bottom cluster."""
    from .style import EDGE_COLOUR, colour, edge_look, look
    h = _scalar_copy(g)
    drawn = look(h)
    pos = {n: (x / 100, y / 100) for n, (x, y) in drawn.pos.items()}  # canvas pixels are 1/100 inch
    heaviest = max((float(d.get("weight", 1.0) or 0.0) for *_, d in h.edges(data=True)), default=1.0)
    alone = [n for n in h.nodes() if h.degree(n) == 0]
    caption = ("instruments with no active participant on this date" if h.graph.get("query") == "memberships"
               else "instruments that share no active participant with another on this date")
    data_keys = {k: v for k, v in h.graph.items() if k not in ("title", "mode")}
    out = [f"graph {_dot_id(str(h.graph.get('query') or 'pgraph'))} {{",
           "  graph " + _dot_attrs({"layout": "neato", "overlap": "scalexy", "splines": "true",
                                     "outputorder": "edgesfirst", "forcelabels": "true", "bgcolor": "white",
                                     "pad": "0.3", "fontname": "Helvetica", "fontsize": "16", "labelloc": "t",
                                     "label": str(h.graph.get("title", "")), **data_keys}) + ";",
           "  node " + _dot_attrs({"shape": "circle", "style": "filled", "fixedsize": "true", "label": "",
                                    "color": "white", "penwidth": "1.2", "fontname": "Helvetica-Bold",
                                    "fontsize": "9", "fontcolor": "#111111"}) + ";",
           "  edge " + _dot_attrs({"color": EDGE_COLOUR + "8c"}) + ";"]

    def node_line(n: Any, indent: str) -> str:
        d = h.nodes[n]
        x, y = pos[n]
        attrs = {"xlabel": str(d.get("short") or n), "tooltip": str(d.get("label") or n),
                 "fillcolor": colour(str(d.get("kind", ""))),
                 "width": f"{2 * drawn.radius[n] / 100:.3f}",
                 "pos": f"{x:.3f},{y:.3f}!",
                 **{k: v for k, v in d.items() if k not in ("label", "short")}}
        if n in alone:
            attrs["fontsize"] = "7.5"
        return f"{indent}{_dot_id(str(n))} {_dot_attrs(attrs)};"

    out += [node_line(n, "  ") for n in h.nodes() if n not in alone]
    if alone:
        xs, top = [pos[n][0] for n in alone], max(pos[n][1] for n in alone)
        out.append("  subgraph cluster_alone {")
        out.append("    graph " + _dot_attrs({"label": "", "color": "#cccccc", "style": "dashed"}) + ";")
        out.append("    _caption " + _dot_attrs({"shape": "plaintext", "style": "", "fixedsize": "false",
                                                  "label": f"{len(alone)} {caption}", "fontname": "Helvetica",
                                                  "fontsize": "11", "fontcolor": "#555555",
                                                  "pos": f"{(min(xs) + max(xs)) / 2:.3f},{top + 0.4:.3f}!"}) + ";")
        out += [node_line(n, "    ") for n in alone]
        out.append("  }")
    memberships = h.graph.get("query") == "memberships"
    for a, b, d in h.edges(data=True):
        width, line = edge_look(h, d, heaviest)  # as the picture: suspended participations red and dashed
        style = {"penwidth": f"{width:.2f}"}
        if memberships and d.get("status") == "suspended":
            style.update({"color": line + "cc", "style": "dashed"})
        out.append(f"  {_dot_id(str(a))} -- {_dot_id(str(b))} {_dot_attrs({**style, **d})};")
    out.append("}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _dot_id(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as spaces; never HTML or code."""
    clean = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")
    return f'"{clean}"'


def _dot_attrs(attrs: dict[str, Any]) -> str:
    """An attribute list: names bare when they are plain identifiers (ours are), values always quoted."""
    return "[" + ", ".join(f"{k if _DOT_NAME.fullmatch(str(k)) else _dot_id(str(k))}={_dot_id(str(v))}"
                           for k, v in attrs.items()) + "]"


_DOT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
