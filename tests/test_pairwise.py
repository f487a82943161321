"""The pairwise fast path (graphs/pairwise.py) gives the same rows as the portable .rq files:
on the real data, every fixture and synthetic graphs at several dates, embedded and on a real
Oxigraph server; and export overlap asks only for the pairs it draws."""
from __future__ import annotations

import sys
import uuid
from collections import Counter

import pytest

import pgraph
from conftest import FIXTURES, MINI, ROOT
from pgraph.graph import KnowledgeGraph
from pgraph.graphs import PAIRWISE, overlap_graph
from pgraph.graphs.pairwise import Participation, thematic_overlap
from pgraph.push import push

QUESTIONS = [("overlap", {}), ("overlap", {"minShared": 3}), ("redundant", {}), ("redundant", {"minJaccard": "0.3"}),
             ("redundant", {"minJaccard": "0.1"}), ("subsumed", {}), ("thematic-overlap", {}), ("overlap-graph", {})]
DATES = ["1992-01-01", "1995-06-30", "2000-01-01", "2004-04-01", "2014-06-01", "2023-04-04", "2026-01-01"]
FIXTURE_DIRS = [MINI, FIXTURES / "hostile"]
SHAPE_FILES = sorted((FIXTURES / "shapes").glob("*.ttl"))


def both_ways(kg: KnowledgeGraph) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    """The same backend answered by counting and by the saved SPARQL."""
    return KnowledgeGraph(kg.backend, fast_pairs=True), KnowledgeGraph(kg.backend, fast_pairs=False)


def assert_same_answer(fast: KnowledgeGraph, sparql: KnowledgeGraph, name: str, params: dict) -> int:
    """Same rows in the same order (triples as a set, with no duplicate); returns how many."""
    got, expected = fast.query(name, **params), sparql.query(name, **params)
    if name == "overlap-graph":
        assert len(got) == len(set(map(str, got))), "the fast path wrote a triple twice"
        assert set(map(str, got)) == set(map(str, expected)), (name, params)
    else:
        assert Counter(map(repr, got)) == Counter(map(repr, expected)), (name, params)
        assert got == expected, f"{name} {params}: same rows, another order"
    return len(got)


def test_the_fast_path_is_what_an_embedded_graph_uses(real):
    assert real.fast_pairs and set(PAIRWISE) == {"overlap", "redundant", "subsumed", "thematic-overlap",
                                                 "overlap-graph"}
    remote = pgraph.connect("http://127.0.0.1:9/query")
    assert not remote.fast_pairs  # a server answers the portable .rq itself


def test_a_query_file_given_by_path_runs_its_own_sparql(real, tmp_path):
    """A user's file named overlap.rq is not pgraph's overlap: it must not be answered by counting."""
    text = (ROOT / "queries" / "overlap.rq").read_text(encoding="utf-8").replace(
        "FILTER(?shared >= ?minShared)", "FILTER(?shared >= ?minShared + 1000)")
    mine = tmp_path / "overlap.rq"
    mine.write_text(text, encoding="utf-8")
    assert real.query("overlap") and real.query(str(mine)) == []


@pytest.mark.parametrize("day", DATES)
def test_fast_path_equals_the_saved_queries_on_the_real_data(real, day):
    fast, sparql = both_ways(real)
    sizes = {f"{n} {p}": assert_same_answer(fast, sparql, n, {"asOf": day, **p}) for n, p in QUESTIONS}
    if day >= "2000-01-01":
        assert sizes["overlap {}"] > 0 and sizes["thematic-overlap {}"] > 0, sizes


def test_fast_path_equals_the_saved_queries_on_today(real):
    fast, sparql = both_ways(real)
    assert all(assert_same_answer(fast, sparql, n, p) >= 0 for n, p in QUESTIONS)
    assert fast.query("redundant") and fast.query("subsumed")  # the real data has both smells today


@pytest.mark.parametrize("directory", FIXTURE_DIRS, ids=lambda p: p.name)
@pytest.mark.parametrize("day", ["1999-01-01", "2026-01-01"])
def test_fast_path_equals_the_saved_queries_on_the_fixtures(directory, day):
    fast, sparql = both_ways(pgraph.load(directory))
    for name, params in QUESTIONS:
        assert_same_answer(fast, sparql, name, {"asOf": day, **params})


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.stem)
def test_fast_path_equals_the_saved_queries_on_each_shapes_fixture(path):
    fast, sparql = both_ways(pgraph.load(files=[path], only=True))
    for name, params in QUESTIONS:
        for day in ("2000-01-01", "2026-01-01"):
            assert_same_answer(fast, sparql, name, {"asOf": day, **params})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Two synthetic graphs from the benchmark generator (different sizes and seeds)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate
    graphs = []
    for size, seed in ((4000, 7), (25000, 3)):
        out = tmp_path_factory.mktemp(f"synthetic-{size}")
        generate(size, out, seed=seed)
        graphs.append(pgraph.load(out))
    return graphs


@pytest.mark.parametrize("day", ["1996-01-01", "2005-06-30", "2015-01-01", "2026-01-01"])
def test_fast_path_equals_the_saved_queries_on_synthetic_graphs(synthetic, day):
    total = 0
    for kg in synthetic:
        fast, sparql = both_ways(kg)
        total += sum(assert_same_answer(fast, sparql, n, {"asOf": day, **p}) for n, p in QUESTIONS)
    assert total > 0


