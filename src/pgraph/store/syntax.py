"""Checking a SPARQL text without running it: its form, whether it calls SERVICE, and where it goes wrong."""
from __future__ import annotations

import re

_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_OXIGRAPH = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def locate(text: str, error: SyntaxError) -> tuple[int | None, int | None, str]:
    """Line, column and cause of a SPARQL syntax error found by the engine.

    The engine reports where its parser gave up (often the end of the text); rdflib's parser
    points at the clause that cannot continue, so its position is preferred when it has one.
    """
    found = _OXIGRAPH.match(str(error))
    line, column, cause = ((int(found.group(1)), int(found.group(2)), found.group(3).strip()) if found
                           else (None, None, str(error)))
    try:
        from rdflib.plugins.sparql import prepareQuery
        prepareQuery(text)
    except Exception as e:  # rdflib's ParseException carries lineno and col
        if getattr(e, "lineno", None) and getattr(e, "col", None):
            near = re.search(r"found (.*?)\s+\(at char", str(e))
            return e.lineno, e.col, f"unexpected {near.group(1)}" if near else cause
    return line, column, cause


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
