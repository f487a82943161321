"""The same saved queries on a real Oxigraph server and on the embedded store give the same rows."""
from __future__ import annotations

import math
import uuid

import pytest

import pgraph
from conftest import MINI, assert_user_error, run_cli
from pgraph.push import count_remote, push

# parameters for the queries that need some (the rest run on their defaults: today, all time)
PARAMS = {
    "members": {"instrument": "pfp"},
    "partner-history": {"country": "GEO"},
    "event-participants": {"event": "chicago-2012"},
    "reported-counts": {"instrument": "ip"},
    "search": {"text": "peace"},
}


@pytest.fixture(scope="module")
def pushed(oxigraph_server, real):
    graph = f"https://w3id.org/pgraph/graph/test-{uuid.uuid4()}"
    n = push(real.backend, oxigraph_server + "/store", graph=graph)
    remote = pgraph.connect(oxigraph_server + "/query", graph=graph)
    return remote, n


def _normalise(rows):
    def cell(v):
        return round(v, 6) if isinstance(v, float) and not math.isnan(v) else v
    return sorted((tuple((k, cell(v) if not isinstance(v, list) else tuple(v)) for k, v in r.items()) for r in rows),
                  key=repr)


def test_push_sends_every_triple(pushed, real):
    remote, n = pushed
    assert n == len(real.backend)
    assert count_remote(remote) == n


@pytest.mark.parametrize("name", [q.name for q in pgraph.load(MINI).catalog])
def test_saved_query_gives_the_same_answer_on_the_server(name, pushed, real):
    remote, _ = pushed
    params = PARAMS.get(name, {})
    here, there = real.query(name, **params), remote.query(name, **params)
    if name == "overlap-graph":
        assert {str(t) for t in here} == {str(t) for t in there}
        assert here, "no overlap on today's data"
    else:
        assert _normalise(here) == _normalise(there)


def test_a_filter_on_a_bound_parameter_is_honoured_on_the_server(pushed, real):
    remote, _ = pushed
    early = remote.query("members", instrument="pfp", asOf="1994-03-01")
    late = remote.query("members", instrument="pfp", asOf="2004-12-31")
    assert 0 < len(early) < len(late)
    assert _normalise(early) == _normalise(real.query("members", instrument="pfp", asOf="1994-03-01"))


def test_push_replaces_the_named_graph_as_a_whole(oxigraph_server, mini, real):
    graph = f"https://w3id.org/pgraph/graph/test-{uuid.uuid4()}"
    push(real.backend, oxigraph_server + "/store", graph=graph)
    push(mini.backend, oxigraph_server + "/update", graph=graph, protocol="update")
    remote = pgraph.connect(oxigraph_server + "/query", graph=graph)
    assert count_remote(remote) == len(mini.backend)


def test_query_command_runs_on_an_endpoint(pushed, oxigraph_server):
    remote, _ = pushed
    graph = remote.backend.graph
    result = run_cli("query", "allies", "--as-of", "1950-01-01", "--format", "csv",
                     "--endpoint", oxigraph_server + "/query", "--graph", graph)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "country,label,accession" and len(lines) == 13  # the twelve founders


def test_push_command_reports_what_it_sent(oxigraph_server):
    graph = f"https://w3id.org/pgraph/graph/test-{uuid.uuid4()}"
    result = run_cli("--data", str(MINI), "push", "--endpoint", oxigraph_server + "/store", "--graph", graph)
    assert result.returncode == 0, result.stderr
    assert f"to graph <{graph}>" in result.stdout


def test_unreachable_endpoint_names_url_and_cause():
    from conftest import _free_port
    url = f"http://127.0.0.1:{_free_port()}/query"
    assert_user_error(run_cli("query", "allies", "--endpoint", url, "--timeout", "5"), url, "connection refused")


def test_failing_endpoint_names_url_and_http_status(oxigraph_server):
    url = oxigraph_server + "/no-such-service"
    assert_user_error(run_cli("query", "allies", "--endpoint", url), url, "HTTP 404")


@pytest.fixture()
def fresh_server(tmp_path):
    """An empty `oxigraph serve` of this test's own, so the facts graph is ours to fill."""
    from conftest import own_oxigraph_server
    yield from own_oxigraph_server(tmp_path / "db")


def test_an_endpoint_without_pgraph_data_says_so_then_push_and_query_meet_in_the_same_default_graph(fresh_server):
    query = ("query", "allies", "--as-of", "2000-01-01", "-f", "csv", "--endpoint", fresh_server + "/query")
    assert_user_error(run_cli(*query), fresh_server + "/query",
                      "holds no pgraph data in graph <https://w3id.org/pgraph/graph/facts> (where `pgraph push` "
                      "writes) nor in its default graph", "pgraph push")
    pushed = run_cli("--data", str(MINI), "push", "--endpoint", fresh_server + "/store")  # no --graph either
    assert pushed.returncode == 0, pushed.stderr
    result = run_cli(*query)
    assert result.returncode == 0, result.stderr
    local = run_cli("--data", str(MINI), "query", "allies", "--as-of", "2000-01-01", "-f", "csv")
    assert result.stdout == local.stdout and len(result.stdout.splitlines()) > 1
    # the Python API reads the same graph by default; 'default' asks for the server's default graph
    assert len(pgraph.connect(fresh_server + "/query").query("allies", asOf="2000-01-01")) == \
        len(result.stdout.splitlines()) - 1
    assert_user_error(run_cli(*query, "--graph", "default"), "holds no pgraph data in its default graph")


def test_an_empty_answer_from_an_endpoint_holding_pgraph_data_is_zero_rows(pushed, oxigraph_server):
    remote, _ = pushed
    result = run_cli("query", "allies", "--as-of", "1900-01-01", "-f", "csv", "--endpoint",
                     oxigraph_server + "/query", "--graph", remote.backend.graph)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "country,label,accession"
