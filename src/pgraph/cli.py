"""The `pgraph` command: parses arguments, calls the API, renders; no logic of its own."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, InternalError, PgraphError, UsageError, exit_code_for


def _add_output(p: argparse.ArgumentParser, formats: tuple[str, ...], default: str) -> None:
    p.add_argument("--format", "-f", choices=formats, default=None,
                   help=f"output format (default: {default}, or from the -o file's extension)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.add_argument("--allow-service", action="store_true",
                   help="let the query call other servers with SERVICE (refused by default: no network)")
    _add_wide(p)


def _add_wide(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wide", action="store_true",
                   help="tables: one line per row, never wrapped to the terminal's width")


def _add_endpoint(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint instead of the embedded store")
    p.add_argument("--graph", metavar="IRI",
                   help="with --endpoint: the named graph holding pgraph's data (default: the one `pgraph push` "
                        "writes, https://w3id.org/pgraph/graph/facts, if it holds pgraph data, else the server's "
                        "default graph; 'default' for the server's default graph only)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="with --endpoint: give up after this many seconds (default 30)")
    p.add_argument("--max-bytes", type=int, default=None, metavar="N",
                   help="with --endpoint: refuse an answer larger than N bytes (default 256 MiB)")


def build_parser() -> argparse.ArgumentParser:
    from .version import __version__
    parser = argparse.ArgumentParser(
        prog="pgraph",
        description="Query, validate and export the knowledge graph of NATO's partnership instruments.")
    parser.add_argument("--version", action="version", version=f"pgraph {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    parser.add_argument("--data", metavar="DIR",
                        help="data directory to load instead of the bundled data/ (also $PGRAPH_DATA)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                help="what to do; `pgraph COMMAND --help` shows its options")
    sub.required = True

    p = sub.add_parser("stats", help="triples, instances per class, statuses, coverage, sourcing, curation date",
                       description="Count the triples and the instances of each pgraph class; statuses on a date, "
                                   "answers resting on an imprecise date, how far recorded holders match reported "
                                   "counts, the share of facts on a primary source, and the data's curation date.")
    p.add_argument("--format", "-f", choices=("table", "json"), default="table",
                   help="table for people (default) or json for machines")
    p.add_argument("--as-of", metavar="DATE", help="the date for status and uncertainty figures (default: today)")
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser("summary", help="the jungle in a few numbers",
                       description="The partnership jungle in five numbers: instruments ever created, instruments "
                                   "never terminated, countries that ever took part, participations, sources cited.")
    p.add_argument("--format", "-f", choices=("table", "json"), default="table",
                   help="table for people (default) or json for machines")
    p.set_defaults(run=cmd_summary)

    p = sub.add_parser("queries", help="list the saved queries, or show one with its SPARQL",
                       description="List the saved queries in queries/ with their parameters and summaries, or "
                                   "show one: its description, parameters, columns and SPARQL.")
    p.add_argument("name", nargs="?", help="a saved query to show")
    _add_wide(p)
    p.add_argument("--markdown", action="store_true", help="print the catalogue as docs/queries.md")
    p.set_defaults(run=cmd_queries)

    p = sub.add_parser("rules", help="list the validation rules (SHACL shapes) with severity and fix",
                       description="List the rules `pgraph validate` checks (ontology/shapes/), most severe first.")
    p.add_argument("--markdown", action="store_true", help="print the table used in docs/validation.md")
    _add_wide(p)
    p.set_defaults(run=cmd_rules)

    p = sub.add_parser("query", help="run a saved query",
                       description="Run a saved query from queries/. Parameters are bound as typed RDF terms.")
    p.add_argument("name", help="saved query name (see `pgraph queries`)")
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter value; give each parameter once (several values only where the "
                        "query declares the parameter 'multiple')")
    p.add_argument("--as-of", metavar="DATE", help="shortcut for --param asOf=DATE")
    p.add_argument("--strict", action="store_true",
                   help="shortcut for --param strict=true: count only what is certain on the date (docs/data.md)")
    _add_output(p, ("table", "csv", "tsv", "json", "md", "xlsx", "turtle", "ntriples", "jsonld"), "table")
    _add_endpoint(p)
    p.set_defaults(run=cmd_query)

    p = sub.add_parser("sparql", help="run an ad hoc read-only SPARQL query (text or file)",
                       description="Run a read-only SPARQL query given as text, a file or - (stdin). The project's "
                                   "prefixes are predeclared: pg, inst, country, event, io, area, challenge, figure, "
                                   "rdf, rdfs, owl, xsd, skos, dcterms, prov, org, foaf, sh, wd.")
    p.add_argument("query", help="the query text, a .rq file, or - for stdin")
    _add_output(p, ("table", "csv", "tsv", "json", "md", "turtle", "ntriples", "jsonld"), "table")
    _add_endpoint(p)
    p.set_defaults(run=cmd_sparql)

    p = sub.add_parser("export", help="export the overlap or membership graph (GraphML, GEXF, DOT, JSON, CSV, PNG, SVG, Turtle)",
                       description="Write the instrument overlap graph or the country-instrument membership graph "
                                   "on a date, or (with --from/--to) a dynamic GEXF timeline.")
    p.add_argument("graph", choices=("overlap", "membership"),
                   help="overlap: instruments joined by shared partners; membership: countries and their instruments")
    p.add_argument("--as-of", metavar="DATE", help="the date (default: today)")
    p.add_argument("--kinds", metavar="K1,K2", help="only these instrument kinds (framework, initiative, special-body, "
                                                     "forum, programme, tool, document, trust-fund)")
    p.add_argument("--metric", default="jaccard", choices=("shared", "jaccard", "overlap_coefficient", "shared_areas"),
                   help="edge weight for layout, width and --min-weight (default jaccard)")
    p.add_argument("--min-weight", default="0", metavar="X", help="leave out edges whose metric is below X")
    p.add_argument("--from", dest="from_year", metavar="YEAR", help="with --to: a dynamic GEXF, one snapshot a year")
    p.add_argument("--to", dest="to_year", metavar="YEAR", help="with --from: the last year of the timeline")
    p.add_argument("--format", "-f", choices=("graphml", "gexf", "dot", "json", "csv", "png", "svg", "turtle"),
                   help="output format (default: from the -o file's extension; json on standard output)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write (required for png)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("push", help="load the graph into a SPARQL server, replacing one named graph",
                       description="Send the ontology and data to a server in one request. With the Graph "
                                   "Store Protocol (default) ENDPOINT is the store URL (Oxigraph: /store); "
                                   "with --protocol update it is the SPARQL Update URL (Oxigraph: /update).")
    p.add_argument("--endpoint", required=True, metavar="URL", help="Graph Store or SPARQL Update endpoint")
    p.add_argument("--graph", metavar="IRI", default=None,
                   help="named graph to replace (default https://w3id.org/pgraph/graph/facts)")
    p.add_argument("--protocol", choices=("gsp", "update"), default="gsp",
                   help="gsp: one HTTP PUT to a Graph Store endpoint (default); update: one SPARQL Update request")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="give up after this many seconds (default 60)")
    p.set_defaults(run=cmd_push)

    p = sub.add_parser("validate", help="check data against the SHACL shapes and report jungle smells",
                       description="Validate the ontology and data/ (or the given files together with them) "
                                   "against ontology/shapes/. Exit 0: nothing at or above --fail-on; "
                                   "1: findings; 2: unreadable input.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="Turtle files or folders to check with the graph")
    p.add_argument("--only", action="store_true", help="check the PATHs with the ontology only, not the rest of data/")
    p.add_argument("--format", "-f", choices=("text", "json", "turtle", "md"), default=None,
                   help="text (default), json, turtle (the standard SHACL report) or md")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically)")
    p.add_argument("--fail-on", choices=("violation", "warning", "info"), default="violation",
                   help="lowest severity that makes the exit code 1 (default: violation)")
    p.add_argument("--as-of", metavar="DATE", help="date for the jungle smells (default: today)")
    p.add_argument("--min-jaccard", metavar="X", default="0.8",
                   help="Jaccard threshold of the redundant-pair smell (default 0.8)")
    p.add_argument("--max-instruments", metavar="N", default="8",
                   help="threshold of the partner-in-many-instruments smell (default 8)")
    p.add_argument("--max-quiet-years", metavar="N", default="5",
                   help="years without recorded activity before the quiet-instrument smell (default 5)")
    p.add_argument("--engine", choices=("fast", "pyshacl"), default="fast",
                   help="fast: shapes as SPARQL on pyoxigraph (default); pyshacl: the reference engine")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("reform", help="what-if: the article's tier-based reform, assigned by editable rules",
                       description="Assign every partner a tier of the tier-based reform proposed by Fasola "
                                   "(2024) using the rules in data/scenarios/tier-rules.rq (or --rules FILE), "
                                   "compare with the partners the article names, and compare the jungle today "
                                   "with the jungle under the tiers. See docs/reform.md.")
    p.add_argument("what", choices=("tiers",), help="the reform to try (tiers)")
    p.add_argument("--rules", metavar="FILE", help="a rules file (SPARQL CONSTRUCT with a '#+' header) "
                                                    "instead of data/scenarios/tier-rules.rq")
    p.add_argument("--scenario", metavar="FILE", help="a scenario file (Turtle: one pg:Scenario, its tiers and "
                                                      "the source's examples) instead of data/scenarios/tiers.ttl")
    p.add_argument("--as-of", metavar="DATE", help="the date (default: today)")
    p.add_argument("--section", choices=("all", "assignments", "article", "compare"), default="all",
                   help="what to print (default all; csv and tsv need one section)")
    p.add_argument("--format", "-f", choices=("table", "csv", "tsv", "json", "md"),
                   help="output format (default: table, or from the -o file's extension)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    _add_wide(p)
    p.set_defaults(run=cmd_reform)

    p = sub.add_parser("report", help="the main job: the jungle report, one self-contained HTML page",
                       description="Validate the graph and write the jungle report (HTML, no network requests) "
                                   "built from the saved queries. Exit 1 if the data has violations.")
    p.add_argument("-o", "--output", metavar="FILE", default="out/report.html",
                   help="where to write the page (default out/report.html)")
    p.add_argument("--as-of", metavar="DATE", help="the date the report describes (default: today)")
    p.add_argument("--metric", default="jaccard", choices=("shared", "jaccard", "overlap_coefficient", "shared_areas"),
                   help="overlap measure for the network and the matrix (default jaccard)")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("serve", help="the saved queries, entities and ontology as a local web app, API and SPARQL endpoint",
                       description="Serve the graph read-only over HTTP (docs/serve.md): a page per saved query, "
                                   "an API, a SPARQL 1.1 endpoint at /sparql, entity and ontology pages.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the catalogue in the web browser")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="stop a SPARQL query after this many seconds (default 10)")
    p.set_defaults(run=cmd_serve)
    return parser


# --------------------------------------------------------------------------- helpers

_KEPT: list[Any] = []        # graphs loaded by this command, freed by the operating system (see run)
_EXIT_AT_ONCE = False        # set by run(): the process ends right after the command


def _load(args: argparse.Namespace, *, cached: bool = True, predicates: frozenset[str] | None = None) -> Any:
    """The graph, from the parsed-graph cache when the files are unchanged (validation loads fresh);
    with predicates, only their quads when the cache has the graph (a one-question command)."""
    from .graph import load
    kg = load(args.data, cached=cached, allow_service=getattr(args, "allow_service", False), predicates=predicates)
    if _EXIT_AT_ONCE:
        _KEPT.append(kg)  # not torn down when the command returns (0.3 s at a million triples)
    return kg


def _graph(args: argparse.Namespace, *, predicates: frozenset[str] | None = None) -> Any:
    if getattr(args, "endpoint", None):
        from .graph import connect
        from .store import AUTO, MAX_BYTES
        graph = None if args.graph == "default" else (args.graph or AUTO)
        return connect(args.endpoint, graph=graph, timeout=args.timeout,
                       max_bytes=MAX_BYTES if args.max_bytes is None else args.max_bytes,
                       allow_service=args.allow_service)
    return _load(args, predicates=predicates)


def _width(args: argparse.Namespace) -> int | None:
    """The width terminal tables wrap to: the terminal's, or None (no wrapping) with --wide, -o or a pipe."""
    import shutil
    if getattr(args, "wide", False) or getattr(args, "output", None) or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def _emit(text: str, output: str | None) -> None:
    if output:
        from .output import write_atomic
        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def _emit_pieces(pieces: Iterable[str], output: str | None) -> None:
    """Text given in pieces, written as they come (to a file atomically, as _emit)."""
    if output:
        from .output import atomic_path
        with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8") as out:
            for piece in pieces:
                out.write(piece)
    else:
        for piece in pieces:
            sys.stdout.write(piece)


