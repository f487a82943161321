"""The pairwise answers' own writers give what the general ones gave: overlap-graph's N-Triples
written as text equals pyoxigraph's serialisation of the triples (and reads back as them), the
area-mask counting of thematic-overlap equals the saved query either way, and CSV/TSV written
column by column equals the cell-by-cell neutralisation on hostile, mixed columns."""
from __future__ import annotations

import csv
import io
import re
import sys

import pytest

import pgraph
from conftest import FIXTURES, MINI, ROOT, run_cli
from pgraph.graph import KnowledgeGraph
from pgraph.graphs import pairwise
from pgraph.graphs.pairwise import Participation, overlap_graph, overlap_graph_ntriples
from pgraph.output import render_rows, render_triples
from pgraph.output.tables import _spreadsheet_cell

# ids that make odd IRIs (non-ASCII, a quote and a space: no IRI, so no node), a blank-node
# participant, and one id carried by two instruments (two pairs giving one node)
_ODD = """
@prefix pg: <https://w3id.org/pgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix inst: <https://w3id.org/pgraph/id/instrument/> .
@prefix country: <https://w3id.org/pgraph/id/country/> .
@prefix area: <https://w3id.org/pgraph/id/area/> .
inst:u a pg:Initiative ; dcterms:identifier "ünï-côde✓" ; pg:establishedOn "2001-01-01"^^xsd:date ;
    pg:thematicArea area:interoperability .
inst:q a pg:Initiative ; dcterms:identifier "q\\"uote" ; pg:establishedOn "2001-01-01"^^xsd:date ;
    pg:thematicArea area:interoperability .
inst:s a pg:Initiative ; dcterms:identifier "spa ce" ; pg:establishedOn "2001-01-01"^^xsd:date .
inst:d1 a pg:Initiative ; dcterms:identifier "dup" ; pg:establishedOn "2001-01-01"^^xsd:date ;
    pg:thematicArea area:defence-reform .
inst:d2 a pg:Initiative ; dcterms:identifier "dup" ; pg:establishedOn "2001-01-01"^^xsd:date ;
    pg:thematicArea area:interoperability .
"""
_PARTICIPANTS = {"u": ["country:SWE", "_:anon", "country:AUT"], "q": ["country:SWE", "_:anon"],
                 "s": ["country:SWE", "country:AUT"], "d1": ["country:SWE", "_:anon"], "d2": ["country:AUT", "_:anon"]}


def _odd_graph(tmp_path) -> pgraph.KnowledgeGraph:
    """The hostile fixture plus _ODD and its participations."""
    text = (FIXTURES / "hostile" / "graph.ttl").read_text(encoding="utf-8")
    lines = [f'[] a pg:Participation ; pg:instrument inst:{i} ; pg:participant {w} ; '
             f'pg:startDate "2002-01-01"^^xsd:date .' for i, who in _PARTICIPANTS.items() for w in who]
    (tmp_path / "graph.ttl").write_text(text + _ODD + "\n".join(lines) + "\n", encoding="utf-8")
    return pgraph.load(tmp_path)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic graph from the benchmark generator."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate
    out = tmp_path_factory.mktemp("synthetic")
    generate(25000, out, seed=3)
    return pgraph.load(out)


def _ntriples_both_ways(kg: pgraph.KnowledgeGraph, day: str) -> tuple[str, list]:
    """The written text, and the triples as the serializer wrote them before (asserted equal)."""
    import pyoxigraph as ox
    p = Participation.fetch(kg, day)
    triples = overlap_graph(p)
    text = overlap_graph_ntriples(p)
    assert text == ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return text, triples


def _read(text: str) -> set:
    """The triples an N-Triples reader finds in the text."""
    import pyoxigraph as ox
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)}


@pytest.mark.parametrize("day", ["2004-04-01", "2026-01-01"])
def test_overlap_graph_ntriples_is_the_serializers_text(real, synthetic, day):
    seen = 0
    for kg in (real, synthetic, pgraph.load(MINI), pgraph.load(FIXTURES / "hostile")):
        text, triples = _ntriples_both_ways(kg, day)
        assert _read(text) == set(triples)
        seen += len(triples)
    assert seen > 1000


def test_overlap_graph_ntriples_with_odd_ids_reads_back_as_the_triples(tmp_path):
    import rdflib
    kg = _odd_graph(tmp_path)
    text, triples = _ntriples_both_ways(kg, "2026-01-01")
    pieces = list(pairwise.overlap_graph_lines(Participation.fetch(kg, "2026-01-01"), batch=2))
    assert "".join(pieces) == text and len(pieces) > 2 and all(p.endswith(" .\n") for p in pieces)
    assert text.count("\n") == len(triples) and _read(text) == set(triples)
    assert len(rdflib.Graph().parse(data=text, format="nt")) == len(triples)
    assert "ünï-côde✓" in text  # in the node IRI as written, not percent-encoded
    assert 'q"uote' not in text and "spa ce" not in text  # no IRI, no node (as IRI() in the .rq)
    assert "_:anon" not in text and " _:" in text  # the blank participant, under the engine's own label
    dup = [line for line in text.splitlines() if line.startswith("<https://w3id.org/pgraph/id/overlap/dup--")]
    assert len(dup) == len(set(dup)) > 0  # one node from two instrument pairs, no line twice


