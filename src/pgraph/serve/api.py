"""The API: a saved query's answer in every format the CLI writes, and an OpenAPI document
generated from the query headers (as grlc does), with the CLI's binding and one-line errors."""
from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..version import __version__

ROW_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8",
             "tsv": "text/tab-separated-values; charset=utf-8", "md": "text/markdown; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "txt": "text/plain; charset=utf-8"}
GRAPH_MEDIA = {"ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples",
               "jsonld": "application/ld+json"}
_GRAPH_FORMATS = {"ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld"}


def answer_bytes(site: Any, name: str, ext: str, given: dict[str, str]) -> tuple[bytes, str]:
    """The answer to a saved query with the given parameters, as bytes of the format the extension names."""
    from ..output import render_rows, render_triples, xlsx
    saved = site.saved(name)
    table = GRAPH_MEDIA if saved.form == "CONSTRUCT" else ROW_MEDIA
    if ext not in table:
        raise UsageError(f"{name}.{ext}: a {saved.form} query is offered as {', '.join(sorted(table))}")
    values = site.values(saved, given)
    answer = site.answer(saved, values)
    if saved.form == "CONSTRUCT":
        return render_triples(answer, _GRAPH_FORMATS[ext]).encode("utf-8"), table[ext]
    columns = list(saved.columns) or None
    if ext == "xlsx":
        about = [("query", saved.name), ("summary", saved.summary),
                 *((f"parameter {k}", v) for k, v in site.terms_text(saved, values).items()),
                 ("data curated on", site.curated or "unknown"), ("written by", f"pgraph {__version__} serve")]
        return xlsx(answer, columns, about=about, sources=site.kg.sources_of(answer)), table[ext]
    return render_rows(answer, "table" if ext == "txt" else ext, columns).encode("utf-8"), table[ext]


_SCHEMAS = {"xsd:date": {"type": "string", "format": "date"}, "year": {"type": "integer", "minimum": 1000, "maximum": 9999},
            "xsd:integer": {"type": "integer"}, "xsd:decimal": {"type": "number"},
            "xsd:string": {"type": "string", "maxLength": 1000}}


def openapi(site: Any) -> dict[str, Any]:
    """OpenAPI 3.1: one path per saved query, its parameters typed from the header."""
    paths: dict[str, Any] = {}
    for q in site.queries.values():
        formats = sorted(GRAPH_MEDIA if q.form == "CONSTRUCT" else ROW_MEDIA)
        params = []
        for p in q.params:
            if p.type in site.choices:
                schema: dict[str, Any] = {"type": "string",
                                          "examples": [i for i, _ in site.choices[p.type][:3]],
                                          "description": f"a {p.type} id, name or IRI"}
            else:
                schema = dict(_SCHEMAS.get(p.type, {"type": "string"}))
            if p.default is not None:
                schema["default"] = str(p.default)
            params.append({"name": p.name, "in": "query", "required": bool(p.required),
                           "description": p.description or p.type, "schema": schema})
        params.append({"name": "format", "in": "path", "required": True,
                       "schema": {"type": "string", "enum": formats}})
        paths[f"/api/{q.name}.{{format}}"] = {"get": {
            "operationId": q.name.replace("-", "_"), "summary": q.summary,
            "description": q.description or q.summary, "tags": list(q.tags),
            "parameters": params,
            "responses": {
                "200": {"description": "the answer", "content": {
                    (GRAPH_MEDIA if q.form == "CONSTRUCT" else ROW_MEDIA)[f].split(";")[0]: {} for f in formats}},
                "400": {"description": "a bad parameter: one line saying which and what was expected",
                        "content": {"text/plain": {}}}}}}
    return {"openapi": "3.1.0",
            "info": {"title": "pgraph saved queries", "version": __version__,
                     "description": "NATO's partnership instruments as a knowledge graph: the saved SPARQL "
                                    "questions, parameters bound as typed RDF terms."},
            "paths": paths}
