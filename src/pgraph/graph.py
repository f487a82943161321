"""The knowledge graph a user works with: one backend (embedded or remote) and the saved-query catalogue."""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .catalog import Catalog, postprocess, saved_predicates
from .errors import EndpointError, InternalError, ParameterError, QueryError
from .store import collect, curated_on
from .store import AUTO, MAX_BYTES, Backend, EmbeddedStore, RemoteStore, check_read_only
from .vocab import FACTS_GRAPH, ID_SPACES, ONTOLOGY, PG, sparql_prologue, with_prefixes

_INDEX_QUERY = sparql_prologue() + """
SELECT ?x ?id ?name WHERE {
  ?x dcterms:identifier ?id .
  OPTIONAL { ?x rdfs:label|skos:altLabel|pg:acronym ?name }
}"""
#: the predicates the name resolver reads (tests/test_reads.py derives them from its queries)
RESOLVER_READS = frozenset({"http://purl.org/dc/terms/identifier", "http://www.w3.org/2000/01/rdf-schema#label",
                            "http://www.w3.org/2004/02/skos/core#altLabel", f"{PG}acronym"})


#: a parameter of type 'country' names a participant: a country or an international organisation
_SPACES_OF = {"country": ("country", "organisation")}


def _key(text: str) -> str:
    """How names are compared: case-insensitive, spacing normalised, a leading 'the' ignored."""
    key = " ".join(text.split()).casefold()
    return key[4:] if key.startswith("the ") else key