@pytest.fixture(scope="module")
def on_server(oxigraph_server, real, synthetic):
    """The real data and the larger synthetic graph pushed to a real Oxigraph server."""
    out = []
    for kg in (real, synthetic[1]):
        graph = f"https://w3id.org/pgraph/graph/pairwise-{uuid.uuid4()}"
        push(kg.backend, oxigraph_server + "/store", graph=graph)
        out.append((kg, pgraph.connect(oxigraph_server + "/query", graph=graph, timeout=120)))
    return out


@pytest.mark.parametrize("day", ["2004-04-01", "2026-01-01"])
def test_fast_path_on_server_rows_equals_the_saved_queries_on_the_server(on_server, day):
    for embedded, remote in on_server:
        fast, sparql = both_ways(remote)
        for name, params in QUESTIONS:
            n = assert_same_answer(fast, sparql, name, {"asOf": day, **params})
            local = embedded.query(name, asOf=day, **params)  # and the embedded fast path agrees too
            assert n == len(local)


def _edges(g):
    return {tuple(sorted((a, b))): tuple(sorted(d.items())) for a, b, d in g.edges(data=True)}


@pytest.mark.parametrize("day", ["2004-04-01", "2026-01-01"])
def test_export_overlap_is_the_same_graph_either_way(real, synthetic, day):
    for kg in (real, synthetic[1]):
        fast, sparql = both_ways(kg)
        a, b = overlap_graph(fast, asOf=day), overlap_graph(sparql, asOf=day)
        assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
        assert _edges(a) == _edges(b) and a.number_of_edges() > 0


def test_export_overlap_asks_only_for_the_pairs_it_draws(synthetic):
    """The shared areas of the drawn pairs only, not every pair of instruments covering an area."""
    kg = synthetic[1]
    p = Participation.fetch(kg, "2026-01-01")
    everything = thematic_overlap(p)
    drawn = [(r["a"], r["b"]) for r in everything[::7]]
    asked = thematic_overlap(p, pairs=[(b, a) for a, b in drawn])  # either order
    assert len(asked) == len(drawn) < len(everything)
    assert asked == [r for r in everything if (r["a"], r["b"]) in set(drawn)]


@pytest.mark.parametrize("day", ["2005-06-30", "2026-01-01"])
def test_sparse_counting_gives_the_saved_queries_answer_too(synthetic, real, monkeypatch, day):
    """Large graphs count pairs with scipy's M·Mᵀ: force that path on small graphs and compare."""
    from pgraph.graphs import pairwise
    monkeypatch.setattr(pairwise, "_SPARSE_FROM", 0)
    for kg in (real, *synthetic):
        fast, sparql = both_ways(kg)
        for name, params in QUESTIONS:
            if name in ("redundant", "subsumed"):
                assert_same_answer(fast, sparql, name, {"asOf": day, **params})
    p = Participation.fetch(synthetic[1], day)
    pairwise._SPARSE_FROM = 10 ** 12
    python_counts = sorted(p._shared_counts()[1])  # counted afresh each time (shared_counts keeps its first)
    pairwise._SPARSE_FROM = 0
    assert sorted(p._shared_counts()[1]) == python_counts and python_counts
    assert p.shared_counts() is p.shared_counts()


def _smell_findings(kg, settings):
    """The pairwise smells both ways on one store: the shapes' SPARQL, and counted (validate/pairs.py)."""
    import pyoxigraph as ox
    from pgraph.store import EmbeddedStore
    from pgraph.validate import compile_shapes
    from pgraph.validate.engine import run
    from pgraph.validate.pairs import SHAPES, pair_findings
    from pgraph.validate.run import shape_files
    store = EmbeddedStore(kg.backend.files).store
    for t in ox.parse(settings.ntriples().encode(), format=ox.RdfFormat.N_TRIPLES):
        store.add(ox.Quad(t.subject, t.predicate, t.object))
    compiled = compile_shapes(shape_files())
    by_sparql = {f for f in run(store, compiled) if f.shape in SHAPES}
    return by_sparql, set(pair_findings(store, compiled))


@pytest.mark.parametrize("day,threshold", [("2026-01-01", "0.8"), ("2004-04-01", "0.3"), ("2014-06-01", "0.15")])
def test_pairwise_smells_equal_the_shapes_sparql(real, synthetic, day, threshold):
    import datetime as dt
    from decimal import Decimal
    from pgraph.validate import Settings
    settings = Settings(as_of=dt.date.fromisoformat(day), min_jaccard=Decimal(threshold))
    seen = 0
    for kg in (real, *synthetic, pgraph.load(MINI)):
        by_sparql, counted = _smell_findings(kg, settings)
        assert counted == by_sparql, (day, threshold, counted ^ by_sparql)
        seen += len(counted)
    assert seen > 0


def test_validate_uses_the_counted_smells_and_finds_the_real_ones(real):
    from pgraph.validate import validate_store
    shapes = {f.shape.rsplit("#", 1)[1] for f in validate_store(real.backend).findings}
    assert {"RedundantPairShape", "SubsumedShape"} <= shapes


def test_the_counted_answers_are_the_same_text_from_every_process():
    """Sets of plain text iterate in an order that changes with the process's hash seed; the answers must not."""
    from conftest import run_cli
    for args in (("query", "overlap-graph", "--as-of", "2020-01-01", "-f", "turtle"),
                 ("query", "overlap", "--as-of", "2020-01-01", "-f", "csv"),
                 ("query", "thematic-overlap", "--as-of", "2020-01-01", "-f", "csv")):
        texts = {run_cli(*args, env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
        assert len(texts) == 1 and next(iter(texts)), args
