"""The test-accuracy explorer: a Fagan nomogram and a natural-frequency tree.

Pick a pre-test probability and a test; the nomogram draws the lines from the
pre-test probability through the test's likelihood ratios to the post-test
probabilities, and the tree splits 100 people like the patient by condition and
result.  Every number comes from :mod:`iliopsoas.models.test_accuracy`; this
module only draws.

Use::

    from iliopsoas.figures.test_accuracy_explorer import test_accuracy_explorer
    test_accuracy_explorer(pre_test=0.5, test="mri-labral-tear")
    test_accuracy_explorer(sensitivity=0.9, specificity=0.6)     # your own test, no CIs

Bad input (a probability outside 0–1, a sensitivity of 0, an unknown test) is
shown as a message box, not a traceback (:class:`InputMessage`).
"""
from __future__ import annotations

import html
import math

import numpy as np
from matplotlib.patches import FancyBboxPatch

from ..display import StaticFallback
from ..models.test_accuracy import (AccuracyInputError, DiagnosticTest, TestAccuracyDataError, check_accuracy,
                                    check_probability, describe_change, evaluate, get_test, load_scenarios,
                                    load_tests, natural_frequencies)
from ..sources import short_citations
from .base import Diagram
from .glyph_label import GlyphLabel
from .style import GRID, OKABE_ITO, TEXT

POS_COLOUR = OKABE_ITO["vermillion"]
NEG_COLOUR = OKABE_ITO["blue"]
PRE_COLOUR = TEXT
POS_TEXT = "#B34700"   # a darker vermillion for small text (contrast above 4.5:1 on white)
CUSTOM = "custom"
#: Probability ticks of the nomogram's outer scales (%).
PROB_TICKS = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 50, 70, 80, 90, 95, 99]
LR_TICKS = [0.001, 0.01, 0.1, 1, 10, 100, 1000]          # labelled
LR_MINOR = [0.2, 0.5, 2, 5]                               # ticks only (too close together to label)
GAP = (0.9, 1.42)   # x-range of the middle scale's labels: lines and wedges are not drawn there
LOGIT_MAX = math.log(99.9 / 0.1)   # the scales run from 0.1 % to 99.9 %


def _logit(p: float) -> float:
    p = min(max(p, 0.0005), 0.9995)
    return math.log(p / (1 - p))


def _pct(p: float) -> str:
    return f"{p * 100:.0f} %" if 0.01 <= p <= 0.99 else f"{p * 100:.1f} %"


def _lr(x: float) -> str:
    if math.isinf(x):
        return "∞"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


class InputMessage(StaticFallback):
    """What a notebook cell shows for bad input to an explorer: the problem in one sentence."""

    def __init__(self, message: str, what: str = "The explorer"):
        self.message = str(message)
        self.what = what

    @property
    def widget(self):
        import ipywidgets as w

        box = w.HTML(self.static_html())
        box.add_class("iliopsoas-input-message")
        return box

    def static_html(self) -> str:
        return ('<div class="iliopsoas-input-message" role="alert" style="border:2px solid #D55E00;'
                'padding:0.5em 0.8em;margin:0.5em 0;line-height:1.45">'
                f"<strong>⚠ {html.escape(self.what)} cannot show this.</strong> {html.escape(self.message)}</div>")

    def text(self) -> str:
        return f"{self.what} cannot show this. {self.message}"


