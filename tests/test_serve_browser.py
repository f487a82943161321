"""`pgraph serve` in a real browser (Debian's Chromium through Playwright): fill a form, submit,
sort, follow an entity link, download CSV and XLSX; each answer equals the CLI's. Hostile labels
stay inert, and no page asks any other origin for anything."""
from __future__ import annotations

import io

import pytest

from conftest import FIXTURES, run_cli
from serving import running
from test_report import browser  # noqa: F401  (the same headless Debian Chromium, one per module)

AS_OF = "2004-12-31"


@pytest.fixture(scope="module")
def server():
    with running() as (base, _):
        yield base


def watched(browser, base: str):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = {"foreign": [], "errors": [], "dialogs": [], "csp": []}
    page.on("request", lambda r: None if r.url.startswith(base) else seen["foreign"].append(r.url))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["csp"].append(m.text) if "Content Security Policy" in m.text else None)
    return context, page, seen


def cli_csv(*args: str) -> str:
    result = run_cli("query", *args, "-f", "csv")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_fill_submit_sort_follow_and_download(browser, server, tmp_path):
    context, page, seen = watched(browser, server)
    page.goto(server + "/")
    page.fill("#search", "takes part")
    assert page.locator("li.entry:visible").count() < page.locator("li.entry").count()
    page.click("a[href='/q/members']")
    page.select_option("#p-instrument", "md")
    page.fill("#p-asOf", AS_OF)
    page.click("#run")
    page.wait_for_selector("#answer")
    assert page.url.endswith(f"/q/members?instrument=md&asOf={AS_OF}")
    expected = cli_csv("members", "-p", "instrument=md", "--as-of", AS_OF)
    shown = [[c.inner_text().strip() for c in row.locator("td").all()] for row in page.locator("#answer tbody tr").all()]
    assert [",".join(r) for r in shown] == expected.strip().splitlines()[1:]

    page.click("button.sort[data-column='1']")  # by name, ascending then descending
    names = page.locator("#answer tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    page.click("button.sort[data-column='1']")
    assert page.locator("#answer tbody tr td:nth-child(2)").all_inner_texts() == sorted(names, key=str.lower,
                                                                                       reverse=True)

    with page.expect_download() as download:
        page.click("a.download[data-format='csv']")
    path = tmp_path / "members.csv"
    download.value.save_as(path)
    assert path.read_text(encoding="utf-8") == expected

    with page.expect_download() as download:
        page.click("a.download[data-format='xlsx']")
    path = tmp_path / "members.xlsx"
    download.value.save_as(path)
    import openpyxl
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["answer"].iter_rows()]
    cli_xlsx = tmp_path / "cli.xlsx"
    assert run_cli("query", "members", "-p", "instrument=md", "--as-of", AS_OF, "-o", str(cli_xlsx)).returncode == 0
    assert rows == [[c.value for c in r] for r in openpyxl.load_workbook(cli_xlsx)["answer"].iter_rows()]

    first = page.locator("#answer tbody tr:first-child td").all_inner_texts()  # after sorting: the last name
    assert first[1] == max(names, key=str.lower)
    page.click("#answer tbody tr:first-child td:first-child a")
    page.wait_for_selector("h1")
    assert page.url.endswith(f"/id/country/{first[0]}")
    assert page.locator("h1").inner_text() == first[1]
    assert page.locator("text=Partnership history").count() == 1
    assert not seen["foreign"] and not seen["errors"] and not seen["csp"], seen
    context.close()


def test_sparql_editor_runs_an_example(browser, server):
    context, page, seen = watched(browser, server)
    page.goto(server + "/sparql")
    page.select_option("#example", "allies")
    assert "pg:Accession" in page.input_value("#query")
    with page.expect_download() as download:
        page.click("#editor button[type=submit]")
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[0] == "country,label,accession"
    assert len(text.splitlines()) == len(cli_csv("allies").splitlines())
    assert not seen["foreign"] and not seen["errors"], seen
    context.close()


def test_hostile_labels_run_nothing_in_the_browser(browser):
    with running(data=str(FIXTURES / "hostile")) as (base, _):
        context, page, seen = watched(browser, base)
        for path in ("/", "/q/instruments", "/q/members?instrument=pfp", "/id/instrument/pfp", "/id/country/SWE",
                     "/pictures/overlap", "/sparql"):
            page.goto(base + path)
            page.wait_for_load_state("load")
            assert page.title() != "pwned", path
        page.goto(base + "/q/instruments")
        assert "<script>document.title='pwned'</script>Partnership" in page.inner_text("#answer")
        assert not seen["dialogs"] and not seen["errors"] and not seen["foreign"], seen
        context.close()


UNCERTAIN_DAY = "2014-06-01"


def test_a_boolean_parameter_is_a_checkbox_that_sends_true_only_when_ticked(browser, server):
    context, page, seen = watched(browser, server)
    page.goto(server + "/q/partners")
    box = page.locator("#p-strict")
    assert box.get_attribute("type") == "checkbox" and not box.is_checked()
    page.fill("#p-asOf", UNCERTAIN_DAY)
    page.check("#p-strict")
    page.click("#run")
    page.wait_for_selector("#answer")
    assert page.url.endswith(f"/q/partners?asOf={UNCERTAIN_DAY}&strict=true")
    expected = [line.split(",")[0] for line in cli_csv("partners", "--as-of", UNCERTAIN_DAY, "--strict").strip().splitlines()[1:]]
    loose = [line.split(",")[0] for line in cli_csv("partners", "--as-of", UNCERTAIN_DAY).strip().splitlines()[1:]]
    assert len(expected) < len(loose)  # on this day a partner rests on a date known only to its year
    shown = page.locator("#answer tbody tr td:first-child").all_inner_texts()
    assert [s.strip() for s in shown] == expected   # the partners certain on the date, as the CLI's --strict gives
    assert page.locator("#p-strict").is_checked()
    assert not seen["foreign"] and not seen["errors"] and not seen["csp"], seen
    context.close()
