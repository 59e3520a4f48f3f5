"""The differential sorter: tick findings, see which categories stay plausible and which red flags are up.

A board of the Doha categories and the serious mimics, each with a status
(symbol and words, never colour alone), and the red flags raised by the ticked
findings, by tier.  The reasoning for every category, with its sources, is
listed under the picture.  Everything it says comes from
:mod:`iliopsoas.models.differential` (data in ``assets/differential.yml``, red
flags from ``assets/red-flags.yml``); this module only draws.

Use::

    from iliopsoas.figures.differential_sorter import differential_sorter
    differential_sorter()                                  # nothing ticked
    differential_sorter(ticked=["fever", "psoas-sign"])    # start with findings ticked
"""
from __future__ import annotations

import html
import textwrap

from ..models.differential import (STATUSES, DifferentialDataError, FindingError, load_differential,
                                   sort_findings, summary)
from ..redflags import RedFlagError
from ..sources import short_citations
from .base import TEXT_STYLE, Diagram
from .glyph_label import GlyphLabel
from .style import GRID, OKABE_ITO, TEXT
from .test_accuracy_explorer import InputMessage

STATUS_COLOURS = {"alarm": OKABE_ITO["vermillion"], "mixed": OKABE_ITO["orange"],
                  "for": OKABE_ITO["bluish_green"], "against": OKABE_ITO["blue"], "open": "#6B6B6B"}
#: Darker shades of the same hues for the status words, so small text keeps a contrast of at least 4.5:1.
STATUS_TEXT = {"alarm": "#B34700", "mixed": "#8A5A00", "for": "#00704F", "against": "#005A8C", "open": "#555555"}
TIER_WORDS = {"emergency": "EMERGENCY, now", "same-day": "SAME DAY", "soon": "SOON, within days"}
ROW = 0.0405      # height of one row, in axes fraction
FLAG_LINES = 6    # lines reserved for the red flags


def control_name(finding_id: str) -> str:
    return finding_id.replace("-", "_")


