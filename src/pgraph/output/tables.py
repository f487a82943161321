"""Rendering query answers for people (table, Markdown) and machines (CSV, TSV, JSON; Turtle and friends)."""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Callable

from ..errors import UsageError
from .neutral import escape_c1, for_spreadsheet, for_terminal

ROW_FORMATS = ("table", "csv", "tsv", "json", "md")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")


def _cell(value: Any, sep: str = "; ") -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return sep.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def _columns(rows: list[dict[str, Any]], columns: list[str] | None) -> list[str]:
    if columns:
        return list(columns)
    return list(rows[0]) if rows else []


def table(rows: list[dict[str, Any]], columns: list[str] | None = None, *, max_width: int = 60) -> str:
    """An aligned plain-text table, long cells cut with an ellipsis; control characters shown, never sent."""
    keys = _columns(rows, columns)
    if not keys:
        return "(no rows)\n"
    cols = [for_terminal(c) for c in keys]
    cells = [[for_terminal(_cell(r.get(c), " ")) for c in keys] for r in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(cols), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _spreadsheet_cell(value: Any) -> str:
    """A CSV/TSV cell: numbers as numbers, text that a spreadsheet would run as a formula guarded."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, bool)) or value is None:
        return _cell(value)
    return for_spreadsheet(_cell(value, ";"))


def _delimited(rows: list[dict[str, Any]], columns: list[str] | None, delimiter: str) -> str:
    cols = _columns(rows, columns)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow([for_spreadsheet(c) for c in cols])
    for r in rows:
        writer.writerow([_spreadsheet_cell(r.get(c)) for c in cols])
    return buf.getvalue()


def markdown(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table."""
    cols = _columns(rows, columns)
    esc = lambda s: for_terminal(s).replace("|", "\\|")  # noqa: E731
    out = ["| " + " | ".join(esc(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(esc(_cell(r.get(c))) for c in cols) + " |" for r in rows]
    return "\n".join(out) + "\n"


def to_json(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """A JSON array of objects keyed by column."""
    cols = _columns(rows, columns)
    return escape_c1(json.dumps([{c: r.get(c) for c in cols} for r in rows], ensure_ascii=False, indent=2)) + "\n"


_ROW_RENDERERS: dict[str, Callable[..., str]] = {
    "table": table,
    "csv": lambda rows, cols=None: _delimited(rows, cols, ","),
    "tsv": lambda rows, cols=None: _delimited(rows, cols, "\t"),
    "json": to_json,
    "md": markdown,
}


def render_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> str:
    """Rows in one of ROW_FORMATS."""
    if fmt not in _ROW_RENDERERS:
        raise UsageError(f"unknown format '{fmt}' for rows; choose one of {', '.join(ROW_FORMATS)}")
    return _ROW_RENDERERS[fmt](rows, columns)


def render_triples(triples: list[Any], fmt: str) -> str:
    """pyoxigraph triples as Turtle, N-Triples or JSON-LD."""
    import pyoxigraph as ox
    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
    if fmt not in formats:
        raise UsageError(f"unknown format '{fmt}' for a graph; choose one of {', '.join(GRAPH_FORMATS)}")
    from ..vocab import PREFIXES
    kwargs: dict[str, Any] = {"prefixes": PREFIXES} if fmt == "turtle" else {}
    data = ox.serialize(triples, format=formats[fmt], **kwargs)
    return escape_c1(data.decode("utf-8") if isinstance(data, bytes) else str(data))
