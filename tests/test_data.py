"""The curated data: coverage that cannot silently shrink, and facts checked against the sources that state them."""
from __future__ import annotations

import pytest

PG = "https://w3id.org/pgraph/ontology#"
ID = "https://w3id.org/pgraph/id/"
PREFIX = ("PREFIX pg: <https://w3id.org/pgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")

REQUIRED_INSTRUMENTS = [
    "pfp", "md", "ici", "patg", "eapc", "nacc", "pii", "ip", "eop", "dcb", "nato-ukraine-commission",
    "nato-ukraine-council", "nato-georgia-commission", "nato-russia-council", "nato-russia-pjc", "bi", "sps",
    "deep", "pcm", "parp", "occ", "ipp", "ipap", "ipcp", "itpp", "anp", "trust-fund-mechanism", "dcb-trust-fund",
]


def count(kg, cls: str) -> int:
    return kg.sparql(PREFIX + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a/rdfs:subClassOf* pg:{cls} }}")[0]["n"]


def fact(kg, node: str, prop: str) -> list:
    rows = kg.sparql(PREFIX + f"SELECT ?v WHERE {{ <{ID}{node}> {prop} ?v }}")
    return sorted(r["v"] for r in rows)


# ---------------------------------------------------------------- coverage

@pytest.mark.parametrize("cls,minimum", [
    ("Accession", 32), ("Instrument", 50), ("Country", 70), ("Participation", 180), ("Source", 250),
    ("StatusChange", 5), ("Summit", 20), ("Assessment", 15), ("ReportedFigure", 20), ("TrustFund", 10),
    ("PartnerMeeting", 5), ("InternationalOrganisation", 1),
])
def test_coverage_does_not_shrink(real, cls, minimum):
    assert count(real, cls) >= minimum


def test_exactly_32_allies_today(real):
    assert len(real.query("allies")) == 32


@pytest.mark.parametrize("instrument", REQUIRED_INSTRUMENTS)
def test_required_instrument_ids_exist(real, instrument):
    assert real.resolve("instrument", instrument) == f"{ID}instrument/{instrument}"


def test_every_instrument_kind_is_used(real):
    kinds = {r["kind"] for r in real.query("instruments")}
    assert kinds == {"framework", "initiative", "special-body", "forum", "programme", "tool", "document", "trust-fund"}


def test_every_framework_has_participants(real):
    for framework in ("pfp", "md", "ici", "patg", "eapc"):
        assert len(real.query("members", instrument=framework)) >= 4, framework


def test_most_sources_are_primary(real):
    rows = real.query("sources")
    primary = sum(1 for r in rows if r["primary"])
    assert primary / len(rows) > 0.6


@pytest.mark.parametrize("alias,code", [("Turkey", "TUR"), ("Türkiye", "TUR"), ("Czech Republic", "CZE"),
                                        ("South Korea", "KOR"), ("UAE", "ARE"), ("BiH", "BIH"),
                                        ("former Yugoslav Republic of Macedonia", "MKD"), ("fin", "FIN")])
def test_country_aliases_resolve_to_iso_codes(real, alias, code):
    assert real.resolve("country", alias) == f"{ID}country/{code}"


# ---------------------------------------------------------------- facts against their sources

def test_finland_acceded_2023_04_04_per_nato_enlargement_page(real):
    assert fact(real, "accession/FIN", "pg:date") == ["2023-04-04"]
    assert "https://www.nato.int/cps/en/natohq/topics_49212.htm" in fact(real, "accession/FIN", "dcterms:source")


def test_sweden_acceded_2024_03_07_per_nato_enlargement_page(real):
    assert fact(real, "accession/SWE", "pg:date") == ["2024-03-07"]
    assert "https://www.nato.int/cps/en/natohq/topics_49212.htm" in fact(real, "accession/SWE", "dcterms:source")


def test_twelve_founders_acceded_when_the_treaty_entered_into_force(real):
    founders = real.query("allies", asOf="1949-12-31")
    assert len(founders) == 12 and {r["accession"] for r in founders} == {"1949-08-24"}


def test_malta_suspended_its_pfp_participation_in_1996_and_resumed_it_in_2008(real):
    # NATO's wording (news_7192): Malta suspended its participation in October 1996; reactivated in 2008
    spells = [r for r in real.query("partner-history", country="MLT") if r["instrument"] == "pfp"]
    assert [(r["start"], r["end"]) for r in spells] == [("1995-04-26", None)]
    changes = [(r["date"], r["change"]) for r in real.query("status-changes", **{"from": "1996-01-01", "to": "2008-12-31"})
               if r["country"] == "MLT" and r["instrument"] == "pfp" and r["change"] != "joined"]
    assert changes == [("1996-10-01", "suspension"), ("2008-04-03", "resumption")]
    assert fact(real, "change/pfp-MLT-1996", "pg:datePrecision") == ["https://w3id.org/pgraph/ontology#MonthPrecision"]
    assert "https://www.nato.int/cps/en/natohq/news_7192.htm" in fact(real, "change/pfp-MLT-2008", "dcterms:source")


