"""Starting `pgraph serve` as a user would (a real process on a free loopback port) for the serve tests."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Iterator

from conftest import ROOT, _free_port, wait_for_http


@contextlib.contextmanager
def running(*args: str, data: str | None = None, host: str = "127.0.0.1") -> Iterator[tuple[str, subprocess.Popen]]:
    """A running server's base URL and process; stopped with Ctrl-C (SIGINT) afterwards."""
    port = _free_port()
    cmd = [sys.executable, "-m", "pgraph"] + (["--data", data] if data else []) + \
          ["serve", "--host", host, "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ})
    base = f"http://{host}:{port}"
    try:
        wait_for_http(base + "/static/app.js", timeout=60)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def get(url: str, *, accept: str | None = None, data: bytes | None = None,
        content_type: str | None = None, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one HTTP exchange, errors included."""
    request = urllib.request.Request(url, data=data)
    if accept:
        request.add_header("Accept", accept)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
