"""Counts that describe a graph: triples, instances per class, participations by status, the jungle summary."""
from __future__ import annotations

from typing import Any

from .store import Backend
from .vocab import PG, sparql_prologue

_CLASSES = sparql_prologue() + """
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?x a ?class . FILTER(STRSTARTS(STR(?class), STR(pg:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class"""

_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

_BY_STATUS = sparql_prologue() + """
SELECT ?status (COUNT(?p) AS ?n) WHERE {
  ?p a pg:Participation ; pg:status ?s . ?s rdfs:label ?status .
} GROUP BY ?status ORDER BY ?status"""

_SUMMARY = sparql_prologue() + """
SELECT
  (COUNT(DISTINCT ?i) AS ?instruments)
  (COUNT(DISTINCT ?open) AS ?never_terminated)
WHERE {
  ?i a ?k . ?k rdfs:subClassOf pg:Instrument .
  OPTIONAL { ?i pg:endedOn ?end }
  BIND(IF(BOUND(?end), ?unbound, ?i) AS ?open)
}"""

_PARTNERS = sparql_prologue() + """
SELECT (COUNT(DISTINCT ?c) AS ?partners) (COUNT(DISTINCT ?p) AS ?participations) WHERE {
  ?p a pg:Participation ; pg:participant ?who .
  OPTIONAL { ?who a pg:Country . BIND(?who AS ?c) }
}"""

_SOURCES = sparql_prologue() + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a pg:Source }"


def compute(backend: Backend) -> dict[str, Any]:
    """The figures `pgraph stats` prints."""
    classes = {row["class"].removeprefix(PG): row["n"] for row in backend.select(_CLASSES)}
    return {
        "triples": backend.select(_TRIPLES)[0]["n"],
        "classes": classes,
        "participations_by_status": {r["status"]: r["n"] for r in backend.select(_BY_STATUS)},
    }


def summary(backend: Backend) -> dict[str, int]:
    """The jungle in four numbers: instruments, countries that ever took part, participations, never terminated."""
    head = backend.select(_SUMMARY)[0]
    part = backend.select(_PARTNERS)[0]
    return {
        "instruments": head["instruments"],
        "never_terminated": head["never_terminated"],
        "partners_ever": part["partners"],
        "participations": part["participations"],
        "sources": backend.select(_SOURCES)[0]["n"],
    }
