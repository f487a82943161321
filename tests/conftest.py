"""Shared fixtures: the hand-made mini graph, the real graph, and a way to run the command."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pgraph

ROOT = Path(__file__).resolve().parents[1]

# Every test, and every command it runs, uses a parsed-graph cache of its own (never the user's).
if "PGRAPH_TEST_KEEP_CACHE" not in os.environ:
    import tempfile
    os.environ["PGRAPH_CACHE"] = tempfile.mkdtemp(prefix="pgraph-test-cache-")
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="pgraph-test-state-")  # the cache's signing secret
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture(scope="session")
def mini() -> pgraph.KnowledgeGraph:
    return pgraph.load(MINI)


@pytest.fixture(scope="session")
def real() -> pgraph.KnowledgeGraph:
    return pgraph.load()


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m pgraph ARGS` in a fresh process, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "pgraph", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=cwd or ROOT)


def assert_user_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 2, one clear line on stderr containing the fragments, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("pgraph: error: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float = 20.0) -> None:
    import time
    import urllib.request
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real `oxigraph serve` on 127.0.0.1: the one .ci/run started ($PGRAPH_TEST_SERVER), else our own."""
    given = os.environ.get("PGRAPH_TEST_SERVER")
    if given:
        yield given.rstrip("/")
        return
    yield from own_oxigraph_server(tmp_path_factory.mktemp("oxigraph"))


def own_oxigraph_server(location: Path):
    """Start `oxigraph serve` on a free loopback port over LOCATION, yield its base URL, stop it after."""
    binary = Path(sys.executable).parent / "oxigraph"
    assert binary.exists(), "the oxigraph server (PyPI package 'oxigraph') is a test dependency"
    port = _free_port()
    proc = subprocess.Popen([str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/query?query=ASK%7B%7D")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A real OpenLink Virtuoso on 127.0.0.1: the one .ci/run started ($PGRAPH_TEST_VIRTUOSO), else our own.

    Its base URL: SPARQL at /sparql, the Graph Store at /sparql-graph-crud. Never skipped: without
    Virtuoso installed the tests that need it fail and say how to install it."""
    given = os.environ.get("PGRAPH_TEST_VIRTUOSO")
    if given:
        yield given.rstrip("/")
        return
    from virtuoso_server import start
    http, sql = _free_port(), _free_port()
    proc = start(tmp_path_factory.mktemp("virtuoso"), http, sql)
    try:
        yield f"http://127.0.0.1:{http}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
