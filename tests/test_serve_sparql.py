"""The SPARQL 1.1 Protocol endpoint of `pgraph serve`: the CLI on it gives the embedded rows,
standard result formats by content negotiation, read-only, SERVICE refused with no connection
made, and a per-query time limit that really stops the query."""
from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

import pgraph
from conftest import MINI, run_cli
from serving import get, running
from test_remote import PARAMS, _normalise

FORM = "application/x-www-form-urlencoded"
SUMMITS = "SELECT ?e ?d WHERE { ?e a <https://w3id.org/pgraph/ontology#Summit> ; " \
          "<https://w3id.org/pgraph/ontology#date> ?d } ORDER BY ?d"


@pytest.fixture(scope="module")
def server():
    with running("--timeout", "3") as (base, proc):
        yield base


def ask(server: str, query: str, accept: str = "application/sparql-results+json", method: str = "POST"):
    if method == "GET":
        return get(f"{server}/sparql?{urlencode({'query': query})}", accept=accept)
    return get(server + "/sparql", data=urlencode({"query": query}).encode(), content_type=FORM, accept=accept)


@pytest.mark.parametrize("name", [q.name for q in pgraph.load(MINI).catalog])
def test_saved_query_on_the_endpoint_gives_the_embedded_rows(name, server, real):
    remote = pgraph.connect(server + "/sparql")
    params = PARAMS.get(name, {})
    here, there = real.query(name, **params), remote.query(name, **params)
    if name == "overlap-graph":
        assert {str(t) for t in here} == {str(t) for t in there} and here
    else:
        assert _normalise(here) == _normalise(there)


def test_query_command_with_endpoint_equals_embedded(server):
    args = ("query", "members", "-p", "instrument=pfp", "--as-of", "2004-12-31", "-f", "csv")
    there = run_cli(*args, "--endpoint", server + "/sparql")
    here = run_cli(*args)
    assert there.returncode == 0, there.stderr
    assert there.stdout == here.stdout and there.stdout.count("\n") > 10


