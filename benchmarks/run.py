"""`make bench`: wall time and peak memory of pgraph's commands on the real data and synthetic graphs,
beside the straightforward rdflib + pySHACL way and the `oxigraph` command line on the same queries.

Each measurement is a fresh process (interpreter start included), repeated --runs times; the table
shows medians. A command that exits non-zero is a failure in the table, never a time. Every saved
query's answer is counted (CSV records without the header, distinct N-Triples lines for a
CONSTRUCT) and checked against a reference run: the same bound SPARQL text on an in-memory
pyoxigraph store in one process, which is also the engine floor. Results go to
benchmarks/results/latest.json and, with --update-docs, into the table of docs/performance.md.

    python benchmarks/run.py                      # real, 10k, 100k, 1M; 3 runs each
    python benchmarks/run.py --sizes 10000 --runs 3 --baseline-timeout 120
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
GRAPHS = ROOT / "benchmarks" / "graphs"
DOC = ROOT / "docs" / "performance.md"

sys.path.insert(0, str(ROOT / "benchmarks"))


# The measured command runs under this small launcher: Linux carries a process's peak-RSS mark
# across fork and exec, so a child forked straight from this (large) benchmark process would
# report at least our own size. The launcher is small, so its child's peak is the command's own.
_LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
with open(sys.argv[1], "wb") as out:
    proc = subprocess.Popen(sys.argv[2:], stdout=out)
    _, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
sys.stderr.write(f"\\nPGRAPH_MEASURE {wall} {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def count_rows(path: Path, kind: str) -> int:
    """Records in a command's output: CSV rows without the header, or distinct N-Triples lines."""
    import csv
    with open(path, encoding="utf-8", newline="") as f:
        if kind == "ntriples":
            return len({line for line in f if line.strip() and not line.startswith("#")})
        return max(0, sum(1 for _ in csv.reader(f)) - 1)


def measure(cmd: list[str], *, timeout: float | None = None, env: dict[str, str] | None = None,
            rows: str | None = None) -> dict:
    """Wall seconds and peak resident memory (MB) of one process, or a timeout/failure mark.

    Only exit 0 counts as a result: any other exit is a failure, whatever the time. With rows
    ('csv' or 'ntriples'), the answer on stdout is counted."""
    import signal
    out = Path(tempfile.mkstemp(prefix="pgraph-bench-out-")[1])
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(out), *cmd], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, **(env or {})},
                            start_new_session=True)
    try:
        try:
            _, err_bytes = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {"wall": None, "rss_mb": None, "status": f"timeout > {timeout:.0f} s"}
        err = err_bytes.decode(errors="replace")
        found = [line for line in err.splitlines() if line.startswith("PGRAPH_MEASURE ")]
        if not found:
            return {"wall": None, "rss_mb": None, "status": f"no measurement: {err[-300:]}"}
        wall, rss_kb = found[-1].split()[1:]
        code = proc.returncode
        result = {"wall": float(wall), "rss_mb": int(rss_kb) / 1024,
                  "status": "ok" if code == 0 else f"exit {code}: {err.strip()[-300:]}"}
        if rows and code == 0:
            result["rows"] = count_rows(out, rows)
        return result
    finally:
        out.unlink(missing_ok=True)


def median_of(cmd: list[str], runs: int, progress: str, **kw) -> dict:
    samples = []
    for i in range(runs):
        print(f"\r\x1b[K{progress} run {i + 1}/{runs}", end="", file=sys.stderr, flush=True)
        m = measure(cmd, **kw)
        samples.append(m)
        if m["status"] != "ok":
            break  # a timeout or failure is not repeated, and the command counts as failed
    if samples[-1]["status"] != "ok":
        return {"wall": None, "rss_mb": None, "status": samples[-1]["status"], "runs": len(samples)}
    out = {"wall": statistics.median(s["wall"] for s in samples),
           "rss_mb": statistics.median(s["rss_mb"] for s in samples), "status": "ok", "runs": len(samples)}
    counts = {s["rows"] for s in samples if "rows" in s}
    if len(counts) > 1:
        return {**out, "wall": None, "status": f"rows differ between runs: {sorted(counts)}"}
    if counts:
        out["rows"] = counts.pop()
    return out


