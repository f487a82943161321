"""The SPARQL 1.1 Protocol endpoint's core: refuse what a read-only local endpoint must not run
(updates, SERVICE), run with a deadline and a row cap, and write the standard result formats."""
from __future__ import annotations

import json
import re
import time
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import QueryError
from ..vocab import XSD

RESULT_TYPES = {  # media type -> format name, for SELECT and ASK
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {  # media type -> pyoxigraph RdfFormat name, for CONSTRUCT and DESCRIBE
    "text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML", "text/plain": "N_TRIPLES",
}
_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
          "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}


class Timeout(QueryError):
    """The query ran past the endpoint's per-query time limit."""


class TooLarge(QueryError):
    """The answer is larger than the endpoint sends."""


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_SERVICE = re.compile(r"(?<![\w:?$\-.])SERVICE(?![\w:\-])", re.I)


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code < 0x110000 else ""
    return _ESCAPE.sub(one, text)


def code_only(text: str) -> str:
    """The query text with comments, string literals and IRIs blanked: only keywords, names and punctuation."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if len(quote) == 1 and text[j] == "\n":
                    break
                j += 2 if text[j] == "\\" else 1
            out.append(" ")
            i = j + len(quote)
        elif c == "<" and (m := _IRI.match(text, i)):
            out.append(" ")
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def refuse_unsafe(text: str) -> None:
    """Refuse SERVICE (a request to another server) before anything parses or runs the query.

    Checked on the text as written and with \\u escapes decoded, outside strings, IRIs and comments,
    so neither an escape nor a comment can hide the keyword.
    """
    for variant in (text, _unescape(text)):
        if _SERVICE.search(code_only(variant)):
            raise QueryError("SERVICE is refused: this endpoint answers from its own data and never "
                             "contacts another server")


def run(store: Any, text: str, *, timeout: float, max_rows: int,
        default_graph: list[str] | None = None, named_graphs: list[str] | None = None) -> tuple[str, Any, list[str]]:
    """Run a checked read-only query: ('SELECT', rows of terms, variables) | ('ASK', bool, []) |
    ('CONSTRUCT', triples, []). Stops (Timeout) between answers once the deadline passes."""
    import pyoxigraph as ox
    deadline = time.monotonic() + timeout
    kwargs: dict[str, Any] = {}
    if default_graph:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(text, **kwargs)
    except (SyntaxError, ValueError) as e:
        raise QueryError(f"invalid SPARQL: {str(e).splitlines()[0]}") from None
    if isinstance(result, ox.QueryBoolean):
        return "ASK", bool(result), []
    items, variables = [], []
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
    for item in result:
        items.append(item)
        if len(items) > max_rows:
            raise TooLarge(f"the answer has more than {max_rows} rows; add a LIMIT")
        if len(items) % 256 == 0 and time.monotonic() > deadline:
            raise Timeout(f"the query ran past the {timeout:g} s limit")
    if time.monotonic() > deadline:
        raise Timeout(f"the query ran past the {timeout:g} s limit")
    if isinstance(result, ox.QuerySolutions):
        return "SELECT", [[sol[v] for v in variables] for sol in items], variables
    return "CONSTRUCT", items, []


def negotiate(accept: str, form: str, given: str | None = None) -> str:
    """The media type to answer with: the Accept header's best offered type (q-values honoured),
    else the `format` parameter (clients such as SPARQLWrapper send format=xml beside an exact
    Accept, and browsers' forms send only the parameter), else SPARQL JSON or Turtle."""
    table = GRAPH_TYPES if form == "CONSTRUCT" else RESULT_TYPES
    ranked = []
    for n, part in enumerate((accept or "").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, n, media.lower()))
    for _, _, media in sorted(ranked):
        if media in table:
            return media
    if given:
        aliases = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                   "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                   "ntriples": "application/n-triples", "jsonld": "application/ld+json"}
        media = aliases.get(given, given)
        if media in table:
            return media
        raise QueryError(f"format '{given}' is not offered for a {form} query; "
                         f"choose one of {', '.join(sorted(table))}")
    return "text/turtle" if form == "CONSTRUCT" else "application/sparql-results+json"


def _json_term(term: Any) -> dict[str, str]:
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD + "string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_cell(term: Any) -> str:
    import pyoxigraph as ox
    if term is None:
        return ""
    text = "_:" + term.value if isinstance(term, ox.BlankNode) else getattr(term, "value", str(term))
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def serialize(form: str, answer: Any, variables: list[str], media: str) -> tuple[bytes, str]:
    """The answer's bytes in the chosen media type, and the Content-Type to send."""
    if form == "CONSTRUCT":
        import pyoxigraph as ox
        data = ox.serialize(answer, format=getattr(ox.RdfFormat, GRAPH_TYPES[media]))
        return bytes(data), media + ("; charset=utf-8" if media.startswith("text/") else "")
    fmt = RESULT_TYPES[media]
    if form == "ASK":
        if fmt == "json":
            body = json.dumps({"head": {}, "boolean": answer})
        elif fmt == "xml":
            body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{'true' if answer else 'false'}</boolean></sparql>\n")
        else:
            body = ("true" if answer else "false") + "\n"
        return body.encode("utf-8"), _MEDIA[fmt]
    if fmt == "json":
        doc = {"head": {"vars": variables},
               "results": {"bindings": [{v: _json_term(t) for v, t in zip(variables, row) if t is not None}
                                        for row in answer]}}
        body = json.dumps(doc, ensure_ascii=False)
    elif fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in answer:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                      for v, t in zip(variables, row) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        body = "".join(parts)
    elif fmt == "csv":
        body = "\r\n".join([",".join(variables)] + [",".join(_csv_cell(t) for t in row) for row in answer]) + "\r\n"
    else:
        body = "\n".join(["\t".join("?" + v for v in variables)] +
                         ["\t".join("" if t is None else str(t) for t in row) for row in answer]) + "\n"
    return body.encode("utf-8"), _MEDIA[fmt]
