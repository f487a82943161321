"""The fast SHACL engine: each constraint of our shapes runs once as a whole-graph SPARQL query on pyoxigraph
(a node shape's minCount 1 constraints share one query; a maxCount 1 runs only when a count of its
path's triples says some subject repeats it).

pySHACL stays the reference implementation (see validate.py); this engine supports exactly
the SHACL features pgraph's shapes use, refuses any other with a clear error (so a new
feature can never be silently ignored), and a differential test proves both engines report
the same results.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator

from ..catalog import escape_string
from ..errors import InputError

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SEVERITIES = ("Violation", "Warning", "Info")

_NODE_KEYS = {RDF_TYPE, SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf",
              SH + "property", SH + "sparql", SH + "severity", SH + "message", SH + "class", SH + "nodeKind",
              SH + "pattern", SH + "flags", SH + "deactivated", RDFS + "label", RDFS + "comment",
              "https://w3id.org/pgraph/shapes#fix"}
_PROPERTY_KEYS = {SH + "path", SH + "minCount", SH + "maxCount", SH + "datatype", SH + "class", SH + "pattern",
                  SH + "flags", SH + "in", SH + "nodeKind", SH + "languageIn", SH + "uniqueLang",
                  SH + "lessThanOrEquals", SH + "message", SH + "severity", SH + "name", SH + "description",
                  RDFS + "comment", SH + "deactivated"}
_SPARQL_KEYS = {SH + "select", SH + "message", SH + "prefixes", SH + "deactivated", RDF_TYPE}


@dataclass(frozen=True)
class Finding:
    """One validation result, engine-independent."""

    focus: str                  # N-Triples form of the focus node
    severity: str               # Violation | Warning | Info
    component: str              # e.g. MinCountConstraintComponent
    message: str
    shape: str                  # IRI of the node shape the result comes from
    path: str | None = None     # IRI of the property
    value: str | None = None    # N-Triples form of the value node

    def key(self) -> tuple[Any, ...]:
        """What two engines must agree on."""
        return (self.focus, self.path, self.value, self.severity, self.component, self.message)


class ShapesError(InputError):
    """A shapes file uses a SHACL feature the fast engine does not support, or is malformed."""


# ----------------------------------------------------------------------- reading shapes

class _Shapes:
    """A shapes graph read with pyoxigraph, with the few accessors the compiler needs."""

    def __init__(self, files: list[Path]) -> None:
        import pyoxigraph as ox
        from ..store import read_bytes
        self.ox = ox
        self.store = ox.Store()
        for path in files:
            try:
                self.store.load(read_bytes(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
            except SyntaxError as e:
                raise InputError(f"Turtle syntax error in shapes: {e.msg}", path=str(path),
                                 line=e.lineno, column=e.offset) from None

    def _node(self, iri: str) -> Any:
        return self.ox.NamedNode(iri)

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        return [q.object for q in self.store.quads_for_pattern(subject, self._node(predicate), None)]

    def value(self, subject: Any, predicate: str) -> Any:
        found = self.objects(subject, predicate)
        if len(found) > 1:
            raise ShapesError(f"shape {subject} has several values for {predicate}")
        return found[0] if found else None

    def predicates(self, subject: Any) -> set[str]:
        return {q.predicate.value for q in self.store.quads_for_pattern(subject, None, None)}

    def subjects_of_type(self, cls: str) -> list[Any]:
        return sorted((q.subject for q in self.store.quads_for_pattern(None, self._node(RDF_TYPE), self._node(cls))),
                      key=str)

    def items(self, head: Any) -> list[Any]:
        out = []
        while head is not None and not (isinstance(head, self.ox.NamedNode) and head.value == RDF + "nil"):
            out.append(self.value(head, RDF + "first"))
            head = self.value(head, RDF + "rest")
        return out

    def prefixes(self, node: Any) -> str:
        lines = []
        for declare in self.objects(node, SH + "declare"):
            prefix, ns = self.value(declare, SH + "prefix"), self.value(declare, SH + "namespace")
            lines.append(f"PREFIX {prefix.value}: <{ns.value}>\n")
        return "".join(lines)


def _nt(term: Any) -> str:
    """N-Triples form of a pyoxigraph term."""
    return str(term)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


# ----------------------------------------------------------------------- the compiled checks

@dataclass
class _Check:
    """One compiled constraint: a query giving ?this (and maybe ?value) per violation."""

    shape: str
    severity: str
    component: str
    message: str
    path: str | None
    query: str
    sparql_message: bool = False   # message has {?var} placeholders filled from the row
    value_is_focus: bool = False   # node-level constraint: the value node is the focus node
    target: str = ""               # the node shape's target pattern (giving ?this), for SPARQL constraints
    skip_if: str = ""              # an ASK whose true answer proves the query finds nothing (cheaper than it)
    parts: list["_Check"] = field(default_factory=list)  # checks this one query answers for: ?part_ in a row
                                                           # is the index of the part the row is a result of


@dataclass
class CompiledShapes:
    """The shapes as SPARQL checks, plus each node shape's target pattern."""

    checks: list[_Check] = field(default_factory=list)
    described: dict[str, dict[str, str]] = field(default_factory=dict)  # shape -> label, comment, fix, severity


