"""The embedded engine's SELECT rows, read from its TSV answer, hold the same values as its terms."""
from __future__ import annotations

import pytest

import pgraph
from pgraph.store.results import tsv_rows
from pgraph.store.terms import from_oxigraph

TRICKY = r'''
@prefix ex: <https://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:v "tab\there, newline\nthere, quote \" and backslash \\ and é ☃ \u0001" , "Zoë"@de , "007"^^xsd:integer ,
    "-12"^^xsd:integer , "1.50"^^xsd:decimal , "2.5E3"^^xsd:double , true , "false"^^xsd:boolean ,
    "2020-02-29"^^xsd:date , "true" , "12" , "" , ex:b , [ ex:w 1 ] , "x"^^ex:custom .
'''


def test_tsv_rows_give_the_values_and_types_the_terms_give(tmp_path):
    (tmp_path / "g.ttl").write_text(TRICKY, encoding="utf-8")
    store = pgraph.load(tmp_path).backend
    text = "SELECT ?v ?none WHERE { <https://example.org/a> <https://example.org/v> ?v OPTIONAL { ?v ?p ?none } }"
    expected = [{"v": from_oxigraph(s["v"]), "none": from_oxigraph(s["none"])} for s in store.store.query(text)]
    got = store.select(text)
    assert len(got) == 15
    assert got == expected
    assert [type(r["v"]) for r in got] == [type(r["v"]) for r in expected]
    assert any(r["v"] == 'tab\there, newline\nthere, quote " and backslash \\ and é ☃ \x01' for r in got)
    assert {7, -12, 1.5, 2500.0, True, False} <= {r["v"] for r in got if not isinstance(r["v"], str)}


def test_tsv_rows_read_the_header_and_unbound_cells():
    assert tsv_rows('?a\t?b\n<https://e/x>\t\n\t"y"@en\n') == [{"a": "https://e/x", "b": None}, {"a": None, "b": "y"}]
    assert tsv_rows("?a\n") == []


def test_tsv_columns_split_the_answer_once_into_raw_cells_column_by_column(tmp_path):
    from pgraph.store import tsv_columns, tsv_value
    (tmp_path / "g.ttl").write_text(TRICKY, encoding="utf-8")
    store = pgraph.load(tmp_path).backend
    text = "SELECT ?v ?none WHERE { <https://example.org/a> <https://example.org/v> ?v OPTIONAL { ?v ?p ?none } }"
    import pyoxigraph as ox
    body = store.store.query(text).serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
    values, nones = tsv_columns(body, ("v", "none"))
    assert [tsv_value(c) if c else None for c in values] == [r["v"] for r in store.select(text)]
    assert sorted(nones) == [""] * 14 + ["1"] and len(values) == 15  # a tab or newline in a literal splits nothing
    assert tsv_columns("?a\t?b\n", ("a", "b")) == [[], []]
    for wrong in (("b", "a"), ("a",), ("a", "b", "c")):
        with pytest.raises(ValueError):
            tsv_columns('?a\t?b\n<https://e/x>\t""\n', wrong)
    with pytest.raises(ValueError):
        tsv_columns("?a\t?b\n<https://e/x>\n", ("a", "b"))  # a row with a cell missing


def test_select_columns_hold_the_values_select_gives_column_by_column(tmp_path):
    (tmp_path / "g.ttl").write_text(TRICKY, encoding="utf-8")
    store = pgraph.load(tmp_path).backend
    text = "SELECT ?none ?v WHERE { <https://example.org/a> <https://example.org/v> ?v OPTIONAL { ?v ?p ?none } }"
    rows = store.select(text)
    columns = store.select_columns(text)
    assert list(columns) == ["none", "v"]  # the answer's variable order
    assert columns == {"none": [r["none"] for r in rows], "v": [r["v"] for r in rows]}
    assert [type(v) for v in columns["v"]] == [type(r["v"]) for r in rows]
    assert store.select_columns("SELECT ?a ?b WHERE { FILTER(false) }") == {"a": [], "b": []}
    assert store.select_columns("ASK { ?s ?p ?o }") is None


TRICKY_QUERY = '''#+ name: tricky
#+ summary: Every value of ex:a with its datatype, for the column path's test.
#+ columns: [v, kind, none]
PREFIX ex: <https://example.org/>
SELECT ?v ?kind ?none WHERE { ex:a ex:v ?v OPTIONAL { ?v ?p ?none } BIND(DATATYPE(?v) AS ?kind) }
ORDER BY ?v
'''


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_saved_select_written_column_by_column_gives_the_bytes_of_its_rows(tmp_path, fmt):
    from pgraph.output import render_rows
    (tmp_path / "g.ttl").write_text(TRICKY + '\n<https://example.org/a> <https://example.org/v> "=1+1", "+x", '
                                    '"@SUM(A1)", "-2", "\\u001b[31mred" .\n', encoding="utf-8")
    query = tmp_path / "tricky.rq"
    query.write_text(TRICKY_QUERY, encoding="utf-8")
    kg = pgraph.load(tmp_path)
    pieces = kg.query_text(str(query), fmt)
    assert pieces is not None  # the column path was taken
    written = "".join(pieces)
    assert written == render_rows(kg.query(str(query)), fmt, ["v", "kind", "none"])
    assert "'=1+1" in written and "=1+1" not in written.replace("'=1+1", "")  # a formula stays text
    assert "\x1b" not in written and len(written.splitlines()) > 20


def test_every_saved_select_gives_the_same_csv_and_tsv_column_by_column_as_row_by_row(real):
    from pgraph.catalog import Catalog
    from pgraph.graph import KnowledgeGraph
    from pgraph.output import render_rows
    params = {"members": {"instrument": "pfp"}, "partner-history": {"country": "GEO"},
              "event-participants": {"event": "chicago-2012"}, "reported-counts": {"instrument": "ip"},
              "search": {"text": "peace"}}
    by_rows = KnowledgeGraph(real.backend, fast_pairs=False)  # no pairwise counting: every answer from SPARQL
    taken = set()
    for saved in Catalog():
        if saved.form != "SELECT":
            continue
        for as_of in ("2010-06-01", "2025-01-01"):
            values = {**params.get(saved.name, {}), **({"asOf": as_of} if "asOf" in {p.name for p in saved.params} else {})}
            for fmt in ("csv", "tsv"):
                pieces = by_rows.query_text(saved.name, fmt, **values)
                if pieces is None:
                    continue
                taken.add(saved.name)
                assert "".join(pieces) == render_rows(by_rows.query(saved.name, **values), fmt,
                                                      list(saved.columns)), (saved.name, as_of, fmt)
    assert {"memberships", "status-changes", "instruments", "partners", "trust-funds", "overlap"} <= taken
    assert by_rows.query_text("memberships", "table") is None and by_rows.query_text("memberships", "json") is None
