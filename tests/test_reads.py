"""`pgraph query NAME` loads from the cache only the predicates its question reads: the same answers
as the whole graph for every saved query, a table that stays current, and a derivation that reads
everything whenever a pattern could match any predicate."""
from __future__ import annotations

import json
import shutil
import sys

import pytest

import pgraph
from conftest import MINI, ROOT, run_cli
from pgraph.catalog import Catalog, read_query, saved_predicates
from pgraph.catalog import reads as reads_module
from pgraph.catalog.reads import text_predicates
from pgraph.errors import InternalError
from pgraph.graph import _INDEX_QUERY, RESOLVER_READS
from test_remote import PARAMS

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PG = "https://w3id.org/pgraph/ontology#"
CATALOG = Catalog()


# --------------------------------------------------------------------------- the derivation

@pytest.mark.parametrize("text, expected", [
    ("SELECT * { ?s a <http://x/C> ; <http://x/p> ?o }", {RDF + "type", "http://x/p"}),
    ("SELECT * { ?s <http://x/p>/^<http://x/q> ?o }", {"http://x/p", "http://x/q"}),
    ("SELECT * { ?s (<http://x/p>|<http://x/q>)+ ?o }", {"http://x/p", "http://x/q"}),
    ("SELECT * { ?s <http://x/p> ?o FILTER NOT EXISTS { ?o <http://x/q> ?z } }", {"http://x/p", "http://x/q"}),
    ("SELECT * { ?s <http://x/p> ?o FILTER EXISTS { ?o <http://x/q>/<http://x/r> ?z } }",
     {"http://x/p", "http://x/q", "http://x/r"}),
    ("SELECT * { ?s <http://x/p> ?o MINUS { ?s <http://x/q> ?o } OPTIONAL { ?o <http://x/r> ?z } }",
     {"http://x/p", "http://x/q", "http://x/r"}),
    ("SELECT * { { SELECT ?s (COUNT(*) AS ?n) { ?s <http://x/p> ?o } GROUP BY ?s } VALUES ?s { <http://x/a> } }",
     {"http://x/p"}),
    ("ASK { ?s <http://x/p> ?o }", {"http://x/p"}),
    ("CONSTRUCT { ?s <http://x/out> ?o } WHERE { ?s <http://x/p> ?o }", {"http://x/p"}),
])
def test_the_predicates_of_a_query_are_those_its_patterns_can_match(text, expected):
    assert text_predicates(text) == frozenset(expected)


@pytest.mark.parametrize("text", [
    "SELECT * { ?s ?p ?o }",
    "SELECT * { ?s <http://x/p> ?o . ?o ?any ?z }",
    "SELECT * { ?s <http://x/p> ?o FILTER EXISTS { ?o ?q ?z } }",
    "SELECT * { ?s !<http://x/p> ?o }",
    "SELECT * { ?s !(<http://x/p>|^<http://x/q>) ?o }",
    "SELECT * { ?s <http://x/p>* ?o }",
    "SELECT * { ?s <http://x/p>? ?o }",
    "SELECT * { ?s <http://x/p>/<http://x/q>* ?o }",
    "SELECT * { GRAPH ?g { ?s <http://x/p> ?o } }",
    "SELECT * FROM <http://x/g> { ?s <http://x/p> ?o }",
    "SELECT * { SERVICE <http://x/sparql> { ?s <http://x/p> ?o } }",
    "DESCRIBE <http://x/a>",
])
def test_a_pattern_that_can_match_any_predicate_reads_everything(text):
    assert text_predicates(text) is None


def test_the_name_resolver_reads_exactly_the_predicates_it_declares():
    assert text_predicates(_INDEX_QUERY) == RESOLVER_READS


def test_the_predicates_table_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    from generate_docs import predicates_table
    assert (ROOT / "queries" / "predicates.json").read_text(encoding="utf-8") == predicates_table(), \
        "queries/predicates.json is stale: run `make docs`"


