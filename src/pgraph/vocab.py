"""IRIs of the pgraph vocabulary and id space, as plain strings (no rdflib at start-up)."""
from __future__ import annotations

import re

PG = "https://w3id.org/pgraph/ontology#"
ID = "https://w3id.org/pgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
ONTOLOGY = "https://w3id.org/pgraph/ontology"

#: the named graph `pgraph push` replaces and `pgraph.connect` / `--endpoint` read by default
FACTS_GRAPH = "https://w3id.org/pgraph/graph/facts"

#: id-space folder for each kind of thing a parameter can name
ID_SPACES = {
    "instrument": ID + "instrument/",
    "country": ID + "country/",
    "event": ID + "event/",
    "organisation": ID + "organisation/",
}

PREFIXES = {
    "pg": PG, "xsd": XSD, "rdf": RDF, "rdfs": RDFS, "dcterms": DCTERMS, "skos": SKOS,
    "inst": ID_SPACES["instrument"], "country": ID_SPACES["country"], "event": ID_SPACES["event"],
}

#: predeclared for ad hoc SPARQL (`pgraph sparql`, KnowledgeGraph.sparql): the project's id spaces
#: and the vocabularies the ontology reuses
ADHOC_PREFIXES = {
    **PREFIXES,
    "io": ID_SPACES["organisation"], "area": ID + "area/", "challenge": ID + "challenge/", "figure": ID + "figure/",
    "owl": "http://www.w3.org/2002/07/owl#", "prov": "http://www.w3.org/ns/prov#", "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/", "sh": SH, "wd": "http://www.wikidata.org/entity/",
}

_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.I | re.M)


def with_prefixes(text: str) -> tuple[str, int]:
    """The query with ADHOC_PREFIXES it does not declare itself put before it on one line, and the
    number of lines added (0 or 1), so error positions can be given in the user's own lines."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    missing = [f"PREFIX {k}: <{v}>" for k, v in ADHOC_PREFIXES.items() if k not in declared]
    return (" ".join(missing) + "\n" + text, 1) if missing else (text, 0)


def sparql_prologue() -> str:
    """PREFIX lines for pgraph's inline queries."""
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
