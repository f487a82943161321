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
