"""The ontology parses, documents every term, and is consistent (and catches inconsistency) under OWL 2 RL."""
from __future__ import annotations

import owlrl
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from conftest import MINI, ROOT

PG = Namespace("https://w3id.org/pgraph/ontology#")
ONTOLOGY = ROOT / "ontology" / "pgraph.ttl"
AREAS = ROOT / "ontology" / "areas.ttl"
ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")


@pytest.fixture(scope="module")
def tbox() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(ONTOLOGY)
    g.parse(AREAS)
    return g


def test_ontology_has_metadata(tbox):
    onto = URIRef("https://w3id.org/pgraph/ontology")
    assert (onto, RDF.type, OWL.Ontology) in tbox
    for prop in (OWL.versionIRI, OWL.versionInfo, DCTERMS.title, DCTERMS.description,
                 DCTERMS.license, DCTERMS.created):
        assert tbox.value(onto, prop) is not None, prop


def _pg_terms(g: rdflib.Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
    return {s for k in kinds for s in g.subjects(RDF.type, k)
            if isinstance(s, URIRef) and str(s).startswith(str(PG))}


def test_every_class_and_property_has_english_label_and_definition(tbox):
    terms = _pg_terms(tbox)
    assert len(terms) > 60
    for term in terms:
        labels = [l for l in tbox.objects(term, RDFS.label) if isinstance(l, Literal) and l.language == "en"]
        definitions = list(tbox.objects(term, SKOS.definition)) + list(tbox.objects(term, RDFS.comment))
        assert labels, f"{term} has no English rdfs:label"
        assert definitions, f"{term} has no definition"


def test_every_area_and_challenge_concept_is_labelled_and_defined(tbox):
    concepts = set(tbox.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 21
    challenges = [c for c in concepts if "/challenge/" in str(c)]
    assert len(challenges) == 6
    for c in concepts:
        assert tbox.value(c, SKOS.prefLabel) is not None and tbox.value(c, SKOS.definition) is not None, c


def test_instrument_kinds_each_have_a_kind_id(tbox):
    kinds = {str(tbox.value(c, PG.kindId)) for c in tbox.subjects(RDFS.subClassOf, PG.Instrument)}
    assert kinds == {"framework", "initiative", "special-body", "forum", "programme", "tool", "document",
                     "trust-fund"}


def test_ontology_declares_every_property_it_uses_for_owl2_dl(tbox):
    declared = set()
    for k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        declared |= set(tbox.subjects(RDF.type, k))
    builtin = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#", str(SKOS))
    g = rdflib.Graph().parse(ONTOLOGY)
    used = {p for p in g.predicates() if not str(p).startswith(builtin)}
    used |= {o for _s, o in g.subject_objects(OWL.onProperty)}
    assert used <= declared | {SKOS.definition}, used - declared


def _closure_errors(extra: list[tuple] = ()) -> list[str]:
    g = rdflib.Graph()
    for path in (ONTOLOGY, AREAS, MINI / "graph.ttl"):
        g.parse(path)
    for triple in extra:
        g.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(g)
    return [str(o) for o in g.objects(None, ERROR)]


def test_ontology_and_fixture_are_consistent_under_owl2_rl():
    assert _closure_errors() == []


def test_a_country_that_is_also_an_organisation_is_inconsistent():
    errors = _closure_errors([(URIRef("https://w3id.org/pgraph/id/country/FIN"), RDF.type,
                               PG.InternationalOrganisation)])
    assert any("Disjoint classes" in e and "country/FIN" in e for e in errors), errors


def test_an_instrument_of_two_kinds_is_inconsistent():
    errors = _closure_errors([(URIRef("https://w3id.org/pgraph/id/instrument/eop"), RDF.type,
                               PG.RegionalFramework)])
    assert any("instrument/eop" in e for e in errors), errors


def test_a_participation_with_two_statuses_breaks_the_functional_property():
    # pg:status is functional and the statuses are owl:AllDifferent, so two statuses force
    # sameAs between different individuals. (owlrl 7 skips the last member of an AllDifferent
    # list in this check, so the pair used here is Active/Suspended.)
    part = URIRef("https://w3id.org/pgraph/id/participation/pfp-SWE")
    errors = _closure_errors([(part, PG.status, PG.Suspended)])
    assert any("AllDifferent" in e and "Suspended" in e for e in errors), errors
