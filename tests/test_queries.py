"""Every saved query answers real questions on the real data; parameters are typed, checked and bound safely."""
from __future__ import annotations

import pytest

import pgraph
from conftest import ROOT, assert_user_error, run_cli
from pgraph.catalog.saved import Catalog, markdown


def by(rows, key):
    return {r[key]: r for r in rows}


def test_every_saved_query_has_a_real_answer_test():
    tested = {name.removeprefix("test_").split("__")[0].replace("_", "-") for name in globals()
              if name.startswith("test_") and "__" in name}
    assert {q.name for q in Catalog()} <= tested


def test_instruments__pfp_is_a_framework_and_nacc_ended(real):
    rows = by(real.query("instruments"), "instrument")
    assert rows["pfp"]["kind"] == "framework" and rows["pfp"]["established"] == "1994-01-10"
    assert rows["pfp"]["status"] == "active" and rows["pfp"]["participants"] >= 15
    assert rows["nacc"]["ended"] == "1997-05-30" and rows["nacc"]["status"] == "ended"
    assert rows["nato-russia-council"]["participants"] == 0  # Russia's participation is suspended
    early = by(real.query("instruments", asOf="1995-01-01"), "instrument")
    assert "eop" not in early and early["nacc"]["status"] == "active"


def test_members__the_mediterranean_dialogue_has_seven(real):
    assert {r["country"] for r in real.query("members", instrument="md")} == {
        "DZA", "EGY", "ISR", "JOR", "MRT", "MAR", "TUN"}


def test_members__suspended_participations_are_listed_as_suspended(real):
    rows = by(real.query("members", instrument="pfp"), "country")
    assert rows["RUS"]["status"] == "suspended" and rows["BLR"]["status"] == "suspended"
    assert rows["AUT"]["status"] == "active"
    assert "FIN" not in rows  # an Ally since 2023
    assert "FIN" in by(real.query("members", instrument="pfp", asOf="2004-12-31"), "country")
    assert "POL" not in by(real.query("members", instrument="pfp", asOf="2004-12-31"), "country")


def test_partner_history__georgia_takes_part_in_many_instruments(real):
    rows = by(real.query("partner-history", country="Georgia"), "instrument")
    assert {"pfp", "eapc", "ipap", "nato-georgia-commission", "eop", "dcb"} <= set(rows)
    assert all(r["source"].startswith("http") for r in rows.values())


def test_partners__no_ally_is_a_partner(real):
    rows = by(real.query("partners"), "country")
    allies = {r["country"] for r in real.query("allies")}
    assert not allies & set(rows)
    assert rows["GEO"]["instruments"] == len(rows["GEO"]["instrument_ids"]) >= 8
    assert "FIN" in by(real.query("partners", asOf="2020-01-01"), "country")


def test_coverage__recorded_holders_match_the_deep_and_eop_counts_and_show_what_is_missing(real):
    rows = {(r["instrument"], r["date"]): r for r in real.query("coverage")}
    assert rows["deep", "2016-01-29"]["reported"] == rows["deep", "2016-01-29"]["recorded"] == 11
    assert rows["eop", "2024-03-07"]["difference"] == 0  # Sweden left EOP on its accession day
    assert all(r["difference"] == r["recorded"] - r["reported"] for r in rows.values() if r["recorded"] < r["reported"])


def test_allies__count_grows_with_each_enlargement(real):
    assert len(real.query("allies", asOf="1950-01-01")) == 12
    assert len(real.query("allies", asOf="2004-03-29")) == 26
    assert len(real.query("allies", asOf="2023-06-01")) == 31
    assert len(real.query("allies")) == 32


def test_accessions__1999_enlargement_left_pfp_and_eapc(real):
    rows = real.query("accessions", **{"from": "1999-01-01", "to": "1999-12-31"})
    assert {r["country"] for r in rows} == {"CZE", "HUN", "POL"}
    assert all(r["accession"] == "1999-03-12" and "pfp" in r["instruments_left"] for r in rows)


