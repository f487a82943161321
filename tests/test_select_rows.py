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
