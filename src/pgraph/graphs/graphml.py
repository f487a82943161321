"""GraphML written straight from the graph, one element per line, styled as the picture (Gephi reads
x, y, size, r, g, b and colour; Cytoscape maps colour with a passthrough).

networkx's writer builds an ElementTree of every node, edge and attribute first and copies the graph
twice on the way (XML-safe, then scalar): 37 s CPU for the 249k edges of a million-triple graph.
This writes the same document (the same keys, ids and types) a column at a time: each attribute's
type is found from the set of its values' types, its texts made once per distinct value, and the
elements of a run with the same keys joined from constant pieces and those texts, a chunk at a time.
(Element by element, with a call per attribute, it took about 3 s CPU for the 243k edges at a
million triples.)"""
from __future__ import annotations

from itertools import chain, groupby, repeat
from operator import itemgetter
from typing import Any, Callable, Iterable, TextIO
from xml.sax.saxutils import quoteattr

from ..output import for_xml

_HEAD = ("<?xml version='1.0' encoding='utf-8'?>\n"
         '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
         'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')


_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})  # \r survives the reader
_CHUNK = 16384  # elements formatted at once: the text of a few MB, never the whole file in memory
_AS_TEXT = (str, type(None), list, tuple)  # values written as text whatever else the key holds


def _scalar_type(kind: type) -> type:
    """The type of a value once GraphML holds it: lists, None and text as text, the rest as they are."""
    return str if kind in _AS_TEXT else kind


def _type(kinds: Iterable[type]) -> str:
    """The attr.type of a key from the types of the values it takes (networkx's names: boolean, long,
    double, string)."""
    kinds = {_scalar_type(k) for k in kinds}
    if kinds == {bool}:
        return "boolean"
    if kinds and kinds <= {int}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


def _by_value(values: list[Any], text: Callable[[Any], str]) -> Iterable[str]:
    """text(v) for each value, worked out once per distinct value (a column of 243k weights holds a
    few hundred); one by one when a zero is among them, as 0.0 and -0.0 are equal but written apart."""
    distinct = set(values)
    if 0 in distinct:
        return map(text, values)
    return map({v: text(v) for v in distinct}.__getitem__, values)


def _texts(kind: str) -> Callable[[list[Any]], Iterable[str]]:
    """How a column of values of a key of this type becomes element texts."""
    if kind == "boolean":
        return lambda values: ["true" if v else "false" for v in values]
    if kind == "double":
        return lambda values: _by_value(values, lambda v: repr(float(v)))
    if kind == "long":
        return lambda values: _by_value(values, str)
    written: dict[str, str] = {}  # a text's escaped form, made once per distinct text

    def text(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, str):
            return for_xml(v).translate(_SPECIAL)
        if type(v) is list or type(v) is tuple:
            return for_xml(";".join(str(x) for x in v)).translate(_SPECIAL)
        return str(v).translate(_SPECIAL)  # a number or boolean among texts, or another object, as str() gives it

    def texts(values: list[Any]) -> Iterable[str]:
        if set(map(type, values)) != {str}:  # numbers among texts: True, 1 and 1.0 are equal but written apart
            return map(text, values)
        for v in set(values).difference(written):
            written[v] = text(v)
        return map(written.__getitem__, values)
    return texts


