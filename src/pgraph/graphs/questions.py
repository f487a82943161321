"""The saved questions pgraph answers by counting participation rows (pairwise.py) on its own engine."""
from __future__ import annotations

PAIRWISE = ("overlap", "redundant", "subsumed", "thematic-overlap", "overlap-graph")
#: the saved queries whose rows the pairwise questions are counted from
BUILDING_BLOCKS = ("active-participations", "instrument-areas")
