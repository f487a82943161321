"""Failing servers: a real `oxigraph serve` and a local server that misbehaves on purpose.

Each fault gives exit 2, one line naming the URL and the cause, within a bounded time; a failed
push leaves the server's previous graph as it was.
"""
from __future__ import annotations

import base64
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

import pgraph
from conftest import MINI, ROOT, _free_port, assert_user_error, run_cli, wait_for_http
from pgraph.push import count_remote, push


def _start_fault_server() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("fault_server.py")), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def faulty():
    proc, base = _start_fault_server()
    yield base
    proc.kill()
    proc.wait()


def _timed(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = run_cli(*args, timeout=60)
    return result, time.monotonic() - started


def test_connection_refused_names_url_and_cause_quickly():
    url = f"http://127.0.0.1:{_free_port()}/query"
    result, took = _timed("query", "allies", "--endpoint", url, "--timeout", "5")
    assert_user_error(result, url, "connection refused")
    assert took < 10


def test_a_server_that_went_down_is_reported_as_refused(tmp_path):
    binary = Path(sys.executable).parent / "oxigraph"
    port = _free_port()
    server = subprocess.Popen([str(binary), "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_for_http(url + "?query=ASK%7B%7D")
        up = run_cli("query", "allies", "--endpoint", url)  # up: it answers (that it holds no pgraph data)
        assert "holds no pgraph data" in up.stderr, up.stderr
    finally:
        server.kill()
        server.wait()
    result, took = _timed("query", "allies", "--endpoint", url, "--timeout", "5")
    assert_user_error(result, url, "connection refused")
    assert took < 10


@pytest.mark.parametrize("code", [400, 500, 503])
def test_an_http_error_names_url_status_and_the_servers_words(faulty, code):
    url = f"{faulty}/status/{code}"
    assert_user_error(run_cli("query", "allies", "--endpoint", url), url, f"HTTP {code}")


def test_a_real_server_refusing_the_request_names_url_and_status(oxigraph_server):
    url = oxigraph_server + "/query"  # a query endpoint does not take a Graph Store PUT
    result, took = _timed("--data", str(MINI), "push", "--endpoint", url)
    assert_user_error(result, url, "HTTP 4")
    assert took < 10


def test_a_slow_server_is_given_up_after_the_timeout(faulty):
    url = f"{faulty}/slow/30"
    result, took = _timed("query", "allies", "--endpoint", url, "--timeout", "1")
    assert_user_error(result, url, "timed out")
    assert took < 8


def test_a_server_trickling_bytes_is_given_up_after_the_timeout(faulty):
    url = f"{faulty}/trickle"
    result, took = _timed("query", "allies", "--endpoint", url, "--timeout", "2")
    assert_user_error(result, url, "timed out")
    assert took < 10


@pytest.mark.parametrize("path,words", [("html", "not SPARQL JSON results"), ("json", "not SPARQL JSON results")])
def test_an_answer_that_is_not_sparql_is_named(faulty, path, words):
    url = f"{faulty}/{path}"
    assert_user_error(run_cli("query", "allies", "--endpoint", url), url, words)


def test_a_construct_answer_that_is_not_ntriples_is_named(faulty):
    url = f"{faulty}/html"
    assert_user_error(run_cli("query", "overlap-graph", "--endpoint", url, "--format", "turtle"), url,
                      "not N-Triples")


def test_a_server_killed_mid_answer_is_named():
    proc, base = _start_fault_server()
    url = f"{base}/die"
    try:
        result, took = _timed("query", "allies", "--endpoint", url, "--timeout", "5")
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode is not None
    assert_user_error(result, url, "connection broken during the answer: got 30 of 5000 bytes")
    assert took < 10


def _cutting_proxy(target_port: int, forward_bytes: int) -> tuple[int, threading.Thread]:
    """A TCP proxy that passes the first bytes of one request to the server, then cuts both sides."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def run() -> None:
        client, _ = listener.accept()
        upstream = socket.create_connection(("127.0.0.1", target_port))
        sent = 0
        client.settimeout(10)
        while sent < forward_bytes:
            chunk = client.recv(min(65536, forward_bytes - sent))
            if not chunk:
                break
            upstream.sendall(chunk)
            sent += len(chunk)
        for s in (upstream, client, listener):
            s.shutdown(socket.SHUT_RDWR) if s is not listener else None
            s.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


@pytest.mark.parametrize("protocol,path", [("gsp", "/store"), ("update", "/update")])
def test_a_push_cut_mid_upload_leaves_the_previous_graph_intact(oxigraph_server, real, protocol, path):
    graph = f"https://w3id.org/pgraph/graph/fault-{uuid.uuid4()}"
    before = push(pgraph.load(MINI).backend, oxigraph_server + "/store", graph=graph)
    remote = pgraph.connect(oxigraph_server + "/query", graph=graph)
    assert count_remote(remote) == before
    port = int(oxigraph_server.rsplit(":", 1)[1])
    proxy_port, thread = _cutting_proxy(port, forward_bytes=200_000)  # the real graph is several MB
    url = f"http://127.0.0.1:{proxy_port}{path}"
    with pytest.raises(pgraph.EndpointError) as failure:
        push(real.backend, url, graph=graph, protocol=protocol, timeout=20)
    thread.join(10)
    assert url in str(failure.value)
    assert count_remote(remote) == before  # the server kept the previous graph whole


def test_a_push_to_a_failing_server_exits_2_and_the_previous_graph_stays(oxigraph_server, faulty):
    graph = f"https://w3id.org/pgraph/graph/fault-{uuid.uuid4()}"
    before = push(pgraph.load(MINI).backend, oxigraph_server + "/store", graph=graph)
    url = f"{faulty}/status/500"
    assert_user_error(run_cli("push", "--endpoint", url, "--graph", graph), url, "HTTP 500")
    assert count_remote(pgraph.connect(oxigraph_server + "/query", graph=graph)) == before


# --- malformed answers, redirects, credentials, size caps, SERVICE (issue 17) ---------------------

@pytest.mark.parametrize("kind,words", [
    ("no-value", "has no string 'value'"), ("not-object", "is not an object"),
    ("row-not-object", "a row is not an object"), ("bad-type", "has type 'script'"),
    ("value-not-string", "has no string 'value'"), ("vars-not-names", "head.vars"),
    ("deep", "nests JSON too deeply"), ("missing-column", "has no column")])
def test_malformed_sparql_json_is_one_line_naming_the_server(faulty, kind, words):
    url = f"{faulty}/malformed/{kind}"
    assert_user_error(run_cli("query", "allies", "--endpoint", url), url, words)


def test_a_boolean_answer_given_as_the_string_false_is_refused_not_read_as_true(faulty):
    url = f"{faulty}/malformed/boolean-string"
    assert_user_error(run_cli("sparql", "ASK { ?s ?p ?o }", "--endpoint", url), url,
                      "not a SPARQL boolean result")


@pytest.mark.parametrize("code", [301, 302, 303, 307])
def test_a_redirect_to_another_host_is_not_followed(faulty, code):
    target = faulty.replace("127.0.0.1", "localhost") + "/record"
    url = f"{faulty}/redirect/{code}/{target}"
    result = run_cli("query", "allies", "--endpoint", url)
    assert_user_error(result, url, f"HTTP {code}", "redirects to " + target, "not followed")
    assert urllib.request.urlopen(faulty + "/hits").read() == b"0"  # the other host never got the query


def test_credentials_in_the_url_are_sent_as_basic_auth_and_never_shown(faulty):
    shown = faulty.replace("http://", "http://alice:***@")
    answer = run_cli("sparql", "SELECT ?auth WHERE { }", "--endpoint",
                     faulty.replace("http://", "http://alice:s3cr%2Ft@") + "/auth", "-f", "csv")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines()[1] == "Basic " + base64.b64encode(b"alice:s3cr/t").decode()
    for path in ("/status/500", "/malformed/deep", "/redirect/302/http://elsewhere.example/"):
        result = run_cli("query", "allies", "--endpoint", faulty.replace("http://", "http://alice:s3cr%2Ft@") + path)
        assert_user_error(result, shown + path.split("/http")[0])
        assert "s3cr" not in result.stderr and "s3cr" not in result.stdout


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "/etc/passwd"])
def test_only_http_and_https_endpoints_are_accepted(url):
    result = run_cli("query", "allies", "--endpoint", url)
    assert_user_error(result, "must be an http:// or https:// URL")
    assert "root:" not in result.stderr


@pytest.mark.parametrize("how", ["declared", "endless"])
def test_an_answer_over_max_bytes_is_refused_with_bounded_memory(faulty, how):
    url = f"{faulty}/huge/{how}"
    script = ("import resource, sys\nfrom pgraph.cli import main\ncode = main(sys.argv[1:])\n"
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(code)")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script, "query", "allies", "--endpoint", url,
                             "--max-bytes", "5000000"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    message, peak_kib = result.stderr.strip().splitlines()
    assert message.startswith("pgraph: error: ") and url in message and "--max-bytes" in message
    assert int(peak_kib) < 400_000  # the 2 GiB (or endless) answer was never held
    assert time.monotonic() - started < 30


def test_the_embedded_engine_never_contacts_a_service_target_unless_allowed(faulty, tmp_path):
    target = f"{faulty}/record"
    query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
    saved = tmp_path / "federated.rq"
    saved.write_text(f"#+ name: federated\n#+ summary: calls another server\n{query}\n", encoding="utf-8")
    escaped = query.replace("SERVICE", "\\u0053ERVICE")  # SPARQL escapes are expanded before parsing
    for args in (["sparql", query], ["sparql", escaped], ["query", str(saved)],
                 ["sparql", query, "--endpoint", f"{faulty}/ok"]):
        assert_user_error(run_cli("--data", str(MINI), *args), "SERVICE", "--allow-service")
    assert urllib.request.urlopen(faulty + "/hits").read() == b"0"
    allowed = run_cli("--data", str(MINI), "sparql", query, "--allow-service")
    assert allowed.returncode == 0, allowed.stderr
    assert int(urllib.request.urlopen(faulty + "/hits").read()) >= 1  # the recorder does see a real call


def test_checking_a_saved_query_with_service_parses_it_without_running_it(faulty, tmp_path):
    from pgraph.catalog import read_query
    target = f"{faulty}/record"
    saved = tmp_path / "federated.rq"
    saved.write_text(f"#+ name: federated\n#+ summary: calls another server\n"
                     f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}\n", encoding="utf-8")
    before = urllib.request.urlopen(faulty + "/hits").read()
    assert read_query(saved).form == "SELECT"
    assert urllib.request.urlopen(faulty + "/hits").read() == before
