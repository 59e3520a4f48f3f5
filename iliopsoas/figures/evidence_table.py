"""The treatment evidence table of lesson 05: filter by treatment and directness, sort by design, size or year.

An HTML table (not a picture), so a screen reader can read it cell by cell and
a student can copy from it.  The rows come from
:mod:`iliopsoas.models.evidence` (data: ``assets/treatment-evidence.yml``).
The live widget has three menus (treatment group, "studied in iliopsoas
problems / by analogy", sort order), a sentence saying what is shown, and the
table in a scrolling box; the static version (GitHub, nbviewer) is the whole
table.  The level of evidence is shown by a symbol and words, never by colour.

DOM classes (browser tests): ``iliopsoas-evidence`` on the box, ``iliopsoas-evidence-control`` on each menu,
``iliopsoas-evidence-readout`` on the sentence, ``iliopsoas-evidence-table`` on the table.

Use::

    from iliopsoas import evidence_table
    evidence_table()                              # every row, strongest design first
    evidence_table(category="surgery", sort="n")
"""
from __future__ import annotations

import html

from ..display import StaticFallback, course_css, plain_table_cells
from ..models.evidence import CATEGORIES, LEVELS, SORTS, describe_selection, load_evidence, select
from ..sources import short_citations

TEXT_STYLE = "line-height:1.45;margin:0.3em 0"
CAPTION = (
    "Each row is one study or review, as its abstract reports it. Level = the course's ladder for the design "
    "(◆ systematic review, ■ randomised trial, ▲ cohort, ▼ survey, ● case report or series, ○ consensus or "
    "narrative review). 'By analogy' = studied in another condition or in healthy people. A level describes the "
    "design, not whether the result is right: a review that pools case series still rests on case series."
)


def _esc(text) -> str:
    return html.escape(str(text))


def table_html(rows) -> str:
    """The rows as an HTML table (every cell left-aligned and padded)."""
    head = ("<thead><tr><th>Treatment, and who was studied</th><th>Design and level</th><th>Sample</th>"
            "<th>Outcome and result</th><th>Follow-up</th><th>Applies</th><th>Source</th></tr></thead>")
    body = []
    for r in rows:
        lv = LEVELS[r.level]
        note = f"<br><small><em>{_esc(r.note)}</em></small>" if r.note else ""
        applies = "Iliopsoas problems" if r.applies == "direct" else "By analogy"
        body.append(
            f'<tr class="iliopsoas-evidence-row" data-id="{_esc(r.id)}" data-level="{_esc(r.level)}">'
            f"<td><strong>{_esc(r.treatment)}</strong><br><small>{_esc(r.population)}</small></td>"
            f"<td>{lv.symbol} {_esc(lv.label)}<br><small>{_esc(r.design)}</small></td>"
            f"<td>{_esc(r.sample)}</td>"
            f"<td><em>{_esc(r.outcome)}</em><br>{_esc(r.result)}{note}</td>"
            f"<td>{_esc(r.follow_up)}</td><td>{applies}</td>"
            f"<td>{_esc(short_citations(r.sources))}</td></tr>")
    if not body:
        body.append('<tr><td colspan="7">No study matches this choice.</td></tr>')
    table = ('<table class="iliopsoas-evidence-table" style="border-collapse:collapse;font-size:90%;line-height:1.35">'
             + head + "<tbody>" + "".join(body) + "</tbody></table>")
    return plain_table_cells(table)


