"""Running the SHACL shapes on a graph: the fast engine by default, pySHACL as the reference."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import UsageError
from ..paths import SHAPES_DIR
from .engine import SEVERITIES, Finding, compile_shapes, ordered, run
from ..store import FileSet, collect

PGSH = "https://w3id.org/pgraph/shapes#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ENGINES = ("fast", "pyshacl")


@dataclass(frozen=True)
class Settings:
    """The date and thresholds the jungle smells use."""

    as_of: dt.date = field(default_factory=dt.date.today)
    min_jaccard: Decimal = Decimal("0.8")
    max_instruments: int = 8
    max_quiet_years: int = 5

    def __post_init__(self) -> None:
        if not Decimal(0) < Decimal(self.min_jaccard) <= Decimal(1):
            raise UsageError(f"--min-jaccard must be in (0, 1], got {self.min_jaccard}")
        if self.max_instruments < 1:
            raise UsageError(f"--max-instruments must be at least 1, got {self.max_instruments}")
        if self.max_quiet_years < 1:
            raise UsageError(f"--max-quiet-years must be at least 1, got {self.max_quiet_years}")

    def ntriples(self) -> str:
        """The settings node, as N-Triples to add to the data graph."""
        s = f"<{PGSH}settings>"
        return (f'{s} <{PGSH}asOf> "{self.as_of.isoformat()}"^^<{XSD}date> .\n'
                f'{s} <{PGSH}minJaccard> "{Decimal(self.min_jaccard)}"^^<{XSD}decimal> .\n'
                f'{s} <{PGSH}maxInstruments> "{int(self.max_instruments)}"^^<{XSD}integer> .\n'
                f'{s} <{PGSH}maxQuietYears> "{int(self.max_quiet_years)}"^^<{XSD}integer> .\n')


@dataclass
class Report:
    """The findings of one validation run, with what is needed to explain them to a person."""

    findings: list[Finding]
    files: FileSet
    settings: Settings
    engine: str
    shapes: dict[str, dict[str, str]]
    labels: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # focus -> (label, id)
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)             # focus IRI -> (file, line)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, fail_on: str) -> bool:
        """True when there is a finding at or above the given severity."""
        level = {"violation": 0, "warning": 1, "info": 2}[fail_on]
        return any(SEVERITIES.index(f.severity) <= level for f in self.findings)

    @property
    def conforms(self) -> bool:
        """SHACL's sh:conforms: no result of any severity."""
        return not self.findings


def shape_files() -> list[Path]:
    """The shapes files, integrity rules first."""
    return sorted(SHAPES_DIR.glob("*.ttl"))


