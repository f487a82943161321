"""`make bench`: wall time and peak memory of pgraph's commands on the real data and synthetic graphs,
beside the straightforward rdflib + pySHACL way and the `oxigraph` command line on the same queries.

Each measurement is a fresh process (interpreter start included), repeated --runs times; the table
shows medians. Results go to benchmarks/results/latest.json and, with --update-docs, into the
table of docs/performance.md.

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
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
sys.stderr.write(f"\\nPGRAPH_MEASURE {wall} {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def measure(cmd: list[str], *, timeout: float | None = None, env: dict[str, str] | None = None) -> dict:
    """Wall seconds and peak resident memory (MB) of one process, or a timeout/failure mark."""
    import signal
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, *cmd], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, **(env or {})},
                            start_new_session=True)
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
    return {"wall": float(wall), "rss_mb": int(rss_kb) / 1024,
            "status": "ok" if code in (0, 1) else f"exit {code}: {err[-300:]}"}


def median_of(cmd: list[str], runs: int, progress: str, **kw) -> dict:
    samples = []
    for i in range(runs):
        print(f"\r\x1b[K{progress} run {i + 1}/{runs}", end="", file=sys.stderr, flush=True)
        m = measure(cmd, **kw)
        samples.append(m)
        if m["status"] != "ok":
            break  # a timeout or failure is not repeated
    ok = [s for s in samples if s["status"] == "ok"]
    if not ok:
        return {"wall": None, "rss_mb": None, "status": samples[-1]["status"], "runs": len(samples)}
    return {"wall": statistics.median(s["wall"] for s in ok), "rss_mb": statistics.median(s["rss_mb"] for s in ok),
            "status": "ok", "runs": len(ok)}


def query_params(dataset: str) -> dict[str, list[str]]:
    """Parameters for the saved queries that need one, per dataset."""
    if dataset == "real":
        return {"members": ["instrument=pfp"], "partner-history": ["country=GEO"],
                "event-participants": ["event=chicago-2012"], "reported-counts": ["instrument=ip"],
                "search": ["text=peace"]}
    return {"members": ["instrument=synthetic-1"], "partner-history": ["country=AAB"],
            "reported-counts": ["instrument=synthetic-1"], "event-participants": None,
            "search": ["text=synthetic"]}


def triples(data: Path) -> int:
    import pgraph
    return len(pgraph.load(data).backend)


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
    return {"wall": statistics.median(s["wall"] for s in ok) if ok else None,
            "rss_mb": statistics.median(s["rss_mb"] for s in ok) if ok else None,
            "status": "ok" if ok else samples[-1]["status"], "runs": len(ok)}


def bench(dataset: str, data: Path, args: argparse.Namespace) -> dict:
    from pgraph.catalog import Catalog
    py = str(sys.executable)
    out: dict = {"dataset": dataset, "triples": triples(data), "pgraph": {}, "baseline": {}, "oxigraph": {}}
    tmp = Path(tempfile.mkdtemp(prefix="pgraph-bench-"))
    params = query_params(dataset)
    base = [py, "-m", "pgraph", "--data", str(data)]
    jobs: list[tuple[str, list[str]]] = [("stats", base + ["stats"])]
    for saved in Catalog():
        p = params.get(saved.name, [])
        if p is None:
            continue
        jobs.append((f"query {saved.name}", base + ["query", saved.name, "--format", "csv"]
                     + sum((["--param", x] for x in p), [])))
    jobs += [("validate", base + ["validate"]),
             ("export overlap", base + ["export", "overlap", "-o", str(tmp / "overlap.graphml")]),
             ("report", base + ["report", "-o", str(tmp / "report.html")])]
    for i, (name, cmd) in enumerate(jobs, 1):
        out["pgraph"][name] = median_of(cmd, args.runs, f"[{dataset}] {i}/{len(jobs)} pgraph {name}")
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
        for name in args.baseline_queries:
            saved = Catalog().get(name)
            p = dict(x.split("=", 1) for x in (params.get(name) or []))
            import pgraph
            text = saved.bound(p, pgraph.load(data).resolve) if p else saved.bound({})
            qfile = tmp / f"{name}.rq"
            qfile.write_text(text, encoding="utf-8")
            out["oxigraph"][f"query {name}"] = median_of(
                [str(BIN / "oxigraph"), "query", "--location", str(location), "--query-file", str(qfile),
                 "--results-format", "csv"], args.runs, f"[{dataset}] oxigraph query {name}")
    shutil.rmtree(tmp, ignore_errors=True)
    print("\r\x1b[K", end="", file=sys.stderr)
    return out


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares exponent of time ~ size^k over the synthetic sizes."""
    pts = [(math.log(n), math.log(t)) for n, t in points if t]
    if len(pts) < 2:
        return None
    mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def fmt(m: dict | None) -> str:
    if not m:
        return "–"
    if m["status"] != "ok":
        return m["status"].split(":")[0]
    return f"{m['wall']:.2f} s / {m['rss_mb']:.0f} MB"


def table(results: list[dict]) -> str:
    names = list(results[0]["pgraph"])
    head = "| command | " + " | ".join(f"{r['dataset']} ({r['triples']:,} triples)" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for name in names:
        lines.append(f"| pgraph {name} | " + " | ".join(fmt(r["pgraph"].get(name)) for r in results) + " |")
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
        lines.append(f"| straightforward (rdflib/pySHACL) {name} | " + " | ".join(cells) + " |")
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
        lines.append(f"| oxigraph CLI {name} | " + " | ".join(cells) + " |")
    synthetic = [r for r in results if r["dataset"] != "real"]
    if len(synthetic) >= 2:
        lines.append("")
        lines.append("Growth exponent k in time ∝ triples^k over the synthetic sizes (1 = linear):")
        lines.append("")
        for name in ("stats", "validate", "query members", "query instruments", "query partners", "query overlap"):
            k = slope([(r["triples"], (r["pgraph"].get(name) or {}).get("wall")) for r in synthetic])
            if k is not None:
                lines.append(f"- {name}: k = {k:.2f}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="synthetic sizes in triples ('' for none)")
    parser.add_argument("--no-real", action="store_true", help="skip the real data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--baseline-on", default="real,10000,100000", help="datasets for the rdflib/pySHACL baseline")
    parser.add_argument("--baseline-queries", default="overlap,members,instruments")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--baseline-timeout", type=float, default=600)
    parser.add_argument("--oxigraph", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--update-docs", action="store_true", help="write the table into docs/performance.md")
    args = parser.parse_args()
    args.baseline_on = set(args.baseline_on.split(","))
    args.baseline_queries = [q for q in args.baseline_queries.split(",") if q]
    from generate import generate
    datasets: list[tuple[str, Path]] = [] if args.no_real else [("real", ROOT / "data")]
    for size in [int(s) for s in args.sizes.split(",") if s]:
        path = GRAPHS / str(size)
        if not path.exists():
            print(f"generating {size:,} triples into {path}", file=sys.stderr)
            generate(size, path)
        datasets.append((str(size), path))
    results = [bench(name, path, args) for name, path in datasets]
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "date": time.strftime("%Y-%m-%d"), "runs": args.runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2), encoding="utf-8")
    text = table(results)
    print(text)
    if args.update_docs:
        page = DOC.read_text(encoding="utf-8")
        begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
        head, rest = page.split(begin)
        _, tail = rest.split(end)
        DOC.write_text(head + begin + f"Measured {meta['date']} on {meta['machine']}; medians of {meta['runs']} runs, "
                       "wall time and peak memory of a fresh process.\n\n" + text + end + tail, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
