"""Reading a server's SPARQL 1.1 JSON results, checked shape by shape: a malformed answer is one
clear ValueError (the backend names the server), never a traceback or a wrong value."""
from __future__ import annotations

import json
from typing import Any

from .terms import from_sparql_json

_KINDS = ("uri", "literal", "typed-literal", "bnode")


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("the answer nests JSON too deeply to be SPARQL results") from None
    except ValueError:
        raise ValueError(f"the answer is not SPARQL JSON results (first bytes: {body[:60]!r})") from None


def _term(name: str, value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError(f"malformed SPARQL JSON results: the binding of ?{name} is not an object")
    kind, lexical = value.get("type"), value.get("value")
    if kind not in _KINDS:
        raise ValueError(f"malformed SPARQL JSON results: the binding of ?{name} has type {kind!r}")
    if not isinstance(lexical, str):
        raise ValueError(f"malformed SPARQL JSON results: the binding of ?{name} has no string 'value'")
    for key in ("datatype", "xml:lang"):
        if key in value and not isinstance(value[key], str):
            raise ValueError(f"malformed SPARQL JSON results: the binding of ?{name} has a non-string {key}")
    if kind == "typed-literal":  # SPARQL 1.0 JSON: a literal with a datatype
        value = {**value, "type": "literal"}
    return from_sparql_json(value)


def select_rows(body: bytes) -> list[dict[str, Any]]:
    """The rows of a SELECT answer, keyed by the variables the answer's head names."""
    doc = _load(body)
    head = doc.get("head") if isinstance(doc, dict) else None
    results = doc.get("results") if isinstance(doc, dict) else None
    names = head.get("vars") if isinstance(head, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(names, list) or not isinstance(bindings, list):
        raise ValueError(f"the answer is not SPARQL JSON results (first bytes: {body[:60]!r})")
    if not all(isinstance(n, str) for n in names):
        raise ValueError("malformed SPARQL JSON results: head.vars holds something other than names")
    rows = []
    for binding in bindings:
        if not isinstance(binding, dict):
            raise ValueError("malformed SPARQL JSON results: a row is not an object")
        rows.append({n: _term(n, binding[n]) if n in binding else None for n in names})
    return rows


def boolean(body: bytes) -> bool:
    """The answer of an ASK query: a JSON true or false, nothing else (not the string "false")."""
    doc = _load(body)
    value = doc.get("boolean") if isinstance(doc, dict) else None
    if not isinstance(value, bool):
        raise ValueError(f"the answer is not a SPARQL boolean result (boolean: {value!r})"[:200])
    return value
