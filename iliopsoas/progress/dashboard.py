""""Where you left off": the progress dashboard of the start notebook.

``show_progress()`` shows, for every lesson of ``assets/course.yml`` whose
question bank exists, how many of its questions the student has answered (of
the bank's total), how many are right and the points they earn (the one scoring
rule, :mod:`iliopsoas.quiz.scoring`), which sections of the lesson are done and
the next unanswered question, with a link that opens the lesson at that
section, when they last answered (in the student's time zone, named), and the
misconceptions their *latest* wrong answers point to (the ``belief`` and
``correction`` of ``quizzes/misconceptions.yml``; a misconception disappears
once that question is answered right).

A lesson's **sections** are its ``## `` headings; a question belongs to the
section above the ``show_quiz`` cell that shows it (read from the notebook). A
section is done when each of its questions has been answered (or its answer
shown).  The link is ``NN-slug.ipynb#<heading>`` with the heading as JupyterLab
names it (its text, spaces as ``-``), so it also works on nbviewer.  The live
table is rendered as HTML output (an ``Output`` widget), so JupyterLab opens
such links in a tab of its own instead of reloading the page.  The dashboard
refreshes itself after every Check in this kernel.

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

import ast
import html
import json
from dataclasses import dataclass, field

from ..display import StaticFallback, course_css, format_time, plain_table_cells, set_student_timezone
from ..markdown import label_text
from ..quiz.scoring import notebook_score
from ..quiz.banks import BankValidationError, load_bank_partial, load_course_partial
from ..quiz.widgets import add_check_listener, browser_zone, claim_warnings, readonly_note, says_read_only
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
    credit: float = 0.0                      # points (scoring.CREDIT per question)
    counts: dict = field(default_factory=dict)  # outcome -> questions
    sections: list["Section"] = field(default_factory=list)
    next_question: str | None = None         # id of the next unanswered question (notebook order)
    next_section: "Section | None" = None    # the section it is in

    @property
    def sections_done(self) -> int:
        return sum(1 for s in self.sections if s.done)


@dataclass
class Section:
    """A ``## `` section of a lesson and the questions its quizzes show."""

    title: str                 # the heading's text
    anchor: str                # JupyterLab's (and nbviewer's) id for it: the text, spaces as "-"
    questions: list[str] = field(default_factory=list)
    done: bool = False


def heading_anchor(title: str) -> str:
    """The fragment JupyterLab and nbviewer give a heading: its text with spaces as "-"."""
    return label_text(title).replace(" ", "-")


def lesson_sections(path) -> list[Section]:
    """The sections of a lesson notebook that show questions, in order, each with its question ids.

    Read from the ``.ipynb`` JSON: a ``show_quiz("slug", ids=[...])`` cell belongs to the last
    level-2 heading (``## ``) above it (the level-1 title when there is none).  A call without
    ``ids`` shows the whole bank: its ids are filled in by :func:`lesson_rows` (listed as ``*``).
    """
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    sections: list[Section] = []
    current = None
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown":
            for line in source.splitlines():
                stripped = line.strip()
                if stripped.startswith("## ") or (stripped.startswith("# ") and current is None):
                    title = stripped.lstrip("#").strip()
                    current = Section(title, heading_anchor(title))
            continue
        if cell.get("cell_type") != "code" or "show_quiz" not in source:
            continue
        for ids in _quiz_ids(source):
            if current is None:
                current = Section("", "")
            if not sections or sections[-1] is not current:
                sections.append(current)
            current.questions.extend(ids)
    return sections


def _quiz_ids(source: str) -> list[list[str]]:
    """The ``ids`` of every ``show_quiz(...)`` call in a code cell (["*"] for a whole bank)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name != "show_quiz":
            continue
        ids = ["*"]
        for kw in node.keywords:
            if kw.arg == "ids":
                try:
                    value = ast.literal_eval(kw.value)
                except ValueError:
                    continue
                ids = [value] if isinstance(value, str) else [str(v) for v in value]
        found.append(ids)
    return found


def lesson_rows(store, course=None, lessons=None) -> list[LessonRow]:
    """The table's rows: every lesson (course order) of which some question can be shown."""
    course = course if course is not None else load_course_partial()
    lessons = lessons if lessons is not None else load_lessons()
    records = store.attempts()
    summaries = summarize(records)
    order = {tag: i for i, tag in enumerate(course.misconceptions)}
    rows = []
    for lesson in lessons:
        bank = course.banks.get(lesson.slug)
        if bank is None:
            try:
                bank = load_bank_partial(lesson.slug, course.root)
            except (BankValidationError, FileNotFoundError):
                continue
        if not bank.questions:
            continue
        path = notebooks_dir() / lesson.filename
        link = lesson.filename if lesson.ready and path.exists() else None
        row = LessonRow(lesson.slug, lesson.label, link, total=len(bank.questions))
        ids = [q["id"] for q in bank.questions]
        mine = [r for r in records if r.notebook == lesson.slug]
        score = notebook_score(ids, mine)
        row.credit, row.counts = score.credit, dict(score.counts)
        row.right = score.right
        _place_sections(row, path if link else None, ids, mine)
        summary = summaries.get(lesson.slug)
        if summary is not None:
            ids = set(ids)
            latest = {q: a for q, a in summary.latest.items() if q in ids}
            row.answered = len(latest)
            row.attempts = summary.attempts
            row.last_activity = summary.last_activity
            notes: dict[str, MisconceptionNote] = {}
            for qid in [q["id"] for q in bank.questions]:  # question order
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


