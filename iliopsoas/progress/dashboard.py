""""Where you left off": the progress dashboard of the start notebook.

``show_progress()`` shows, for every lesson of ``assets/course.yml`` whose
question bank exists, how many of its questions the student has answered (of
the bank's total), how many the latest attempt got right, when they last
answered, and the misconceptions their *latest* wrong answers point to (the
``belief`` and ``correction`` of ``quizzes/misconceptions.yml``; a
misconception disappears once that question is answered right).

Native, keyboard-operable widgets: a Refresh button, and a reset in two steps
(choose a lesson or everything, press "Reset…", then "Yes, delete my answers
for …" or Cancel).  Before anything is deleted a JSON backup (the export
format) is written next to the progress file and its path is shown.  The
store's warnings (a damaged file moved aside, progress kept in memory only)
are shown at the top.

The returned :class:`ProgressDashboard` carries the live widget, a static
``text/html`` version (the table) and a short ``text/plain``.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime

from ..display import StaticFallback, course_css, plain_table_cells
from ..quiz.banks import load_course_partial
from ..course import load_lessons
from ..paths import notebooks_dir
from .store import ProgressError, ProgressStore, get_store, summarize

EVERYTHING_LABEL = "all lessons"
# The "Everything" choice has a real value: a Dropdown whose value is None shows a blank box.
EVERYTHING = ""


@dataclass
class MisconceptionNote:
    """A misconception that some latest wrong answers point to."""

    tag: str
    belief: str
    correction: str
    questions: list[str] = field(default_factory=list)


@dataclass
class LessonRow:
    """One lesson's line of the table."""

    slug: str
    label: str
    link: str | None
    total: int
    answered: int = 0
    right: int = 0
    attempts: int = 0
    last_activity: str | None = None
    misconceptions: list[MisconceptionNote] = field(default_factory=list)


def lesson_rows(store, course=None, lessons=None) -> list[LessonRow]:
    """The table's rows: every lesson (course order) whose question bank loads."""
    course = course if course is not None else load_course_partial()
    lessons = lessons if lessons is not None else load_lessons()
    summaries = summarize(store.attempts())
    order = {tag: i for i, tag in enumerate(course.misconceptions)}
    rows = []
    for lesson in lessons:
        bank = course.banks.get(lesson.slug)
        if bank is None:
            continue
        link = lesson.filename if lesson.ready and (notebooks_dir() / lesson.filename).exists() else None
        row = LessonRow(lesson.slug, lesson.label, link, total=len(bank.questions))
        summary = summaries.get(lesson.slug)
        if summary is not None:
            ids = set(bank.ids)
            latest = {q: a for q, a in summary.latest.items() if q in ids}
            row.answered = len(latest)
            row.right = sum(1 for a in latest.values() if a.correct)
            row.attempts = summary.attempts
            row.last_activity = summary.last_activity
            notes: dict[str, MisconceptionNote] = {}
            for qid in bank.ids:  # question order
                a = latest.get(qid)
                if a is None or a.correct:
                    continue
                for tag in a.misconceptions:
                    entry = course.misconceptions.get(tag, {})
                    note = notes.setdefault(tag, MisconceptionNote(
                        tag, entry.get("belief", tag), entry.get("correction", "")))
                    note.questions.append(qid)
            row.misconceptions = sorted(notes.values(), key=lambda n: (order.get(n.tag, len(order)), n.tag))
        rows.append(row)
    return rows


def local_time(stamp: str | None) -> str:
    """An ISO-8601 UTC time as the computer's local time, e.g. '25 Nov 2026, 10:15'."""
    if not stamp:
        return "not started"
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d %b %Y, %H:%M")
    except ValueError:
        return stamp