# One process, one in-memory store, every saved query's bound text: the reference row counts
# and the engine's own time (the floor pgraph's time is compared with).
_REFERENCE = """
import json, statistics, sys, time
import pyoxigraph as ox
files, queries, runs = json.loads(sys.stdin.read())
start = time.perf_counter()
store = ox.Store()
for f in files:
    with open(f, "rb") as fh:
        store.load(fh.read(), format=ox.RdfFormat.TURTLE, base_iri="file://" + f)
out = {"load": time.perf_counter() - start, "queries": {}}
for name, text in queries.items():
    times, rows = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = store.query(text)
        if isinstance(result, ox.QueryTriples):
            rows = len({str(triple) for triple in result})
        elif isinstance(result, ox.QueryBoolean):
            rows = 1
        else:
            rows = sum(1 for _ in result)
        times.append(time.perf_counter() - t)
    out["queries"][name] = {"wall": statistics.median(times), "rows": rows}
    print(json.dumps({name: out["queries"][name]}), file=sys.stderr, flush=True)
print(json.dumps(out))
"""


def reference(data: Path, texts: dict[str, str], runs: int, timeout: float, progress: str) -> dict:
    """Row counts and engine times of the bound query texts on in-memory pyoxigraph (see _REFERENCE)."""
    from pgraph.store import collect
    files = [str(p.resolve()) for p in collect(data).all]
    print(f"\r\x1b[K{progress}", end="", file=sys.stderr, flush=True)
    try:
        done = subprocess.run([sys.executable, "-c", _REFERENCE], input=json.dumps([files, texts, runs]),
                              capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        partial = {}
        for line in (e.stderr or b"").decode(errors="replace").splitlines() if isinstance(e.stderr, bytes) \
                else (e.stderr or "").splitlines():
            if line.startswith("{"):
                partial.update(json.loads(line))
        return {"load": None, "queries": partial, "status": f"timeout > {timeout:.0f} s"}
    if done.returncode != 0:
        return {"load": None, "queries": {}, "status": f"exit {done.returncode}: {done.stderr[-300:]}"}
    return {**json.loads(done.stdout.splitlines()[-1]), "status": "ok"}


def check_rows(ours: dict, expected: dict | None) -> dict:
    """A measured query whose row count differs from the reference run is a failure, not a time."""
    if ours["status"] != "ok" or "rows" not in ours:
        return ours
    if expected is None:
        return {**ours, "status": "no reference", "wall": None}
    if ours["rows"] != expected["rows"]:
        return {**ours, "status": f"rows {ours['rows']:,} != reference {expected['rows']:,}", "wall": None}
    return {**ours, "reference_rows": expected["rows"]}


def query_params(dataset: str) -> dict[str, list[str]]:
    """Parameters for the saved queries that need one, per dataset."""
    if dataset == "real":
        return {"members": ["instrument=pfp"], "partner-history": ["country=GEO"],
                "event-participants": ["event=chicago-2012"], "reported-counts": ["instrument=ip"],
                "search": ["text=peace"]}
    return {"members": ["instrument=synthetic-1"], "partner-history": ["country=AAB"],
            "reported-counts": ["instrument=synthetic-1"], "event-participants": None,
            "search": ["text=synthetic"]}


def load(data: Path):
    import pgraph
    return pgraph.load(data)


def oxigraph_store(data: Path, location: Path, runs: int, progress: str) -> dict:
    """Load the same files into an on-disk Oxigraph store with the CLI (timed once per run)."""
    from pgraph.store import collect
    files = [str(p) for p in collect(data).all]
    def load_cmd() -> list[str]:
        shutil.rmtree(location, ignore_errors=True)
        return [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", *files]
    samples = []
    for i in range(runs):
        print(f"\r\x1b[K{progress} run {i + 1}/{runs}", end="", file=sys.stderr, flush=True)
        samples.append(measure(load_cmd()))
    ok = [s for s in samples if s["status"] == "ok"]
    if len(ok) < len(samples):
        return {"wall": None, "rss_mb": None, "status": next(s["status"] for s in samples if s["status"] != "ok")}
    return {"wall": statistics.median(s["wall"] for s in ok), "rss_mb": statistics.median(s["rss_mb"] for s in ok),
            "status": "ok", "runs": len(ok)}


def cache_loads(base: list[str], tmp: Path, runs: int, timeout: float, progress: str) -> dict[str, dict]:
    """The load behind the smallest query (`query allies`): without the cache, on the first run after a
    change (an empty cache folder for each run) and with a warm cache (filled by one untimed run), and
    the warm load of the whole graph (an ad hoc query, which may read any predicate)."""
    cmd = base + ["query", "allies", "--format", "csv"]
    out = {"load: no cache (query allies)": median_of(cmd, runs, f"{progress} load without cache",
                                                       env={"PGRAPH_CACHE": "off"}, timeout=timeout)}
    samples = []
    for i in range(runs):
        folder = tmp / f"cache-first-{i}"
        samples.append(median_of(cmd, 1, f"{progress} load, first run after a change {i + 1}/{runs}",
                                 env={"PGRAPH_CACHE": str(folder)}, timeout=timeout))
        shutil.rmtree(folder, ignore_errors=True)
        if samples[-1]["status"] != "ok":
            break
    bad = [m for m in samples if m["status"] != "ok"]
    out["load: first run after a change"] = bad[0] if bad else {
        "wall": statistics.median(m["wall"] for m in samples), "rss_mb": statistics.median(m["rss_mb"] for m in samples),
        "status": "ok", "runs": len(samples)}
    warm = {"PGRAPH_CACHE": str(tmp / "cache-warm")}
    measure(cmd, env=warm, timeout=timeout)  # fills the cache; not timed
    # `query` loads only the predicates its question reads; an ad hoc query loads the whole graph
    out["load: cache warm (query allies: its predicates)"] = median_of(
        cmd, runs, f"{progress} load, cache warm", env=warm, timeout=timeout)
    out["load: cache warm, whole graph (sparql ASK {})"] = median_of(
        base + ["sparql", "ASK {}"], runs, f"{progress} load of the whole graph, cache warm", env=warm, timeout=timeout)
    return out


def bench(dataset: str, data: Path, args: argparse.Namespace) -> dict:
    from pgraph.catalog import Catalog
    py = str(sys.executable)
    kg = load(data)
    out: dict = {"dataset": dataset, "triples": len(kg.backend), "pgraph": {}, "baseline": {}, "oxigraph": {},
                 "reference": {}}
    tmp = Path(tempfile.mkdtemp(prefix="pgraph-bench-"))
    params = query_params(dataset)
    base = [py, "-m", "pgraph", "--data", str(data)]
    jobs: list[tuple[str, list[str], str | None]] = [("stats", base + ["stats"], None)]
    texts: dict[str, str] = {}
    for saved in Catalog():
        p = params.get(saved.name, [])
        if p is None:
            continue
        texts[saved.name] = saved.bound(dict(x.split("=", 1) for x in p), kg.resolve)
        kind = "ntriples" if saved.form == "CONSTRUCT" else "csv"
        jobs.append((f"query {saved.name}", base + ["query", saved.name, "--format", kind]
                     + sum((["--param", x] for x in p), []), kind))
    jobs += [("validate", base + ["validate"], None),
             ("export overlap", base + ["export", "overlap", "-o", str(tmp / "overlap.graphml")], None),
             ("report", base + ["report", "-o", str(tmp / "report.html")], None)]
    del kg
    ref = reference(data, texts, args.reference_runs, args.reference_timeout, f"[{dataset}] reference run")
    out["reference"] = ref
    out["pgraph"].update(cache_loads(base, tmp, args.runs, args.timeout, f"[{dataset}]"))
    for i, (name, cmd, rows) in enumerate(jobs, 1):
        m = median_of(cmd, args.runs, f"[{dataset}] {i}/{len(jobs)} pgraph {name}", rows=rows,
                      timeout=args.timeout)
        if rows:
            m = check_rows(m, ref["queries"].get(name.removeprefix("query ")))
        out["pgraph"][name] = m
    if args.baseline and dataset in args.baseline_on:
        sf = [py, str(ROOT / "benchmarks" / "straightforward.py"), "--data", str(data)]
        for name in args.baseline_queries:
            p = params.get(name) or []
            out["baseline"][f"query {name}"] = median_of(
                sf + ["--query", name] + sum((["--param", x] for x in p), []), args.baseline_runs,
                f"[{dataset}] rdflib query {name}", timeout=args.baseline_timeout)
        out["baseline"]["validate"] = median_of(sf + ["--validate"], args.baseline_runs,
                                                f"[{dataset}] pyshacl validate", timeout=args.baseline_timeout)
    if args.oxigraph:
        location = tmp / "oxigraph-store"
        out["oxigraph"]["load"] = oxigraph_store(data, location, args.runs, f"[{dataset}] oxigraph load")
        for name in args.floor_queries:
            if name not in texts:
                continue
            qfile = tmp / f"{name}.rq"
            qfile.write_text(texts[name], encoding="utf-8")
            construct = Catalog().get(name).form == "CONSTRUCT"
            out["oxigraph"][f"query {name}"] = median_of(
                [str(BIN / "oxigraph"), "query", "--location", str(location), "--query-file", str(qfile),
                 "--results-format", "nt" if construct else "csv"], args.floor_runs,
                f"[{dataset}] oxigraph query {name}", rows="ntriples" if construct else "csv",
                timeout=args.timeout)
    shutil.rmtree(tmp, ignore_errors=True)
    print("\r\x1b[K", end="", file=sys.stderr)
    return out


def local_exponent(small: tuple[int, float | None], large: tuple[int, float | None]) -> float | None:
    """k in time ∝ triples^k between two sizes (the two largest: where fixed costs no longer hide growth)."""
    (n1, t1), (n2, t2) = small, large
    if not t1 or not t2 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def fmt(m: dict | None, *, rows: bool = False) -> str:
    if not m:
        return "–"
    if m["status"] != "ok":
        status = m["status"].split("\n")[0]
        return "**failed: " + (status if status.startswith(("rows", "timeout", "no reference")) else status[:60]) + "**"
    text = f"{m['wall']:.2f} s / {m['rss_mb']:.0f} MB"
    return text + (f", {m['rows']:,} rows" if rows and "rows" in m else "")


def table(results: list[dict]) -> str:
    names = list(results[0]["pgraph"])
    synthetic = sorted((r for r in results if r["dataset"] != "real"), key=lambda r: r["triples"])
    growth = len(synthetic) >= 2
    last = f"k {synthetic[-2]['dataset']}→{synthetic[-1]['dataset']}" if growth else ""
    head = "| command | " + " | ".join(f"{r['dataset']} ({r['triples']:,} triples)" for r in results) + \
        (f" | {last} |" if growth else " |")
    lines = [head, "|---|" + "---|" * (len(results) + growth)]

    def exponent(get) -> str:
        if not growth:
            return ""
        k = local_exponent(*[(r["triples"], (get(r) or {}).get("wall")) for r in synthetic[-2:]])
        return f" {k:.2f} |" if k is not None else " – |"

    for name in names:
        lines.append(f"| pgraph {name} | " + " | ".join(fmt(r["pgraph"].get(name), rows=True) for r in results)
                     + " |" + exponent(lambda r: r["pgraph"].get(name)))
    baseline_names = sorted({k for r in results for k in r["baseline"]})
    for name in baseline_names:
        cells = []
        for r in results:
            b, ours = r["baseline"].get(name), r["pgraph"].get(name)
            if not b:
                cells.append("–")
            elif b["status"] != "ok" or not ours or ours["status"] != "ok":
                cells.append(fmt(b) + (f" (≥ {float(b['status'].split('>')[1].split()[0]) / ours['wall']:.0f}x)"
                                       if b["status"].startswith("timeout") and ours and ours["wall"] else ""))
            else:
                cells.append(f"{fmt(b)} ({b['wall'] / ours['wall']:.0f}x)")
        lines.append(f"| straightforward (rdflib/pySHACL) {name} | " + " | ".join(cells) + " |" + (" |" if growth else ""))
    for r in results:
        r["reference"].setdefault("queries", {})
    ref_names = [n for n in names if n.startswith("query ")]
    for name in ref_names:
        cells = []
        for r in results:
            ref, ours = r["reference"]["queries"].get(name.removeprefix("query ")), r["pgraph"].get(name)
            if not ref:
                cells.append("–" if r["reference"].get("status", "ok") == "ok" else "**" + r["reference"]["status"] + "**")
            elif ours and ours["status"] == "ok" and r["reference"].get("load"):
                floor = ref["wall"] + r["reference"]["load"]  # pgraph's process loads the graph too
                cells.append(f"{ref['wall']:.2f} s; with load {floor:.2f} s (pgraph {ours['wall'] / floor:.1f}x)")
            else:
                cells.append(f"{ref['wall']:.2f} s")
        lines.append(f"| floor: in-memory pyoxigraph, same text, {name} | " + " | ".join(cells) + " |"
                     + exponent(lambda r: {"wall": (r["reference"]["queries"].get(name.removeprefix("query ")) or {}).get("wall")}))
    lines.append("| floor: in-memory pyoxigraph load (Turtle, no checks) | " + " | ".join(
        f"{r['reference']['load']:.2f} s" if r["reference"].get("load") else "–" for r in results) + " |"
        + exponent(lambda r: {"wall": r["reference"].get("load")}))
    oxi_names = sorted({k for r in results for k in r["oxigraph"]})
    for name in oxi_names:
        cells = []
        for r in results:
            o, ours = r["oxigraph"].get(name), r["pgraph"].get(name)
            if not o:
                cells.append("–")
            elif name == "load" or not ours or ours["status"] != "ok" or o["status"] != "ok":
                cells.append(fmt(o))
            else:
                cells.append(f"{fmt(o)} (pgraph {ours['wall'] / o['wall']:.1f}x)")
        lines.append(f"| floor: oxigraph CLI, on-disk store, {name} | " + " | ".join(cells) + " |"
                     + exponent(lambda r: r["oxigraph"].get(name)))
    failed = [f"{r['dataset']}: {n}" for r in results for n, m in r["pgraph"].items() if m["status"] != "ok"]
    lines += ["", f"Failures (non-zero exit, timeout, or rows unlike the reference run): {len(failed)}"
              + (" — " + "; ".join(failed) if failed else "")]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="synthetic sizes in triples ('' for none)")
    parser.add_argument("--no-real", action="store_true", help="skip the real data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large-runs", type=int, default=3, help="runs at 1M triples and more")
    parser.add_argument("--table-from", help="print the table of a saved results file and stop")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--baseline-on", default="real,10000,100000", help="datasets for the rdflib/pySHACL baseline")
    parser.add_argument("--baseline-queries", default="overlap,members,instruments")
    parser.add_argument("--floor-queries", default="overlap,redundant,subsumed,thematic-overlap,overlap-graph,"
                        "members,instruments", help="saved queries also timed on the oxigraph command line")
    parser.add_argument("--floor-runs", type=int, default=1)
    parser.add_argument("--reference-runs", type=int, default=1, help="runs of each query in the reference process")
    parser.add_argument("--reference-timeout", type=float, default=1800)
    parser.add_argument("--timeout", type=float, default=600, help="per measured pgraph or oxigraph process")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--baseline-timeout", type=float, default=600)
    parser.add_argument("--oxigraph", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--update-docs", action="store_true", help="write the table into docs/performance.md")
    args = parser.parse_args()
    if args.table_from:
        print(table(json.loads(Path(args.table_from).read_text(encoding="utf-8"))["results"]))
        return 0
    args.baseline_on = set(args.baseline_on.split(","))
    args.baseline_queries = [q for q in args.baseline_queries.split(",") if q]
    args.floor_queries = [q for q in args.floor_queries.split(",") if q]
    from generate import generate
    datasets: list[tuple[str, Path]] = [] if args.no_real else [("real", ROOT / "data")]
    for size in [int(s) for s in args.sizes.split(",") if s]:
        path = GRAPHS / str(size)
        if not path.exists():
            print(f"generating {size:,} triples into {path}", file=sys.stderr)
            generate(size, path)
        datasets.append((str(size), path))
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "date": time.strftime("%Y-%m-%d"), "runs": args.runs, "large_runs": args.large_runs,
            "load_average": os.getloadavg()[0]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    for name, path in datasets:  # saved after each dataset, so a long run that is stopped keeps what it measured
        large = name != "real" and int(name) >= 1_000_000
        results.append(bench(name, path, argparse.Namespace(**{**vars(args),
                                                                "runs": args.large_runs if large else args.runs})))
        meta["load_average_end"] = os.getloadavg()[0]
        (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2),
                                             encoding="utf-8")
    text = table(results)
    print(text)
    failures = sum(1 for r in results for m in r["pgraph"].values() if m["status"] != "ok")
    if args.update_docs:
        page = DOC.read_text(encoding="utf-8")
        begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
        head, rest = page.split(begin)
        _, tail = rest.split(end)
        runs = f"medians of {meta['runs']} runs" + (f" ({meta['large_runs']} at 1M triples and more)"
                                                     if meta["large_runs"] != meta["runs"] else "")
        DOC.write_text(head + begin + f"Measured {meta['date']} on {meta['machine']}; {runs}, wall time and peak "
                       f"memory of a fresh process; load average {meta['load_average']:.1f} at the start, "
                       f"{meta['load_average_end']:.1f} at the end (a machine shared with other work).\n\n" + text + end + tail, encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
