"""`pgraph serve` over real HTTP: catalogue, query pages and API answers equal the CLI's, the same
one-line errors as HTTP 400, OpenAPI from the headers, entity and ontology pages, pictures, headers."""
from __future__ import annotations

import io
import json
import re
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

import pgraph
from conftest import FIXTURES, ROOT, _free_port, assert_user_error, run_cli
from serving import get, running

AS_OF = "2020-06-30"


@pytest.fixture(scope="module")
def server():
    with running() as (base, proc):
        yield base


def text(url: str, **kw) -> tuple[int, str]:
    status, _, body = get(url, **kw)
    return status, body.decode("utf-8")


def test_catalogue_lists_every_saved_query_grouped_by_question_with_a_search_box(server, real):
    status, page = text(server + "/")
    assert status == 200
    for q in real.catalog:
        assert f'href="/q/{q.name}"' in page, q.name
    assert page.count('<section class="group"') >= 5
    assert 'type="search"' in page and "Where do instruments overlap?" in page
    assert 'href="/report"' in page


@pytest.mark.parametrize("name, params", [
    ("members", {"instrument": "pfp", "asOf": AS_OF}),
    ("partners", {"asOf": AS_OF}),
    ("overlap", {"asOf": AS_OF, "minShared": "3"}),
    ("partner-history", {"country": "GEO"}),
    ("accessions", {"from": "1999-01-01", "to": "2010-12-31"}),
])
def test_api_csv_equals_the_cli_for_the_same_parameters(server, name, params):
    status, body = text(f"{server}/api/{name}.csv?{urlencode(params)}")
    cli = run_cli("query", name, *[a for k, v in params.items() for a in ("-p", f"{k}={v}")], "-f", "csv")
    assert status == 200 and cli.returncode == 0, (body, cli.stderr)
    assert body == cli.stdout
    assert body.count("\n") > 1


def test_api_json_and_tsv_and_markdown_equal_the_cli(server):
    for fmt, cli_format in (("json", "json"), ("tsv", "tsv"), ("md", "md"), ("txt", "table")):
        status, body = text(f"{server}/api/members.{fmt}?instrument=md&asOf={AS_OF}")
        cli = run_cli("query", "members", "-p", "instrument=md", "--as-of", AS_OF, "-f", cli_format)
        assert status == 200 and body == cli.stdout, fmt


def test_api_turtle_of_a_construct_query_equals_the_cli(server):
    status, body = text(f"{server}/api/overlap-graph.ttl?asOf={AS_OF}")
    cli = run_cli("query", "overlap-graph", "--as-of", AS_OF, "-f", "turtle")
    assert status == 200 and body == cli.stdout and "pg:Overlap" in body


def test_api_xlsx_is_a_real_workbook_with_the_cli_rows(server):
    import openpyxl
    status, headers, body = get(f"{server}/api/members.xlsx?instrument=md&asOf={AS_OF}")
    assert status == 200 and headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(body))
    rows = [[c.value for c in r] for r in book["answer"].iter_rows()]
    cli = run_cli("query", "members", "-p", "instrument=md", "--as-of", AS_OF, "-f", "csv").stdout
    assert len(rows) == cli.count("\n") and rows[0] == cli.splitlines()[0].split(",")
    about = {r[0].value: r[1].value for r in book["about"].iter_rows() if r[0].value}
    assert about["query"] == "members" and about["data curated on"]


@pytest.mark.parametrize("params", [
    {"instrument": "pfp", "asOf": "2020-13-01"},
    {"instrument": "no-such-thing"},
    {"instrument": "pfp", "colour": "red"},
    {},
])
def test_a_bad_parameter_is_http_400_with_the_cli_message(server, params):
    status, body = text(f"{server}/api/members.csv?{urlencode(params)}")
    cli = run_cli("query", "members", *[a for k, v in params.items() for a in ("-p", f"{k}={v}")])
    assert_user_error(cli)
    assert status == 400
    assert body.strip() == cli.stderr.strip(), (body, cli.stderr)
    assert body.count("\n") == 1


def test_a_bad_parameter_in_json_is_a_json_error(server):
    status, body = text(f"{server}/api/members.json?instrument=pfp&asOf=yesterday")
    assert status == 400 and "asOf='yesterday'" in json.loads(body)["error"]


def test_a_repeated_parameter_is_refused(server):
    status, body = text(f"{server}/api/members.csv?instrument=pfp&instrument=md")
    assert status == 400 and "instrument given more than once" in body


def test_unknown_query_and_format_are_refused(server):
    status, body = text(f"{server}/api/no-such-query.csv")
    assert status == 404 and "no saved query named 'no-such-query'" in body
    status, body = text(f"{server}/api/members.exe?instrument=pfp")
    assert status == 400 and "offered as csv, json, md, tsv, txt, xlsx" in body


