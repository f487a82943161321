"""The columns a SELECT answer shows, in the order the query writes them (engines sort `SELECT *`)."""
from __future__ import annotations

import re
from typing import Any

from .binding import variables_in_order

_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.I)


def column_order(query: str, names: list[str]) -> list[str]:
    """The answer's variable names; for `SELECT *`, in the order they first appear in the query."""
    if not _STAR.search(query):
        return list(names)
    seen = {name: i for i, name in enumerate(dict.fromkeys(variables_in_order(query)))}
    return sorted(names, key=lambda n: (seen.get(n, len(seen)), names.index(n)))


def in_query_order(query: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose keys follow column_order (the values are untouched)."""
    if not rows:
        return rows
    order = column_order(query, list(rows[0]))
    return [{k: row.get(k) for k in order} for row in rows]
