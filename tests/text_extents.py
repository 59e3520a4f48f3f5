"""Label checks from matplotlib's own text extents (used by the lesson-03 diagram tests).

``label_problems(fig)`` draws the figure once and returns sentences for every
pair of visible texts whose boxes overlap, every text inside an axes (labels,
annotations, legend entries) that runs outside it, and every such text whose box
crosses a drawn shape or line of its axes (leader lines of annotations excluded).
Axis titles, axis labels and tick labels are checked against each other only.
"""
from __future__ import annotations

import itertools

from matplotlib.text import Annotation, Text


def _texts(fig):
    inside, outside = [], []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        inside += list(ax.texts)
        legend = ax.get_legend()
        if legend is not None:
            inside += list(legend.get_texts())
        outside += [ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            outside += [ax.xaxis.label, ax.yaxis.label] + ax.get_xticklabels() + ax.get_yticklabels()
    keep = lambda t: t.get_visible() and t.get_text().strip()  # noqa: E731
    return [t for t in inside if keep(t)], [t for t in outside if keep(t)] + [t for t in fig.texts if keep(t)]


def _drawing(ax):
    leaders = {id(t.arrow_patch) for t in ax.texts if isinstance(t, Annotation) and t.arrow_patch is not None}
    return [a for a in list(ax.patches) + list(ax.lines) if a.get_visible() and id(a) not in leaders]


def label_problems(fig, where: str = "") -> list[str]:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside, outside = _texts(fig)
    boxes = [(t, Text.get_window_extent(t, renderer)) for t in inside + outside]
    out = []
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        if ba.overlaps(bb):
            out.append(f"{where}: {a.get_text()!r} overlaps {b.get_text()!r}")
    for t, bb in boxes[:len(inside)]:
        ax = t.axes
        if ax is None:
            continue
        if not (ax.bbox.x0 - 1 <= bb.x0 and bb.x1 <= ax.bbox.x1 + 1 and ax.bbox.y0 - 1 <= bb.y0
                and bb.y1 <= ax.bbox.y1 + 1):
            out.append(f"{where}: {t.get_text()!r} runs outside its axes")
        shrunk = bb.padded(-1)
        for artist in _drawing(ax):
            path = artist.get_path().transformed(artist.get_transform())
            filled = not hasattr(artist, "get_xdata") and artist.get_fill()
            if path.intersects_bbox(shrunk, filled=filled):
                out.append(f"{where}: {t.get_text()!r} lies on a drawn {type(artist).__name__} "
                           f"{artist.get_gid() or ''}".rstrip())
    return out
