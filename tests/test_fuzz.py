"""Property-based fuzzing: whatever the parameter parser, the query-header parser and the Turtle loader
are given, they answer or raise pgraph's own error; nothing else escapes."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import pgraph
from conftest import MINI
from pgraph.catalog.saved import read_query
from pgraph.cli import main
from pgraph.catalog.params import TYPES, ParamSpec, coerce

# The example counts docs/reliability.md states; derandomized so CI runs the same examples every time.
PARAM_EXAMPLES, CLI_EXAMPLES, HEADER_EXAMPLES, TURTLE_EXAMPLES, SERVER_EXAMPLES = 1000, 100, 600, 400, 600


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# text that is likely to hit edges: SPARQL and Turtle punctuation, escapes, digits, non-ASCII
TRICKY = ["{", "}", "<", ">", '"', "'", "#", "\\", "\n", "\r", "\t", ".", ";", ",", "^^", "@", ":", "?x", "$x",
          "DROP ALL", "INSERT DATA", "2024-01-01", "-", "+", "0", "9", "e", "٣", "é", "🚀", "\x00", "\x7f",
          "http://", "https://w3id.org/pgraph/id/instrument/pfp", "pfp", "FIN", "today"]
tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)), max_size=8).map("".join)


@pytest.fixture(scope="module")
def mini_graph():
    return pgraph.load(MINI)


@fuzz(PARAM_EXAMPLES)
@given(type_=st.sampled_from(TYPES), raw=st.one_of(tricky_text, st.text(), st.integers(), st.floats(),
                                                   st.booleans(), st.none(), st.dates()))
def test_any_parameter_value_becomes_one_term_or_a_parameter_error(mini_graph, type_, raw):
    try:
        term = coerce(ParamSpec("p", type_), raw, mini_graph.resolve)
    except pgraph.ParameterError:
        event("refused")
        return
    event("bound")
    rows = list(ox.Store().query(f"SELECT ?v WHERE {{ VALUES ?v {{ {term.n3()} }} }}"))
    assert len(rows) == 1  # exactly one well-formed term, whatever the input
    if type_ == "xsd:string":
        assert rows[0]["v"].value == str(raw)


@fuzz(CLI_EXAMPLES)
@given(pairs=st.lists(tricky_text, min_size=1, max_size=3))
def test_any_param_option_ends_with_an_answer_or_a_usage_error(capsys, pairs):
    argv = ["--data", str(MINI), "query", "overlap", "--format", "csv"]
    for pair in pairs:
        argv += ["--param", pair]
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's own usage error
        code = e.code
    out, err = capsys.readouterr()
    event(f"exit {code}")
    assert code in (0, 2), (argv, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.strip().splitlines()[-1].startswith(("pgraph: error: ", "usage: ", "pgraph query: error:")), err


header_line = st.one_of(
    tricky_text,
    st.sampled_from(["name: fuzz", "summary: a fuzzed query", "params:", "  asOf: {type: xsd:date, default: today}",
                     "  n: {type: xsd:integer}", "columns: [a, b]", "lists: x", "tags: [a", "name: 2024-13-01",
                     "summary:", "params: [1, 2]", "  x: {type: nope}", "columns: {a: 1}", "- item", "? key", "&a *a",
                     "!!python/object:os.system 'echo'", "%YAML 1.1", "---", "..."]),
)
body = st.sampled_from(["SELECT * WHERE { ?s ?p ?o }", "SELECT ?a WHERE { ?a ?b ?asOf }", "DELETE WHERE { ?s ?p ?o }",
                        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "ASK {}", "SELECT * WHERE { ?s ?p }", "",
                        "PREFIX x: <x:> SELECT * WHERE { ?s x:p ?o FILTER(?o = ) }", "LOAD <http://example.org/>"])


@fuzz(HEADER_EXAMPLES)
@given(lines=st.lists(header_line, max_size=6), sparql=st.one_of(body, tricky_text))
def test_any_query_file_gives_a_saved_query_or_a_query_error(lines, sparql):
    text = "".join(f"#+ {line}\n" for line in lines) + sparql
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.rq"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            saved = read_query(path)
        except pgraph.QueryError as e:
            assert str(e).startswith(str(path)), e
            event("refused: " + str(e).split(": ", 1)[1].split(":")[0][:40])
            return
    event("read")
    assert saved.name == "fuzz" and saved.form in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


MINI_TEXT = sorted(MINI.glob("*.ttl"))[0].read_bytes()


@st.composite
def damaged_turtle(draw) -> bytes:
    """A real data file with a few cuts, insertions and byte flips."""
    data = bytearray(MINI_TEXT)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "flip"]))
        if action == "cut":
            del data[at:at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(TRICKY).map(str.encode), st.binary(max_size=8)))
        elif at < len(data):
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


@fuzz(TURTLE_EXAMPLES)
@given(data=st.one_of(damaged_turtle(), st.binary(max_size=200)))
def test_any_data_file_loads_or_gives_an_input_error_with_its_name(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.ttl"
        path.write_bytes(data)
        try:
            kg = pgraph.load(tmp, only=False)
        except pgraph.InputError as e:
            assert str(e).startswith(str(path)), e
            event("refused")
            return
        event("loaded")
        assert len(kg.backend) > 0


# --- server answers: any SPARQL JSON, however malformed, gives rows or one EndpointError -----------

NAMES = ["s", "o", "label", "head", "vars", "results", "bindings", "type", "value", "datatype", "xml:lang",
         "boolean", "uri", "literal", "bnode", "typed-literal"]
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
                        st.sampled_from(NAMES + ["http://www.w3.org/2001/XMLSchema#integer", "12", "true", "false"]))
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=4)), inner,
                                                 max_size=4)), max_leaves=25)
term = st.one_of(json_value, st.fixed_dictionaries(
    {"type": st.sampled_from(["uri", "literal", "bnode", "typed-literal", "triple", "URI"]),
     "value": st.one_of(st.text(max_size=8), st.sampled_from(["12", "-0", "1e999", "true", "9" * 5000]))}),
    st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(["uri", "literal", "bnode", "typed-literal", "triple"]), json_value)},
    optional={"value": json_value, "datatype": st.one_of(st.sampled_from(
        ["http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#boolean",
         "http://www.w3.org/2001/XMLSchema#double"]), json_value), "xml:lang": json_value}))
results_doc = st.fixed_dictionaries({}, optional={
    "head": st.one_of(json_value, st.fixed_dictionaries({"vars": st.one_of(st.lists(st.sampled_from(["s", "o", 1])),
                                                                             json_value)})),
    "results": st.one_of(json_value, st.fixed_dictionaries({"bindings": st.one_of(
        json_value, st.lists(st.one_of(json_value, st.dictionaries(st.sampled_from(["s", "o", "x"]), term,
                                                                      max_size=3)), max_size=4))})),
    "boolean": json_value})


@st.composite
def server_answer(draw) -> bytes:
    """SPARQL JSON results broken in the ways servers break them: wrong shapes, cuts, junk, deep nesting."""
    import json
    rows = st.lists(st.dictionaries(st.sampled_from(["s", "o", "x"]), term, max_size=3), max_size=4)
    nearly_right = st.fixed_dictionaries({"head": st.just({"vars": ["s", "o"]}),
                                          "results": rows.map(lambda r: {"bindings": r})})
    body = json.dumps(draw(st.one_of(results_doc, nearly_right))).encode()
    how = draw(st.sampled_from(["as is", "as is", "as is", "cut", "junk", "deep"]))
    if how == "cut":
        body = body[:draw(st.integers(0, len(body)))]
    elif how == "junk":
        body = draw(st.binary(max_size=40))
    elif how == "deep":
        depth = draw(st.integers(1000, 200_000))
        body = b'{"boolean": ' + b"[" * depth + b"]" * depth + b"}"
    return body


@fuzz(SERVER_EXAMPLES)
@given(body=server_answer())
def test_any_server_answer_gives_plain_rows_or_one_endpoint_error(body):
    from pgraph.store.results import boolean, select_rows
    for read in (select_rows, boolean):
        try:
            answer = read(body)
        except ValueError as e:  # the backend turns this into one EndpointError naming the server
            assert str(e) and "\n" not in str(e)
            event(f"{read.__name__}: refused")
            continue
        event(f"{read.__name__}: read")
        if read is boolean:
            assert answer is True or answer is False
        else:
            assert all(isinstance(row, dict) and all(v is None or isinstance(v, (str, int, float, bool))
                                                     for v in row.values()) for row in answer)
