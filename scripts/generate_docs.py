"""Regenerate the parts of docs/ that come from the code: the query catalogue, the rules table, the ontology pages."""
from __future__ import annotations

import re
from pathlib import Path

from pgraph.catalog import Catalog, markdown
from pgraph.validate import compile_shapes
from pgraph.validate import shape_files
from pgraph.validate import rules_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def catalogue_table() -> str:
    """docs/reliability.md's table of bad inputs, from tests/bad_inputs/catalogue.yaml."""
    import yaml
    cases = yaml.safe_load((ROOT / "tests" / "bad_inputs" / "catalogue.yaml").read_text(encoding="utf-8"))
    rows = ["| input | command | expected | test |", "|---|---|---|---|"]
    for c in cases:
        data = {"alone": "`--data` folder holding only the fixture ", "with-real": "`--data` = data/ + the fixture ",
                "none": ""}[c["data"]]
        command = "pgraph " + " ".join(c["command"]).replace("|", "\\|")
        fixture = f" ([`{c['fixture']}`](../tests/bad_inputs/{c['fixture']}))" if c.get("fixture") else ""
        expected = (f"exit {c['exit']}, `{_readable(c['message'])}`" if c["exit"] == 2 else
                    f"exit {c['exit']}, report shows `{c['stdout']}`").replace("|", "\\|")
        rows.append(f"| {c['input']}{fixture} | {data}`{command}` | {expected} | "
                    f"`test_bad_input_gives_its_exit_code_and_one_line_cause[{c['id']}]` |")
    return "\n".join(rows) + "\n"


def _readable(pattern: str) -> str:
    """A message pattern as a reader sees it: N for numbers, ... for anything, escapes removed."""
    text = pattern.replace("\\d+", "N").replace(".*", "...")
    return re.sub(r"\\(.)", r"\1", text)


def _fill(page: Path, marker: str, table: str) -> None:
    text = re.sub(rf"(<!-- {marker}:begin -->\n).*?(<!-- {marker}:end -->)", lambda m: m.group(1) + table + m.group(2),
                  page.read_text(encoding="utf-8"), flags=re.S)
    page.write_text(text, encoding="utf-8")


def predicates_table() -> str:
    """queries/predicates.json: the predicates each saved query reads (a pairwise question's building
    blocks included), so `pgraph query NAME` loads only their quads from the cache."""
    import json
    from pgraph.catalog.reads import table
    from pgraph.graphs import BUILDING_BLOCKS, PAIRWISE
    rows = table(Catalog(), {name: BUILDING_BLOCKS for name in PAIRWISE})
    return json.dumps(rows, indent=1, sort_keys=True) + "\n"


def main() -> None:
    (DOCS / "queries.md").write_text(markdown(Catalog()), encoding="utf-8")
    (ROOT / "queries" / "predicates.json").write_text(predicates_table(), encoding="utf-8")
    _fill(DOCS / "validation.md", "rules", rules_markdown(compile_shapes(shape_files()).described))
    _fill(DOCS / "reliability.md", "catalogue", catalogue_table())
    from pgraph.serve import write_ontology_docs
    write_ontology_docs(DOCS / "ontology")  # the /ontology page of `pgraph serve`, as static HTML


if __name__ == "__main__":
    main()