class TestAccuracyExplorer(Diagram):
    """Pre-test probability slider, test menu, starting-point menu; Fagan nomogram and natural-frequency tree."""

    __test__ = False  # not a pytest test class despite its name
    name = "test-accuracy"
    title = "Test-accuracy explorer: what does a result do to the probability?"
    figsize = (9.6, 4.0)

    def __init__(self, custom: tuple[float, float] | None = None, **initial):
        self.tests: dict[str, DiagnosticTest] = dict(load_tests())
        if custom is not None:
            se, sp = check_accuracy(*custom)
            self.tests[CUSTOM] = DiagnosticTest(CUSTOM, "Your own test", "the condition you have in mind",
                                                "numbers you typed in", se, (se, se), sp, (sp, sp), ())
        self.scenarios = load_scenarios()
        super().__init__(**initial)

    @property
    def caption(self) -> str:  # noqa: D401 - property of the class attribute
        cited = sorted({k for t in self.tests.values() for k in t.sources})
        return ("Fagan nomogram (left): a straight line from the pre-test probability through the test's likelihood "
                "ratio meets the post-test probability; solid line = positive result, dashed = negative. Natural "
                "frequencies (right): a hypothetical 100 people like this patient, in whole people (rounded). "
                "Sensitivity and specificity are published point estimates; the shaded ranges use the ends of their "
                "published confidence intervals (a plausible range, not a formal interval). Sources: "
                + short_citations(cited) + ". A test result changes a probability; it is not a "
                "diagnosis.")

    # ------------------------------------------------------------------ build
    def build(self, fig):
        self.ax = fig.add_axes([0.015, 0.0, 0.50, 0.94])   # tall enough for the scale names and the key
        self.tree = fig.add_axes([0.53, 0.02, 0.46, 0.90])
        self._build_nomogram(self.ax)
        self._build_tree(self.tree)
        # Drawn in this order: wedges, lines, then markers and numbers on top.
        self.animated = [*self.pos_bands, *self.neg_bands, *self.pos_lines, *self.neg_lines, self.lr_pos_marker,
                         self.lr_neg_marker, self.pre_marker, self.pos_label.artist, self.neg_label.artist,
                         self.pre_label.artist, *(label.artist for label in self.tree_texts.values())]
        self._shown_test = None

    def _build_nomogram(self, ax):
        ax.set_xlim(-0.85, 2.95)
        ax.set_ylim(-LOGIT_MAX / 2 - 1.0, LOGIT_MAX / 2 + 0.72)   # room below for the scale names, above for the key
        ax.set_axis_off()
        ax.set_title("(a) Fagan nomogram", fontsize=10, color=TEXT, loc="left")
        # Three vertical scales: pre-test (y = -logit p / 2 ... drawn top = low), LR (y = ln LR / 2 ... scaled), post.
        for x in (0, 1, 2):
            ax.plot([x, x], [-LOGIT_MAX / 2, LOGIT_MAX / 2], color=TEXT, linewidth=1.0)
        for p in PROB_TICKS:
            y_pre = -_logit(p / 100) / 2
            y_post = _logit(p / 100) / 2
            ax.plot([-0.05, 0], [y_pre] * 2, color=TEXT, linewidth=0.8)
            ax.text(-0.08, y_pre, f"{p:g}", ha="right", va="center", fontsize=7, color=TEXT)
            ax.plot([2, 2.05], [y_post] * 2, color=TEXT, linewidth=0.8)
            ax.text(2.08, y_post, f"{p:g}", ha="left", va="center", fontsize=7, color=TEXT)
        # On these scales a line from -logit(pre)/2 to logit(post)/2 crosses the middle at ln(LR)/4.
        # On these scales a line from -logit(pre)/2 to logit(post)/2 crosses the middle at ln(LR)/4.
        # The lines and wedges leave a gap over the column of LR labels (GAP), so no label is crossed.
        for lr in LR_TICKS:
            y = math.log(lr) / 4
            ax.plot([0.95, 1.05], [y] * 2, color=TEXT, linewidth=0.8)
            ax.text(1.08, y, f"{lr:g}", ha="left", va="center", fontsize=7, color=TEXT)
        for lr in LR_MINOR:
            y = math.log(lr) / 4
            ax.plot([0.97, 1.03], [y] * 2, color=TEXT, linewidth=0.6)
        base = -LOGIT_MAX / 2 - 0.3
        for x, words in ((0, "pre-test %"), (1, "likelihood\nratio"), (2, "post-test %")):
            ax.text(x, base, words, ha="center", va="top", fontsize=8, color=TEXT, fontweight="bold")
        # Moving parts: each line and wedge in two pieces, left and right of the LR labels.
        self.pos_bands = [ax.fill([0, 0, 0], [0, 0, 0], color=POS_COLOUR, alpha=0.15, linewidth=0)[0] for _ in (0, 1)]
        self.neg_bands = [ax.fill([0, 0, 0], [0, 0, 0], color=NEG_COLOUR, alpha=0.15, linewidth=0)[0] for _ in (0, 1)]
        self.pos_lines = [ax.plot([], [], color=POS_COLOUR, linewidth=2.2, solid_capstyle="butt")[0] for _ in (0, 1)]
        self.neg_lines = [ax.plot([], [], color=NEG_COLOUR, linewidth=2.2, linestyle=(0, (5, 2.5)))[0]
                          for _ in (0, 1)]
        (self.pre_marker,) = ax.plot([], [], marker="o", markersize=7, color=PRE_COLOUR, linestyle="none")
        (self.lr_pos_marker,) = ax.plot([], [], marker="s", markersize=5, color=POS_COLOUR, linestyle="none")
        (self.lr_neg_marker,) = ax.plot([], [], marker="D", markersize=5, color=NEG_COLOUR, linestyle="none")
        # Numbers that change with every slider step are GlyphLabels (cached outlines): cheap to redraw.
        self.pre_label = GlyphLabel(ax, -0.5, 0, size=9, color=TEXT, weight="bold", ha="center", va="center")
        self.pos_label = GlyphLabel(ax, 2.62, 0, size=9, color=POS_TEXT, weight="bold", ha="center", va="center")
        self.neg_label = GlyphLabel(ax, 2.62, 0, size=9, color=NEG_COLOUR, weight="bold", ha="center", va="center")
        ax.text(2.58, LOGIT_MAX / 2 + 0.1, "after +  (solid)\nafter −  (dashed)", ha="center", va="bottom",
                fontsize=7.5, color=TEXT, linespacing=1.2)

    def _build_tree(self, ax):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        ax.set_title("(b) 100 people like this patient", fontsize=10, color=TEXT, loc="left")
        self.heading = ax.text(0.5, 0.965, "", ha="center", va="top", fontsize=8.5, color=TEXT)  # static
        # Fixed boxes and branches; only the numbers in them change.
        boxes = {"all": (0.5, 0.80), "with": (0.25, 0.58), "without": (0.75, 0.58),
                 "tp": (0.13, 0.34), "fn": (0.37, 0.34), "fp": (0.63, 0.34), "tn": (0.87, 0.34)}
        for a, b in (("all", "with"), ("all", "without"), ("with", "tp"), ("with", "fn"),
                     ("without", "fp"), ("without", "tn")):
            (x0, y0), (x1, y1) = boxes[a], boxes[b]
            ax.plot([x0, x1], [y0 - 0.075, y1 + 0.08], color=GRID, linewidth=1.4, zorder=1)
        styles = {"tp": (POS_COLOUR, "-"), "fp": (POS_COLOUR, "-"), "fn": (NEG_COLOUR, "--"), "tn": (NEG_COLOUR, "--")}
        words = {"all": "people", "with": "have the\ncondition", "without": "do not have it",
                 "tp": "test +\n(true +)", "fn": "test −\n(false −)", "fp": "test +\n(false +)",
                 "tn": "test −\n(true −)"}
        self.tree_texts = {}
        for key, (x, y) in boxes.items():
            colour, ls = styles.get(key, (TEXT, "-"))
            w, h = (0.21, 0.15) if key in ("all", "with", "without") else (0.2, 0.16)
            ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.005,rounding_size=0.02",
                                        facecolor="white", edgecolor=colour, linewidth=1.6, linestyle=ls, zorder=2))
            if key == "all":   # the 100 never changes: it stays in the background
                ax.text(x, y + 0.03, "100", ha="center", va="center", fontsize=11, color=TEXT, fontweight="bold",
                        zorder=3)
            else:
                self.tree_texts[key] = GlyphLabel(ax, x, y + 0.03, size=11, color=TEXT, weight="bold", ha="center",
                                                  va="center", zorder=3)
            ax.text(x, y - 0.04, words[key], ha="center", va="center", fontsize=7, color=TEXT, zorder=3,
                    linespacing=1.0)
        ax.text(0.02, 0.17, "Positive results that are right (true + of all +):", ha="left", va="top", fontsize=8.5,
                color=TEXT)
        ax.text(0.02, 0.08, "Negative results that miss it (false − of all −):", ha="left", va="top", fontsize=8.5,
                color=TEXT)
        self.tree_texts["ppv"] = GlyphLabel(ax, 0.98, 0.17, size=8.5, color=POS_TEXT, weight="bold", ha="right",
                                            va="top")
        self.tree_texts["npv"] = GlyphLabel(ax, 0.98, 0.08, size=8.5, color=NEG_COLOUR, weight="bold", ha="right",
                                            va="top")

    # ------------------------------------------------------------------ controls and state
    def make_controls(self):
        import ipywidgets as w

        pre = w.IntSlider(value=50, min=1, max=99, step=1, description="Pre-test probability (%)",
                          continuous_update=True, style={"description_width": "initial"}, layout={"width": "420px"})
        test = w.Dropdown(options=[(t.name, tid) for tid, t in self.tests.items()],
                          value=next(iter(self.tests)), description="Test",
                          style={"description_width": "initial"}, layout={"width": "420px"})
        start = w.Dropdown(options=[("(set the slider yourself)", "")] +
                           [(s.label, sid) for sid, s in self.scenarios.items()], value="",
                           description="Start from", style={"description_width": "initial"},
                           layout={"width": "860px"})

        def move_slider(change):
            if change["new"]:
                pre.value = int(round(self.scenarios[change["new"]].probability * 100))

        start.observe(move_slider, "value")
        return {"pre_test": pre, "test": test, "start": start}

    def _evaluation(self, state):
        test = self.tests[state["test"]]
        return test, evaluate(test, state["pre_test"] / 100)

    @staticmethod
    def _split(x0, y0, x1, y1):
        """The two pieces of the segment (x0, y0)-(x1, y1) left and right of the label gap."""
        at = lambda x: y0 + (y1 - y0) * (x - x0) / (x1 - x0)  # noqa: E731
        return ([x0, GAP[0]], [y0, at(GAP[0])]), ([GAP[1], x1], [at(GAP[1]), y1])

    def update(self, state):
        test, ev = self._evaluation(state)
        p = ev.pre_test
        y_pre = -_logit(p) / 2
        y_pos, y_neg = _logit(ev.post_positive) / 2, _logit(ev.post_negative) / 2
        self.pre_marker.set_data([0], [y_pre])
        for lines, y_end in ((self.pos_lines, y_pos), (self.neg_lines, y_neg)):
            for line, (xs, ys) in zip(lines, self._split(0, y_pre, 2, y_end)):
                line.set_data(xs, ys)
        self.lr_pos_marker.set_data([1], [(y_pre + y_pos) / 2])
        self.lr_neg_marker.set_data([1], [(y_pre + y_neg) / 2])
        # Ranges from the CI corners, as thin wedges from the pre-test point, also split at the gap.
        for bands, rng in ((self.pos_bands, ev.post_positive_range), (self.neg_bands, ev.post_negative_range)):
            lo, hi = (_logit(v) / 2 for v in rng)
            (lx, lo_left), (rx, lo_right) = self._split(0, y_pre, 2, lo)
            (_, hi_left), (_, hi_right) = self._split(0, y_pre, 2, hi)
            bands[0].set_xy(np.array([[0, y_pre], [lx[1], lo_left[1]], [lx[1], hi_left[1]]]))
            bands[1].set_xy(np.array([[rx[0], lo_right[0]], [2, lo], [2, hi], [rx[0], hi_right[0]]]))
        self.pre_label.set_position((-0.5, y_pre))
        self.pre_label.set_text(_pct(p))
        # Keep the two post-test labels apart (they sit beside the right-hand scale).
        gap = 0.55
        a, b = y_pos, y_neg
        if abs(a - b) < gap:
            mid = (a + b) / 2
            a, b = (mid + gap / 2, mid - gap / 2) if a >= b else (mid - gap / 2, mid + gap / 2)
        limit = LOGIT_MAX / 2 - 0.2
        shift = max(0.0, max(a, b) - limit) - max(0.0, -limit - min(a, b))
        a, b = a - shift, b - shift
        self.pos_label.set_position((2.62, a))
        self.pos_label.set_text(f"+ {_pct(ev.post_positive)}")
        self.neg_label.set_position((2.62, b))
        self.neg_label.set_text(f"− {_pct(ev.post_negative)}")
        # Natural frequencies.
        nf = natural_frequencies(p, test.sensitivity, test.specificity, 100)
        t = self.tree_texts
        t["with"].set_text(str(nf.with_condition))
        t["without"].set_text(str(nf.without))
        t["tp"].set_text(str(nf.true_pos))
        t["fn"].set_text(str(nf.false_neg))
        t["fp"].set_text(str(nf.false_pos))
        t["tn"].set_text(str(nf.true_neg))
        t["ppv"].set_text(f"{nf.true_pos} of {nf.positives}")
        t["npv"].set_text(f"{nf.false_neg} of {nf.negatives}")
        # The test's name and figures are static: redraw the background only when the test changes.
        if test.id != self._shown_test:
            self.heading.set_text(f"{test.name}\nsensitivity {test.sensitivity:.2f}, "
                                  f"specificity {test.specificity:.2f}")
            changed = self._shown_test is not None
            self._shown_test = test.id
            return changed
        return None

    # ------------------------------------------------------------------ words
    def readout(self, state):
        test, ev = self._evaluation(state)
        rng = lambda r: f"{r[0] * 100:.0f}–{r[1] * 100:.0f} %"  # noqa: E731
        parts = [f"Before the test: {_pct(ev.pre_test)}. {test.name}: sensitivity {_pct(test.sensitivity)}, "
                 f"specificity {_pct(test.specificity)}, so LR+ {_lr(ev.lr_positive)} and LR− {_lr(ev.lr_negative)}.",
                 f"A positive result {describe_change(ev.pre_test, ev.post_positive)}; a negative result "
                 f"{describe_change(ev.pre_test, ev.post_negative)}."]
        if test.id != CUSTOM:
            parts.append(f"Across the ends of the published confidence intervals: after a positive "
                         f"{rng(ev.post_positive_range)}, after a negative {rng(ev.post_negative_range)}.")
        if ev.lr_positive < 1:
            parts.append("Here LR+ is below 1: a positive result makes the condition slightly less likely, the "
                         "opposite of what the result seems to say.")
        elif 0.5 <= ev.lr_negative and ev.lr_positive <= 2:
            parts.append("Both likelihood ratios are close to 1, so neither result changes much.")
        parts.append(f"Measured in: {test.sample}.")
        return " ".join(parts)

    def alt(self, state):
        test, ev = self._evaluation(state)
        nf = natural_frequencies(ev.pre_test, test.sensitivity, test.specificity, 100)
        return (f"Two panels. (a) Fagan nomogram: three vertical scales, pre-test probability on the left, likelihood "
                f"ratio in the middle, post-test probability on the right. From a pre-test probability of "
                f"{_pct(ev.pre_test)} a solid line through LR+ {_lr(ev.lr_positive)} reaches {_pct(ev.post_positive)} "
                f"and a dashed line through LR− {_lr(ev.lr_negative)} reaches {_pct(ev.post_negative)}, each with a "
                f"shaded wedge for the range from the confidence intervals. (b) A tree of 100 people: "
                f"{nf.with_condition} have the condition ({nf.true_pos} test positive, {nf.false_neg} negative) and "
                f"{nf.without} do not ({nf.false_pos} test positive, {nf.true_neg} negative).")