# Each SHACL target kind, written two ways ({} is the target's term): as a pattern that finds ?this,
# and as a test of a ?this already bound (checks that bind ?this themselves test the few rows they give)
_TARGETS = (
    ("targetClass", f"{{{{ ?this <{RDF_TYPE}>/<{RDFS}subClassOf>* {{}} . }}}}",
     f"EXISTS {{{{ ?this <{RDF_TYPE}>/<{RDFS}subClassOf>* {{}} }}}}"),
    ("targetNode", "{{ BIND({} AS ?this) }}", "sameTerm(?this, {})"),
    ("targetSubjectsOf", "{{ SELECT DISTINCT ?this WHERE {{ ?this {} ?t_o }} }}", "EXISTS {{ ?this {} ?t_o }}"),
    ("targetObjectsOf", "{{ SELECT DISTINCT ?this WHERE {{ ?t_s {} ?this }} }}", "EXISTS {{ ?t_s {} ?this }}"),
)


def _targets(shapes: _Shapes, node: Any, form: int) -> list[str]:
    """The node shape's targets, each in one of _TARGETS' two forms (1: pattern, 2: test)."""
    return [written[form].format(_nt(t)) for written in _TARGETS for t in shapes.objects(node, SH + written[0])]


def _target_pattern(shapes: _Shapes, node: Any) -> str:
    parts = _targets(shapes, node, 1)
    if not parts:
        raise ShapesError(f"node shape {node} has no target the fast engine supports")
    # no DISTINCT: a node typed with two subclasses comes twice, and gives the same findings twice, which
    # are a set (run, pairs.py); keeping each node once cost a hash of every target in every query
    return "{ SELECT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _target_test(shapes: _Shapes, node: Any) -> str:
    """The node shape's targets as a test of a bound ?this: the same answer as joining every target first."""
    return "(" + " || ".join(_targets(shapes, node, 2)) + ")"


def _severity(shapes: _Shapes, node: Any) -> str:
    sev = shapes.value(node, SH + "severity")
    return _local(sev.value) if sev is not None else "Violation"


def _message(shapes: _Shapes, node: Any, fallback: str) -> str:
    msg = shapes.value(node, SH + "message")
    return msg.value if msg is not None else fallback