def table_html(rows: list[LessonRow]) -> str:
    """The progress table, with stable classes for each row and cell."""
    e = html.escape
    head = ('<thead><tr><th scope="col">Lesson</th><th scope="col">Questions answered</th>'
            '<th scope="col">Right (latest answer)</th><th scope="col">Last activity</th>'
            '<th scope="col">Misconceptions to revisit</th></tr></thead>')
    body = []
    for r in rows:
        name = f'<a href="{e(r.link)}">{e(r.label)}</a>' if r.link else e(r.label)
        if r.misconceptions:
            items = "".join(
                f'<li class="iliopsoas-misconception iliopsoas-misconception-{e(m.tag)}">'
                f"<strong>You may believe:</strong> {e(m.belief)}<br>"
                f"<strong>In fact:</strong> {e(m.correction)}</li>" for m in r.misconceptions)
            mis = f'<ul style="margin:0;padding-left:1.2em">{items}</ul>'
        else:
            mis = "none" if r.answered else "–"
        body.append(
            f'<tr class="iliopsoas-progress-row iliopsoas-progress-row-{e(r.slug)}" data-lesson="{e(r.slug)}">'
            f'<th scope="row" style="text-align:left">{name}</th>'
            f'<td class="iliopsoas-progress-answered" data-answered="{r.answered}" data-total="{r.total}">'
            f"{r.answered} / {r.total}</td>"
            f'<td class="iliopsoas-progress-right" data-right="{r.right}">{r.right}</td>'
            f'<td class="iliopsoas-progress-last" data-timestamp="{e(r.last_activity or "")}">'
            f"{e(local_time(r.last_activity))}</td>"
            f'<td class="iliopsoas-progress-misconceptions" data-count="{len(r.misconceptions)}">{mis}</td></tr>')
    if not rows:
        body.append('<tr><td colspan="5">No lesson has questions yet.</td></tr>')
    return plain_table_cells(
        '<table class="iliopsoas-progress-table" style="border-collapse:collapse;text-align:left">'
        "<caption style=\"text-align:left\"><strong>Where you left off</strong></caption>"
        + head + "<tbody>" + "".join(body) + "</tbody></table>")


