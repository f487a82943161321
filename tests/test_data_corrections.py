"""Facts added or corrected after the issue-16 audit, each pinned against the source that states it."""
from __future__ import annotations

PG = "https://w3id.org/pgraph/ontology#"
ID = "https://w3id.org/pgraph/id/"
FASOLA = ("https://publications.armywarcollege.edu/News/Display/Article/3974674/"
          "reforming-and-enhancing-partnerships-to-strengthen-natos-strategic-posture")
PREFIX = ("PREFIX pg: <https://w3id.org/pgraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")


def fact(kg, node: str, prop: str) -> list:
    rows = kg.sparql(PREFIX + f"SELECT ?v WHERE {{ <{ID}{node}> {prop} ?v }}")
    return sorted(r["v"] for r in rows)


def members(kg, instrument: str, as_of: str) -> set[str]:
    return {r["country"] for r in kg.query("members", instrument=instrument, asOf=as_of)}


# ---------------------------------------------------------------- corrections (issue 16, item 4)

def test_deep_mauritania_started_in_2012_per_nato_items_of_december_2015_and_february_2017(real):
    node = "participation/deep-MRT"
    assert fact(real, node, "pg:startDate") == ["2012-01-01"]
    assert fact(real, node, "pg:startPrecision") == [PG + "YearPrecision"]
    sources = fact(real, node, "dcterms:source")
    assert "https://www.nato.int/cps/en/natohq/news_125759.htm" in sources  # 4 Dec 2015: initiated in 2012
    assert "https://www.nato.int/cps/en/natohq/news_141812.htm" in sources  # 23 Feb 2017: requested in 2012
    assert "MRT" in members(real, "deep", "2013-06-30")


def test_sps_descends_from_the_nato_science_programme_of_1958(real):
    old = "instrument/nato-science-programme"
    assert fact(real, old, "pg:establishedOn") == ["1958-01-01"]
    assert fact(real, old, "pg:datePrecision") == [PG + "YearPrecision"]
    assert fact(real, old, "pg:endedOn") == ["2006-06-28"]
    assert fact(real, old, "pg:supersededBy") == [f"{ID}instrument/sps"]
    assert fact(real, "instrument/sps", "pg:replaces") == [f"{ID}{old}"]
    assert "https://www.nato.int/science/about_sps/historical.htm" in fact(real, old, "dcterms:source")


def test_timeline_and_never_terminated_see_the_science_programme_and_its_successor(real):
    year_1958 = real.query("timeline", **{"from": 1958, "to": 1958})
    assert year_1958[0]["established"] >= 1
    in_force_2000 = {r["instrument"] for r in real.query("never-terminated", asOf="2000-01-01")}
    assert "nato-science-programme" in in_force_2000 and "sps" not in in_force_2000
    in_force_2010 = {r["instrument"] for r in real.query("never-terminated", asOf="2010-01-01")}
    assert "sps" in in_force_2010 and "nato-science-programme" not in in_force_2010


def test_russia_suspended_its_mission_to_nato_effective_1_november_2021_a_restriction_of_a_suspended_partnership(real):
    changes = real.query("status-changes", **{"from": "2021-10-01", "to": "2021-11-30"})
    assert {"date": "2021-11-01", "country": "RUS", "instrument": "nato-russia-council",
            "change": "restriction"} in changes  # the participation was already suspended since 2014
    assert "https://www.nato.int/cps/en/natohq/opinions_191254.htm" in fact(
        real, "change/nato-russia-council-RUS-2021", "dcterms:source")


def test_the_nato_russia_council_last_met_on_12_january_2022(real):
    node = "event/brussels-2022-nrc"
    assert fact(real, node, "pg:date") == ["2022-01-12"]
    assert fact(real, node, "pg:attendee") == [f"{ID}country/RUS"]
    assert "https://www.nato.int/cps/en/natohq/opinions_190509.htm" in fact(real, node, "dcterms:source")


