"""The rehabilitation progression planner: step a programme through its phases, criteria first.

Pick a case, step through its phases, and set what the clinician observed at
the end of a block of training (pain during the exercises, whether it settled
by the next morning, hip-flexion strength as a percentage of the other side,
and the phase's functional milestone).  The figure shows the phase track, the
phase's goals and example exercises with their load, the criteria to progress
with the observed values, the decision (move on, stay, ease the load, return)
and the level of evidence behind every exercise and criterion.  Everything
comes from :mod:`iliopsoas.models.rehab` (data: ``assets/rehab-programmes.yml``);
this module only draws.

Speed: the phase card (everything that depends only on the case and phase) is
drawn once per case and phase and kept as a cached background; moving a slider
redraws only the criteria marks, gauges and decision on top of it.

Use::

    from iliopsoas import rehab_planner
    rehab_planner("runner-tendinopathy")     # interactive diagram (name "rehab-planner")
"""
from __future__ import annotations

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from ..models.evidence import LEVELS
from ..models.rehab import DECISIONS, Observation, assess, case, load_programmes
from .base import Diagram
from .keyed_background import KeyedBackground
from .style import GRID, OKABE_ITO, TEXT

MET, UNMET = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]
CURRENT = OKABE_ITO["blue"]
DECISION_STYLE = {  # symbol, colour: the decision is never shown by colour alone
    "progress": ("→", OKABE_ITO["bluish_green"]),
    "return": ("✓", OKABE_ITO["bluish_green"]),
    "stay": ("…", OKABE_ITO["orange"]),
    "ease": ("↓", OKABE_ITO["vermillion"]),
}
MAX_PHASES, MAX_ROWS, MAX_CRITERIA = 4, 3, 4
GAUGE_X0, GAUGE_X1 = 0.06, 0.47


def legend_text() -> str:
    """The evidence-level key drawn under the phase card."""
    return "   ".join(f"{lv.symbol} {lv.short}" for lv in LEVELS.values()) + "   · analogy = other condition"


