"""Shared figure style: a colour-blind-safe palette and figure helpers.

Figures are ``matplotlib.figure.Figure`` objects with an Agg canvas (never
pyplot), so they can be redrawn in place and never leak into pyplot's state.
Every figure is shown through :class:`FigureDisplay`, which carries alt text
and a caption with its sources.  Backgrounds are opaque and light, so the
figures read the same in JupyterLab's light and dark themes.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.artist import Artist
from matplotlib.transforms import Affine2D, IdentityTransform

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
BACKGROUND = "#FFFFFF"
BONE = "#D9D4C7"
BONE_EDGE = "#6B6358"
TEXT = "#1A1A1A"
GRID = "#C8C8C8"

# Line styles and hatches so that meaning never rests on colour alone.
LINESTYLES = ["-", "--", "-.", ":"]
HATCHES = ["", "//", "\\\\", "..", "xx", "oo"]

DPI = 96


def new_figure(width: float = 6.4, height: float = 4.8, dpi: int = DPI) -> Figure:
    """Return a Figure with an Agg canvas, an opaque light background and course fonts."""
    fig = Figure(figsize=(width, height), dpi=dpi, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    return fig


def style_axes(ax, grid: bool = False) -> None:
    """Apply the course's plain axis style (readable text, optional light grid)."""
    ax.set_facecolor(BACKGROUND)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.tick_params(colors=TEXT, labelsize=9)
    ax.xaxis.label.set_color(TEXT)
    ax.yaxis.label.set_color(TEXT)
    ax.title.set_color(TEXT)
    if grid:
        ax.grid(True, color=GRID, linewidth=0.6, alpha=0.8)


