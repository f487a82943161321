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


def table(rows: list[dict[str, Any]], columns: list[str] | None = None, *, width: int | None = None) -> str:
    """An aligned plain-text table; with a width (a terminal's), long cells wrap onto more lines so the
    table fits it, never cut. Control characters (terminal escapes) are shown, never sent."""
    keys = _columns(rows, columns)
    if not keys:
        return "(no rows)\n"
    cols = [for_terminal(c) for c in keys]
    cells = [[for_terminal(_cell(r.get(c), " ")) for c in keys] for r in rows]
    natural = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    widths = _fit(natural, width - 2 * (len(cols) - 1)) if width else natural

    def lines(values: list[str]) -> list[str]:
        wrapped = [_wrap(v, w) for v, w in zip(values, widths)]
        height = max(len(w) for w in wrapped)
        return ["  ".join((w[k] if k < len(w) else "").ljust(n) for w, n in zip(wrapped, widths)).rstrip()
                for k in range(height)]

    out = lines(cols) + ["  ".join("-" * w for w in widths)]
    for row in cells:
        out += lines(row)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _spreadsheet_cell(value: Any) -> str:
    """A CSV/TSV cell: numbers as numbers, text that a spreadsheet would run as a formula guarded."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, bool)) or value is None:
        return _cell(value)
    return for_spreadsheet(_cell(value, ";"))


def _fit(natural: list[int], room: int) -> list[int]:
    """Column widths that fit the room: the widest columns narrowed first, none below 8 (or its own width)."""
    if sum(natural) <= room:
        return natural
    floor = [min(n, 8) for n in natural]
    lo, hi = 1, max(natural)
    while lo < hi:  # the largest cap at which the columns still fit
        cap = (lo + hi + 1) // 2
        if sum(max(f, min(n, cap)) for n, f in zip(natural, floor)) <= room:
            lo = cap
        else:
            hi = cap - 1
    return [max(f, min(n, lo)) for n, f in zip(natural, floor)]


def _wrap(text: str, width: int) -> list[str]:
    """A cell's lines at most width characters: at spaces where it can, inside long words (URLs) where not."""
    if len(text) <= width:
        return [text]
    import textwrap
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def _delimited(rows: list[dict[str, Any]], columns: list[str] | None, delimiter: str) -> str:
    cols = _columns(rows, columns)
    if len(cols) >= 2:
        return delimited_columns({c: [r.get(c) for r in rows] for c in cols}, delimiter)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow([for_spreadsheet(c) for c in cols])
    texts: dict[str, str] = {}  # a text value is neutralised once, however many rows repeat it
    writer.writerows(zip(*[_column(rows, c, texts, _cell_function(texts)) for c in cols]) if cols else
                     [[] for _ in rows])
    return buf.getvalue()


def _cell_function(texts: dict[str, str]) -> Callable[[Any], Any]:
    """One cell as the csv module is to write it: numbers and None as they are, text neutralised
    (once per distinct value), lists of text ';'-joined, anything else as _spreadsheet_cell shows it."""
    def cell(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            shown = texts.get(value)
            if shown is None:
                shown = texts[value] = for_spreadsheet(value)
            return shown
        if kind is int or kind is float or value is None:
            return value  # the csv module writes str(int), repr(float) and '' for None, as _spreadsheet_cell
        if kind is list and all(type(v) is str for v in value):
            return cell(";".join(value))
        return _spreadsheet_cell(value)
    return cell


def delimited_columns(columns: dict[str, list[Any]], delimiter: str) -> str:
    """CSV (delimiter ',') or TSV ('\t') of two or more equal-length columns: the bytes the csv module
    writes for the rows they hold, cell by cell as _spreadsheet_cell shows them (formulas guarded).

    Column by column: one type check per column, one neutralisation and one csv quoting per distinct
    text, each row's cells joined by str.join in C (csv.writer.writerows took 0.4 s for 243k rows of six cells)."""
    if len(columns) < 2:
        raise ValueError("delimited_columns needs two columns or more")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow([for_spreadsheet(c) for c in columns])
    texts: dict[str, str] = {}
    cell = _cell_function(texts)
    quoted: dict[str, str] = {}
    probe, tail = io.StringIO(), len(delimiter) + 1  # a text written before an empty cell: its quoting alone
    quote = csv.writer(probe, delimiter=delimiter, lineterminator="\n").writerow

    def field(value: Any) -> str:
        if type(value) is not str:  # a number or None, written as the csv module writes it
            return "" if value is None else repr(value) if type(value) is float else str(value)
        found = quoted.get(value)
        if found is None:
            probe.seek(0)
            probe.truncate()
            quote((value, ""))
            found = quoted[value] = probe.getvalue()[:-tail]
        return found
    fields = []
    for values in columns.values():
        kinds = set(map(type, values))
        if kinds <= _STR:  # plain text (and None): each distinct text neutralised and quoted once
            written = {value: field(cell(value)) for value in set(values)}
            fields.append(list(map(written.__getitem__, values)))
            continue
        shown = _column_cells(values, texts, cell)
        kinds = set(map(type, shown))
        if kinds == {int}:
            fields.append(list(map(str, shown)))  # a number never needs quoting with ',' or a tab
        elif kinds == {float}:
            distinct = set(shown)  # few distinct ratios: each written once (0.0 and -0.0 are equal keys)
            written = {value: repr(value) for value in distinct} if 0.0 not in distinct else None
            fields.append(list(map(written.__getitem__ if written else repr, shown)))
        elif kinds <= _STR:
            written = {value: field(value) for value in set(shown)}
            fields.append(list(map(written.__getitem__, shown)))
        else:
            fields.append(list(map(field, shown)))
    if not fields[0]:
        return buf.getvalue()
    return buf.getvalue() + "\n".join(map(delimiter.join, zip(*fields))) + "\n"


_PLAIN = frozenset((int, float, type(None)))  # written by the csv module as _spreadsheet_cell writes them
_TEXT = frozenset((str, list, type(None)))
_STR = frozenset((str, type(None)))


def _column(rows: list[dict[str, Any]], key: str, texts: dict[str, str], cell: Callable[[Any], Any]) -> list[Any]:
    """One column of the rows, its cells as _column_cells gives them."""
    return _column_cells([r.get(key) for r in rows], texts, cell)


def _column_cells(values: list[Any], texts: dict[str, str], cell: Callable[[Any], Any]) -> list[Any]:
    """One column's cells as _cell_function's cell() gives them: numbers and None as they are, text (and
    lists of text, ';'-joined) neutralised once per distinct value, any other column cell by cell."""
    kinds = set(map(type, values))
    if kinds <= _PLAIN:
        return values
    if not kinds <= _TEXT:
        return list(map(cell, values))
    if list in kinds:
        if not {type(v) for value in values if type(value) is list for v in value} <= {str}:
            return list(map(cell, values))
        values = [";".join(v) if type(v) is list else v for v in values]
    shown: dict[Any, Any] = {None: None}
    for value in set(values).difference(shown):
        found = texts.get(value)
        if found is None:
            found = texts[value] = for_spreadsheet(value)
        shown[value] = found
    return list(map(shown.__getitem__, values))


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


def render_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None, *,
                width: int | None = None) -> str:
    """Rows in one of ROW_FORMATS; a table wraps to width when one is given."""
    if fmt not in _ROW_RENDERERS:
        raise UsageError(f"unknown format '{fmt}' for rows; choose one of {', '.join(ROW_FORMATS)}")
    if fmt == "table":
        return table(rows, columns, width=width)
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