def test_query_overlap_graph_ntriples_on_the_command_line_equals_the_triples_rendered(tmp_path):
    kg = _odd_graph(tmp_path)
    expected = render_triples(kg.query("overlap-graph", asOf="2026-01-01"), "ntriples")
    blank = re.compile(r"_:[0-9a-f]+ \.$", re.M)  # each process labels the parsed blank node its own way
    for seed in ("1", "2", "3"):  # a node given by two instrument pairs: the same order whatever the seed
        run = run_cli("--data", str(tmp_path), "query", "overlap-graph", "--as-of", "2026-01-01",
                      "--format", "ntriples", env={"PYTHONHASHSEED": seed})
        assert run.returncode == 0, run.stderr
        assert blank.sub("_:b .", run.stdout) == blank.sub("_:b .", expected) and expected.count("\n") > 20
    assert "".join(kg.query_text("overlap-graph", "ntriples", asOf="2026-01-01")) == expected
    out = tmp_path / "out" / "overlap.nt"
    out.parent.mkdir()
    run = run_cli("--data", str(tmp_path), "query", "overlap-graph", "--as-of", "2026-01-01", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert blank.sub("_:b .", out.read_text(encoding="utf-8")) == blank.sub("_:b .", expected)
    assert kg.query_text("overlap-graph", "turtle", asOf="2026-01-01") is None  # written by the serializer
    assert KnowledgeGraph(kg.backend, fast_pairs=False).query_text("overlap-graph", "ntriples") is None


@pytest.mark.parametrize("vector_from", [0, 10 ** 9])
def test_thematic_overlap_by_area_masks_equals_the_saved_query(real, synthetic, tmp_path, monkeypatch, vector_from):
    """Both ways of comparing masks (numpy from _VECTOR_FROM ids, Python below) give the .rq's rows."""
    monkeypatch.setattr(pairwise, "_VECTOR_FROM", vector_from)
    for kg in (real, synthetic, _odd_graph(tmp_path)):
        for day in ("2004-04-01", "2026-01-01"):
            fast = KnowledgeGraph(kg.backend, fast_pairs=True).query("thematic-overlap", asOf=day)
            sparql = KnowledgeGraph(kg.backend, fast_pairs=False).query("thematic-overlap", asOf=day)
            assert fast == sparql and fast


_HOSTILE_ROWS = [
    {"a": "=1+1", "n": 1, "f": 0.1, "l": ["x", "-y"], "m": "plain", "o": None, "b": True},
    {"a": "-2", "n": None, "f": 2.5, "l": [], "m": 7, "o": "\x1b[31mred", "b": False},
    {"a": "a,b \"q\"\nline", "n": 3, "f": None, "l": ["@sum", "z"], "m": ["not", "text", 3], "o": "+x", "b": None},
    {"a": "\uff1dfull", "n": -4, "f": 1e-7, "l": None, "m": 1.5, "o": "ünï\u2028", "b": 1},
    {"a": "=1+1", "n": 0, "f": 3.0, "l": ["x", "-y"], "m": "\tTab"},  # repeats, and two cells missing
]


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_delimited_column_by_column_is_the_cell_by_cell_neutralisation(fmt, delimiter):
    columns = ["a", "n", "f", "l", "m", "o", "b"]
    for rows in (_HOSTILE_ROWS, _HOSTILE_ROWS[:1], [r for r in _HOSTILE_ROWS if type(r["m"]) is not str]):
        read = list(csv.reader(io.StringIO(render_rows(rows, fmt, columns)), delimiter=delimiter))
        assert read[0] == columns
        assert read[1:] == [[_spreadsheet_cell(r.get(c)) for c in columns] for r in rows]
        assert read[1][0] in ("'=1+1", "'-2") and read[1][3] in ("x;-y", "")


@pytest.mark.parametrize("vector_from", [0, 10 ** 9])
def test_overlap_graph_ntriples_with_numpy_is_the_serializers_text(real, synthetic, tmp_path, monkeypatch, vector_from):
    """overlap_graph_lines' numpy way (from _VECTOR_PAIRS_FROM participations, one instrument pair per node)
    writes the text the serializer writes for the triples; odd ids (no IRI, non-ASCII, a shared id) too."""
    monkeypatch.setattr(pairwise, "_VECTOR_PAIRS_FROM", vector_from)
    seen = 0
    for kg in (real, synthetic, pgraph.load(MINI), pgraph.load(FIXTURES / "hostile"), _odd_graph(tmp_path)):
        for day in ("2004-04-01", "2026-01-01"):
            text, triples = _ntriples_both_ways(kg, day)
            pieces = list(pairwise.overlap_graph_lines(Participation.fetch(kg, day), batch=3))
            assert "".join(pieces) == text and all(p.endswith(" .\n") for p in pieces if text)
            seen += len(triples)
    assert seen > 1000


def _without_id_sharing(tmp_path):
    """_odd_graph without the id two instruments carry: every node from one pair, so numpy writes them
    all, the ones with an id no IRI can hold and the non-ASCII ones among them."""
    kg_dir = tmp_path / "single"
    kg_dir.mkdir()
    _odd_graph(kg_dir)
    text = (kg_dir / "graph.ttl").read_text(encoding="utf-8")
    (kg_dir / "graph.ttl").write_text(text.replace('inst:d2 a pg:Initiative ; dcterms:identifier "dup"',
                                                   'inst:d2 a pg:Initiative ; dcterms:identifier "dup2"'),
                                      encoding="utf-8")
    return pgraph.load(kg_dir)


def test_overlap_graph_numpy_way_writes_odd_ids_as_the_serializer(tmp_path, monkeypatch):
    monkeypatch.setattr(pairwise, "_VECTOR_PAIRS_FROM", 0)
    kg = _without_id_sharing(tmp_path)
    p = Participation.fetch(kg, "2026-01-01")
    said = {"first": "", "date": ""}  # only the shape of the call: a node of two pairs makes it give up
    assert pairwise._overlap_graph_vector(Participation.fetch(_odd_graph(tmp_path), "2026-01-01"), said, 10) is None
    text, triples = _ntriples_both_ways(kg, "2026-01-01")
    assert "ünï-côde✓" in text and 'q"uote' not in text and "dup2" in text and _read(text) == set(triples)


@pytest.mark.parametrize("vector_from", [0, 10 ** 9])
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_overlap_written_by_columns_is_the_rows_rendered(real, synthetic, tmp_path, monkeypatch, vector_from, fmt):
    """`query overlap` as CSV/TSV (written from columns, counted with numpy or per pair) is the text the
    general writer gives for the saved query's rows."""
    monkeypatch.setattr(pairwise, "_VECTOR_PAIRS_FROM", vector_from)
    columns = ["a", "b", "shared", "jaccard", "overlap_coefficient", "shared_countries"]
    seen = 0
    for kg in (real, synthetic, pgraph.load(FIXTURES / "hostile"), _odd_graph(tmp_path)):
        for params in ({"asOf": "2004-04-01"}, {"asOf": "2026-01-01"}, {"asOf": "2026-01-01", "minShared": "2"}):
            rows = KnowledgeGraph(kg.backend, fast_pairs=True).query("overlap", **params)
            written = "".join(KnowledgeGraph(kg.backend, fast_pairs=True).query_text("overlap", fmt, **params))
            assert written == render_rows(rows, fmt, columns)
            sparql = KnowledgeGraph(kg.backend, fast_pairs=False).query("overlap", **params)
            if all(r["a"] != "dup" for r in rows):  # the odd graph's two pairs with the id "dup" tie in ORDER BY
                assert rows == sparql
            assert sorted(map(repr, rows)) == sorted(map(repr, sparql))
            seen += len(rows)
    assert seen > 100
    by_sparql = KnowledgeGraph(real.backend, fast_pairs=False)  # the .rq's answer, written column by column
    assert "".join(by_sparql.query_text("overlap", fmt)) == render_rows(by_sparql.query("overlap"), fmt, columns)
    assert real.query_text("overlap", "json") is None and real.query_text("redundant", fmt) is None


def test_participation_from_the_engines_text_equals_from_its_terms(real, synthetic, tmp_path, monkeypatch):
    """fetch() reads the engine's TSV answer; the terms' way (kept for other answers) gives the same
    members and ids, in the same order, on blank nodes, non-ASCII and quoted ids and a literal participant."""
    odd = _odd_graph(tmp_path)
    with open(tmp_path / "graph.ttl", "a", encoding="utf-8") as f:
        f.write('[] a pg:Participation ; pg:instrument inst:u ; pg:participant "a literal" ; '
                'pg:startDate "2002-01-01"^^xsd:date .\n')
    literal = pgraph.load(tmp_path)
    graphs = (real, synthetic, pgraph.load(FIXTURES / "hostile"), odd, literal)
    by_text = [Participation.fetch(kg, day, strict=strict) for kg in graphs
               for day in ("2004-04-01", "2026-01-01") for strict in (False, True)]
    monkeypatch.setattr(pairwise, "_engine_cells", lambda *args, **kwargs: None)
    by_terms = [Participation.fetch(kg, day, strict=strict) for kg in graphs
                for day in ("2004-04-01", "2026-01-01") for strict in (False, True)]
    for a, b in zip(by_text, by_terms):
        assert list(a.members.items()) == list(b.members.items())
        assert list(a.ids.items()) == list(b.ids.items())
    assert "_:a literal" in by_terms[-1].members["https://w3id.org/pgraph/id/instrument/u"]
    assert sum(len(p.members) for p in by_text) > 100
