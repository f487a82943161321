"""The whole saved-query catalogue on a second SPARQL server, OpenLink Virtuoso: pushed through its
Graph Store endpoint, every saved query gives the embedded engine's rows (docs/queries.md names
the differences that remain and why)."""
from __future__ import annotations

import uuid

import pytest

import pgraph
from conftest import MINI
from pgraph.push import count_remote, push
from test_remote import PARAMS, _normalise

# Queries whose answer on Virtuoso 7.2 differs, and why (docs/queries.md, "On other SPARQL servers"). Strict:
# the day Virtuoso (or the query) changes so that they agree, these tests fail and the list shrinks.
# The queries compare data dates through xsd:date() and avoid the constructs Virtuoso mishandles
# (EXISTS inside IF/BIND, FILTER NOT EXISTS inside OPTIONAL, IF inside FILTER, CONCAT over an unbound
# argument, YEAR() of an unbound date); one difference remains.
KNOWN = {
    "members": "on a freshly started Virtuoso 7.2 (the tests' own) a participant whose best participation is "
               "suspended is missing; on one that had run for an hour it agreed at every date. The VALUES block "
               "for the instrument that pgraph puts in the outer group (its sub-select uses it) changes "
               "Virtuoso's plan; the sub-select's rows agree",
}
FLAKY = {"members"}  # depends on the server's state, so its xfail cannot be strict
CATALOGUE = [pytest.param(q.name, marks=pytest.mark.xfail(strict=q.name not in FLAKY, reason=KNOWN[q.name]))
             if q.name in KNOWN else q.name
             for q in pgraph.load(MINI).catalog]
# The as-of rules of docs/data.md at dates where they matter on the real data: Malta's suspension
# (1996-2008), the NRC's (2008-2009), partner-wide decisions (2014, 2021), dates known only to
# their month or year (1996, 2014), accessions (1999, 2004).
AS_OF_QUERIES = ["memberships", "active-participations", "partners", "instruments", "never-terminated",
                 "suspensions", "dormant", "status-changes", "accessions",
                 pytest.param("members", marks=pytest.mark.xfail(strict=False, reason=KNOWN["members"]))]
DATES = ["1996-01-01", "1998-01-01", "1999-03-12", "2004-03-29", "2004-12-31", "2008-12-01",
         "2009-06-01", "2014-06-01", "2020-01-01", "2022-03-01"]
# Where the pairwise queries' own text still differs on Virtuoso 7.2: a pair whose member rests on
# a date known only to its year (deep-MDA on 2014-01-01) loses that member in the pair join, though
# active-participations on the same date agrees (docs/queries.md). The embedded engine answers these
# questions from active-participations rows, so only a user running the .rq text on Virtuoso sees it.
PAIRWISE_AT = {"overlap": "2014-01-01", "subsumed": "2018-01-01"}


@pytest.fixture(scope="module")
def on_virtuoso(virtuoso_server, real):
    graph = f"https://w3id.org/pgraph/graph/test-{uuid.uuid4()}"
    n = push(real.backend, virtuoso_server + "/sparql-graph-crud", graph=graph)
    return pgraph.connect(virtuoso_server + "/sparql", graph=graph, timeout=120), n


def test_push_through_the_graph_store_sends_every_triple(on_virtuoso, real):
    remote, n = on_virtuoso
    assert n == len(real.backend) == count_remote(remote)


@pytest.mark.parametrize("name", CATALOGUE)
def test_saved_query_gives_the_same_answer_on_virtuoso(name, on_virtuoso, real):
    remote, _ = on_virtuoso
    params = PARAMS.get(name, {})
    here, there = real.query(name, **params), remote.query(name, **params)
    if name == "overlap-graph":
        assert {str(t) for t in here} == {str(t) for t in there} and here
    else:
        assert _normalise(here) == _normalise(there)


def test_a_bound_date_is_honoured_on_virtuoso(on_virtuoso):
    remote, _ = on_virtuoso
    early = remote.query("members", instrument="pfp", asOf="1994-03-01")
    late = remote.query("members", instrument="pfp", asOf="2004-12-31")
    assert 0 < len(early) < len(late)


def _params(name: str, day: str) -> dict[str, str]:
    return {**PARAMS.get(name, {}), **({"from": "1949-01-01", "to": day} if name in ("status-changes", "accessions")
                                      else {"asOf": day})}


@pytest.mark.parametrize("name", AS_OF_QUERIES)
def test_as_of_queries_give_the_same_answer_on_virtuoso_at_dates_where_the_rules_matter(name, on_virtuoso, real):
    remote, _ = on_virtuoso
    differ, compared = [], 0
    for day in DATES:
        here = real.query(name, **_params(name, day))
        compared += bool(here)  # an empty answer is compared too: pgraph then asks Virtuoso whether it holds data
        if _normalise(here) != _normalise(remote.query(name, **_params(name, day))):
            differ.append(day)
    assert compared >= 3 and not differ, f"{name} differs on Virtuoso on {differ} ({compared} dates compared)"


@pytest.mark.parametrize("name", sorted(PAIRWISE_AT))
@pytest.mark.xfail(strict=False, reason="Virtuoso 7.2 drops an uncertain member of a pair, on some runs (docs/queries.md)")
def test_pairwise_query_text_gives_the_same_answer_on_virtuoso_on_a_date_with_an_uncertain_member(name, on_virtuoso,
                                                                                                    real):
    remote, _ = on_virtuoso
    day = PAIRWISE_AT[name]
    here = pgraph.load()
    here.fast_pairs = False  # the query text itself, as the server runs it
    assert _normalise(here.query(name, asOf=day)) == _normalise(remote.query(name, asOf=day))


def test_an_ask_on_virtuoso_is_answered_true_or_false(on_virtuoso):
    """Virtuoso 7.2 answers ASK as a result set of one variable (no row: false); pgraph reads it."""
    remote, _ = on_virtuoso
    assert remote.backend.ask("ASK { ?s ?p ?o }") is True
    assert remote.backend.ask("ASK { <urn:pgraph:nothing> ?p ?o }") is False


def test_an_empty_answer_on_virtuoso_is_rows_or_a_clear_error(on_virtuoso, virtuoso_server):
    remote, _ = on_virtuoso
    assert remote.query("members", instrument="pfp", asOf="1949-01-01") == []  # holds data: 0 rows
    empty = pgraph.connect(virtuoso_server + "/sparql", graph=f"https://w3id.org/pgraph/graph/none-{uuid.uuid4()}")
    with pytest.raises(pgraph.EndpointError, match="holds no pgraph data"):
        empty.query("allies")


def test_virtuosos_form_of_a_boolean_is_read_strictly():
    from pgraph.store.results import boolean
    form = '{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": %s}}'
    row = '{"__ASK_RETVAL": {"type": "typed-literal", "value": "%s"}}'
    assert boolean((form % "[]").encode()) is False
    assert boolean((form % f"[{row % '1'}]").encode()) is True
    assert boolean((form % f"[{row % '0'}]").encode()) is False
    for wrong in [form % f"[{row % '2'}]", form % f"[{row % '1'}, {row % '1'}]",
                  form.replace("__ASK_RETVAL", "x", 1) % "[]", form % '"none"', '{"head": {}, "results": {}}']:
        with pytest.raises(ValueError, match="not a SPARQL boolean result"):
            boolean(wrong.encode())
