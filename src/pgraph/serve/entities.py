"""What an entity page shows: the IRI's statements and, by kind, its history, members, overlaps,
assessments, trust funds or what an event created; and the same IRI as Turtle or JSON-LD."""
from __future__ import annotations

from typing import Any

from ..vocab import ID, sparql_prologue


def iri_for(path: str) -> str:
    """The pgraph IRI an /id/... path names, checked to be a valid IRI (ValueError otherwise)."""
    from ..catalog import Iri
    if not path or ".." in path.split("/"):
        raise ValueError("not an entity path")
    return Iri(ID + path).value


def _select(site: Any, text: str) -> list[dict[str, Any]]:
    return site.kg.backend.select(sparql_prologue() + text)


def statements(site: Any, iri: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the IRI says (predicate, object) and what points to it (subject, predicate)."""
    out = _select(site, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} ORDER BY ?p ?o")
    inc = _select(site, f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }} ORDER BY ?p ?s LIMIT 500")
    return out, inc


def exists(site: Any, iri: str) -> bool:
    return site.kg.backend.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")


def sections(site: Any, iri: str, as_of: str) -> list[dict[str, Any]]:
    """The kind-specific tables: each a title, the saved query behind it (if any), columns and rows."""
    kind = iri[len(ID):].split("/", 1)[0]
    out: list[dict[str, Any]] = []

    def add(title: str, rows: list[dict[str, Any]], columns: list[str], query: str | None = None,
            params: dict[str, str] | None = None) -> None:
        out.append({"title": title, "rows": rows, "columns": columns, "query": query, "params": params or {}})

    if kind == "country":
        rows = site.kg.query("partner-history", country=iri)
        add("Partnership history", rows, ["instrument", "label", "start", "end", "status", "end_reason", "source"],
            "partner-history", {"country": iri})
        current = [r for r in rows if r["start"] and str(r["start"]) <= as_of and
                   (not r["end"] or str(r["end"]) > as_of)]
        add(f"Instruments on {as_of}", current, ["instrument", "label", "start", "status"])
    elif kind == "instrument":
        members = site.kg.query("members", instrument=iri, asOf=as_of)
        add(f"Members on {as_of}", members, ["country", "label", "status", "since"], "members",
            {"instrument": iri, "asOf": as_of})
        add("Members over time", _select(site, f"""
            SELECT ?country ?label ?start ?end ?status WHERE {{
              ?p pg:instrument <{iri}> ; pg:participant ?c ; pg:startDate ?start .
              ?c dcterms:identifier ?country . OPTIONAL {{ ?c rdfs:label ?label }}
              OPTIONAL {{ ?p pg:endDate ?end }} OPTIONAL {{ ?p pg:status/rdfs:label ?status }}
            }} ORDER BY ?start ?country"""), ["country", "label", "start", "end", "status"])
        ident = iri.rsplit("/", 1)[-1]
        overlaps = [r for r in site.answer(site.saved("overlap"), {"asOf": as_of}) if ident in (r["a"], r["b"])]
        add(f"Overlaps on {as_of}", overlaps, ["a", "b", "shared", "jaccard", "overlap_coefficient"], "overlap",
            {"asOf": as_of})
        add("Assessments", _select(site, f"""
            SELECT ?aspect ?verdict ?assessed_by ?source WHERE {{
              ?x a pg:Assessment ; pg:about <{iri}> ; dcterms:source ?source .
              OPTIONAL {{ ?x pg:aspect ?aspect }} OPTIONAL {{ ?x pg:verdict/rdfs:label ?verdict }}
              OPTIONAL {{ ?x pg:assessedBy ?assessed_by }} }} ORDER BY ?aspect"""),
            ["aspect", "verdict", "assessed_by", "source"])
        add("Trust funds financing it", _select(site, f"""
            SELECT ?fund ?label ?established WHERE {{ ?tf pg:finances <{iri}> ; dcterms:identifier ?fund .
              OPTIONAL {{ ?tf rdfs:label ?label }} OPTIONAL {{ ?tf pg:establishedOn ?established }} }} ORDER BY ?fund"""),
            ["fund", "label", "established"])
    elif kind == "event":
        add("Instruments it created", _select(site, f"""
            SELECT ?instrument ?label ?established WHERE {{ ?i pg:establishedAt <{iri}> ; dcterms:identifier ?instrument .
              OPTIONAL {{ ?i rdfs:label ?label }} OPTIONAL {{ ?i pg:establishedOn ?established }} }} ORDER BY ?instrument"""),
            ["instrument", "label", "established"])
        add("Partners who attended", site.kg.query("event-participants", event=iri),
            ["country", "label", "meeting"], "event-participants", {"event": iri})
    return out


def sources(site: Any, iri: str) -> list[dict[str, Any]]:
    """The sources the IRI and the statements about it cite, with title and whether primary."""
    return _select(site, f"""
        SELECT DISTINCT ?source ?title ?primary WHERE {{
          {{ <{iri}> dcterms:source ?source }} UNION {{ ?x pg:participant|pg:instrument|pg:about <{iri}> ;
                                                      dcterms:source ?source }}
          OPTIONAL {{ ?source dcterms:title ?title }} OPTIONAL {{ ?source pg:primary ?primary }}
        }} ORDER BY DESC(?primary) ?source LIMIT 200""")


def linked_data(site: Any, iri: str, media: str) -> bytes:
    """The IRI's statements as Turtle or JSON-LD (with the statements about it by other things' ids)."""
    import pyoxigraph as ox
    triples = site.kg.backend.construct(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}")
    if media == "application/ld+json":
        return bytes(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    from ..vocab import PREFIXES
    return bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
