"""A programme's effect as natural frequencies: 100 players without it, 100 with it.

Two 100-icon arrays (:mod:`iliopsoas.figures.icon_array`) side by side, and the
absolute and relative effects in words.  The student picks a programme (its
published ratio and 95 % CI come from ``assets/prevention-effects.yml``) and
can move the baseline, "injuries per 100 without the programme", to see that
the same relative effect spares more players when injuries are common.  The
numbers come from :mod:`iliopsoas.models.natural_frequency`; this module only
draws.

Use::

    from iliopsoas import prevention_effect
    prevention_effect("copenhagen-adduction")     # interactive diagram (name "prevention-effect")
"""
from __future__ import annotations

import textwrap

from ..models.natural_frequency import MEASURES, effect, icon_counts, load_effects
from .base import Diagram
from .keyed_background import KeyedBackground
from .icon_array import INJURY_STYLES, IconArray
from .style import TEXT

PANEL_WRAP = 44


def _fmt(x: float) -> str:
    """One decimal, without a trailing '.0' on whole numbers: 21.3, 7, 0.6."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _change(x: float) -> str:
    """'2.8 fewer' / '0.6 more' / 'no difference'."""
    if abs(x) < 0.05:
        return "no difference"
    return f"{_fmt(abs(x))} fewer" if x > 0 else f"{_fmt(abs(x))} more"


def _pct_change(x: float) -> str:
    if abs(x) < 0.5:
        return "0%"
    return f"{abs(x):.0f}% fewer" if x > 0 else f"{abs(x):.0f}% more"


def _range(least: float, most: float, fmt=_fmt, unit: str = "") -> str:
    """A confidence interval of a change in words: '2.4 to 12 fewer', '2.8 fewer to 0.6 more'.

    ``least`` and ``most`` are the smallest and largest reductions (negative = more, not fewer)."""
    if least > 0:
        return f"{fmt(least)}{unit} to {fmt(most)}{unit} fewer"
    if most < 0:
        return f"{fmt(-most)}{unit} to {fmt(-least)}{unit} more"
    return f"{fmt(most)}{unit} fewer to {fmt(-least)}{unit} more"


def effect_lines(nf) -> list[str]:
    """The numbers in words: with and without, absolute and relative effects, the number needed.

    Counts are people per 100 (natural frequencies); every interval is the 95% CI."""
    least, most = nf.fewer_ci
    rel_lo, rel_hi = nf.relative_reduction_ci_pct
    lines = [
        f"without it {_fmt(nf.without)} people, with it {_fmt(nf.with_)} people (95% CI {_fmt(nf.with_low)} to "
        f"{_fmt(nf.with_high)})",
        f"absolute effect {_people_change(nf.fewer)} (95% CI {_range(least, most)})",
        f"relative effect {_pct_change(nf.relative_reduction_pct)} "
        f"(95% CI {_range(rel_lo, rel_hi, lambda v: f'{v:.0f}', '%')})",
    ]
    nnt, ci = nf.number_needed, nf.number_needed_ci
    if nnt is None:
        lines.append("number needed to spare one: none (no benefit at this estimate)")
    elif ci is None or ci[1] is None:
        lines.append(f"number needed to spare one: {nnt:.0f} people (no upper limit: the CI includes no effect)")
    else:
        lines.append(f"number needed to spare one: {nnt:.0f} people (95% CI {ci[0]:.0f} to {ci[1]:.0f})")
    return lines


def _people_change(x: float) -> str:
    """'7.5 people fewer' / '0.6 people more' / 'no difference'."""
    if abs(x) < 0.05:
        return "no difference"
    return f"{_fmt(abs(x))} people " + ("fewer" if x > 0 else "more")


class PreventionEffect(KeyedBackground, Diagram):
    """Programme menu and baseline slider; two icon arrays and the effect in words."""

    name = "prevention-effect"
    title = "One programme, 100 players: natural frequencies"
    figsize = (9.6, 4.15)
    caption = (
        "Each icon is one player. Left: out of 100, how many are affected without the programme (the baseline). "
        "Right: how many with it, from the published ratio; blue diamonds are players spared by the programme and "
        "the grey squares behind icons show the range allowed by the confidence interval. Ratios and baselines: Harøy et "
        "al. 2019 (Copenhagen adduction programme, odds ratio), Esteve et al. 2015 (groin programmes pooled, risk "
        "ratio), Soligard et al. 2008 (FIFA 11+, rate ratio), Pope et al. 2000 (stretching, hazard ratio). Rate "
        "and hazard ratios are treated as risk ratios, an approximation; an odds ratio is converted exactly for "
        "the chosen baseline. Icons are rounded to whole players."
    )

    def build(self, fig):
        self.init_backgrounds()
        self.ax_without = fig.add_axes([0.010, 0.205, 0.305, 0.665])
        self.ax_with = fig.add_axes([0.330, 0.205, 0.305, 0.665])
        self.ax_text = fig.add_axes([0.655, 0.0, 0.345, 1.0])
        self.ax_text.set_axis_off()
        self.ax_text.set_xlim(0, 1)
        self.ax_text.set_ylim(0, 1)
        without_styles = {k: INJURY_STYLES[k] for k in ("injured", "not_injured")}
        self.without = IconArray(self.ax_without, without_styles)
        self.with_ = IconArray(self.ax_with, INJURY_STYLES)
        fig.text(0.012, 0.975, "(a) Without the programme", ha="left", va="top", fontsize=10, color=TEXT,
                 fontweight="bold")
        fig.text(0.332, 0.975, "(b) With the programme", ha="left", va="top", fontsize=10, color=TEXT,
                 fontweight="bold")
        # The counts: only the numbers are redrawn on a slider step (text is the costliest thing to redraw); the
        # words around them are still.  Intervals and relative effects are in the readout sentence.
        count = dict(va="top", fontsize=9.5, color=TEXT, fontweight="bold")
        words = dict(ha="left", va="top", fontsize=9, color=TEXT)
        self.n_without = fig.text(0.040, 0.912, "", ha="right", **count)
        fig.text(0.043, 0.912, "of 100 affected", **words)
        self.n_with = fig.text(0.360, 0.912, "", ha="right", **count)
        fig.text(0.363, 0.912, "affected,", **words)
        self.n_spared = fig.text(0.448, 0.912, "", ha="right", **count)
        fig.text(0.451, 0.912, "spared", **words)
        handles = self.with_.legend_handles(("injured", "spared", "not_injured", "extra"))
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.008, 0.0), ncol=2, fontsize=8,
                   frameon=False, handletextpad=0.4, columnspacing=1.0, borderaxespad=0.2)
        t = dict(ha="left", va="top", color=TEXT)
        self.head = self.ax_text.text(0.0, 0.975, "", fontsize=9.5, fontweight="bold", **t)
        self.population = self.ax_text.text(0.0, 0.905, "", fontsize=8, linespacing=1.2, **t)
        self.outcome = self.ax_text.text(0.0, 0.775, "", fontsize=8.5, fontweight="bold", linespacing=1.2, **t)
        self.published = self.ax_text.text(0.0, 0.625, "", fontsize=8.5, **t)
        self.note = self.ax_text.text(0.0, 0.555, "", fontsize=8, linespacing=1.3, color="#333333",
                                      ha="left", va="top")
        self.ax_text.text(0.0, 0.27, textwrap.fill(
            "The numbers for the current baseline, with their 95% confidence intervals (absolute and relative "
            "effect, number needed to spare one), are in the sentence under the picture.", PANEL_WRAP + 6),
            fontsize=8, style="italic", linespacing=1.3, **t)
        # Only what moves with the baseline slider is animated; the rest is cached once per programme.
        self.animated = [*self.without.artists, *self.with_.artists, self.n_without, self.n_with, self.n_spared]
        self.cached_texts = {self.n_without, self.n_with, self.n_spared}   # over the white strip above the grids

    def make_controls(self):
        import ipywidgets as w

        effects = load_effects()
        programme = w.Dropdown(options=[(e.name, k) for k, e in effects.items()], value=next(iter(effects)),
                               description="Programme", style={"description_width": "initial"},
                               layout={"width": "330px"})
        first = effects[programme.value]
        baseline = w.FloatSlider(value=first.baseline_per_100, min=1, max=50, step=0.1,
                                 description="Affected per 100 without it", readout_format=".1f",
                                 continuous_update=True, style={"description_width": "initial"},
                                 layout={"width": "420px"})

        def to_published(change):
            # A new programme starts from its own published baseline; the student can then move it.
            baseline.value = effects[change["new"]].baseline_per_100

        programme.observe(to_published, "value")
        return {"programme": programme, "baseline": baseline}

    def _state(self, state):
        prog = effect(state["programme"])
        nf = prog.frequency(float(state["baseline"]))
        return prog, nf

    def update(self, state):
        prog, nf = self._state(state)
        if prog.id != self.background_key:
            self.head.set_text(prog.name)
            self.population.set_text(textwrap.fill(prog.population, PANEL_WRAP + 4))
            self.outcome.set_text(textwrap.fill(f"Outcome: {prog.outcome} {prog.period} (icons rounded to "
                                                f"whole players)", PANEL_WRAP))
            self.published.set_text(f"Published: {prog.ratio_text}")
            self.note.set_text(textwrap.fill(prog.note, PANEL_WRAP + 4) if prog.note else "")
            self.background_key = prog.id
        counts = icon_counts(nf)
        self.without.set_counts(counts["without"])
        self.without.set_band(None)
        self.with_.set_counts(counts["with"])
        self.with_.set_band(*counts["band"])
        injured = sum(counts["with"][k] for k in ("injured", "extra"))
        self.n_without.set_text(str(counts["without"]["injured"]))
        self.n_with.set_text(str(injured))
        self.n_spared.set_text(str(counts["with"]["spared"]))
        return None

    def readout(self, state):
        prog, nf = self._state(state)
        measure = MEASURES[prog.measure][1]
        text = (f"{prog.name}. {prog.outcome[0].upper() + prog.outcome[1:]} {prog.period}, per 100: "
                + "; ".join(effect_lines(nf)) + f". Published {measure}: {prog.ratio_text.split(' ', 1)[1]}.")
        if nf.ci_includes_no_effect:
            text += " The confidence interval includes no effect, so the trials cannot rule out that it does nothing."
        if abs(float(state["baseline"]) - prog.baseline_per_100) >= 0.05:
            text += f" The baseline was moved from the published {_fmt(prog.baseline_per_100)} people in 100."
        else:
            text += " Baseline: the published control group."
        return text

    def alt(self, state):
        prog, nf = self._state(state)
        c = icon_counts(nf)
        w = c["with"]
        return (f"Two grids of 100 player icons. Left, without the programme: {c['without']['injured']} injured "
                f"(crosses) and {c['without']['not_injured']} not injured (circles). Right, with the "
                f"{prog.name}: {w['injured'] + w['extra']} injured, {w['spared']} spared by the programme "
                f"(diamonds) and {w['not_injured']} not injured; grey squares mark icons {c['band'][0] + 1} to "
                f"{c['band'][1]}, the range of the 95% confidence interval. A text panel gives the absolute and "
                f"relative effects: {_change(nf.fewer)} per 100, {_pct_change(nf.relative_reduction_pct)}.")


def prevention_effect(programme: str = "copenhagen-adduction", baseline: float | None = None):
    """Show the natural-frequency picture of a prevention programme.

    ``programme``: an id of ``assets/prevention-effects.yml`` (``KeyError`` lists them); ``baseline``: people
    affected per 100 without the programme (default: the published control group's figure).
    """
    prog = effect(programme)
    values = {"programme": programme}
    if baseline is not None:
        if not 1 <= baseline <= 50:
            raise ValueError(f"baseline must be 1-50 per 100, not {baseline}")
        values["baseline"] = baseline
    else:
        values["baseline"] = prog.baseline_per_100
    return PreventionEffect(**values).show()


__all__ = ["PreventionEffect", "effect_lines", "prevention_effect"]
