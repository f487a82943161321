"""The smells that count active participations (redundant pair, subsumed instrument, partner in
many instruments, zombie instrument), counted from one SELECT of participation rows
(graphs/pairwise.py) instead of a self-join or an active-participation pattern per shape: the same
findings, messages included, as the shapes' SPARQL gives (tests/test_validation.py and
tests/test_pairwise.py compare both on the fixtures, the data and synthetic graphs)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from .engine import CompiledShapes, Finding, _fill

PGSH = "https://w3id.org/pgraph/shapes#"


def _texts(p: Any, thing: Any) -> list[str]:
    return [str(i) for i in p.ids.get(thing, ())]


def _redundant(p: Any, shared_counts: Any, check: Any, targets: set[Any], settings: dict[str, Any],
               store: Any) -> list[Finding]:
    from ..graphs import decimal_ratio, round3
    order, counts = shared_counts
    threshold, out = Decimal(settings["minJaccard"].value), []
    below = float(threshold) * (1 - 1e-9)  # a ratio under this is under the threshold whatever the rounding
    for i, j, shared in counts:
        this, value = order[i], order[j]
        if this not in targets:
            continue
        den = len(p.members[this]) + len(p.members[value]) - shared
        if shared < below * den or decimal_ratio(shared, den) < threshold:
            continue
        common = p.areas.get(this, set()) & p.areas.get(value, set())
        if not common:
            continue
        permille = round3(shared, den)
        row = {"jaccard": f"{permille // 1000}.{str(1000 + permille % 1000)[1:]}",
               "min": settings["minJaccard"].value, "area": p.min_key(common)}
        out += [_finding(check, this, value, {**row, "other": other}) for other in _texts(p, value)]
    return out


def _subsumed(p: Any, shared_counts: Any, check: Any, targets: set[Any], settings: dict[str, Any],
              store: Any) -> list[Finding]:
    order, counts = shared_counts
    out = []
    for x, y, shared in counts:
        for this, value in ((order[x], order[y]), (order[y], order[x])):
            if this not in targets or shared != len(p.members[this]):
                continue
            common = p.areas.get(this, set()) & p.areas.get(value, set())
            if not common:
                continue
            who = ("its only active participant also takes" if shared == 1
                   else f"all {shared} active participants also take")  # as the shape's SELECT words it
            row = {"n": str(shared), "whoAll": who, "area": p.min_key(common)}
            out += [_finding(check, this, value, {**row, "other": other}) for other in _texts(p, value)]
    return out


_UNTYPED = ("ASK { ?p <https://w3id.org/pgraph/ontology#instrument> ?i ; <https://w3id.org/pgraph/ontology#participant> ?w ; "
            "<https://w3id.org/pgraph/ontology#startDate> ?s "
            "FILTER NOT EXISTS { ?p a <https://w3id.org/pgraph/ontology#Participation> } }")


def _many(p: Any, shared_counts: Any, check: Any, targets: set[Any], settings: dict[str, Any],
          store: Any) -> list[Finding]:
    """Partners (not Allies on the date) active in at least maxInstruments instruments at once."""
    count: dict[Any, int] = {}
    for who_all in p.members.values():
        for who in who_all:
            count[who] = count.get(who, 0) + 1
    threshold, out = int(settings["maxInstruments"].value), []
    for who, n in count.items():
        if n >= threshold and who in targets:
            row = {"asOf": settings["asOf"], "max": settings["maxInstruments"], "n": str(n)}
            out.append(_finding(check, who, who, row))
    return out


# the zombie shape's SELECT without its active participations (those are the rows' instruments)
_IN_FORCE_STARTED = """PREFIX pg: <https://w3id.org/pgraph/ontology#>
PREFIX pgsh: <https://w3id.org/pgraph/shapes#>
SELECT ?this ?asOf (COUNT(DISTINCT ?p) AS ?n)
       (IF(COUNT(DISTINCT ?p) = 1, "1 participation", CONCAT(STR(COUNT(DISTINCT ?p)), " participations")) AS ?had)
