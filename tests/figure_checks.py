"""Helpers for figure tests: every label drawn, none overlapping another, none off the figure.

Uses matplotlib's own text extents (``Text.get_window_extent``) after a full draw.
"""
from __future__ import annotations

from matplotlib.text import Text


def drawn_texts(fig):
    """(label, bbox) of every visible, non-empty text of ``fig`` (including legends), after a full draw."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        out.append((t.get_text().replace("\n", " / ")[:60], t.get_window_extent(renderer)))
    return out


def label_problems(fig, tolerance: float = 1.0) -> list[str]:
    """Pairs of texts that overlap (more than ``tolerance`` px each way) and texts that leave the figure."""
    texts = drawn_texts(fig)
    fb = fig.bbox
    problems = []
    for label, box in texts:
        if box.x0 < fb.x0 - tolerance or box.x1 > fb.x1 + tolerance or box.y0 < fb.y0 - tolerance \
                or box.y1 > fb.y1 + tolerance:
            problems.append(f"outside the figure: {label!r}")
    for i, (la, a) in enumerate(texts):
        for lb, b in texts[i + 1:]:
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if w > tolerance and h > tolerance:
                problems.append(f"overlap: {la!r} and {lb!r}")
    return problems
