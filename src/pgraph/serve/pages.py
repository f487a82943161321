"""The HTML pages: catalogue, a page per saved query, entities, ontology, pictures, the SPARQL editor."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from ..errors import ParameterError, PgraphError
from ..vocab import ID, PREFIXES
from .templates import render

ROW_DOWNLOADS = ("csv", "tsv", "json", "md", "xlsx", "txt")
GRAPH_DOWNLOADS = ("ttl", "nt", "jsonld")
_INPUTS = {"xsd:date": "date", "year": "number", "xsd:integer": "number", "xsd:decimal": "number",
           "xsd:string": "text", "xsd:boolean": "checkbox"}  # an unticked box sends nothing: the default
_BOUNDS = {"year": {"min": "1900", "max": "2100", "step": "1"},
           "xsd:integer": {"min": "0", "max": "1000000000", "step": "1"},
           "xsd:decimal": {"min": "0", "max": "1000000000", "step": "any"},
           "xsd:date": {"min": "1900-01-01", "max": "2100-12-31"}}


def single_values(params: Any) -> dict[str, str]:
    """A request's query parameters, each given once (a repeated one is refused, as the CLI refuses it)."""
    out: dict[str, str] = {}
    for key, value in params.multi_items():
        if key in out:
            raise ParameterError(f"parameter {key} given more than once")
        out[key] = value
    return out


def today() -> str:
    return dt.date.today().isoformat()


def fields(site: Any, saved: Any, shown: dict[str, str]) -> list[dict[str, Any]]:
    """The form's inputs generated from the header's typed parameters."""
    out = []
    for spec in saved.params:
        field: dict[str, Any] = {"name": spec.name, "type": spec.type, "value": shown.get(spec.name, ""),
                                 "required": spec.required, "description": spec.description,
                                 "default": spec.describe_default()}
        if spec.type in site.choices:
            value = field["value"]
            if value.startswith(ID):  # a full IRI in the URL selects the same entry as its id
                value = value.rsplit("/", 1)[-1]
                field["value"] = value
            field["options"] = site.choices[spec.type]
            field["input"] = "select"
        else:
            field["input"] = _INPUTS.get(spec.type, "text")
            field["bounds"] = dict(_BOUNDS.get(spec.type, {}))
            if spec.minimum is not None:  # the header's own bounds, which the CLI enforces too
                field["bounds"]["min"] = str(spec.minimum)
            if spec.maximum is not None:
                field["bounds"]["max"] = str(spec.maximum)
        out.append(field)
    return out


def catalogue(site: Any) -> str:
    return render("catalogue.html.j2", {"title": "pgraph: saved questions", "groups": site.groups(),
                                        "curated": site.curated, "today": today()})


