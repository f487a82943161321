"""Hostile parameter values are bound as data or refused: they never change a query's shape or the data."""
from __future__ import annotations

import uuid

import pytest
from rdflib import Literal, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

import pgraph
from conftest import assert_user_error, run_cli
from pgraph.push import count_remote, push

HOSTILE = [
    '" } ; DROP ALL #',
    "peace' . ?s ?p ?o",
    'a > b',
    '} } SELECT * WHERE { ?s ?p ?o',
    'first line\nsecond line } \r\n#',
    '# a comment',
    'Ünïcödé 北约 партнёрство 🚀',
    'DELETE WHERE { ?s ?p ?o }',
    'INSERT DATA { <x:a> <x:b> <x:c> }',
    '\\" \\u0022 \\\\',
    'back\\slash \\n \\t \\\\',
    '""" \'\'\' \'',
    '<https://w3id.org/pgraph/id/instrument/pfp>',
    '?text',
    '\x00\x01\x7f',
]


def _refused(value: str) -> bool:
    """NUL is not allowed in SPARQL text; a backslash-u is read differently by different engines."""
    return "\x00" in value or "\\u" in value


def _shape(node):
    """The algebra with every literal replaced by its datatype: what a value must not change."""
    if isinstance(node, Literal):
        return ("literal", node.datatype)
    if isinstance(node, dict):
        return tuple(sorted(((str(k), _shape(v)) for k, v in node.items()), key=lambda kv: kv[0]))
    if isinstance(node, (list, tuple, set, frozenset)):
        return tuple(_shape(v) for v in node)
    return repr(node) if isinstance(node, Variable) else str(node) if not hasattr(node, "items") else _shape(dict(node))


def _algebra(text: str):
    return translateQuery(parseQuery(text)).algebra


def _bound_literals(node, name: str) -> list[Literal]:
    """Every value the VALUES blocks give to ?name, found in the algebra."""
    found = []
    if isinstance(node, dict) or hasattr(node, "items"):
        for key, value in dict(node).items():
            if key == Variable(name) and isinstance(value, Literal):
                found.append(value)
            else:
                found += _bound_literals(value, name)
    elif isinstance(node, (list, tuple)):
        for value in node:
            found += _bound_literals(value, name)
    return found


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_string_is_bound_as_one_literal_and_leaves_the_query_shape_unchanged(real, value):
    if _refused(value):
        with pytest.raises(pgraph.ParameterError):
            real.catalog.get("search").bound({"text": value})
        return
    saved = real.catalog.get("search")
    benign = _algebra(saved.bound({"text": "peace"}))
    hostile = _algebra(saved.bound({"text": value}))
    assert _shape(hostile) == _shape(benign)
    assert {str(x) for x in _bound_literals(hostile, "text")} == {value}


@pytest.mark.parametrize("value", [v for v in HOSTILE if not _refused(v)])
def test_a_hostile_string_finds_only_names_that_contain_it_and_changes_nothing(real, value):
    before = len(real.backend)
    rows = real.query("search", text=value)
    assert all(value.casefold() in str(r["matched"]).casefold() for r in rows)
    assert len(real.backend) == before


@pytest.mark.parametrize("value", ["2024-01-01 } ; DROP ALL", '2024-01-01"^^<x:y>', "2024-01-01\n#", "today }"])
def test_hostile_dates_are_refused(real, value):
    with pytest.raises(pgraph.ParameterError):
        real.query("overlap", asOf=value)


@pytest.mark.parametrize("param,value", [("minShared", "2 } DROP ALL"), ("minShared", "0x10"),
                                         ("minShared", "1e3"), ("minShared", "٣")])
def test_hostile_numbers_are_refused(real, param, value):
    with pytest.raises(pgraph.ParameterError):
        real.query("overlap", **{param: value})


@pytest.fixture(scope="module")
def served(oxigraph_server, real):
    graph = f"https://w3id.org/pgraph/graph/injection-{uuid.uuid4()}"
    push(real.backend, oxigraph_server + "/store", graph=graph)
    return pgraph.connect(oxigraph_server + "/query", graph=graph), graph


@pytest.mark.parametrize("value", [v for v in HOSTILE if not _refused(v)])
def test_on_a_real_server_a_hostile_string_gives_the_embedded_answer_and_changes_nothing(served, real, value):
    remote, _ = served
    before = count_remote(remote)
    assert remote.query("search", text=value) == real.query("search", text=value)
    assert count_remote(remote) == before


def test_on_a_real_server_the_cli_binds_hostile_text_and_refuses_updates(served, oxigraph_server):
    remote, graph = served
    before = count_remote(remote)
    endpoint = ["--endpoint", oxigraph_server + "/query", "--graph", graph]
    result = run_cli("query", "search", "-p", 'text=" } ; DROP ALL #', "--format", "csv", *endpoint)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["id,kind,name,matched"]
    assert_user_error(run_cli("sparql", "DROP ALL", *endpoint), "updates are refused")
    assert_user_error(run_cli("sparql", f"CLEAR GRAPH <{graph}>", *endpoint), "updates are refused")
    assert count_remote(remote) == before
