"""The ontology as documentation (pyLODE-style): every class and property with label, definition,
domain, range, super and sub classes and the SHACL rules about it, read from ontology/ itself."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..vocab import PG, sparql_prologue

_PREFIXES = sparql_prologue() + "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nPREFIX sh: <http://www.w3.org/ns/shacl#>\n"

_TERMS = _PREFIXES + """
SELECT ?t ?kind (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) WHERE {
  VALUES (?type ?kind) { (owl:Class "class") (owl:ObjectProperty "object property")
                         (owl:DatatypeProperty "datatype property") (owl:AnnotationProperty "annotation property") }
  ?t a ?type . FILTER(ISIRI(?t) && STRSTARTS(STR(?t), STR(pg:)))
  OPTIONAL { ?t rdfs:label ?l }
  OPTIONAL { ?t skos:definition|rdfs:comment ?d }
} GROUP BY ?t ?kind ORDER BY ?kind LCASE(STR(?label))"""

_LINKS = _PREFIXES + """
SELECT ?t ?rel ?o WHERE {
  VALUES ?rel { rdfs:subClassOf rdfs:domain rdfs:range rdfs:subPropertyOf }
  ?t ?rel ?o . FILTER(ISIRI(?t) && ISIRI(?o) && STRSTARTS(STR(?t), STR(pg:)))
}"""

_RULES = _PREFIXES + """
SELECT ?target ?shape ?label ?severity ?comment ?message WHERE {
  { ?shape sh:targetClass ?target } UNION { ?shape sh:property ?ps . ?ps sh:path ?target . FILTER(ISIRI(?target)) }
  OPTIONAL { ?shape rdfs:label ?label }
  OPTIONAL { ?shape sh:severity ?severity }
  OPTIONAL { ?shape rdfs:comment ?comment }
  OPTIONAL { ?shape sh:property ?ps2 . ?ps2 sh:path ?target ; sh:message ?message }
}"""


def short(iri: str) -> str:
    """A term's prefixed name (pg:Instrument, xsd:date), or the IRI itself."""
    from ..vocab import PREFIXES
    extra = {"owl": "http://www.w3.org/2002/07/owl#", "prov": "http://www.w3.org/ns/prov#",
             "org": "http://www.w3.org/ns/org#", "foaf": "http://xmlns.com/foaf/0.1/"}
    for prefix, ns in {**PREFIXES, **extra}.items():
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def describe() -> dict[str, Any]:
    """Classes and properties of ontology/pgraph.ttl, each with its links and the shapes about it."""
    import pyoxigraph as ox
    from ..paths import ONTOLOGY_DIR
    from ..store import read_bytes
    store = ox.Store()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted((ONTOLOGY_DIR / "shapes").glob("*.ttl")):
        store.load(read_bytes(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())

    def rows(text: str) -> list[dict[str, Any]]:
        result = store.query(text)
        names = [v.value for v in result.variables]
        return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]

    terms: dict[str, dict[str, Any]] = {}
    for r in rows(_TERMS):
        entry = terms.setdefault(r["t"], {"iri": r["t"], "name": short(r["t"]), "anchor": r["t"][len(PG):],
                                          "kinds": [], "label": r["label"] or "", "definition": r["definition"] or "",
                                          "super": [], "sub": [], "domain": [], "range": [], "rules": []})
        entry["kinds"].append(r["kind"])
    keys = {"http://www.w3.org/2000/01/rdf-schema#subClassOf": "super",
            "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "super",
            "http://www.w3.org/2000/01/rdf-schema#domain": "domain",
            "http://www.w3.org/2000/01/rdf-schema#range": "range"}
    for r in rows(_LINKS):
        if r["t"] in terms:
            terms[r["t"]][keys[r["rel"]]].append(r["o"])
            if keys[r["rel"]] == "super" and r["o"] in terms:
                terms[r["o"]]["sub"].append(r["t"])
    seen: set[tuple[str, str]] = set()
    for r in rows(_RULES):
        if r["target"] in terms and (r["target"], r["shape"]) not in seen:
            seen.add((r["target"], r["shape"]))
            severity = (r["severity"] or "http://www.w3.org/ns/shacl#Violation").rsplit("#", 1)[-1]
            terms[r["target"]]["rules"].append({"label": r["label"] or short(r["shape"]), "severity": severity,
                                                "text": r["message"] or r["comment"] or ""})
    for entry in terms.values():
        for key in ("super", "sub", "domain", "range"):
            entry[key] = sorted(set(entry[key]))
        entry["rules"].sort(key=lambda x: (x["severity"], x["label"]))
    ordered = sorted(terms.values(), key=lambda e: e["name"].casefold())
    return {"classes": [e for e in ordered if "class" in e["kinds"]],
            "properties": [e for e in ordered if "class" not in e["kinds"]],
            "names": {e["iri"]: e["name"] for e in ordered}}


def write_static(folder: Path) -> Path:
    """docs/ontology/index.html (with its stylesheet): the same page /ontology serves, for `make docs`."""
    from ..output import write_atomic
    from .templates import render
    folder.mkdir(parents=True, exist_ok=True)
    page = render("ontology.html.j2", {"onto": describe(), "static": True, "css": "style.css"})
    write_atomic(folder / "index.html", page)
    write_atomic(folder / "style.css", (Path(__file__).parent / "static" / "style.css").read_bytes())
    return folder / "index.html"
