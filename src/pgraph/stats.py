"""Counts that describe a graph: triples, instances per class, statuses, completeness and sourcing, the jungle summary."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .catalog import Catalog
from .store import Backend
from .vocab import PG, sparql_prologue

#: the dataset node whose dcterms:modified is the curation date (data/dataset.ttl)
DATASET = "https://w3id.org/pgraph/id/dataset"

_CURATED = sparql_prologue() + f"SELECT (MAX(?d) AS ?curated) WHERE {{ <{DATASET}> dcterms:modified ?d }}"

_PRIMARY = sparql_prologue() + """
SELECT (COUNT(DISTINCT ?x) AS ?facts) (COUNT(DISTINCT ?onPrimary) AS ?primary) WHERE {
  ?x dcterms:source ?s .
  FILTER NOT EXISTS { ?x a pg:Source }
  OPTIONAL { ?x dcterms:source ?p . ?p pg:primary true . BIND(?x AS ?onPrimary) }
}"""

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


def curation_date(backend: Backend) -> str | None:
    """The dataset's curation date (dcterms:modified), so answers about later dates can say they may be stale."""
    rows = backend.select(_CURATED)
    return str(rows[0]["curated"]) if rows and rows[0].get("curated") else None


def _share(part: int, whole: int) -> dict[str, Any]:
    return {"count": part, "of": whole, "share": round(part / whole, 3) if whole else None}


def compute(backend: Backend, as_of: dt.date | None = None) -> dict[str, Any]:
    """The figures `pgraph stats` prints: counts, stored statuses, status on a date, coverage, sourcing, curation date."""
    from concurrent.futures import ThreadPoolExecutor
    as_of = as_of or dt.date.today()
    catalog = Catalog()
    with ThreadPoolExecutor(max_workers=1) as pool:  # the memberships on a date (most of the work) beside the rest
        asked = pool.submit(backend.select, catalog.get("memberships").bound({"asOf": as_of.isoformat()}))
        classes = {row["class"].removeprefix(PG): row["n"] for row in backend.select(_CLASSES)}
        figures = backend.select(catalog.get("coverage").bound({}))
        primary = backend.select(_PRIMARY)[0]
        curated = curation_date(backend)
        triples = backend.select(_TRIPLES)[0]["n"]
        by_status = {r["status"]: r["n"] for r in backend.select(_BY_STATUS)}
        held = asked.result()
    on_date: dict[str, int] = {}
    for row in held:
        on_date[row["status"]] = on_date.get(row["status"], 0) + 1
    return {
        "triples": triples,
        "classes": classes,
        "participations_by_status": by_status,
        "curated": curated,
        "as_of": as_of.isoformat(),
        "after_curation": curated is not None and as_of.isoformat() > curated,
        "held_on_date_by_status": dict(sorted(on_date.items())),
        "uncertain_on_date": _share(on_date.get("uncertain", 0), len(held)),
        "reported_counts_matched": _share(sum(1 for f in figures if f["difference"] == 0), len(figures)),
        "facts_on_primary_source": _share(primary["primary"], primary["facts"]),
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
