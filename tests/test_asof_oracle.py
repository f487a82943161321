"""The saved queries return exactly the rows of an independent oracle of the as-of semantics.

The oracle (tests/oracle.py) is plain Python over rdflib; the queries are SPARQL on pyoxigraph.
Rows are compared as multisets, so a duplicate row is a difference. A difference names the query,
its parameters and the rows only one side gives.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS

import pgraph
from conftest import FIXTURES, ROOT
from oracle import Oracle

ASOF = FIXTURES / "asof"
LISTS = ("instrument_ids", "shared_countries", "instruments_left")
ONE_DAY = dt.timedelta(days=1)


def _files(data: Path) -> list[Path]:
    """The ontology and the data files, as the command loads them (scenarios are never facts)."""
    files = [ROOT / "ontology" / "pgraph.ttl", ROOT / "ontology" / "areas.ttl"]
    return files + sorted(f for f in data.rglob("*.ttl") if "scenarios" not in f.parts)


def _key(row: dict) -> tuple:
    return tuple(sorted((k, tuple(sorted(v)) if k in LISTS and v is not None else v) for k, v in row.items()))


def _differences(kg: pgraph.KnowledgeGraph, name: str, expected: list[dict], **params) -> list[str]:
    got = Counter(_key(r) for r in kg.query(name, **params))
    want = Counter(_key(r) for r in expected)
    if got == want:
        return []
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    return [f"{name}({shown}): only the query gives {sorted((got - want).elements())[:3]}; "
            f"only the oracle gives {sorted((want - got).elements())[:3]}"]


def _compare_on(kg: pgraph.KnowledgeGraph, oracle: Oracle, day: dt.date, *, every_member: bool,
                pairs: bool = True) -> list[str]:
    d = day.isoformat()
    diffs = []
    for strict in (False, True):
        diffs += _differences(kg, "memberships", oracle.memberships(day, strict), asOf=d, strict=strict)
        diffs += _differences(kg, "partners", oracle.partners(day, strict), asOf=d, strict=strict)
        diffs += _differences(kg, "instruments", oracle.instruments(day, strict), asOf=d, strict=strict)
        if pairs:
            diffs += _differences(kg, "overlap", oracle.overlap(day, strict=strict), asOf=d, strict=strict)
    diffs += _differences(kg, "allies", oracle.allies(day), asOf=d)
    if every_member:
        for i, inst in oracle.inst.items():
            diffs += _differences(kg, "members", oracle.members(i, day), instrument=inst["id"], asOf=d)
    return diffs


def _spans(kg: pgraph.KnowledgeGraph, oracle: Oracle, first: int, last: int) -> list[str]:
    start, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    diffs = _differences(kg, "status-changes", oracle.status_changes(start, end), **{"from": start.isoformat(), "to": end.isoformat()})
    diffs += _differences(kg, "accessions", oracle.accessions(dt.date(1949, 1, 1), end), **{"from": "1949-01-01", "to": end.isoformat()})
    diffs += _differences(kg, "timeline", oracle.timeline(first, last), **{"from": first, "to": last})
    return diffs


# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def edge() -> tuple[pgraph.KnowledgeGraph, Oracle]:
    return pgraph.load(ASOF), Oracle(_files(ASOF))


def _fixture_days(oracle: Oracle) -> list[dt.date]:
    days = set()
    for _s, _p, o in oracle.g:
        if getattr(o, "datatype", None) is not None and str(o.datatype).endswith("#date") and o.toPython().year > 1990:
            d = o.toPython()
            days |= {d - ONE_DAY, d, d + ONE_DAY, d.replace(month=12, day=31),
                     (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - ONE_DAY}
    return sorted(days | {dt.date(y, 1, 1) for y in range(1999, 2027)})


def test_queries_agree_with_the_oracle_on_every_edge_case_fixture_day(edge):
    kg, oracle = edge
    diffs = []
    stated = {o.toPython() for _s, _p, o in oracle.g if str(getattr(o, "datatype", "")).endswith("#date")}
    for day in _fixture_days(oracle):
        diffs += _compare_on(kg, oracle, day, every_member=day in stated)
    for who in ("FIN", "SWE", "AUT", "RUS", "MLT", "GEO", "JOR", "MNG", "un"):
        iri = kg.resolve("country", who)
        for day in (dt.date(2002, 10, 15), dt.date(2004, 6, 1), dt.date(2012, 5, 5), dt.date(2026, 1, 1)):
            diffs += _differences(kg, "partner-history", oracle.partner_history(URIRef(iri), day),
                                  country=who, asOf=day.isoformat())
    diffs += _spans(kg, oracle, 1999, 2026)
    assert not diffs, "\n".join(diffs)


# ------------------------------------------------------------------------------ real data

@pytest.fixture(scope="module")
def real_pair(real) -> tuple[pgraph.KnowledgeGraph, Oracle]:
    return real, Oracle(_files(ROOT / "data"))


def test_queries_agree_with_the_oracle_on_real_data_every_first_of_january(real_pair):
    kg, oracle = real_pair
    diffs = []
    for year in range(1990, 2027):
        diffs += _compare_on(kg, oracle, dt.date(year, 1, 1), every_member=year % 4 == 2)
    diffs += _spans(kg, oracle, 1990, 2026)
    assert not diffs, "\n".join(diffs)


def test_queries_agree_with_the_oracle_on_real_data_around_each_accession_and_status_change(real_pair):
    kg, oracle = real_pair
    events = {d for d in oracle.accession.values() if d.year >= 1990} | {w.day for _t, _k, w in oracle.changes}
    diffs = []
    for d in sorted(events):
        for day in (d - ONE_DAY, d, d + ONE_DAY):
            diffs += _compare_on(kg, oracle, day, every_member=False, pairs=day == d)
    assert not diffs, "\n".join(diffs)


def test_partner_history_agrees_with_the_oracle_for_every_participant(real_pair):
    kg, oracle = real_pair
    diffs = []
    for who in sorted({h.who for h in oracle.held}):
        code = str(oracle.g.value(who, DCTERMS.identifier))
        diffs += _differences(kg, "partner-history", oracle.partner_history(who, dt.date(2024, 12, 31)),
                              country=code, asOf="2024-12-31")
    assert not diffs, "\n".join(diffs)
