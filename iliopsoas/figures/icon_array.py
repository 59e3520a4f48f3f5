"""A reusable 100-icon array: natural frequencies drawn as people.

"Out of 100 players, 21 are injured without the programme and 14 with it" is
easier to grasp than "OR 0.59".  An icon array draws it: 100 icons in a 10 × 10
grid, filled row by row from the top left, one category after another.  Each
category has its own **shape** as well as its own colour (Okabe-Ito), so the
picture reads in grey scale and for colour-blind readers; an optional grey
band of square cells marks a range of icons (for example the icons between the two ends of a
confidence interval).

Drawing only: the numbers come from a model (for example
:func:`iliopsoas.models.natural_frequency.icon_counts`, or a 2 × 2 table of a
diagnostic test).  Use it inside a :class:`~iliopsoas.figures.base.Diagram`
(cheap to update: all icons are one path collection whose per-icon shapes and
colours are reset, plus one collection for the band) or on its own::

    from iliopsoas.figures.icon_array import IconArray, IconStyle, icon_array_figure, INJURY_STYLES
    arr = IconArray(ax, INJURY_STYLES)            # an empty 10 x 10 grid in an existing axes
    arr.set_counts({"injured": 21, "not_injured": 79})
    arr.set_band(10, 19)                          # grey cells behind icons 10..18 (fill order, from 0)
    diagram.animated += arr.artists               # in Diagram.build, for blitting
    icon_array_figure({"injured": 21, "not_injured": 79}, INJURY_STYLES, title="...")  # a static FigureDisplay

``set_counts`` raises ``ValueError`` when a key is not a category, a count is
negative, or the counts do not add up to the number of icons.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.transforms import IdentityTransform

from . import style
from .style import OKABE_ITO, TEXT


@dataclass(frozen=True)
class IconStyle:
    """How one category is drawn: a marker shape plus colours (never colour alone)."""

    label: str
    marker: str                 # a matplotlib marker: "X", "D", "o", "^", "s", "P" ...
    facecolor: str              # "none" for an outline icon
    edgecolor: str
    linewidth: float = 1.0
    scale: float = 1.0          # relative icon size


#: The categories of an injury-prevention picture, in fill order.
INJURY_STYLES = {
    "injured": IconStyle("injured", "X", OKABE_ITO["vermillion"], "#7A2E00", 0.8, 1.05),
    "extra": IconStyle("injured only with the programme", "^", OKABE_ITO["reddish_purple"], "#5E2A4A", 0.8),
    "spared": IconStyle("spared by the programme", "D", OKABE_ITO["blue"], "#00324F", 0.8, 0.8),
    "not_injured": IconStyle("not injured either way", "o", "none", "#6E6E6E", 1.1, 0.8),
}
#: The band of grey cells behind icons (for example: inside the 95% confidence interval).
BAND_STYLE = {"facecolor": "#DDDDDD", "edgecolor": "#8C8C8C", "linewidth": 0.8}   # no hatch: Agg hatching is slow


class IconArray:
    """``n`` icons (default 100) in rows of ``ncols`` inside ``ax``; categories fill in the order of ``styles``."""

    def __init__(self, ax, styles: dict[str, IconStyle], n: int = 100, ncols: int = 10,
                 band_label: str = "inside the 95% confidence interval"):
        if n < 1 or ncols < 1:
            raise ValueError("an icon array needs at least one icon and one column")
        self.ax, self.styles, self.n, self.ncols = ax, dict(styles), n, ncols
        self.band_label = band_label
        nrows = math.ceil(n / ncols)
        i = np.arange(n)
        self.xy = np.column_stack([i % ncols, nrows - 1 - i // ncols]).astype(float)
        ax.set_facecolor(style.BACKGROUND)
        ax.set_xlim(-0.6, ncols - 0.4)
        ax.set_ylim(-0.6, nrows - 0.4)
        ax.set_aspect("equal")
        ax.set_axis_off()
        # Icon size from the axes' size on the figure, so the icons fill their cells without touching.
        fig = ax.figure
        box = ax.get_position()
        cell_pt = min(box.width * fig.get_figwidth() / (ncols + 0.2),
                      box.height * fig.get_figheight() / (nrows + 0.2)) * 72
        self.cell_pt = cell_pt
        self.band = ax.scatter([], [], marker="s", s=(cell_pt * 0.98) ** 2, zorder=1, **BAND_STYLE)
        self.band.set_visible(False)
        # Every icon in one collection: each has its own marker path, size and colours (drawn in one call).
        self._looks = {}
        for key, st in self.styles.items():
            marker = MarkerStyle(st.marker)
            path = marker.get_path().transformed(marker.get_transform())
            self._looks[key] = (path, (cell_pt * 0.62 * st.scale) ** 2, to_rgba(st.facecolor), to_rgba(st.edgecolor),
                                st.linewidth)
        self.icons = PathCollection([], zorder=2, offsets=np.empty((0, 2)), offset_transform=ax.transData)
        self.icons.set_transform(IdentityTransform())
        ax.add_collection(self.icons, autolim=False)
        self.counts = {key: 0 for key in self.styles}
        self._spans = {key: range(0) for key in self.styles}

    @property
    def artists(self) -> list:
        """Every artist that changes with the counts (for ``Diagram.animated``)."""
        return [self.band, self.icons]

    def set_counts(self, counts: dict[str, int]) -> dict[str, range]:
        """Show ``counts`` icons per category (keys of the styles; missing keys count 0).

        Returns {category: range of icon positions}; ``ValueError`` when a key is unknown, a count negative, or
        the counts do not add up to ``n``.
        """
        unknown = set(counts) - set(self.styles)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)}; the array has {list(self.styles)}")
        if any(int(c) != c or c < 0 for c in counts.values()):
            raise ValueError(f"counts must be whole numbers of icons, not {counts}")
        if sum(counts.values()) != self.n:
            raise ValueError(f"counts add up to {sum(counts.values())}, not the {self.n} icons of the array")
        spans, start, order = {}, 0, []
        for key in self.styles:
            c = int(counts.get(key, 0))
            spans[key] = range(start, start + c)
            order += [key] * c
            start += c
        looks = [self._looks[key] for key in order]
        self.icons.set_paths([lk[0] for lk in looks])
        self.icons.set_sizes(np.array([lk[1] for lk in looks]), self.ax.figure.dpi)
        self.icons.set_facecolor([lk[2] for lk in looks])
        self.icons.set_edgecolor([lk[3] for lk in looks])
        self.icons.set_linewidth([lk[4] for lk in looks])
        self.icons.set_offsets(self.xy)
        self.counts = {key: int(counts.get(key, 0)) for key in self.styles}
        self._spans = spans
        return spans

    def positions(self, key: str) -> np.ndarray:
        """Grid positions (column, row from the bottom) of the icons of one category, in fill order."""
        return self.xy[self._spans[key].start:self._spans[key].stop]

    def set_band(self, start: int | None, stop: int | None = None) -> None:
        """Mark the cells of icons ``start`` .. ``stop - 1`` (fill order, from 0) with grey squares; ``None`` hides them."""
        if start is None or stop is None or stop <= start:
            self.band.set_offsets(np.empty((0, 2)))
            self.band.set_visible(False)
            return
        start, stop = max(0, int(start)), min(self.n, int(stop))
        self.band.set_offsets(self.xy[start:stop] if stop > start else np.empty((0, 2)))
        self.band.set_visible(stop > start)

    def legend_handles(self, keys=None, band: bool = True) -> list:
        """Legend entries (shape and colour of each category, and the band) for ``fig.legend``."""
        handles = []
        for key in keys or self.styles:
            st = self.styles[key]
            handles.append(Line2D([], [], linestyle="none", marker=st.marker, markersize=9 * st.scale,
                                  markerfacecolor=st.facecolor, markeredgecolor=st.edgecolor,
                                  markeredgewidth=st.linewidth, label=st.label))
        if band:
            handles.append(Patch(label=self.band_label, **BAND_STYLE))
        return handles


def icon_array_figure(counts: dict[str, int], styles: dict[str, IconStyle] | None = None, title: str = "",
                      caption: str = "", alt: str | None = None, band: tuple[int, int] | None = None,
                      figsize=(3.4, 3.9)):
    """A static icon array (:class:`~iliopsoas.figures.style.FigureDisplay`: PNG, alt text, caption).

    ``alt`` defaults to a sentence listing the count of each category.
    """
    styles = styles or INJURY_STYLES
    fig = style.new_figure(*figsize)
    ax = fig.add_axes([0.02, 0.2, 0.96, 0.72])
    arr = IconArray(ax, styles)
    arr.set_counts(counts)
    arr.set_band(*(band or (None, None)))
    if title:
        ax.set_title(title, fontsize=10, color=TEXT, loc="left")
    shown = [k for k in styles if counts.get(k, 0)]
    fig.legend(handles=arr.legend_handles(shown, band=band is not None), loc="lower left", fontsize=8,
               frameon=False, ncol=1, bbox_to_anchor=(0.02, 0.0))
    text = alt or ("An array of 100 icons: " + ", ".join(f"{counts[k]} {styles[k].label}" for k in shown) + ".")
    return style.show_figure(fig, text, caption)


__all__ = ["BAND_STYLE", "INJURY_STYLES", "IconArray", "IconStyle", "icon_array_figure"]
