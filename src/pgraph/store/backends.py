"""Where triples live: the embedded pyoxigraph store, or a remote SPARQL 1.1 endpoint, behind one interface."""
from __future__ import annotations

import json
import re
import time
from typing import Any, Protocol

from ..errors import EndpointError, InputError, QueryError
from .sources import FileSet, read_bytes
from .terms import from_oxigraph, from_sparql_json
from ..vocab import XSD

Row = dict[str, Any]

_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
                     r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)


class Backend(Protocol):
    """What the rest of pgraph needs from a store."""

    location: str

    def select(self, text: str) -> list[Row]: ...
    def construct(self, text: str) -> list[Any]: ...
    def ask(self, text: str) -> bool: ...


def check_read_only(text: str, *, what: str = "query") -> str:
    """The query form (SELECT, CONSTRUCT, ASK, DESCRIBE); updates and syntax errors are refused."""
    import pyoxigraph as ox
    if _UPDATE.match(_strip_comments(text)):
        raise QueryError(f"{what}: SPARQL updates are refused; pgraph runs read-only queries")
    try:
        result = ox.Store().query(text)
    except SyntaxError as e:
        from .syntax import locate
        line, column, cause = locate(text, e)
        where = f" at {line}:{column}" if line else ""
        raise QueryError(f"{what}: invalid SPARQL{where}: {cause}") from None
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    if isinstance(result, ox.QueryTriples):
        return "CONSTRUCT"
    return "SELECT"


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


class EmbeddedStore:
    """A pyoxigraph store loaded once from Turtle files: in memory, or (cached=True) an on-disk
    read-only store reused while the files are unchanged (see cache.py)."""

    def __init__(self, files: FileSet, *, cached: bool = False) -> None:
        import pyoxigraph as ox
        self.files = files
        self.read_only = False
        store = None
        if cached:
            from .cache import open_or_build
            store = open_or_build(files.all, self._fill_disk)
            self.read_only = store is not None
        if store is None:
            store = ox.Store()
            self._fill(store)
        self.store = store
        self.location = f"embedded store ({len(files.all)} files{', cached' if self.read_only else ''})"

    def _fill(self, store: Any) -> None:
        for path in self.files.all:
            _load_file(store, path)
        _check_literals(store, self.files)

    def _fill_disk(self, disk: Any) -> None:
        """Parse and check in memory (fast, with file positions), then bulk-load the result on disk."""
        import pyoxigraph as ox
        memory = ox.Store()
        self._fill(memory)
        disk.bulk_load(memory.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)

    def __len__(self) -> int:
        return len(self.store)

    def _run(self, text: str) -> Any:
        try:
            return self.store.query(text)
        except SyntaxError as e:
            raise QueryError(f"invalid SPARQL: {e}") from None

    def select(self, text: str) -> list[Row]:
        result = self._run(text)
        names = [v.value for v in result.variables]
        return [{n: from_oxigraph(sol[n]) for n in names} for sol in result]

    def construct(self, text: str) -> list[Any]:
        return list(self._run(text))

    def ask(self, text: str) -> bool:
        return bool(self._run(text))


def _load_file(store: Any, path: Any) -> None:
    import pyoxigraph as ox
    data = read_bytes(path)
    try:
        store.load(data, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    except SyntaxError as e:
        line, col = (e.lineno, e.offset) if e.lineno else (None, None)
        msg = re.sub(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ", "", str(e.msg))
        msg = re.sub(r" \(line \d+\)$", "", msg)
        raise InputError(f"Turtle syntax error: {msg}", path=str(path), line=line, column=col) from None


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
            found = pattern.search(text)
            if found:
                at = found.start()
                line = text.count("\n", 0, at) + 1
                col = at - (text.rfind("\n", 0, at) + 1) + 1
                return str(path), line, col
    return None, None, None


class RemoteStore:
    """A SPARQL 1.1 endpoint reached through SPARQLWrapper, queried by POST."""

    def __init__(self, url: str, *, graph: str | None = None, timeout: float = 30.0) -> None:
        self.url, self.graph, self.timeout = url, graph, timeout
        self.location = url

    def _request(self, text: str, accept: str) -> bytes:
        from SPARQLWrapper import POST, SPARQLWrapper
        sw = SPARQLWrapper(self.url)
        sw.setMethod(POST)
        sw.setTimeout(int(max(1, round(self.timeout))))
        sw.setQuery(text)
        sw.addCustomHttpHeader("Accept", accept)
        if self.graph:
            sw.addDefaultGraph(self.graph)
        deadline = time.monotonic() + self.timeout
        try:
            response = sw.query().response
            return read_within(response, deadline, self.url, self.timeout)
        except EndpointError:
            raise
        except Exception as e:  # every transport failure becomes one clear message
            raise EndpointError(self.url, describe_failure(e)) from None

    def select(self, text: str) -> list[Row]:
        body = self._request(text, "application/sparql-results+json")
        try:
            doc = json.loads(body)
            names = doc["head"]["vars"]
            bindings = doc["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise EndpointError(self.url, "the answer is not SPARQL JSON results "
                                f"(first bytes: {body[:60]!r})") from None
        return [{n: from_sparql_json(b.get(n)) for n in names} for b in bindings]

    def construct(self, text: str) -> list[Any]:
        import pyoxigraph as ox
        body = self._request(text, "application/n-triples")
        try:
            return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as e:
            raise EndpointError(self.url, f"the answer is not N-Triples: {e}") from None

    def ask(self, text: str) -> bool:
        body = self._request(text, "application/sparql-results+json")
        try:
            return bool(json.loads(body)["boolean"])
        except (ValueError, KeyError, TypeError):
            raise EndpointError(self.url, "the answer is not a SPARQL boolean result") from None


def read_within(response: Any, deadline: float, url: str, timeout: float) -> bytes:
    """The whole body of an HTTP answer, or a timeout once the deadline passes (even if bytes trickle in)."""
    chunks = []
    while True:
        if time.monotonic() > deadline:
            raise EndpointError(url, f"timed out: no complete answer within {timeout:g} s")
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            body = b"".join(chunks)
            expected = response.headers.get("Content-Length") if getattr(response, "headers", None) else None
            if expected and expected.isdigit() and len(body) < int(expected):
                raise EndpointError(url, f"connection broken during the answer: got {len(body)} of "
                                         f"{int(expected)} bytes")
            return body
        chunks.append(chunk)


def describe_failure(error: BaseException) -> str:
    """A one-line cause for a failed HTTP exchange: status, refusal, timeout or broken answer."""
    import socket
    import urllib.error
    from http.client import HTTPException
    code = getattr(error, "code", None)
    if code is None:
        inner = getattr(error, "__cause__", None) or getattr(error, "__context__", None)
        code = getattr(inner, "code", None)
    if isinstance(code, int):
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"HTTP {code}" + (f" ({text[:200]})" if text else "")
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return "timed out"
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused"
        return f"cannot connect ({reason})"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, (HTTPException, ConnectionError)):
        return f"connection broken during the answer ({type(error).__name__})"
    return f"{type(error).__name__}: {error}"