def _place_sections(row: LessonRow, path, ids: list[str], records: list) -> None:
    """Fill in the row's sections (done or not) and its next unanswered question."""
    answered = {r.question_id for r in records}
    sections = lesson_sections(path) if path is not None else []
    shown: list[str] = []
    for sec in sections:
        sec.questions = [q for q in (ids if sec.questions == ["*"] else sec.questions) if q in ids]
        shown += sec.questions
    sections = [sec for sec in sections if sec.questions]
    for sec in sections:
        sec.done = all(q in answered for q in sec.questions)
    row.sections = sections
    in_order = list(dict.fromkeys(shown + ids))  # as the notebook shows them, then the bank's others
    row.next_question = next((q for q in in_order if q not in answered), None)
    if row.next_question is not None:
        row.next_section = next((sec for sec in sections if row.next_question in sec.questions), None)


def local_time(stamp: str | None) -> str:
    """An ISO-8601 UTC time in the student's zone, named: '25 Nov 2026, 10:15 CET' (see display.format_time)."""
    return format_time(stamp)


def next_html(r: LessonRow) -> str:
    """The "sections done, next question" cell of one lesson."""
    e = html.escape
    parts = []
    if r.sections:
        parts.append(f"{r.sections_done} of {len(r.sections)} section{'s' if len(r.sections) != 1 else ''} done")
    if r.next_question is None:
        parts.append("every question answered")
    else:
        sec = r.next_section
        where = f"“{e(sec.title)}”" if sec is not None and sec.title else "the quiz"
        if r.link and sec is not None and sec.anchor:
            href = f"{r.link}#{sec.anchor}"
            where = (f'<a class="iliopsoas-progress-next-link" href="{e(href, quote=True)}" '
                     f'data-question="{e(r.next_question)}">{where}</a>')
        parts.append(f"next question in {where}" if r.answered else f"start with {where}")
    return "; ".join(parts)


def table_html(rows: list[LessonRow]) -> str:
    """The progress table, with stable classes for each row and cell."""
    e = html.escape
    head = ('<thead><tr><th scope="col">Lesson</th><th scope="col">Questions answered</th>'
            '<th scope="col">Right</th><th scope="col">Points</th><th scope="col">Sections and next question</th>'
            '<th scope="col">Last activity</th>'
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
            f'<td class="iliopsoas-progress-score" data-credit="{r.credit:g}" '
            f'data-shown="{r.counts.get("answer-shown", 0)}">{_points(r)}</td>'
            f'<td class="iliopsoas-progress-next" data-sections-done="{r.sections_done}" '
            f'data-sections="{len(r.sections)}" data-next="{e(r.next_question or "")}">{next_html(r)}</td>'
            f'<td class="iliopsoas-progress-last" data-timestamp="{e(r.last_activity or "")}">'
            f"{e(local_time(r.last_activity))}</td>"
            f'<td class="iliopsoas-progress-misconceptions" data-count="{len(r.misconceptions)}">{mis}</td></tr>')
    if not rows:
        body.append('<tr><td colspan="7">No lesson has questions yet.</td></tr>')
    return plain_table_cells(
        '<table class="iliopsoas-progress-table" style="border-collapse:collapse;text-align:left">'
        "<caption style=\"text-align:left\"><strong>Where you left off</strong></caption>"
        + head + "<tbody>" + "".join(body) + "</tbody></table>")


def _points(r: LessonRow) -> str:
    """'4.5 of 7' plus what it is made of: first try, after more tries, answer shown."""
    first, later = r.counts.get("first-try", 0), r.counts.get("after-retries", 0)
    shown = r.counts.get("answer-shown", 0)
    detail = [f"{first} first try" if first else "", f"{later} after more tries" if later else "",
              f"{shown} answer shown" if shown else ""]
    detail = ", ".join(d for d in detail if d)
    return f"{r.credit:g} of {r.total}" + (f" ({html.escape(detail)})" if detail else "")


# --------------------------------------------------------------------------- clinical cases (lesson 07, issue 15)