class KnowledgeGraph:
    """pgraph's graph: run saved queries, ad hoc SPARQL, statistics and overlap graphs on one backend."""

    def __init__(self, backend: Backend, catalog: Catalog | None = None, *, fast_pairs: bool | None = None) -> None:
        self.backend = backend
        self.catalog = catalog or Catalog()
        # pairwise questions counted in Python from two saved queries' rows (graphs/pairwise.py):
        # by default on the embedded engine; a server answers the portable .rq text itself
        self.fast_pairs = isinstance(backend, EmbeddedStore) if fast_pairs is None else fast_pairs
        self._index: dict[str, dict[str, str]] | None = None
        self._names: dict[str, dict[str, str]] | None = None
        self._display: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<KnowledgeGraph on {self.backend.location}>"

    # -- ids and names ------------------------------------------------------------------
    def _build_index(self) -> None:
        ids: dict[str, dict[str, set[str]]] = {k: {} for k in ID_SPACES}
        names: dict[str, dict[str, set[str]]] = {k: {} for k in ID_SPACES}
        for row in self.backend.select(_INDEX_QUERY):
            iri = row["x"]
            for kind, space in ID_SPACES.items():
                if isinstance(iri, str) and iri.startswith(space):
                    ids[kind].setdefault(str(row["id"]).casefold(), set()).add(iri)
                    self._display[iri] = str(row["id"])
                    if row.get("name"):
                        names[kind].setdefault(_key(str(row["name"])), set()).add(iri)
        self._index, self._names = ids, names

    def _by_identifier(self, kind: str, text: str) -> set[str]:
        """Things of a kind whose identifier is the text as typed, lower- or upper-cased: one indexed lookup."""
        from .catalog import escape_string
        variants = " ".join(f'"{escape_string(v)}"' for v in dict.fromkeys((text, text.lower(), text.upper())))
        rows = self.backend.select(sparql_prologue() + f"SELECT ?x WHERE {{ VALUES ?id {{ {variants} }} "
                                                       f"?x dcterms:identifier ?id }}")
        spaces = tuple(ID_SPACES[k] for k in _SPACES_OF.get(kind, (kind,)))
        return {r["x"] for r in rows if isinstance(r["x"], str) and r["x"].startswith(spaces)}

    def resolve(self, kind: str, text: str) -> str:
        """The IRI for a short id, acronym or name of an instrument, country or event."""
        self._holds("look up names", lambda: RESOLVER_READS)
        if self._index is None:
            direct = self._by_identifier(kind, " ".join(text.split()))
            if len(direct) == 1:  # the common case, without reading every name in the graph
                return next(iter(direct))
            self._build_index()
        assert self._index is not None and self._names is not None
        key = _key(text)
        kinds = _SPACES_OF.get(kind, (kind,))
        found = (set().union(*(self._index[k].get(key, set()) for k in kinds))
                 or set().union(*(self._names[k].get(key, set()) for k in kinds)))
        if found and len(found) == 1:
            return next(iter(found))
        if found:
            raise ParameterError(f"{kind} '{text}' is ambiguous: {len(found)} things in the graph carry it "
                                 f"({', '.join(sorted(found))}); fix the duplicate (see `pgraph validate`)")
        raise ParameterError(f"no {kind} '{text}' in the graph{self._suggest(kind, kinds, key)}")

    def _suggest(self, kind: str, kinds: Any, key: str) -> str:
        """Ids whose id or name is spelt almost like the text, else whose name holds it as a word."""
        assert self._index is not None and self._names is not None
        candidates = {n: self._display.get(next(iter(i)), n) for k in kinds
                      for n, i in {**self._names[k], **self._index[k]}.items()}
        close = difflib.get_close_matches(key, list(candidates), n=6, cutoff=0.65)
        ids = list(dict.fromkeys(candidates[c] for c in close))
        if ids:
            return f"; did you mean {', '.join(ids[:3])}?"
        word = re.compile(rf"(?<![\w]){re.escape(key)}(?![\w])")
        holding = sorted({candidates[n] for n in candidates if word.search(n)})
        if not holding:
            return ""
        if len(holding) <= 3:
            return f"; did you mean {', '.join(holding)}?"
        return f"; {len(holding)} {kind} names contain '{key}', e.g. {', '.join(holding[:3])}: give an id"

    # -- queries --------------------------------------------------------------------------
    def _holds(self, what: str, needed: Callable[[], frozenset[str] | None] = lambda: None) -> None:
        """Refuse to answer from a store loaded with only some predicates' quads (load(predicates=...))
        a question that can read others (`needed()`: the predicates it reads, None: any): it would be
        answered wrong, not slowly. A whole graph is not asked, so its questions read no table."""
        held = getattr(self.backend, "predicates", None)
        if held is None:
            return
        predicates = needed()
        if predicates is None or not predicates <= held:
            raise InternalError(f"this graph holds only some predicates' quads and cannot {what}; "
                                "load it without predicates=")

    def query(self, name: str, **params: Any) -> list[Any]:
        """Run a saved query: SELECT gives a list of dicts keyed by column, CONSTRUCT a list of triples."""
        saved = self.catalog.get(name)
        self._holds(f"answer {name}", lambda: saved_predicates(saved))
        values = {k: v for k, v in params.items() if v is not None}
        if self.fast_pairs and self._is_fast(saved):
            from .graphs import pairwise_answer
            return pairwise_answer(self, saved.name, saved.terms(values, self.resolve))  # rows already shaped
        text = saved.bound(values, self.resolve)
        if saved.form == "CONSTRUCT":
            return self._not_empty(self.backend.construct(text))
        if saved.form == "ASK":
            return [{"answer": self.backend.ask(text)}]
        rows = self._not_empty(self.backend.select(text))
        missing = [c for c in saved.columns if rows and c not in rows[0]]
        if missing:  # a server that answers another question (or a header that promises too much)
            raise QueryError(f"{name}: the answer from {self.backend.location} has no column "
                             f"{', '.join(missing)}, which the query's header declares")
        return postprocess(saved, rows)

    def query_text(self, name: str, fmt: str, **params: Any) -> Iterator[str] | None:
        """A saved query's answer already written in a format, in pieces, when it can be written
        without a dict per row: the counting path's (overlap-graph as N-Triples: text, not two million
        triple objects; overlap as CSV/TSV: columns) or any other SELECT's CSV/TSV from the embedded
        engine, column by column; else None (the caller writes query()'s rows)."""
        from .graphs import PAIRWISE
        saved = self.catalog.get(name)
        self._holds(f"answer {name}", lambda: saved_predicates(saved))
        values = {k: v for k, v in params.items() if v is not None}
        if saved.name not in PAIRWISE:  # any other question: the counting path is not even imported
            return self._delimited_text(saved, fmt, values)
        if not (self.fast_pairs and self._is_fast(saved)):  # its .rq runs, as any other SELECT
            return self._delimited_text(saved, fmt, values)
        from .graphs import pairwise_text, pairwise_writes
        if not pairwise_writes(saved.name, fmt):
            return None
        return pairwise_text(self, saved.name, fmt, saved.terms(values, self.resolve))

    def _delimited_text(self, saved: Any, fmt: str, values: dict[str, Any]) -> list[str] | None:
        """A SELECT's CSV or TSV from the embedded engine's answer column by column: the bytes the
        row path writes (render_rows of query()'s rows), with about 0.6 s less CPU for memberships at 1M.
        None where that path is needed: a server, fewer than two columns, an answer
        without a declared column (query() names it) or a cell TSV does not carry plainly."""
        columns = list(saved.columns)
        select_columns = getattr(self.backend, "select_columns", None)
        if fmt not in ("csv", "tsv") or saved.form != "SELECT" or select_columns is None or len(columns) < 2:
            return None
        answer = select_columns(saved.bound(values, self.resolve))
        if answer is None or any(c not in answer for c in columns):
            return None
        from .catalog import as_list
        from .output import delimited_columns
        for c in saved.lists:  # split and sorted as postprocess does, once per distinct cell
            if c in answer:
                split = {v: as_list(v) for v in set(answer[c])}
                answer[c] = list(map(split.__getitem__, answer[c]))
        return [delimited_columns({c: answer[c] for c in columns}, "," if fmt == "csv" else "\t")]

    def _is_fast(self, saved: Any) -> bool:
        """A pairwise question from pgraph's own catalogue (not a file of the same name given by path)."""
        from .graphs import PAIRWISE
        from .paths import QUERIES_DIR
        return saved.name in PAIRWISE and saved.path.resolve() == (QUERIES_DIR / f"{saved.name}.rq").resolve()

    def _not_empty(self, answer: list[Any]) -> list[Any]:
        """An empty answer from a server that holds no pgraph data at all is an error, not 0 rows."""
        if answer or not isinstance(self.backend, RemoteStore):
            return answer
        if not self.backend.ask(f"ASK {{ <{ONTOLOGY}> ?p ?o }}"):
            graph = (f"graph <{self.backend.graph}>" if self.backend.graph else
                     f"graph <{FACTS_GRAPH}> (where `pgraph push` writes) nor in its default graph"
                     if self.backend.auto else "its default graph")
            raise EndpointError(self.backend.url, f"holds no pgraph data in {graph}; load it with "
                                                  "`pgraph push`, or name the graph that holds it")
        return answer

    def sparql(self, text: str) -> Any:
        """Run an ad hoc read-only query (the project's prefixes predeclared): rows for SELECT, in the
        query's column order, triples for CONSTRUCT, bool for ASK."""
        from .catalog import in_query_order
        self._holds("answer an ad hoc query")
        form = check_read_only(text, allow_service=getattr(self.backend, "allow_service", False), prefixes=True)
        full, _ = with_prefixes(text)
        if form == "CONSTRUCT":
            return self.backend.construct(full)
        if form == "ASK":
            return self.backend.ask(full)
        return in_query_order(text, self.backend.select(full))

    def curated_on(self) -> str | None:
        """The data's curation date, shown beside as-of dates: the dcterms:modified the dataset states
        (data/dataset.ttl), else the date the loaded data files last changed (None for a remote graph
        that states none)."""
        self._holds("tell the curation date")
        if not hasattr(self, "_curated"):
            from .stats import curation_date
            files = getattr(self.backend, "files", None)
            self._curated = curation_date(self.backend) or (curated_on(files.data) if files is not None else None)
        return self._curated

    def sources_of(self, rows: list[dict[str, Any]], *, limit: int = 2000) -> list[str]:
        """The source URLs of the things an answer names (by IRI or identifier), and the sources it cites."""
        from .catalog import Iri, escape_string
        self._holds("name sources")
        iris, ids = set(), set()
        for row in rows:
            for value in row.values():
                for v in (value if isinstance(value, list) else [value]):
                    if not isinstance(v, str) or len(v) > 300:
                        continue
                    if v.startswith(("http://", "https://")):
                        try:
                            iris.add(Iri(v).n3())
                        except ValueError:
                            pass
                    elif v and len(v) <= 80 and " " not in v:
                        ids.add(f'"{escape_string(v)}"')
        if not iris and not ids:
            return []
        iri_values = " ".join(sorted(iris)[:limit]) or "<urn:pgraph:none>"
        id_values = " ".join(sorted(ids)[:limit]) or '""'
        text = sparql_prologue() + (
            f"SELECT DISTINCT ?src WHERE {{ {{ VALUES ?x {{ {iri_values} }} ?x dcterms:source ?src }} "
            f"UNION {{ VALUES ?src {{ {iri_values} }} ?src a pg:Source }} "
            f"UNION {{ VALUES ?id {{ {id_values} }} ?x dcterms:identifier ?id ; dcterms:source ?src }} }} "
            f"ORDER BY ?src")
        return [r["src"] for r in self.backend.select(text) if isinstance(r["src"], str)]

    def stats(self, as_of: Any = None) -> dict[str, Any]:
        """Triples, instances per class, statuses (stored and on a date), coverage, sourcing, curation date."""
        from .stats import compute
        self._holds("count statistics")
        return compute(self.backend, as_of)

    def overlap_graph(self, asOf: Any = None, **options: Any) -> Any:
        """The instrument overlap graph on a date, as a networkx.Graph."""
        from .graphs import overlap_graph
        self._holds("draw the overlap graph")
        return overlap_graph(self, asOf=asOf, **options)