def test_accuracy_explorer(pre_test: float = 0.5, test: str | None = None, sensitivity: float | None = None,
                           specificity: float | None = None):
    """Show the test-accuracy explorer (pre-test slider, test menu, starting points).

    ``pre_test``: probability before the test, a proportion strictly between 0
    and 1 (0.3 for 30 %).  ``test``: an id of ``assets/test-accuracy.yml``
    (default: the first).  ``sensitivity`` and ``specificity`` (both, each in
    (0, 1]): add "Your own test" and start with it.  Bad input returns an
    :class:`InputMessage` saying what is wrong, instead of raising.
    """
    try:
        custom = None
        if sensitivity is not None or specificity is not None:
            if sensitivity is None or specificity is None:
                raise AccuracyInputError("Give both a sensitivity and a specificity for your own test "
                                         "(for example sensitivity=0.9, specificity=0.6).")
            custom = check_accuracy(sensitivity, specificity)
            test = CUSTOM
        pre = check_probability(pre_test)
        if test is not None and test != CUSTOM:
            get_test(test)
        initial = {"pre_test": min(99, max(1, int(round(pre * 100))))}
        if test is not None:
            initial["test"] = test
        return TestAccuracyExplorer(custom=custom, **initial).show()
    except (AccuracyInputError, TestAccuracyDataError) as exc:
        return InputMessage(str(exc), "The test-accuracy explorer")


__all__ = ["TestAccuracyExplorer", "InputMessage", "test_accuracy_explorer"]