def _value_constraints(shapes: _Shapes, node: Any, query: Callable[[str], str],
                       value_pattern: str) -> Iterator[tuple[str, str]]:
    """(component, query) for the constraints on values: class, datatype, pattern, in, nodeKind, languageIn;
    query(body) makes the whole query of a WHERE body that binds ?this and ?value."""
    def q(cond: str, more: str = "") -> str:
        return query(f"{value_pattern} {more} FILTER({cond})")
    cls = shapes.value(node, SH + "class")
    if cls is not None:  # the instances of the class read once, not a NOT EXISTS per value
        yield "ClassConstraintComponent", q(
            "!isIRI(?value) && !isBlank(?value) || !BOUND(?typed_)",
            f"OPTIONAL {{ SELECT DISTINCT ?value (true AS ?typed_) WHERE {{ "
            f"?class_ <{RDFS}subClassOf>* {_nt(cls)} . ?value <{RDF_TYPE}> ?class_ }} }}")
    dt = shapes.value(node, SH + "datatype")
    if dt is not None:
        yield "DatatypeConstraintComponent", q(f"!isLiteral(?value) || DATATYPE(?value) != {_nt(dt)}")
    pattern = shapes.value(node, SH + "pattern")
    if pattern is not None:
        flags = shapes.value(node, SH + "flags")
        flag_arg = f', "{escape_string(flags.value)}"' if flags is not None else ""
        yield "PatternConstraintComponent", q(
            f'isBlank(?value) || !REGEX(STR(?value), "{escape_string(pattern.value)}"{flag_arg})')
    allowed = shapes.value(node, SH + "in")
    if allowed is not None:
        members = shapes.items(allowed)
        same = " || ".join(f"sameTerm(?value, {_nt(m)})" for m in members) or "false"
        yield "InConstraintComponent", q(f"!({same})")
    kind = shapes.value(node, SH + "nodeKind")
    if kind is not None:
        tests = {"IRI": "isIRI(?value)", "BlankNode": "isBlank(?value)", "Literal": "isLiteral(?value)",
                 "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
                 "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
                 "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))"}
        yield "NodeKindConstraintComponent", q(f"!{tests[_local(kind.value)]}")
    langs = shapes.value(node, SH + "languageIn")
    if langs is not None:
        ok = " || ".join(f'langMatches(LANG(?value), "{escape_string(lit.value)}")' for lit in shapes.items(langs))
        yield "LanguageInConstraintComponent", q(f"!isLiteral(?value) || !({ok or 'false'})")


def _joined(target: str, body: str) -> str:
    """A node-level check: every target, then the body on it (?this is the value)."""
    return f"SELECT ?this ?value WHERE {{ {target} {body} }}"


_PART = ""  # the query of a check answered as a part of another check's query


