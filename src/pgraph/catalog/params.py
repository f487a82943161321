"""Saved-query parameter types: parse what a user typed into a typed RDF term, or say what was expected."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from .binding import Iri, Term, Typed
from ..errors import ParameterError
from ..vocab import ID_SPACES, XSD

#: resolves a short id or a name to an IRI for a kind ('instrument', 'country', 'event'),
#: or raises ParameterError with suggestions
Resolver = Callable[[str, str], str]

TYPES = ("xsd:date", "year", "xsd:integer", "xsd:decimal", "xsd:string", "xsd:boolean", "instrument", "country", "event")
_MAX_STRING = 1000
_SHORT_ID = re.compile(r"[a-z0-9][a-z0-9\-]*")
_ISO3 = re.compile(r"[A-Za-z]{3}")


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter of a saved query."""

    name: str
    type: str
    default: Any = None
    required: bool = False
    description: str = ""
    minimum: Any = None  # numbers and years: the smallest and largest value the query accepts
    maximum: Any = None
    multiple: bool = False  #: may be given several times; the query then runs for each value (VALUES)

    def describe_default(self) -> str:
        return "" if self.default is None else str(self.default)


def today() -> dt.date:
    """Today's date (one place, so tests can rely on it)."""
    return dt.date.today()


def _date(raw: Any) -> Typed:
    if isinstance(raw, dt.date):
        return Typed(raw.isoformat(), XSD + "date")
    text = str(raw).strip()
    if text.lower() == "today":
        return Typed(today().isoformat(), XSD + "date")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError("not a date")
    try:
        return Typed(dt.date.fromisoformat(text).isoformat(), XSD + "date")
    except ValueError:
        raise ValueError("not a real calendar date") from None


def _year(raw: Any) -> Typed:
    text = str(raw).strip()
    if text.lower() == "today":
        return Typed(str(today().year), XSD + "integer")
    if not re.fullmatch(r"[0-9]{4}", text):
        raise ValueError("not a four-digit year")
    return Typed(str(int(text)), XSD + "integer")


def _integer(raw: Any) -> Typed:
    if isinstance(raw, bool):
        raise ValueError("not an integer")
    text = str(raw).strip()
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", text):
        raise ValueError("not an integer")
    return Typed(str(int(text)), XSD + "integer")


def _decimal(raw: Any) -> Typed:
    if isinstance(raw, bool):
        raise ValueError("not a number")
    text = str(raw).strip()
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
        raise ValueError("not a decimal number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    return Typed(format(value, "f"), XSD + "decimal")


def _string(raw: Any) -> Typed:
    text = str(raw)
    if not text.strip():
        raise ValueError("empty text")
    if "\x00" in text:
        raise ValueError("holds a NUL character")
    if re.search(r"\\[uU]", text):  # SPARQL engines differ on whether \u escapes apply inside literals
        raise ValueError("holds a \\u escape; type the character itself")
    if len(text) > _MAX_STRING:
        raise ValueError(f"longer than {_MAX_STRING} characters")
    return Typed(text, XSD + "string")


_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def _boolean(raw: Any) -> Typed:
    text = str(raw).strip().lower()
    if text not in _TRUE | _FALSE:
        raise ValueError("not true or false")
    return Typed("true" if text in _TRUE else "false", XSD + "boolean")


def _entity(kind: str) -> Callable[[Any, Resolver | None], Iri]:
    space = ID_SPACES[kind]

    def parse(raw: Any, resolver: Resolver | None) -> Iri:
        text = str(raw).strip()
        if not text:
            raise ValueError(f"expected a {kind} id or IRI")
        if text.startswith(("http://", "https://")):
            try:
                return Iri(text)
            except ValueError:
                raise ValueError(f"not a valid IRI: {text!r}") from None
        if resolver is not None:
            return Iri(resolver(kind, text))
        if kind == "country" and _ISO3.fullmatch(text):
            return Iri(space + text.upper())
        if kind != "country" and _SHORT_ID.fullmatch(text):
            return Iri(space + text)
        raise ValueError(f"expected a {kind} id such as "
                         f"{'FIN' if kind == 'country' else 'pfp' if kind == 'instrument' else 'wales-2014'} or a full IRI")
    return parse


_PARSERS: dict[str, Callable[..., Term]] = {
    "xsd:date": lambda raw, _r: _date(raw),
    "year": lambda raw, _r: _year(raw),
    "xsd:integer": lambda raw, _r: _integer(raw),
    "xsd:decimal": lambda raw, _r: _decimal(raw),
    "xsd:string": lambda raw, _r: _string(raw),
    "xsd:boolean": lambda raw, _r: _boolean(raw),
    "instrument": _entity("instrument"),
    "country": _entity("country"),
    "event": _entity("event"),
}

_EXPECTED = {
    "xsd:date": "a date YYYY-MM-DD or 'today'", "year": "a four-digit year",
    "xsd:integer": "an integer", "xsd:decimal": "a decimal number",
    "xsd:string": f"some text (up to {_MAX_STRING} characters)", "xsd:boolean": "true or false",
    "instrument": "an instrument id (e.g. pfp) or IRI", "country": "an ISO 3166-1 alpha-3 code (e.g. FIN), a country name or an IRI",
    "event": "an event id (e.g. wales-2014) or IRI",
}


def expected(type_name: str) -> str:
    """What a user should type for a parameter type."""
    return _EXPECTED[type_name]


def _check_bounds(spec: ParamSpec, term: Term) -> None:
    """Refuse a number or year outside the header's min/max."""
    if spec.minimum is None and spec.maximum is None or not isinstance(term, Typed):
        return
    value = Decimal(term.lexical)
    if spec.minimum is not None and value < Decimal(str(spec.minimum)):
        raise ValueError(f"below the smallest allowed value {spec.minimum}")
    if spec.maximum is not None and value > Decimal(str(spec.maximum)):
        raise ValueError(f"above the largest allowed value {spec.maximum}")


def coerce(spec: ParamSpec, raw: Any, resolver: Resolver | None = None, *, query: str = "") -> Term:
    """The typed RDF term for a raw value, or ParameterError naming the parameter and what was expected."""
    try:
        term = _PARSERS[spec.type](raw, resolver)
        _check_bounds(spec, term)
        return term
    except ParameterError:
        raise
    except (ValueError, TypeError) as e:
        where = f"{query}: " if query else ""
        bounds = "".join(f" {word} {v}" for word, v in (("from", spec.minimum), ("up to", spec.maximum)) if v is not None)
        raise ParameterError(f"{where}parameter {spec.name}={str(raw)[:80]!r}: {e}; "
                             f"expected {expected(spec.type)}{bounds}") from None
