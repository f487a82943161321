"""Binding parameters into SPARQL as typed RDF terms in VALUES blocks, never as pasted text.

Each parameter becomes ``VALUES ?name { term }`` at the start of every WHERE group (the
query's and each sub-select's) that mentions the variable, so it holds everywhere the
variable is used — the same meaning as pre-binding, on the embedded store and on any
SPARQL 1.1 server. Terms are serialised from validated values with N-Triples escaping.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..errors import QueryError
from ..store import tokens


@dataclass(frozen=True)
class Iri:
    """An IRI term, checked to hold no character that could end it early."""

    value: str

    def __post_init__(self) -> None:
        if not _IRI_OK.fullmatch(self.value):
            raise ValueError(f"not a valid absolute IRI: {self.value!r}")

    def n3(self) -> str:
        return f"<{self.value}>"


@dataclass(frozen=True)
class Typed:
    """A literal with a datatype IRI."""

    lexical: str
    datatype: str

    def n3(self) -> str:
        return f'"{escape_string(self.lexical)}"^^<{Iri(self.datatype).value}>'


Term = Iri | Typed

_IRI_OK = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\\x00-\x20]*")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\b": "\\b", "\f": "\\f"}


def escape_string(text: str) -> str:
    """N-Triples string escaping (backslash, quote, control characters)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _scan(query: str) -> Iterator[tuple[int, str]]:
    """(position, token) for braces, WHERE keywords and variables, read by the SPARQL tokenizer."""
    for token in tokens(query):
        if token.text in ("{", "}"):
            yield token.start, token.text
        elif token.kind == "var":
            yield token.start, "?" + token.text[1:]
        elif token.word == "WHERE":
            yield token.start, "WHERE"


def _several(term: Term | tuple[Term, ...]) -> tuple[Term, ...]:
    return term if isinstance(term, tuple) else (term,)


def variables_in_order(query: str) -> list[str]:
    """Every variable the query mentions (outside strings, IRIs and comments), in order, repeats kept."""
    return [tok[1:] for _, tok in _scan(query) if tok.startswith("?")]


def where_groups(query: str) -> list[tuple[int, int, set[str]]]:
    """(open brace, close brace, variables used) for every WHERE group, outer and sub-select."""
    tokens = list(_scan(query))
    groups = []
    for k, (pos, tok) in enumerate(tokens):
        if tok != "WHERE":
            continue
        if k + 1 >= len(tokens) or tokens[k + 1][1] != "{":
            raise QueryError("every WHERE must be followed by a group '{ ... }'")
        start = tokens[k + 1][0]
        depth, names, end = 0, set(), None
        for p, t in tokens[k + 1:]:
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    end = p
                    break
            elif t.startswith("?"):
                names.add(t[1:])
        if end is None:
            raise QueryError("unbalanced braces in the query")
        groups.append((start, end, names))
    if not groups:
        raise QueryError("a saved query needs an explicit WHERE { ... } group")
    return groups


def bind(query: str, values: dict[str, Term | tuple[Term, ...]]) -> str:
    """The query with each value (or values, for a multi-valued parameter) bound by VALUES at the
    start of every WHERE group using it."""
    if not values:
        return query
    inserts = []
    for start, _end, names in where_groups(query):
        block = " ".join(f"VALUES ?{name} {{ {' '.join(t.n3() for t in _several(term))} }}"
                         for name, term in values.items() if name in names)
        if block:
            inserts.append((start + 1, " " + block + " "))
    for pos, text in sorted(inserts, reverse=True):
        query = query[:pos] + text + query[pos:]
    return query
