"""SPARQL endpoint queries run in worker processes holding a copy of the graph, so a query that
runs past its time limit is stopped for real (the process is killed and replaced): the engine
cannot be interrupted inside a thread."""
from __future__ import annotations

import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from typing import Any

from ..errors import QueryError


class Timeout(QueryError):
    """The query ran past the endpoint's per-query time limit (its worker was stopped)."""


class Workers:
    """A small pool of query processes, started on first use, each loading the graph once."""

    def __init__(self, store: Any, *, size: int = 2, timeout: float = 10.0, max_rows: int = 10000) -> None:
        self.store, self.size, self.timeout, self.max_rows = store, size, timeout, max_rows
        self._idle: "queue.Queue[subprocess.Popen[bytes]]" = queue.Queue()
        self._lock = threading.Lock()
        self._dump: bytes | None = None
        self._started = 0

    def _data(self) -> bytes:
        """The graph as N-Quads, made once and handed to each worker through its standard input
        (no temporary file to leave behind when the server is stopped)."""
        import pyoxigraph as ox
        with self._lock:
            if self._dump is None:
                self._dump = bytes(self.store.dump(format=ox.RdfFormat.N_QUADS))
            return self._dump

    def _spawn(self) -> "subprocess.Popen[bytes]":
        data = self._data()
        proc = subprocess.Popen([sys.executable, "-c", "from pgraph.serve.workers import main; main()"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(f"{len(data)}\n".encode() + data)
            proc.stdin.flush()
        except OSError:
            _stop(proc)
            raise QueryError("the query worker could not start") from None
        if _read_line(proc.stdout, time.monotonic() + 300.0) != b"ready\n":
            _stop(proc)
            raise QueryError("the query worker could not load the graph")
        return proc

    def _take(self) -> "subprocess.Popen[bytes]":
        with self._lock:
            if self._started < self.size:
                self._started += 1
                spawn = True
            else:
                spawn = False
        if spawn:
            try:
                return self._spawn()
            except BaseException:
                with self._lock:
                    self._started -= 1
                raise
        try:
            return self._idle.get(timeout=self.timeout * 3 + 5)
        except queue.Empty:
            raise QueryError("the endpoint is busy with other queries; try again") from None

    def run(self, text: str, media: str, default_graph: list[str], named_graphs: list[str]) -> tuple[bytes, str]:
        """The answer's bytes and content type, or QueryError / Timeout / TooLarge as one line."""
        proc = self._take()
        request = json.dumps({"query": text, "media": media, "default": default_graph, "named": named_graphs,
                              "max_rows": self.max_rows, "timeout": self.timeout}).encode() + b"\n"
        keep = True
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(request)
            proc.stdin.flush()
            deadline = time.monotonic() + self.timeout + 1.0
            head = _read_line(proc.stdout, deadline)
            if head is None:
                keep = False
                raise Timeout(f"the query ran past the {self.timeout:g} s limit and was stopped")
            meta = json.loads(head)
            body = _read_exact(proc.stdout, meta.get("length", 0), deadline)
            if body is None:
                keep = False
                raise Timeout(f"the query ran past the {self.timeout:g} s limit and was stopped")
            if not meta["ok"]:
                from .sparql import TooLarge
                raise {"timeout": Timeout, "too-large": TooLarge}.get(meta.get("kind"), QueryError)(meta["error"])
            return body, meta["type"]
        except QueryError:
            raise
        except (OSError, ValueError, KeyError) as e:
            keep = False
            raise QueryError(f"the query worker failed ({type(e).__name__})") from None
        finally:
            if keep and proc.poll() is None:
                self._idle.put(proc)
            else:
                _stop(proc)
                try:
                    self._idle.put(self._spawn())
                except QueryError:
                    with self._lock:
                        self._started -= 1

    def close(self) -> None:
        while True:
            try:
                _stop(self._idle.get_nowait())
            except queue.Empty:
                break


def _die_with_parent() -> None:
    """Linux: the worker is killed when the server process ends, even in the middle of a query."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(proc: "subprocess.Popen[bytes]") -> None:
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _read_line(stream: Any, deadline: float) -> bytes | None:
    data = b""
    fd = stream.fileno()
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1)
        if not chunk:
            raise OSError("worker ended")
        data += chunk
    return data


def _read_exact(stream: Any, length: int, deadline: float) -> bytes | None:
    chunks, got, fd = [], 0, stream.fileno()
    while got < length:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, min(1 << 20, length - got))
        if not chunk:
            raise OSError("worker ended")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def main() -> None:
    """A worker: read the graph (a length line, then N-Quads) from standard input into memory,
    then answer one JSON request a line."""
    import pyoxigraph as ox
    from . import sparql
    source = sys.stdin.buffer
    length = int(source.readline())
    store = ox.Store()
    store.bulk_load(source.read(length), format=ox.RdfFormat.N_QUADS)
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in source:
        req = json.loads(line)
        try:
            form, answer, variables = sparql.run(store, req["query"], timeout=req["timeout"],
                                                 max_rows=req["max_rows"], default_graph=req["default"] or None,
                                                 named_graphs=req["named"] or None)
            body, kind = sparql.serialize(form, answer, variables, req["media"])
            meta = {"ok": True, "type": kind, "length": len(body)}
        except QueryError as e:
            kind = "timeout" if isinstance(e, sparql.Timeout) else "too-large" if isinstance(e, sparql.TooLarge) else ""
            body, meta = b"", {"ok": False, "error": str(e), "kind": kind, "length": 0}
        except Exception as e:  # noqa: BLE001  (a bug must not kill the worker silently)
            body, meta = b"", {"ok": False, "error": f"query failed: {type(e).__name__}: {e}", "length": 0}
        out.write(json.dumps(meta).encode() + b"\n" + body)
        out.flush()