def load(data_dir: str | Path | None = None, *, files: Iterable[str | Path] = (),
         only: bool = False, cached: bool = False, allow_service: bool = False,
         predicates: frozenset[str] | None = None) -> KnowledgeGraph:
    """Load the ontology and data (default: data/ or $PGRAPH_DATA) into the embedded store, once.

    cached=True reuses the parsed graph stored for the same file contents (see store/cache.py);
    with it, predicates= loads from a stored graph only those predicates' quads, for a command that
    asks questions reading no others (catalog.reads tells which; other questions are refused).
    allow_service=True lets queries call other servers with SERVICE (refused by default: no network).
    """
    fileset = collect(Path(data_dir) if data_dir is not None else None,
                      tuple(Path(f) for f in files), only=only)
    return KnowledgeGraph(EmbeddedStore(fileset, cached=cached, allow_service=allow_service,
                                        predicates=predicates))


def connect(url: str, *, graph: str | None = AUTO, timeout: float = 30.0, max_bytes: int = MAX_BYTES,
            allow_service: bool = False) -> KnowledgeGraph:
    """A graph served by a SPARQL 1.1 endpoint (queries are sent by POST; http(s) only, credentials in
    the URL sent as Basic auth and never shown, redirects not followed, answers capped at max_bytes).

    graph: the named graph holding pgraph's data; by default the one `pgraph push` writes when it
    holds pgraph's data, else the server's default graph; None: always the server's default graph.
    """
    return KnowledgeGraph(RemoteStore(url, graph=graph, timeout=timeout, max_bytes=max_bytes,
                                      allow_service=allow_service))