def _rows_for_page(site: Any, saved: Any, answer: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Each cell with its text, a sort key and (for ids and the names beside them) an entity link."""
    columns = list(saved.columns) or (list(answer[0]) if answer else [])
    out = []
    for row in answer:
        cells, first_link = [], None
        for c in columns:
            v = row.get(c)
            link = site.entity_link(c, v) if not isinstance(v, list) else None
            items = [{"text": str(x), "href": site.entity_link(c, x)} for x in v] if isinstance(v, list) else None
            if link and first_link is None:
                first_link = link
            if c == "label" and first_link:
                link = first_link
            sort = v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
            cells.append({"value": v, "href": link, "parts": items, "sort": sort})
        out.append(cells)
    return out


def query_page(site: Any, name: str, given: dict[str, str]) -> tuple[int, str]:
    saved = site.saved(name)
    status, error, answer, bound = 200, None, None, None
    shown = site.shown_values(saved, given)
    try:
        values = site.values(saved, given)
        missing = [p.name for p in saved.params if p.required and p.name not in values]
        if not missing:
            answer = site.answer(saved, values)
            bound = saved.bound(values, site.kg.resolve)
    except PgraphError as e:
        status, error = 400, str(e)
    as_of = shown.get("asOf") or shown.get("to") or today()
    query_string = urlencode({k: v for k, v in given.items() if v.strip()})
    downloads = GRAPH_DOWNLOADS if saved.form == "CONSTRUCT" else ROW_DOWNLOADS
    context = {"title": f"pgraph: {saved.name}", "q": saved, "fields": fields(site, saved, shown), "error": error,
               "answer": answer, "bound": bound or saved.sparql, "curated": site.curated, "as_of": as_of,
               "columns": list(saved.columns) or (list(answer[0]) if answer and isinstance(answer[0], dict) else []),
               "rows": _rows_for_page(site, saved, answer) if answer and saved.form != "CONSTRUCT" else [],
               "triples": [str(t) for t in answer[:500]] if answer and saved.form == "CONSTRUCT" else [],
               "downloads": [(fmt, f"/api/{saved.name}.{fmt}" + (f"?{query_string}" if query_string else ""))
                             for fmt in downloads],
               "permalink": f"/q/{saved.name}" + (f"?{query_string}" if query_string else "")}
    return status, render("query.html.j2", context)


def error_page(status: int, message: str) -> str:
    return render("error.html.j2", {"title": f"pgraph: error {status}", "status": status, "message": message})


def entity_page(site: Any, iri: str, as_of: str) -> str:
    from . import entities
    out, inc = entities.statements(site, iri)
    from .ontology import short
    label = site.labels.get(iri, iri.rsplit("/", 1)[-1])

    def term(value: Any) -> dict[str, Any]:
        text = value if not isinstance(value, str) else value
        href = None
        if isinstance(value, str) and value.startswith(ID):
            href = "/id/" + value[len(ID):]
            text = site.labels.get(value, short(value))
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            text = short(value)
            href = value if text == value else None
        return {"text": text, "href": href}

    kind = iri[len(ID):].split("/", 1)[0]
    picture, picture_title = None, ""
    found = entities.sections(site, iri, as_of)
    extra = None
    if kind == "instrument":
        picture, picture_title = membership_svg(site, iri, as_of), f"Members on {as_of}"
        from .pictures import timeline
        extra = timeline(found[1]["rows"], as_of=as_of, key="country",
                         link=lambda c: site.entity_link("country", c))
    elif kind == "country" and found:
        from .pictures import timeline
        picture = timeline(found[0]["rows"], as_of=as_of, link=lambda i: site.entity_link("instrument", i))
        picture_title = "Partnership timeline"
    context = {"title": f"pgraph: {label}", "iri": iri, "label": label, "kind": kind, "as_of": as_of,
               "curated": site.curated,
               "out": [{"p": short(r["p"]), "o": term(r["o"])} for r in out],
               "inc": [{"s": term(r["s"]), "p": short(r["p"])} for r in inc],
               "sections": [{**s, "rows": [[{"value": r.get(c), "href": site.entity_link(c, r.get(c))}
                                             for c in s["columns"]] for r in s["rows"]],
                             "link": f"/q/{s['query']}?{urlencode(s['params'])}" if s["query"] else None}
                            for s in found],
               "sources": entities.sources(site, iri), "picture": picture, "picture_title": picture_title,
               "timeline": extra}
    return render("entity.html.j2", context)


def membership_svg(site: Any, iri: str, as_of: str) -> str:
    """One instrument and its members on a date, as inline SVG."""
    import networkx as nx
    from .pictures import network
    ident = iri.rsplit("/", 1)[-1]
    g = nx.Graph()
    members = site.answer(site.saved("members"), {"instrument": iri, "asOf": as_of})
    g.add_node(ident, label=site.labels.get(iri, ident), short=ident, kind="framework", participants=len(members))
    for r in members:
        g.add_node(r["country"], label=r["label"], short=r["country"], kind="country", participants=0)
        g.add_edge(ident, r["country"], weight=0.2 if r["status"] == "active" else 0.05)
    return network(g, link=lambda n: site.entity_link("id", n), width=720, height=480,
                   title=f"Members of {site.labels.get(iri, ident)} on {as_of}")


def overlap_svg(site: Any, as_of: str, metric: str = "jaccard") -> str:
    from ..graphs import overlap_graph
    from .pictures import network
    g = overlap_graph(site.kg, asOf=as_of, metric=metric)
    return network(g, link=lambda n: site.entity_link("instrument", n),
                   title=f"Instruments sharing active partners on {as_of} (edge width: {metric})")


def pictures_page(site: Any, as_of: str, svg: str) -> str:
    return render("pictures.html.j2", {"title": f"pgraph: overlap on {as_of}", "as_of": as_of, "svg": svg,
                                       "curated": site.curated,
                                       "instruments": site.choices["instrument"]})


def ontology_page(onto: dict[str, Any]) -> str:
    return render("ontology.html.j2", {"title": "pgraph ontology", "onto": onto})


def editor_page(site: Any) -> str:
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    examples = [{"name": q.name, "summary": q.summary, "text": q.bound({}, site.kg.resolve).strip()}
                for q in site.queries.values() if not any(p.required for p in q.params)]
    start = prologue + "\nSELECT ?instrument ?label WHERE {\n  ?i a/rdfs:subClassOf* pg:Instrument ;\n" \
                       "     dcterms:identifier ?instrument ; rdfs:label ?label .\n} ORDER BY ?label LIMIT 20\n"
    return render("sparql.html.j2", {"title": "pgraph: SPARQL", "examples": examples, "start": start,
                                     "timeout": site.query_timeout, "max_rows": site.max_rows})

