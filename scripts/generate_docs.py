"""Regenerate the parts of docs/ that come from the code: the query catalogue and the rules table."""
from __future__ import annotations

import re
from pathlib import Path

from pgraph.catalog import Catalog, markdown
from pgraph.shacl import compile_shapes
from pgraph.validation import shape_files
from pgraph.validation_output import rules_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    (DOCS / "queries.md").write_text(markdown(Catalog()), encoding="utf-8")
    page = DOCS / "validation.md"
    table = rules_markdown(compile_shapes(shape_files()).described)
    text = re.sub(r"(<!-- rules:begin -->\n).*?(<!-- rules:end -->)", lambda m: m.group(1) + table + m.group(2),
                  page.read_text(encoding="utf-8"), flags=re.S)
    page.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
