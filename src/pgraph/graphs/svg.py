"""A graph picture written as SVG directly: real text (selectable, small), a <title> on every node and edge.

No matplotlib: writing the shapes out costs milliseconds where matplotlib's text-as-path drawing
cost a second on the real data. Every text from the data is escaped and stripped of characters XML
cannot hold.
"""
from __future__ import annotations

import re
from typing import Any

from .drawing import Circle, Line, Picture, Text, compose
from .layout import EDGE_LIMIT

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def text(value: Any) -> str:
    """Data text as SVG character data or attribute value: escaped, control characters removed."""
    s = _NOT_XML.sub("", str(value)).replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _title(t: str) -> str:
    return f"<title>{text(t)}</title>" if t else ""


def _shape(s: Any) -> str:
    if isinstance(s, Line):
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        body = _title(s.title)
        end = f">{body}</line>" if body else "/>"
        return (f'<line x1="{_n(s.x1)}" y1="{_n(s.y1)}" x2="{_n(s.x2)}" y2="{_n(s.y2)}" stroke="{s.colour}" '
                f'stroke-width="{_n(s.width)}" stroke-opacity="{s.opacity:g}"{dash}{end}')
    if isinstance(s, Circle):
        node = f' data-node="{text(s.node)}"' if s.node else ""
        body = _title(s.title)
        end = f">{body}</circle>" if body else "/>"
        return (f'<circle class="{"node" if s.node else "swatch"}"{node} cx="{_n(s.x)}" cy="{_n(s.y)}" '
                f'r="{_n(s.r)}" fill="{s.fill}" stroke="#ffffff" stroke-width="1.2"{end}')
    if isinstance(s, Text):
        weight = ' font-weight="bold"' if s.bold else ""
        halo = ' stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"' if s.halo else ""
        node = f' class="label" data-node="{text(s.node)}"' if s.node else ""
        return (f'<text{node} x="{_n(s.x)}" y="{_n(s.y)}" font-size="{_n(s.size)}" fill="{s.colour}"'
                f'{weight}{halo} text-anchor="{s.anchor}">{text(s.text)}</text>')
    raise TypeError(f"unknown shape {s!r}")


def render(picture: Picture) -> str:
    """The picture as a standalone SVG document."""
    w, h = _n(picture.width), _n(picture.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           f'role="img" aria-label="{text(picture.title)}" font-family="{FONT}">',
           f"<title>{text(picture.title)}</title>", f"<desc>{text(picture.description)}</desc>",
           '<rect width="100%" height="100%" fill="#ffffff"/>']
    out.extend(_shape(s) for s in picture.shapes)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def network_svg(g: Any, *, key: bool = True, edge_limit: int = EDGE_LIMIT) -> str:
    """The picture of an overlap or membership graph as an SVG document (key=False: without the panel of names)."""
    return network_picture(g, key=key, edge_limit=edge_limit)[0]


def network_picture(g: Any, *, key: bool = True, edge_limit: int = EDGE_LIMIT) -> tuple[str, str]:
    """The SVG document and, for a page to print beside it, the caption saying what it leaves out ('' if nothing)."""
    picture = compose(g, key=key, edge_limit=edge_limit)
    return render(picture), picture.scene.caption()
