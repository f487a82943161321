"""The parsed-graph cache gives the same answers, and any change to any input file invalidates it."""
from __future__ import annotations

import os
import shutil

import pytest

import pgraph
from conftest import MINI, run_cli
from pgraph.store import cache


@pytest.fixture()
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("PGRAPH_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


def test_cached_store_answers_like_the_in_memory_one(data):
    cached = pgraph.load(data, cached=True)
    fresh = pgraph.load(data)
    assert cached.backend.read_only and not fresh.backend.read_only
    for name, params in (("members", {"instrument": "pfp"}), ("overlap", {}), ("partners", {})):
        assert cached.query(name, **params) == fresh.query(name, **params)


def test_a_second_load_reuses_the_store(data, tmp_path):
    pgraph.load(data, cached=True)
    stores = [p for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]
    pgraph.load(data, cached=True)
    assert [p for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")] == stores
    assert len(stores) == 1 and (stores[0] / ".complete").exists()


def test_editing_a_file_invalidates_the_cache(data):
    before = pgraph.load(data, cached=True).query("members", instrument="md")
    graph = data / "graph.ttl"
    stat = graph.stat()
    text = graph.read_text(encoding="utf-8").replace('pg:instrument inst:md ;\n    pg:startDate "1995-02-01"',
                                                     'pg:instrument inst:md ;\n    pg:startDate "1996-02-01"')
    graph.write_text(text, encoding="utf-8")
    os.utime(graph, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size class, same mtime: content decides
    after = pgraph.load(data, cached=True).query("members", instrument="md")
    assert before[0]["since"] == "1995-02-01" and after[0]["since"] == "1996-02-01"


def test_adding_a_file_invalidates_the_cache(data):
    assert len(pgraph.load(data, cached=True).query("allies")) == 2
    (data / "more.ttl").write_text(
        "@prefix pg: <https://w3id.org/pgraph/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/pgraph/id/accession/SWE> a pg:Accession ;\n"
        "  pg:participant <https://w3id.org/pgraph/id/country/SWE> ; pg:date \"2024-03-07\"^^xsd:date .\n",
        encoding="utf-8")
    assert len(pgraph.load(data, cached=True).query("allies")) == 3


def test_an_interrupted_build_is_never_used(data, tmp_path, monkeypatch):
    def broken(store):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        cache.open_or_build(tuple(sorted(data.glob("*.ttl"))), broken)
    leftovers = list((tmp_path / "cache").iterdir())
    assert all(not (p / ".complete").exists() for p in leftovers) and not [p for p in leftovers if p.is_dir()]
    assert pgraph.load(data, cached=True).query("members", instrument="md")


def test_cache_can_be_switched_off(data, tmp_path, monkeypatch):
    monkeypatch.setenv("PGRAPH_CACHE", "off")
    kg = pgraph.load(data, cached=True)
    assert not kg.backend.read_only and not (tmp_path / "cache").exists()


def test_a_malformed_file_is_reported_through_the_cache_path(data):
    (data / "bad.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b ;; .\n", encoding="utf-8")
    result = run_cli("--data", str(data), "query", "allies")
    assert result.returncode == 2 and f"{data / 'bad.ttl'}:2:" in result.stderr
