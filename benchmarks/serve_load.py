"""Load on `pgraph serve`: C clients x N mixed requests on 127.0.0.1 against the real data;
reports median and p95 latency per kind of request and overall, and fails on any error.

    python benchmarks/serve_load.py                  # 8 clients x 200 requests
    python benchmarks/serve_load.py --clients 4 --requests 50 --json benchmarks/results/serve.json

Mixed requests: saved-query pages (with varied parameters), API answers (CSV, JSON), entity
pages, the catalogue, and small SPARQL endpoint queries. Each client is a thread with its own
HTTP connections (urllib), so the numbers include connection set-up, as a browser's first visit.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]

DATES = ["1995-06-30", "2000-01-01", "2004-12-31", "2010-06-30", "2014-09-05", "2020-06-30", "2024-01-01"]
INSTRUMENTS = ["pfp", "md", "ici", "eapc", "nato-russia-council", "nato-georgia-commission"]
COUNTRIES = ["FIN", "GEO", "UKR", "SWE", "JOR", "AUS"]


def requests_for(rng: random.Random, cold: bool = False) -> tuple[str, str, bytes | None]:
    """One request: (kind, path, POST body or None); cold: a random day, so answers are rarely kept."""
    pick = rng.random()
    day = rng.choice(DATES) if not cold else f"{rng.randint(1994, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if pick < 0.40:
        name, params = rng.choice([("members", {"instrument": rng.choice(INSTRUMENTS), "asOf": day}),
                                   ("partners", {"asOf": day}), ("instruments", {"asOf": day}),
                                   ("overlap", {"asOf": day}), ("partner-history", {"country": rng.choice(COUNTRIES)}),
                                   ("allies", {"asOf": day})])
        return "query page", f"/q/{name}?{urlencode(params)}", None
    if pick < 0.65:
        fmt = rng.choice(["csv", "json"])
        return "api", f"/api/members.{fmt}?{urlencode({'instrument': rng.choice(INSTRUMENTS), 'asOf': day})}", None
    if pick < 0.85:
        return "entity page", rng.choice([f"/id/country/{rng.choice(COUNTRIES)}",
                                          f"/id/instrument/{rng.choice(INSTRUMENTS)}"]), None
    if pick < 0.92:
        return "catalogue", "/", None
    query = "SELECT ?e ?d WHERE { ?e a <https://w3id.org/pgraph/ontology#Summit> ; " \
            "<https://w3id.org/pgraph/ontology#date> ?d } ORDER BY ?d"
    return "sparql", "/sparql", urlencode({"query": query}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200, help="requests per client")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cold", action="store_true", help="a random date per request: answers are computed, not kept")
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "pgraph", "serve", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/static/app.js", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    print("the server did not start", file=sys.stderr)
                    return 2
                time.sleep(0.2)
        timings: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            rng = random.Random(args.seed * 1000 + n)
            for _ in range(args.requests):
                kind, path, body = requests_for(rng, args.cold)
                request = urllib.request.Request(base + path, data=body)
                if body is not None:
                    request.add_header("Content-Type", "application/x-www-form-urlencoded")
                    request.add_header("Accept", "application/sparql-results+json")
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        response.read()
                        ok = response.status == 200
                except (urllib.error.URLError, OSError) as e:
                    ok, path = False, f"{path}: {e}"
                took = (time.perf_counter() - started) * 1000
                with lock:
                    timings.setdefault(kind, []).append(took)
                    if not ok:
                        errors.append(path)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    every = [t for values in timings.values() for t in values]
    rows = {kind: {"requests": len(v), "median_ms": round(statistics.median(v), 1),
                   "p95_ms": round(percentile(v, 0.95), 1)} for kind, v in sorted(timings.items())}
    rows["all"] = {"requests": len(every), "median_ms": round(statistics.median(every), 1),
                   "p95_ms": round(percentile(every, 0.95), 1)}
    print(f"pgraph serve under load{' (cold: a random date per request)' if args.cold else ''}: {args.clients} clients x {args.requests} requests, "
          f"{len(every)} in {wall:.1f} s ({len(every) / wall:.0f}/s), {len(errors)} errors")
    print(f"{'request':<14} {'n':>6} {'median ms':>10} {'p95 ms':>8}")
    for kind, r in rows.items():
        print(f"{kind:<14} {r['requests']:>6} {r['median_ms']:>10} {r['p95_ms']:>8}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"clients": args.clients, "cold": args.cold, "requests": args.requests,
                                               "wall_s": round(wall, 2), "errors": errors, "latency": rows},
                                              indent=2) + "\n", encoding="utf-8")
    for e in errors[:5]:
        print(f"error: {e}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
