"""Turning RDF terms from either engine into the same plain Python values."""
from __future__ import annotations

from typing import Any

from ..vocab import XSD

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


_CONVERTERS: dict[type, Any] = {}


def _converters() -> dict[type, Any]:
    """Type -> converter for pyoxigraph terms, built once (pyoxigraph imported lazily)."""
    if not _CONVERTERS:
        import pyoxigraph as ox
        cache: dict[Any, str | None] = {}

        def literal(term: Any) -> Any:
            dt_node = term.datatype
            datatype = cache.get(dt_node)
            if datatype is None:
                datatype = cache.setdefault(dt_node, dt_node.value if dt_node is not None else None)
            return _literal_value(term.value, datatype)
        _CONVERTERS.update({ox.NamedNode: lambda t: t.value, ox.BlankNode: lambda t: "_:" + t.value,
                            ox.Literal: literal})
    return _CONVERTERS


def from_oxigraph(term: Any) -> Any:
    """A pyoxigraph term as a Python value: IRI and dates as str, numbers as int/float."""
    if term is None:
        return None
    convert = (_CONVERTERS or _converters()).get(type(term))
    return convert(term) if convert else str(term)


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