def cases_html(records, lessons=None) -> str:
    """Where the student stands in each clinical case: a small table under the lessons' ('' if no cases).

    Classes: ``iliopsoas-progress-cases``; a row ``iliopsoas-progress-case-<case id>`` per case with
    ``data-status`` ("not started", "in progress", "finished").
    """
    from ..quiz.cases import case_progress

    items = case_progress(records)
    if not items:
        return ""
    lessons = lessons if lessons is not None else load_lessons()
    files = {les.slug: les.filename for les in lessons
             if les.ready and (notebooks_dir() / les.filename).exists()}
    e = html.escape
    rows = []
    for item in items:
        name = e(item.title)
        if item.notebook in files:
            name = f'<a href="{e(files[item.notebook])}">{name}</a>'
        rows.append(f'<tr class="iliopsoas-progress-case iliopsoas-progress-case-{e(item.case_id)}" '
                    f'data-status="{e(item.status)}"><th scope="row" style="text-align:left">{name}</th>'
                    f"<td>{e(item.describe())}</td></tr>")
    return plain_table_cells(
        '<table class="iliopsoas-progress-cases" style="border-collapse:collapse;text-align:left">'
        '<caption style="text-align:left"><strong>Clinical cases</strong></caption>'
        '<thead><tr><th scope="col">Case</th><th scope="col">Where you are</th></tr></thead>'
        "<tbody>" + "".join(rows) + "</tbody></table>")


def warnings_html(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<p>⚠ {html.escape(w)}</p>" for w in warnings)
    return (f'<div class="iliopsoas-warning iliopsoas-progress-warning" role="alert" '
            f'style="border:2px solid #D55E00;padding:0.25em 0.5em;background:#fff;color:#1A1A1A">{items}</div>')


def html_output(value: str = ""):
    """An ``Output`` widget showing one piece of HTML, with a ``value`` like ``widgets.HTML``.

    Its HTML is rendered by JupyterLab's own renderer, which opens links to course notebooks
    (``01-anatomy.ipynb#Section``) in a JupyterLab tab; in an ``HTML`` widget the same link
    would reload the whole page.
    """
    import ipywidgets as w

    class HTMLOutput(w.Output):
        _html = ""

        @property
        def value(self) -> str:
            return self._html

        @value.setter
        def value(self, text: str) -> None:
            self._html = text
            self.outputs = ({"output_type": "display_data", "metadata": {},
                             "data": {"text/html": text, "text/plain": "Where you left off (table)"}},)

    out = HTMLOutput()
    out.value = value
    return out


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
        self.table = html_output()
        self.table.add_class("iliopsoas-progress-table-widget")
        self.cases = html_output()  # clinical cases (lesson 07)
        self.cases.add_class("iliopsoas-progress-cases-widget")
        self.cases_html = ""
        self.zone = browser_zone()
        self.zone.observe(self._zone_known, "zone")
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
        self.widget = w.VBox([self.notice, self.table, self.cases, self.where, self.refresh_button,
                              w.HBox([self.scope, self.reset_button]), self.confirm_box, self.message, self.zone])
        self.widget.add_class("iliopsoas-progress")
        self.refresh()
        add_check_listener(self._after_check)

    def _after_check(self, _notebook: str) -> None:
        """A quiz in this kernel saved an answer: show it (no Refresh needed)."""
        if self._pending is None:
            self.refresh()

    def _zone_known(self, change) -> None:
        """The browser told its time zone: redraw the times (even if a quiz set it first)."""
        if change["new"]:
            set_student_timezone(change["new"])
            if self._pending is None:
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
        """Every warning of the store (the dashboard always shows them all; a quiz then does not repeat them)."""
        found = self.store_warnings + list(getattr(self.store, "warnings", None) or [])
        note = readonly_note(self.store)
        if note and not says_read_only(found):
            found.append(note)
        return claim_warnings(found, "dashboard", always=True)

    # ------------------------------------------------------------------ data
    def refresh(self) -> list[LessonRow]:
        """Read the store again and redraw the table."""
        try:
            self.rows = lesson_rows(self.store)
            self.error = ""
        except ProgressError as exc:
            self.error = str(exc)
        except (OSError, ValueError, KeyError, TypeError) as exc:  # the course map cannot be read
            self.error = f"The course map (assets/course.yml) cannot be read ({type(exc).__name__}: {exc})."
        self.notice.value = course_css() + warnings_html(self.warnings + ([self.error] if self.error else []))
        self.table.value = table_html(self.rows)
        try:  # clinical cases (lesson 07): a problem here never hides the lessons' table
            self.cases_html = cases_html(self.store.attempts())
        except (ProgressError, OSError, ValueError, KeyError) as exc:
            self.cases_html = f"<p>The clinical cases' progress cannot be shown ({html.escape(str(exc))}).</p>"
        self.cases.value = self.cases_html
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
        if getattr(self.store, "readonly", False):
            return f"Your saved answers are read from {path} (read-only: new answers are not kept)."
        return f"Your answers are saved in {path}. Times are shown in {self.zone_text()}."

    @staticmethod
    def zone_text() -> str:
        from ..display import student_timezone

        tz, how = student_timezone()
        if tz is None:
            return "this computer's time zone"
        return {"setting": f"the time zone {tz.key} (ILIOPSOAS_TIMEZONE)",
                "browser": f"your browser's time zone, {tz.key}"}.get(how, str(tz))

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
                f"{table_html(self.rows)}{self.cases_html}<p><em>Run the notebook to refresh this table or to reset "
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