def test_nato_ukraine_action_plan_adopted_in_prague_on_22_november_2002(real):
    node = "instrument/nato-ukraine-action-plan"
    assert fact(real, node, "pg:establishedOn") == ["2002-11-22"]
    assert fact(real, node, "pg:partOf") == [f"{ID}instrument/nato-ukraine-commission"]
    assert "https://www.nato.int/docu/update/2002/11-november/e1122c.htm" in fact(real, node, "dcterms:source")
    assert members(real, "nato-ukraine-action-plan", "2003-01-01") == {"UKR"}


def test_intensified_dialogues_with_ukraine_april_2005_and_georgia_september_2006(real):
    ukraine = {r["instrument"]: r for r in real.query("partner-history", country="UKR")}
    georgia = {r["instrument"]: r for r in real.query("partner-history", country="GEO")}
    assert ukraine["intensified-dialogue"]["start"] == "2005-04-21"
    assert georgia["intensified-dialogue"]["start"] == "2006-09-21"
    assert "https://www.nato.int/cps/en/natohq/news_21689.htm" in fact(
        real, "participation/intensified-dialogue-UKR", "dcterms:source")
    assert "https://www.nato.int/docu/update/2006/12-december/e1214b.htm" in fact(
        real, "participation/intensified-dialogue-GEO", "dcterms:source")


def test_ici_regional_centre_opened_in_kuwait_in_january_2017(real):
    node = "instrument/ici-regional-centre"
    assert fact(real, node, "pg:establishedOn") == ["2017-01-01"]
    assert fact(real, node, "pg:datePrecision") == [PG + "MonthPrecision"]
    assert fact(real, node, "pg:partOf") == [f"{ID}instrument/ici"]
    assert "https://www.nato.int/cps/en/natohq/opinions_140259.htm" in fact(real, node, "dcterms:source")
    assert members(real, "ici-regional-centre", "2017-12-31") == {"KWT"}
    assert members(real, "ici-regional-centre", "2016-12-31") == set()


def test_libya_was_invited_to_the_mediterranean_dialogue_but_is_not_a_participant(real):
    node = "figure/md-invited-not-joined"
    assert fact(real, node, "pg:value") == [1]
    assert fact(real, node, "pg:about") == [f"{ID}instrument/md"]
    assert "https://www.nato.int/cps/en/natohq/news_100849.htm" in fact(real, node, "dcterms:source")
    assert "LBY" not in members(real, "md", "2024-12-31")


def test_colombia_formalised_as_global_partner_on_31_may_2018_beside_its_2017_programme(real):
    node = "event/brussels-2018-col"
    assert fact(real, node, "pg:date") == ["2018-05-31"]
    assert fact(real, node, "pg:attendee") == [f"{ID}country/COL"]
    assert "https://www.nato.int/cps/en/natohq/opinions_155033.htm" in fact(real, node, "dcterms:source")
    assert fact(real, "participation/patg-COL", "pg:startDate") == ["2017-05-01"]


def test_building_integrity_established_by_the_eapc_in_november_2007(real):
    assert fact(real, "instrument/bi", "pg:establishedOn") == ["2007-11-01"]
    assert fact(real, "instrument/bi", "pg:datePrecision") == [PG + "MonthPrecision"]
    assert "https://www.nato.int/cps/en/natohq/topics_68368.htm" in fact(real, "instrument/bi", "dcterms:source")


# ---------------------------------------------------------------- holders (issue 16, item 3)

def test_membership_action_plan_holders_follow_nato_map_page(real):
    first_cycles = {"ALB", "BGR", "EST", "LVA", "LTU", "MKD", "ROU", "SVK", "SVN"}
    assert members(real, "map", "2001-01-01") == first_cycles
    assert members(real, "map", "2003-01-01") == first_cycles | {"HRV"}
    assert members(real, "map", "2010-01-01") == {"MKD", "MNE"}
    assert members(real, "map", "2024-12-31") == {"BIH"}
    assert fact(real, "participation/map-HRV", "pg:startDate") == ["2002-05-14"]
    assert "https://www.nato.int/cps/en/natohq/topics_37356.htm" in fact(
        real, "participation/map-MNE", "dcterms:source")


