"""Where pgraph's ontology, saved queries and data live (source tree or installed copy)."""
from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _home() -> Path:
    """The folder holding ontology/, queries/ and data/: the source checkout, else the wheel's copy."""
    checkout = _PKG.parent.parent
    if (checkout / "ontology" / "pgraph.ttl").is_file():
        return checkout
    return _PKG / "_share"


HOME = _home()
ONTOLOGY_DIR = HOME / "ontology"
SHAPES_DIR = ONTOLOGY_DIR / "shapes"
QUERIES_DIR = HOME / "queries"
SCENARIOS_DIR = HOME / "data" / "scenarios"  # the bundled scenarios, whatever data directory is loaded


def default_data_dir() -> Path:
    """The data directory: $PGRAPH_DATA when set, else the bundled data/."""
    env = os.environ.get("PGRAPH_DATA")
    return Path(env) if env else HOME / "data"


def ontology_files() -> list[Path]:
    """The TBox files loaded with every graph (not the shapes)."""
    return sorted(ONTOLOGY_DIR.glob("*.ttl"))
