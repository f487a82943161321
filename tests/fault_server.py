"""A small HTTP server that misbehaves on request, for the server-fault tests (run as its own process).

Paths: /ok (empty SPARQL results), /status/CODE, /slow/SECONDS, /trickle (one byte every 0.3 s),
/html (a web page), /json (JSON that is not SPARQL results), /die (half an answer, then the
process kills itself).  Usage: python fault_server.py PORT
"""
from __future__ import annotations

import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESULTS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


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
