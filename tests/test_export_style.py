"""Exports open looking like the picture: DOT renders directly to a picture-sized image, GEXF and
GraphML carry colour, size and position, and a timeline says the years asked for."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from conftest import run_cli
from pgraph.graphs.export import write
from pgraph.graphs.picture import KIND_COLOURS

GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def today(real):
    return real.overlap_graph(asOf="2026-11-28")


def _render(path, fmt):
    dot = shutil.which("dot")
    assert dot, "Graphviz (Debian package graphviz) is needed: make test installs it"
    out = path.with_suffix("." + fmt)
    result = subprocess.run([dot, f"-T{fmt}", str(path), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return out


def test_dot_renders_with_plain_dot_as_a_picture_not_a_strip(today, tmp_path):
    from PIL import Image
    path = tmp_path / "o.dot"
    write(today, path, "dot")
    with Image.open(_render(path, "png")) as png:
        width, height = png.size
    assert 600 <= width <= 2600 and 400 <= height <= 2000, png.size  # was 20327 x 1019
    assert width / height < 2.2


def test_dot_nodes_are_coloured_by_kind_sized_by_participants_and_the_isolated_grouped_below(today, tmp_path):
    path = tmp_path / "o.dot"
    write(today, path, "dot")
    root = ET.parse(_render(path, "svg")).getroot()
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        name = group.find(f"{SVG}title").text
        if name == "_caption":  # the strip's caption: a text without a marker
            caption_y = float(group.find(f"{SVG}text").get("y"))
            continue
        shape = next(group.iter(f"{SVG}ellipse"))
        nodes[name] = (shape.get("fill"), float(shape.get("rx")), float(shape.get("cy")))
    alone = [n for n in today.nodes() if today.degree(n) == 0]
    assert set(nodes) == set(today.nodes())
    for n, (fill, _, _) in nodes.items():
        assert fill.lower() == KIND_COLOURS[today.nodes[n]["kind"]].lower(), n
    most = max(today.nodes(), key=lambda n: today.nodes[n]["participants"])
    least = min(today.nodes(), key=lambda n: today.nodes[n]["participants"])
    assert nodes[most][1] > nodes[least][1] * 1.5
    linked = [n for n in today.nodes() if today.degree(n) > 0]
    assert alone and linked
    assert min(nodes[n][2] for n in alone) > max(nodes[n][2] for n in linked)  # SVG y grows downwards
    assert [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]  # the strip is one group
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert f"{len(alone)} instruments that share no active participant with another on this date" in texts
    assert caption_y < min(nodes[n][2] for n in alone)  # the caption stands above the strip


def test_dot_is_read_back_with_its_data_by_networkx(today, tmp_path):
    path = tmp_path / "o.dot"
    write(today, path, "dot")
    back = nx.nx_pydot.read_dot(path)
    assert back.nodes["pfp"]["kind"].strip('"') == "framework"
    assert int(back.nodes["pfp"]["participants"].strip('"')) == today.nodes["pfp"]["participants"]
    assert back.nodes["pfp"]["tooltip"].strip('"') == today.nodes["pfp"]["label"]


def test_dot_text_from_the_data_stays_text(tmp_path):
    g = nx.Graph(query="overlap", title='a "title"\nwith a break')
    g.add_node('x" -- "y', label='evil"] ; node [shape=box', short="X\\N", kind="forum", participants=3)
    g.add_node("z", label="<b>html</b>", short="Z", kind="tool", participants=1)
    path = tmp_path / "h.dot"
    write(g, path, "dot")
    root = ET.parse(_render(path, "svg")).getroot()  # Graphviz itself reads it
    groups = {g.get("class"): [] for g in root.iter(f"{SVG}g")}
    for g in root.iter(f"{SVG}g"):
        groups[g.get("class")].append(g)
    groups["node"] = [g for g in groups["node"] if g.find(f"{SVG}title").text != "_caption"]
    assert sorted(g.find(f"{SVG}title").text for g in groups["node"]) == ['x" -- "y', "z"]
    assert "edge" not in groups  # the quotes in a node's name did not make an edge
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "X\\N" in texts  # a backslash in the data is shown, not read as an escape
    assert 'a "title" with a break' in texts
    assert not any(g.find(f"{SVG}polygon") is not None for g in groups["node"])  # no injected shape=box


def test_gexf_nodes_carry_the_pictures_colour_size_and_position(today, tmp_path):
    path = tmp_path / "o.gexf"
    write(today, path, "gexf")
    back = nx.read_gexf(path, version="1.3")
    for n in today.nodes():
        viz = back.nodes[n]["viz"]
        hex_colour = "#{:02x}{:02x}{:02x}".format(viz["color"]["r"], viz["color"]["g"], viz["color"]["b"])
        assert hex_colour == KIND_COLOURS[today.nodes[n]["kind"]].lower()
        assert viz["size"] > 0 and {"x", "y"} <= set(viz["position"])
    assert back.nodes["pfp"]["viz"]["size"] > back.nodes["ipp"]["viz"]["size"]
    alone_y = max(back.nodes[n]["viz"]["position"]["y"] for n in today.nodes() if today.degree(n) == 0)
    linked_y = min(back.nodes[n]["viz"]["position"]["y"] for n in today.nodes() if today.degree(n) > 0)
    assert alone_y < linked_y  # the isolated strip is at the bottom (y upwards, as in Gephi)
    thickness = {tuple(sorted((e.get("source"), e.get("target")))): float(e.find(f"{VIZ}thickness").get("value"))
                 for e in ET.parse(path).getroot().iter(f"{GEXF}edge")}  # networkx reads no edge viz
    assert len(thickness) == today.number_of_edges()
    heaviest = max(today.edges(data=True), key=lambda e: e[2]["weight"])
    assert thickness[tuple(sorted(heaviest[:2]))] == max(thickness.values())


def test_graphml_carries_the_attributes_gephi_and_cytoscape_map_to_style(today, tmp_path):
    import igraph
    path = tmp_path / "o.graphml"
    write(today, path, "graphml")
    text = path.read_text(encoding="utf-8")
    for key in ("r", "g", "b", "x", "y", "size", "color"):  # Gephi matches these key ids on import
        assert len(re.findall(rf'<key id="{key}" for="node"', text)) == 1, key
    graph = igraph.Graph.Read_GraphML(str(path))
    pfp = graph.vs.find(id="pfp")
    assert pfp["color"] == KIND_COLOURS["framework"]
    assert (int(pfp["r"]), int(pfp["g"]), int(pfp["b"])) == tuple(int(KIND_COLOURS["framework"][i:i + 2], 16)
                                                                for i in (1, 3, 5))
    assert pfp["size"] > graph.vs.find(id="ipp")["size"]
    assert max(graph.es["width"]) > min(graph.es["width"])


def test_a_timeline_to_2026_ends_in_2026(tmp_path):
    path = tmp_path / "t.gexf"
    result = run_cli("export", "overlap", "--from", "2020", "--to", "2026", "-o", str(path))
    assert result.returncode == 0, result.stderr
    root = ET.parse(path).getroot()
    graph = root.find(f"{GEXF}graph")
    assert (graph.get("start"), graph.get("end")) == ("2020", "2026")
    description = root.find(f"{GEXF}meta/{GEXF}description").text
    assert "end=2026" in description and "start=2020" in description
    back = nx.read_gexf(path, version="1.3")
    assert max(end for *_, d in back.nodes(data=True) for _, end in d["spells"]) == 2026
    assert all(isinstance(d.get("viz", {}).get("position"), dict) for _, d in back.nodes(data=True))