def test_query_page_shows_form_table_downloads_query_text_and_dates(server):
    status, page = text(f"{server}/q/members?instrument=pfp&asOf={AS_OF}")
    assert status == 200
    assert '<select id="p-instrument" name="instrument" required>' in page
    assert re.search(r'<option value="pfp" selected>Partnership for Peace', page)
    assert f'<input id="p-asOf" name="asOf" type="date" value="{AS_OF}"' in page
    assert f'<strong id="as-of">{AS_OF}</strong>' in page and "data curated on <strong>20" in page
    for fmt in ("csv", "tsv", "json", "md", "xlsx", "txt"):
        assert f'href="/api/members.{fmt}?instrument=pfp&amp;asOf={AS_OF}"' in page
    assert "VALUES ?instrument { &lt;https://w3id.org/pgraph/id/instrument/pfp&gt; }" in page
    rows = len(pgraph.load().query("members", instrument="pfp", asOf=AS_OF))
    assert f'<p class="count" id="count">{rows} rows</p>' in page
    assert 'href="/id/country/' in page


def test_query_page_with_a_bad_parameter_shows_the_message_with_status_400(server):
    status, page = text(f"{server}/q/members?instrument=pfp&asOf=2020-02-30")
    assert status == 400 and 'role="alert"' in page and "not a real calendar date" in page


def test_numbers_and_years_get_bounded_number_inputs(server):
    _, page = text(f"{server}/q/overlap")
    assert re.search(r'name="minShared" type="number" value="1"[^>]* min="1" max="1000000000" step="1"', page)
    _, page = text(f"{server}/q/timeline")
    assert re.search(r'name="from" type="number" value="1991"[^>]* min="1900" max="2100"', page)


def test_openapi_has_a_typed_path_per_saved_query(server, real):
    status, body = text(server + "/openapi.json")
    doc = json.loads(body)
    assert status == 200 and doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {f"/api/{q.name}.{{format}}" for q in real.catalog}
    members = doc["paths"]["/api/members.{format}"]["get"]
    params = {p["name"]: p for p in members["parameters"]}
    assert params["asOf"]["schema"] == {"type": "string", "format": "date", "default": "today"}
    assert params["instrument"]["required"] is True and "pfp" in str(params["instrument"]["schema"]) or \
        params["instrument"]["schema"]["examples"]
    assert "xlsx" in params["format"]["schema"]["enum"]


def test_entity_page_of_a_country_shows_its_history_and_sources(server, real):
    status, page = text(server + "/id/country/FIN", accept="text/html")
    assert status == 200 and "<h1>Finland</h1>" in page
    history = real.query("partner-history", country="FIN")
    assert "Partnership history" in page and all(r["instrument"] in page for r in history)
    assert 'href="https://www.nato.int/' in page
    timeline = page[page.index("<h2>Partnership timeline</h2>"):]
    bars = re.findall(r"<rect [^>]*><title>([^<]*)</title>", timeline)
    assert len(bars) == sum(1 for r in history if r["start"])
    assert any(b.startswith(f"{history[0]['label']}: {history[0]['start']}") for b in bars)


def test_entity_page_of_an_instrument_has_members_overlaps_and_a_membership_picture(server):
    status, page = text(server + f"/id/instrument/md?asOf={AS_OF}", accept="text/html")
    assert status == 200 and "Members on " + AS_OF in page and "Overlaps on" in page
    assert "<svg" in page and "<title>Algeria (DZA)" in page
    over_time = page[page.index("<h2>Members over time</h2>"):]
    over_time = over_time[:over_time.index("</svg>")]
    spells = pgraph.load().sparql("SELECT ?p WHERE { ?p <https://w3id.org/pgraph/ontology#instrument> "
                                  "<https://w3id.org/pgraph/id/instrument/md> }")
    assert len(re.findall(r"<rect [^>]*><title>", over_time)) == len(spells) > 0


def test_entity_page_of_an_event_shows_what_it_created(server):
    status, page = text(server + "/id/event/brussels-1994", accept="text/html")
    assert status == 200 and "Instruments it created" in page and 'href="/id/instrument/pfp"' in page


