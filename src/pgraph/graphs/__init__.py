"""Overlap, membership and timeline graphs (networkx) built from saved-query rows, their
exports to the formats people open, the briefing picture, and the pairwise questions counted
from participation rows.

Each name is imported from its module when first asked for, so a command pays only for the modules it
uses (a saved query that is not pairwise loads none of them)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .questions import BUILDING_BLOCKS, PAIRWISE

if TYPE_CHECKING:  # the names below, for readers and type checkers; at run time __getattr__ imports them
    from .export import BINARY, format_for, write
    from .layout import EDGE_LIMIT, edge_list
    from .overlap import METRICS, date_text, membership_graph, overlap_graph, overlap_timeline, parse_kinds
    from .pairwise import Participation, answer as pairwise_answer, decimal_ratio, round3, thing_text
    from .pairwise import ntriples as pairwise_ntriples, text as pairwise_text, writes as pairwise_writes
    from .picture import draw
    from .svg import network_picture, network_svg, text as svg_text

_HOMES: dict[str, tuple[str, str]] = {
    "BINARY": ("export", "BINARY"), "format_for": ("export", "format_for"), "write": ("export", "write"),
    "EDGE_LIMIT": ("layout", "EDGE_LIMIT"), "edge_list": ("layout", "edge_list"),
    "METRICS": ("overlap", "METRICS"), "date_text": ("overlap", "date_text"),
    "membership_graph": ("overlap", "membership_graph"), "overlap_graph": ("overlap", "overlap_graph"),
    "overlap_timeline": ("overlap", "overlap_timeline"), "parse_kinds": ("overlap", "parse_kinds"),
    "Participation": ("pairwise", "Participation"), "pairwise_answer": ("pairwise", "answer"),
    "decimal_ratio": ("pairwise", "decimal_ratio"), "round3": ("pairwise", "round3"),
    "thing_text": ("pairwise", "thing_text"), "pairwise_ntriples": ("pairwise", "ntriples"),
    "pairwise_text": ("pairwise", "text"), "pairwise_writes": ("pairwise", "writes"),
    "draw": ("picture", "draw"), "network_picture": ("svg", "network_picture"),
    "network_svg": ("svg", "network_svg"), "svg_text": ("svg", "text"),
}

__all__ = ["BUILDING_BLOCKS", "PAIRWISE", *_HOMES]


def __getattr__(name: str) -> Any:
    """A name of this package, imported from its module on first use and kept (PEP 562)."""
    try:
        module, attribute = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    from importlib import import_module
    value = getattr(import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
