"""Where a SPARQL text goes wrong: a line, a column and a short cause for a syntax error."""
from __future__ import annotations

import re

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