def warnings_html(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<p>⚠ {html.escape(w)}</p>" for w in warnings)
    return (f'<div class="iliopsoas-warning iliopsoas-progress-warning" role="alert" '
            f'style="border:2px solid #D55E00;padding:0.25em 0.5em;background:#fff;color:#1A1A1A">{items}</div>')


class ProgressDashboard(StaticFallback):
    """The live dashboard (``.widget``) plus its static HTML and plain-text versions."""

    def __init__(self, store=None):
        import ipywidgets as w

        self.store, self.store_warnings = self._open(store)
        self.rows: list[LessonRow] = []
        self.error = ""
        self._pending = None  # (scope,) while the confirmation step is shown
        self.notice = w.HTML("")
        self.notice.add_class("iliopsoas-progress-warnings")
        self.table = w.HTML("")
        self.table.add_class("iliopsoas-progress-table-widget")
        self.where = w.HTML("")
        self.where.add_class("iliopsoas-progress-where")
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="Read your saved answers again")
        self.refresh_button.add_class("iliopsoas-progress-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.scope = w.Dropdown(description="Reset answers of", style={"description_width": "initial"},
                                layout={"width": "auto"})
        self.scope.add_class("iliopsoas-progress-scope")
        self.reset_button = w.Button(description="Reset…", button_style="warning",
                                     tooltip="Delete saved answers (asks first, keeps a copy)")
        self.reset_button.add_class("iliopsoas-progress-reset")
        self.reset_button.on_click(lambda _b: self.ask_reset())
        self.confirm_text = w.HTML("")
        self.confirm_button = w.Button(description="Yes, delete", button_style="danger",
                                       layout={"width": "auto"})
        self.confirm_button.add_class("iliopsoas-progress-confirm")
        self.confirm_button.on_click(lambda _b: self.confirm_reset())
        self.cancel_button = w.Button(description="Cancel", tooltip="Keep my answers")
        self.cancel_button.add_class("iliopsoas-progress-cancel")
        self.cancel_button.on_click(lambda _b: self.cancel_reset())
        self.confirm_box = w.VBox([self.confirm_text, w.HBox([self.confirm_button, self.cancel_button])],
                                  layout={"display": "none", "border": "2px solid #D55E00", "padding": "0.5em"})
        self.confirm_box.add_class("iliopsoas-progress-confirm-box")
        self.message = w.HTML("")
        self.message.add_class("iliopsoas-progress-message")
        self.widget = w.VBox([self.notice, self.table, self.where, self.refresh_button,
                              w.HBox([self.scope, self.reset_button]), self.confirm_box, self.message])
        self.widget.add_class("iliopsoas-progress")
        self.refresh()

    @staticmethod
    def _open(store):
        if store is not None:
            return store, []
        try:
            return get_store(), []
        except (ProgressError, OSError) as exc:  # get_store falls back by itself; this is a last resort
            return ProgressStore(None), [f"Your progress cannot be read or saved in this session ({exc})."]

    @property
    def warnings(self) -> list[str]:
        return self.store_warnings + list(getattr(self.store, "warnings", None) or [])

    # ------------------------------------------------------------------ data
    def refresh(self) -> list[LessonRow]:
        """Read the store again and redraw the table."""
        try:
            self.rows = lesson_rows(self.store)
            self.error = ""
        except ProgressError as exc:
            self.error = str(exc)
        self.notice.value = course_css() + warnings_html(self.warnings + ([self.error] if self.error else []))
        self.table.value = table_html(self.rows)
        self.where.value = f"<p><small>{html.escape(self.location_text())}</small></p>"
        if self._pending is None:
            chosen = self.scope.value
            options = [("Everything", EVERYTHING)] + [(r.label, r.slug) for r in self.rows]
            self.scope.options = options
            self.scope.value = chosen if chosen in {value for _, value in options} else EVERYTHING
        return self.rows

    def location_text(self) -> str:
        path = getattr(self.store, "path", None)
        if path is None:
            return "Your answers are kept in memory only in this session (not saved)."
        return f"Your answers are saved in {path}."

    def scope_name(self, scope) -> str:
        if not scope:
            return EVERYTHING_LABEL
        return next((r.label for r in self.rows if r.slug == scope), scope)

    # ------------------------------------------------------------------ reset in two steps
    def ask_reset(self) -> int:
        """Step 1: say what would be deleted and show the confirmation; returns how many answers."""
        scope = self.scope.value or None  # EVERYTHING ("") means every lesson
        name = self.scope_name(scope)
        try:
            count = len(self.store.attempts(notebook=scope))
        except ProgressError as exc:
            self._say(f"⚠ {exc}", "iliopsoas-warning")
            return 0
        if count == 0:
            self._say(f"There are no saved answers for {name}: nothing to reset.")
            return 0
        self._pending = (scope,)
        plural = "s" if count != 1 else ""
        self.confirm_text.value = (
            f"<p><strong>Delete {count} saved answer{plural} for {html.escape(name)}?</strong> "
            "A copy is saved first, in a JSON file next to your progress file.</p>")
        self.confirm_button.description = f"Yes, delete my answers for {name}"
        self.confirm_box.layout.display = None
        self.reset_button.disabled = True
        self.scope.disabled = True
        self.message.value = ""
        self.cancel_button.focus()
        return count

    def cancel_reset(self) -> None:
        """Step 2, no: hide the confirmation; nothing is deleted."""
        self._close_confirmation()
        self._say("Nothing was deleted.")

    def confirm_reset(self):
        """Step 2, yes: back up, then delete; returns the store's ResetResult (None if not asked)."""
        if self._pending is None:
            return None
        (scope,) = self._pending
        name = self.scope_name(scope)
        self._close_confirmation()
        try:
            result = self.store.reset(scope)
        except ProgressError as exc:
            self._say(f"⚠ Nothing was deleted: {exc}", "iliopsoas-warning")
            return None
        self.refresh()
        _refresh_quizzes()
        if result.deleted:
            plural = "s" if result.deleted != 1 else ""
            self._say(f"Deleted {result.deleted} saved answer{plural} for {name}. "
                      f"A copy of them is in {result.backup}.")
        else:
            self._say(f"There were no saved answers for {name}: nothing was deleted.")
        return result

    def _close_confirmation(self) -> None:
        self._pending = None
        self.confirm_box.layout.display = "none"
        self.reset_button.disabled = False
        self.scope.disabled = False

    def _say(self, text: str, cls: str = "iliopsoas-progress-note") -> None:
        self.message.value = f'<p class="{cls}" role="status">{html.escape(text)}</p>'

    # ------------------------------------------------------------------ display
    def static_html(self) -> str:
        return (f'<div class="iliopsoas-progress iliopsoas-static">{warnings_html(self.warnings)}'
                f"{table_html(self.rows)}<p><em>Run the notebook to refresh this table or to reset "
                "your answers.</em></p></div>")

    def text(self) -> str:
        answered = sum(r.answered for r in self.rows)
        total = sum(r.total for r in self.rows)
        right = sum(r.right for r in self.rows)
        n = len(self.rows)
        return (f"Progress: {answered} of {total} questions answered, {right} right, in "
                f"{n} lesson{'s' if n != 1 else ''}. Run the notebook in Jupyter to see the table.")



def _refresh_quizzes() -> None:
    """Update the score lines of the quizzes on screen after a reset."""
    from ..quiz.widgets import refresh_live_quizzes

    refresh_live_quizzes()


def show_progress(store=None) -> ProgressDashboard:
    """Show "where you left off" in every lesson, with Refresh and Reset."""
    return ProgressDashboard(store)