class _Scope:
    """The attributes of every element of one scope (graph, node or edge) as columns: the data of
    each element plus the look the picture gives it (extra: a value per element for each key)."""

    def __init__(self, rows: list[dict[str, Any]], extra: dict[str, list[Any]]) -> None:
        self.runs: list[tuple[tuple[str, ...], int, dict[str, list[Any]]]] = []  # (keys as written, rows, columns)
        first = 0
        for own, run in groupby(map(tuple, rows)):
            count = sum(1 for _ in run)
            keys = own + tuple(k for k in extra if k not in own)  # an extra key named in the data keeps its place
            part = rows[first:first + count]
            columns = {k: extra[k][first:first + count] if k in extra else list(map(itemgetter(k), part)) for k in keys}
            self.runs.append((keys, count, columns))
            first += count
        kinds: dict[str, set[type]] = {}  # in the order keys are first met, as networkx declares them
        for keys, _, columns in self.runs:
            for k in keys:
                kinds.setdefault(k, set()).update(map(type, columns[k]))
        self.types = {k: _type(found) for k, found in kinds.items()}

    def write(self, out: TextIO, opening: list[str], closing: str, heads: list[list[str]], indent: str) -> None:
        """Every element: the opening's pieces with the heads' texts between them, its data lines, closing."""
        texts = {k: _texts(kind) for k, kind in self.types.items()}
        first = 0
        for keys, count, columns in self.runs:
            tags = [f"{indent}<data key={_key(k)}>" for k in keys]  # each field's text follows its piece
            if keys:
                pieces = opening[:-1] + [opening[-1] + tags[0]] + [f"</data>\n{t}" for t in tags[1:]]
                end = "</data>\n" + closing
            else:
                pieces, end = opening[:-1], opening[-1] + closing
            for at in range(0, count, _CHUNK):
                stop = min(count, at + _CHUNK)
                fields = [h[first + at:first + stop] for h in heads] + [texts[k](columns[k][at:stop]) for k in keys]
                if not fields:
                    out.write(end * (stop - at))
                    continue
                parts = []  # the constant pieces and the fields' texts, interleaved: one join per chunk
                for piece, field in zip(pieces, fields):
                    parts += [repeat(piece), field]
                out.write("".join(chain.from_iterable(zip(*parts, repeat(end)))))
            first += count


def _key(name: Any) -> str:
    """A key's id (and attr.name) as a quoted XML attribute value."""
    return quoteattr(for_xml(str(name)))


def write_graphml(g: Any, out: TextIO) -> None:
    """The graph as GraphML 1.0 on an open text file; key ids are the attribute names, and every node
    and edge carries the picture's look: colour, size and position of nodes, width and colour of edges."""
    from .layout import edge_list
    from .style import colour, edge_looks, look, rgb
    drawn = look(g)
    nodes, rows = zip(*g.nodes(data=True)) if len(g) else ((), ())
    fills = [colour(str(d.get("kind", ""))) for d in rows]
    r, gr, b = zip(*map(rgb, fills)) if fills else ((), (), ())
    node_scope = _Scope(list(rows), {
        "r": list(r), "g": list(gr), "b": list(b), "color": fills,
        "size": [round(2 * drawn.radius[n], 2) for n in nodes],
        "x": [round(drawn.pos[n][0], 2) for n in nodes], "y": [round(drawn.pos[n][1], 2) for n in nodes]})
    edges = edge_list(g)
    datas = [d for *_, d in edges]
    widths, lines = edge_looks(g, datas)
    edge_scope = _Scope(datas, {"width": list(map(round, widths, repeat(2))), "color": lines})
    graph_scope = _Scope([g.graph], {})
    out.write(_HEAD)
    for scope, found in (("edge", edge_scope), ("node", node_scope), ("graph", graph_scope)):
        for k, kind in reversed(found.types.items()):  # networkx's order: the last declared first
            name = _key(k)
            out.write(f'  <key id={name} for="{scope}" attr.name={name} attr.type="{kind}" />\n')
    out.write('  <graph edgedefault="undirected">\n')
    graph_scope.write(out, [""], "", [], "    ")
    ids = {n: quoteattr(for_xml(str(n))) for n in nodes}
    node_scope.write(out, ["    <node id=", ">\n"], "    </node>\n", [[ids[n] for n in nodes]], "      ")
    edge_scope.write(out, ["    <edge source=", " target=", ">\n"], "    </edge>\n",
                     [[ids[a] for a, *_ in edges], [ids[b] for _, b, _ in edges]], "      ")
    out.write("  </graph>\n</graphml>\n")
