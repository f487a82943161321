"""Exports are read back by independent readers, carry the real numbers, and are written atomically."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

import pgraph
from conftest import ROOT, assert_user_error, run_cli
from pgraph.graphs import export as export_module
from pgraph.graphs.export import write

GEXF = "{http://gexf.net/1.3}"


@pytest.fixture(scope="module")
def overlap_2020(real):
    return real.overlap_graph(asOf="2020-01-01")


def test_overlap_graph_carries_real_shared_countries(overlap_2020):
    edge = overlap_2020.edges["eop", "pfp"]
    assert edge["shared_countries"] == "FIN;GEO;SWE" and edge["shared"] == 3
    assert edge["overlap_coefficient"] == pytest.approx(0.6)
    assert overlap_2020.graph["as_of"] == "2020-01-01" and overlap_2020.graph["query"] == "overlap"
    assert overlap_2020.graph["pgraph_version"] == pgraph.__version__


def test_an_instrument_sharing_no_partner_has_no_edge(real):
    g = real.overlap_graph(asOf="2010-01-01")  # before the Gulf partners' IPCPs (2014, 2016) and the ICI Centre (2017)
    assert g.nodes["ici"]["participants"] == 4 and g.degree("ici") == 0


def test_nodes_carry_kind_dates_status_and_participants(overlap_2020):
    pfp = overlap_2020.nodes["pfp"]
    assert pfp["kind"] == "framework" and pfp["established"] == "1994-01-10" and pfp["ended"] == ""
    assert pfp["status"] == "active" and pfp["participants"] >= 18
    assert "nacc" not in overlap_2020  # ended in 1997


def test_kinds_and_min_weight_filter(real):
    frameworks = real.overlap_graph(asOf="2020-01-01", kinds="framework")
    assert {d["kind"] for _, d in frameworks.nodes(data=True)} == {"framework"}
    strong = real.overlap_graph(asOf="2020-01-01", metric="shared", min_weight=5)
    assert strong.number_of_edges() > 0 and all(d["shared"] >= 5 for *_, d in strong.edges(data=True))


def test_membership_graph_is_bipartite_with_roles(real):
    from pgraph.graphs.overlap import membership_graph
    g = membership_graph(real, asOf="2020-01-01")
    assert nx.is_bipartite(g)
    assert g.nodes["FIN"]["status"] == "partner" and g.has_edge("pfp", "FIN")
    assert g.edges["pfp", "RUS"]["status"] == "suspended"


def test_graphml_is_read_back_by_igraph(overlap_2020, tmp_path):
    import igraph
    path = tmp_path / "o.graphml"
    write(overlap_2020, path, "graphml")
    ig = igraph.Graph.Read_GraphML(str(path))
    assert ig.vcount() == overlap_2020.number_of_nodes() and ig.ecount() == overlap_2020.number_of_edges()
    names = ig.vs["id"]
    e = ig.es[ig.get_eid(names.index("eop"), names.index("pfp"))]
    assert float(e["shared"]) == 3.0 and e["shared_countries"] == "FIN;GEO;SWE"  # igraph reads ints as floats


def test_gexf_follows_1_3_and_is_read_back_by_networkx(overlap_2020, tmp_path):
    path = tmp_path / "o.gexf"
    write(overlap_2020, path, "gexf")
    root = ET.parse(path).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    graph = root.find(f"{GEXF}graph")
    assert "name" not in graph.attrib  # not allowed on <graph> by the 1.3 grammar
    assert "as_of=2020-01-01" in root.find(f"{GEXF}meta/{GEXF}description").text
    back = nx.read_gexf(path, version="1.3")
    assert back.number_of_edges() == overlap_2020.number_of_edges()
    assert back.edges["eop", "pfp"]["shared_countries"] == "FIN;GEO;SWE"


def test_dynamic_gexf_carries_the_years_each_node_and_edge_exists(real, tmp_path):
    result = run_cli("export", "overlap", "--from", "1991", "--to", "2024", "-o", str(tmp_path / "t.gexf"))
    assert result.returncode == 0, result.stderr
    root = ET.parse(tmp_path / "t.gexf").getroot()
    graph = root.find(f"{GEXF}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") in ("integer", "double", "date", "dateTime")
    back = nx.read_gexf(tmp_path / "t.gexf", version="1.3")
    # spells are closed [first, last] year intervals, as GEXF reads them
    assert back.nodes["nacc"]["spells"] == [(1991, 1996)]  # the NACC is gone from the 1997 year-end
    assert back.nodes["pfp"]["spells"] == [(1994, 2024)]
    assert (1994, 2024) != back.edges["eapc", "pfp"]["spells"][0] and back.edges["eapc", "pfp"]["spells"][0][0] == 1997


def test_dot_is_rendered_by_graphviz(overlap_2020, tmp_path):
    dot = shutil.which("dot")
    assert dot, "Graphviz (Debian package graphviz) is needed: .ci/run installs it"
    path = tmp_path / "o.dot"
    write(overlap_2020, path, "dot")
    svg = subprocess.run([dot, "-Tsvg", str(path)], capture_output=True, text=True, timeout=60)
    assert svg.returncode == 0, svg.stderr
    assert "nato-ukraine-council" in svg.stdout or "pfp" in svg.stdout


def test_node_link_json_is_read_back_by_networkx(overlap_2020, tmp_path):
    path = tmp_path / "o.json"
    write(overlap_2020, path, "json")
    back = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    assert back.edges["eop", "pfp"]["shared"] == 3 and back.graph["as_of"] == "2020-01-01"


def test_csv_has_one_row_per_edge(overlap_2020, tmp_path):
    path = tmp_path / "o.csv"
    write(overlap_2020, path, "csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == overlap_2020.number_of_edges()
    row = [r for r in rows if (r["source"], r["target"]) == ("eop", "pfp")][0]
    assert row["shared_countries"] == "FIN;GEO;SWE" and float(row["jaccard"]) == pytest.approx(
        overlap_2020.edges["eop", "pfp"]["jaccard"])


def test_turtle_holds_one_pg_overlap_per_edge(real, tmp_path):
    import rdflib
    g = real.overlap_graph(asOf="2020-01-01", kinds="framework,forum")
    path = tmp_path / "o.ttl"
    write(g, path, "turtle", kg=real)
    rdf = rdflib.Graph().parse(path, format="turtle")
    overlaps = set(rdf.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/pgraph/ontology#Overlap")))
    assert len(overlaps) == g.number_of_edges() > 0


def test_a_failed_export_leaves_the_previous_file_intact(overlap_2020, tmp_path, monkeypatch):
    target = tmp_path / "o.graphml"
    target.write_text("previous content")

    def broken(g, path, **_):
        path.write_text("half a file")
        raise RuntimeError("disk on fire")
    monkeypatch.setitem(export_module._WRITERS, "graphml", broken)
    with pytest.raises(RuntimeError):
        write(overlap_2020, target, "graphml")
    assert target.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["o.graphml"]  # no temporary file left behind


def test_format_is_inferred_from_the_extension(tmp_path):
    result = run_cli("export", "overlap", "--as-of", "2020-01-01", "-o", str(tmp_path / "x.json"))
    assert result.returncode == 0 and json.loads((tmp_path / "x.json").read_text())["graph"]["as_of"] == "2020-01-01"


def test_export_errors_are_clear(tmp_path):
    assert_user_error(run_cli("export", "overlap", "-o", str(tmp_path)), "is a directory")
    assert_user_error(run_cli("export", "overlap", "-o", str(tmp_path / "x.xyz")), "cannot tell the format")
    assert_user_error(run_cli("export", "overlap", "--kinds", "frameworks"), "unknown kind(s) frameworks")
    assert_user_error(run_cli("export", "overlap", "-f", "png"), "give -o FILE")
    assert_user_error(run_cli("export", "overlap", "--from", "2000", "-o", str(tmp_path / "t.gexf")),
                      "--from and --to go together")


def test_readme_shows_todays_overlap_picture_made_by_the_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "![" in readme and "docs/overlap.png" in readme and "pgraph export overlap -o docs/overlap.png" in readme
    assert (ROOT / "docs" / "overlap.png").stat().st_size > 50_000


def test_graphml_read_back_by_networkx_gives_every_value_with_its_type(overlap_2020, tmp_path):
    path = tmp_path / "o.graphml"
    write(overlap_2020, path, "graphml")
    back = nx.read_graphml(path)
    assert back.graph["as_of"] == overlap_2020.graph["as_of"] and back.graph["min_weight"] == 0.0
    assert set(back.nodes) == set(overlap_2020.nodes)
    for n, data in overlap_2020.nodes(data=True):
        assert back.nodes[n]["participants"] == data["participants"]
        assert isinstance(back.nodes[n]["participants"], int) and back.nodes[n]["label"] == data["label"]
    for a, b, data in overlap_2020.edges(data=True):
        got = back.edges[a, b]
        assert (got["shared"], got["jaccard"], got["weight"]) == (data["shared"], data["jaccard"], data["weight"])
        assert isinstance(got["shared"], int) and isinstance(got["jaccard"], float)
        assert got["shared_countries"] == data["shared_countries"]


def test_graphml_writes_each_value_as_its_own_type_gives_it(tmp_path):
    """A text key holding True, 1 and 1.0 writes them as 'True', '1' and '1.0' (they are equal in
    Python, and a memo of texts once wrote the first for all three); 0.0 and -0.0 keep their signs."""
    g = nx.Graph(query="overlap", metric="jaccard", title="types")
    for n, tag, level in (("a", True, 0.0), ("b", 1, -0.0), ("c", 1.0, 0.5), ("d", "x & <y>", 2),
                          ("e", None, 0.5), ("f", ["p", "q"], 0.0)):
        g.add_node(n, kind="tool", participants=1, tag=tag, level=level)
    g.add_edge("a", "b", weight=0.5, flag=True)
    g.add_edge("c", "d", weight=-0.0, flag=False)
    path = tmp_path / "t.graphml"
    write(g, path, "graphml")
    text = path.read_text(encoding="utf-8")
    assert '<key id="tag" for="node" attr.name="tag" attr.type="string" />' in text
    assert '<key id="level" for="node" attr.name="level" attr.type="double" />' in text
    assert '<key id="flag" for="edge" attr.name="flag" attr.type="boolean" />' in text
    back = nx.read_graphml(path)
    assert [back.nodes[n]["tag"] for n in "abcdef"] == ["True", "1", "1.0", "x & <y>", "", "p;q"]
    assert [repr(back.nodes[n]["level"]) for n in "abcdef"] == ["0.0", "-0.0", "0.5", "2.0", "0.5", "0.0"]
    assert (back.edges["a", "b"]["flag"], back.edges["c", "d"]["flag"]) == (True, False)
    assert repr(back.edges["c", "d"]["weight"]) == "-0.0"