class DifferentialSorter(Diagram):
    """One checkbox per finding (history, then examination); the board of categories and the red flags."""

    name = "differential-sorter"
    title = "Differential sorter: what stays plausible, and what must be ruled out first?"
    figsize = (5.5, 5.0)

    def __init__(self, **initial):
        self.data = load_differential()
        super().__init__(**initial)

    @property
    def caption(self) -> str:
        keys = sorted({k for c in self.data.categories.values() for k in c.sources}
                      | {k for f in self.data.findings.values() for link in f.links for k in link.sources})
        return ("A teaching board, not a diagnosis: each ticked finding moves categories up (▲ more plausible), down "
                "(▼ less likely, never excluded) or to ! rule out first; ○ = no ticked finding speaks to it yet. "
                "Categories: the Doha agreement on groin pain in athletes (Weir et al. 2015) and serious mimics; red "
                "flags from the course's red-flag list. Sources: " + short_citations(keys) + ".")

    # ------------------------------------------------------------------ build
    def build(self, fig):
        ax = fig.add_axes([0.01, 0.01, 0.98, 0.98])
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        self.ax = ax
        self.symbols, self.states = {}, {}
        y = 0.985
        for group, heading in (("doha", "(a) Doha categories of groin pain"),
                               ("mimic", "(b) Serious mimics and other causes")):
            ax.text(0.0, y, heading, ha="left", va="top", fontsize=9.5, color=TEXT, fontweight="bold")
            y -= ROW * 1.15
            for cat in self.data.group(group):
                ax.plot([0.0, 1.0], [y - ROW * 0.95] * 2, color=GRID, linewidth=0.5)
                # Symbol and status change with the ticks: GlyphLabels (cached outlines), cheap to redraw.
                self.symbols[cat.id] = GlyphLabel(ax, 0.025, y - ROW / 2, size=10, weight="bold", ha="center",
                                                  va="center")
                ax.text(0.06, y - ROW / 2, cat.name, ha="left", va="center", fontsize=8.5, color=TEXT)
                self.states[cat.id] = GlyphLabel(ax, 0.995, y - ROW / 2, size=8.5, ha="right", va="center")
                y -= ROW
            y -= ROW * 0.35
        ax.text(0.0, y, "(c) Red flags raised by the ticked findings", ha="left", va="top", fontsize=9.5,
                color=TEXT, fontweight="bold")
        y -= ROW * 1.1
        self.flag_lines = [GlyphLabel(ax, 0.01, y - i * ROW * 0.95, size=8.3, color=TEXT, ha="left", va="top")
                           for i in range(FLAG_LINES)]
        self.animated = [label.artist for label in (*self.symbols.values(), *self.states.values(), *self.flag_lines)]

    # ------------------------------------------------------------------ controls and state
    def make_controls(self):
        import ipywidgets as w

        controls = {}
        for fid, finding in self.data.findings.items():
            box = w.Checkbox(value=False, description=finding.label, indent=False,
                             layout={"width": "310px", "height": "22px", "margin": "0"})
            box.finding_id = fid
            controls[control_name(fid)] = box
        return controls

    def ticked(self, state) -> list[str]:
        return [f for f in self.data.findings if state.get(control_name(f))]

    def result(self, state):
        return sort_findings(self.ticked(state))

    def update(self, state):
        res = self.result(state)
        for cr in res.categories:
            colour = STATUS_COLOURS[cr.status]
            self.symbols[cr.category.id].set_text(cr.symbol)
            self.symbols[cr.category.id].set_color(colour)
            n = len(cr.reasons)
            count = f" ({n})" if n else (" (see b)" if cr.category.id == "other" and cr.status != "open" else "")
            self.states[cr.category.id].set_text(cr.words + count)
            self.states[cr.category.id].set_color(STATUS_TEXT[cr.status])
        lines = self._flag_lines(res).split("\n")
        for i, label in enumerate(self.flag_lines):
            label.set_text(lines[i] if i < len(lines) else "")
            label.set_color(STATUS_TEXT["alarm"] if res.red_flags else TEXT)
        return None

    @staticmethod
    def _flag_lines(res) -> str:
        if not res.red_flags:
            return "None ticked. (No list is complete: if in doubt, a clinician decides.)"
        lines = []
        for tier in ("emergency", "same-day", "soon"):
            ids = [f.name for f in res.red_flags if f.tier == tier]
            if ids:
                wrapped = textwrap.wrap(f"! {TIER_WORDS[tier]}: " + ", ".join(ids), 62, subsequent_indent="    ")
                lines += wrapped
        if len(lines) > FLAG_LINES:
            lines = lines[:FLAG_LINES - 1] + ["    … and more: see the list under the picture"]
        return "\n".join(lines)

    # ------------------------------------------------------------------ words
    def readout(self, state):
        return summary(self.result(state))

    def alt(self, state):
        res = self.result(state)
        rows = "; ".join(f"{cr.category.name}: {cr.words}" for cr in res.categories)
        flags = ", ".join(f"{f.name} ({f.tier.replace('-', ' ')})" for f in res.red_flags) or "none"
        return (f"A board listing the six Doha categories and nine serious mimics, each with a status symbol and "
                f"words. {rows}. Red flags raised: {flags}.")

    def reasoning_html(self, state) -> str:
        """Why each category has its status, finding by finding, with sources (HTML)."""
        res = self.result(state)
        if not res.findings:
            return (f'<p class="iliopsoas-reasoning" style="{TEXT_STYLE}"><em>Tick findings to see the reasoning '
                    f"for each category.</em></p>")
        items = []
        labels = {fid: f.label for fid, f in self.data.findings.items()}
        for cr in res.categories:
            if not cr.reasons:
                continue
            reasons = "".join(
                f"<li>{html.escape(STATUSES[r.effect if r.effect != 'alarm' else 'alarm'][0])} "
                f"<em>{html.escape(labels[r.finding])}</em>: {html.escape(r.why)} "
                f"({html.escape(short_citations(r.sources))})</li>" for r in cr.reasons)
            items.append(f"<li><strong>{html.escape(cr.symbol)} {html.escape(cr.category.name)}</strong>: "
                         f"{html.escape(cr.words)}<ul>{reasons}</ul></li>")
        flags = "".join(f"<li><strong>{html.escape(TIER_WORDS[f.tier])}</strong> ({html.escape(f.id)}): "
                        f"{html.escape(f.sign)} A clinician would want to rule out {html.escape(f.concern)}.</li>"
                        for f in res.red_flags)
        out = (f'<details open class="iliopsoas-reasoning" style="{TEXT_STYLE}"><summary><strong>Why: the reasoning '
               f"for each category</strong></summary><ul>{''.join(items)}</ul>")
        if flags:
            out += f"<p><strong>Red flags</strong></p><ul>{flags}</ul>"
        return out + "</details>"

    # ------------------------------------------------------------------ layout: findings beside the board
    def _build_widget(self):
        import ipywidgets as w

        box = super()._build_widget()
        controls = list(self.controls.values())

        def holder_of(node):
            """The box (at any depth) that holds the findings' checkboxes."""
            if isinstance(node, w.Box):
                if any(c in node.children for c in controls):
                    return node
                for child in node.children:
                    found = holder_of(child)
                    if found is not None:
                        return found
            return None

        holder = holder_of(box)
        if holder is not None:   # the findings under their two headings, history first
            column = [w.HTML("<strong>History</strong>")]
            column += [c for c in controls if self.data.findings[c.finding_id].part == "history"]
            column += [w.HTML("<strong>Examination</strong>")]
            column += [c for c in controls if self.data.findings[c.finding_id].part == "examination"]
            holder.children = [w.VBox(column)]
        # the reasoning for every category, under the board (always, whatever the base layout)
        self._reasoning = w.HTML(self.reasoning_html(self.state()))
        kids = list(box.children)
        kids.insert(kids.index(self._names) if self._names in kids else len(kids), self._reasoning)
        box.children = kids
        return box

    def redraw(self, _change=None):
        png = super().redraw(_change)
        if getattr(self, "_reasoning", None) is not None:
            self._reasoning.value = self.reasoning_html(self.state())
        return png

    def static_html(self) -> str:
        return super().static_html() + self.reasoning_html(self.state())


def differential_sorter(ticked=None):
    """Show the differential sorter; ``ticked``: finding ids of ``assets/differential.yml`` to start with.

    An unknown finding or a broken data file returns an :class:`InputMessage`
    saying what is wrong, instead of raising.
    """
    try:
        data = load_differential()
        if isinstance(ticked, str):
            ticked = [ticked]
        ticked = list(ticked or [])
        unknown = [t for t in ticked if t not in data.findings]
        if unknown:
            raise FindingError(f"Unknown finding(s) {', '.join(map(repr, unknown))}; known: "
                               f"{', '.join(data.findings)}.")
        return DifferentialSorter(**{control_name(t): True for t in ticked}).show()
    except (FindingError, DifferentialDataError, RedFlagError) as exc:
        return InputMessage(str(exc), "The differential sorter")


__all__ = ["DifferentialSorter", "differential_sorter"]
