"""The jungle report renders in headless Chromium: not blank, no error, no request, key figures equal the queries."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import pgraph
from conftest import FIXTURES, ROOT, run_cli
from pgraph.report import Progress, build_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]
AS_OF = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required (.ci/run installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, path: Path):
    """The page loaded from file://, with everything it logged, requested and tried to pop up."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    seen = {"console": [], "requests": [], "dialogs": [], "errors": []}
    page.on("console", lambda m: seen["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, seen


@pytest.fixture(scope="module")
def report(tmp_path_factory, real):
    out = tmp_path_factory.mktemp("report") / "report.html"
    data = build_report(real, out, as_of=AS_OF)
    return out, data


def test_page_renders_without_error_or_request(browser, report, tmp_path):
    path, _ = report
    page, seen = open_page(browser, path)
    shot = tmp_path / "top.png"
    page.screenshot(path=str(shot))
    from PIL import Image
    image = Image.open(shot).convert("RGB").resize((137, 90))
    colours = image.getcolors(maxcolors=137 * 90)
    white = sum(n for n, c in colours if c == (255, 255, 255))
    assert white / (137 * 90) < 0.92 and len(colours) > 30, "the screenshot is blank"
    assert [c for c in seen["console"] if c[0] in ("error", "warning")] == []
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert seen["requests"] == [path.resolve().as_uri()]  # nothing but the page itself
    page.close()


def test_key_figures_in_the_dom_match_the_saved_queries(browser, report, real):
    path, _ = report
    page, _ = open_page(browser, path)
    day = AS_OF.isoformat()
    instruments = real.query("instruments", asOf=day)
    partners = real.query("partners", asOf=day)
    assert page.inner_text("#as-of") == day
    assert int(page.inner_text("#fig-active")) == sum(1 for r in instruments if r["status"] != "ended")
    assert int(page.inner_text("#fig-created")) == len(instruments)
    assert int(page.inner_text("#fig-terminated")) == sum(1 for r in instruments if r["status"] == "ended")
    assert int(page.inner_text("#fig-partners")) == len(partners)
    assert int(page.inner_text("#fig-participations")) == len(real.query("memberships", asOf=day))
    assert float(page.inner_text("#fig-average")) == pytest.approx(
        sum(r["instruments"] for r in partners) / len(partners), abs=0.05)
    assert page.inner_text("#violations") == "0"
    assert page.locator("#subsumed tbody tr").count() == len(real.query("subsumed", asOf=day))
    assert page.locator("#suspended tbody tr").count() == sum(
        1 for r in real.query("memberships", asOf=day) if r["status"] == "suspended")
    assert page.locator("section#challenges article").count() == 6
    assert page.locator("svg").count() >= 2  # the timeline and the network, inline
    page.close()


def test_every_figure_and_table_names_its_saved_query(report):
    path, _ = report
    html = path.read_text(encoding="utf-8")
    for name in ("instruments", "partners", "memberships", "timeline", "events", "overlap", "redundant", "subsumed",
                 "never-terminated", "dormant", "trust-funds", "challenge-evidence"):
        assert f"<code>{name}</code>" in html or f'class="query">{name}<' in html, name


def test_facts_link_to_their_sources(browser, report):
    path, _ = report
    page, _ = open_page(browser, path)
    links = page.eval_on_selector_all("section#never-terminated a", "els => els.map(e => e.href)")
    assert links and all(l.startswith("http") for l in links)
    page.close()


def test_the_page_is_self_contained(report):
    import re
    html = report[0].read_text(encoding="utf-8")
    assert "<script" not in html and "@import" not in html and "<link" not in html
    assert re.findall(r"url\((?!#)", html) == []  # only references inside the page's own SVG
    assert re.findall(r'(?:src|href)="(?!https?://|#)[^"]', html) == []  # links go out only when clicked


def test_hostile_labels_show_as_text_and_never_run(browser, tmp_path):
    kg = pgraph.load(FIXTURES / "hostile")
    out = tmp_path / "hostile.html"
    build_report(kg, out, as_of=AS_OF)
    page, seen = open_page(browser, out)
    assert seen["dialogs"] == [] and seen["errors"] == []
    assert page.title().startswith("The NATO partnership jungle")  # the injected script did not run
    assert page.eval_on_selector_all("script", "els => els.length") == 0
    assert page.eval_on_selector_all("img", "els => els.length") == 0
    assert page.eval_on_selector_all("[onclick]", "els => els.length") == 0
    text = page.inner_text("body")
    assert "<script>document.title='pwned'</script>Partnership" in text
    assert "Sweden <img src=x onerror=alert(2)> & \"quotes\"" in text
    assert "</td><td onclick=alert(3)>An author" in text
    page.close()


def test_make_report_command_writes_the_page_and_says_where(tmp_path):
    out = tmp_path / "r.html"
    result = run_cli("report", "-o", str(out), "--as-of", "2020-01-01")
    assert result.returncode == 0, result.stderr
    assert f"Report written to {out.resolve()}" in result.stdout
    assert "The partnership jungle on 2020-01-01" in result.stdout
    assert out.read_text(encoding="utf-8").count('id="as-of">2020-01-01<') == 1


def test_progress_is_shown_only_on_a_terminal_after_a_second():
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True
    quiet, tty = io.StringIO(), Tty()
    slow = Progress(tty, after=0.0)
    slow.step("tables")
    slow.done()
    Progress(quiet, after=0.0).step("tables")
    assert "report: tables" in tty.getvalue() and quiet.getvalue() == ""


def test_docs_hold_a_screenshot_of_the_page_top():
    from PIL import Image
    shot = Image.open(ROOT / "docs" / "report-top.png")
    assert shot.size[0] >= 1000


def test_tables_show_names_with_the_id_as_a_small_second_line(browser, report, real):
    path, _ = report
    page, _ = open_page(browser, path)
    subsumed = page.locator("#subsumed tbody tr").first.locator("td").first
    row = real.query("subsumed", asOf=AS_OF.isoformat())[0]
    names = {r["instrument"]: r["label"] for r in real.query("instruments", asOf=AS_OF.isoformat())}
    assert subsumed.inner_text().splitlines() == [names[row["instrument"]], row["instrument"]]
    assert subsumed.locator("small.id").evaluate("e => getComputedStyle(e).display") == "block"
    dormant = page.locator("#dormant-table tbody").inner_text()
    assert "Kyrgyzstan" in dormant and "Tajikistan" in dormant and "Partnership for Peace" in dormant
    which = page.locator("#partners td.which").first.inner_text()
    assert which and not set(which.replace(";", " ").split()) & set(names)  # names, not ids
    events = page.eval_on_selector_all("#timeline svg text.event", "els => els.map(e => e.textContent)")
    assert any("Brussels Summit 1994" in e for e in events)
    assert not any("brussels-2008-fm-2" in e for e in events)
    page.close()


def test_instruments_table_expands_acronyms_and_lets_a_reader_check_the_headline(browser, report, real):
    path, _ = report
    page, _ = open_page(browser, path)
    rows = page.locator("#instruments tbody tr")
    assert rows.count() == int(page.inner_text("#fig-created"))
    ended = page.locator("#instruments tbody tr.ended").count()
    assert ended == int(page.inner_text("#fig-terminated"))
    assert rows.count() - ended == int(page.inner_text("#fig-active"))
    nuc = {r.locator("td").nth(1).inner_text().splitlines()[0]: r.locator("td").nth(4).inner_text()
           for r in rows.all() if r.locator("td").first.inner_text() == "NUC"}
    assert nuc == {"NATO-Ukraine Commission": "ended 2023-07-12", "NATO-Ukraine Council": "active"}
    suspended = page.locator("#suspended tbody tr").count()
    assert int(page.inner_text("#active-participations")) + suspended == int(page.inner_text("#fig-participations"))
    page.close()


def test_an_acronym_means_what_it_meant_on_the_reports_date(browser, real, tmp_path):
    out = tmp_path / "r2014.html"
    build_report(real, out, as_of=dt.date(2014, 12, 31))
    page, _ = open_page(browser, out)
    nuc = [r.locator("td").nth(1).inner_text().splitlines()[0] for r in page.locator("#instruments tbody tr").all()
           if r.locator("td").first.inner_text() == "NUC"]
    assert nuc == ["NATO-Ukraine Commission"]
    titles = page.eval_on_selector_all("#network svg circle.node > title", "els => els.map(e => e.textContent)")
    assert any(t.startswith("NATO-Ukraine Commission (NUC)") for t in titles)
    assert not any("NATO-Ukraine Council" in t for t in titles)
    page.close()


def test_reported_figures_show_their_value_and_unit(browser, report, real):
    path, _ = report
    page, _ = open_page(browser, path)
    figures = page.eval_on_selector_all("#challenges li.evidence-figure", "els => els.map(e => e.innerText)")
    expected = [r for r in real.query("challenge-evidence") if r["evidence"] == "figure"]
    assert len(figures) == len(expected) > 0
    assert any("NATO military budget for 2023: 1.96 billion EUR" in f for f in figures)
    assert any("0.5–1 percent of NATO military budget" in f for f in figures)
    about = page.eval_on_selector_all("#challenges li strong[title]", "els => els.map(e => [e.title, e.innerText])")
    assert ["pfp", "Partnership for Peace"] in about and ["ARM in pfp", "Armenia in Partnership for Peace"] in about
    page.close()


def test_suspended_table_says_when_and_by_what_decision(browser, report):
    path, _ = report
    page, _ = open_page(browser, path)
    rows = {tuple(r.locator("td").nth(i).inner_text().splitlines()[0] for i in (0, 1)): r
            for r in page.locator("#suspended tbody tr").all()}
    nrc = rows[("Russia", "NATO-Russia Council")]
    cells = [c.inner_text() for c in nrc.locator("td").all()]
    assert cells[2] == "2002-05-28" and cells[3] == "2014-04-01"
    assert cells[4].startswith("NATO foreign ministers suspended") and cells[4].endswith(".")
    assert nrc.locator("a").get_attribute("href").startswith("https://www.nato.int/")
    page.close()


def test_the_curation_date_stands_beside_the_as_of_date(browser, report, real):
    path, _ = report
    page, _ = open_page(browser, path)
    stated = real.query("curation")
    expected = stated[0]["modified"] if stated else real.curated_on()
    assert expected and page.inner_text("#curated") == expected
    lede = page.inner_text("p.lede")
    assert lede.index(AS_OF.isoformat()) < lede.index("data curated up to")
    page.close()


def test_timeline_left_axis_ends_at_the_largest_bar(browser, report, real):
    path, _ = report
    page, _ = open_page(browser, path)
    rows = real.query("timeline", **{"from": 1991, "to": AS_OF.year})
    largest = max(max(r["established"], r["ended"]) for r in rows)
    ticks = [int(t) for t in page.eval_on_selector_all("#timeline svg g.axis-left text.tick",
                                                        "els => els.map(e => e.textContent)")]
    step = ticks[1] - ticks[0]
    assert largest <= max(ticks) < largest + step
    tallest = page.eval_on_selector_all("#timeline svg g.bars rect", "els => Math.max(...els.map(e => e.getBoundingClientRect().height))")
    top_tick, zero_tick = (page.locator("#timeline svg g.axis-left line").nth(i).bounding_box()["y"] for i in (-1, 0))
    assert tallest >= 0.8 * abs(zero_tick - top_tick)  # the largest bar fills (most of) the axis
    values = page.eval_on_selector_all("#timeline svg g.bars text.value", "els => els.map(e => +e.textContent)")
    assert max(values) == largest  # each bar's value is printed, not only in its hover title
    page.close()


def test_pictures_are_legible_on_screen_and_in_print(browser, report):
    path, _ = report
    page, _ = open_page(browser, path)
    # on screen (1366 px wide) and on an A4 page (186 mm between the margins: 703 CSS px), printed
    for media, width, smallest in (("screen", 1366, 10), ("print", 703, 8)):
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(media=media)
        content = page.locator("#network").bounding_box()["width"]
        for figure in ("#timeline", "#overlap-picture"):
            box = page.locator(f"{figure} svg").first.bounding_box()
            assert box["width"] >= 0.95 * content, (media, figure)
        for figure in ("#timeline", "#overlap-picture"):
            heights = page.eval_on_selector_all(f"{figure} svg text",
                                                "els => els.map(e => e.getBoundingClientRect().height)")
            assert min(heights) >= smallest, (media, figure, min(heights))
    after = page.eval_on_selector("#never-terminated td a[href^='http']",
                                  "e => getComputedStyle(e, '::after').content")
    assert "http" in after  # printed links show where they point
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    page.close()


def test_nothing_is_only_in_hover_titles(browser, report):
    path, _ = report
    page, _ = open_page(browser, path)
    visible = page.inner_text("body")
    names = page.eval_on_selector_all("#overlap-picture svg circle.node > title",
                                      "els => els.map(e => e.textContent.split(':')[0].replace(/ \\([^)]*\\)$/, ''))")
    assert names and all(n in visible for n in names)
    pairs = page.locator("#pairs tbody tr")
    edges = page.eval_on_selector_all("#overlap-picture svg line > title", "els => els.length")
    assert pairs.count() == edges > 0  # every edge's hover text is also a row
    assert all(r.locator("td").nth(4).inner_text() for r in pairs.all())
    page.close()


def test_only_http_links_and_a_content_security_policy(browser, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    text = (FIXTURES / "hostile" / "graph.ttl").read_text(encoding="utf-8")
    text = text.replace("pg:challenge challenge:coherence ; dcterms:source src:a .",
                        "pg:challenge challenge:coherence ; dcterms:source <javascript:alert(1)> .")
    assert "<javascript:alert(1)>" in text
    (data / "graph.ttl").write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    build_report(pgraph.load(data), out, as_of=AS_OF)
    page, seen = open_page(browser, out)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert "javascript:alert(1)" in page.inner_text("#challenges")  # shown as text
    csp = page.get_attribute("meta[http-equiv='Content-Security-Policy']", "content")
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert seen["dialogs"] == [] and seen["errors"] == []
    page.close()


def test_the_headline_says_which_reading_it_uses_and_how_much_rests_on_uncertain_dates(browser, real, tmp_path):
    """On a day inside a year-only start the figures name their reading, and the counts are the queries'."""
    day = dt.date(2014, 6, 1)
    out = tmp_path / "report.html"
    build_report(real, out, as_of=day)
    page, _ = open_page(browser, out)
    uncertain = [r for r in real.query("memberships", asOf=day.isoformat()) if r["status"] == "uncertain"]
    strict = real.query("partners", asOf=day.isoformat(), strict="true")
    assert uncertain, "2014-06-01 lies inside year-only dates in the data"
    assert int(page.inner_text("#uncertain-count")) == len(uncertain)
    assert int(page.inner_text("#strict-partners")) == len(strict) < int(page.inner_text("#fig-partners"))
    assert "default reading" in page.inner_text("#reading")


def test_one_load_serves_the_validated_facts_and_the_what_if_and_the_scenario_is_taken_out_after():
    """The tiers added to the facts' own store after validation give the what-if a graph loaded apart gives."""
    from pgraph.reform import SCENARIO_FILE
    from pgraph.report import collect
    kg = pgraph.load()
    triples = len(kg.backend)
    apart = collect(pgraph.load(), as_of=AS_OF, scenario=pgraph.load(files=[SCENARIO_FILE]))
    added = collect(kg, as_of=AS_OF, scenario=SCENARIO_FILE)
    assert added["reform"] is not None
    for key in ("assignments", "unassessed", "article", "agree", "compare", "replaced"):
        assert added["reform"][key] == apart["reform"][key], key
    assert [(f.focus, f.shape) for f in added["validation"].findings] == \
        [(f.focus, f.shape) for f in apart["validation"].findings]  # validation saw the facts alone
    assert len(kg.backend) == triples  # the scenario's statements are taken out again
    assert not kg.backend.ask("ASK { ?s a <https://w3id.org/pgraph/ontology#Scenario> }")


def test_the_what_if_reads_the_scenario_beside_facts_that_never_see_it():
    """The what-if runs beside the facts' queries and validation: the scenario's statements are in a
    graph of their own that only the what-if's queries read; texts the facts asked keep their answers;
    ready is set once a CONSTRUCT has its view of the store; nothing stays after."""
    import threading
    from pgraph.reform import SCENARIO_FILE
    from pgraph.report.builder import remembering, scenario_beside
    kg = pgraph.load()
    facts = remembering(kg)
    triples = len(kg.backend)
    scenario = "ASK { ?s a <https://w3id.org/pgraph/ontology#Scenario> }"
    partners = facts.query("partners", asOf=AS_OF.isoformat())
    ready = threading.Event()
    with scenario_beside(kg, facts, SCENARIO_FILE, ready) as seen:
        assert seen.backend.ask(scenario)
        assert not kg.backend.ask(scenario) and not facts.backend.ask(scenario)
        assert not kg.backend.select("SELECT ?s WHERE { ?s a <https://w3id.org/pgraph/ontology#Tier> }")
        assert seen.backend.select("SELECT ?s WHERE { ?s a <https://w3id.org/pgraph/ontology#Tier> }")
        assert seen.query("partners", asOf=AS_OF.isoformat()) == partners
        assert not ready.is_set()
        seen.backend.construct("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 1")
        assert ready.is_set()
    assert not seen.backend.ask(scenario) and len(kg.backend) == triples


def test_the_what_if_reads_no_named_graph_but_the_scenarios():
    """A named graph in the store (not the facts' default graph) stays out of the what-if's view."""
    import threading
    import pyoxigraph as ox
    from pgraph.reform import SCENARIO_FILE
    from pgraph.report.builder import remembering, scenario_beside
    kg = pgraph.load()
    pg = "https://w3id.org/pgraph/ontology#"
    kg.backend.store.add(ox.Quad(ox.NamedNode("https://example.org/elsewhere"), ox.NamedNode(RDF_TYPE),
                                 ox.NamedNode(pg + "Scenario"), ox.NamedNode("https://example.org/graph")))
    with scenario_beside(kg, remembering(kg), SCENARIO_FILE, threading.Event()) as seen:
        found = [r["s"] for r in seen.backend.select(f"SELECT ?s WHERE {{ ?s a <{pg}Scenario> }}")]
    assert found == ["https://w3id.org/pgraph/id/scenario/fasola-2024-tiers"]


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_a_report_builds_the_participations_of_a_date_once():
    """The overlap picture, the redundant and subsumed tables and the smells count from one object."""
    from pgraph.graphs import Participation
    from pgraph.report.builder import remembering
    kg = remembering(pgraph.load())
    day = AS_OF.isoformat()
    p = Participation.fetch(kg, day)
    assert Participation.fetch(kg, day) is p and Participation.fetch(kg, day, strict=True) is not p
    assert p.shared_counts() is p.shared_counts()
    assert Participation.fetch(pgraph.load(), day) is not Participation.fetch(pgraph.load(), day)


def test_a_report_runs_each_query_text_once():
    """The page asks instruments and partners in several places: the engine answers each text once."""
    from collections import Counter
    from pgraph.report import collect
    kg = pgraph.load()
    asked: Counter[str] = Counter()
    select, construct = kg.backend.select, kg.backend.construct
    kg.backend.select = lambda text: (asked.update([text]), select(text))[1]
    kg.backend.construct = lambda text: (asked.update([text]), construct(text))[1]
    collect(kg, as_of=AS_OF)
    instruments = kg.catalog.get("instruments").bound({"asOf": AS_OF.isoformat()}, kg.resolve)
    assert asked[instruments] == 1
    assert [text for text, n in asked.items() if n > 1] == []


def test_a_large_graph_draws_its_strongest_edges_says_so_in_the_caption_and_the_page_stays_small(browser, tmp_path):
    """A synthetic graph of ~25k triples, at most 12 edges a picture: each picture's caption says how many of how
    many it draws, the overlap picture holds exactly those, and the page renders without an error or a request."""
    import subprocess
    import sys
    from pgraph.reform import SCENARIO_FILE
    graph_dir = tmp_path / "g25k"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "25000", str(graph_dir)],
                   check=True, capture_output=True, timeout=120)
    out = tmp_path / "r.html"
    data = build_report(pgraph.load(graph_dir), out, as_of=AS_OF, scenario=SCENARIO_FILE, edge_limit=12)
    edges = data["edges"]
    assert edges > 1000
    page, seen = open_page(browser, out)
    caption = page.inner_text("#overlap-picture figcaption")
    assert f"the 12 strongest of {edges:,} edges (by jaccard)" in caption
    drawn = page.eval_on_selector_all("#overlap-picture svg line", "els => els.filter(e => e.querySelector('title')).length")
    assert drawn == 12
    assert "strongest of" in page.inner_text("#reform-today figcaption")
    assert [c for c in seen["console"] if c[0] in ("error", "warning")] == [] and seen["errors"] == []
    assert seen["requests"] == [out.resolve().as_uri()]
    assert len(data["network"]["svg"]) < 30_000 and out.stat().st_size < 5_000_000
    page.close()


@pytest.mark.parametrize("fixture", ["asof", "mini"])
def test_the_strict_partner_count_comes_from_the_memberships_rows_and_equals_the_query(fixture):
    """The headline's strict count is read off the memberships rows the page has (status 'active'),
    not asked of the engine again, and equals `partners --strict` on every date (uncertain and
    suspended participations among them)."""
    from pgraph.report import collect
    from pgraph.report.builder import strict_partners
    kg = pgraph.load(FIXTURES / fixture)
    for day in ("1995-06-01", "2004-01-01", "2014-06-01", "2020-03-15", "2026-11-28"):
        expected = len(kg.query("partners", asOf=day, strict="true"))
        assert strict_partners(kg.query("memberships", asOf=day)) == expected, day
    asked: list[str] = []
    select = kg.backend.select
    kg.backend.select = lambda text: (asked.append(text), select(text))[1]
    data = collect(kg, as_of=AS_OF)
    strict = kg.catalog.get("partners").bound({"asOf": AS_OF.isoformat(), "strict": "true"}, kg.resolve)
    assert strict not in asked
    assert data["headline"]["strict_partners"] == len(kg.query("partners", asOf=AS_OF.isoformat(), strict="true"))
