"""The tier what-if: the default rules place the article's named partners, edits move partners predictably,
before/after measures follow from the memberships, and the report section renders in Chromium."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

import pgraph
from conftest import assert_user_error, run_cli
from pgraph import reform
from test_report import browser, open_page  # noqa: F401  (the shared headless Chromium)

AS_OF = "2026-11-28"
ARTICLE = {"AUS": 1, "AUT": 1, "IRL": 1, "NZL": 1, "CHE": 1, "GEO": 2, "MDA": 2, "UKR": 2,
           "IRQ": 3, "MRT": 3, "KAZ": 3, "MNG": 3, "KGZ": 4, "TJK": 4}


@pytest.fixture(scope="module")
def scenario():
    return pgraph.load(files=[reform.SCENARIO_FILE])


@pytest.fixture(scope="module")
def default(scenario):
    return {a.country: a for a in reform.assign(scenario, as_of=AS_OF)}


def _edited(tmp_path: Path, **thresholds: int) -> Path:
    """A copy of the default rules with some thresholds changed in their VALUES row."""
    text = reform.RULES_FILE.read_text(encoding="utf-8")
    names = re.search(r"VALUES \(([^)]*)\)", text).group(1).split()
    row = re.search(r"VALUES \([^)]*\) \{\s*\(([^)]*)\)", text)
    values = dict(zip((n.lstrip("?") for n in names), row.group(1).split()))
    values.update({k: str(v) for k, v in thresholds.items()})
    new_row = "(" + "  ".join(values[n.lstrip("?")] for n in names) + ")"
    path = tmp_path / "my-rules.rq"
    path.write_text(text[:row.start(1) - 1] + new_row + text[row.end(1) + 1:], encoding="utf-8")
    return path


def _score(kg, code: str, indicator: str = "FreedomScore") -> float | None:
    rows = kg.sparql(f"""PREFIX pg: <https://w3id.org/pgraph/ontology#>
        SELECT ?v ?y WHERE {{ ?m pg:indicator pg:{indicator} ; pg:participant <https://w3id.org/pgraph/id/country/{code}> ;
                             pg:measuredValue ?v ; pg:year ?y }} ORDER BY DESC(?y) LIMIT 1""")
    return float(rows[0]["v"]) if rows else None


def test_every_partner_on_the_date_gets_a_row_with_a_reason(scenario, default):
    partners = {r["country"] for r in scenario.query("partners", asOf=AS_OF)}
    assert set(default) == partners
    assert all(a.reason for a in default.values())


@pytest.mark.parametrize("code,tier", [("AUS", 1), ("AUT", 1), ("IRL", 1), ("NZL", 1), ("CHE", 1),
                                       ("GEO", 2), ("MDA", 2), ("UKR", 2),
                                       ("IRQ", 3), ("MRT", 3), ("KAZ", 3),
                                       ("MNG", 2),  # differs: rated Free, so the values rule puts it in Tier 2
                                       ("KGZ", 4), ("TJK", 4)])
def test_default_rules_place_the_articles_named_partners(default, code, tier):
    assert default[code].tier == tier, default[code].reason


def test_agreement_table_says_which_examples_differ_and_why(scenario, default):
    rows = {r["country"]: r for r in reform.compare_with_article(scenario, list(default.values()))}
    assert {c: r["article_tier"] for c, r in rows.items()} == ARTICLE
    differ = {c for c, r in rows.items() if r["agreement"] == "differ"}
    assert differ == {"MNG"}
    assert rows["MNG"]["hedged"] and "Freedom House" in rows["MNG"]["why"]


def test_raising_the_values_threshold_moves_exactly_the_tier1_partners_below_it(scenario, default, tmp_path):
    threshold = 98
    moved = {a.country: a for a in reform.assign(scenario, rules=_edited(tmp_path, alignedScore=threshold),
                                                 as_of=AS_OF)}
    for code, before in default.items():
        after = moved[code].tier
        if before.tier == 1 and _score(scenario, code) < threshold:
            assert after == 2, (code, moved[code].reason)
        else:
            assert after == before.tier, (code, before.reason, moved[code].reason)
    assert any(a.tier == 1 for a in default.values() if _score(scenario, a.country) < threshold)


def test_lowering_the_engagement_threshold_moves_kyrgyzstan_from_reassess_to_tier3(scenario, default, tmp_path):
    moved = {a.country: a for a in reform.assign(scenario, rules=_edited(tmp_path, engagedInstruments=1),
                                                 as_of=AS_OF)}
    assert default["KGZ"].tier == 4 and moved["KGZ"].tier == 3
    assert default["TJK"].tier == 4 and moved["TJK"].tier == 4  # no practical-cooperation instrument at all


def test_before_after_counts_follow_from_the_memberships(scenario, default):
    result = reform.before_after(scenario, list(default.values()), as_of=AS_OF)
    partners = scenario.query("partners", asOf=AS_OF)
    replaced = set(result["replaced"])
    assert replaced == {"pfp", "md", "ici", "patg"}
    today_mean = sum(len(r["instrument_ids"]) for r in partners) / len(partners)
    assert result["today"]["mean_per_partner"] == round(today_mean, 2)
    after = [len(set(r["instrument_ids"]) - replaced) + (default[r["country"]].tier is not None) for r in partners]
    assert result["tiers"]["mean_per_partner"] == round(sum(after) / len(after), 2)
    tier_nodes = [n for n in result["tiers"]["graph"].nodes() if str(n).startswith("tier-")]
    assert len(tier_nodes) == len({a.tier for a in default.values() if a.tier is not None})
    for a, b in result["tiers"]["graph"].edges():  # partners sit in one tier: tiers never overlap
        assert not (str(a).startswith("tier-") and str(b).startswith("tier-"))
    assert not replaced & set(result["tiers"]["graph"].nodes())


def test_cli_prints_assignments_agreement_and_comparison(tmp_path):
    result = run_cli("reform", "tiers", "--as-of", AS_OF, "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"assignments", "article", "compare"}
    assert {r["country"]: r["tier"] for r in doc["assignments"]}["NZL"] == 1
    csv = run_cli("reform", "tiers", "--as-of", AS_OF, "--section", "article", "-o", str(tmp_path / "a.csv"))
    assert csv.returncode == 0 and (tmp_path / "a.csv").read_text().startswith(
        "country,label,article_tier,hedged,rules_tier,agreement,why\n")


def test_cli_rules_errors_are_clear(tmp_path):
    select = tmp_path / "select.rq"
    select.write_text("#+ name: x\n#+ summary: not rules\nSELECT * WHERE { ?s ?p ?o }\n")
    assert_user_error(run_cli("reform", "tiers", "--rules", str(select)), "must be a SPARQL CONSTRUCT")
    assert_user_error(run_cli("reform", "tiers", "--rules", str(tmp_path / "none.rq")), "none.rq")
    assert_user_error(run_cli("reform", "tiers", "--format", "csv"), "give --section")


def test_report_section_renders_both_pictures_full_width_one_above_the_other(browser, scenario, real, tmp_path):  # noqa: F811
    from pgraph.report import build_report
    out = tmp_path / "report.html"
    data = build_report(real, out, as_of=dt.date.fromisoformat(AS_OF), scenario=scenario)
    page, seen = open_page(browser, out)
    assert not seen["errors"] and not [r for r in seen["requests"] if not r.startswith("file:")]
    section = page.locator("#reform")
    assert section.is_visible()
    today, tiers = page.locator("#reform-today svg"), page.locator("#reform-tiers svg")
    a, b, body = today.bounding_box(), tiers.bounding_box(), page.locator("#reform").bounding_box()
    assert a["width"] >= 0.95 * body["width"] and b["width"] >= 0.95 * body["width"]  # full width
    assert a["y"] + a["height"] <= b["y"]  # one above the other
    # legible: the smallest node label is drawn at >= 9 CSS pixels
    sizes = page.eval_on_selector_all("#reform svg text.label", "els => els.map(e => e.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 9
    rows = page.locator("#reform-assignments tbody tr")
    assert rows.count() == data["reform"]["assignments"]["total"] == data["partners"]["total"]
    assert page.locator("#reform-article tbody tr").count() == len(ARTICLE)
    compare = page.locator("#reform-compare tbody tr").first.inner_text()
    assert compare.split("\t")[1:] == [str(r) for r in (data["reform"]["compare"][0]["today"],
                                                        data["reform"]["compare"][0]["tiers"])]


def test_tier_labels_say_what_the_rules_found_and_unassessed_partners_name_the_missing_indicator(default):
    japan = default["JPN"]
    assert "Freedom House" in japan.reason and "96/100" in japan.reason
    assert japan.tier == 2 and japan.tier_label == "Tier 2: aligned, not capable"
    assert "democratising" not in japan.tier_label  # the rules found it aligned, not merely democratising
    assert default["GEO"].tier_label == "Tier 2: democratising, not aligned"
    assert default["AUS"].tier_label == "Tier 1: aligned and capable"
    assert default["KGZ"].tier_label.startswith("Tier 4: ") and "not engaged" in default["KGZ"].tier_label
    jordan = default["JOR"]
    assert jordan.tier is None and jordan.tier_label == "not assessed: no Freedom House score recorded"
    for a in default.values():  # the label never contradicts the values rule it rests on
        score = re.search(r"Freedom House \d+: (\d+)/100", a.reason)
        if score and int(score.group(1)) >= 70:
            assert "aligned" in a.tier_label and "not aligned" not in a.tier_label, a
        elif score and int(score.group(1)) < 45:
            assert "below the values threshold" in a.tier_label, a


def test_report_lists_an_unassessed_partner_with_its_missing_indicator(browser, scenario, real, tmp_path):  # noqa: F811
    from pgraph.report import build_report
    out = tmp_path / "report.html"
    build_report(real, out, as_of=dt.date.fromisoformat(AS_OF), scenario=scenario)
    page, _ = open_page(browser, out)
    row = page.locator("#reform-assignments tbody tr.unassessed")
    assert row.count() == 1
    cells = [c.inner_text() for c in row.locator("td").all()]
    assert cells[0].splitlines() == ["Jordan", "JOR"] and cells[1] == "not assessed: no Freedom House score recorded"
    japan = [r for r in page.locator("#reform-assignments tbody tr").all() if r.inner_text().startswith("Japan")][0]
    assert japan.locator("td").nth(1).inner_text() == "Tier 2: aligned, not capable"
    assert "Not assessed, for a missing indicator: Jordan." in page.inner_text("#reform")
    page.close()


def test_pair_counting_by_partner_equals_intersecting_every_pair():
    import random
    rng = random.Random(5)
    members = {f"i{n:02d}": {f"c{rng.randrange(60)}" for _ in range(rng.randrange(0, 12))} for n in range(40)}
    brute = []
    ids = sorted(i for i, m in members.items() if m)
    for n, a in enumerate(ids):
        for b in ids[n + 1:]:
            shared = len(members[a] & members[b])
            if shared:
                brute.append((a, b, shared, shared / len(members[a] | members[b]),
                              shared / min(len(members[a]), len(members[b]))))
    assert reform._overlap(members)["pairs"] == brute and len(brute) > 50


def test_the_what_if_pictures_are_the_same_from_every_process():
    """The partners' instruments are sets, whose order follows the process's hash seed; the pictures'
    layout follows the graph's node order, so the tiers' pictures differed from run to run."""
    import subprocess
    import sys
    code = ("import pgraph; from pgraph import reform; from pgraph.report import charts\n"
            "from pgraph.report.builder import scenario_added\n"
            "kg = pgraph.load()\n"
            "with scenario_added(kg, reform.SCENARIO_FILE):\n"
            f"    r = reform.before_after(kg, reform.assign(kg, as_of='{AS_OF}'), as_of='{AS_OF}')\n"
            "for side in ('today', 'tiers'):\n"
            "    g = r[side]['graph']\n"
            "    print(list(g.nodes), charts.network(g)['svg'])\n")
    pictures = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
                for seed in ("1", "2", "3")}
    assert len(pictures) == 1


@pytest.mark.parametrize("seed", range(4))
def test_shared_partners_counted_sparse_equal_those_counted_in_python(seed, monkeypatch):
    import random
    rng = random.Random(seed)
    members = {f"i{rng.randrange(10 ** 6)}": {f"c{rng.randrange(2000)}" for _ in range(rng.randrange(60))}
               for _ in range(rng.randrange(1, 300))}
    ids = sorted(i for i, m in members.items() if m)
    monkeypatch.setattr(reform, "_SPARSE_FROM", 10 ** 12)
    in_python = reform._shared_counts(ids, members)
    monkeypatch.setattr(reform, "_SPARSE_FROM", 0)
    assert reform._shared_counts(ids, members) == in_python
    assert len(in_python) > 0 or len(ids) < 2


def test_a_practical_cooperation_participation_judged_dormant_is_not_engagement():
    """The rules count a partner's practical-cooperation participations that no source judges dormant:
    a Dormant assessment about one of them takes it out of the count (and only that one)."""
    import pyoxigraph as ox
    kg = pgraph.load(files=[reform.SCENARIO_FILE])
    pg = "https://w3id.org/pgraph/ontology#"
    engaged = re.compile(r"(\d+) practical-cooperation instrument\(s\) not judged dormant")
    before = {a.country: a for a in reform.assign(kg, as_of=AS_OF)}
    rows = kg.sparql("""SELECT ?p WHERE { ?p a pg:Participation ; pg:participant ?c ; pg:instrument ?i .
        ?c dcterms:identifier "GEO" . ?i a ?class . ?class pg:kindId ?kind
        FILTER(?kind IN ("initiative", "programme", "tool", "document", "special-body")) } ORDER BY ?p""")
    count = int(engaged.search(before["GEO"].reason).group(1))
    assert count >= 2 and rows
    judged = ox.BlankNode()
    for p, o in ((ox.NamedNode(RDF_TYPE), ox.NamedNode(pg + "Assessment")),
                 (ox.NamedNode(pg + "about"), ox.NamedNode(rows[0]["p"])),
                 (ox.NamedNode(pg + "verdict"), ox.NamedNode(pg + "Dormant"))):
        kg.backend.store.add(ox.Quad(judged, p, o))
    after = {a.country: a for a in reform.assign(kg, as_of=AS_OF)}
    assert int(engaged.search(after["GEO"].reason).group(1)) == count - 1
    assert {c: a.reason for c, a in after.items() if c != "GEO"} == \
        {c: a.reason for c, a in before.items() if c != "GEO"}


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
