"""Every SHACL rule fires, with its severity and message, on a fixture that breaks it, and stays quiet on the mini graph."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import FIXTURES, MINI
from pgraph.validate.run import Settings, validate

AS_OF = Settings(as_of=dt.date(2026, 11, 28))
SHAPES = FIXTURES / "shapes"
PGSH = "https://w3id.org/pgraph/shapes#"

# fixture -> (shape, severity, constraint component, fragment of the message)
EXPECTED = {
    "participation-without-participant": ("ParticipationShape", "Violation", "MinCount", "exactly one pg:participant"),
    "participation-two-instruments": ("ParticipationShape", "Violation", "MaxCount", "exactly one pg:instrument"),
    "participation-participant-undescribed": ("ParticipationShape", "Violation", "Class", "described country or organisation"),
    "participation-start-not-a-date": ("ParticipationShape", "Violation", "Datatype", "pg:startDate, an xsd:date"),
    "participation-start-after-end": ("ParticipationShape", "Violation", "LessThanOrEquals", "start date is after the end date"),
    "participation-two-end-dates": ("ParticipationShape", "Violation", "MaxCount", "at most one pg:endDate"),
    "participation-unknown-status": ("ParticipationShape", "Violation", "In", "pg:Active, pg:Suspended or pg:Ended"),
    "participation-without-status": ("ParticipationShape", "Violation", "MinCount", "exactly one pg:status"),
    "participation-bad-end-reason": ("ParticipationShape", "Violation", "Class", "pg:EndReason"),
    "participation-without-source": ("ParticipationShape", "Violation", "MinCount", "needs a dcterms:source"),
    "participation-missing-two-doubling-two": ("ParticipationShape", "Violation", "MinCount", "exactly one pg:status"),
    "participation-ended-without-reason": ("EndedParticipationShape", "Violation", "SPARQL", "end reason is missing"),
    "participation-before-instrument": ("ParticipationWithinLifetimeShape", "Violation", "SPARQL", "starts 2010-01-01 before the lifetime of instrument eop"),
    "participation-after-instrument-ended": ("ParticipationWithinLifetimeShape", "Violation", "SPARQL", "after the end of instrument old"),
    "participation-open-after-accession": ("OpenAfterAccessionShape", "Violation", "SPARQL", "TUR became an Ally on 1952-02-18"),
    "participation-stored-status-disagrees": ("StoredStatusShape", "Violation", "SPARQL", "stored status is Active but the dated facts give Suspended on the curation date 2026-11-28"),
    "instrument-stored-status-disagrees": ("StoredInstrumentStatusShape", "Violation", "SPARQL", "stored status is Active but the dated facts give Suspended"),
    "participation-accession-end-on-another-day": ("AccessionEndDateShape", "Warning", "SPARQL", "ends on 2021-04-04 for accession to NATO, but FIN acceded on 2023-04-04"),
    "participation-overlapping-spells": ("NoOverlappingSpellsShape", "Violation", "SPARQL", "same participant, same instrument"),
    "instrument-without-kind": ("InstrumentKindShape", "Violation", "SPARQL", "exactly one kind; it has 0"),
    "instrument-bad-identifier": ("InstrumentShape", "Violation", "Pattern", "lower case letters"),
    "instrument-without-established-date": ("InstrumentShape", "Violation", "MinCount", "pg:establishedOn"),
    "instrument-without-source": ("InstrumentShape", "Violation", "MinCount", "every instrument needs a dcterms:source"),
    "instrument-two-labels": ("InstrumentShape", "Violation", "UniqueLang", "one English rdfs:label"),
    "instrument-two-acronyms": ("InstrumentShape", "Violation", "MaxCount", "at most one pg:acronym"),
    "identifier-not-matching-iri": ("IdMatchesIriShape", "Violation", "SPARQL", "does not match the end of the IRI"),
    "identifier-duplicate": ("IdMatchesIriShape", "Violation", "SPARQL", "is also used by"),
    "instrument-ended-without-reason": ("EndedInstrumentShape", "Violation", "SPARQL", "end reason is missing"),
    "successor-before-predecessor-ends": ("SuccessorShape", "Violation", "SPARQL", "the successor started on 2014-09-05, before it ended on 2020-01-01"),
    "country-bad-iso-code": ("CountryShape", "Violation", "Pattern", "ISO 3166-1 alpha-3"),
    "country-bad-wikidata": ("CountryShape", "Violation", "Pattern", "Wikidata entity IRI"),
    "organisation-bad-identifier": ("OrganisationShape", "Violation", "Pattern", "lower-case dcterms:identifier"),
    "accession-without-date": ("AccessionShape", "Violation", "MinCount", "exactly one pg:date"),
    "accession-duplicate": ("AccessionShape", "Violation", "SPARQL", "another accession"),
    "status-change-bad-type": ("StatusChangeShape", "Violation", "In", "suspension, restriction or resumption"),
    "assessment-without-assessor": ("AssessmentShape", "Violation", "MinCount", "pg:assessedBy"),
    "figure-without-value": ("ReportedFigureShape", "Violation", "MinCount", "pg:value"),
    "event-without-date": ("EventShape", "Violation", "MinCount", "pg:date"),
    "source-not-described": ("CitedSourceShape", "Violation", "Class", "described pg:Source"),
    "source-not-a-url": ("SourceShape", "Violation", "Pattern", "http(s) URL"),
    "source-described-twice": ("SourceShape", "Violation", "MaxCount", "exactly one dcterms:title"),
    "source-without-primary": ("SourceShape", "Violation", "MinCount", "pg:primary"),
    "scenario-in-facts": ("NoScenarioInFactsShape", "Violation", "MaxCount", "move it under data/scenarios/"),
    "smell-zombie": ("ZombieShape", "Warning", "SPARQL", "no active participant (it had 1 participation)"),
    "smell-redundant-pair": ("RedundantPairShape", "Warning", "SPARQL", "overlaps twin with Jaccard 1.000 (threshold 0.8) and both cover defence-reform"),
    "smell-quiet-instrument": ("QuietInstrumentShape", "Warning", "SPARQL", "no recorded activity since 2001-03-03 (25 years; threshold 5)"),
    "smell-coverage-differs": ("CoverageShape", "Info", "SPARQL", "reports 3 participants of eop on 2020-06-12; the data records 2"),
    "smell-never-terminated-failed": ("NeverTerminatedShape", "Warning", "SPARQL", "Another author (2024) judges it: original goal not met"),
}


@pytest.fixture(scope="module")
def baseline():
    return {f.key() for f in validate(data_dir=MINI, settings=AS_OF).findings}


def test_every_fixture_is_listed_with_its_expected_finding():
    assert {p.stem for p in SHAPES.glob("*.ttl")} == set(EXPECTED)


def test_the_mini_graph_has_no_violation_and_the_smells_the_fixture_was_built_for():
    report = validate(data_dir=MINI, settings=AS_OF)
    assert report.count("Violation") == 0
    shapes = {(f.shape.removeprefix(PGSH), f.severity) for f in report.findings}
    assert shapes == {("NeverTerminatedShape", "Warning"), ("DormantParticipationShape", "Warning"),
                      ("SubsumedShape", "Info"), ("QuietInstrumentShape", "Warning")}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_rule_fires_on_its_fixture_with_severity_and_message(fixture, baseline):
    shape, severity, component, fragment = EXPECTED[fixture]
    report = validate([SHAPES / f"{fixture}.ttl"], data_dir=MINI, settings=AS_OF)
    new = [f for f in report.findings if f.key() not in baseline]
    matching = [f for f in new if f.shape == PGSH + shape and f.severity == severity
                and f.component == component + "ConstraintComponent" and fragment in f.message]
    assert matching, [(f.shape, f.severity, f.component, f.message) for f in new]
    # the fixture breaks its rule and nothing else at Violation level
    stray = [f for f in new if f.severity == "Violation" and f.shape != PGSH + shape
             and not (fixture == "source-not-a-url" and f.shape == PGSH + "CitedSourceShape")]
    assert not stray, stray


def test_redundancy_threshold_is_settable():
    fixture = [SHAPES / "smell-redundant-pair.ttl"]
    strict = Settings(as_of=AS_OF.as_of, min_jaccard=Decimal("1"))
    assert any("RedundantPair" in f.shape for f in validate(fixture, data_dir=MINI, settings=strict).findings)
    # PfP and EOP share SWE only (Jaccard 0.5): a 0.5 threshold adds that pair, 0.6 does not
    low = validate(data_dir=MINI, settings=Settings(as_of=AS_OF.as_of, min_jaccard=Decimal("0.5"))).findings
    higher = validate(data_dir=MINI, settings=Settings(as_of=AS_OF.as_of, min_jaccard=Decimal("0.6"))).findings
    assert any("RedundantPair" in f.shape and "Jaccard 0.500" in f.message for f in low)
    assert not any("RedundantPair" in f.shape for f in higher)


def test_many_instruments_threshold_is_settable():
    two = validate(data_dir=MINI, settings=Settings(as_of=AS_OF.as_of, max_instruments=2)).findings
    hits = [f for f in two if f.shape == PGSH + "ManyInstrumentsShape"]
    assert [f.focus for f in hits] == ["<https://w3id.org/pgraph/id/country/SWE>"]
    assert hits[0].severity == "Info" and "active in 2 instruments" in hits[0].message
    assert not any(f.shape == PGSH + "ManyInstrumentsShape" for f in validate(data_dir=MINI, settings=AS_OF).findings)


def test_smells_follow_the_date():
    def many(year: int) -> set[str]:
        report = validate(data_dir=MINI, settings=Settings(as_of=dt.date(year, 6, 1), max_instruments=2))
        return {f.focus.rsplit("/", 1)[-1].rstrip(">") for f in report.findings
                if f.shape == PGSH + "ManyInstrumentsShape"}
    assert many(2010) == set()            # EOP did not exist yet
    assert many(2015) == {"FIN", "SWE"}   # both in PfP and EOP
    assert many(2024) == {"SWE"}          # Finland is an Ally from 2023-04-04
