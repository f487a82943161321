"""Building the jungle report: every figure and table comes from a named saved query, rendered into one page."""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any, Callable

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


def _challenges(kg: Any) -> list[dict[str, Any]]:
    """The six challenges, each with the assessments and figures the graph links to it and the
    saved queries whose headers say they expose it."""
    by_challenge: dict[str, dict[str, Any]] = {}
    for row in kg.query("challenge-evidence"):
        entry = by_challenge.setdefault(row["challenge"], {
            "key": row["challenge"], "notation": row["notation"], "label": row["label"],
            "definition": row["definition"], "evidence": [], "queries": []})
        if row["evidence"]:
            entry["evidence"].append(row)
    for saved in kg.catalog:
        for key in saved.challenges:
            if key in by_challenge:
                by_challenge[key]["queries"].append(saved.name)
    return sorted(by_challenge.values(), key=lambda e: str(e["notation"]))


def _reform(kg: Any, day: str) -> dict[str, Any] | None:
    """The tier what-if (when the scenario is loaded): tiers, the article's examples, today beside the tiers."""
    from .. import reform
    from ..errors import QueryError
    from ..report import charts
    try:
        reform.tiers(kg)
    except QueryError:
        return None
    assignments = reform.assign(kg, as_of=day)
    result = reform.before_after(kg, assignments, as_of=day)
    article = reform.compare_with_article(kg, assignments)
    return {
        "assignments": assignments,
        "article": article,
        "agree": sum(1 for r in article if r["agreement"] == "agree"),
        "compare": reform.comparison_rows(result),
        "replaced": result["replaced"],
        "today_svg": charts.network(result["today"]["graph"]),
        "tiers_svg": charts.network(result["tiers"]["graph"]),
    }


def collect(kg: Any, *, as_of: dt.date, metric: str = "jaccard", scenario: Any | None = None,
            progress: Callable[[str], None] = lambda _step: None) -> dict[str, Any]:
    """Everything the page shows, each piece with the saved query that produced it.

    scenario: the same graph with data/scenarios/tiers.ttl loaded (kept apart from the facts that
    are validated); with it the page has the tier what-if section.
    """
    from ..graphs import overlap_graph
    from ..validate import Settings, validate_store
    from ..report import charts
    day = as_of.isoformat()
    progress("instruments")
    instruments = kg.query("instruments", asOf=day)
    partners = kg.query("partners", asOf=day)
    memberships = kg.query("memberships", asOf=day)
    sources = {(r["kind"], r["id"]): r["source"] for r in kg.query("citations")}
    in_force = [r for r in instruments if r["status"] != "ended"]
    headline = {
        "active": len(in_force),
        "created": len(instruments),
        "terminated": sum(1 for r in instruments if r["status"] == "ended"),
        "partners": len(partners),
        "participations": len(memberships),
        "average": round(sum(r["instruments"] for r in partners) / len(partners), 1) if partners else 0.0,
    }
    progress("timeline")
    timeline_rows = kg.query("timeline", **{"from": 1991, "to": as_of.year})
    events = kg.query("events", **{"from": "1991-01-01", "to": day})
    progress("overlap graph")
    graph = overlap_graph(kg, asOf=day, metric=metric)
    progress("tables")
    never = [r for r in kg.query("never-terminated", asOf=day) if r["assessment"]]
    suspended = [r for r in memberships if r["status"] == "suspended"]
    progress("reform what-if")
    reform = _reform(scenario, day) if scenario is not None else None
    progress("validation")
    validation = validate_store(kg.backend, settings=Settings(as_of=as_of))
    progress("charts")
    return {
        "as_of": day,
        "metric": metric,
        "headline": headline,
        "instruments": instruments,
        "timeline_svg": charts.timeline(timeline_rows, events),
        "events": [e for e in events if e["instruments_created"]],
        "network_svg": charts.network(graph),
        "matrix": charts.matrix(graph, metric),
        "edges": graph.number_of_edges(),
        "redundant": kg.query("redundant", asOf=day),
        "subsumed": kg.query("subsumed", asOf=day),
        "never_terminated": never,
        "dormant": kg.query("dormant", asOf=day),
        "suspended": suspended,
        "partners": partners,
        "trust_funds": kg.query("trust-funds"),
        "validation": validation,
        "challenges": _challenges(kg),
        "sources": sources,
        "kinds": sorted({r["kind"] for r in in_force}),
        "reform": reform,
    }


def render(data: dict[str, Any]) -> str:
    """The page: one self-contained HTML document, every text from the data escaped."""
    import jinja2
    from ..version import __version__
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["source_of"] = lambda ident, kind="instrument": data["sources"].get((kind, ident), "")
    css = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")
    return env.get_template(TEMPLATE).render(version=__version__, css=css, **data,
                                             generated=dt.date.today().isoformat())


def build_report(kg: Any, output: str | Path, *, as_of: dt.date | None = None, metric: str = "jaccard",
                 scenario: Any | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Collect, render and write the report atomically; the collected data is returned (tests compare it)."""
    from ..output import write_atomic
    from ..graphs import METRICS
    if metric not in METRICS:
        raise UsageError(f"unknown metric '{metric}'; choose one of {', '.join(METRICS)}")
    progress = progress or Progress()
    data = collect(kg, as_of=as_of or dt.date.today(), metric=metric, scenario=scenario, progress=progress.step)
    progress.step("writing")
    write_atomic(output, render(data))
    progress.done()
    return data
