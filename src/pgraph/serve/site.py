"""The state one server shares across requests: the graph loaded once, the catalogue, the names
for select lists, and answers to saved queries kept while the read-only store cannot change."""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParameterError
from ..vocab import ID, ID_SPACES, sparql_prologue

#: catalogue groups, in page order: a query joins the first group one of whose tags it carries
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("overlap", "Where do instruments overlap?", ("overlap",)),
    ("history", "How did the jungle grow?", ("history", "events", "lifecycle")),
    ("partners", "Who takes part, and since when?", ("membership", "allies", "enlargement")),
    ("instruments", "What instruments are there?", ("instruments", "funding", "figures", "smells")),
    ("sources", "What do the sources say?", ("provenance", "challenges", "lookup")),
)
ENTITY_TYPES = ("instrument", "country", "event")

_NAMES = sparql_prologue() + """
SELECT ?x ?id (SAMPLE(?l) AS ?label) WHERE {
  ?x dcterms:identifier ?id .
  OPTIONAL { ?x rdfs:label ?l }
} GROUP BY ?x ?id ORDER BY LCASE(STR(?label))"""


@dataclass
class Site:
    """One loaded graph and what the pages need from it, computed once."""

    kg: Any
    query_timeout: float = 10.0
    max_rows: int = 10000
    cache_size: int = 256
    _answers: "OrderedDict[tuple[Any, ...], Any]" = field(default_factory=OrderedDict, repr=False)
    _pages: "OrderedDict[tuple[Any, ...], Any]" = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.catalog = self.kg.catalog
        self.queries = {q.name: q for q in self.catalog}
        self.curated = self.kg.curated_on()
        self.choices: dict[str, list[tuple[str, str]]] = {k: [] for k in ID_SPACES}
        self.labels: dict[str, str] = {}
        self.by_id: dict[str, str] = {}
        ambiguous: set[str] = set()
        for row in self.kg.backend.select(_NAMES):
            iri, ident = row["x"], str(row["id"])
            if not isinstance(iri, str) or not iri.startswith(ID):
                continue
            label = str(row["label"]) if row.get("label") is not None else ident
            self.labels[iri] = label
            if ident in self.by_id and self.by_id[ident] != iri:
                ambiguous.add(ident)
            self.by_id[ident] = iri
            for kind, space in ID_SPACES.items():
                if iri.startswith(space):
                    self.choices[kind].append((ident, label))
        for ident in ambiguous:
            del self.by_id[ident]

    def groups(self) -> list[tuple[str, str, list[Any]]]:
        """The saved queries grouped by the question they answer."""
        out: dict[str, list[Any]] = {key: [] for key, _, _ in GROUPS}
        other: list[Any] = []
        for q in self.queries.values():
            key = next((k for k, _, tags in GROUPS if set(tags) & set(q.tags)), None)
            (out[key] if key else other).append(q)
        groups = [(key, title, out[key]) for key, title, _ in GROUPS if out[key]]
        if other:
            groups.append(("other", "Other questions", other))
        return groups

    def saved(self, name: str) -> Any:
        """A saved query of the catalogue by name (never a file path)."""
        from ..errors import QueryError
        if name not in self.queries:
            self.catalog.get(name)  # raises with suggestions
            raise QueryError(f"no saved query named '{name}'")
        return self.queries[name]

    def values(self, saved: Any, given: dict[str, str]) -> dict[str, str]:
        """The parameters a request gave, checked against the header (unknown names refused, blanks dropped)."""
        for name in given:
            saved.param(name)
        return {k: v for k, v in given.items() if v.strip() != ""}

    def shown_values(self, saved: Any, given: dict[str, str]) -> dict[str, str]:
        """Each parameter's value as the form shows it: given, else the default (today as a date)."""
        today = dt.date.today()
        out = {}
        for spec in saved.params:
            value = given.get(spec.name)
            if value is None and spec.default is not None:
                value = str(spec.default)
                if value.lower() == "today":
                    value = today.isoformat() if spec.type == "xsd:date" else str(today.year)
            out[spec.name] = value or ""
        return out

    def answer(self, saved: Any, values: dict[str, str]) -> Any:
        """The saved query's answer, kept for later identical requests (the store is read-only)."""
        terms = saved.terms(values, self.kg.resolve)
        key = (saved.name, tuple(sorted((k, t.n3()) for k, t in terms.items())))
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        answer = self.kg.query(saved.name, **values)
        if saved.form == "SELECT" and len(answer) > self.max_rows:
            raise ParameterError(f"{saved.name}: the answer has {len(answer)} rows, more than the "
                                 f"{self.max_rows} this server sends")
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.cache_size:
                self._answers.popitem(last=False)
        return answer

    def page(self, key: tuple[Any, ...], build: Any) -> Any:
        """A built page (or any answer) kept by key for the day: the store is read-only, and 'today' moves."""
        key = (dt.date.today(), *key)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        value = build()
        with self._lock:
            self._pages[key] = value
            while len(self._pages) > self.cache_size:
                self._pages.popitem(last=False)
        return value

    def terms_text(self, saved: Any, values: dict[str, str]) -> dict[str, str]:
        """The bound parameters as plain text (IRIs and lexical forms) for 'about' sheets."""
        terms = saved.terms(values, self.kg.resolve)
        return {k: getattr(t, "lexical", getattr(t, "value", "")) for k, t in terms.items()}

    def entity_link(self, column: str, value: Any) -> str | None:
        """The entity page a cell names, if it names one (an id IRI, or an identifier of the graph)."""
        if not isinstance(value, str) or column in ("label", "summary", "title", "status", "statement"):
            return None
        if value.startswith(ID):
            return "/id/" + value[len(ID):]
        iri = self.by_id.get(value)
        return "/id/" + iri[len(ID):] if iri else None
