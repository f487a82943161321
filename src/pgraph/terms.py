"""Turning RDF terms from either engine into the same plain Python values."""
from __future__ import annotations

from typing import Any

from .vocab import XSD

_INTS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                           "positiveInteger", "negativeInteger", "nonPositiveInteger",
                           "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}
_BOOL = XSD + "boolean"


def _literal_value(lexical: str, datatype: str | None) -> Any:
    try:
        if datatype in _INTS:
            return int(lexical)
        if datatype in _FLOATS:
            return float(lexical)
    except ValueError:
        return lexical
    if datatype == _BOOL:
        return lexical in ("true", "1")
    return lexical


def from_oxigraph(term: Any) -> Any:
    """A pyoxigraph term as a Python value: IRI and dates as str, numbers as int/float."""
    if term is None:
        return None
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return _literal_value(term.value, term.datatype.value if term.datatype else None)
    return str(term)


def from_sparql_json(binding: dict[str, str] | None) -> Any:
    """A SPARQL 1.1 JSON results binding as the same Python value from_oxigraph gives."""
    if binding is None:
        return None
    kind = binding.get("type")
    if kind == "uri":
        return binding["value"]
    if kind == "bnode":
        return "_:" + binding["value"]
    datatype = binding.get("datatype")
    if datatype is None and "xml:lang" not in binding:
        datatype = XSD + "string"
    return _literal_value(binding["value"], datatype)