def test_overlap__pfp_and_eop_shared_countries_on_dates(real):
    def edge(as_of):
        return {(r["a"], r["b"]): r for r in real.query("overlap", asOf=as_of)}[("eop", "pfp")]
    e2020 = edge("2020-01-01")  # EOP: AUS, FIN, GEO, JOR, SWE; of those FIN, GEO, SWE are in PfP
    assert e2020["shared_countries"] == ["FIN", "GEO", "SWE"] and e2020["shared"] == 3
    assert e2020["overlap_coefficient"] == pytest.approx(0.6)
    assert edge("2024-06-01")["shared_countries"] == ["GEO", "UKR"]  # FIN, SWE acceded; UKR since 2020


def test_overlap__min_shared_filters_pairs(real):
    everything = real.query("overlap")
    strong = real.query("overlap", minShared=10)
    assert strong and len(strong) < len(everything) and all(r["shared"] >= 10 for r in strong)


def test_redundant__eapc_and_pfp_are_a_redundant_pair(real):
    rows = real.query("redundant")
    assert ("eapc", "pfp") in {(r["a"], r["b"]) for r in rows}
    assert all(r["jaccard"] >= 0.8 and r["shared_areas"] for r in rows)
    assert len(real.query("redundant", minJaccard=0.5)) >= len(rows)


def test_subsumed__every_pfp_partner_is_also_in_the_eapc(real):
    assert ("pfp", "eapc") in {(r["instrument"], r["within"]) for r in real.query("subsumed")}


def test_active_participations__suspension_and_accession_end_activity(real):
    def pfp(day):
        return {r["participant_id"] for r in real.query("active-participations", asOf=day)
                if r["instrument_id"] == "pfp"}
    assert "RUS" in pfp("2014-01-01") and "RUS" not in pfp("2014-06-01")  # suspended in April 2014
    assert "FIN" in pfp("2020-01-01") and "FIN" not in pfp("2024-01-01")  # an Ally since April 2023


def test_instrument_areas__in_force_follows_the_instrument_lifetime(real):
    def nacc(day):
        return {r["in_force"] for r in real.query("instrument-areas", asOf=day) if r["instrument_id"] == "nacc"}
    assert nacc("1995-01-01") == {True} and nacc("2020-01-01") == {None}  # the NACC ended in 1997
    assert all(r["area_key"] for r in real.query("instrument-areas"))


def test_thematic_overlap__pfp_and_eapc_share_areas(real):
    rows = {(r["a"], r["b"]): r for r in real.query("thematic-overlap")}
    assert rows[("eapc", "pfp")]["shared_areas"]


def test_never_terminated__oldest_first_with_assessments(real):
    rows = real.query("never-terminated")
    ages = [r["age_years"] for r in rows]
    assert ages == sorted(ages, reverse=True)
    assert "nacc" not in {r["instrument"] for r in rows}
    pfp = [r for r in rows if r["instrument"] == "pfp" and r["assessment"] == "original goal fulfilled"]
    assert pfp and pfp[0]["age_years"] >= 30


def test_dormant__kyrgyzstan_and_tajikistan_in_pfp(real):
    assert {(r["country"], r["instrument"]) for r in real.query("dormant")} == {("KGZ", "pfp"), ("TJK", "pfp")}


def test_status_changes__2014_suspensions_of_russia(real):
    rows = real.query("status-changes", **{"from": "2014-04-01", "to": "2014-04-30"})
    assert {(r["country"], r["change"]) for r in rows} >= {("RUS", "suspension")}


def test_timeline__the_toolbox_only_grows(real):
    rows = by(real.query("timeline", **{"from": 1991, "to": 2024}), "year")
    assert rows[1994]["established"] >= 2  # PfP and the MD
    assert rows[1997]["ended"] >= 1        # the NACC
    assert rows[2024]["active"] > rows[2004]["active"] > rows[1994]["active"]
    assert set(rows) == set(range(1991, 2025))


def test_events__wales_2014_created_several_instruments(real):
    rows = by(real.query("events", **{"from": "2014-01-01", "to": "2014-12-31"}), "event")
    assert {"eop", "dcb", "pii"} <= set(rows["wales-2014"]["instruments_created"])


