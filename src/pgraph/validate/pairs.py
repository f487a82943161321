"""The two pairwise smells, redundant pair and subsumed instrument, counted from participation
rows (graphs/pairwise.py) instead of a self-join per shape: the same findings, messages included,
as the shapes' SPARQL gives (tests/test_validation.py compares both on the fixtures and the data)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from .engine import CompiledShapes, Finding, _fill

PGSH = "https://w3id.org/pgraph/shapes#"


def _texts(p: Any, thing: Any) -> list[str]:
    return [str(i) for i in p.ids.get(thing, ())]


def _redundant(p: Any, check: Any, targets: set[Any], settings: dict[str, Any]) -> list[Finding]:
    from ..graphs import decimal_ratio, round3
    order, counts = p.shared_counts()
    threshold, out = Decimal(settings["minJaccard"].value), []
    for i, j, shared in counts:
        this, value = order[i], order[j]
        if this not in targets:
            continue
        den = len(p.members[this]) + len(p.members[value]) - shared
        if decimal_ratio(shared, den) < threshold:
            continue
        common = p.areas.get(this, set()) & p.areas.get(value, set())
        if not common:
            continue
        permille = round3(shared, den)
        row = {"jaccard": f"{permille // 1000}.{str(1000 + permille % 1000)[1:]}",
               "min": settings["minJaccard"].value, "area": p.min_key(common)}
        out += [_finding(check, this, value, {**row, "other": other}) for other in _texts(p, value)]
    return out


def _subsumed(p: Any, check: Any, targets: set[Any], settings: dict[str, Any]) -> list[Finding]:
    order, counts = p.shared_counts()
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


def _term(text: str) -> str:
    """An instrument's text (an IRI, or '_:' and a blank node's id) written as the engine writes the term."""
    return text if text.startswith("_:") else f"<{text}>"


def _finding(check: Any, this: Any, value: Any, row: dict[str, Any]) -> Finding:
    return Finding(focus=_term(this), severity=check.severity, component=check.component,
                   message=_fill(check.message, row), shape=check.shape, path=None, value=_term(value))


SHAPES: dict[str, Callable[..., list[Finding]]] = {PGSH + "RedundantPairShape": _redundant,
                                                  PGSH + "SubsumedShape": _subsumed}


def pair_findings(store: Any, compiled: CompiledShapes) -> list[Finding]:
    """Findings of the pairwise smells, from one SELECT of active participations (and one of areas)."""
    checks = [c for c in compiled.checks if c.shape in SHAPES and c.component == "SPARQLConstraintComponent"]
    if not checks:
        return []
    from ..graphs import Participation, thing_text
    settings = {str(s["p"].value).removeprefix(PGSH): s["o"] for s in store.query(
        f"SELECT ?p ?o WHERE {{ <{PGSH}settings> ?p ?o }}")}
    p = Participation.from_store(store, settings["asOf"].value)
    out: list[Finding] = []
    for check in checks:
        targets = {thing_text(s["this"]) for s in store.query(f"SELECT ?this WHERE {{ {check.target} }}")}
        out += SHAPES[check.shape](p, check, targets, settings)
    return out
