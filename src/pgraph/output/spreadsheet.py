"""Rows as a real .xlsx workbook: a typed answer sheet and an 'about' sheet naming query, parameters and sources."""
from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any, Iterable

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in XML, and terminal escapes
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_MAX_TEXT = 32767  # Excel's limit for one cell


def _text(value: str) -> str:
    return _CONTROL.sub("\ufffd", value)[:_MAX_TEXT]


def _typed(value: Any) -> Any:
    """A Python value as the cell value a spreadsheet should hold: dates as dates, numbers as numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return _text("; ".join(str(v) for v in value))
    text = str(value)
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return _text(text)


def _put(sheet: Any, row: int, column: int, value: Any) -> None:
    """Write one cell; text is always stored as text, and text that looks like a formula is marked
    quote-prefixed so a spreadsheet program shows it and never evaluates it."""
    cell = sheet.cell(row=row, column=column)
    typed = _typed(value)
    if isinstance(typed, str):
        cell.value = typed
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if typed.startswith(_FORMULA_START):
            cell.quotePrefix = True
    elif isinstance(typed, dt.date):
        cell.value = typed
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = typed


def xlsx(rows: list[dict[str, Any]], columns: list[str] | None = None, *,
         about: Iterable[tuple[str, Any]] = (), sources: Iterable[str] = ()) -> bytes:
    """The workbook's bytes: sheet 'answer' (header row, typed cells) and sheet 'about'
    (key/value lines such as query, parameters and curation date, then the sources)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    cols = list(columns) if columns else (list(rows[0]) if rows else [])
    book = Workbook()
    sheet = book.active
    sheet.title = "answer"
    bold = Font(bold=True)
    for j, name in enumerate(cols, start=1):
        _put(sheet, 1, j, name)
        sheet.cell(row=1, column=j).font = bold
    for i, r in enumerate(rows, start=2):
        for j, name in enumerate(cols, start=1):
            _put(sheet, i, j, r.get(name))
    sheet.freeze_panes = "A2"
    for j, name in enumerate(cols, start=1):
        longest = max([len(name)] + [len(str(r.get(name) or "")) for r in rows[:200]])
        sheet.column_dimensions[sheet.cell(row=1, column=j).column_letter].width = min(60, max(8, longest + 2))
    info = book.create_sheet("about")
    line = 1
    for key, value in about:
        _put(info, line, 1, key)
        info.cell(row=line, column=1).font = bold
        _put(info, line, 2, value)
        line += 1
    sources = list(sources)
    _put(info, line, 1, "sources")
    info.cell(row=line, column=1).font = bold
    _put(info, line, 2, f"{len(sources)} cited by the things this answer names" if sources else
         "none found for this answer")
    for url in sources:
        line += 1
        _put(info, line, 2, url)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 90
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