class RehabPlanner(KeyedBackground, Diagram):
    """Case menu and phase slider; observed pain, next-morning response, strength ratio and function."""

    name = "rehab-planner"
    title = "Rehabilitation progression planner"
    figsize = (9.8, 4.45)
    caption = (
        "Teaching examples, not prescriptions. Each phase ends when its criteria are met, not on a date; the weeks "
        "shown are rough practitioner estimates. Evidence level of each element (symbol and short name): ◆ review, "
        "■ randomised trial (RCT), ▲ cohort, ▼ survey, ● case report or series, ○ consensus or opinion, "
        "◇ practitioner advice not tested in trials; 'analogy' = studied in another condition (for example the "
        "pain-monitoring approach from an Achilles tendinopathy trial, Silbernagel et al. 2007, or the "
        "criteria-based adductor programme of Serner et al. 2020). The runner follows the published case of "
        "Rauseo 2017; no randomised trial has tested any programme for iliopsoas tendinopathy, bursitis or snapping."
    )

    # ------------------------------------------------------------------ build
    def build(self, fig):
        self.init_backgrounds()
        self.ax_track = fig.add_axes([0.005, 0.855, 0.99, 0.14])
        self.ax_card = fig.add_axes([0.005, 0.0, 0.6, 0.85])
        self.ax_crit = fig.add_axes([0.615, 0.0, 0.38, 0.85])
        for ax in (self.ax_track, self.ax_card, self.ax_crit):
            ax.set_axis_off()
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
        self._build_track(self.ax_track)
        self._build_card(self.ax_card)
        self._build_criteria(self.ax_crit)

    def _build_track(self, ax):
        self.track_boxes, self.track_texts, self.track_arrows = [], [], []
        for i in range(MAX_PHASES):
            box = FancyBboxPatch((0, 0.12), 0.1, 0.76, boxstyle="round,pad=0.0,rounding_size=0.08",
                                 facecolor="white", edgecolor=GRID, linewidth=1.0)
            ax.add_patch(box)
            self.track_boxes.append(box)
            self.track_texts.append(ax.text(0, 0.5, "", ha="center", va="center", fontsize=8.5, color=TEXT))
        for i in range(MAX_PHASES - 1):
            arrow = FancyArrowPatch((0, 0.5), (0.01, 0.5), arrowstyle="-|>", mutation_scale=10, color="#555555",
                                    linewidth=1.0)
            ax.add_patch(arrow)
            self.track_arrows.append(arrow)

    def _build_card(self, ax):
        t = dict(ha="left", va="top", color=TEXT)
        self.card_head = ax.text(0.01, 0.985, "", fontsize=10, fontweight="bold", **t)
        self.card_person = ax.text(0.01, 0.915, "", fontsize=8.5, style="italic", **t)
        ax.text(0.01, 0.845, "Goals", fontsize=9, fontweight="bold", **t)
        self.goal_texts = [ax.text(0.025, 0.78 - 0.065 * i, "", fontsize=8.5, **t) for i in range(MAX_ROWS)]
        ax.text(0.01, 0.565, "Example exercises and load", fontsize=9, fontweight="bold", **t)
        ax.text(0.755, 0.565, "Evidence", fontsize=9, fontweight="bold", **t)
        self.ex_names, self.ex_loads, self.ex_badges = [], [], []
        for i in range(MAX_ROWS):
            y = 0.5 - 0.135 * i
            self.ex_names.append(ax.text(0.025, y, "", fontsize=8.5, **t))
            self.ex_loads.append(ax.text(0.045, y - 0.058, "", fontsize=8, color="#333333", ha="left", va="top"))
            self.ex_badges.append(ax.text(0.755, y, "", fontsize=8, **t))
        ax.text(0.01, 0.055, legend_text(), fontsize=7, color="#333333", ha="left", va="top")

    def _build_criteria(self, ax):
        t = dict(ha="left", va="top", color=TEXT)
        ax.text(0.0, 0.985, "Criteria to progress", fontsize=10, fontweight="bold", **t)
        self.crit_texts, self.crit_badges, self.crit_marks, self.crit_values = [], [], [], []
        self.gauge_tracks, self.gauge_fills, self.gauge_limits = [], [], []
        for i in range(MAX_CRITERIA):
            y = 0.9 - 0.175 * i
            self.crit_marks.append(ax.text(0.0, y, "", fontsize=10, fontweight="bold", **t))
            self.crit_texts.append(ax.text(0.06, y, "", fontsize=8.5, **t))
            self.crit_badges.append(ax.text(0.98, y - 0.06, "", fontsize=7.5, ha="right", va="top", color="#333333"))
            self.crit_values.append(ax.text(0.49, y - 0.06, "", fontsize=8, ha="left", va="top", color=TEXT))
            track = Rectangle((GAUGE_X0, y - 0.105), GAUGE_X1 - GAUGE_X0, 0.035, facecolor="#EEEEEE",
                              edgecolor="#999999", linewidth=0.6)
            fill = Rectangle((GAUGE_X0, y - 0.105), 0.0, 0.035, facecolor=MET, edgecolor="none")
            limit = ax.plot([GAUGE_X0, GAUGE_X0], [y - 0.115, y - 0.06], color=TEXT, linewidth=1.6)[0]
            ax.add_patch(track)
            ax.add_patch(fill)
            self.gauge_tracks.append(track)
            self.gauge_fills.append(fill)
            self.gauge_limits.append(limit)
        self.decision_box = FancyBboxPatch((0.0, 0.02), 0.98, 0.16, boxstyle="round,pad=0.0,rounding_size=0.02",
                                           facecolor="white", edgecolor=TEXT, linewidth=1.4)
        ax.add_patch(self.decision_box)
        self.decision_text = ax.text(0.03, 0.1, "", fontsize=9.5, fontweight="bold", ha="left", va="center",
                                     color=TEXT)
        self.animated = [*self.crit_marks, *self.crit_values, *self.gauge_fills, self.decision_box,
                         self.decision_text]
        # Drawn over white (marks, values) or over a box whose colour the same text decides: safe to paste.
        self.cached_texts = {*self.crit_marks, *self.crit_values, self.decision_text}

    # ------------------------------------------------------------------ controls and state
    def make_controls(self):
        import ipywidgets as w

        cases = load_programmes()
        first = next(iter(cases.values()))
        kw = dict(style={"description_width": "initial"}, continuous_update=True)
        case_menu = w.Dropdown(options=[(c.name, k) for k, c in cases.items()], value=first.id, description="Case",
                               style={"description_width": "initial"}, layout={"width": "320px"})
        phase = w.IntSlider(value=1, min=1, max=len(first.phases), step=1, description="Phase",
                            layout={"width": "250px"}, **kw)
        pain = w.IntSlider(value=2, min=0, max=10, step=1, description="Pain during (0-10)",
                           layout={"width": "310px"}, **kw)
        strength = w.IntSlider(value=85, min=50, max=110, step=5, description="Strength vs other side (%)",
                               layout={"width": "400px"}, **kw)
        morning = w.Checkbox(value=True, description="Settled by next morning", indent=False,
                             layout={"width": "210px"})
        function = w.Checkbox(value=False, description="Functional milestone passed", indent=False,
                              layout={"width": "230px"})

        def phases_of_case(change):
            phase.max = len(cases[change["new"]].phases)

        case_menu.observe(phases_of_case, "value")
        return {"phase": phase, "case": case_menu, "pain": pain, "strength": strength, "morning": morning,
                "function": function}

    @staticmethod
    def observation(state) -> Observation:
        return Observation(pain_during=int(state["pain"]), settled_next_morning=bool(state["morning"]),
                           strength_ratio_pct=float(state["strength"]), function_passed=bool(state["function"]))

    def _assessment(self, state):
        c = case(state["case"])
        number = min(max(int(state["phase"]), 1), len(c.phases))
        return assess(c.id, number, self.observation(state))

    # ------------------------------------------------------------------ drawing
    def _draw_track(self, c, current: int):
        n = len(c.phases)
        gap = 0.03
        width = (1 - gap * (n - 1) - 0.01) / n
        for i in range(MAX_PHASES):
            box, text = self.track_boxes[i], self.track_texts[i]
            if i >= n:
                box.set_visible(False)
                text.set_visible(False)
                continue
            x = 0.005 + i * (width + gap)
            box.set_visible(True)
            text.set_visible(True)
            box.set_bounds(x, 0.12, width, 0.76)
            number = i + 1
            name = c.phases[i].name
            if number < current:
                box.set(facecolor="#E7F4EF", edgecolor=MET, linewidth=1.2, hatch="")
                label = f"✓ {number}. {name}"
            elif number == current:
                box.set(facecolor="#DCEBF7", edgecolor=CURRENT, linewidth=2.6, hatch="")
                label = f"▶ {number}. {name}"
            else:
                box.set(facecolor="white", edgecolor=GRID, linewidth=1.0, hatch="")
                label = f"{number}. {name}"
            text.set_position((x + width / 2, 0.5))
            text.set_text(label)
            text.set_fontweight("bold" if number == current else "normal")
        for i, arrow in enumerate(self.track_arrows):
            if i >= n - 1:
                arrow.set_visible(False)
                continue
            x_end = 0.005 + (i + 1) * (width + gap)
            arrow.set_visible(True)
            arrow.set_positions((x_end - gap + 0.002, 0.5), (x_end - 0.002, 0.5))

    def _draw_card(self, c, phase):
        self.card_head.set_text(f"Phase {phase.number} of {len(c.phases)}: {phase.name}  ({phase.weeks})")
        self.card_person.set_text(c.person)
        for i, text in enumerate(self.goal_texts):
            text.set_text(f"• {phase.goals[i]}" if i < len(phase.goals) else "")
        for i in range(MAX_ROWS):
            if i < len(phase.exercises):
                ex = phase.exercises[i]
                self.ex_names[i].set_text(f"• {ex.name}")
                self.ex_loads[i].set_text(ex.load)
                self.ex_badges[i].set_text(ex.evidence.badge)
            else:
                for t in (self.ex_names[i], self.ex_loads[i], self.ex_badges[i]):
                    t.set_text("")

    def _draw_criteria_static(self, phase):
        for i in range(MAX_CRITERIA):
            shown = i < len(phase.criteria)
            self.crit_texts[i].set_text(phase.criteria[i].text if shown else "")
            self.crit_badges[i].set_text(phase.criteria[i].evidence.badge if shown else "")
            gauge = shown and phase.criteria[i].kind in ("pain_during", "strength_ratio")
            self.gauge_tracks[i].set_visible(gauge)
            self.gauge_limits[i].set_visible(gauge)
            if gauge:
                crit = phase.criteria[i]
                x = self._gauge_x(crit.kind, crit.threshold)
                y0 = self.gauge_tracks[i].get_y()
                self.gauge_limits[i].set_data([x, x], [y0 - 0.01, y0 + 0.045])

    @staticmethod
    def _gauge_x(kind: str, value: float) -> float:
        lo, hi = (0, 10) if kind == "pain_during" else (50, 110)
        frac = (min(max(value, lo), hi) - lo) / (hi - lo)
        return GAUGE_X0 + frac * (GAUGE_X1 - GAUGE_X0)

    def update(self, state):
        a = self._assessment(state)
        c, phase = a.case, a.phase
        key = (c.id, phase.number)
        if key != self.background_key:
            self._draw_track(c, phase.number)
            self._draw_card(c, phase)
            self._draw_criteria_static(phase)
            self.background_key = key
        for i in range(MAX_CRITERIA):
            mark, value, fill = self.crit_marks[i], self.crit_values[i], self.gauge_fills[i]
            if i >= len(a.results):
                mark.set_text("")
                value.set_text("")
                fill.set_visible(False)
                continue
            r = a.results[i]
            mark.set_text("✓" if r.met else "✗")
            mark.set_color(MET if r.met else UNMET)
            if r.criterion.kind in ("pain_during", "strength_ratio"):
                value.set_text(f"now {r.value}")
                observed = float(state["pain"] if r.criterion.kind == "pain_during" else state["strength"])
                fill.set_visible(True)
                fill.set_width(self._gauge_x(r.criterion.kind, observed) - GAUGE_X0)
                fill.set_facecolor(MET if r.met else UNMET)
            else:
                value.set_text("")
                fill.set_visible(False)
            value.set_position((0.49, self.crit_texts[i].get_position()[1] - 0.06))
        symbol, colour = DECISION_STYLE[a.decision]
        words = DECISIONS[a.decision]
        if a.decision == "progress":
            words += f": phase {phase.number + 1}"
        self.decision_text.set_text(f"{symbol}  {words[0].upper() + words[1:]}")
        self.decision_box.set_edgecolor(colour)
        self.decision_box.set_facecolor({"progress": "#E7F4EF", "return": "#E7F4EF", "stay": "#FDF3E1",
                                         "ease": "#FBE7DE"}[a.decision])
        return None

    # ------------------------------------------------------------------ words
    def readout(self, state):
        a = self._assessment(state)
        parts = [a.sentence()]
        parts.append("Observed: " + "; ".join(f"{r.criterion.text.lower()}: {r.value} ({'met' if r.met else 'not met'})"
                                              for r in a.results) + ".")
        practitioner = sum(1 for _, ev in a.phase.evidence_items() if ev.level == "practitioner")
        parts.append(f"Of this phase's exercises and criteria, {practitioner} of {len(a.phase.evidence_items())} "
                     "rest on practitioner advice not tested in trials.")
        return " ".join(parts)

    def alt(self, state):
        a = self._assessment(state)
        p = a.phase
        exercises = "; ".join(f"{e.name}, {e.load} ({e.evidence.label})" for e in p.exercises)
        crits = "; ".join(f"{r.criterion.text}: {'met' if r.met else 'not met'} ({r.criterion.evidence.label})"
                          for r in a.results)
        return (f"Rehabilitation planner for the case '{a.case.name}'. A track of {len(a.case.phases)} phases with "
                f"phase {p.number}, {p.name}, highlighted. Goals: {'; '.join(p.goals)}. Exercises: {exercises}. "
                f"Criteria: {crits}. Decision: {DECISIONS[a.decision]}.")


def rehab_planner(case_id: str = "runner-tendinopathy", phase: int = 1):
    """Show the rehabilitation progression planner for one case (``KeyError`` lists the cases)."""
    c = case(case_id)
    if not 1 <= phase <= len(c.phases):
        raise ValueError(f"{c.name} has phases 1 to {len(c.phases)}, not {phase}")
    return RehabPlanner(case=case_id, phase=phase).show()


__all__ = ["RehabPlanner", "rehab_planner"]
