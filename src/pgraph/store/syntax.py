"""Checking a SPARQL text without running it: its form, whether it calls SERVICE, and where it goes
wrong (line, column and a one-line cause naming the token)."""
from __future__ import annotations

import re

_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_OXIGRAPH = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%\\-]*")
_TOKEN = re.compile(r"\"[^\"\n]{0,30}\"?|'[^'\n]{0,30}'?|<[^>\s]{0,60}>?|[?$]?\w+|\S")


def locate(text: str, error: SyntaxError) -> tuple[int | None, int | None, str]:
    """Line, column and one-line cause of a SPARQL syntax error found by the engine.

    The engine reports where its parser gave up (often the end of the text); rdflib's parser
    points at the clause that cannot continue, so its position is preferred when it has one.
    Causes name the token that could not be read, never the engine's list of character classes.
    """
    found = _OXIGRAPH.match(str(error))
    line, column, cause = ((int(found.group(1)), int(found.group(2)), found.group(3).strip()) if found
                           else (None, None, str(error)))
    if "Prefix not found" in cause and line and column:
        return line, column, _unknown_prefix(text, line, column)
    try:
        from rdflib.plugins.sparql import prepareQuery
        prepareQuery(text)
    except Exception as e:  # rdflib's ParseException carries lineno and col
        if getattr(e, "lineno", None) and getattr(e, "col", None):
            near = re.search(r"found (.*?)\s+\(at char", str(e))
            return e.lineno, e.col, f"unexpected {near.group(1)}" if near else _short(text, e.lineno, e.col, cause)
    return line, column, _short(text, line, column, cause)


def uses_service(text: str) -> bool:
    """True if the query has a SERVICE clause (a federated call to another server), escapes expanded."""
    if "service" not in text.casefold() and "\\u" not in text and "\\U" not in text:
        return False  # the keyword cannot be there, even escaped: no need to tokenize
    from .lexer import keywords
    return "SERVICE" in keywords(text)


def parse_form(text: str) -> str:
    """The query form (SELECT, CONSTRUCT, ASK, DESCRIBE) of a text that parses; SyntaxError otherwise.

    Never reaches the network: a query with SERVICE is only parsed (rdflib's parser); any other
    query is handed to an empty in-memory Oxigraph store, where nothing can be fetched.
    """
    if uses_service(text):
        from rdflib.plugins.sparql.parser import parseQuery
        try:
            parseQuery(text)
        except Exception as e:  # rdflib's ParseException: lineno, col and what it found
            raise SyntaxError(f"error at {getattr(e, 'lineno', 0)}:{getattr(e, 'col', 0)}: {e}") from None
        from .lexer import tokens
        return next((t.word for t in tokens(text) if t.word in _FORMS), "SELECT")
    import pyoxigraph as ox
    result = ox.Store().query(text)
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    if isinstance(result, ox.QueryTriples):
        return "CONSTRUCT"
    return "SELECT"


def _line(text: str, line: int) -> str:
    lines = text.splitlines() or [""]
    return lines[min(line, len(lines)) - 1]


def _unknown_prefix(text: str, line: int, column: int) -> str:
    """'unknown prefix foo:' for the prefixed name that ends (or stands) where the parser stopped."""
    source = _line(text, line)
    for m in _PREFIXED.finditer(source):
        if m.start() < column <= m.end() + 1:
            prefix = (m.group(1) or "") + ":"
            return f"unknown prefix '{prefix}' in '{m.group(0)}'; declare it with PREFIX {prefix} <...>"
    return "unknown prefix; declare it with PREFIX name: <...>"


def _short(text: str, line: int | None, column: int | None, cause: str) -> str:
    """One line: the token at the position ('end of text' past it), with the engine's expectation if short."""
    first = cause.splitlines()[0] if cause else "syntax error"
    if line is None or column is None:
        return first
    rest = "\n".join(text.splitlines()[line - 1:])
    offset = len(_line(text, line)[:column - 1]) if line <= len(text.splitlines()) else 0
    tail = rest[offset:].lstrip() if line <= len(text.splitlines()) else ""
    token = _TOKEN.match(tail)
    where = f"unexpected '{token.group(0)}'" if token else "unexpected end of text"
    expected = first.removeprefix("expected one of ").removeprefix("expected ")
    if "\n" in cause or len(expected) > 80 or "[" in expected:
        return where
    return f"{where}; expected {expected}"