def test_a_pairwise_question_reads_its_building_blocks_predicates_too():
    table = json.loads((ROOT / "queries" / "predicates.json").read_text(encoding="utf-8"))
    blocks = set(table["active-participations"]["predicates"]) | set(table["instrument-areas"]["predicates"])
    for name in ("overlap", "redundant", "subsumed", "thematic-overlap", "overlap-graph"):
        assert blocks <= set(table[name]["predicates"]), name
        assert {"active-participations", "instrument-areas", name} == set(table[name]["rests-on"])
    assert PG + "thematicArea" not in table["active-participations"]["predicates"]  # the union is not trivial


def test_an_edited_or_foreign_query_reads_everything(tmp_path, monkeypatch):
    copy = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", copy)
    monkeypatch.setattr(reads_module, "QUERIES_DIR", copy)
    assert saved_predicates(read_query(copy / "allies.rq")) is not None
    assert saved_predicates(read_query(ROOT / "queries" / "allies.rq")) is None  # not the catalogue read
    edited = copy / "allies.rq"
    edited.write_text(edited.read_text(encoding="utf-8").replace("ORDER BY", "\nORDER BY"), encoding="utf-8")
    assert saved_predicates(read_query(edited)) is None
    block = copy / "active-participations.rq"  # a building block edited: the questions counted from it too
    block.write_text(block.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert saved_predicates(read_query(copy / "overlap.rq")) is None
    assert saved_predicates(read_query(copy / "members.rq")) is not None
    (copy / "predicates.json").write_text("{not json", encoding="utf-8")
    assert saved_predicates(read_query(copy / "members.rq")) is None


def test_an_ad_hoc_query_file_reads_everything(tmp_path):
    file = tmp_path / "allies.rq"
    shutil.copy(ROOT / "queries" / "allies.rq", file)
    assert saved_predicates(CATALOG.get(str(file))) is None


# --------------------------------------------------------------------------- loading only some predicates

def _quads(kg: pgraph.KnowledgeGraph) -> tuple[set[str], int]:
    """The quads without a blank node (as text) and the number with one."""
    plain, blank = set(), 0
    for q in kg.backend.store:
        if "BlankNode" in (type(q.subject).__name__, type(q.object).__name__, type(q.graph_name).__name__):
            blank += 1
        else:
            plain.add(str(q))
    return plain, blank


def test_a_partial_load_holds_exactly_its_predicates_quads_and_every_blank_node_quad():
    whole = pgraph.load(MINI)
    pgraph.load(MINI, cached=True)  # stores the entry
    wanted = frozenset({RDF + "type", PG + "participant", "http://www.w3.org/2002/07/owl#members"})
    part = pgraph.load(MINI, cached=True, predicates=wanted)
    assert part.backend.cache_state == "hit" and part.backend.predicates == wanted
    plain, blank = _quads(part)
    whole_plain, whole_blank = _quads(whole)
    assert plain == {q for q in whole_plain if any(f" <{p}> " in q for p in wanted)}
    assert blank == whole_blank > 0
    # blank nodes joined across predicates (an OWL list: owl:members then rdf:first/rdf:rest) stay joined
    lists = ("SELECT ?c ?m WHERE { ?x <http://www.w3.org/2002/07/owl#members> ?l . "
             f"?l <{RDF}rest>*/<{RDF}first> ?m . ?x a ?c }} ORDER BY ?c ?m")
    assert part.backend.select(lists) == whole.backend.select(lists) != []


def test_a_miss_gives_the_whole_graph_even_when_some_predicates_are_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("PGRAPH_CACHE", str(tmp_path / "cache"))
    kg = pgraph.load(MINI, cached=True, predicates=frozenset({RDF + "type"}))
    assert kg.backend.cache_state == "stored" and kg.backend.predicates is None
    assert len(kg.backend) == len(pgraph.load(MINI).backend)


def test_a_graph_holding_some_predicates_refuses_questions_that_read_others():
    pgraph.load(MINI, cached=True)
    allies = saved_predicates(CATALOG.get("allies"))
    kg = pgraph.load(MINI, cached=True, predicates=allies | RESOLVER_READS)
    assert kg.query("allies")
    with pytest.raises(InternalError, match="only some predicates"):
        kg.query("sources")
    with pytest.raises(InternalError, match="only some predicates"):
        kg.query_text("memberships", "csv")
    for other in (lambda: kg.sparql("SELECT * { ?s ?p ?o }"), kg.stats, kg.overlap_graph, kg.curated_on,
                  lambda: kg.sources_of([{"x": "pfp"}])):
        with pytest.raises(InternalError, match="only some predicates"):
            other()
    bare = pgraph.load(MINI, cached=True, predicates=allies)
    with pytest.raises(InternalError, match="look up names"):
        bare.resolve("instrument", "pfp")


# --------------------------------------------------------------------------- every saved query, part and whole

def _outcome(kg: pgraph.KnowledgeGraph, name: str, params: dict[str, str]) -> tuple:
    """What a command would print: the rows (or triples), the CSV text when written directly, or the error."""
    try:
        answer = kg.query(name, **params)
        pieces = kg.query_text(name, "csv", **params)
    except pgraph.PgraphError as e:
        return ("error", type(e).__name__, str(e))
    text = None if pieces is None else "".join(pieces)
    if CATALOG.get(name).form == "CONSTRUCT" or "ORDER BY" not in CATALOG.get(name).sparql:  # no order promised
        answer = sorted(map(repr, answer))
        text = text and "\n".join([text.split("\n")[0], *sorted(text.split("\n")[1:])])
    return (answer, text)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """The real data, the mini graph and a synthetic graph from the benchmark generator."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate
    synthetic = tmp_path_factory.mktemp("synthetic")
    generate(6000, synthetic, seed=11)
    return {"real": None, "mini": MINI, "synthetic": synthetic}


@pytest.mark.parametrize("dataset", ["real", "mini", "synthetic"])
@pytest.mark.parametrize("day", [None, "2005-06-30"])
def test_every_saved_query_answers_the_same_from_its_predicates_as_from_the_whole_graph(datasets, dataset, day):
    data = datasets[dataset]
    whole = pgraph.load(data)
    pgraph.load(data, cached=True)
    compared = 0
    for saved in CATALOG:
        predicates = saved_predicates(saved)
        assert predicates is not None, f"{saved.name}: no row in queries/predicates.json"
        part = pgraph.load(data, cached=True, predicates=predicates | RESOLVER_READS)
        assert part.backend.cache_state == "hit" and part.backend.predicates is not None
        assert len(part.backend) < len(whole.backend), saved.name
        params = dict(PARAMS.get(saved.name, {}))
        if day and any(p.name == "asOf" for p in saved.params):
            params["asOf"] = day
        expected = _outcome(whole, saved.name, params)
        assert _outcome(part, saved.name, params) == expected, (saved.name, params)
        compared += expected[0] != "error" and bool(expected[0])
    # every question has an answer on the real data; most on the others (no events in the synthetic graph)
    assert compared >= (len(CATALOG.names()) if dataset == "real" else 15)


def test_the_command_answers_from_part_of_a_warm_cache_exactly_as_without_the_cache(tmp_path):
    env = {"PGRAPH_CACHE": str(tmp_path / "cache")}
    for name in ("memberships", "overlap", "sources"):
        cold = run_cli("query", name, "--format", "csv", env={"PGRAPH_CACHE": "off"})
        run_cli("query", name, "--format", "csv", env=env)
        warm = run_cli("query", name, "--format", "csv", env=env)
        assert cold.returncode == warm.returncode == 0, warm.stderr
        assert warm.stdout == cold.stdout and warm.stderr == "" and cold.stdout.count("\n") > 5