def test_event_participants__thirteen_partners_met_at_chicago(real):
    rows = real.query("event-participants", event="chicago-2012")
    assert {"AUS", "AUT", "FIN", "GEO", "JPN", "JOR", "KOR", "MAR", "NZL", "QAT", "SWE", "CHE", "ARE"} == {
        r["country"] for r in rows}


def test_reported_counts__interoperability_platform_given_as_counts(real):
    rows = real.query("reported-counts", instrument="ip")
    assert 21 in {r["count"] for r in rows}
    assert all(r["source"].startswith("http") for r in rows)


def test_trust_funds__dcb_trust_fund_finances_dcb(real):
    rows = by(real.query("trust-funds"), "fund")
    assert "dcb" in rows["dcb-trust-fund"]["finances"]
    assert any(r["lead_nations"] for r in rows.values())


def test_sources__nato_pages_are_primary(real):
    rows = by(real.query("sources"), "source")
    pfp_page = rows["https://www.nato.int/cps/en/natohq/topics_50349.htm"]
    assert pfp_page["primary"] is True and pfp_page["facts"] >= 1


def test_overlap_graph__constructs_overlap_nodes(real):
    triples = real.query("overlap-graph", asOf="2020-01-01")
    text = "\n".join(str(t) for t in triples)
    assert "<https://w3id.org/pgraph/id/overlap/eop--pfp/2020-01-01>" in text
    assert "<https://w3id.org/pgraph/ontology#sharedCount>" in text


# ---------------------------------------------------------------- parameters and errors

def test_unknown_query_suggests_close_names():
    assert_user_error(run_cli("query", "member"), "no saved query named 'member'", "did you mean members")


def test_unknown_parameter_suggests_the_declared_ones():
    assert_user_error(run_cli("query", "members", "--param", "instrumnt=pfp"), "unknown parameter 'instrumnt'",
                      "instrument")


def test_missing_required_parameter_says_what_is_expected():
    assert_user_error(run_cli("query", "members"), "parameter 'instrument' is required")


def test_ill_typed_parameter_says_what_is_expected():
    assert_user_error(run_cli("query", "members", "-p", "instrument=pfp", "--as-of", "2024-02-30"),
                      "asOf='2024-02-30'", "expected a date YYYY-MM-DD")


def test_unknown_instrument_suggests_close_ids():
    assert_user_error(run_cli("query", "members", "-p", "instrument=pff"), "no instrument 'pff'", "pfp")


@pytest.mark.parametrize("value", ['pfp> } ; DROP ALL #', 'pfp" . ?s ?p ?o', "pfp\n}", "pfp#", "DELETE WHERE {?s ?p ?o}"])
def test_hostile_instrument_values_are_refused_and_change_nothing(real, value):
    before = len(real.backend)
    with pytest.raises(pgraph.ParameterError):
        real.query("members", instrument=value)
    assert len(real.backend) == before


def test_json_output_is_an_array_of_objects_keyed_by_column():
    import json
    result = run_cli("query", "allies", "--as-of", "1950-01-01", "--format", "json")
    rows = json.loads(result.stdout)
    assert len(rows) == 12 and set(rows[0]) == {"country", "label", "accession"}


def test_output_file_format_follows_the_extension(tmp_path):
    out = tmp_path / "md.csv"
    result = run_cli("query", "members", "-p", "instrument=md", "-o", str(out))
    assert result.returncode == 0 and out.read_text().startswith("country,label,status,since\n")


def test_sparql_command_refuses_updates():
    assert_user_error(run_cli("sparql", "DELETE WHERE { ?s ?p ?o }"), "updates are refused")
    assert_user_error(run_cli("sparql", "INSERT DATA { <x:a> <x:b> <x:c> }"), "updates are refused")


def test_sparql_command_runs_a_read_only_query():
    result = run_cli("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/pgraph/ontology#Accession> }",
                     "--format", "csv")
    assert result.returncode == 0 and result.stdout.splitlines() == ["n", "32"]


def test_queries_command_lists_and_shows():
    listing = run_cli("queries")
    assert listing.returncode == 0 and "never-terminated" in listing.stdout
    shown = run_cli("queries", "members")
    assert "--param instrument=<instrument> (required)" in shown.stdout and "SELECT" in shown.stdout


