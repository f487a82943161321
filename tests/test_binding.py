"""Parameters are bound as typed terms in VALUES blocks where the variable is used, never pasted as text."""
from __future__ import annotations

import pytest

from pgraph.catalog.binding import Iri, Typed, bind, escape_string, where_groups
from pgraph.errors import QueryError
from pgraph.catalog.params import ParamSpec, coerce

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE = Typed("2024-01-01", XSD + "date")


def test_values_go_to_the_outer_group_and_every_subselect_using_the_variable():
    q = "SELECT ?x WHERE { ?x <p> ?d FILTER(?d < ?asOf) { SELECT ?y WHERE { ?y <q> ?e FILTER(?e < ?asOf) } } " \
        "{ SELECT ?z WHERE { ?z <r> ?w } } }"
    bound = bind(q, {"asOf": DATE})
    assert bound.count('VALUES ?asOf { "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> }') == 2
    assert "SELECT ?z WHERE { ?z" in bound  # a sub-select that does not use it is left alone


def test_braces_and_keywords_inside_strings_iris_and_comments_are_ignored():
    q = 'SELECT ?x WHERE { ?x <http://e/a{b}> "WHERE { ?asOf }" # WHERE { ?asOf }\n FILTER(?x != ?asOf) }'
    groups = where_groups(q)
    assert len(groups) == 1 and "asOf" in groups[0][2]
    assert bind(q, {"asOf": DATE}).count("VALUES") == 1


def test_a_query_without_where_group_is_refused():
    with pytest.raises(QueryError):
        where_groups("SELECT * { ?s ?p ?o }")


@pytest.mark.parametrize("text", ['a"b', "a\\b", "line\nbreak", "tab\there", "ctrl\x01"])
def test_strings_are_escaped_so_they_cannot_end_the_literal(text):
    escaped = escape_string(text)
    assert '"' not in escaped.replace('\\"', "") and "\n" not in escaped and "\x01" not in escaped


@pytest.mark.parametrize("iri", ["http://e/a>b", "http://e/a b", "http://e/{x}", "not an iri", "http://e/\"x"])
def test_iris_that_could_break_out_are_refused(iri):
    with pytest.raises(ValueError):
        Iri(iri)


@pytest.mark.parametrize("raw,type_,expected", [
    ("2024-02-29", "xsd:date", '"2024-02-29"^^<http://www.w3.org/2001/XMLSchema#date>'),
    ("1994", "year", '"1994"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("0.80", "xsd:decimal", '"0.80"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("fin", "country", "<https://w3id.org/pgraph/id/country/FIN>"),
    ("pfp", "instrument", "<https://w3id.org/pgraph/id/instrument/pfp>"),
    ("https://w3id.org/pgraph/id/instrument/md", "instrument", "<https://w3id.org/pgraph/id/instrument/md>"),
])
def test_values_become_typed_terms(raw, type_, expected):
    assert coerce(ParamSpec("p", type_), raw).n3() == expected


@pytest.mark.parametrize("raw,type_", [("2024-13-01", "xsd:date"), ("01/02/2024", "xsd:date"), ("94", "year"),
                                       ("1e3", "xsd:integer"), ("0.8; DROP", "xsd:decimal"),
                                       ("pfp> }", "instrument"), ("FI N", "country")])
def test_ill_typed_values_are_refused(raw, type_):
    from pgraph.errors import ParameterError
    with pytest.raises(ParameterError):
        coerce(ParamSpec("p", type_), raw)


def test_less_than_next_to_a_variable_is_an_operator_not_an_iri():
    (_, _, names), = where_groups("SELECT ?i WHERE { VALUES ?i { 1 } FILTER(?i<?n&&?i>0) }")
    assert names == {"i", "n"}
    (_, _, names), = where_groups("SELECT * WHERE { ?s <x:p?a=1&b> ?o FILTER(EXISTS { ?s <x:q> ?z }) "
                                  "FILTER(?o < <x:y>) }")
    assert names == {"s", "o", "z"}  # IRIs (with ? and & inside) stay IRIs in triples and after operators


def test_names_take_every_character_from_u00c0_to_ueffff_and_none_above():
    """SPARQL's PN_CHARS_BASE, as far as the lexer reads it: a variable, a prefixed name and a blank node
    run on through U+00C0 and U+EFFFF, and stop at U+F0000 (and at U+00BF, below the range)."""
    from pgraph.store import tokens, variables
    assert variables("SELECT ?\u00c0b ?c\U000effff ?d\U000f0000 ?e\u00bf WHERE {}") == {"\u00c0b", "c\U000effff", "d", "e"}
    words = [t.text for t in tokens("SELECT * WHERE { ex:\u00c0\U000effff _:b\u00c0\U000effff ex:x\U000f0000 }")]
    assert "ex:\u00c0\U000effff" in words and "_:b\u00c0\U000effff" in words and "ex:x" in words
