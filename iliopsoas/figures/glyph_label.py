"""Fast-changing labels for blitted diagrams: text drawn as cached glyph outlines.

A matplotlib ``Text`` costs a few milliseconds to draw, most of it laying out and
rasterising the string again, and a diagram that redraws a dozen numbers per
slider step spends more on them than on encoding its PNG.  A :class:`GlyphLabel`
is a ``PathPatch`` whose path is built from per-character outlines
(``matplotlib.textpath.TextPath``), each computed once per font and cached, so
changing ``"27 of 62"`` to ``"28 of 61"`` only concatenates cached outlines.

It suits short labels of plain characters (numbers, %, signs, short words): no
kerning, no mathtext, one line.  The outlines are filled with antialiasing, so
they look like the same font at the same size.

    label = GlyphLabel(ax, x, y, size=9, color="#000", weight="bold", ha="center", va="center")
    label.set_text("39 %")        # cheap
    label.set_position((x, y))    # data coordinates
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D


@functools.lru_cache(maxsize=2048)
def _glyph(char: str, weight: str, style: str) -> tuple[np.ndarray, np.ndarray, float]:
    """(vertices, codes, advance) of one character at size 1 (font units = points at size 1)."""
    prop = FontProperties(weight=weight, style=style, size=1)
    if char == " ":
        path = TextPath((0, 0), "x", prop=prop)
        return np.zeros((0, 2)), np.zeros(0, dtype=np.uint8), _advance("x", weight, style) * 0.6
    path = TextPath((0, 0), char, prop=prop)
    return path.vertices.copy(), path.codes.copy(), _advance(char, weight, style)


@functools.lru_cache(maxsize=2048)
def _advance(char: str, weight: str, style: str) -> float:
    from matplotlib.textpath import text_to_path

    prop = FontProperties(weight=weight, style=style, size=1)
    width, _height, _descent = text_to_path.get_text_width_height_descent(char, prop, ismath=False)
    return width


@functools.lru_cache(maxsize=4)
def _metrics(weight: str, style: str) -> tuple[float, float]:
    """(cap height, descent) at size 1, from the digits and a descender."""
    v = TextPath((0, 0), "0", prop=FontProperties(weight=weight, style=style, size=1)).vertices
    d = TextPath((0, 0), "p", prop=FontProperties(weight=weight, style=style, size=1)).vertices
    return float(v[:, 1].max()), float(-d[:, 1].min())


class GlyphLabel:
    """A one-line label drawn as a filled path of cached glyph outlines (see the module docstring)."""

    def __init__(self, ax, x: float, y: float, text: str = "", size: float = 9, color="#1A1A1A",
                 weight: str = "normal", style: str = "normal", ha: str = "left", va: str = "baseline",
                 zorder: float = 5):
        self.ax = ax
        self.size, self.weight, self.style, self.ha, self.va = size, weight, style, ha, va
        self.patch = PathPatch(Path(np.zeros((1, 2))), facecolor=color, edgecolor="none", linewidth=0,
                               antialiased=True, zorder=zorder)
        ax.add_patch(self.patch)
        self._xy = (x, y)
        self._text = None
        self.set_text(text)

    # The patch is what the diagram lists in ``animated`` and draws.
    @property
    def artist(self):
        return self.patch

    def get_text(self) -> str:
        return self._text

    def set_color(self, color) -> None:
        self.patch.set_facecolor(color)

    def set_position(self, xy) -> None:
        self._xy = tuple(xy)
        self._place()

    def set_text(self, text: str) -> None:
        text = str(text)
        if text == self._text:
            return
        self._text = text
        verts, codes, x = [], [], 0.0
        for ch in text:
            v, c, adv = _glyph(ch, self.weight, self.style)
            if len(v):
                verts.append(v + (x, 0.0))
                codes.append(c)
            x += adv
        self._width = x
        if verts:
            self._path = Path(np.concatenate(verts), np.concatenate(codes))
        else:
            self._path = Path(np.zeros((1, 2)))
        self.patch.set_path(self._path)
        self._place()

    def _place(self) -> None:
        """Scale the size-1 outline to points, align it and put it at the data position (in pixels)."""
        fig = self.ax.figure
        scale = self.size * fig.dpi / 72.0
        cap, descent = _metrics(self.weight, self.style)
        dx = {"left": 0.0, "center": -self._width / 2, "right": -self._width}[self.ha]
        dy = {"baseline": 0.0, "bottom": descent, "center": -cap / 2, "top": -cap}[self.va]
        px, py = self.ax.transData.transform(self._xy)
        self.patch.set_transform(Affine2D().translate(dx, dy).scale(scale).translate(px, py))

    def window_extent(self):
        """The label's box in display pixels (for overlap checks)."""
        return self._path.get_extents(self.patch.get_transform())


__all__ = ["GlyphLabel"]
