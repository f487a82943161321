"""Building the jungle report: every figure and table comes from a named saved query, rendered into one page."""
from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import UsageError

TEMPLATE = "template.html.j2"


class Progress:
    """Step names on the terminal, shown only once a build has taken more than a second."""

    def __init__(self, stream: Any = None, *, after: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.start, self.after, self.shown = time.monotonic(), after, False
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def step(self, name: str) -> None:
        elapsed = time.monotonic() - self.start
        if self.enabled and elapsed >= self.after:
            self.stream.write(f"\r\x1b[Kreport: {name}… ({elapsed:.1f} s)")
            self.stream.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


TABLE_LIMIT = 300      # rows a table shows at most; the note under it gives the count and the command for all
PAIRS_SHOWN = 150      # strongest overlap pairs listed under the picture (all of them on the real data: 107)


def _capped(rows: list[Any], limit: int = TABLE_LIMIT) -> dict[str, Any]:
    """A table's rows, at most `limit` of them, with the total so the page can say what it left out."""
    return {"rows": rows[:limit], "total": len(rows)}


def http_url(value: Any) -> str:
    """The value if it is an http(s) URL (a link the page may hold), else '' (shown as text, never a link)."""
    text = str(value or "").strip()
    head = text.split(":", 1)[0].lower()
    return text if head in ("http", "https") and text[len(head):].startswith("://") and " " not in text else ""


def first_sentence(note: Any) -> str:
    """The first sentence of a note (the decision a status change records), whole if it has one sentence."""
    import re
    text = " ".join(str(note or "").split())
    found = re.match(r"(.+?[.!?])(\s+[A-Z(]|$)", text)
    return found.group(1) if found else text


def _figure(row: dict[str, Any]) -> str:
    """A reported figure's value and unit as the source gives them ('0.5-1 percent of ...', '13 countries')."""
    value, upper, unit = row.get("value"), row.get("value_max"), row.get("unit")
    if value is None or value == "":
        return ""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if upper is not None and upper != "":
        text += "–" + (f"{upper:g}" if isinstance(upper, float) else str(upper))
    return f"{text} {unit}" if unit else text


def _about(about: Any, names: dict[str, str]) -> str:
    """What a piece of evidence is about, by name: 'pfp' -> 'Partnership for Peace', 'ARM in pfp' -> 'Armenia in ...'."""
    text = str(about or "")
    who, sep, what = text.partition(" in ")
    return f"{names.get(who, who)} in {names.get(what, what)}" if sep else names.get(text, text)


def _challenges(kg: Any, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The six challenges, each with the assessments and figures the graph links to it and the
    saved queries whose headers say they expose it."""
    by_challenge: dict[str, dict[str, Any]] = {}
    for row in kg.query("challenge-evidence"):
        entry = by_challenge.setdefault(row["challenge"], {
            "key": row["challenge"], "notation": row["notation"], "label": row["label"],
            "definition": row["definition"], "evidence": [], "queries": []})
        if row["evidence"]:
            entry["evidence"].append({**row, "figure": _figure(row), "about_name": _about(row["about"], names or {})})
    for saved in kg.catalog:
        for key in saved.challenges:
            if key in by_challenge:
                by_challenge[key]["queries"].append(saved.name)
    return sorted(by_challenge.values(), key=lambda e: str(e["notation"]))


def _reform(kg: Any, day: str, edge_limit: int | None, *, ruled: Callable[[], None] = lambda: None,
            facts_read: Callable[[], None] = lambda: None) -> dict[str, Any] | None:
    """The tier what-if (when the scenario is loaded): tiers, the article's examples, today beside the tiers.

    ruled() is called once the rules have been applied (their CONSTRUCT has read the store);
    facts_read() returns once the facts' answers the comparison reuses (partners, instruments) are in."""
    from .. import reform
    from ..errors import QueryError
    from ..report import charts
    try:
        reform.tiers(kg)
    except QueryError:
        return None
    assignments = reform.assign(kg, as_of=day)
    ruled()
    article = reform.compare_with_article(kg, assignments)
    facts_read()
    result = reform.before_after(kg, assignments, as_of=day)
    return {
        "assignments": _capped(assignments),
        "unassessed": _capped([a for a in assignments if a.tier is None], 20),
        "article": article,
        "agree": sum(1 for r in article if r["agreement"] == "agree"),
        "compare": reform.comparison_rows(result),
        "replaced": result["replaced"],
        "today_picture": charts.network(result["today"]["graph"], edge_limit=edge_limit),
        "tiers_picture": charts.network(result["tiers"]["graph"], edge_limit=edge_limit),
    }


def _curated_on(kg: Any) -> str | None:
    """The data's curation date derived from its files (their last commit), when no dataset states one."""
    derive = getattr(kg, "curated_on", None)
    return derive() if derive else None


def _glossary(instruments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every instrument created by the date: acronym, name, kind, created, ended or status, active participants."""
    return sorted(instruments, key=lambda r: (str(r.get("acronym") or r["label"]).lower(), str(r["established"])))


def _pairs(graph: Any, metric: str, countries: dict[str, str]) -> list[dict[str, Any]]:
    """The strongest overlap pairs, with names and the shared participants spelled out (what the picture's hover says)."""
    import heapq
    from ..graphs import edge_list
    strongest = heapq.nsmallest(PAIRS_SHOWN, edge_list(graph),
                                key=lambda e: (-float(e[2].get(metric, 0) or 0), -int(e[2]["shared"])))
    strongest.sort(key=lambda e: (-float(e[2].get(metric, 0) or 0), -int(e[2]["shared"]), str(min(e[0], e[1])),
                                  str(max(e[0], e[1]))))
    out = []
    for a, b, d in strongest:
        a, b = sorted((a, b))
        shared = [c for c in str(d.get("shared_countries", "")).split(";") if c]
        out.append({"a": a, "b": b, "a_name": graph.nodes[a]["label"], "b_name": graph.nodes[b]["label"],
                    "value": d.get(metric), "shared": d["shared"],
                    "countries": ", ".join(countries.get(c, c) for c in shared)})
    return out


class _Remembered:
    """A backend that runs each query text once for one report: the page asks `instruments` and
    `partners` in three places and counts participations for three pairwise questions; at a million
    triples each asking costs seconds. Only reads pass through it (validation gets the real backend)."""

    def __init__(self, backend: Any, first: "_Answers | None" = None) -> None:
        self._backend, self._answers, self._first = backend, _Answers(), first
        if hasattr(backend, "store"):  # the pairwise questions read the engine's own rows (graphs/pairwise.py)
            self.store = _RememberedEngine(backend.store, self._answers)

    def _once(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The answer to key: another's (first) when it has asked the same, else computed here once."""
        found = self._first.known(key) if self._first is not None else None
        return found.result() if found is not None else self._answers.once(key, compute)

    def select(self, text: str) -> list[Any]:
        return self._once(("select", text), lambda: self._backend.select(text))

    def construct(self, text: str) -> list[Any]:
        return self._once(("construct", text), lambda: self._backend.construct(text))

    def ask(self, text: str) -> bool:
        return self._backend.ask(text)

    def kept(self, key: Any, build: Callable[[], Any]) -> Any:
        """What is built from the answers (graphs.Participation), built once for the report."""
        return self._answers.once(("kept", key), build)

    def __getattr__(self, name: str) -> Any:  # files, location, ...
        return getattr(self._backend, name)


class _Answers:
    """Answers by key, each computed once even when two threads ask at once (the report asks some
    queries ahead in a second thread): the later asker waits for the first one's answer."""

    def __init__(self) -> None:
        import threading
        self._lock, self._found = threading.Lock(), {}

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        from concurrent.futures import Future
        with self._lock:
            found, mine = self._found.get(key), False
            if found is None:
                found, mine = self._found.setdefault(key, Future()), True
        if mine:
            try:
                found.set_result(compute())
            except BaseException as e:
                found.set_exception(e)
                raise
        return found.result()

    def known(self, key: Any) -> Any:
        """The answer (a Future) to key if it has been asked, else None."""
        with self._lock:
            return self._found.get(key)


class _RememberedEngine:
    """The embedded engine's SELECT solutions kept per query text (for the pairwise questions' rows)."""

    def __init__(self, store: Any, answers: _Answers) -> None:
        self._store, self._answers = store, answers

    def query(self, text: str) -> Any:
        def solutions() -> Any:
            result = self._store.query(text)
            return _Solutions(result) if hasattr(result, "variables") else result
        return self._answers.once(("engine", text), solutions)


class _Solutions(list):
    """A SELECT's solutions, kept to be read again, with the variables the engine names (as its answer has)."""

    def __init__(self, result: Any) -> None:
        super().__init__(result)
        self.variables = result.variables


def remembering(kg: Any) -> Any:
    """The same graph, asking each query text of the engine once (see _Remembered); the catalogue is read
    whole once (the page uses most queries and every header) rather than one file at each asking."""
    from ..graph import KnowledgeGraph
    kg.catalog.names()
    return KnowledgeGraph(_Remembered(kg.backend), kg.catalog, fast_pairs=kg.fast_pairs)


@contextlib.contextmanager
def scenario_added(kg: Any, path: str | Path) -> Iterator[Any]:
    """The graph with a scenario file's statements added for a while, then taken out again (those the
    facts already held stay): one load of the facts serves both the validated facts and the what-if."""
    import pyoxigraph as ox
    from ..errors import InputError, UsageError
    from ..store import read_bytes
    engine = getattr(kg.backend, "store", None)
    if engine is None or not hasattr(engine, "add"):
        raise UsageError("a scenario file can be added only to a graph loaded from files (not a server)")
    try:
        quads = [ox.Quad(t.subject, t.predicate, t.object)
                 for t in ox.parse(read_bytes(Path(path)), format=ox.RdfFormat.TURTLE)]
    except SyntaxError as e:
        raise InputError(f"Turtle syntax error: {e.msg}", path=str(path), line=e.lineno, column=e.offset) from None
    added = [q for q in dict.fromkeys(quads) if q not in engine]
    for q in added:
        engine.add(q)
    try:
        yield kg
    finally:
        for q in added:
            engine.remove(q)


class _WithScenario:
    """The engine's store read with a scenario's statements, which are kept in a graph of their own
    (the facts' queries and validation, reading the default graph, never see them). ready is set once
    a CONSTRUCT has been asked: the engine answers from the store as it was when asked."""

    def __init__(self, store: Any, graph: Any, ready: Any) -> None:
        import pyoxigraph as ox
        self._store, self.ready, self._triples = store, ready, ox.QueryTriples
        if any(g != graph for g in store.named_graphs()):
            self._read = {"default_graph": [ox.DefaultGraph(), graph]}
        else:  # the same graphs read as the union of all, which the engine does faster (rules: 5.1 -> 4.6 s at 1M)
            self._read = {"use_default_graph_as_union": True}

    def query(self, text: str, **options: Any) -> Any:
        import pyoxigraph as ox
        result = self._store.query(text, **self._read, **options)
        if isinstance(result, self._triples):  # a CONSTRUCT's (or DESCRIBE's) triples
            self.ready.set()
            # taken in one call, not one at a time: each step of the engine's iterator takes Python's
            # lock back, and beside the page's Python work that waits its turn every time (the
            # rules' 78k triples at 1M: 1 s alone, 9 s beside a busy thread)
            nt = ox.RdfFormat.N_TRIPLES
            return [q.triple for q in ox.parse(result.serialize(format=nt), format=nt)]
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@contextlib.contextmanager
def scenario_beside(facts: Any, remembered: Any, path: str | Path, ready: Any) -> Iterator[Any]:
    """The graph with a scenario file's statements, as scenario_added gives it, while the facts are
    read as they are beside it: the statements the facts do not hold go into a graph of their own
    that this graph's queries read with the default graph; they are taken out after. Texts the
    facts' remembering graph (remembered) has asked get its answers, as with one remembering graph.
    ready: see _WithScenario."""
    import copy
    import pyoxigraph as ox
    from ..errors import InputError, UsageError
    from ..graph import KnowledgeGraph
    from ..store import read_bytes
    engine = getattr(facts.backend, "store", None)
    if engine is None or not hasattr(engine, "add"):
        raise UsageError("a scenario file can be added only to a graph loaded from files (not a server)")
    try:
        triples = list(ox.parse(read_bytes(Path(path)), format=ox.RdfFormat.TURTLE))
    except SyntaxError as e:
        raise InputError(f"Turtle syntax error: {e.msg}", path=str(path), line=e.lineno, column=e.offset) from None
    graph = ox.BlankNode()  # a fresh name: no graph of the data can have it
    added = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in dict.fromkeys(triples) if ox.Quad(t.subject, t.predicate, t.object) not in engine]
    for q in added:
        engine.add(q)
    backend = copy.copy(facts.backend)
    backend.store = _WithScenario(engine, graph, ready)
    try:
        yield KnowledgeGraph(_Remembered(backend, first=remembered.backend._answers), facts.catalog,
                             fast_pairs=facts.fast_pairs)
    finally:
        for q in added:
            engine.remove(q)


def collect(kg: Any, *, as_of: dt.date, metric: str = "jaccard", scenario: Any | None = None,
            edge_limit: int | None = None, progress: Callable[[str], None] = lambda _step: None) -> dict[str, Any]:
    """Everything the page shows, each piece with the saved query that produced it.

    scenario: with it the page has the tier what-if section. Either the path of a scenario file
    (data/scenarios/tiers.ttl), whose statements go into a graph of their own beside kg's facts for
    the what-if and are taken out again after (one load instead of two; see scenario_beside), or a
    graph loaded with it apart.
    Each query text runs once (the page asks some in several places); the what-if's "today" side
    is the facts' answer. edge_limit: the strongest edges each network picture draws at most (its
    caption says how many of how many; default: the pictures' own, graphs.EDGE_LIMIT).
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from ..validate import Settings, validate_store
    from ..report import charts
    facts, kg = kg, remembering(kg)
    day = as_of.isoformat()
    # the what-if from the start, beside everything else: the scenario's statements in a graph of
    # their own, so the facts' queries and validation read the facts alone meanwhile; its rules'
    # CONSTRUCT (seconds at a million triples, in the engine without the GIL) reads the store before
    # validation adds its settings node (ruled), and the comparison takes the facts' partners and
    # instruments once the page has asked them (facts_read: set when they are asked, the rest of
    # the facts still to come)
    ruled, facts_read = threading.Event(), threading.Event()

    def what_if() -> Any:
        try:
            if isinstance(scenario, (str, Path)):
                with scenario_beside(facts, kg, scenario, ruled) as seen:
                    return _reform(seen, day, edge_limit, ruled=ruled.set, facts_read=facts_read.wait)
            return _reform(scenario, day, edge_limit) if scenario is not None else None
        finally:
            ruled.set()

    background = ThreadPoolExecutor(max_workers=2)
    reforming, validating = background.submit(what_if), None
    try:
        progress("participations")
        shared = _participation(kg, day)

        def validate_then_ask_ahead() -> Any:
            ruled.wait()
            found = validate_store(facts.backend, settings=Settings(as_of=as_of), participation=shared,
                                   locate=False, show_progress=False)
            for name, params in AHEAD:  # the facts alone: the settings node is gone
                kg.query(name, **{k: v.replace("{day}", day) for k, v in params.items()})
            return found

        # validated beside the page's queries (the engine runs without the GIL: the page's queries and
        # counting use one core, the checks the other), then the last tables' queries asked ahead while
        # the overlap graph is counted; the page shows no file and line, so none are looked up
        validating = background.submit(validate_then_ask_ahead)
        background.shutdown(wait=False)
        try:
            data = _facts(kg, as_of, metric, progress, asked=facts_read.set)
        finally:
            facts_read.set()
        progress("charts")
        # the facts' pictures read no more from the store than the overlap graph already holds
        graph = data.pop("graph")
        countries = data.pop("countries")
        pictures = {"network": charts.network(graph, edge_limit=edge_limit),
                    "pairs": _pairs(graph, metric, countries),
                    "matrix": charts.matrix(graph, metric),
                    "edges": graph.number_of_edges()}
        progress("validation")
        validation = validating.result()
        progress("reform what-if")
        reform = reforming.result()
    except BaseException:
        facts_read.set()
        for running in (validating, reforming):  # the store is not changed while they still read it
            with contextlib.suppress(BaseException):
                if running is not None:
                    running.result()
        raise
    return {
        **data,
        **pictures,
        "validation": validation,
        "findings": _capped(validation.findings),
        "reform": reform,
    }


# queries the page asks last, asked ahead in the validation's thread once it is done ({day}: the as-of date)
AHEAD = (("suspensions", {"asOf": "{day}"}), ("never-terminated", {"asOf": "{day}"}))


def strict_partners(memberships: list[dict[str, Any]]) -> int:
    """The partner countries `partners` counts with strict=true, from the memberships rows already read
    (not asked of the engine again: 1.5 s at a million triples). Both queries take the same
    participations; a (instrument, participant) row is 'active' when one of them is certain on the
    date and not suspended, which is the strict reading's test, and partners groups by id and label."""
    return len({(r["participant"], r["label"]) for r in memberships
                if r["type"] == "country" and r["status"] == "active"})


def _participation(kg: Any, day: str) -> Any | None:
    """The active participations on the date, read once for the overlap picture, the redundant and
    subsumed tables (their engine rows are kept) and validation's smells (this object); None where
    the pairwise questions are not counted."""
    if not getattr(kg, "fast_pairs", False) or not hasattr(getattr(kg.backend, "store", None), "query"):
        return None
    from ..graphs import Participation
    shared = Participation.fetch(kg, day)
    shared.areas  # read now: validation's thread reads them too
    return shared


def _facts(kg: Any, as_of: dt.date, metric: str, progress: Callable[[str], None],
           asked: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """What the page shows from the facts' queries (validation and the what-if apart); the overlap
    graph and the countries' names come along for the pictures drawn after. asked() is called once
    instruments and partners are asked (the what-if's comparison reuses their answers)."""
    from ..graphs import overlap_graph
    from ..report import charts
    day = as_of.isoformat()
    progress("instruments")
    instruments = kg.query("instruments", asOf=day)
    partners = kg.query("partners", asOf=day)
    asked()
    memberships = kg.query("memberships", asOf=day)
    sources = {(r["kind"], r["id"]): r["source"] for r in kg.query("citations")}
    curated = kg.query("curation")
    names = {r["instrument"]: r["label"] for r in instruments}
    countries = {r["country"]: r["label"] for r in kg.query("allies", asOf=day)}
    countries.update({r["participant"]: r["label"] for r in memberships})
    countries.update({r["country"]: r["label"] for r in partners})
    in_force = [r for r in instruments if r["status"] != "ended"]
    headline = {
        "active": len(in_force),
        "created": len(instruments),
        "terminated": sum(1 for r in instruments if r["status"] == "ended"),
        "partners": len(partners),
        "participations": len(memberships),
        "average": round(sum(r["instruments"] for r in partners) / len(partners), 1) if partners else 0.0,
        # the reading these figures use (docs/data.md): what rests on a month- or year-only date counts
        "uncertain": sum(1 for r in memberships if r["status"] == "uncertain"),
        "strict_partners": strict_partners(memberships),
    }
    progress("timeline")
    timeline_rows = kg.query("timeline", **{"from": 1991, "to": as_of.year})
    events = kg.query("events", **{"from": "1991-01-01", "to": day})
    progress("overlap graph")
    graph = overlap_graph(kg, asOf=day, metric=metric)
    progress("tables")
    never = [r for r in kg.query("never-terminated", asOf=day) if r["assessment"]]
    suspended = [{**r, "decision": first_sentence(r["decision"])} for r in kg.query("suspensions", asOf=day)]
    redundant = [{**r, "a_name": names.get(r["a"], r["a"]), "b_name": names.get(r["b"], r["b"])}
                 for r in kg.query("redundant", asOf=day)]
    subsumed = [{**r, "instrument_name": names.get(r["instrument"], r["instrument"]),
                 "within_name": names.get(r["within"], r["within"])} for r in kg.query("subsumed", asOf=day)]
    dormant = [{**r, "country_name": countries.get(r["country"], r["country"]),
                "instrument_name": names.get(r["instrument"], r["instrument"])} for r in kg.query("dormant", asOf=day)]
    partner_rows = [{**r, "which": [(i, names.get(i, i)) for i in r["instrument_ids"]]} for r in partners]
    trust_funds = [{**r, "lead_names": [countries.get(c, c) for c in r["lead_nations"]],
                    "beneficiary_names": [countries.get(c, c) for c in r["beneficiaries"]],
                    "finance_names": [names.get(i, i) for i in r["finances"]]} for r in kg.query("trust-funds")]
    created_events = [{**e, "created_names": [(i, names.get(i, i)) for i in e["instruments_created"]]}
                      for e in events if e["instruments_created"]]
    return {
        "as_of": day,
        "curated": curated[0]["modified"] if curated else _curated_on(kg),
        "metric": metric,
        "headline": headline,
        "instruments": instruments,
        "glossary": _capped(_glossary(instruments)),
        "timeline_svg": charts.timeline(timeline_rows, events, names),
        "events": _capped(created_events),
        "graph": graph,
        "countries": countries,
        "redundant": _capped(redundant),
        "subsumed": _capped(subsumed),
        "never_terminated": _capped(never),
        "dormant": _capped(dormant),
        "suspended": _capped(suspended),
        "partners": _capped(partner_rows),
        "trust_funds": _capped(trust_funds),
        "challenges": _challenges(kg, {**countries, **names}),
        "sources": sources,
        "names": names,
        "kinds": sorted({r["kind"] for r in in_force}),
    }


def render(data: dict[str, Any]) -> str:
    """The page: one self-contained HTML document, every text from the data escaped."""
    import jinja2
    from ..version import __version__
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["source_of"] = lambda ident, kind="instrument": data["sources"].get((kind, ident), "")
    env.filters["name_of"] = lambda ident: data["names"].get(ident, ident)
    env.filters["http_url"] = http_url
    css = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
    return env.get_template(TEMPLATE).render(version=__version__, css=css, **data,
                                             generated=dt.date.today().isoformat())


def build_report(kg: Any, output: str | Path, *, as_of: dt.date | None = None, metric: str = "jaccard",
                 scenario: Any | None = None, edge_limit: int | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Collect, render and write the report atomically; the collected data is returned (tests compare it)."""
    from ..output import write_atomic
    from ..graphs import METRICS
    if metric not in METRICS:
        raise UsageError(f"unknown metric '{metric}'; choose one of {', '.join(METRICS)}")
    progress = progress or Progress()
    data = collect(kg, as_of=as_of or dt.date.today(), metric=metric, scenario=scenario, edge_limit=edge_limit,
                   progress=progress.step)
    progress.step("writing")
    write_atomic(output, render(data))
    progress.done()
    return data
