"""A small HTTP server that misbehaves on request, for the server-fault tests (run as its own process).

Paths: /ok (empty SPARQL results), /status/CODE, /slow/SECONDS, /trickle (one byte every 0.3 s),
/html (a web page), /json (JSON that is not SPARQL results), /die (half an answer, then the
process kills itself), /malformed/KIND (SPARQL JSON broken in one way, see MALFORMED),
/redirect/CODE/URL (a redirect to URL), /auth (SELECT results holding the Authorization header
it received), /huge/declared (a 2 GiB Content-Length), /huge/endless (answers until the client
hangs up), /record (any request counted, e.g. as a SERVICE target) and /hits (how many were).
Usage: python fault_server.py PORT
"""
from __future__ import annotations

import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESULTS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
_ROW = '{"head": {"vars": ["s"]}, "results": {"bindings": [%s]}}'
MALFORMED = {
    "no-value": (_ROW % '{"s": {"type": "uri"}}').encode(),
    "not-object": (_ROW % '{"s": "http://example.org/a"}').encode(),
    "row-not-object": (_ROW % '["s"]').encode(),
    "bad-type": (_ROW % '{"s": {"type": "script", "value": "x"}}').encode(),
    "value-not-string": (_ROW % '{"s": {"type": "literal", "value": {"x": 1}}}').encode(),
    "vars-not-names": b'{"head": {"vars": [1, null]}, "results": {"bindings": []}}',
    "deep": b"[" * 200_000 + b"]" * 200_000,
    "boolean-string": b'{"head": {}, "boolean": "false"}',
    "missing-column": (_ROW % '{"s": {"type": "uri", "value": "http://example.org/a"}}').encode(),
}
HITS = [0]


class Faulty(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, code: int, body: bytes, ctype: str = "application/sparql-results+json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        parts = self.path.split("?")[0].strip("/").split("/")
        mode = parts[0]
        if mode == "ok":
            self._answer(200, RESULTS)
        elif mode == "status":
            code = int(parts[1])
            self._answer(code, f"boom {code}: the server failed".encode(), "text/plain")
        elif mode == "slow":
            time.sleep(float(parts[1]))
            self._answer(200, RESULTS)
        elif mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.3)
        elif mode == "html":
            self._answer(200, b"<html><body><h1>Welcome to our portal</h1></body></html>", "text/html")
        elif mode == "json":
            self._answer(200, b'{"hello": "world"}', "application/json")
        elif mode == "malformed":
            self._answer(200, MALFORMED[parts[1]])
        elif mode == "redirect":
            self.send_response(int(parts[1]))
            self.send_header("Location", "/".join(parts[2:]))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif mode == "auth":
            auth = (self.headers.get("Authorization") or "").replace('"', "")
            self._answer(200, ('{"head": {"vars": ["auth"]}, "results": {"bindings": [{"auth": '
                               '{"type": "literal", "value": "%s"}}]}}' % auth).encode())
        elif mode == "huge" and parts[1] == "declared":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(2 * 1024 ** 3))
            self.end_headers()
            self.wfile.write(RESULTS[:10])
        elif mode == "huge":  # no Content-Length: the answer runs until the client hangs up
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            block = b" " * (1 << 20)
            try:
                while True:
                    self.wfile.write(block)
            except OSError:
                pass
        elif mode == "record":
            HITS[0] += 1
            self._answer(200, RESULTS)
        elif mode == "hits":
            self._answer(200, str(HITS[0]).encode(), "text/plain")
        elif mode == "die":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(RESULTS[:30])
            self.wfile.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        else:
            self._answer(404, b"no such fault", "text/plain")

    do_GET = do_POST = do_PUT = _serve


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Faulty)
    print("ready", flush=True)
    server.serve_forever()