WHERE {
  ?this pg:establishedOn ?established .
  pgsh:settings pgsh:asOf ?asOf .
  FILTER(?established <= ?asOf)
  OPTIONAL { ?this pg:endedOn ?end }
  FILTER(!BOUND(?end) || ?end > ?asOf)
  ?p pg:instrument ?this ; pg:startDate ?s FILTER(?s <= ?asOf)
} GROUP BY ?this ?asOf"""


def _zombie(p: Any, shared_counts: Any, check: Any, targets: set[Any], settings: dict[str, Any],
            store: Any) -> list[Finding]:
    """Instruments in force, with a participation started by the date, none of them active on it."""
    from ..graphs import thing_text
    out = []
    for row in store.query(_IN_FORCE_STARTED):
        this = thing_text(row["this"])
        if this in targets and not p.members.get(this):
            out.append(_finding(check, this, this, {"asOf": row["asOf"], "had": row["had"], "n": row["n"]}))
    return out


def _term(text: str) -> str:
    """An instrument's text (an IRI, or '_:' and a blank node's id) written as the engine writes the term."""
    return text if text.startswith("_:") else f"<{text}>"


def _finding(check: Any, this: Any, value: Any, row: dict[str, Any]) -> Finding:
    return Finding(focus=_term(this), severity=check.severity, component=check.component,
                   message=_fill(check.message, row), shape=check.shape, path=None, value=_term(value))


SHAPES: dict[str, Callable[..., list[Finding]]] = {PGSH + "RedundantPairShape": _redundant,
                                                  PGSH + "SubsumedShape": _subsumed,
                                                  PGSH + "ManyInstrumentsShape": _many,
                                                  PGSH + "ZombieShape": _zombie}


# a date the rows read as xsd:date(...) and the four shapes compare as it is
_NOT_A_DATE = ("ASK { VALUES ?d { <https://w3id.org/pgraph/ontology#startDate> <https://w3id.org/pgraph/ontology#endDate> "
               "<https://w3id.org/pgraph/ontology#establishedOn> <https://w3id.org/pgraph/ontology#endedOn> "
               "<https://w3id.org/pgraph/ontology#date> } ?x ?d ?o "
               "FILTER(!isLiteral(?o) || DATATYPE(?o) != <http://www.w3.org/2001/XMLSchema#date>) }")


def counted_shapes(store: Any) -> frozenset[str]:
    """The shapes counted here on this graph. The many-instruments and zombie shapes' pattern is the
    rows' pattern except that it does not ask for pg:Participation: a graph with an untyped
    participation leaves those shapes to their SPARQL. Every one of the four shapes compares dates as
    they are, where the rows read them as xsd:date(...): a date of another type (an xsd:dateTime, a
    plain string) leaves all four to their SPARQL."""
    if store.query(_NOT_A_DATE):
        return frozenset()
    out = frozenset(SHAPES)
    if store.query(_UNTYPED):
        out -= {PGSH + "ManyInstrumentsShape", PGSH + "ZombieShape"}
    return out


def pair_findings(store: Any, compiled: CompiledShapes, shapes: frozenset[str] = frozenset(SHAPES),
                  participation: Any | None = None) -> list[Finding]:
    """Findings of the counted smells (those in shapes), from one SELECT of active participations
    (and one of areas), or from those rows already read (participation, on the settings' date)."""
    checks = [c for c in compiled.checks if c.shape in shapes and c.component == "SPARQLConstraintComponent"]
    if not checks:
        return []
    from ..graphs import Participation, thing_text
    settings = {str(s["p"].value).removeprefix(PGSH): s["o"] for s in store.query(
        f"SELECT ?p ?o WHERE {{ <{PGSH}settings> ?p ?o }}")}
    as_of = settings["asOf"].value
    if participation is not None and participation.as_of != as_of:
        from ..errors import InternalError
        raise InternalError(f"participations of {participation.as_of} given to validate on {as_of}")
    p = participation if participation is not None else Participation.from_store(store, as_of)
    shared_counts = p.shared_counts()  # the pairs sharing participants, counted once for both pair smells
    out: list[Finding] = []
    for check in checks:
        targets = {thing_text(s["this"]) for s in store.query(f"SELECT ?this WHERE {{ {check.target} }}")}
        out += SHAPES[check.shape](p, shared_counts, check, targets, settings, store)
    return out
