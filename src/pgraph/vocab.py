"""IRIs of the pgraph vocabulary and id space, as plain strings (no rdflib at start-up)."""
from __future__ import annotations

PG = "https://w3id.org/pgraph/ontology#"
ID = "https://w3id.org/pgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"

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


def sparql_prologue() -> str:
    """PREFIX lines for pgraph's inline queries."""
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