_EXT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".md": "md", ".txt": "table",
                ".ttl": "turtle", ".nt": "ntriples", ".jsonld": "jsonld", ".xlsx": "xlsx"}


def _format(args: argparse.Namespace, default: str) -> str:
    if args.format:
        return args.format
    if getattr(args, "output", None):
        suffix = Path(args.output).suffix.lower()
        if suffix not in _EXT_FORMATS:
            raise UsageError(f"{args.output}: unknown file extension {suffix or '(none)'}; use one of "
                             f"{', '.join(sorted(_EXT_FORMATS))} or give --format")
        return _EXT_FORMATS[suffix]
    return default


def _parse_params(pairs: list[str]) -> dict[str, str | list[str]]:
    """KEY=VALUE pairs; a key given several times keeps every value (the query decides if it may)."""
    out: dict[str, str | list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param expects KEY=VALUE, got {pair!r}")
        key = key.strip()
        if key in out:
            before = out[key]
            out[key] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            out[key] = value
    return out


def _check_form(form: str, fmt: str) -> None:
    """Refuse a format that does not fit the query's answer: rows for SELECT/ASK, triples for CONSTRUCT."""
    from .output import GRAPH_FORMATS
    if form in ("CONSTRUCT", "DESCRIBE") and fmt not in GRAPH_FORMATS:
        raise UsageError(f"format {fmt} is for SELECT queries; a {form} gives triples: "
                         f"use {', '.join(GRAPH_FORMATS)}")
    if form not in ("CONSTRUCT", "DESCRIBE") and fmt in GRAPH_FORMATS:
        raise UsageError(f"format {fmt} is for CONSTRUCT queries; use table, csv, tsv, json or md")


def _render_answer(answer: Any, fmt: str, columns: list[str] | None = None, *, width: int | None = None) -> str:
    from .output import GRAPH_FORMATS, render_rows, render_triples
    if isinstance(answer, bool):
        answer = [{"answer": answer}]
    if fmt in GRAPH_FORMATS:
        return render_triples(answer, fmt)
    return render_rows(answer, fmt, columns, width=width)


# -------------------------------------------------------------------------- commands

def cmd_stats(args: argparse.Namespace) -> int:
    import datetime as dt
    from .catalog import ParamSpec, coerce
    as_of = dt.date.fromisoformat(coerce(ParamSpec("as-of", "xsd:date"), args.as_of).lexical) if args.as_of else None
    kg = _load(args)
    stats = kg.stats(as_of)
    if args.format == "json":
        import json
        print(json.dumps(stats, indent=2))
        return EXIT_OK
    from .output import for_terminal
    print(f"triples: {stats['triples']}")
    print("instances per class:")
    for cls, n in stats["classes"].items():
        print(f"  {for_terminal(str(cls)):<28} {n:>6}")
    print(f"participations by stored status (on the curation date {stats['curated'] or 'not recorded'}):")
    for status, n in stats["participations_by_status"].items():
        print(f"  {for_terminal(str(status)):<28} {n:>6}")
    print(f"participations in force on {stats['as_of']} (docs/data.md, 'What active on a date means'):")
    for status, n in stats["held_on_date_by_status"].items():
        print(f"  {for_terminal(str(status)):<28} {n:>6}")
    u, m, p = stats["uncertain_on_date"], stats["reported_counts_matched"], stats["facts_on_primary_source"]
    print(f"answers resting on a date known only to its month or year: {u['count']} of {u['of']}{_percent(u)}")
    print(f"reported counts of holders the recorded holders match: {m['count']} of {m['of']}{_percent(m)}"
          " (see `pgraph query coverage`)")
    print(f"facts on a primary source: {p['count']} of {p['of']}{_percent(p)}")
    print(f"curated: {stats['curated'] or 'not recorded'}")
    if stats["after_curation"]:
        print(f"note: {stats['as_of']} is after the curation date {stats['curated']}: "
              "changes since then are not in the data")
    return EXIT_OK


def _percent(share: dict[str, Any]) -> str:
    return f" ({100 * share['share']:.0f}%)" if share["share"] is not None else ""


def _print_summary(kg: Any) -> None:
    from .stats import summary
    s = summary(kg.backend)
    print("The partnership jungle")
    print(f"  instruments ever created       {s['instruments']:>6}")
    print(f"  never terminated (no end date) {s['never_terminated']:>6}")
    print(f"  countries that ever took part  {s['partners_ever']:>6}")
    print(f"  participations                 {s['participations']:>6}")
    print(f"  sources cited                  {s['sources']:>6}")


def cmd_summary(args: argparse.Namespace) -> int:
    kg = _load(args)
    if args.format == "json":
        import json
        from .stats import summary
        print(json.dumps(summary(kg.backend), indent=2))
    else:
        _print_summary(kg)
    return EXIT_OK


def cmd_queries(args: argparse.Namespace) -> int:
    from .catalog import Catalog, markdown
    catalog = Catalog()
    if args.markdown:
        sys.stdout.write(markdown(catalog))
        return EXIT_OK
    if args.name:
        from .output import visible_controls
        q = catalog.get(args.name)
        lines = [f"{q.name}: {q.summary}"]
        if q.description:
            lines.append(f"\n{q.description}")
        for p in q.params:
            default = f" (default: {p.default})" if p.default is not None else (" (required)" if p.required else "")
            repeat = " (may be given several times)" if p.multiple else ""
            lines.append(f"  --param {p.name}=<{p.type}>{default}{repeat}")
        lines.append(f"columns: {', '.join(q.columns) if q.columns else '(a graph: CONSTRUCT)'}")
        if q.challenges:
            lines.append(f"challenges: {', '.join(q.challenges)}")
        lines += [f"file: {q.path}\n", q.sparql.strip()]
        print(visible_controls("\n".join(lines)))  # a query file's text never sends a terminal escape
        return EXIT_OK
    rows = [{"name": q.name, "summary": q.summary,
             "parameters": " ".join(f"{p.name}:{p.type}" for p in q.params)} for q in catalog]
    from .output import table
    sys.stdout.write(table(rows, ["name", "parameters", "summary"], width=_width(args)))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    import tempfile
    from .graphs import BINARY, format_for, membership_graph, overlap_graph, overlap_timeline, parse_kinds, write
    from .catalog import ParamSpec, coerce
    fmt = format_for(args.output, args.format)
    if fmt in BINARY and not args.output:
        raise UsageError(f"{fmt} is binary: give -o FILE")
    kinds = parse_kinds(args.kinds)
    min_weight = float(coerce(ParamSpec("min-weight", "xsd:decimal"), args.min_weight).lexical)
    as_of = coerce(ParamSpec("as-of", "xsd:date"), args.as_of).lexical if args.as_of else None
    if (args.from_year is None) != (args.to_year is None):
        raise UsageError("--from and --to go together")
    kg = _load(args)
    if args.from_year is not None:
        if args.graph != "overlap" or args.as_of:
            raise UsageError("--from/--to make a timeline of the overlap graph; leave out --as-of")
        start = int(coerce(ParamSpec("from", "year"), args.from_year).lexical)
        end = int(coerce(ParamSpec("to", "year"), args.to_year).lexical)
        graph = overlap_timeline(kg, start=start, end=end, kinds=kinds, metric=args.metric, min_weight=min_weight)
    elif args.graph == "overlap":
        graph = overlap_graph(kg, asOf=as_of, kinds=kinds, metric=args.metric, min_weight=min_weight)
    else:
        graph = membership_graph(kg, asOf=as_of, kinds=kinds)
    if args.output:
        write(graph, args.output, fmt, kg=kg)
        print(f"wrote {args.graph} graph ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges) "
              f"as {fmt} to {args.output}", file=sys.stderr)
        return EXIT_OK
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"graph.{fmt}"
        write(graph, target, fmt, kg=kg)
        sys.stdout.write(target.read_text(encoding="utf-8"))
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from .push import DEFAULT_GRAPH, push
    kg = _load(args)
    graph = args.graph or DEFAULT_GRAPH
    n = push(kg.backend, args.endpoint, graph=graph, protocol=args.protocol, timeout=args.timeout)
    from .store import parse_endpoint
    print(f"pushed {n} triples to graph <{graph}> at {parse_endpoint(args.endpoint).shown}")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from .validate import compile_shapes, rules_markdown, shape_files
    described = compile_shapes(shape_files()).described
    if args.markdown:
        sys.stdout.write(rules_markdown(described))
        return EXIT_OK
    from .output import table
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    rows = [{"rule": d["label"], "severity": d["severity"], "checks": d["comment"]}
            for d in sorted(described.values(), key=lambda d: (order.get(d["severity"], 9), d["label"]))]
    sys.stdout.write(table(rows, ["severity", "rule", "checks"], width=_width(args)))
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from .catalog import Catalog
    params = _parse_params(args.param)
    if args.as_of:
        params["asOf"] = args.as_of
    if args.strict:
        params["strict"] = "true"
    saved = Catalog().get(args.name)  # unknown names fail before any loading
    for key in params:
        saved.param(key)  # an unknown parameter, with suggestions
    saved.require(params)  # a missing parameter fails before any loading
    fmt = _format(args, "turtle" if saved.form == "CONSTRUCT" else "table")
    _check_form(saved.form, fmt)
    kg = _graph(args, predicates=_predicates_for(saved, fmt))
    pieces = kg.query_text(args.name, fmt, **params)  # an answer the counting path writes itself
    if pieces is not None:
        _emit_pieces(pieces, args.output)
        return EXIT_OK
    answer = kg.query(args.name, **params)
    if fmt == "xlsx":
        return _write_xlsx(args, saved, kg, answer, params)
    _emit(_render_answer(answer, fmt, list(saved.columns) or None, width=_width(args)), args.output)
    return EXIT_OK


def _predicates_for(saved: Any, fmt: str) -> frozenset[str] | None:
    """The predicates `pgraph query` needs loaded: the question's and the name resolver's (a
    workbook also names the sources and curation date, so it reads everything: None)."""
    from .catalog import saved_predicates
    from .graph import RESOLVER_READS
    needed = saved_predicates(saved)
    return None if needed is None or fmt == "xlsx" else needed | RESOLVER_READS


def _write_xlsx(args: argparse.Namespace, saved: Any, kg: Any, rows: list[Any],
                params: dict[str, str | list[str]]) -> int:
    """A saved query's answer as a real workbook, with a sheet naming query, parameters, dates and sources."""
    from .output import write_atomic, xlsx
    from .version import __version__
    if not args.output:
        raise UsageError("xlsx is binary: give -o FILE")
    if saved.form != "SELECT":
        raise UsageError(f"{saved.name} is a {saved.form} query; a spreadsheet holds rows (use turtle)")
    terms = saved.terms(params, kg.resolve)
    about = [("query", saved.name), ("summary", saved.summary),
             *((f"parameter {k}", ", ".join(getattr(x, "lexical", getattr(x, "value", ""))
                                            for x in (t if isinstance(t, tuple) else (t,))))
               for k, t in terms.items()),
             ("data curated on", kg.curated_on() or "unknown (remote endpoint)"),
             ("data", kg.backend.location), ("written by", f"pgraph {__version__}")]
    write_atomic(args.output, xlsx(rows, list(saved.columns) or None, about=about, sources=kg.sources_of(rows)))
    print(f"wrote {args.output} ({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)
    return EXIT_OK


def cmd_sparql(args: argparse.Namespace) -> int:
    text = args.query
    if text == "-":
        text = sys.stdin.read()
    elif text.endswith((".rq", ".sparql")) or (len(text) < 4096 and os.path.isfile(text)):
        try:
            text = Path(text).read_text(encoding="utf-8-sig")  # a byte order mark is not query text
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"{args.query}: cannot read query file: {e}") from None
    from .store import check_read_only
    form = check_read_only(text, allow_service=args.allow_service, prefixes=True)
    fmt = _format(args, "turtle" if form == "CONSTRUCT" else "table")
    _check_form(form, fmt)
    kg = _graph(args)
    answer = kg.sparql(text)
    _emit(_render_answer(answer, fmt, width=_width(args)), args.output)
    return EXIT_OK


def _settings(args: argparse.Namespace) -> Any:
    from .catalog import ParamSpec, coerce
    from .validate import Settings
    import datetime as dt
    from decimal import Decimal
    as_of = dt.date.fromisoformat(coerce(ParamSpec("as-of", "xsd:date"), args.as_of).lexical) \
        if args.as_of else dt.date.today()
    jaccard = Decimal(coerce(ParamSpec("min-jaccard", "xsd:decimal"), args.min_jaccard).lexical)
    most = int(coerce(ParamSpec("max-instruments", "xsd:integer"), args.max_instruments).lexical)
    quiet = int(coerce(ParamSpec("max-quiet-years", "xsd:integer"), args.max_quiet_years).lexical)
    return Settings(as_of=as_of, min_jaccard=jaccard, max_instruments=most, max_quiet_years=quiet)


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate
    from .validate import render
    settings = _settings(args)
    if args.only and not args.paths:
        raise UsageError("--only needs at least one PATH to check")
    report = validate(args.paths, data_dir=args.data, only=args.only, settings=settings, engine=args.engine)
    fmt = args.format or ({".json": "json", ".ttl": "turtle", ".md": "md"}.get(
        Path(args.output).suffix.lower(), "text") if args.output else "text")
    _emit(render(report, fmt), args.output)
    return EXIT_FINDINGS if report.fails(args.fail_on) else EXIT_OK


def cmd_reform(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict
    from .graph import load
    from .catalog import ParamSpec, coerce
    from .reform import SCENARIO_FILE, assign, before_after, compare_with_article, comparison_rows, read_rules
    from .output import render_rows
    fmt = _format(args, "table")
    if fmt in ("csv", "tsv") and args.section == "all":
        raise UsageError(f"{fmt} holds one table: give --section assignments, article or compare")
    as_of = coerce(ParamSpec("as-of", "xsd:date"), args.as_of or "today").lexical
    read_rules(args.rules)  # a broken rules file fails before any loading
    kg = load(args.data, files=[args.scenario or SCENARIO_FILE], cached=True)
    assignments = assign(kg, rules=args.rules, as_of=as_of)
    parts: dict[str, tuple[str, list[dict[str, Any]], list[str]]] = {}
    if args.section in ("all", "assignments"):
        rows = [{**asdict(a), "tier": a.tier if a.tier is not None else ""} for a in assignments]
        parts["assignments"] = (f"Tiers under the rules, as of {as_of}", rows,
                                ["country", "label", "tier", "tier_label", "reason"])
    if args.section in ("all", "article"):
        rows = compare_with_article(kg, assignments)
        agree = sum(1 for r in rows if r["agreement"] == "agree")
        parts["article"] = (f"The article's named examples: {agree} of {len(rows)} agree", rows,
                            ["country", "label", "article_tier", "hedged", "rules_tier", "agreement", "why"])
    if args.section in ("all", "compare"):
        rows = comparison_rows(before_after(kg, assignments, as_of=as_of))
        parts["compare"] = ("The jungle today and under the tiers", rows, ["measure", "today", "tiers"])
    if fmt == "json":
        text = json.dumps({k: rows for k, (_, rows, _) in parts.items()}, indent=2, ensure_ascii=False) + "\n"
    elif len(parts) == 1 and fmt in ("csv", "tsv"):
        (_, rows, columns), = parts.values()
        text = render_rows(rows, fmt, columns)
    else:
        heading = "## {}\n\n" if fmt == "md" else "{}\n\n"
        text = "\n".join(heading.format(title) + render_rows(rows, fmt, columns, width=_width(args))
                          for title, rows, columns in parts.values())
    _emit(text, args.output)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    import datetime as dt
    from .catalog import ParamSpec, coerce
    from .report import build_report
    as_of = dt.date.fromisoformat(coerce(ParamSpec("as-of", "xsd:date"), args.as_of).lexical) \
        if args.as_of else dt.date.today()
    output = Path(args.output)
    if output.parent and not output.parent.exists() and output.parent == Path("out"):
        output.parent.mkdir()
    from .reform import SCENARIO_FILE
    kg = _load(args)  # one load (the parsed-graph cache); the tiers are added for the what-if once the facts are validated
    data = build_report(kg, output, as_of=as_of, metric=args.metric, scenario=SCENARIO_FILE)
    report = data["validation"]
    h = data["headline"]
    say = sys.stderr if args.output == "-" else sys.stdout  # the page itself is on standard output
    print(f"Validation: {report.count('Violation')} violations, {report.count('Warning')} warnings, "
          f"{report.count('Info')} info (details: pgraph validate)", file=say)
    print(f"The partnership jungle on {as_of.isoformat()}: {h['active']} instruments in force "
          f"({h['created']} ever created, {h['terminated']} ended), {h['partners']} partner countries, "
          f"{h['participations']} participations in force, {h['average']} instruments per partner", file=say)
    print(f"Report written to {'standard output' if args.output == '-' else output.resolve()}", file=say)
    return EXIT_FINDINGS if report.fails("violation") else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve
    if not args.timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    serve(args.data, host=args.host, port=args.port, open_browser=args.open, query_timeout=args.timeout)
    return EXIT_OK


# ------------------------------------------------------------------------------ main

def _stdout_to_devnull() -> None:
    """Point file descriptor 1 at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):  # stdout is not a file (captured in tests)
        pass


class _GuardedStdout:
    """Standard output whose write failures (a full disk) become one InternalError, not a traceback."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _guard(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as e:
            _stdout_to_devnull()
            raise InternalError(f"cannot write to standard output: {e.strerror or e}") from None

    def write(self, text: str) -> int:
        return self._guard(self._stream.write, text)

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def run() -> None:
    """The `pgraph` console script: main(), then exit without freeing the loaded graph piece by piece.

    Tearing down a million-triple store and its rows costs 0.4 s CPU that the operating system does
    at once when the process ends; everything is written and flushed before, and if a flush fails
    the ordinary exit (with its error handling) runs instead."""
    global _EXIT_AT_ONCE
    _EXIT_AT_ONCE = True
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None
    os._exit(code)


def _run_reporting_errors(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        code = run(args)
        sys.stdout.flush()  # a full disk shows here, not at exit
        return code
    except PgraphError as e:
        from .output import for_terminal
        print(f"pgraph: error: {for_terminal(str(e))}", file=sys.stderr)
        return exit_code_for(e)
    except BrokenPipeError:
        try:
            sys.stdout.close()
        except OSError:
            pass
        return EXIT_OK


def _show_progress(args: argparse.Namespace) -> None:
    """Progress bars only for a person watching: stderr a terminal, output to a terminal or a file, no JSON."""
    from .output import enable_progress
    output = getattr(args, "output", None)
    fmt = getattr(args, "format", None) or (Path(output).suffix.lstrip(".").lower() if output else None)
    try:
        watched = sys.stderr.isatty() and (sys.stdout.isatty() or bool(output))
    except (AttributeError, ValueError):
        watched = False
    enable_progress(watched and fmt != "json")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run one command, map errors to exit codes in one place.

    The command runs in a worker thread so that Ctrl-C is handled at once even while the engine
    is busy in native code: the main thread removes any half-written output and exits with 130.
    """
    import signal
    import threading
    from .output import discard_pending
    from .store import discard_partial
    parser = build_parser()
    args = parser.parse_args(argv)
    _show_progress(args)
    outcome: dict[str, Any] = {}

    def terminated(signum: int, _frame: Any) -> None:  # SIGTERM, SIGHUP: the same clean-up as Ctrl-C
        discard_partial()
        discard_pending()
        print(f"\npgraph: terminated ({signal.Signals(signum).name})", file=sys.stderr)
        sys.stderr.flush()
        os._exit(128 + signum)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            previous[sig] = signal.signal(sig, terminated)
    stdout, sys.stdout = sys.stdout, _GuardedStdout(sys.stdout)
    thresholds = gc.get_threshold()
    # A command builds hundreds of thousands of rows, dicts and tuples at a million triples, none of
    # them in a reference cycle; at Python's default thresholds the cycle collector re-scans them all
    # many times over (measured: counting the overlap pairs at 1M took 1.7-2.2 s, 0.9-1.1 s with these).
    gc.set_threshold(200_000, 50, 1000)
    try:
        return _main(args, outcome)
    finally:
        gc.set_threshold(*thresholds)
        sys.stdout = stdout
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(args: argparse.Namespace, outcome: dict[str, Any]) -> int:
    """Run the command in a worker thread; Ctrl-C removes half-written output and exits with 130."""
    import threading
    from .output import discard_pending
    from .store import discard_partial

    def work() -> None:
        try:
            outcome["code"] = _run_reporting_errors(args.run, args)
        except BaseException as e:  # a bug: re-raised in the main thread with its traceback
            outcome["error"] = e

    worker = threading.Thread(target=work, name="pgraph-command", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.05)
    except KeyboardInterrupt:
        discard_partial()  # a cache entry being written
        discard_pending()
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        print("\npgraph: interrupted", file=sys.stderr)
        sys.stderr.flush()
        os._exit(exit_code_for(KeyboardInterrupt()))
    if "error" in outcome:
        error = outcome["error"]
        if args.debug or isinstance(error, SystemExit):
            raise error
        from .output import for_terminal
        print(f"pgraph: internal error: {type(error).__name__}: {for_terminal(str(error))[:300]} "
              "(run again with --debug to see the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
    return outcome["code"]



if __name__ == "__main__":
    raise SystemExit(main())
