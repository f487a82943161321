"""Which predicates a saved question can read, so a one-question command loads only their quads.

A query's answer depends only on the quads its triple patterns can match. Those predicates are
derived from the query's SPARQL algebra (rdflib's parser, when the docs are generated) and written
to queries/predicates.json together with a digest of every query file the answer rests on (a
pairwise question's building blocks too); an edited query no longer matches its digest and is
answered from the whole graph. Anything that can match any predicate (a variable predicate, a
negated property set, a zero-length path, GRAPH, SERVICE, DESCRIBE, FROM) reads everything.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Iterable

from ..paths import QUERIES_DIR

TABLE = "predicates.json"


class _Everything(Exception):
    """Raised inside the walk: the query can match any predicate."""


def text_predicates(text: str) -> frozenset[str] | None:
    """The predicates a SPARQL query's patterns can match, or None when it can match any of them."""
    from rdflib.plugins.sparql import prepareQuery
    query = prepareQuery(text)
    algebra = query.algebra
    if algebra.name == "DescribeQuery" or algebra.get("datasetClause"):
        return None
    found: set[str] = set()
    try:
        _walk(algebra, found)
    except _Everything:
        return None
    return frozenset(found)


_ANY_PREDICATE = {"Graph", "GraphGraphPattern", "ServiceGraphPattern", "PathNegatedPropertySet",
                  "TriplesSameSubject", "TriplesSameSubjectPath", "PropertyList", "PropertyListNotEmpty",
                  "PropertyListPath", "PropertyListPathNotEmpty"}


def _walk(node: Any, found: set[str]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue
    if isinstance(node, CompValue):
        if node.name in _ANY_PREDICATE:  # a named graph, a remote service, or a pattern left unexpanded
            raise _Everything
        if node.name in ("BGP", "TriplesBlock"):
            for triple in node.get("triples") or ():
                triple = list(triple)
                if len(triple) % 3:
                    raise _Everything
                for at in range(1, len(triple), 3):
                    _verb(triple[at], found)
            return
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, dict):
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            _walk(value, found)


def _verb(verb: Any, found: set[str]) -> None:
    """Add the predicates a triple pattern's verb (an IRI or a property path) can match."""
    from rdflib import URIRef, paths
    from rdflib.plugins.sparql.parserutils import CompValue
    if isinstance(verb, URIRef):
        found.add(str(verb))
    elif isinstance(verb, paths.MulPath):
        if verb.mod in (paths.ZeroOrMore, paths.ZeroOrOne):  # a zero-length match binds any node
            raise _Everything
        _verb(verb.path, found)
    elif isinstance(verb, (paths.SequencePath, paths.AlternativePath)):
        for part in verb.args:
            _verb(part, found)
    elif isinstance(verb, paths.InvPath):
        _verb(verb.arg, found)
    elif isinstance(verb, CompValue) and verb.name.startswith("Path") and verb.name != "PathNegatedPropertySet":
        if verb.get("mod") in ("*", "?"):
            raise _Everything
        for value in verb.values():
            if isinstance(value, (list, tuple)):
                for part in value:
                    _verb(part, found)
            elif isinstance(value, (URIRef, CompValue)):
                _verb(value, found)
    else:  # a variable, a negated property set, anything not understood
        raise _Everything


def digest(path: Path) -> str:
    """The SHA-256 of a query file's bytes: what a table row rests on."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(catalog: Any, needs: dict[str, Iterable[str]]) -> dict[str, Any]:
    """The predicates every saved query reads, with the digests of the files its answer rests on
    (`needs`: the other saved queries a question's answer is computed from)."""
    out: dict[str, Any] = {}
    for saved in catalog:
        names = [saved.name, *needs.get(saved.name, ())]
        predicates: set[str] | None = set()
        for name in names:
            read = text_predicates(catalog.get(name).sparql)
            if read is None or predicates is None:
                predicates = None
            else:
                predicates |= read
        out[saved.name] = {"predicates": sorted(predicates) if predicates is not None else None,
                           "rests-on": {name: digest(catalog.get(name).path) for name in names}}
    return out


def saved_predicates(saved: Any) -> frozenset[str] | None:
    """The predicates a catalogue query's answer can read, or None: everything (a query given by
    path, an edited one, a table that does not say)."""
    path = QUERIES_DIR / f"{saved.name}.rq"
    try:
        if Path(saved.path).resolve() != path.resolve():
            return None
        row = json.loads((QUERIES_DIR / TABLE).read_text(encoding="utf-8")).get(saved.name)
        if not isinstance(row, dict) or not isinstance(row.get("predicates"), list):
            return None
        rests_on = dict(row.get("rests-on") or {})
        if saved.name not in rests_on or not all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", n) for n in rests_on):
            return None
        for name, expected in rests_on.items():
            if digest(QUERIES_DIR / f"{name}.rq") != expected:
                return None
    except (OSError, ValueError, AttributeError):
        return None
    return frozenset(map(str, row["predicates"]))