def _property_checks(shapes: _Shapes, parent: str, prop: Any, target: str, test: str) -> Iterator[_Check]:
    """The checks of one property shape; all but minCount find their rows from the property's triples
    and keep those whose ?this is a target (test), the same answer as joining with every target first.
    A minCount 1 comes with no query (_PART): _min_count_one asks for it with the shape's others."""
    unknown = shapes.predicates(prop) - _PROPERTY_KEYS
    if unknown:
        raise ShapesError(f"property shape of {parent} uses {', '.join(sorted(unknown))}, "
                          "which the fast engine does not support")
    if shapes.value(prop, SH + "deactivated") is not None:
        return
    path = shapes.value(prop, SH + "path")
    if not isinstance(path, shapes.ox.NamedNode):
        raise ShapesError(f"property shape of {parent}: only simple IRI paths are supported")
    p = _nt(path)
    severity = _severity(shapes, prop)
    message = _message(shapes, prop, f"constraint on {path.value} not met")

    def check(component: str, query: str, skip_if: str = "") -> _Check:
        return _Check(parent, severity, component, message, path.value, query, skip_if=skip_if)

    min_count = shapes.value(prop, SH + "minCount")
    if min_count is not None:
        n = int(min_count.value)
        if n == 1:  # a part of the node shape's one query for all its minCount 1 (_min_count_one)
            yield check("MinCountConstraintComponent", _PART)
        elif n > 1:
            yield check("MinCountConstraintComponent",
                        f"SELECT ?this WHERE {{ {target} OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) "
                        f"WHERE {{ ?this {p} ?v }} GROUP BY ?this }} FILTER(COALESCE(?n, 0) < {n}) }}")
    max_count = shapes.value(prop, SH + "maxCount")
    if max_count is not None:
        n = int(max_count.value)
        skip_if = ""
        if n == 0:    # any value at all
            query = f"SELECT DISTINCT ?this WHERE {{ {target} FILTER EXISTS {{ ?this {p} ?v }} }}"
        elif n == 1:  # two different values, found without counting every subject's values, and looked
            # for only when some subject has two triples of the path (one scan, no join: 3-4x cheaper)
            query = (f"SELECT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ ?this {p} ?v, ?w "
                     f"FILTER(!sameTerm(?v, ?w)) }} }} FILTER{test} }}")
            skip_if = (f"ASK {{ {{ SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) WHERE {{ ?s {p} ?o }} }} "
                       f"FILTER(?n = ?d) }}")
        else:
            query = f"SELECT ?this WHERE {{ {target} ?this {p} ?v }} GROUP BY ?this HAVING(COUNT(DISTINCT ?v) > {n})"
        yield check("MaxCountConstraintComponent", query, skip_if)

    def tested(body: str) -> str:
        return f"SELECT ?this ?value WHERE {{ {{ SELECT ?this ?value WHERE {{ {body} }} }} FILTER{test} }}"
    for component, query in _value_constraints(shapes, prop, tested, f"?this {p} ?value ."):
        yield check(component, query)
    unique = shapes.value(prop, SH + "uniqueLang")
    if unique is not None and unique.value == "true":
        yield check("UniqueLangConstraintComponent",
                    f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this ?lang WHERE {{ "
                    f"?this {p} ?v BIND(LANG(?v) AS ?lang) FILTER(?lang != \"\") }} GROUP BY ?this ?lang "
                    f"HAVING(COUNT(DISTINCT ?v) > 1) }} FILTER{test} }}")
    other = shapes.value(prop, SH + "lessThanOrEquals")
    if other is not None:
        yield check("LessThanOrEqualsConstraintComponent",
                    f"SELECT DISTINCT ?this ?value WHERE {{ {{ SELECT ?this ?value WHERE {{ ?this {p} ?value . "
                    f"?this {_nt(other)} ?w FILTER(!COALESCE(?value <= ?w, false)) }} }} FILTER{test} }}")


def _min_count_one(checks: list[_Check], target: str) -> list[_Check]:
    """The node shape's property checks with all its minCount 1 as one query: each target is read
    once and tested for every path (the rare failing ones then once per path, giving ?part_)."""
    ones = [c for c in checks if c.query == _PART]
    if not ones:
        return checks
    any_missing = " || ".join(f"NOT EXISTS {{ ?this <{c.path}> ?v_ }}" for c in ones)
    parts = " ".join(f"({i} <{c.path}>)" for i, c in enumerate(ones))
    query = (f"SELECT ?this ?part_ WHERE {{ {{ SELECT ?this WHERE {{ {target} FILTER({any_missing}) }} }} "
             f"VALUES (?part_ ?path_) {{ {parts} }} FILTER NOT EXISTS {{ ?this ?path_ ?v_ }} }}")
    combined = _Check(ones[0].shape, "", "MinCountConstraintComponent", "", None, query, parts=ones)
    return [c for c in checks if c not in ones] + [combined]


def _sparql_checks(shapes: _Shapes, shape: str, node: Any, target: str) -> Iterator[_Check]:
    severity = _severity(shapes, node)
    for constraint in shapes.objects(node, SH + "sparql"):
        unknown = shapes.predicates(constraint) - _SPARQL_KEYS
        if unknown:
            raise ShapesError(f"SPARQL constraint of {shape} uses {', '.join(sorted(unknown))}")
        if shapes.value(constraint, SH + "deactivated") is not None:
            continue
        select = shapes.value(constraint, SH + "select").value
        prologue = "".join(shapes.prefixes(p) for p in shapes.objects(constraint, SH + "prefixes"))
        # $this is the same variable as ?this: left free, the query answers for every focus node at once,
        # and joining with the targets keeps SHACL's pre-binding meaning (each sub-select projects $this).
        query = f"{prologue}SELECT * WHERE {{ {target} {{ {select} }} }}"
        message = _message(shapes, constraint, f"SPARQL constraint of {_local(shape)} not met")
        yield _Check(shape, severity, "SPARQLConstraintComponent", message, None, query,
                     sparql_message=True, value_is_focus=True, target=target)


def compile_shapes(files: list[Path]) -> CompiledShapes:
    """The shapes in these files as SPARQL checks; unsupported SHACL features are refused."""
    shapes = _Shapes(files)
    compiled = CompiledShapes()
    for node in shapes.subjects_of_type(SH + "NodeShape"):
        shape = node.value
        unknown = shapes.predicates(node) - _NODE_KEYS
        if unknown:
            raise ShapesError(f"node shape {shape} uses {', '.join(sorted(unknown))}, "
                              "which the fast engine does not support")
        label, comment = shapes.value(node, RDFS + "label"), shapes.value(node, RDFS + "comment")
        fix = shapes.value(node, "https://w3id.org/pgraph/shapes#fix")
        compiled.described[shape] = {"label": label.value if label else _local(shape),
                                     "comment": comment.value if comment else "",
                                     "fix": fix.value if fix else "", "severity": _severity(shapes, node)}
        if shapes.value(node, SH + "deactivated") is not None:
            continue
        target = _target_pattern(shapes, node)
        severity = _severity(shapes, node)
        node_message = _message(shapes, node, f"{_local(shape)} not met")
        test = _target_test(shapes, node)
        for component, query in _value_constraints(shapes, node, partial(_joined, target), "BIND(?this AS ?value)"):
            compiled.checks.append(_Check(shape, severity, component, node_message, None, query,
                                          value_is_focus=True))
        checks = [c for prop in shapes.objects(node, SH + "property")
                  for c in _property_checks(shapes, shape, prop, target, test)]
        compiled.checks.extend(_min_count_one(checks, target))
        compiled.checks.extend(_sparql_checks(shapes, shape, node, target))
    return compiled


# ----------------------------------------------------------------------- running

def _fill(message: str, row: dict[str, Any]) -> str:
    import re
    for name, term in row.items():
        if term is None:
            continue
        text = term.value if hasattr(term, "value") else str(term)
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _m, t=text: t, message)
    return message


WORKERS = min(4, os.cpu_count() or 1)  # checks run side by side: the engine evaluates a query without the GIL


def run(store: Any, compiled: CompiledShapes, *, skip: frozenset[str] = frozenset()) -> list[Finding]:
    """All findings of the compiled shapes on a pyoxigraph store, in a stable order; the SPARQL
    constraints of the shapes in skip are left to the caller (validate/pairs.py counts them)."""
    from concurrent.futures import ThreadPoolExecutor
    checks = [c for c in compiled.checks if not (c.shape in skip and c.component == "SPARQLConstraintComponent")]
    findings: set[Finding] = set()
    asked = _Asked(store)  # checks of the same path on several shapes share the answer of their skip_if
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # findings are a set: the order of the checks is moot
        for found in pool.map(partial(_check_findings, store, asked=asked), checks):
            findings.update(found)
    return ordered(findings)


class _Asked:
    """The answers of ASK queries on one store, each asked once however many threads want it."""

    def __init__(self, store: Any) -> None:
        import threading
        self.store = store
        self.lock = threading.Lock()
        self.answers: dict[str, Any] = {}  # query -> Future of its bool

    def __call__(self, query: str) -> bool:
        from concurrent.futures import Future
        with self.lock:
            answer, mine = self.answers.get(query), False
            if answer is None:
                answer = self.answers[query] = Future()
                mine = True
        if mine:
            try:
                answer.set_result(bool(self.store.query(query)))
            except BaseException as e:
                answer.set_exception(e)
        return bool(answer.result())


def _check_findings(store: Any, check: _Check, asked: _Asked | None = None) -> list[Finding]:
    """The findings of one check: one query over the whole graph (none when its skip_if holds)."""
    try:
        if check.skip_if and (asked or _Asked(store))(check.skip_if):
            return []
        result = store.query(check.query)
    except (SyntaxError, OSError, RuntimeError) as e:
        raise ShapesError(f"shape {check.shape}: its {check.component} query failed: {e}") from None
    names = [v.value for v in result.variables]
    found = []
    for solution in result:
        row = {n: solution[n] for n in names}
        focus = row.get("this")
        if focus is None:
            continue
        part = check.parts[int(row["part_"].value)] if check.parts else check
        value = row.get("value")
        if value is None and part.value_is_focus:
            value = focus
        message = _fill(part.message, row) if part.sparql_message else part.message
        found.append(Finding(focus=_nt(focus), severity=part.severity, component=part.component,
                             message=message, shape=part.shape, path=part.path,
                             value=_nt(value) if value is not None else None))
    return found


def ordered(findings: Any) -> list[Finding]:
    """Findings without duplicates, by severity, shape, focus, message and value."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(set(findings), key=lambda f: (order.get(f.severity, 9), f.shape, f.focus, f.message, f.value or ""))