class EvidenceTable(StaticFallback):
    """The filterable, sortable evidence table (a live widget with a static HTML version)."""

    def __init__(self, category: str = "all", applies: str = "all", sort: str = "level"):
        select(category, applies, sort)  # raises ValueError naming the valid choices
        self.state = {"category": category, "applies": applies, "sort": sort}
        self.total = len(load_evidence())
        self._widget = None
        self.updates = 0

    # ------------------------------------------------------------------ content
    def rows(self):
        return select(self.state["category"], self.state["applies"], self.state["sort"])

    def readout(self) -> str:
        return describe_selection(self.rows(), self.total, self.state["category"], self.state["applies"],
                                  self.state["sort"])

    def set(self, **values) -> str:
        """Change the menus (as a student would) and return the table's HTML."""
        for key, value in values.items():
            if key not in self.state:
                raise TypeError(f"EvidenceTable has no control {key!r}; its controls are {', '.join(self.state)}")
        select(values.get("category", self.state["category"]), values.get("applies", self.state["applies"]),
               values.get("sort", self.state["sort"]))
        if self._widget is not None:
            for key, value in values.items():
                self.controls[key].value = value   # the observer refreshes the table
        else:
            self.state.update(values)
        return table_html(self.rows())

    # ------------------------------------------------------------------ widget
    @property
    def widget(self):
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self):
        import ipywidgets as w

        style = {"description_width": "initial"}
        self.controls = {
            "category": w.Dropdown(options=[("All treatments", "all")] + [(v, k) for k, v in CATEGORIES.items()],
                                   value=self.state["category"], description="Treatment", style=style,
                                   layout={"width": "300px"}),
            "applies": w.Dropdown(options=[("Both", "all"), ("Studied in iliopsoas problems", "direct"),
                                           ("Borrowed by analogy", "analogy")],
                                  value=self.state["applies"], description="Evidence from", style=style,
                                  layout={"width": "320px"}),
            "sort": w.Dropdown(options=[(v[0].upper() + v[1:], k) for k, v in SORTS.items()],
                               value=self.state["sort"], description="Sort", style=style,
                               layout={"width": "260px"}),
        }
        self._readout = w.HTML()
        self._readout.add_class("iliopsoas-evidence-readout")
        # a scroll box with its scroll bar always shown, and a line that says how many rows it holds:
        # a student at 1366x768 sees about four rows and must know there are more
        self._table = w.HTML(layout={"max_height": "430px", "overflow": "auto scroll"})
        self._rows_note = w.HTML()
        self._rows_note.add_class("iliopsoas-evidence-rows")
        for control in self.controls.values():
            control.add_class("iliopsoas-evidence-control")
            control.observe(self._refresh, "value")
        self._refresh()
        self.updates = 0
        title = "<h4 style='margin:0.2em 0'>Treatments for iliopsoas problems: what was studied, and how</h4>"
        box = w.VBox([w.HTML(course_css() + title),
                      w.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"}),
                      self._readout, self._rows_note, self._table,
                      w.HTML(f'<p style="font-size:90%;{TEXT_STYLE}"><em>{_esc(CAPTION)}</em></p>')],
                     layout={"border": "1px solid #C8C8C8", "padding": "0.5em", "margin": "0.5em 0"})
        box.add_class("iliopsoas-evidence")
        return box

    def _refresh(self, _change=None):
        if self._widget is not None or hasattr(self, "controls"):
            self.state = {k: c.value for k, c in self.controls.items()}
        self._readout.value = f'<p aria-live="polite" style="{TEXT_STYLE}">{_esc(self.readout())}</p>'
        rows = self.rows()
        self._table.value = table_html(rows)
        self._rows_note.value = (f'<p style="font-size:90%;{TEXT_STYLE}">{rows_note(len(rows))}</p>')
        self.updates += 1

    # ------------------------------------------------------------------ static versions
    def static_html(self) -> str:
        return ('<div class="iliopsoas-evidence iliopsoas-static">'
                "<h4>Treatments for iliopsoas problems: what was studied, and how</h4>"
                f"<p>{_esc(self.readout())}</p>" + table_html(self.rows())
                + f"<p><em>{_esc(CAPTION)}</em></p>"
                "<p><em>Static table: run the notebook to filter and sort it.</em></p></div>")

    def text(self) -> str:
        lines = [f"[Evidence table] {self.readout()}"]
        for r in self.rows():
            lines.append(f"- {r.treatment} ({LEVELS[r.level].label}, {r.sample}; "
                         f"{'iliopsoas' if r.applies == 'direct' else 'by analogy'}): {r.result}")
        return "\n".join(lines)

    def show(self) -> "EvidenceTable":
        return self


def rows_note(count: int) -> str:
    """The line above the live table: how many studies it shows, and that the box scrolls (``count`` rows)."""
    if count == 0:
        return "No study matches these choices."
    if count == 1:
        return "1 study in the table."
    return f"{count} studies in the table: scroll inside it to see them all."


def evidence_table(category: str = "all", applies: str = "all", sort: str = "level"):
    """Show the treatment evidence table.

    ``category``: "all" or one of :data:`~iliopsoas.models.evidence.CATEGORIES`; ``applies``: "all", "direct" or
    "analogy"; ``sort``: one of :data:`~iliopsoas.models.evidence.SORTS`.  ``ValueError`` names the valid values.
    """
    return EvidenceTable(category, applies, sort).show()


__all__ = ["EvidenceTable", "evidence_table", "table_html"]
