"""The same work done the straightforward way, as the baseline: rdflib in-memory graph, rdflib's SPARQL
engine, pySHACL over rdflib — the same files, the same saved queries (parameters bound the same
way) and the same shapes.

    python benchmarks/straightforward.py --data DIR --query overlap
    python benchmarks/straightforward.py --data DIR --validate
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def load(data: Path):
    import rdflib
    from pgraph.store import collect
    g = rdflib.Graph()
    for path in collect(data).all:
        g.parse(path, format="turtle")
    return g


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--query")
    parser.add_argument("--param", action="append", default=[])
    parser.add_argument("--validate", action="store_true")
    args = parser.parse_args()
    g = load(args.data)
    if args.query:
        from pgraph.catalog import Catalog
        saved = Catalog().get(args.query)
        params = dict(p.split("=", 1) for p in args.param)
        text = saved.bound(params)
        rows = list(g.query(text))
        print(len(rows))
    if args.validate:
        import rdflib
        from pyshacl import validate
        from pgraph.validate import Settings, shape_files
        g.parse(data=Settings(as_of=dt.date.today()).ntriples(), format="nt")
        shapes = rdflib.Graph()
        for path in shape_files():
            shapes.parse(path, format="turtle")
        _conforms, results, _text = validate(g, shacl_graph=shapes, inference="none", allow_warnings=True)
        print(len(set(results.subjects())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