def test_israel_held_the_first_individual_cooperation_programme_from_16_october_2006(real):
    starts = {r["country"]: r["since"] for r in real.query("members", instrument="icp", asOf="2012-12-31")}
    assert starts["ISR"] == "2006-10-16"
    assert min(starts.values()) == starts["ISR"]
    assert set(starts) == {"ISR", "EGY", "JOR"}


def test_gulf_partners_documents_connect_the_ici_to_the_overlap_picture(real):
    assert {"KWT", "ARE"} <= members(real, "ipcp", "2017-01-24")
    graph = real.overlap_graph(asOf="2024-12-31")
    assert graph.degree("ici") > 0
    assert {"ipcp", "ici-regional-centre"} <= set(graph.neighbors("ici"))


def test_occ_holders_come_from_pages_showing_their_units_evaluated(real):
    starts = {r["country"]: r["since"] for r in real.query("members", instrument="occ", asOf="2024-12-31")}
    assert starts["AZE"] == "2007-01-01"  # Azerbaijan's mission to NATO: in the OCC E&F since 2007
    assert starts["BIH"] == "2019-09-01"  # NATO HQ Sarajevo: first evaluations September 2019
    assert "https://nato-pfp.mfa.gov.az/en/content/24/operational-capabilities-concept-occ" in fact(
        real, "participation/occ-AZE", "dcterms:source")
    assert fact(real, "figure/occ-partners-completed-2022", "pg:value") == [15]
    assert real.overlap_graph(asOf="2024-12-31").degree("occ") > 0


def test_parp_participants_named_by_nato_in_june_1999(real):
    in_1999 = members(real, "parp", "1999-12-31")
    assert {"AUT", "FIN", "SWE", "AZE"} <= in_1999
    assert "FIN" not in members(real, "parp", "2023-04-05")  # ended on accession
    assert "https://www.nato.int/pfp/docu/d990615c.htm" in fact(real, "participation/parp-SWE", "dcterms:source")


# ---------------------------------------------------------------- the article's points (issue 16, item 5)

def _evidence(real, challenge: str) -> list[dict]:
    return [r for r in real.query("challenge-evidence") if r["challenge"] == challenge and r["evidence"]]


def test_article_challenge_4_no_gap_analysis_is_an_attributed_assessment(real):
    rows = _evidence(real, "planning-process")
    assert rows and all(r["source"] == FASOLA for r in rows)
    assert any("gap analysis" in r["statement"] for r in rows)
    assert {r["about"] for r in rows} >= {"parp"}


def test_article_challenge_6_overclassification_and_declassify_at_least_half(real):
    rows = _evidence(real, "overclassification")
    assert {r["evidence"] for r in rows} == {"assessment", "figure"}
    assert fact(real, "figure/declassifiable-share", "pg:value") == [50]
    assert fact(real, "assessment/overclassification", "pg:about") == [f"{ID}instrument/pcm"]


def test_article_names_four_pfp_nations_with_more_robust_packages(real):
    about = fact(real, "assessment/robust-packages-four-pfp", "pg:about")
    assert about == sorted(f"{ID}participation/pfp-{c}" for c in ("FIN", "GEO", "SWE", "UKR"))


def test_article_finds_no_prioritisation_in_the_vilnius_communique(real):
    node = "assessment/vilnius-2023-no-prioritisation"
    assert fact(real, node, "pg:about") == [f"{ID}event/vilnius-2023"]
    assert fact(real, node, "pg:challenge") == [f"{ID}challenge/priority-list"]


def test_article_special_partners_include_russia(real):
    about = fact(real, "assessment/special-partners", "pg:about")
    assert {f"{ID}country/GEO", f"{ID}country/UKR", f"{ID}country/RUS"} <= set(about)


def test_article_is_definite_that_pfp_patg_fit_and_the_pcm_fall_short(real):
    for node in ("assessment/pfp-patg-regional-fit", "assessment/pcm-2011-reform"):
        assert fact(real, node, "pg:verdict") == [PG + "FallsShort"], node
    assert fact(real, "assessment/pfp-enlargement-goal", "pg:verdict") == [PG + "GoalFulfilled"]
