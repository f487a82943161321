"""The saved questions pgraph answers by counting participation rows (pairwise.py) on its own engine."""
from __future__ import annotations

PAIRWISE = ("overlap", "redundant", "subsumed", "thematic-overlap", "overlap-graph")
