"""Queries of one's own: predeclared prefixes, one-line syntax errors, formats that fit the answer,
optional headers, the query's column order, and the documented header example."""
from __future__ import annotations

import csv
import io
import re

import pytest

import pgraph
from conftest import MINI, ROOT, assert_user_error, run_cli


def test_sparql_construct_refuses_a_row_format_as_select_refuses_turtle(tmp_path):
    construct = "CONSTRUCT { ?i a pg:Instrument } WHERE { ?i a pg:RegionalFramework }"
    assert_user_error(run_cli("--data", str(MINI), "sparql", construct, "-f", "csv"),
                      "format csv is for SELECT queries", "turtle")
    assert_user_error(run_cli("--data", str(MINI), "sparql", construct, "-o", str(tmp_path / "x.csv")),
                      "format csv is for SELECT queries")
    assert not (tmp_path / "x.csv").exists()
    assert_user_error(run_cli("--data", str(MINI), "sparql", "SELECT ?i WHERE { ?i a pg:RegionalFramework }", "-f", "turtle"),
                      "format turtle is for CONSTRUCT queries")
    turtle = run_cli("--data", str(MINI), "sparql", construct)  # the default for a CONSTRUCT is Turtle
    assert turtle.returncode == 0, turtle.stderr
    assert "pg:Instrument" in turtle.stdout


def test_saved_construct_query_refuses_a_row_format():
    assert_user_error(run_cli("--data", str(MINI), "query", "overlap-graph", "-f", "csv"),
                      "format csv is for SELECT queries")


@pytest.mark.parametrize("prefix,query", [
    ("pg", "SELECT (COUNT(*) AS ?n) WHERE { ?p a pg:Participation }"),
    ("inst", "SELECT (COUNT(*) AS ?n) WHERE { ?p pg:instrument inst:pfp }"),
    ("country", "SELECT (COUNT(*) AS ?n) WHERE { ?p pg:participant country:FIN }"),
    ("rdfs+skos+dcterms+xsd", "SELECT (COUNT(*) AS ?n) WHERE { ?x rdfs:label ?l OPTIONAL { ?x skos:altLabel ?a } "
                              "OPTIONAL { ?x dcterms:identifier ?i } FILTER(DATATYPE(?l) != xsd:date) }"),
    ("owl+prov+org", "SELECT (COUNT(*) AS ?n) WHERE { ?o a owl:Ontology OPTIONAL { ?o prov:wasDerivedFrom ?d } "
                     "OPTIONAL { ?m a org:Membership } }"),
])
def test_ad_hoc_sparql_needs_no_prefix_for_the_projects_vocabularies(mini, prefix, query):
    result = run_cli("--data", str(MINI), "sparql", query, "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.splitlines()[1]) > 0
    assert mini.sparql(query)[0]["n"] > 0  # the Python API predeclares them too


def test_a_prefix_the_query_declares_itself_wins():
    query = "PREFIX pg: <http://example.org/not-pgraph#>\nSELECT (COUNT(*) AS ?n) WHERE { ?p a pg:Participation }"
    result = run_cli("--data", str(MINI), "sparql", query, "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "0"]


@pytest.mark.parametrize("query,position,token", [
    ("SELECT ?x WHERE {\n  ?x a foo:Bar\n}", "at 2:", "unknown prefix 'foo:' in 'foo:Bar'"),
    ("SELECT ?x WHERE { ?x ?p ?o } LIMT 3", "at 1:", "'LIMT'"),
    ("SELECT ?x WHERE { ?x ?p ?o } ORDER ?x", "at 1:", "'ORDER'"),
    ("SELECT ?x WHERE { ?x ?p ?o ", "at 1:", "end of text"),
])
def test_a_sparql_syntax_error_is_one_line_naming_the_token_at_the_users_line(query, position, token):
    result = run_cli("--data", str(MINI), "sparql", query)
    assert_user_error(result, "invalid SPARQL " + position, token)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "\\u{" not in result.stderr and "['" not in result.stderr  # no character classes


def test_select_star_keeps_the_order_the_query_writes_its_variables():
    query = "SELECT * WHERE { ?zeta pg:instrument ?middle . ?zeta pg:participant ?alpha } LIMIT 2"
    result = run_cli("--data", str(MINI), "sparql", query, "-f", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "zeta,middle,alpha"


def test_a_query_file_without_a_header_runs_named_after_its_file(tmp_path):
    path = tmp_path / "my-question.rq"
    path.write_text("PREFIX pg: <https://w3id.org/pgraph/ontology#>\n"
                    "SELECT * WHERE { ?who ^pg:participant ?p . ?p pg:startDate ?since } ORDER BY ?since LIMIT 3\n",
                    encoding="utf-8")
    result = run_cli("--data", str(MINI), "query", str(path), "-f", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["who", "p", "since"] and len(rows) == 4
    assert pgraph.load(MINI).catalog.get(str(path)).name == "my-question"


def test_the_header_example_in_docs_queries_md_runs_as_documented(tmp_path):
    page = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    example = re.search(r"```sparql\n(.*?)```", page, re.S).group(1)
    command = re.search(r"`pgraph query (joined\.rq[^`]*)`", page).group(1).split()
    (tmp_path / "joined.rq").write_text(example, encoding="utf-8")
    result = run_cli("query", *command, "-f", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["which", "country", "joined"]
    assert {r["which"] for r in rows} == {"md", "ici"}
    assert sum(r["which"] == "md" for r in rows) == 7  # the Mediterranean Dialogue's seven partners
    assert [r["joined"] for r in rows] == sorted(r["joined"] for r in rows)