def test_russia_pfp_cooperation_suspended_april_2014(real):
    changes = [r for r in real.query("status-changes", **{"from": "2014-01-01", "to": "2014-12-31"})
               if r["country"] == "RUS" and r["change"] == "suspension"]
    assert {r["instrument"] for r in changes} >= {"pfp", "nato-russia-council"}
    assert all(r["date"].startswith("2014-04") for r in changes)


def test_algeria_joined_the_mediterranean_dialogue_in_march_2000(real):
    assert fact(real, "participation/md-DZA", "pg:startDate") == ["2000-03-01"]
    assert fact(real, "participation/md-DZA", "pg:startPrecision") == [PG + "MonthPrecision"]
    assert "https://www.nato.int/cps/en/natohq/news_17839.htm" in fact(real, "participation/md-DZA", "dcterms:source")


def test_the_uae_joined_the_istanbul_cooperation_initiative_2005_06_22(real):
    assert fact(real, "participation/ici-ARE", "pg:startDate") == ["2005-06-22"]
    assert "https://www.nato.int/cps/en/natohq/news_21437.htm" in fact(real, "participation/ici-ARE", "dcterms:source")


def test_nacc_was_superseded_by_the_eapc_on_1997_05_30(real):
    assert fact(real, "instrument/nacc", "pg:endedOn") == ["1997-05-30"]
    assert fact(real, "instrument/nacc", "pg:supersededBy") == [f"{ID}instrument/eapc"]
    assert fact(real, "instrument/eapc", "pg:establishedOn") == ["1997-05-30"]
    assert "https://www.nato.int/docu/basictxt/b970530a.htm" in fact(real, "instrument/nacc", "dcterms:source")


def test_the_permanent_joint_council_gave_way_to_the_nrc_on_2002_05_28(real):
    assert fact(real, "instrument/nato-russia-pjc", "pg:endedOn") == ["2002-05-28"]
    assert fact(real, "instrument/nato-russia-pjc", "pg:supersededBy") == [f"{ID}instrument/nato-russia-council"]


def test_the_nato_ukraine_commission_became_the_council_in_july_2023(real):
    assert fact(real, "instrument/nato-ukraine-commission", "pg:supersededBy") == [f"{ID}instrument/nato-ukraine-council"]
    assert fact(real, "instrument/nato-ukraine-council", "pg:establishedAt") == [f"{ID}event/vilnius-2023"]
    assert "https://www.nato.int/cps/en/natohq/official_texts_217320.htm" in fact(
        real, "instrument/nato-ukraine-commission", "dcterms:source")


def test_finland_enhanced_opportunities_ended_on_accession(real):
    history = {r["instrument"]: r for r in real.query("partner-history", country="FIN")}
    assert history["eop"]["start"] == "2014-09-05"
    assert history["eop"]["end"] == "2023-04-04" and history["eop"]["end_reason"] == "accession to NATO"
    assert history["pfp"]["end"] == "2023-04-04"


def test_seven_countries_left_pfp_and_eapc_by_acceding_in_2004(real):
    rows = real.query("accessions", **{"from": "2004-01-01", "to": "2004-12-31"})
    assert {r["country"] for r in rows} == {"BGR", "EST", "LVA", "LTU", "ROU", "SVK", "SVN"}
    assert all({"pfp", "eapc"} <= set(r["instruments_left"]) for r in rows)


def test_chicago_2012_partner_meeting_had_thirteen_partners(real):
    rows = real.query("event-participants", event="chicago-2012")
    assert len(rows) == 13
    assert "IRL" not in {r["country"] for r in rows}


def test_the_article_judges_pfp_fulfilled_and_md_ici_failed_as_attributed_assessments(real):
    rows = real.query("never-terminated")
    verdicts = {(r["instrument"], r["assessment"]) for r in rows if r["assessment"]}
    assert ("pfp", "original goal fulfilled") in verdicts
    assert ("md", "original goal not met") in verdicts and ("ici", "original goal not met") in verdicts
    assert all("Fasola" in r["assessed_by"] for r in rows if r["instrument"] in ("pfp", "md", "ici") and r["assessment"])
