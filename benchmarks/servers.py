"""Larger than one machine: push synthetic graphs to a SPARQL server and time the load and a few
saved queries there, on a fresh Oxigraph server and a fresh OpenLink Virtuoso, both on loopback.

    python benchmarks/servers.py --sizes 1000000,5000000 --timeout 900

Each server starts empty in its own directory. A load is `pgraph push` (one Graph Store PUT of the
N-Triples), or with --bulk, each server's own bulk loader of the same N-Triples: for Oxigraph
`oxigraph load` into the server's directory before it starts, for Virtuoso `ld_dir` and
`rdf_loader_run()` then a `checkpoint` through its SQL port (the PUT is one transaction); a query is `KnowledgeGraph.query` on the server (its engine plus the transfer and
pgraph's conversion), once, with a timeout; rows are counted. Results go to
benchmarks/results/servers-SIZES.json and are printed as a Markdown table
(`python benchmarks/servers.py --table-from FILE...` prints saved ones together).
"""
from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "benchmarks" / "graphs"
RESULTS = ROOT / "benchmarks" / "results"
QUERIES = {"members": {"instrument": "synthetic-1"}, "instruments": {}, "partners": {},
           "active-participations": {}, "overlap": {}, "thematic-overlap": {}}
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bulk_load(kg, directory: Path, graph: str) -> float:
    """`oxigraph load` of the graph's N-Triples into a server directory; seconds taken (the dump included)."""
    import pyoxigraph as ox
    start = time.perf_counter()
    dump = directory.parent / (directory.name + ".nt")
    dump.write_bytes(kg.backend.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
    subprocess.run([str(Path(sys.executable).parent / "oxigraph"), "load", "--location", str(directory),
                    "--file", str(dump), "--graph", graph], check=True, capture_output=True)
    dump.unlink()
    return time.perf_counter() - start


def oxigraph(directory: Path) -> tuple[subprocess.Popen, str, str]:
    """A fresh `oxigraph serve`: (process, Graph Store URL, query URL)."""
    import urllib.request
    port = _port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", str(directory),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except Exception:
            time.sleep(0.1)
    return proc, base + "/store", base + "/query"


def virtuoso(directory: Path) -> tuple[subprocess.Popen, str, str, int]:
    """A fresh Virtuoso (tests/virtuoso_server.py): (process, Graph Store URL, query URL, SQL port)."""
    from virtuoso_server import start
    http, sql = _port(), _port()
    proc = start(directory, http, sql)
    base = f"http://127.0.0.1:{http}"
    return proc, base + "/sparql-graph-crud", base + "/sparql", sql


def virtuoso_bulk_load(kg, directory: Path, sql_port: int, graph: str, timeout: float) -> float:
    """Virtuoso's bulk loader over the graph's N-Triples written into the server's directory (an allowed
    directory of its ini); seconds taken, the dump and the closing checkpoint included."""
    import shutil

    import pyoxigraph as ox
    start = time.perf_counter()
    dump = directory / "bench.nt"
    dump.write_bytes(kg.backend.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
    script = f"ld_dir('{directory}', 'bench.nt', '{graph}'); rdf_loader_run(); checkpoint;"
    done = subprocess.run([shutil.which("isql-vt") or "isql-vt", str(sql_port), "dba", "dba", f"exec={script}"],
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or "Error" in done.stdout + done.stderr:
        raise RuntimeError(f"Virtuoso bulk load failed: {(done.stdout + done.stderr).strip()[:200]}")
    dump.unlink()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--servers", default="oxigraph,virtuoso")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for a push or a query")
    parser.add_argument("--bulk", "--bulk-oxigraph", action="store_true",
                        help="load with each server's bulk loader, not a Graph Store PUT")
    parser.add_argument("--queries", default=",".join(QUERIES), help="saved queries to time on each server")
    args = parser.parse_args()
    import pgraph
    from generate import generate
    from pgraph.push import count_remote, push
    results = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        path = GRAPHS / str(size)
        if not path.exists():
            print(f"generating {size:,} triples into {path}", file=sys.stderr, flush=True)
            generate(size, path)
        start = time.perf_counter()
        kg = pgraph.load(path)
        parse = time.perf_counter() - start
        for name in args.servers.split(","):
            work = Path(tempfile.mkdtemp(prefix=f"pgraph-{name}-"))
            graph = "https://w3id.org/pgraph/graph/bench"
            bulk = args.bulk
            row: dict = {"server": name, "triples": len(kg.backend), "parse_s": parse, "queries": {},
                         "load": ("oxigraph load (bulk)" if name == "oxigraph" else "ld_dir + rdf_loader_run (bulk)")
                         if bulk else "Graph Store PUT"}
            if bulk and name == "oxigraph":
                row["push_s"] = bulk_load(kg, work, graph)
            if name == "oxigraph":
                proc, store_url, query_url = oxigraph(work)
            else:
                proc, store_url, query_url, sql_port = virtuoso(work)
            try:
                start = time.perf_counter()
                try:
                    if bulk and name == "virtuoso":
                        row["push_s"] = virtuoso_bulk_load(kg, work, sql_port, graph, args.timeout)
                    elif not bulk:
                        push(kg.backend, store_url, graph=graph, timeout=args.timeout)
                        row["push_s"] = time.perf_counter() - start
                except Exception as e:  # a failed load is a result to report, not a crash
                    row["push_s"], row["push_error"] = None, str(e)[:200]
                remote = pgraph.connect(query_url, graph=graph, timeout=args.timeout)
                if row["push_s"] is not None:
                    row["count"] = count_remote(remote)
                    for q in args.queries.split(","):
                        params = QUERIES[q]
                        print(f"[{size:,}] {name} {q}", file=sys.stderr, flush=True)
                        start = time.perf_counter()
                        try:
                            n = len(remote.query(q, **params))
                            row["queries"][q] = {"wall": time.perf_counter() - start, "rows": n}
                        except Exception as e:
                            row["queries"][q] = {"wall": None, "error": str(e)[:200]}
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                subprocess.run(["rm", "-rf", str(work)], check=False)
            results.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        del kg
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"servers-{'-'.join(args.sizes.split(','))}.json"
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))
    return 0


def table(results: list[dict]) -> str:
    """The measurements as a Markdown table, one column per server and size."""
    def cell(q: dict | None) -> str:
        if not q:
            return "not run"
        if q.get("wall") is None:
            return "**failed: " + q.get("error", "")[:60] + "**"
        return f"{q['wall']:.2f} s ({q['rows']:,} rows)"
    head = "| | " + " | ".join(f"{r['server']}, {r['triples']:,} triples" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results),
             "| parse and check the files (pgraph, in memory) | " + " | ".join(f"{r['parse_s']:.1f} s" for r in results) + " |",
             "| load into the server | " + " | ".join(
                 f"{r['push_s']:.1f} s ({r.get('load', 'Graph Store PUT')})" if r.get("push_s")
                 else "**failed: " + r.get("push_error", "")[:60] + "**" for r in results) + " |"]
    for q in QUERIES:
        lines.append(f"| query {q} | " + " | ".join(cell(r["queries"].get(q)) for r in results) + " |")
    return "\n".join(lines) + "\n"


def _table_from(files: list[str]) -> None:
    print(table([r for f in files for r in json.loads(Path(f).read_text(encoding="utf-8"))]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--table-from"]:
        sys.exit(_table_from(sys.argv[2:]))
    sys.exit(main())
