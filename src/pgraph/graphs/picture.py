"""The briefing picture of an overlap or membership graph: SVG written directly, PNG drawn with matplotlib.

Both draw the same shapes (graphs/drawing.py); matplotlib is imported only when a PNG is asked for,
and every text is drawn as plain text (a '$' in a label is a dollar sign, never math).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .drawing import KIND_COLOURS, Circle, Line, Picture, Text, compose

__all__ = ["KIND_COLOURS", "draw", "render_png"]
DPI = 140                 # canvas pixels are 1/100 inch: the PNG is 1.4x the canvas (1820 x 1260)
PT = 0.72                 # points per canvas pixel


def render_png(picture: Picture, path: Path) -> None:
    """The picture as a PNG file (matplotlib, Agg, no math text, no TeX)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle as Disc
    with matplotlib.rc_context({"text.usetex": False, "font.family": "DejaVu Sans"}):
        fig = plt.figure(figsize=(picture.width / 100, picture.height / 100), dpi=DPI)
        try:
            ax = fig.add_axes((0, 0, 1, 1))
            ax.set_xlim(0, picture.width)
            ax.set_ylim(picture.height, 0)
            ax.set_axis_off()
            for z, s in enumerate(picture.shapes):
                if isinstance(s, Line):
                    ax.add_collection(LineCollection([[(s.x1, s.y1), (s.x2, s.y2)]], linewidths=s.width * PT,
                                                     colors=s.colour, alpha=s.opacity, zorder=z,
                                                     linestyles="dashed" if s.dashed else "solid"))
                elif isinstance(s, Circle):
                    ax.add_patch(Disc((s.x, s.y), s.r, facecolor=s.fill, edgecolor="white", linewidth=1.2 * PT,
                                      zorder=z))
                elif isinstance(s, Text):
                    t = ax.text(s.x, s.y, s.text, fontsize=s.size * PT, color=s.colour, va="baseline",
                                ha={"start": "left", "middle": "center", "end": "right"}[s.anchor],
                                fontweight="bold" if s.bold else "normal", zorder=z, parse_math=False)
                    if s.halo:
                        t.set_path_effects([patheffects.withStroke(linewidth=3 * PT, foreground="white")])
            fig.savefig(path, format="png", dpi=DPI, facecolor="white")
        finally:
            plt.close(fig)


def draw(g: Any, path: Path, *, fmt: str) -> None:
    """Nodes sized by participants and coloured by kind, edges as wide as their weight, legend and name key."""
    picture = compose(g)
    if fmt == "svg":
        from .svg import render
        Path(path).write_text(render(picture), encoding="utf-8")
    else:
        render_png(picture, Path(path))
