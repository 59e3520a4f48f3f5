"""Lesson 04's diagrams in every state the tests can reach: no label overlaps another, none leaves
the figure, the blitted picture equals a fresh one, and the glyph labels match matplotlib's text."""
from __future__ import annotations

import itertools

import pytest

from iliopsoas.figures.differential_sorter import DifferentialSorter, control_name
from iliopsoas.figures.glyph_label import GlyphLabel
from iliopsoas.figures.test_accuracy_explorer import TestAccuracyExplorer
from iliopsoas.models.differential import load_differential
from iliopsoas.models.test_accuracy import load_tests


def label_boxes(diagram):
    """(description, display bbox) of every visible, non-empty label: matplotlib Texts and GlyphLabels."""
    fig = diagram.figure
    renderer = fig.canvas.get_renderer()
    glyphs = [v for v in vars(diagram).values() if isinstance(v, GlyphLabel)]
    for value in vars(diagram).values():
        if isinstance(value, dict):
            glyphs += [v for v in value.values() if isinstance(v, GlyphLabel)]
        if isinstance(value, list):
            glyphs += [v for v in value if isinstance(v, GlyphLabel)]
    out = []
    for ax in fig.axes:
        for t in ax.texts:  # the labels the diagram placed (its axes are switched off: no tick labels)
            if t.get_visible() and t.get_text().strip():
                out.append((f"text {t.get_text()!r}", t.get_window_extent(renderer)))
        for title in (ax.title, ax._left_title):
            if title.get_text():
                out.append((f"title {title.get_text()!r}", title.get_window_extent(renderer)))
    for g in glyphs:
        if g.get_text().strip():
            out.append((f"label {g.get_text()!r}", g.window_extent()))
    return out


def assert_no_overlap(diagram, where):
    boxes = label_boxes(diagram)
    width, height = diagram.figure.canvas.get_width_height()
    for name, box in boxes:
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, (
            f"{where}: {name} runs outside the figure: {box}")
    for (n1, b1), (n2, b2) in itertools.combinations(boxes, 2):
        overlap_w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        overlap_h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        assert overlap_w <= 0.5 or overlap_h <= 0.5, f"{where}: {n1} overlaps {n2}"


EXPLORER_STATES = [(test, pre) for test in load_tests() for pre in (1, 3, 30, 76, 97, 99)]


@pytest.mark.parametrize("test, pre", EXPLORER_STATES)
def test_explorer_labels_never_overlap(test, pre):
    d = TestAccuracyExplorer()
    d.set(test=test, pre_test=pre)
    assert_no_overlap(d, f"explorer {test} at {pre} %")


def test_explorer_blit_equals_a_fresh_figure_after_many_moves():
    d = TestAccuracyExplorer()
    for test, pre in EXPLORER_STATES[::7]:
        d.set(test=test, pre_test=pre)
    test, pre = EXPLORER_STATES[::7][-1]
    assert d.png == TestAccuracyExplorer(test=test, pre_test=pre).png


SORTER_TICKS = ([[]] + [[f] for f in load_differential().findings]
                + [list(load_differential().findings)]
                + [["cancer", "bladder-saddle", "fever", "anticoagulant", "young-limp", "running-worse",
                    "femoral-nerve"]])


@pytest.mark.parametrize("ticked", SORTER_TICKS, ids=["none"] + list(load_differential().findings)
                         + ["all", "every-red-flag"])
def test_sorter_labels_never_overlap(ticked):
    d = DifferentialSorter()
    d.set(**{control_name(f): True for f in ticked})
    assert_no_overlap(d, f"sorter with {ticked}")
    assert d.png == DifferentialSorter(**{control_name(f): True for f in ticked}).png


def test_every_red_flag_fits_in_the_flag_panel():
    d = DifferentialSorter(**{control_name(f): True for f in load_differential().findings})
    shown = " ".join(" ".join(label.get_text() for label in d.flag_lines).split())
    res = d.result(d.state())
    for flag in res.red_flags:
        assert flag.id.replace("-", " ") in shown or "and more" in shown


def test_glyph_label_has_the_size_of_matplotlib_text():
    d = TestAccuracyExplorer()
    ax = d.ax
    renderer = d.figure.canvas.get_renderer()
    glyph = GlyphLabel(ax, 1.0, 0.0, "27 of 62", size=9, weight="bold", ha="left", va="baseline")
    text = ax.text(1.0, 0.0, "27 of 62", fontsize=9, fontweight="bold", ha="left", va="baseline")
    g, t = glyph.window_extent(), text.get_window_extent(renderer)
    assert abs(g.x0 - t.x0) < 2 and abs(g.width - t.width) < 3
    assert g.height <= t.height + 1