def test_entity_turtle_and_json_ld_by_content_negotiation(server):
    import pyoxigraph as ox
    status, headers, body = get(server + "/id/instrument/pfp", accept="text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert triples and all(t.subject == ox.NamedNode("https://w3id.org/pgraph/id/instrument/pfp") for t in triples)
    status, headers, body = get(server + "/id/instrument/pfp", accept="application/ld+json")
    assert status == 200 and headers["content-type"] == "application/ld+json"
    assert len(list(ox.parse(body, format=ox.RdfFormat.JSON_LD))) == len(triples)
    assert "vary" in headers


def test_unknown_entity_is_404(server):
    assert text(server + "/id/instrument/no-such-thing", accept="text/html")[0] == 404
    assert text(server + "/id/instrument/a%20b", accept="text/html")[0] == 404


def test_ontology_page_lists_every_class_with_its_shacl_rules(server):
    import pyoxigraph as ox
    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / "pgraph.ttl"), format=ox.RdfFormat.TURTLE)
    classes = {s["c"].value for s in store.query(
        "SELECT ?c WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> "
        "FILTER(STRSTARTS(STR(?c), 'https://w3id.org/pgraph/ontology#')) }")}
    status, page = text(server + "/ontology")
    assert status == 200 and len(classes) > 10
    for c in classes:
        assert f'id="{c.rsplit("#", 1)[1]}"' in page, c
    participation = page[page.index('id="Participation"'):]
    participation = participation[:participation.index("</section>")]
    assert "SHACL rules" in participation and "Violation" in participation


def test_overlap_picture_has_a_hover_title_per_instrument_in_force(server, real):
    from pgraph.graphs import overlap_graph
    status, headers, body = get(server + f"/pictures/overlap.svg?asOf={AS_OF}")
    assert status == 200 and headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(body)
    ns = "{http://www.w3.org/2000/svg}"
    titles = [c.find(ns + "title").text for c in svg.iter(ns + "circle") if c.find(ns + "title") is not None]
    graph = overlap_graph(real, asOf=AS_OF)
    assert len(titles) == graph.number_of_nodes()
    assert any(t.startswith(graph.nodes["pfp"]["label"]) for t in titles)
    assert len(list(svg.iter(ns + "line"))) == graph.number_of_edges()
    _, _, older = get(server + "/pictures/overlap.svg?asOf=1995-01-01")
    assert len([c for c in ET.fromstring(older).iter(ns + "circle") if c.find(ns + "title") is not None]) < len(titles)
    legend = {t.text for t in svg.iter(ns + "text")}
    assert {d["kind"] for _, d in graph.nodes(data=True)} <= legend


def test_every_page_carries_a_strict_content_security_policy_and_no_inline_script(server):
    for path in ("/", "/q/members?instrument=pfp", "/id/country/FIN", "/ontology", "/sparql",
                 "/pictures/overlap", "/no-such-page"):
        status, headers, body = get(server + path, accept="text/html")
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp, path
        assert headers["x-content-type-options"] == "nosniff"
        page = body.decode("utf-8")
        assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", page)), path
        assert not re.search(r"\son[a-z]+=", page), path
        assert "style=" not in page, path


def test_request_bodies_over_the_cap_are_refused(server):
    status, body = text(server + "/sparql", data=b"query=" + b"x" * 100_000,
                        content_type="application/x-www-form-urlencoded")
    assert status == 413 and "request body over" in body


def test_answers_over_the_row_cap_are_refused(server):
    status, body = text(server + "/sparql", data=b"query=SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",
                        content_type="application/x-www-form-urlencoded", accept="text/csv")
    assert status == 413 and "more than 10000 rows" in body


def test_hostile_labels_render_inert(tmp_path):
    with running(data=str(FIXTURES / "hostile")) as (base, _):
        for path in ("/", "/q/instruments", "/q/members?instrument=pfp", "/id/instrument/pfp",
                     "/id/country/SWE", "/pictures/overlap"):
            status, page = text(base + path, accept="text/html")
            assert status == 200, path
            assert "<script>document.title" not in page and "<img src=x" not in page, path
            assert "<script>alert" not in page, path
        _, page = text(base + "/q/instruments")
        assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;Partnership" in page
        status, headers, _ = get(base + "/api/instruments.md")  # the CLI's Markdown, never sniffed as HTML
        assert headers["content-type"].startswith("text/markdown") and headers["x-content-type-options"] == "nosniff"


HOSTILE_IRIS = """
@prefix pg: <https://w3id.org/pgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/pgraph/id/instrument/pfp> dcterms:source <javascript:alert(3)> ;
    pg:wikidata <data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==> .
<javascript:alert(3)> a pg:Source ; dcterms:title "a source whose IRI is script" ; pg:primary true .
<https://w3id.org/pgraph/id/instrument/x'onmouseover=alert(4)> a pg:Initiative ;
    dcterms:identifier "x'onmouseover=alert(4)" ; rdfs:label "quote in the IRI" ;
    pg:establishedOn "2001-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ; dcterms:source <javascript:alert(3)> .
"""


