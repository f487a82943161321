"""Start OpenLink Virtuoso (Debian's virtuoso-opensource) on loopback for the tests and .ci/run.

    python tests/virtuoso_server.py DIR HTTP_PORT SQL_PORT   # prints the server's pid once it answers

The database lives in DIR; both ports listen on 127.0.0.1 only. The anonymous SPARQL user is
granted SPARQL_UPDATE so that the Graph Store endpoint (/sparql-graph-crud) accepts a push:
acceptable for a throw-away test server on loopback, never for a real one.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
MaxQueryMem = 1G
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def start(directory: Path, http_port: int, sql_port: int, *, timeout: float = 60.0) -> subprocess.Popen:
    """virtuoso-t in the foreground of a child process, answering SPARQL, with update granted."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not binary or not isql:
        raise RuntimeError("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(d=directory, sql=sql_port, http=http_port), encoding="utf-8")
    log = open(directory / "server.log", "wb")
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"Virtuoso did not start; see {directory / 'server.log'}") from None
            time.sleep(0.2)
    subprocess.run([isql, str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                   check=True, capture_output=True, timeout=30)
    return proc


if __name__ == "__main__":
    server = start(Path(sys.argv[1]).resolve(), int(sys.argv[2]), int(sys.argv[3]))
    print(server.pid)