def figure_to_png(fig: Figure, dpi: int | None = None) -> bytes:
    """Render a figure to PNG bytes (no pyplot involved)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, facecolor=fig.get_facecolor())
    return buf.getvalue()


@dataclass
class FigureDisplay:
    """A rendered figure with alt text and a caption; displays as HTML ``<figure>``.

    ``alt`` describes what the figure shows for a reader who cannot see it;
    ``caption`` (Markdown-free plain text) names the sources of its numbers.
    """

    png: bytes
    alt: str
    caption: str = ""
    figure: Figure | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.alt or not self.alt.strip():
            raise ValueError("every figure needs alt text")

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        cap = f"<figcaption>{html.escape(self.caption)}</figcaption>" if self.caption else ""
        return (
            '<figure class="iliopsoas-figure" style="margin:0.5em 0">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
            'style="max-width:100%;height:auto;background:#fff"/>'
            f"{cap}</figure>"
        )

    def __repr__(self) -> str:  # text/plain: what a terminal or screen reader gets
        text = f"[Figure: {self.alt}]"
        if self.caption:
            text += f"\n{self.caption}"
        return text


def crop_png(png: bytes, margin: int = 8) -> bytes:
    """The PNG cut down to its drawing: blank (background-coloured) borders removed, ``margin`` px kept."""
    from PIL import Image, ImageChops

    image = Image.open(io.BytesIO(png)).convert("RGB")
    blank = Image.new("RGB", image.size, BACKGROUND)
    box = ImageChops.difference(image, blank).getbbox()
    if box is None:
        return png
    x0, y0, x1, y1 = box
    box = (max(0, x0 - margin), max(0, y0 - margin), min(image.width, x1 + margin), min(image.height, y1 + margin))
    out = io.BytesIO()
    image.crop(box).save(out, format="PNG", optimize=True)
    return out.getvalue()


def show_figure(fig: Figure, alt: str, caption: str = "", crop: bool = False) -> FigureDisplay:
    """Render ``fig`` once and wrap it with its alt text and caption (``crop``: without blank borders)."""
    png = figure_to_png(fig)
    return FigureDisplay(png=crop_png(png) if crop else png, alt=alt, caption=caption, figure=fig)


def schematic_axes(ax, xlim, ylim, title: str = ""):
    """Set up ``ax`` for a drawing to scale: equal aspect, fixed limits, no axes, a panel title."""
    ax.set_facecolor(BACKGROUND)
    ax.set_aspect("equal")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10, color=TEXT, loc="left")
    return ax


# ---------------------------------------------------------------------- fast labels
class FastText(PathPatch):
    """A label drawn as one filled outline (a cached ``TextPath``), for text that changes with the
    controls: a ``Text`` is laid out and rasterised glyph by glyph on every draw, which made text
    most of a slider step's cost; this draws one path, and each distinct string is shaped once.

    Made with :func:`fast_text`.  It behaves like a small ``Text``: ``set_text``, ``get_text``,
    ``set_position``, ``set_horizontalalignment``/``set_verticalalignment``, ``set_rotation``,
    ``set_color``, ``set_fontweight``, ``get_fontsize``; ``halo`` strokes a band of that colour
    round the letters.  ``label_text`` and ``label_corners()`` let tests treat it as a label.
    """

    _shapes: dict = {}   # (character, size, weight, style) -> (outline, advance), shared by every FastText

    def __init__(self, ax, xy, text="", *, fontsize=9.0, fontweight="normal", fontstyle="normal", color=TEXT,
                 ha="left", va="baseline", rotation=0.0, linespacing=1.2, halo=None, halo_width=3.0, zorder=3.0):
        super().__init__(MplPath(np.zeros((1, 2))), facecolor=color, edgecolor="none", linewidth=0, zorder=zorder)
        self._ax, self._xy = ax, tuple(xy)
        self._size, self._weight, self._style = float(fontsize), fontweight, fontstyle
        self._ha, self._va, self._rotation, self._spacing = ha, va, float(rotation), linespacing
        self._text, self._box = None, (0.0, 0.0, 0.0, 0.0)
        self.halo = (halo, float(halo_width)) if halo is not None else None
        if halo is not None:
            self.set_path_effects([patheffects.withStroke(linewidth=halo_width, foreground=halo)])
        self.set_text(text)

    # -- a Text's interface
    @property
    def label_text(self) -> str:
        return self._text

    def get_text(self) -> str:
        return self._text

    def get_fontsize(self) -> float:
        return self._size

    def set_text(self, text) -> None:
        text = str(text)
        if text == self._text:
            return
        self._text = text
        self._shape()
        self.stale = True

    def set_position(self, xy) -> None:
        self._xy = (float(xy[0]), float(xy[1]))
        self.stale = True

    def get_position(self):
        return self._xy

    def set_horizontalalignment(self, ha: str) -> None:
        self._ha = ha
        self._shape()

    def set_verticalalignment(self, va: str) -> None:
        self._va = va
        self._shape()

    def set_rotation(self, degrees: float) -> None:
        self._rotation = float(degrees)
        self.stale = True

    def set_color(self, color) -> None:
        self.set_facecolor(color)

    def set_fontweight(self, weight) -> None:
        if weight != self._weight:
            self._weight = weight
            self._shape()

    # -- drawing
    def _glyph(self, char: str):
        """(outline, advance) of one character in points, shaped once per font and size."""
        from matplotlib.font_manager import FontProperties
        from matplotlib.textpath import TextPath, text_to_path

        key = (char, self._size, self._weight, self._style)
        found = self._shapes.get(key)
        if found is None:
            prop = FontProperties(size=self._size, weight=self._weight, style=self._style)
            advance = text_to_path.get_text_width_height_descent(char, prop, ismath=False)[0]
            outline = TextPath((0, 0), char, prop=prop) if char.strip() else None
            found = self._shapes[key] = (outline, advance)
        return found

    def _line_path(self, line: str):
        """One line's outline: its characters' cached outlines side by side (a new number on a
        slider step costs a few look-ups, not a new layout)."""
        parts, x = [], 0.0
        for char in line:
            outline, advance = self._glyph(char)
            if outline is not None:
                parts.append(outline.transformed(Affine2D().translate(x, 0)) if x else outline)
            x += advance
        if not parts:
            return MplPath(np.zeros((1, 2))), 0.0
        return MplPath.make_compound_path(*parts), x

    _shaped: dict = {}   # (text, size, weight, style, ha, va, spacing) -> (path, layout box)

    def _shape(self) -> None:
        """The outline of every line, aligned to (0, 0) in points, and its layout box (cached)."""
        key = (self._text, self._size, self._weight, self._style, self._ha, self._va, self._spacing)
        found = self._shaped.get(key)
        if found is None:
            if len(self._shaped) > 4096:
                self._shaped.clear()
            found = self._shaped[key] = self._build_shape()
        path, self._box = found
        self.set_path(path)
        self.stale = True

    def _build_shape(self):
        lines = (self._text or "").split("\n")
        step = self._size * self._spacing
        ascent, descent = 0.74 * self._size, 0.24 * self._size   # DejaVu Sans' box, in font sizes
        paths, widths = [], []
        for i, line in enumerate(lines):
            path, width = self._line_path(line)
            widths.append(width)
            paths.append((path, i))
        width = max(widths, default=0.0)
        top, bottom = ascent, -(len(lines) - 1) * step - descent
        dx = {"left": 0.0, "center": -width / 2, "right": -width}[self._ha]
        dy = {"baseline": 0.0, "bottom": -bottom, "top": -top, "center": -(top + bottom) / 2,
              "center_baseline": 0.0}[self._va]
        parts = []
        for (path, i), w in zip(paths, widths):
            shift = {"left": 0.0, "center": (width - w) / 2, "right": width - w}[self._ha]
            parts.append(path.transformed(Affine2D().translate(dx + shift, dy - i * step)))
        path = MplPath.make_compound_path(*parts) if parts else MplPath(np.zeros((1, 2)))
        return path, (dx, bottom + dy, dx + width, top + dy)

    def _place(self) -> Affine2D:
        x, y = self._ax.transData.transform(self._xy)
        dpi = self._ax.figure.dpi
        return Affine2D().scale(dpi / 72.0).rotate_deg(self._rotation).translate(x, y)

    def draw(self, renderer):
        if not self.get_visible() or not self._text:
            return
        self.set_transform(self._place())
        super().draw(renderer)

    def get_window_extent(self, renderer=None):
        self.set_transform(self._place())
        return super().get_window_extent(renderer)

    def label_corners(self) -> np.ndarray:
        """The label's layout box in display pixels (4 corners, rotated with it)."""
        x0, y0, x1, y1 = self._box
        return self._place().transform([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


class FastTextGroup(Artist):
    """Several :class:`FastText` labels of one colour and one halo (or none), drawn as one path:
    one draw call instead of one per label (the psoas-paradox diagram's fifteen labels cost about
    2 ms a slider step one by one).  With a halo, every member's band is drawn first, then every
    member's letters, so a halo never covers a neighbour's letters.

    The members stay what the diagram and the tests talk to (``set_text``, ``set_position``,
    ``label_corners``).  Listed in ``Diagram.animated`` instead of them, the group is made
    animated with its members (``set_animated``), so the still background leaves them out and
    the group draws them; not animated (a naive full redraw), the group draws nothing and the
    members draw themselves.  Raises ValueError for members of different colours or with a halo.
    """

    def __init__(self, members):
        super().__init__()
        self.members = list(members)
        colours = {tuple(m.get_facecolor()) for m in self.members}
        halos = {m.halo for m in self.members}
        if len(colours) > 1 or len(halos) > 1:
            raise ValueError("a FastTextGroup draws members of one colour and one halo")
        self.halo = next(iter(halos), None)
        self.set_zorder(max((m.get_zorder() for m in self.members), default=3.0))

    def set_animated(self, b) -> None:
        super().set_animated(b)
        for member in self.members:
            member.set_animated(b)

    def draw(self, renderer):
        if not self.get_animated():
            return
        shown = [m for m in self.members if m.get_visible() and m.get_text()]
        if not shown:
            return
        path = MplPath.make_compound_path(*[m.get_path().transformed(m._place()) for m in shown])
        if self.halo is not None:
            colour, width = self.halo
            band = renderer.new_gc()
            band.set_foreground(colour)
            band.set_linewidth(width)
            band.set_joinstyle("round")
            band.set_capstyle("round")
            band.set_antialiased(True)
            renderer.draw_path(band, path, IdentityTransform(), None)
            band.restore()
        gc = renderer.new_gc()
        gc.set_linewidth(0)
        gc.set_antialiased(True)
        renderer.draw_path(gc, path, IdentityTransform(), shown[0].get_facecolor())
        gc.restore()


def fast_text(ax, x, y, text="", **kw) -> FastText:
    """Add a :class:`FastText` label at data position (x, y) of ``ax``."""
    label = FastText(ax, (x, y), text, **kw)
    ax.add_artist(label)
    label.set_clip_on(False)
    return label
