"""Where triples live: the embedded pyoxigraph store, or a remote SPARQL 1.1 endpoint, behind one interface."""
from __future__ import annotations

import json
import re
from typing import Any, Protocol

from ..errors import EndpointError, InputError, QueryError, UsageError
from .endpoint import MAX_BYTES, check_timeout, parse_endpoint, send
from .sources import FileSet, rdf_format, read_bytes
from .terms import from_oxigraph
from ..vocab import FACTS_GRAPH, ONTOLOGY, XSD

#: RemoteStore(graph=AUTO): the facts graph `pgraph push` writes if it holds pgraph data, else the default graph
AUTO = "auto"

Row = dict[str, Any]

_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
                     r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)


class Backend(Protocol):
    """What the rest of pgraph needs from a store."""

    location: str

    def select(self, text: str) -> list[Row]: ...
    def construct(self, text: str) -> list[Any]: ...
    def ask(self, text: str) -> bool: ...


SERVICE_REFUSED = ("SERVICE (a call to another SPARQL server) is refused: pgraph makes no network "
                   "requests from the embedded store unless you give --allow-service")


def check_read_only(text: str, *, what: str = "query", allow_service: bool = False, prefixes: bool = False) -> str:
    """The query form (SELECT, CONSTRUCT, ASK, DESCRIBE); updates, syntax errors (at the user's line)
    and (unless allowed) SERVICE are refused. Checking never reaches the network (see
    syntax.parse_form). prefixes=True checks it as ad hoc SPARQL runs: the project's prefixes
    predeclared (vocab.with_prefixes)."""
    from ..vocab import with_prefixes
    from .syntax import locate, parse_form, uses_service
    if _UPDATE.match(_strip_comments(text)):
        raise QueryError(f"{what}: SPARQL updates are refused; pgraph runs read-only queries")
    if not allow_service and uses_service(text):
        raise QueryError(f"{what}: {SERVICE_REFUSED}")
    full, added = with_prefixes(text) if prefixes else (text, 0)
    try:
        return parse_form(full)
    except SyntaxError as e:
        line, column, cause = locate(full, e)
        where = f" at {line - added}:{column}" if line and line > added else ""
        raise QueryError(f"{what}: invalid SPARQL{where}: {cause}") from None


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


