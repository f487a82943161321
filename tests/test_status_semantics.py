"""Status on a date comes from dated facts alone, and answers say when they rest on an imprecise date."""
from __future__ import annotations

import pytest

import pgraph
from conftest import FIXTURES, assert_user_error, run_cli


def by(rows, key):
    return {r[key]: r for r in rows}


@pytest.fixture(scope="module")
def edge() -> pgraph.KnowledgeGraph:
    return pgraph.load(FIXTURES / "asof")


# ---------------------------------------------------------------- the real data

def test_russia_and_belarus_are_suspended_in_every_instrument_at_the_end_of_2024(real):
    rows = [r for r in real.query("memberships", asOf="2024-12-31") if r["participant"] in ("RUS", "BLR")]
    assert {(r["participant"], r["instrument"]) for r in rows} >= {
        ("RUS", "pfp"), ("RUS", "eapc"), ("RUS", "nato-russia-council"), ("BLR", "pfp"), ("BLR", "eapc")}
    assert {r["status"] for r in rows} == {"suspended"}
    assert not {"RUS", "BLR"} & {r["country"] for r in real.query("partners", asOf="2024-12-31")}


def test_the_nato_russia_council_is_not_active_at_the_end_of_2024(real):
    nrc = by(real.query("instruments", asOf="2024-12-31"), "instrument")["nato-russia-council"]
    assert nrc["status"] == "suspended" and nrc["participants"] == 0
    # its formal meetings were suspended from August 2008 (known to the month) to March 2009
    assert by(real.query("instruments", asOf="2008-08-15"), "instrument")["nato-russia-council"]["status"] == "uncertain"
    assert by(real.query("instruments", asOf="2008-12-01"), "instrument")["nato-russia-council"]["status"] == "suspended"
    assert by(real.query("instruments", asOf="2010-01-01"), "instrument")["nato-russia-council"]["status"] == "active"


def test_never_terminated_shows_the_nato_russia_council_as_suspended(real):
    rows = {r["instrument"]: r["status"] for r in real.query("never-terminated", asOf="2024-12-31")}
    assert rows["nato-russia-council"] == "suspended" and rows["pfp"] == "active"


def test_a_partner_wide_decision_suspends_afghanistan_in_every_instrument_from_august_2021(real):
    before = {r["instrument"]: r["status"] for r in real.query("memberships", asOf="2021-08-19") if r["participant"] == "AFG"}
    after = {r["instrument"]: r["status"] for r in real.query("memberships", asOf="2021-08-20") if r["participant"] == "AFG"}
    assert set(before) == set(after) >= {"patg", "bi"}
    assert set(before.values()) == {"active"} and set(after.values()) == {"suspended"}
    assert "AFG" not in {r["country"] for r in real.query("partners", asOf="2024-12-31")}


def test_malta_suspended_its_own_pfp_participation_from_1996_to_2008(real):
    assert by(real.query("members", instrument="pfp", asOf="2000-01-01"), "country")["MLT"]["status"] == "suspended"
    assert by(real.query("members", instrument="pfp", asOf="1996-10-15"), "country")["MLT"]["status"] == "uncertain"
    assert by(real.query("members", instrument="pfp", asOf="2010-01-01"), "country")["MLT"]["status"] == "active"


def test_no_participation_counts_before_its_instrument_exists(real):
    assert real.query("members", instrument="dcb", asOf="2014-04-01") == []
    assert not [r for r in real.query("overlap", asOf="2014-04-01") if "dcb" in (r["a"], r["b"])]


def test_a_year_only_end_makes_that_year_uncertain_and_strict_leaves_it_out(real):
    rows = by(real.query("members", instrument="ipcp", asOf="2024-06-01"), "country")
    assert rows["MNG"]["status"] == "uncertain"
    assert "MNG" not in by(real.query("members", instrument="ipcp", asOf="2024-06-01", strict=True), "country")
    assert "MNG" not in by(real.query("members", instrument="ipcp", asOf="2025-01-01"), "country")


def test_organisations_resolve_by_id_and_by_name(real):
    assert real.query("partner-history", country="un") == real.query("partner-history", country="United Nations") != []


def test_strict_takes_true_or_false_and_nothing_else():
    assert_user_error(run_cli("query", "partners", "-p", "strict=maybe"), "strict", "true or false")


def test_the_strict_flag_leaves_out_what_rests_on_an_uncertain_date():
    loose = run_cli("query", "members", "-p", "instrument=ipcp", "--as-of", "2024-06-01", "-f", "csv")
    strict = run_cli("query", "members", "-p", "instrument=ipcp", "--as-of", "2024-06-01", "--strict", "-f", "csv")
    assert loose.returncode == strict.returncode == 0
    assert "MNG" in loose.stdout and "uncertain" in loose.stdout and "MNG" not in strict.stdout
    assert_user_error(run_cli("query", "allies", "--strict"), "unknown parameter 'strict'")


# ---------------------------------------------------------------- edge-case fixtures

