"""Overlap, membership and timeline graphs (networkx) built from saved-query rows, their
exports to the formats people open, the briefing picture, and the pairwise questions counted
from participation rows."""
from __future__ import annotations

from .export import BINARY, format_for, write
from .overlap import METRICS, date_text, membership_graph, overlap_graph, overlap_timeline, parse_kinds
from .layout import edge_list
from .pairwise import FAST as PAIRWISE, Participation, answer as pairwise_answer, decimal_ratio, round3, thing_text
from .pairwise import ntriples as pairwise_ntriples, text as pairwise_text, writes as pairwise_writes
from .picture import draw
from .layout import EDGE_LIMIT
from .svg import network_picture, network_svg, text as svg_text

__all__ = ["BINARY", "format_for", "write", "METRICS", "date_text", "membership_graph", "overlap_graph",
           "overlap_timeline", "parse_kinds", "draw", "network_svg", "network_picture", "EDGE_LIMIT", "svg_text",
           "edge_list", "PAIRWISE", "Participation", "pairwise_answer", "pairwise_ntriples", "pairwise_text", "pairwise_writes", "decimal_ratio", "round3", "thing_text"]
