"""`pgraph query … -o out.xlsx` writes a real workbook: typed cells, an 'about' sheet, formulas inert."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl

from conftest import FIXTURES, assert_user_error, run_cli
from pgraph.output import xlsx


def test_query_to_xlsx_writes_a_typed_workbook_and_says_how_many_rows(tmp_path):
    out = tmp_path / "md.xlsx"
    result = run_cli("query", "members", "-p", "instrument=md", "--as-of", "2020-01-01", "-o", str(out))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["answer", "about"]
    rows = [[c.value for c in r] for r in book["answer"].iter_rows()]
    assert rows[0] == ["country", "label", "status", "since"]
    assert f"wrote {out} ({len(rows) - 1} rows)" in result.stderr
    csv = run_cli("query", "members", "-p", "instrument=md", "--as-of", "2020-01-01", "-f", "csv").stdout
    expected = [line.split(",") for line in csv.strip().splitlines()[1:]]
    assert [[r[0], r[1], r[2], r[3].date().isoformat()] for r in rows[1:]] == expected
    assert all(isinstance(r[3], dt.datetime) for r in rows[1:]), "dates must be date cells"
    about = {r[0].value: r[1].value for r in book["about"].iter_rows() if r[0].value}
    assert about["query"] == "members"
    assert about["parameter instrument"] == "https://w3id.org/pgraph/id/instrument/md"
    assert about["parameter asOf"].date() == dt.date(2020, 1, 1)
    assert about["data curated on"]
    urls = [r[1].value for r in book["about"].iter_rows()][list(about).index("sources") + 1:]
    assert urls and all(u.startswith("https://") for u in urls)


def test_numbers_are_number_cells(tmp_path):
    out = tmp_path / "partners.xlsx"
    assert run_cli("query", "partners", "--as-of", "2020-01-01", "-o", str(out)).returncode == 0
    sheet = openpyxl.load_workbook(out)["answer"]
    header = [c.value for c in sheet[1]]
    col = header.index("instruments")
    assert all(isinstance(r[col].value, int) for r in sheet.iter_rows(min_row=2))


def test_formula_looking_text_is_stored_as_inert_text(tmp_path):
    hostile = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "plain\x1b[31mred"]
    data = xlsx([{"v": h} for h in hostile], ["v"])
    path = tmp_path / "h.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml, "a formula was written"
    cells = list(openpyxl.load_workbook(path)["answer"].iter_rows(min_row=2))
    assert [r[0].data_type for r in cells] == ["s"] * 5
    assert [r[0].value for r in cells[:4]] == hostile[:4]
    assert all(r[0].quotePrefix for r in cells[:4])
    assert "\x1b" not in cells[4][0].value


def test_hostile_labels_reach_the_workbook_as_text(tmp_path):
    out = tmp_path / "h.xlsx"
    result = run_cli("--data", str(FIXTURES / "hostile"), "query", "instruments", "-o", str(out))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as z:
        assert not any("<f>" in z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_an_unknown_output_extension_is_refused(tmp_path):
    assert_user_error(run_cli("query", "allies", "-o", str(tmp_path / "a.xls")), "unknown file extension .xls")
    assert not (tmp_path / "a.xls").exists()


def test_xlsx_needs_a_file():
    assert_user_error(run_cli("query", "allies", "-f", "xlsx"), "give -o FILE")
