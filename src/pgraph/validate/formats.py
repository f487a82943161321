"""Validation reports for people (text, Markdown) and machines (JSON, the standard SHACL report in Turtle)."""
from __future__ import annotations

import json
import os
from typing import Any, Callable

from ..output import escape_c1, for_terminal, visible_controls
from .engine import SEVERITIES, Finding
from .run import Report

FORMATS = ("text", "json", "turtle", "md")
_PREFIXES = {
    "https://w3id.org/pgraph/ontology#": "pg:", "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "https://w3id.org/pgraph/id/": "", "https://w3id.org/pgraph/shapes#": "",
}


def _short(iri: str | None) -> str:
    if not iri:
        return ""
    iri = iri[1:-1] if iri.startswith("<") and iri.endswith(">") else iri
    for ns, prefix in _PREFIXES.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


def _rel(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


def _entry(report: Report, f: Finding) -> dict[str, Any]:
    label, ident = report.labels.get(f.focus, (None, None))
    where = report.locations.get(f.focus)
    shape = report.shapes.get(f.shape, {})
    return {
        "severity": f.severity,
        "rule": shape.get("label", _short(f.shape)),
        "shape": f.shape,
        "focus": f.focus[1:-1] if f.focus.startswith("<") else f.focus,
        "focus_label": label,
        "focus_id": ident or _short(f.focus).rsplit("/", 1)[-1],
        "file": _rel(where[0]) if where else None,
        "line": where[1] if where else None,
        "path": _short(f.path) if f.path else None,
        "value": f.value if f.value != f.focus else None,
        "message": f.message,
        "fix": shape.get("fix", ""),
        "component": f.component,
    }


def _header(report: Report) -> str:
    n = len(report.files.data)
    counts = ", ".join(f"{report.count(s)} {s.lower()}{'s' if report.count(s) != 1 and s != 'Info' else ''}"
                       for s in SEVERITIES)
    return (f"pgraph validate: ontology + {n} data file{'s' if n != 1 else ''}, as of "
            f"{report.settings.as_of.isoformat()} ({report.engine} engine): {counts}")


def text(report: Report) -> str:
    """Results grouped by severity, each naming the thing, where it is defined, and what is wrong."""
    out = [_header(report)]
    titles = {"Violation": "VIOLATIONS: errors in the data, fix them",
              "Warning": "WARNINGS: jungle smells the data exposes",
              "Info": "INFO: jungle smells worth knowing"}
    for severity in SEVERITIES:
        entries = [_entry(report, f) for f in report.findings if f.severity == severity]
        out.append(f"\n{titles[severity]} ({len(entries)})")
        for e in entries:
            name = e["focus_label"] or e["focus_id"]
            ident = f" [{e['focus_id']}]" if e["focus_label"] else ""
            where = f"  {e['file']}:{e['line']}" if e["file"] else ""
            out.append(f"  {e['rule']}: {name}{ident}{where}")
            detail = e["message"]
            if e["path"]:
                detail = f"{e['path']}: {detail}"
            if e["value"]:
                detail += f" (value {_short(e['value']) if e['value'].startswith('<') else e['value']})"
            out.append(f"    {detail}")
            if severity == "Violation" and e["fix"]:
                out.append(f"    fix: {e['fix']}")
    return visible_controls("\n".join(out)) + "\n"  # data text never sends a terminal escape


def to_json(report: Report) -> str:
    doc = {
        "as_of": report.settings.as_of.isoformat(),
        "engine": report.engine,
        "files": [_rel(str(p)) for p in report.files.all],
        "counts": {s.lower(): report.count(s) for s in SEVERITIES},
        "conforms": report.conforms,
        "results": [_entry(report, f) for f in report.findings],
    }
    return escape_c1(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"


def markdown(report: Report) -> str:
    esc = lambda s: for_terminal(str(s or "")).replace("|", "\\|")  # noqa: E731
    out = [f"**{_header(report)}**", "", "| severity | rule | focus | where | message |", "|---|---|---|---|---|"]
    for f in report.findings:
        e = _entry(report, f)
        where = f"{e['file']}:{e['line']}" if e["file"] else ""
        focus = f"{e['focus_label']} [{e['focus_id']}]" if e["focus_label"] else e["focus_id"]
        msg = f"{e['path']}: {e['message']}" if e["path"] else e["message"]
        out.append(f"| {e['severity']} | {esc(e['rule'])} | {esc(focus)} | {esc(where)} | {esc(msg)} |")
    return "\n".join(out) + "\n"


def turtle(report: Report) -> str:
    """The standard SHACL validation report (sh:ValidationReport) in Turtle."""
    import pyoxigraph as ox
    sh = "http://www.w3.org/ns/shacl#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    node = ox.BlankNode("report")
    triples = [ox.Triple(node, rdf_type, ox.NamedNode(sh + "ValidationReport")),
               ox.Triple(node, ox.NamedNode(sh + "conforms"),
                         ox.Literal("true" if report.conforms else "false",
                                    datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")))]

    def term(nt: str) -> Any:
        return next(iter(ox.parse(f"<x:s> <x:p> {nt} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object

    for i, f in enumerate(report.findings):
        r = ox.BlankNode(f"r{i}")
        triples += [ox.Triple(node, ox.NamedNode(sh + "result"), r),
                    ox.Triple(r, rdf_type, ox.NamedNode(sh + "ValidationResult")),
                    ox.Triple(r, ox.NamedNode(sh + "focusNode"), term(f.focus)),
                    ox.Triple(r, ox.NamedNode(sh + "resultSeverity"), ox.NamedNode(sh + f.severity)),
                    ox.Triple(r, ox.NamedNode(sh + "sourceConstraintComponent"), ox.NamedNode(sh + f.component)),
                    ox.Triple(r, ox.NamedNode(sh + "sourceShape"), ox.NamedNode(f.shape)),
                    ox.Triple(r, ox.NamedNode(sh + "resultMessage"), ox.Literal(f.message))]
        if f.path:
            triples.append(ox.Triple(r, ox.NamedNode(sh + "resultPath"), ox.NamedNode(f.path)))
        if f.value is not None:
            triples.append(ox.Triple(r, ox.NamedNode(sh + "value"), term(f.value)))
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"sh": sh, "pg": "https://w3id.org/pgraph/ontology#",
                                  "pgsh": "https://w3id.org/pgraph/shapes#"})
    return data.decode("utf-8")


_RENDERERS: dict[str, Callable[[Report], str]] = {"text": text, "json": to_json, "md": markdown, "turtle": turtle}


def render(report: Report, fmt: str) -> str:
    """The report in one of FORMATS."""
    return _RENDERERS[fmt](report)


def rules_markdown(described: dict[str, dict[str, str]]) -> str:
    """docs/validation.md's table of rules, generated from the shapes."""
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    rows = sorted(described.items(), key=lambda kv: (order.get(kv[1]["severity"], 9), kv[0]))
    out = ["| rule | severity | what it checks | fix |", "|---|---|---|---|"]
    for shape, d in rows:
        esc = lambda s: s.replace("|", "\\|")  # noqa: E731
        out.append(f"| {d['label']} (`{_short(shape)}`) | {d['severity']} | {esc(d['comment'])} | {esc(d['fix'])} |")
    return "\n".join(out) + "\n"