def validate(paths: Iterable[str | Path] = (), *, data_dir: str | Path | None = None, only: bool = False,
             settings: Settings | None = None, engine: str = "fast") -> Report:
    """Validate the ontology plus data/ (and/or the given files) against the shapes."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine '{engine}'; choose one of {', '.join(ENGINES)}")
    files = collect(Path(data_dir) if data_dir is not None else None, tuple(Path(p) for p in paths), only=only)
    from ..store import EmbeddedStore
    # the parsed-graph cache gives a private in-memory store: the settings node added for the run
    # and removed after never reaches the cache entry, which was written before the store is returned
    return validate_store(EmbeddedStore(files, cached=True), settings=settings, engine=engine)


def validate_store(embedded: Any, *, settings: Settings | None = None, engine: str = "fast",
                   participation: Any | None = None, locate: bool = True, show_progress: bool = True) -> Report:
    """Validate an already loaded embedded store; the settings node is added for the run and removed after.

    participation: the active participations on the settings' date already read from this store
    (graphs.Participation, not strict), which the counted smells then use instead of reading them
    again (the report reads them once for its pictures and tables). locate=False leaves out the
    focus nodes' file and line (reading every data file again: 4 s at a million triples), for a
    caller that shows none. show_progress=False: no line of its own on the terminal (the report,
    validating beside its queries, shows its own steps)."""
    import pyoxigraph as ox
    settings = settings or Settings()
    if getattr(embedded, "read_only", False):
        from ..store import EmbeddedStore
        embedded = EmbeddedStore(embedded.files)  # the settings node needs a writable store
    store = embedded.store
    added = list(ox.parse(settings.ntriples().encode(), format=ox.RdfFormat.N_TRIPLES))
    for triple in added:
        store.add(ox.Quad(triple.subject, triple.predicate, triple.object))
    try:
        compiled = compile_shapes(shape_files())
        from ..output import progress_while
        showing = progress_while("validating" if engine == "fast" else "validating with pySHACL") if show_progress \
            else contextlib.nullcontext()
        with showing:
            if engine == "fast":  # the smells counting participations from their rows (pairs.py), the rest as SPARQL
                from concurrent.futures import ThreadPoolExecutor
                from .pairs import counted_shapes, pair_findings
                counted = counted_shapes(store)
                with ThreadPoolExecutor(max_workers=1) as pool:  # counted while the SPARQL checks run
                    pairs = pool.submit(pair_findings, store, compiled, counted, participation)
                    findings = ordered(run(store, compiled, skip=counted) + pairs.result())
            else:
                findings = run_pyshacl(store, shape_files())
        report = Report(findings, embedded.files, settings, engine, compiled.described)
        _describe_focus_nodes(report, store, locate=locate)
    finally:
        for triple in added:
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
    return report


def _describe_focus_nodes(report: Report, store: Any, *, locate: bool = True) -> None:
    from ..store import index
    focus = {f.focus for f in report.findings if f.focus.startswith("<")}
    if not focus:
        return
    values = " ".join(sorted(focus))
    rows = store.query(
        "SELECT ?x ?label ?id WHERE { VALUES ?x { " + values + " } "
        "OPTIONAL { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
        "OPTIONAL { ?x <http://purl.org/dc/terms/identifier> ?id } }")
    for row in rows:
        label, ident = row["label"], row["id"]
        report.labels[str(row["x"])] = (label.value if label is not None else None,
                                        ident.value if ident is not None else None)
    if not locate:
        return
    locations = index(report.files.all)
    for f in focus:
        where = locations.get(f[1:-1])
        if where:
            report.locations[f] = where


# ----------------------------------------------------------------------- pySHACL, the reference

def run_pyshacl(store: Any, shapes: list[Path]) -> list[Finding]:
    """The same validation by pySHACL over an rdflib graph copied from the store."""
    import pyoxigraph as ox
    import rdflib
    from pyshacl import validate as pyshacl_validate
    data_graph = rdflib.Graph()
    data_graph.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8"),
                     format="nt")
    shapes_graph = rdflib.Graph()
    for path in shapes:
        shapes_graph.parse(path, format="turtle")
    with _parse_each_query_once():
        _conforms, results, _text = pyshacl_validate(data_graph, shacl_graph=shapes_graph, inference="none",
                                                     advanced=False, abort_on_first=False, allow_warnings=True)
    return findings_from_report(results, shapes_graph)


@contextlib.contextmanager
def _parse_each_query_once() -> Iterator[None]:
    """Let rdflib parse each SPARQL text once: pySHACL sends the same constraint for every focus node,
    and rdflib's parser (about 0.1 s a query) would otherwise dominate. Evaluation is unchanged."""
    import rdflib.plugins.sparql.processor as proc
    original = proc.SPARQLProcessor.query
    cache: dict[Any, Any] = {}

    def query(self: Any, text: Any, initBindings: Any = None, initNs: Any = None, base: Any = None,
              DEBUG: bool = False) -> Any:
        if isinstance(text, str):
            key = (text, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = proc.translateQuery(proc.parseQuery(text), base, initNs)
            text = cache[key]
        return original(self, text, initBindings, initNs, base, DEBUG)

    proc.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        proc.SPARQLProcessor.query = original  # type: ignore[method-assign]


def _to_nt(term: Any) -> str:
    import pyoxigraph as ox
    import rdflib
    if isinstance(term, rdflib.URIRef):
        return str(ox.NamedNode(str(term)))
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    if isinstance(term, rdflib.Literal):
        if term.language:
            return str(ox.Literal(str(term), language=term.language))
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return str(ox.Literal(str(term), datatype=datatype))
    return str(term)


def findings_from_report(results: Any, shapes_graph: Any) -> list[Finding]:
    """Findings read from a standard SHACL validation report graph (rdflib)."""
    from rdflib import Namespace
    SH = Namespace("http://www.w3.org/ns/shacl#")
    parents = {prop: node for node, prop in shapes_graph.subject_objects(SH.property)}
    out = set()
    for r in results.subjects(predicate=SH.focusNode):
        source = results.value(r, SH.sourceShape)
        shape = parents.get(source, source)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        message = results.value(r, SH.resultMessage)
        out.add(Finding(focus=_to_nt(results.value(r, SH.focusNode)),
                        severity=str(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                        component=str(results.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
                        message=str(message) if message is not None else "",
                        shape=str(shape), path=str(path) if path is not None else None,
                        value=_to_nt(value) if value is not None else None))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(out, key=lambda f: (order.get(f.severity, 9), f.shape, f.focus, f.message, f.value or ""))