def test_docs_queries_md_is_generated_from_the_headers():
    assert (ROOT / "docs" / "queries.md").read_text(encoding="utf-8") == markdown(Catalog())


def test_memberships__pairs_in_force_with_roles(real):
    rows = real.query("memberships", asOf="2020-01-01")
    pairs = {(r["instrument"], r["participant"]): r for r in rows}
    assert pairs[("pfp", "FIN")]["role"] == "partner" and pairs[("pfp", "RUS")]["status"] == "suspended"
    assert ("dcb", "un") not in pairs  # the UN's DCB package dates from April 2020
    today = {(r["instrument"], r["participant"]): r for r in real.query("memberships")}
    assert today[("dcb", "un")]["type"] == "organisation"
    assert not any(r["role"] == "ally" for r in rows)  # partners leave on accession


def test_citations__prefer_a_primary_source(real):
    rows = {(r["kind"], r["id"]): r for r in real.query("citations")}
    assert rows[("instrument", "pfp")]["primary"] is True
    assert rows[("instrument", "pfp")]["source"].startswith("https://www.nato.int/")
    assert rows[("country", "FIN")]["source"].startswith("http")


def test_challenge_evidence__six_challenges_with_attributed_evidence(real):
    rows = real.query("challenge-evidence")
    assert {r["notation"] for r in rows} == {"1", "2", "3", "4", "5", "6"}
    coherence = [r for r in rows if r["challenge"] == "coherence" and r["evidence"] == "assessment"]
    assert any(r["about"] == "pfp" and "fulfilled" in r["statement"] for r in coherence)
    budget = [r for r in rows if r["challenge"] == "budget" and r["evidence"] == "assessment"]
    assert {r["about"] for r in budget} >= {"AUS", "AUT", "IRL", "NZL", "CHE"}  # self-financed per the article


def test_search__finds_names_aliases_and_acronyms_in_any_case(real):
    rows = {r["id"]: r for r in real.query("search", text="PEACE")}
    assert {"pfp", "sps"} <= set(rows) and rows["pfp"]["kind"] == "regional partnership framework"
    assert all("peace" in r["matched"].casefold() for r in rows.values())
    by_acronym = {r["id"] for r in real.query("search", text="ici")}
    assert "ici" in by_acronym
    assert real.query("search", text="no instrument has this name") == []


def test_suspensions__when_and_by_what_decision_each_suspension_in_force_began(real):
    rows = {(r["instrument"], r["participant"]): r for r in real.query("suspensions", asOf="2026-11-28")}
    suspended = {(r["instrument"], r["participant"]) for r in real.query("memberships", asOf="2026-11-28")
                 if r["status"] == "suspended"}
    assert set(rows) == suspended
    nrc = rows[("nato-russia-council", "RUS")]
    assert nrc["since"] == "2002-05-28" and nrc["suspended"] == "2014-04-01"  # the 2014 suspension, not 2008's
    assert "foreign ministers" in nrc["decision"] and nrc["source"].startswith("https://www.nato.int/")
    assert rows[("pfp", "BLR")]["suspended"] == "2021-11-19"
    between = {(r["instrument"], r["participant"]): r for r in real.query("suspensions", asOf="2008-12-31")}
    assert between[("nato-russia-council", "RUS")]["suspended"] == "2008-08-01"
    assert between[("nato-russia-council", "RUS")]["precision"] == "month"
    assert ("nato-russia-council", "RUS") not in {(r["instrument"], r["participant"])
                                                  for r in real.query("suspensions", asOf="2010-01-01")}  # resumed 2009