class EmbeddedStore:
    """A pyoxigraph store in memory, loaded once from data files, or (cached=True) from the
    parsed-graph cache when the same bytes were parsed and checked before (see cache.py)."""

    def __init__(self, files: FileSet, *, cached: bool = False, allow_service: bool = False,
                 predicates: frozenset[str] | None = None) -> None:
        import pyoxigraph as ox
        self.files = files
        self.allow_service = allow_service
        self.read_only = False
        self.cache_state = "off"  # or 'hit', 'stored', 'bypassed' (see cache.load_or_build)
        #: the predicates whose quads the store holds (with every quad that has a blank node); None: all
        self.predicates: frozenset[str] | None = None
        if cached:
            from .cache import load_or_build
            # the bytes read are both hashed for the key and, on a miss, parsed: the same bytes
            store, self.cache_state, self.predicates = load_or_build(
                files.all, lambda path: read_bytes(path), self._fill, predicates)
        else:
            store = ox.Store()
            self._fill(store)
        self.store = store
        self.location = f"embedded store ({len(files.all)} files{', cached' if self.cache_state == 'hit' else ''})"

    def _fill(self, store: Any, blobs: Any = None) -> None:
        from ..output import progress_steps, progress_while
        given = dict(blobs) if blobs else {}   # the bytes already read (and hashed) for the cache key
        sizes = [_size(p) for p in self.files.all]
        for path in progress_steps(self.files.all, what="loading", sizes=sizes, unit="B"):
            _load_file(store, path, given.get(path))
        with progress_while("checking typed literals"):
            _check_literals(store, self.files)

    def __len__(self) -> int:
        return len(self.store)

    def _run(self, text: str) -> Any:
        from .syntax import uses_service
        if not self.allow_service and uses_service(text):
            raise QueryError(SERVICE_REFUSED)
        try:
            return self.store.query(text)
        except SyntaxError as e:
            raise QueryError(f"invalid SPARQL: {e}") from None

    def select(self, text: str) -> list[Row]:
        import pyoxigraph as ox
        from .results import tsv_rows
        result = self._run(text)
        if result.variables:  # as TSV text: strings split and looked up faster than term objects
            body = result.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
            try:
                return tsv_rows(body)
            except ValueError:  # a term TSV does not carry plainly (a quoted triple): convert terms
                result = self._run(text)
        names = [v.value for v in result.variables]
        seen: dict[Any, Any] = {None: None}  # terms repeat across rows (instruments, countries, dates)

        def value(term: Any) -> Any:
            if term in seen:
                return seen[term]
            converted = seen[term] = from_oxigraph(term)
            return converted
        return [dict(zip(names, map(value, sol))) for sol in result]

    def select_columns(self, text: str) -> dict[str, list[Any]] | None:
        """A SELECT's answer as one list of values per variable (the values select gives, without a
        dict per row), or None when TSV does not carry a cell plainly (a quoted triple)."""
        import pyoxigraph as ox
        from .results import tsv_value_columns
        result = self._run(text)
        if not getattr(result, "variables", None):  # an ASK's boolean, a CONSTRUCT's triples
            return None
        try:
            return tsv_value_columns(result.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8"))
        except ValueError:
            return None

    def construct(self, text: str) -> list[Any]:
        return list(self._run(text))

    def ask(self, text: str) -> bool:
        return bool(self._run(text))


def _size(path: Any) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


_FORMAT_NAMES = {"TURTLE": "Turtle", "N_TRIPLES": "N-Triples", "N3": "N3", "JSON_LD": "JSON-LD",
                 "RDF_XML": "RDF/XML"}


def _load_file(store: Any, path: Any, data: bytes | None = None) -> None:
    """Parse one data file into the store. No base IRI: a relative IRI would become a file:// IRI that
    leaks a local path into exports and pushes, so it is refused with its file and line."""
    import pyoxigraph as ox
    if data is None:
        data = read_bytes(path)
    fmt = rdf_format(path)
    try:
        store.load(data, format=getattr(ox.RdfFormat, fmt))
    except SyntaxError as e:
        line, col = (e.lineno, e.offset) if e.lineno else (None, None)
        msg = re.sub(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ", "", str(e.msg))
        msg = re.sub(r" \(line \d+\)$", "", msg)
        if "No scheme found" in msg:
            msg = f"relative IRI: data files must use absolute IRIs (or declare @base) ({msg})"
        raise InputError(f"{_FORMAT_NAMES[fmt]} syntax error: {msg}", path=str(path), line=line, column=col) from None
    except MemoryError as e:  # the parser's limit on one token (a literal over 16 MiB)
        raise InputError(f"a single term is too large for the parser ({e})", path=str(path)) from None


_CHECKED_TYPES = ("date", "integer", "decimal", "boolean", "double", "dateTime")


def _check_literals(store: Any, files: FileSet) -> None:
    """Refuse ill-typed literals such as "2024-13-40"^^xsd:date, naming file, line and column."""
    types = ", ".join(f"<{XSD}{t}>" for t in _CHECKED_TYPES)
    cast = "?bad"
    for t in reversed(_CHECKED_TYPES):
        cast = f"IF(?dt = <{XSD}{t}>, <{XSD}{t}>(STR(?o)), {cast})"
    text = (f"SELECT ?o WHERE {{ ?s ?p ?o FILTER(ISLITERAL(?o) && DATATYPE(?o) IN ({types})) "
            f"BIND(DATATYPE(?o) AS ?dt) BIND(COALESCE({cast}, \"ill-typed\") AS ?v) "
            f"FILTER(?v = \"ill-typed\") }} LIMIT 1")
    for sol in store.query(text):
        lit = sol["o"]
        dt = lit.datatype.value.removeprefix(XSD)
        path, line, col = _locate(files, lit.value, dt)
        raise InputError(f'ill-typed literal "{lit.value}"^^xsd:{dt}: not a valid xsd:{dt}',
                         path=path, line=line, column=col)


_QUOTED_OR_IRI = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>')


def _in_comment(text: str, at: int) -> bool:
    """True if position `at` is inside a # comment (a '#' earlier on its line, outside strings and IRIs)."""
    before = text[text.rfind("\n", 0, at) + 1:at]
    return "#" in _QUOTED_OR_IRI.sub("", before)


def _locate(files: FileSet, value: str, datatype: str) -> tuple[str | None, int | None, int | None]:
    """File, line and column where a typed literal is written (any quotes, prefixed or full datatype)."""
    quoted = "|".join(re.escape(q + value + q) for q in ('"""', "'''", '"', "'"))
    typed = re.compile(rf"(?:{quoted})\s*\^\^\s*(?:[A-Za-z][\w.-]*:{re.escape(datatype)}\b|<[^>]*#{re.escape(datatype)}>)")
    for pattern in (typed, re.compile(quoted)):  # the plain value only if the typed form is not found
        for path in files.all:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            found = next((m for m in pattern.finditer(text) if not _in_comment(text, m.start())), None)
            if found:
                at = found.start()
                line = text.count("\n", 0, at) + 1
                col = at - (text.rfind("\n", 0, at) + 1) + 1
                return str(path), line, col
    return None, None, None


class RemoteStore:
    """A SPARQL 1.1 endpoint queried by POST (see endpoint.py: http(s) only, credentials as Basic
    auth and never shown, no redirects, a deadline and a size cap for every answer)."""

    def __init__(self, url: str, *, graph: str | None = None, timeout: float = 30.0,
                 max_bytes: int = MAX_BYTES, allow_service: bool = False) -> None:
        self.endpoint = parse_endpoint(url)
        self.timeout = check_timeout(timeout)
        if not isinstance(max_bytes, int) or max_bytes <= 0:
            raise UsageError(f"--max-bytes must be a whole number of bytes above 0, got {max_bytes!r}")
        self.url, self.max_bytes = self.endpoint.url, max_bytes
        self.auto = graph == AUTO
        self.graph = None if self.auto else graph
        self._resolved = not self.auto
        self.allow_service = allow_service
        self.location = self.endpoint.shown

    def _resolve_graph(self) -> None:
        """graph=AUTO: the graph `pgraph push` writes when it holds pgraph's ontology, else the
        server's default graph (a server such as `pgraph serve` keeps the data there)."""
        if self._resolved:
            return
        self._resolved = True
        self.graph = FACTS_GRAPH
        body = self._request(f"ASK {{ <{ONTOLOGY}> ?p ?o }}", "application/sparql-results+json")
        try:
            found = json.loads(body)["boolean"] is True
        except (ValueError, KeyError, TypeError, RecursionError):
            found = False  # a server that cannot answer this says so to the query itself
        if not found:
            self.graph = None

    def _request(self, text: str, accept: str) -> bytes:
        import urllib.parse
        import urllib.request
        from .syntax import uses_service
        from ..version import __version__
        if not self.allow_service and uses_service(text):
            raise QueryError(SERVICE_REFUSED)
        self._resolve_graph()
        fields = [("query", text)] + ([("default-graph-uri", self.graph)] if self.graph else [])
        request = urllib.request.Request(
            self.url, data=urllib.parse.urlencode(fields).encode("utf-8"), method="POST",
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                     "User-Agent": f"pgraph/{__version__}"})
        return send(self.endpoint, request, timeout=self.timeout, max_bytes=self.max_bytes)

    def _malformed(self, error: ValueError) -> EndpointError:
        return EndpointError(self.location, str(error))

    def select(self, text: str) -> list[Row]:
        from .results import select_rows
        body = self._request(text, "application/sparql-results+json")
        try:
            return select_rows(body)
        except ValueError as e:
            raise self._malformed(e) from None

    def construct(self, text: str) -> list[Any]:
        import pyoxigraph as ox
        body = self._request(text, "application/n-triples")
        try:
            return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as e:
            raise EndpointError(self.location, f"the answer is not N-Triples: {e}") from None

    def ask(self, text: str) -> bool:
        from .results import boolean
        body = self._request(text, "application/sparql-results+json")
        try:
            return boolean(body)
        except ValueError as e:
            raise self._malformed(e) from None
