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

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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