def test_two_suspensions_without_a_resumption_give_one_row(edge):
    rows = [r for r in edge.query("members", instrument="gamma", asOf="2004-01-01") if r["country"] == "GEO"]
    assert rows == [{"country": "GEO", "label": "Georgia", "status": "suspended", "since": "2001-01-01"}]


def test_two_overlapping_participations_of_one_country_give_one_row(edge):
    rows = [r for r in edge.query("memberships", asOf="2003-01-01") if (r["instrument"], r["participant"]) == ("alpha", "GEO")]
    assert len(rows) == 1 and rows[0]["since"] == "2001-01-01"


def test_a_suspension_and_a_resumption_on_the_same_day_read_as_active(edge):
    assert by(edge.query("members", instrument="gamma", asOf="2012-05-05"), "country")["MNG"]["status"] == "active"


def test_an_instrument_wide_suspension_suspends_its_participations_and_itself(edge):
    assert {r["status"] for r in edge.query("members", instrument="gamma", asOf="2008-06-01")} == {"suspended"}
    assert by(edge.query("instruments", asOf="2008-06-01"), "instrument")["gamma"]["status"] == "suspended"
    assert by(edge.query("instruments", asOf="2008-06-01"), "instrument")["gamma"]["participants"] == 0


def test_a_participation_left_open_ends_with_its_instrument_and_at_its_holders_accession(edge):
    assert "JOR" not in by(edge.query("members", instrument="beta", asOf="2012-01-01"), "country")
    assert "FIN" in by(edge.query("members", instrument="alpha", asOf="2023-04-03"), "country")
    assert "FIN" not in by(edge.query("members", instrument="alpha", asOf="2023-04-04"), "country")


def test_accessions_list_the_instruments_held_up_to_the_accession_day_not_the_end_reason(edge):
    fin = by(edge.query("accessions"), "country")["FIN"]
    assert fin["instruments_left"] == ["alpha"]  # gamma's end says 'accession' but came in 2020


# ---------------------------------------------------------------- stats

def test_stats_show_the_curation_date_coverage_primary_sources_and_uncertain_answers():
    import json
    result = run_cli("stats", "--as-of", "2024-06-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["curated"] == "2026-11-30" and stats["after_curation"] is False
    assert stats["uncertain_on_date"]["count"] >= 1  # ipcp-MNG ended in 2024, day unknown
    matched = stats["reported_counts_matched"]
    assert 0 < matched["count"] < matched["of"] and matched["share"] == round(matched["count"] / matched["of"], 3)
    primary = stats["facts_on_primary_source"]
    assert 0 < primary["count"] < primary["of"]


def test_stats_say_when_the_date_is_after_the_curation_date():
    later = run_cli("stats", "--as-of", "2030-01-01")
    assert later.returncode == 0 and "2030-01-01 is after the curation date 2026-11-30" in later.stdout
    assert "after the curation date" not in run_cli("stats", "--as-of", "2026-01-01").stdout


_INSTRUMENT_WIDE = """\
@prefix pg: <https://w3id.org/pgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix inst: <https://w3id.org/pgraph/id/instrument/> .
@prefix change: <https://w3id.org/pgraph/id/change/> .
@prefix src: <https://example.org/source/> .
# a change of a whole instrument dated only to its year, and an instrument suspended with nobody in it
change:gamma-2020 a pg:StatusChange ; pg:changeOf inst:gamma ; pg:changeType pg:RestrictionChange ;
    pg:date "2020-01-01"^^xsd:date ; pg:datePrecision pg:YearPrecision ; dcterms:source src:a .
inst:empty a pg:RegionalFramework ; dcterms:identifier "empty" ; rdfs:label "Empty framework"@en ;
    pg:establishedOn "2010-01-01"^^xsd:date ; dcterms:source src:a .
change:empty-2015 a pg:StatusChange ; pg:changeOf inst:empty ; pg:changeType pg:SuspensionChange ;
    pg:date "2015-01-01"^^xsd:date ; dcterms:source src:a .
"""


def test_never_terminated_gives_each_instrument_the_status_instruments_gives(tmp_path):
    """Its header promises the status of the 'instruments' query, instrument-wide facts included: a
    change of the whole instrument on a date known only to its year, and a suspension of an
    instrument nobody takes part in."""
    extra = tmp_path / "instrument-wide.ttl"
    extra.write_text(_INSTRUMENT_WIDE, encoding="utf-8")
    kg = pgraph.load(FIXTURES / "asof", files=[extra])
    assert by(kg.query("never-terminated", asOf="2020-06-30"), "instrument")["gamma"]["status"] == "uncertain"
    assert by(kg.query("never-terminated", asOf="2016-01-01"), "instrument")["empty"]["status"] == "suspended"
    for day in [f"{year}-{md}" for year in range(1999, 2027) for md in ("01-15", "06-30", "12-31")]:
        statuses = {r["instrument"]: r["status"] for r in kg.query("instruments", asOf=day)}
        for row in kg.query("never-terminated", asOf=day):
            assert row["status"] == statuses[row["instrument"]], (day, row)