def test_hostile_iris_never_become_links_or_attributes(tmp_path):
    import shutil
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "hostile" / "graph.ttl", data / "graph.ttl")
    (data / "iris.ttl").write_text(HOSTILE_IRIS, encoding="utf-8")
    with running(data=str(data)) as (base, _):
        for path in ("/id/instrument/pfp", "/q/instruments", "/q/citations", "/id/instrument/x'onmouseover=alert(4)",
                     "/q/search?text=quote"):
            status, page = text(base + path.replace("'", "%27"), accept="text/html")
            assert status == 200, (path, page)
            assert not re.search(r"""(href|src)=["']?\s*(javascript|data):""", page, re.I), path
            assert "x'onmouseover" not in page and "x&#39;onmouseover" in page or "onmouseover" not in page, path
        _, page = text(base + "/id/instrument/pfp", accept="text/html")
        assert "a source whose IRI is script" in page and "javascript:alert(3)" in page  # shown, as text


def test_a_data_folder_that_fails_to_load_stops_before_listening(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.ttl").write_text("this is not turtle .\n")
    port = _free_port()
    result = run_cli("--data", str(bad), "serve", "--port", str(port), timeout=60)
    cli = run_cli("--data", str(bad), "stats")
    assert_user_error(result, "x.ttl")
    assert result.stderr == cli.stderr
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_a_busy_port_is_one_line_and_exit_2():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert_user_error(run_cli("--data", str(FIXTURES / "mini"), "serve", "--port", str(port)),
                          f"cannot listen on 127.0.0.1:{port}")


def _children(pid: int) -> set[int]:
    from pathlib import Path
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"\nPPid:\t{pid}\n" in status.read_text():
                found.add(int(status.parent.name))
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "zombie" not in fh.read()
    except OSError:
        return False


def test_ctrl_c_stops_the_server_cleanly():
    with running(data=str(FIXTURES / "mini")) as (base, proc):
        assert text(base + "/")[0] == 200
        assert get(base + "/sparql?query=ASK%7B%7D")[0] == 200  # starts the query workers
        workers = _children(proc.pid)
        assert workers
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert time.monotonic() - started < 5
        assert proc.returncode == 130 and "Traceback" not in err, err
        assert "pgraph: interrupted" in err
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)], "query workers outlived the server"
        host, port = base.rsplit("/", 1)[-1].split(":")
        with socket.socket() as s:
            assert s.connect_ex((host, int(port))) != 0


def test_binding_off_loopback_warns():
    with running(data=str(FIXTURES / "mini"), host="127.0.0.2") as (base, proc):
        assert text(base + "/")[0] == 200
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert "warning: listening on 127.0.0.2" in err


def test_serve_help_documents_every_option():
    result = subprocess.run([sys.executable, "-m", "pgraph", "serve", "--help"], capture_output=True, text=True,
                            cwd=ROOT)
    for option in ("--host", "--port", "--open", "--timeout"):
        assert option in result.stdout


def test_make_docs_writes_the_ontology_pages_as_static_html(tmp_path):
    from pgraph.serve import write_ontology_docs
    page = write_ontology_docs(tmp_path / "ontology").read_text(encoding="utf-8")
    assert (tmp_path / "ontology" / "style.css").is_file() and 'href="style.css"' in page
    assert 'id="Instrument"' in page and 'id="Participation"' in page and "SHACL rules" in page
    assert "<script" not in page and 'href="/' not in page  # nothing that needs the server


def test_a_header_bound_is_a_form_bound_and_a_refusal_in_cli_and_api(server):
    _, page = text(f"{server}/q/redundant")
    assert re.search(r'name="minJaccard" type="number" value="0.8"[^>]* min="0" max="1" step="any"', page)
    status, body = text(f"{server}/api/redundant.csv?minJaccard=1.5")
    cli = run_cli("query", "redundant", "-p", "minJaccard=1.5")
    assert_user_error(cli, "above the largest allowed value 1", "from 0 up to 1")
    assert status == 400 and body.strip() == cli.stderr.strip()
    assert run_cli("query", "redundant", "-p", "minJaccard=1").returncode == 0


def test_a_bound_on_a_non_number_is_refused_in_the_header(tmp_path):
    from pgraph.catalog import read_query
    from pgraph.errors import QueryError
    rq = tmp_path / "q.rq"
    rq.write_text("#+ name: q\n#+ summary: s\n#+ params:\n#+   d: {type: xsd:date, min: 1}\nSELECT * WHERE { ?s ?p ?d }\n")
    with pytest.raises(QueryError, match="min and max are numbers"):
        read_query(rq)


def test_on_loopback_a_request_for_another_host_name_is_refused(server):
    import http.client
    host, port = server.rsplit("/", 1)[-1].split(":")
    for name, expected in ((f"evil.example:{port}", 421), (f"localhost:{port}", 200), (f"127.0.0.1:{port}", 200)):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/api/allies.csv", headers={"Host": name})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert response.status == expected, (name, body)