_SUSPENSION_SOURCES = """
@prefix pg: <https://w3id.org/pgraph/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix c: <https://w3id.org/pgraph/id/change/> . @prefix p: <https://w3id.org/pgraph/id/participation/> .
<https://w3id.org/pgraph/id/instrument/alpha> a pg:RegionalFramework ; dcterms:identifier "alpha" ;
    rdfs:label "Alpha"@en ; pg:establishedOn "2000-01-01"^^xsd:date .
<https://w3id.org/pgraph/id/country/GEO> a pg:Country ; dcterms:identifier "GEO" ; rdfs:label "Georgia"@en .
<https://w3id.org/pgraph/id/country/MNG> a pg:Country ; dcterms:identifier "MNG" ; rdfs:label "Mongolia"@en .
<https://w3id.org/pgraph/id/country/JOR> a pg:Country ; dcterms:identifier "JOR" ; rdfs:label "Jordan"@en .
p:GEO a pg:Participation ; pg:instrument <https://w3id.org/pgraph/id/instrument/alpha> ;
    pg:participant <https://w3id.org/pgraph/id/country/GEO> ; pg:startDate "2001-01-01"^^xsd:date .
p:MNG a pg:Participation ; pg:instrument <https://w3id.org/pgraph/id/instrument/alpha> ;
    pg:participant <https://w3id.org/pgraph/id/country/MNG> ; pg:startDate "2001-01-01"^^xsd:date .
p:JOR a pg:Participation ; pg:instrument <https://w3id.org/pgraph/id/instrument/alpha> ;
    pg:participant <https://w3id.org/pgraph/id/country/JOR> ; pg:startDate "2001-01-01"^^xsd:date .
c:geo a pg:StatusChange ; pg:changeType pg:SuspensionChange ; pg:changeOf p:GEO ; pg:date "2010-01-01"^^xsd:date ;
    dcterms:source <https://example.org/geo> , <https://www.nato.int/geo> .
c:mng a pg:StatusChange ; pg:changeType pg:SuspensionChange ; pg:changeOf p:MNG ; pg:date "2011-01-01"^^xsd:date ;
    rdfs:comment "first of the day" ; dcterms:source <https://example.org/mng> .
c:mng-2 a pg:StatusChange ; pg:changeType pg:SuspensionChange ; pg:changeOf p:MNG ; pg:date "2011-01-01"^^xsd:date ;
    rdfs:comment "second of the day" ; dcterms:source <https://www.nato.int/mng-2> .
c:jor a pg:StatusChange ; pg:changeType pg:SuspensionChange ; pg:changeOf p:JOR ; pg:date "2012-01-01"^^xsd:date .
"""


def test_suspensions__one_change_per_day_and_that_changes_own_source(tmp_path):
    (tmp_path / "graph.ttl").write_text(_SUSPENSION_SOURCES, encoding="utf-8")
    rows = by(pgraph.load(tmp_path).query("suspensions", asOf="2013-01-01"), "participant")
    assert rows["GEO"]["source"] == "https://www.nato.int/geo"  # a nato.int page when one is cited
    # two changes on one day: the first by IRI (c:mng before c:mng-2), with its own source, not the other's
    assert (rows["MNG"]["decision"], rows["MNG"]["source"]) == ("first of the day", "https://example.org/mng")
    assert rows["JOR"]["suspended"] == "2012-01-01" and rows["JOR"]["source"] is None  # no source cited

def test_curation__the_date_a_curator_states_for_the_dataset(tmp_path):
    from conftest import MINI
    data = tmp_path / "data"
    data.mkdir()
    (data / "graph.ttl").write_text((MINI / "graph.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    assert pgraph.load(data).query("curation") == []  # none stated: the report derives it from the files
    (data / "dataset.ttl").write_text(
        "@prefix void: <http://rdfs.org/ns/void#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://example.org/d> a void:Dataset ; dcterms:modified \"2025-03-01\"^^xsd:date .\n"
        "<https://example.org/e> a void:Dataset ; dcterms:modified \"2025-06-30\"^^xsd:date .\n", encoding="utf-8")
    assert [r["modified"] for r in pgraph.load(data).query("curation")] == ["2025-06-30"]


def test_challenge_evidence__reported_figures_carry_value_and_unit(real):
    figures = {r["statement"]: r for r in real.query("challenge-evidence") if r["evidence"] == "figure"}
    budget = figures["NATO military budget for 2023"]
    assert float(budget["value"]) == 1.96 and budget["unit"] == "billion EUR" and budget["value_max"] in (None, "")
    share = figures["share of NATO's military budget that goes to partnerships"]
    assert (float(share["value"]), float(share["value_max"])) == (0.5, 1.0)
    assert all(r["value"] in (None, "") for r in real.query("challenge-evidence") if r["evidence"] == "assessment")