def test_results_by_content_negotiation_json_xml_csv_tsv(server, real):
    expected = [(r["e"], r["d"]) for r in real.sparql(SUMMITS)]
    status, headers, body = ask(server, SUMMITS, "application/sparql-results+json", "GET")
    assert status == 200 and headers["content-type"] == "application/sparql-results+json"
    doc = json.loads(body)
    assert [(b["e"]["value"], b["d"]["value"]) for b in doc["results"]["bindings"]] == expected
    assert doc["results"]["bindings"][0]["d"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    status, headers, body = ask(server, SUMMITS, "application/sparql-results+xml")
    assert headers["content-type"] == "application/sparql-results+xml"
    ns = "{http://www.w3.org/2005/sparql-results#}"
    results = ET.fromstring(body).iter(ns + "result")
    assert [(r.find(f"{ns}binding[@name='e']/{ns}uri").text, r.find(f"{ns}binding[@name='d']/{ns}literal").text)
            for r in results] == expected
    status, headers, body = ask(server, SUMMITS, "text/csv")
    assert headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["e", "d"] and [tuple(r) for r in rows[1:]] == expected
    status, headers, body = ask(server, SUMMITS, "text/tab-separated-values")
    lines = body.decode().splitlines()
    assert lines[0] == "?e\t?d" and lines[1].startswith(f"<{expected[0][0]}>\t\"{expected[0][1]}\"^^")
    status, headers, body = ask(server, SUMMITS, "text/csv;q=0.5, application/sparql-results+xml")
    assert headers["content-type"] == "application/sparql-results+xml"


def test_ask_and_construct_answers(server):
    status, _, body = ask(server, "ASK { ?s a <https://w3id.org/pgraph/ontology#Summit> }")
    assert status == 200 and json.loads(body)["boolean"] is True
    import pyoxigraph as ox
    status, headers, body = ask(server, "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5", "text/turtle")
    assert headers["content-type"].startswith("text/turtle")
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == 5


def test_query_sent_as_application_sparql_query(server):
    status, _, body = get(server + "/sparql", data=b"ASK {}", content_type="application/sparql-query",
                          accept="application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_updates_are_refused(server):
    status, _, body = get(server + "/sparql", data=b"update=DROP%20ALL", content_type=FORM)
    assert status == 403 and b"read-only" in body
    status, _, _ = get(server + "/sparql", data=b"DROP ALL", content_type="application/sparql-update")
    assert status == 403
    status, _, body = ask(server, "DELETE WHERE { ?s ?p ?o }")
    assert status == 400 and b"updates are refused" in body
    assert json.loads(ask(server, "ASK { ?s ?p ?o }")[2])["boolean"] is True


def test_a_syntax_error_is_one_line_400(server):
    status, _, body = ask(server, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400 and body.decode().startswith("pgraph: error: ") and body.count(b"\n") == 1


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE # a comment\n <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/> AS ?u) SERVICE ?u { ?s ?p ?o } }",
    "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
])
def test_service_is_refused_and_no_connection_is_made(server, query):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(1.5)
        port = listener.getsockname()[1]
        status, _, body = ask(server, query.replace("{port}", str(port)))
        assert status == 400 and b"SERVICE is refused" in body
        with pytest.raises(socket.timeout):
            listener.accept()


def test_the_word_service_in_a_string_or_name_is_not_refused(server):
    status, _, body = ask(server, 'SELECT ?service WHERE { BIND("SERVICE <http://x/>" AS ?service) }')
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["service"]["value"].startswith("SERVICE")


def test_a_query_past_the_time_limit_is_stopped(server):
    started = time.monotonic()
    status, _, body = ask(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    took = time.monotonic() - started
    assert status == 503 and b"3 s limit" in body
    assert took < 8
    status, _, body = ask(server, "ASK { ?s ?p ?o }")  # the endpoint goes on answering
    assert status == 200 and json.loads(body)["boolean"] is True


def test_editor_page_predeclares_prefixes_and_offers_saved_queries(server, real):
    status, _, body = get(server + "/sparql", accept="text/html")
    page = body.decode()
    assert status == 200 and "PREFIX pg: &lt;https://w3id.org/pgraph/ontology#&gt;" in page
    offered = [q.name for q in real.catalog if not any(p.required for p in q.params)]
    assert all(f'<template id="example-{name}">' in page for name in offered)


def test_an_exact_accept_header_wins_over_a_format_parameter_which_serves_when_accept_is_vague(server):
    body = urlencode({"query": "ASK {}", "format": "xml"}).encode()  # as SPARQLWrapper sends it
    status, headers, _ = get(server + "/sparql", data=body, content_type=FORM, accept="application/sparql-results+json")
    assert headers["content-type"] == "application/sparql-results+json"
    status, headers, answer = get(server + "/sparql", data=body, content_type=FORM, accept="*/*")
    assert headers["content-type"] == "application/sparql-results+xml" and b"<boolean>true</boolean>" in answer
    status, _, answer = get(server + "/sparql?" + urlencode({"query": "ASK {}", "format": "rtf"}))
    assert status == 400 and b"format 'rtf' is not offered" in answer


@pytest.mark.parametrize("query, refused", [
    ('SELECT * { BIND("a \\" SERVICE <x:y> {}" AS ?s) }', False),          # inside a string with an escaped quote
    ("SELECT * { BIND('''SERVICE\n<x:y>''' AS ?s) }", False),              # inside a long string
    ("SELECT * { <http://x/SERVICE> ?p ?o }", False),                      # inside an IRI
    ("SELECT ?service { ?service ?p ?o } # SERVICE <x:y> {}", False),     # a variable; a comment
    ("PREFIX service: <http://x/> SELECT * { service:a ?p ?o }", False),  # a prefix named service
    ('SELECT * { BIND("x" AS ?s) SERVICE <x:y> { ?a ?b ?c } }', True),     # after a string
    ("SELECT * { <x:a> ?p ?o } SERVICE", True),                            # anywhere outside literals
    ("SELECT * { \\U00000053ERVICE <x:y> {} }", True),                     # a long escape
])
def test_service_is_found_outside_strings_iris_and_comments_only(query, refused):
    from pgraph.errors import QueryError
    from pgraph.serve.sparql import refuse_unsafe
    if refused:
        with pytest.raises(QueryError, match="SERVICE is refused"):
            refuse_unsafe(query)
    else:
        refuse_unsafe(query)
