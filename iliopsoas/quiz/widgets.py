"""Quizzes in the notebooks: ``show_quiz("01-anatomy", ids=[...])``.

Each question is a small ipywidgets form (native, keyboard-operable widgets,
each with a description a screen reader can name; a single choice is one
:class:`~iliopsoas.quiz.choice.ChoiceGroup`, one Tab stop with the arrow keys
inside) with a Check button, a Hint button, feedback, and the explanation with
its sources.

**Retrieval before revelation.**  A wrong (or partly right) answer gets the
feedback of what was chosen and the next hint, never the explanation: the
explanation (the answer) is shown after a right answer, or when the student
presses *Show answer*, which is offered after ``show_answer_after`` checked
answers (a bank field, default :data:`SHOW_ANSWER_AFTER`) and is recorded in
the progress store (``record_answer_shown``).  The score line uses the one
scoring rule, :mod:`iliopsoas.quiz.scoring`.

**Pick up where you left off.**  A quiz reads the store when it is built: each
question shows the student's last answer and its result again (with *Try
again*), so a kernel restart and Run All lose nothing on screen.

The store's warnings (a damaged file moved aside, answers kept in memory only,
a read-only file) are shown once, at the top of the first quiz or in the
progress dashboard (:func:`claim_warnings`), never in every answer's feedback.
A broken question (one typo in the bank) is replaced by a box naming the file,
question and field; the other questions are shown (``banks.load_bank_partial``).

The returned :class:`Quiz` also carries a static ``text/html`` version
(questions, choices and, unless this is a student version, collapsed answers)
for GitHub, nbviewer and nbconvert, and a short ``text/plain``.
"""
from __future__ import annotations

import base64
import os
import random
import re
import threading
import weakref

from . import grading, scoring
from .banks import BankError, BankValidationError, BrokenQuestion, load_bank_partial, load_course_partial
from ..display import StaticFallback, accessible_names, course_css, format_time, set_student_timezone
from ..markdown import escape, label_text, literal_markdown, plain_text, render_inline, render_markdown

VERDICTS = {
    "correct": "✓ Correct",
    "partial": "◐ Partly right",
    "incorrect": "✗ Not quite",
}
#: Checked answers after which *Show answer* is offered, unless a question sets ``show_answer_after``.
SHOW_ANSWER_AFTER = 2
#: Set to "1" (or call with ``answers=False``) to leave the answers out of the static version.
STUDENT_VERSION_ENV = "ILIOPSOAS_STUDENT_VERSION"
_LIVE_QUIZZES: "weakref.WeakSet[Quiz]" = weakref.WeakSet()
_WIDE = {"width": "auto"}


# --------------------------------------------------------------------------- stores

def default_store():
    """(store, note): the process-wide progress store and a note when it could not be opened at all
    (an in-memory store is returned then).  The store's own warnings stay in ``store.warnings``."""
    from ..progress.store import ProgressStore, get_store

    try:
        return get_store(), ""
    except Exception as exc:  # noqa: BLE001 - a broken store must not break the quiz
        return ProgressStore(None), f"Your progress is not saved in this session ({type(exc).__name__}: {exc})."


def attempt_field(attempt, name, default=None):
    """Read a field of an Attempt (object or mapping)."""
    if isinstance(attempt, dict):
        return attempt.get(name, default)
    return getattr(attempt, name, default)


#: Warning text -> who shows it ("dashboard" or a quiz's key): each warning is shown in one place.
_CLAIMED: dict[str, str] = {}


def claim_warnings(warnings, owner: str, always: bool = False) -> list[str]:
    """The warnings ``owner`` should show: those nobody else has shown yet (which it now owns),
    and those it owns already (a cell run again shows its warning again).  ``always``: show every
    warning (the dashboard is where a student looks for them) and own the unclaimed ones."""
    shown = []
    for text in warnings or []:
        if not text:
            continue
        holder = _CLAIMED.setdefault(text, owner)
        if always or holder == owner:
            shown.append(text)
    return shown


def readonly_note(store) -> str:
    """The sentence for a store that can be read but not written (empty for a writable store)."""
    if not getattr(store, "readonly", False):
        return ""
    path = getattr(store, "path", None)
    where = f"Your progress file {path}" if path else "Your progress file"
    return (f"{where} can be read but not written: your saved answers are shown, but new answers "
            "will not be kept. Ask whoever set up the course to make it writable, or set "
            "ILIOPSOAS_PROGRESS to a file you can write to and restart the kernel.")


def says_read_only(warnings) -> bool:
    """Whether one of the store's own warnings already says that it is read-only."""
    return any(re.search(r"read[- ]only|not be kept|cannot be written|not writable", w, re.I) for w in warnings or [])


def warnings_box(messages: list[str], cls: str = "iliopsoas-quiz-warnings") -> str:
    """One visible box (role="alert") holding the store's warnings, or "" when there are none."""
    if not messages:
        return ""
    items = "".join(f"<p>⚠ {escape(m)}</p>" for m in messages)
    return (f'<div class="iliopsoas-warning {cls}" role="alert" style="border:2px solid #D55E00;'
            f'padding:0.25em 0.5em;margin:0.25em 0;background:#fff;color:#1A1A1A">{items}</div>')


# --------------------------------------------------------------------------- listeners

_CHECK_LISTENERS: list = []


def add_check_listener(method) -> None:
    """Call ``method(notebook)`` after every Check or *Show answer* (held weakly: a bound method of a
    dashboard that is no longer shown is dropped).  The progress dashboard uses it to refresh itself."""
    ref = weakref.WeakMethod(method) if hasattr(method, "__self__") else (lambda m=method: m)
    _CHECK_LISTENERS.append(ref)


def _notify(notebook: str) -> None:
    for ref in list(_CHECK_LISTENERS):
        method = ref()
        if method is None:
            _CHECK_LISTENERS.remove(ref)
            continue
        try:
            method(notebook)
        except Exception:  # noqa: BLE001 - a listener must never break the quiz
            pass


def browser_zone():
    """An invisible :class:`~iliopsoas.quiz.choice.BrowserZone` widget: reports the browser's time zone."""
    from .choice import BrowserZone

    return BrowserZone()


# --------------------------------------------------------------------------- helpers

def order_rng(question_id: str, seed=None) -> random.Random:
    """A random generator fixed by the question id (+ seed): the same order on every run."""
    return random.Random(f"{question_id}|{seed}" if seed is not None else question_id)


def shuffled(values: list, rng: random.Random, avoid_identity: bool = False) -> list:
    """A shuffled copy; optionally never the original order (for ordering questions)."""
    out = list(values)
    rng.shuffle(out)
    if avoid_identity and len(out) > 1 and out == list(values):
        out = out[1:] + out[:1]
    return out


def source_links(keys: list[str], references: dict) -> str:
    """'Sources: ' + short citations linked to their DOI or URL (HTML)."""
    parts = []
    for key in keys:
        ref = references.get(key, {})
        short = escape(ref.get("short", key))
        url = f"https://doi.org/{ref['doi']}" if ref.get("doi") else ref.get("url", "")
        if url.startswith("notebooks/"):
            url = url[len("notebooks/"):]
        if url:
            parts.append(f'<a href="{escape(url)}" target="_blank" rel="noopener" '
                         f'title="{escape(" ".join(filter(None, [ref.get("citation"), ref.get("about")])))}">{short}</a>')
        else:
            parts.append(short)
    return '<p class="iliopsoas-sources">Sources: ' + "; ".join(parts) + "</p>"


#: Draws the numbered-marker picture of a label question: ``fn(view, structures) -> FigureDisplay``.
#: The quiz does not draw; the notebook API (:mod:`iliopsoas.api`) and the command line plug the
#: anatomy figures in with :func:`set_label_figures`.  None: label questions show no picture.
_LABEL_FIGURES = None


def set_label_figures(provider) -> None:
    """Use ``provider(view, structures) -> FigureDisplay`` to draw label questions' pictures (None: no pictures)."""
    global _LABEL_FIGURES
    _LABEL_FIGURES = provider


LABEL_PICTURE_MAX_HEIGHT_PX = 370   # with its alt text under it and the question beside it, it fits a laptop


def label_picture_layout(png: bytes) -> dict:
    """Layout of a label question's picture: at most its own size and LABEL_PICTURE_MAX_HEIGHT_PX tall
    (its width from the PNG header; a picture whose size cannot be read is only kept within the page)."""
    import struct

    layout = {"max_width": "100%", "height": "auto"}
    if png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) >= 24 and png[12:16] == b"IHDR":
        width, height = struct.unpack(">II", png[16:24])
        layout["width"] = f"{int(min(width, LABEL_PICTURE_MAX_HEIGHT_PX * width / max(height, 1)))}px"
    return layout


def load_figure(view: str, structures: list[str]):
    """The marker figure of a label question, or (None, reason) if it cannot be drawn."""
    if _LABEL_FIGURES is None:
        return None, "The picture for this question is not available here."
    try:
        return _LABEL_FIGURES(view, structures), ""
    except ImportError as exc:
        return None, f"The diagram for this question is not available yet ({exc})."
    except (KeyError, ValueError, TypeError, OSError, AttributeError) as exc:
        return None, f"The diagram could not be drawn ({type(exc).__name__}: {exc})."


def answer_text(question: dict) -> str:
    """The correct answer as Markdown (for the revealed answer, the static version and the answer key).

    Answer options appear exactly as their labels show them (:func:`~iliopsoas.markdown.label_text`,
    escaped so that ``1. Iliacus first`` stays that text and does not become a list).
    """
    kind = question["type"]
    right = grading.correct_answer(question)

    def opt(text):
        return literal_markdown(label_text(text))

    if kind == "single":
        return opt(question["choices"][right]["text"])
    if kind == "multiple":
        return "\n".join(f"- {opt(question['choices'][i]['text'])}" for i in right)
    if kind == "truefalse":
        return "True" if right else "False"
    if kind == "numeric":
        unit = f" {question['unit']}" if question.get("unit") else ""
        return f"{right:g}{unit} (accepted within ± {question['tolerance']:g}{unit})"
    if kind == "matching":
        return "\n".join(f"- {opt(left)} → {opt(r)}" for left, r in right.items())
    if kind == "ordering":
        return "\n".join(f"{i}. {opt(item)}" for i, item in enumerate(right, start=1))
    return "\n".join(f"- Marker {n}: {opt(name)}" for n, name in right.items())


def static_answers() -> bool:
    """Whether static versions carry the answers (not when ``ILIOPSOAS_STUDENT_VERSION=1``)."""
    return os.environ.get(STUDENT_VERSION_ENV, "").strip().lower() not in ("1", "true", "yes")


def broken_question_html(broken: BrokenQuestion, number: int | None = None) -> str:
    """The box shown in place of a question that cannot be shown: file, question, field, problem."""
    where = escape(broken.file)
    head = f"Question {number}" if number else "A question"
    if broken.errors:
        items = "".join(f"<li>{escape(str(e))}</li>" for e in broken.errors)
    else:
        items = "<li>this entry of the question list is not a question (a mapping with id, type, …)</li>"
    qid = escape(broken.question_id or f"#{broken.position}")
    return (f'<div class="iliopsoas-error iliopsoas-question-error iliopsoas-q-{qid}" role="alert" '
            'style="border:2px solid #D55E00;padding:0.5em;margin:0.5em 0;background:#fff;color:#1A1A1A">'
            f"<p><strong>⚠ {head} cannot be shown</strong>: {escape(broken.name)} in <code>{where}</code> "
            "has a problem. The other questions work. Whoever edits the bank can fix it "
            "(<code>python -m iliopsoas validate</code> lists every problem) and run this cell again.</p>"
            f"<ul>{items}</ul></div>")


# --------------------------------------------------------------------------- one question

class QuestionView:
    """The widgets of one question and what happens when the student presses Check."""

    def __init__(self, quiz: "Quiz", question: dict, number: int):
        import ipywidgets as w

        self.w = w
        self.quiz = quiz
        self.question = question
        self.number = number
        self.qid = question["id"]
        self.hints_shown = 0
        self.attempts = 0          # checked answers, in this session and saved before
        self.revealed = False      # the student asked to see the answer
        self.solved = False        # answered right at some point
        self.restored = None       # (attempt number, timestamp) of the answer shown from the store
        self.last_result: grading.Result | None = None
        self._last_checked = object()
        self._restoring = False
        # One check at a time: typing a number and clicking Check sends two messages (the box's new
        # value, which checks it, and the click); the kernel can start the second while the first is
        # still saving, which used to save the same answer twice (two attempts for one answer).
        self._check_lock = threading.RLock()
        self.show_after = int(question.get("show_answer_after", SHOW_ANSWER_AFTER))
        rng = order_rng(self.qid, quiz.seed)
        self.order = self._choose_order(rng)
        self.inputs: list = []
        self.figure = None
        self.prompt = w.HTMLMath(self._prompt_html())
        self.prompt.add_class("iliopsoas-prompt")
        input_box = self._build_inputs()
        self.check_button = w.Button(description="Check", button_style="primary",
                                     tooltip="Check your answer", icon="check")
        self.check_button.add_class("iliopsoas-check")
        self.check_button.on_click(self.check)
        hints = question.get("hints") or []
        self.hint_button = w.Button(description=f"Hint (0 of {len(hints)})" if hints else "No hints",
                                    tooltip="Show a hint", disabled=not hints)
        self.hint_button.add_class("iliopsoas-hint")
        self.hint_button.on_click(self.show_hint)
        self.show_answer_button = w.Button(description="Show answer", icon="eye",
                                           tooltip="See the answer (counts as 'answer shown' in your score)",
                                           layout={"display": "none", "width": "auto"})
        self.show_answer_button.add_class("iliopsoas-show-answer")
        self.show_answer_button.on_click(self.reveal)
        self.try_again_button = w.Button(description="Try again", icon="undo",
                                         tooltip="Clear your answer and answer again",
                                         layout={"display": "none", "width": "auto"})
        self.try_again_button.add_class("iliopsoas-try-again")
        self.try_again_button.on_click(self.try_again)
        self.hint_area = w.HTMLMath("")
        self.hint_area.add_class("iliopsoas-hints")
        self.feedback = w.HTMLMath("")
        self.feedback.add_class("iliopsoas-feedback")
        self.explanation = w.HTMLMath("", layout={"display": "none"})
        self.explanation.add_class("iliopsoas-explanation")
        buttons = w.HBox([self.check_button, self.hint_button, self.show_answer_button, self.try_again_button],
                         layout={"flex_flow": "row wrap"})
        self.box = w.VBox([self.prompt, input_box, buttons, self.hint_area, self.feedback, self.explanation],
                          layout={"border": "1px solid #C8C8C8", "padding": "0.5em", "margin": "0.5em 0"})
        self.box.add_class("iliopsoas-question")
        self.box.add_class(f"iliopsoas-q-{self.qid}")

    # -- building
    def _choose_order(self, rng) -> list:
        q, kind = self.question, self.question["type"]
        if kind in ("single", "multiple"):
            idx = list(range(len(q["choices"])))
            return shuffled(idx, rng) if self.quiz.shuffle and q.get("shuffle", True) else idx
        if kind == "matching":
            options = [p["right"] for p in q["pairs"]] + list(q.get("distractors") or [])
            return shuffled(options, rng)
        if kind == "ordering":
            return shuffled([grading.item_text(i) for i in q["items"]], rng, avoid_identity=True)
        if kind == "label":
            options = [m["answer"] for m in q["markers"]] + list(q.get("distractors") or [])
            return shuffled(options, rng)
        return []

    def _prompt_html(self) -> str:
        kind = self.question["type"]
        extra = {"multiple": "Select all that apply.", "ordering": "Choose a step for each position.",
                 "matching": "Choose a partner for each item.", "label": "Name each numbered marker."}
        html = f'<div><strong>Question {self.number}.</strong></div>' + render_markdown(self.question["prompt"])
        if kind in extra and "all that apply" not in plain_text(self.question["prompt"]).lower():
            html += f"<p><em>{extra[kind]}</em></p>"
        return html

    def _dropdown(self, description: str, options: list[str]):
        w = self.w
        # "Choose…" has the value "" (not None: a Dropdown whose value is None shows a blank box)
        dd = w.Dropdown(options=[("Choose…", "")] + [(label_text(o), o) for o in options], value="",
                        description=description, style={"description_width": "initial"},
                        layout={"width": "auto", "max_width": "100%"})
        dd.observe(self._changed, "value")
        return dd

    def _radio(self, options):
        from .choice import ChoiceGroup

        radio = ChoiceGroup(options=options, value=None, description="Answer", layout=_WIDE)
        radio.observe(self._changed, "value")
        return radio

    def _build_inputs(self):
        w, q, kind = self.w, self.question, self.question["type"]
        if kind == "single":
            radio = self._radio([(label_text(q["choices"][i]["text"]), i) for i in self.order])
            self.inputs = [radio]
            return w.VBox([radio])
        if kind == "truefalse":
            radio = self._radio([("True", True), ("False", False)])
            self.inputs = [radio]
            return w.VBox([radio])
        if kind == "multiple":
            boxes = []
            for i in self.order:
                cb = w.Checkbox(value=False, description=label_text(q["choices"][i]["text"]),
                                indent=False, layout=_WIDE)
                cb.observe(self._changed, "value")
                boxes.append(cb)
            self.inputs = boxes
            return w.VBox(boxes)
        if kind == "numeric":
            unit = q.get("unit") or ""
            text = w.Text(value="", description="Your answer", placeholder="a number",
                          continuous_update=False, style={"description_width": "initial"},
                          layout={"width": "18em"})
            text.observe(self._submitted, "value")
            self.inputs = [text]
            parts = [text] + ([w.Label(unit)] if unit else [])
            return w.HBox(parts)
        if kind == "matching":
            self.inputs = [self._dropdown(label_text(p["left"]), self.order) for p in q["pairs"]]
            return w.VBox(self.inputs)
        if kind == "ordering":
            self.inputs = [self._dropdown(f"Step {i}", self.order) for i in range(1, len(q["items"]) + 1)]
            return w.VBox(self.inputs)
        return self._build_label()

    def _build_label(self):
        """The picture with numbered markers, and a menu per marker.

        On a laptop the picture sits on the left of the whole question and everything else (prompt,
        menus, Check, feedback) in a column beside it, so the markers stay in view while choosing and
        reading the feedback (the course CSS does this for a question holding
        ``.iliopsoas-label-inputs``; without that CSS the parts simply stack).
        """
        w, q = self.w, self.question
        structures = [m["structure"] for m in q["markers"]]
        fig, reason = load_figure(q["figure"], structures)
        self.figure = fig
        self.inputs = [self._dropdown(f"Marker {i}", self.order) for i in range(1, len(q["markers"]) + 1)]
        choices = w.VBox(self.inputs)
        choices.add_class("iliopsoas-label-choices")
        if fig is None:
            note = w.HTML(f'<p class="iliopsoas-warning">⚠ {escape(reason)} '
                          "You can still answer from the list of markers below.</p>")
            box = w.VBox([note, choices])
            box.add_class("iliopsoas-label-inputs")
            return box
        image = w.Image(value=fig.png, format="png", layout=label_picture_layout(fig.png))
        image.add_class("iliopsoas-label-figure")
        alt = w.HTML(f'<p class="iliopsoas-label-alt"><em>Picture:</em> {escape(fig.alt)}</p>')
        names = accessible_names(alt=fig.alt, images="img.iliopsoas-label-figure", box=".iliopsoas-question")
        picture = w.VBox([image, alt, names])
        picture.add_class("iliopsoas-label-picture")
        box = w.VBox([picture, choices])
        box.add_class("iliopsoas-label-inputs")
        return box

    # -- reading and setting the answer
    def answer(self):
        """The current answer in the stored encoding (file order)."""
        kind = self.question["type"]
        if kind in ("single", "truefalse"):
            return self.inputs[0].value
        if kind == "multiple":
            return sorted(i for i, cb in zip(self.order, self.inputs) if cb.value)
        if kind == "numeric":
            return self.inputs[0].value
        if kind == "matching":
            return {p["left"]: dd.value for p, dd in zip(self.question["pairs"], self.inputs) if dd.value}
        if kind == "ordering":
            return [dd.value for dd in self.inputs]
        return {str(i): dd.value for i, dd in enumerate(self.inputs, start=1) if dd.value}

    def set_answer(self, answer) -> bool:
        """Put a stored answer back into the inputs (the inverse of :meth:`answer`); False if it
        no longer fits the question (the bank changed), in which case the inputs are left empty."""
        kind = self.question["type"]
        self._restoring = True
        try:
            if kind in ("single", "truefalse"):
                self.inputs[0].value = answer
            elif kind == "multiple":
                chosen = set(answer or [])
                for i, cb in zip(self.order, self.inputs):
                    cb.value = i in chosen
            elif kind == "numeric":
                self.inputs[0].value = "" if answer is None else str(answer)
            elif kind == "matching":
                for p, dd in zip(self.question["pairs"], self.inputs):
                    dd.value = (answer or {}).get(p["left"]) or ""
            elif kind == "ordering":
                values = list(answer or [])
                for i, dd in enumerate(self.inputs):
                    dd.value = (values[i] if i < len(values) else "") or ""
            else:
                for i, dd in enumerate(self.inputs, start=1):
                    dd.value = (answer or {}).get(str(i)) or ""
            return True
        except Exception:  # noqa: BLE001 - a stored answer that no longer fits: start blank
            self.clear_answer()
            return False
        finally:
            self._restoring = False

    def clear_answer(self) -> None:
        """Empty every input."""
        self._restoring = True
        try:
            for widget in self.inputs:
                if self.question["type"] == "multiple":
                    widget.value = False
                elif self.question["type"] in ("single", "truefalse"):
                    widget.value = None
                else:
                    widget.value = ""
        finally:
            self._restoring = False

    # -- what the store remembers
    def restore(self, records: list) -> None:
        """Show the last saved answer and its result (records of this question, any order)."""
        answers = [r for r in records if attempt_field(r, "kind", "answer") not in ("answer-shown", "decision")]
        outcome = scoring.question_outcome(records)
        self.attempts = len(answers)
        self.revealed = outcome.shown
        self.solved = outcome.right
        if not answers and not self.revealed:
            return
        if answers:
            latest = max(enumerate(answers), key=lambda ia: (attempt_field(ia[1], "attempt") or 0, ia[0]))[1]
            stored = attempt_field(latest, "answer")
            number = attempt_field(latest, "attempt")
            self.restored = (number if isinstance(number, int) else self.attempts,
                             attempt_field(latest, "timestamp"))
            if self.set_answer(stored):
                result = grading.grade(self.question, stored)
                if result.status != "invalid":
                    self.last_result = result
                    self._last_checked = self.answer()
                    self.feedback.value = self._feedback_html(result, self.restored[0], "", restored=True)
            else:
                self.feedback.value = ('<p class="iliopsoas-restored"><em>Your last saved answer no longer fits '
                                       "this question (it was changed since): please answer again.</em></p>")
            self.try_again_button.layout.display = None
        self._update_reveal()

    def restored_note(self) -> str:
        if not self.restored:
            return ""
        number, stamp = self.restored
        when = f", saved {format_time(stamp)}" if stamp else ""
        return f"your last answer: attempt {number}{when}"

    # -- events
    def _changed(self, change=None):
        if not self._restoring:
            self._last_checked = object()

    def _submitted(self, change):
        """Enter in the number box checks the answer."""
        if self._restoring:
            return
        self._last_checked = object()
        if str(change["new"]).strip():
            self.check()

    def show_hint(self, _button=None) -> str | None:
        """Reveal the next hint; the button is disabled when none are left."""
        hints = self.question.get("hints") or []
        if self.hints_shown >= len(hints):
            return None
        self.hints_shown += 1
        shown = [f"<p><strong>Hint {i}:</strong></p>" + render_markdown(h)
                 for i, h in enumerate(hints[: self.hints_shown], start=1)]
        self.hint_area.value = "".join(shown)
        self.hint_button.description = f"Hint ({self.hints_shown} of {len(hints)})"
        if self.hints_shown >= len(hints):
            self.hint_button.disabled = True
            self.hint_button.tooltip = "No more hints"
        return hints[self.hints_shown - 1]

    def check(self, _button=None) -> grading.Result:
        """Grade the current answer, show feedback, record the attempt.

        A right answer shows the explanation; a wrong or partly right one shows the feedback of
        what was chosen and the next hint, and after ``show_answer_after`` checked answers offers
        *Show answer*.  The same answer checked twice in a row is one attempt.
        """
        with self._check_lock:
            return self._check()

    def _check(self) -> grading.Result:
        answer = self.answer()
        if self.last_result is not None and self._last_checked == answer:
            return self.last_result  # same answer again (e.g. Enter then Check): not a new attempt
        result = grading.grade(self.question, answer)
        if result.status == "invalid":
            self.feedback.value = f'<div class="iliopsoas-invalid">ℹ {render_markdown(result.feedback_md)}</div>'
            return result
        self.attempts += 1
        # Marked as checked before saving, so that a Check arriving while it saves is the same answer.
        self.last_result = result
        self._last_checked = answer
        note, number = self.quiz.record(self.qid, answer, result)
        self.restored = None
        self.solved = self.solved or result.correct
        if not result.correct:
            self.show_hint()  # the next hint, if any is left
        self.feedback.value = self._feedback_html(result, number or self.attempts, note)
        self.try_again_button.layout.display = None
        self._update_reveal()
        self.quiz.refresh_scores()
        _notify(self.quiz.notebook)
        return result

    def reveal(self, _button=None) -> None:
        """*Show answer*: record it, then show the answer and the explanation."""
        if not self.revealed:
            note = self.quiz.record_shown(self.qid)
            self.revealed = True
            if note:
                self.feedback.value += f'<p class="iliopsoas-warning">⚠ {escape(note)}</p>'
        self._update_reveal()
        self.quiz.refresh_scores()
        _notify(self.quiz.notebook)

    def try_again(self, _button=None) -> None:
        """Clear the answer, the feedback and the explanation, to answer again from memory."""
        self.clear_answer()
        self._last_checked = object()
        self.last_result = None
        self.restored = None
        self.feedback.value = ""
        self.explanation.value = ""
        self.explanation.layout.display = "none"
        self.try_again_button.layout.display = "none"
        self._update_reveal(showing=False)

    def _update_reveal(self, showing: bool | None = None) -> None:
        """Show the explanation after a right answer or a reveal; offer *Show answer* when due."""
        right_now = self.last_result is not None and self.last_result.correct
        if showing is None:
            showing = right_now or self.revealed
        if showing:
            answer = ""
            if self.revealed and not right_now:
                answer = ('<div class="iliopsoas-answer"><p><strong>Answer:</strong></p>'
                          f"{render_markdown(answer_text(self.question))}</div>")
            self.explanation.value = (answer + render_markdown(self.question["explanation"])
                                      + source_links(self.question["sources"], self.quiz.references))
            self.explanation.layout.display = None
        else:
            self.explanation.value = ""
            self.explanation.layout.display = "none"
        offer = (not self.revealed and not self.solved and self.attempts >= self.show_after)
        self.show_answer_button.layout.display = None if offer else "none"

    def refresh_times(self) -> None:
        """Redraw the restored answer's note (after the student's time zone became known)."""
        if self.restored and self.last_result is not None:
            self.feedback.value = self._feedback_html(self.last_result, self.restored[0], "", restored=True)

    def _feedback_html(self, result: grading.Result, attempt: int, note: str, restored: bool = False) -> str:
        verdict = VERDICTS[result.status]
        score = f", {round(result.score * 100)}% of the marks" if result.status == "partial" else ""
        where = f"; {escape(self.restored_note())}" if restored and self.restored else ""
        parts = [f'<p class="iliopsoas-verdict"><strong>{verdict}</strong>'
                 f' <span class="iliopsoas-attempt">(attempt {attempt}{score}{where})</span></p>']
        if result.feedback_md:
            parts.append(render_markdown(result.feedback_md))
        if result.status != "correct":
            parts.append("<p><em>You can change your answer and check again.</em></p>")
        if note:
            parts.append(f'<p class="iliopsoas-warning">⚠ {escape(note)}</p>')
        return "".join(parts)

    # -- static version
    def static_html(self, answers: bool = True) -> str:
        """The question without widgets: prompt, options and (unless ``answers`` is False) a collapsed answer."""
        q, kind = self.question, self.question["type"]
        body = [self._prompt_html()]
        if kind in ("single", "multiple"):
            items = "".join(f"<li>{escape(label_text(q['choices'][i]['text']))}</li>" for i in self.order)
            body.append(f'<ol type="A">{items}</ol>')
        elif kind == "truefalse":
            body.append("<ul><li>True</li><li>False</li></ul>")
        elif kind == "numeric":
            unit = f" (in {escape(q['unit'])})" if q.get("unit") else ""
            body.append(f"<p>Type a number{unit}.</p>")
        elif kind == "matching":
            lefts = "".join(f"<li>{escape(label_text(p['left']))} → …</li>" for p in q["pairs"])
            opts = "".join(f"<li>{escape(label_text(o))}</li>" for o in self.order)
            body.append(f"<ul>{lefts}</ul><p>Options:</p><ul>{opts}</ul>")
        elif kind == "ordering":
            opts = "".join(f"<li>{escape(label_text(o))}</li>" for o in self.order)
            body.append(f"<p>Steps, shuffled:</p><ul>{opts}</ul>")
        else:
            body.append(self._static_label())
        if answers:
            answer = render_markdown(answer_text(q))
            body.append('<details class="iliopsoas-answer-block"><summary>Show answer</summary>'
                        f'<div class="iliopsoas-answer"><p><strong>Answer:</strong></p>{answer}</div>'
                        f'<div class="iliopsoas-explanation">{render_markdown(q["explanation"])}'
                        f'{source_links(q["sources"], self.quiz.references)}</div></details>')
        return (f'<div class="iliopsoas-question iliopsoas-q-{escape(self.qid)}" '
                'style="border:1px solid #C8C8C8;padding:0.5em;margin:0.5em 0">' + "".join(body) + "</div>")

    def _static_label(self) -> str:
        fig = self.figure
        parts = []
        if fig is not None:
            data = base64.b64encode(fig.png).decode("ascii")
            parts.append(f'<img src="data:image/png;base64,{data}" alt="{escape(fig.alt)}" '
                         'style="max-width:100%;height:auto;background:#fff"/>')
        markers = "".join(f"<li>Marker {i}: …</li>" for i in range(1, len(self.question["markers"]) + 1))
        opts = "".join(f"<li>{escape(label_text(o))}</li>" for o in self.order)
        parts.append(f"<ul>{markers}</ul><p>Names to choose from:</p><ul>{opts}</ul>")
        return "".join(parts)


# --------------------------------------------------------------------------- the quiz

class Quiz(StaticFallback):
    """Some questions of one notebook's bank, as widgets plus a static version.

    ``items``: question mappings and, in place of broken questions, :class:`BrokenQuestion`.
    """

    def __init__(self, bank, items: list, references: dict, shuffle=True, seed=None, store=None,
                 problems=None):
        import ipywidgets as w

        self.bank = bank
        self.notebook = bank.notebook
        self.references = references
        self.shuffle = shuffle
        self.seed = seed
        self.items = list(items)
        self.problems = list(problems or [])
        self._store = store
        self._open_note = ""
        self.key = f"quiz:{self.notebook}:" + ",".join(
            i["id"] if isinstance(i, dict) else (i.question_id or f"#{i.position}") for i in self.items)
        self.total_ids = [q["id"] for q in bank.questions]
        self.views: dict[str, QuestionView] = {}
        self.broken: list[BrokenQuestion] = []
        parts = []
        for number, item in self.numbered():
            if isinstance(item, dict):
                view = QuestionView(self, item, number)
                self.views[item["id"]] = view
                parts.append(view.box)
            else:
                self.broken.append(item)
                box = w.HTML(broken_question_html(item, number))
                parts.append(box)
        title = w.HTMLMath(course_css() + f"<h3>{render_inline(bank.title)}</h3>")
        self.notice = w.HTML("")
        self.notice.add_class("iliopsoas-quiz-notice")
        self.score = w.HTML("")
        self.score.add_class("iliopsoas-score")
        self.zone = browser_zone()
        self.zone.observe(self._zone_known, "zone")
        self.widget = w.VBox([title, self.notice] + parts + [self.score, self.zone])
        self.widget.add_class("iliopsoas-quiz")
        self.restore()
        self.refresh_notice()
        self.refresh_score()
        _LIVE_QUIZZES.add(self)

    # -- the store
    @property
    def store(self):
        if self._store is None:
            self._store, self._open_note = default_store()
        return self._store

    @property
    def readonly(self) -> bool:
        return bool(getattr(self.store, "readonly", False))

    def warnings(self) -> list[str]:
        """The store's warnings this quiz shows (each warning is shown once, in one place)."""
        found = list(getattr(self.store, "warnings", None) or [])
        if self._open_note:
            found.insert(0, self._open_note)
        note = readonly_note(self.store)
        if note and not says_read_only(found):
            found.append(note)
        return claim_warnings(found, self.key)

    def refresh_notice(self) -> None:
        problems = ""
        if self.problems:
            items = "".join(f"<li>{escape(str(e))}</li>" for e in self.problems)
            problems = ('<div class="iliopsoas-error iliopsoas-bank-problems" role="alert" '
                        'style="border:2px solid #D55E00;padding:0.25em 0.5em;background:#fff;color:#1A1A1A">'
                        "<p><strong>⚠ The question bank has problems</strong> (its questions are shown "
                        "below as far as they work; <code>python -m iliopsoas validate</code> lists every "
                        f"problem):</p><ul>{items}</ul></div>")
        self.notice.value = problems + warnings_box(self.warnings())

    def records(self) -> list:
        """Every saved record of this notebook (empty if the store cannot be read)."""
        try:
            return list(self.store.attempts(notebook=self.notebook))
        except Exception:  # noqa: BLE001 - the quiz works without its history
            return []

    def restore(self) -> None:
        """Show each question's last saved answer and its result."""
        by_q: dict = {}
        for r in self.records():
            by_q.setdefault(attempt_field(r, "question_id"), []).append(r)
        for qid, view in self.views.items():
            if by_q.get(qid):
                view.restore(by_q[qid])

    def record(self, question_id: str, answer, result: grading.Result) -> tuple[str, int | None]:
        """Save one attempt; never raises (returns a note for the feedback and the attempt number).

        A read-only store saves nothing (the notice at the top of the quiz says so once).
        """
        if self.readonly:
            return "", None
        try:
            attempt = self.store.record(self.notebook, question_id, answer, result.correct,
                                        result.score, result.misconceptions)
        except Exception as exc:  # noqa: BLE001 - the student's feedback must still show
            return f"Your answer could not be saved ({type(exc).__name__}: {exc}).", None
        number = attempt_field(attempt, "attempt")
        return "", number if isinstance(number, int) else None

    def record_shown(self, question_id: str) -> str:
        """Save that the answer was shown; returns a note if it could not be saved."""
        if self.readonly:
            return ""
        store = self.store
        try:
            if hasattr(store, "record_answer_shown"):
                store.record_answer_shown(self.notebook, question_id)
            else:  # a store of the older interface
                store.record(self.notebook, question_id, None, False, 0.0, [], kind="answer-shown")
        except Exception as exc:  # noqa: BLE001
            return f"That the answer was shown could not be saved ({type(exc).__name__}: {exc})."
        return ""

    # -- the score line
    def score_now(self) -> scoring.Score:
        """The notebook's score (every question of its bank, saved records of any session)."""
        records = self.records()
        if not records and self.views:  # the store cannot be read: this session's answers
            records = [{"question_id": v.qid, "attempt": 1, "correct": v.solved,
                        "kind": "answer-shown" if v.revealed else "answer"}
                       for v in self.views.values() if v.last_result is not None or v.revealed]
        return scoring.notebook_score(self.total_ids, records)

    def refresh_score(self) -> str:
        s = self.score_now()
        text = f"Score for this notebook: {s.describe()} · {s.credit:g} of {s.total} points"
        self.score.value = f"<p><strong>{escape(text)}</strong></p>"
        return text

    def refresh_scores(self) -> None:
        """Update the score line of every live quiz of this notebook."""
        for quiz in list(_LIVE_QUIZZES):
            if quiz.notebook == self.notebook:
                quiz.refresh_score()

    def _zone_known(self, change) -> None:
        """The browser told its time zone: redraw the restored answers' times (another widget may
        have set the same zone first, after this quiz was drawn)."""
        if change["new"]:
            set_student_timezone(change["new"])
            for view in self.views.values():
                view.refresh_times()

    def numbered(self) -> list[tuple[int, object]]:
        """(number, item) for each shown item: its 1-based place in the whole bank, so the questions
        of a lesson are numbered once across its section quizzes ("Question 5" in section 3, never a
        second "Question 1"); a broken item keeps its place in the file."""
        in_file = getattr(self.bank, "items", None) or self.bank.questions     # file order, broken ones included
        places = {q["id"]: i for i, q in enumerate(in_file, start=1) if isinstance(q, dict)}
        out = []
        for shown, item in enumerate(self.items, start=1):
            if isinstance(item, dict):
                out.append((places.get(item["id"], shown), item))
            else:
                out.append((getattr(item, "position", None) or shown, item))
        return out

    # -- static version
    def static_html(self, answers: bool | None = None) -> str:
        """The static version; ``answers=False`` (or ``ILIOPSOAS_STUDENT_VERSION=1``) leaves the answers out."""
        answers = static_answers() if answers is None else answers
        parts = []
        for number, item in self.numbered():
            if isinstance(item, dict):
                parts.append(self.views[item["id"]].static_html(answers=answers))
            else:
                parts.append(broken_question_html(item, number))
        tail = ("Run the notebook to answer these questions and check your answers." if answers else
                "Run the notebook to answer these questions and check your answers (this copy has no answers).")
        return (f'<div class="iliopsoas-quiz iliopsoas-static"><h3>{render_inline(self.bank.title)}</h3>'
                f"{''.join(parts)}<p><em>{tail}</em></p></div>")

    def text(self) -> str:
        n = len(self.views)
        lines = [f"Quiz: {self.bank.title} ({n} question{'s' if n != 1 else ''}). "
                 "Run the notebook in Jupyter to answer."]
        for item in self.broken:
            lines.append(f"The {item.name} cannot be shown: " + "; ".join(str(e) for e in item.errors))
        return "\n".join(lines)


class QuizError:
    """Shown instead of a quiz when no question of its bank can be shown: what and where, no traceback."""

    def __init__(self, notebook: str, messages: list[str]):
        self.notebook = notebook
        self.messages = messages

    def text(self) -> str:
        return "\n".join([f"The quiz {self.notebook!r} cannot be shown:"] + [f"- {m}" for m in self.messages])

    def _repr_mimebundle_(self, include=None, exclude=None):
        items = "".join(f"<li><code>{escape(m)}</code></li>" for m in self.messages)
        html = ('<div class="iliopsoas-quiz iliopsoas-error" role="alert" style="border:2px solid #D55E00;'
                'padding:0.5em;background:#fff;color:#1A1A1A">'
                f"<p><strong>⚠ The quiz {escape(self.notebook)!s} cannot be shown.</strong> "
                "The question bank has these problems (run <code>python -m iliopsoas validate</code>):</p>"
                f"<ul>{items}</ul></div>")
        return {"text/html": html, "text/plain": self.text()}

    def __repr__(self) -> str:
        return self.text()


def refresh_live_quizzes() -> None:
    """Update the score line of every quiz on screen (after a reset of the progress store)."""
    for q in list(_LIVE_QUIZZES):
        q.refresh_score()


def show_quiz(notebook: str, ids=None, shuffle=True, seed=None, store=None):
    """Show questions of ``quizzes/<notebook>.yml`` (all, or those in ``ids``) as a quiz.

    Questions that do not validate are replaced by a box naming the file, question and field;
    only a bank of which nothing can be read (YAML syntax, no questions) gives a :class:`QuizError`.
    """
    try:
        bank = load_bank_partial(notebook)
    except BankValidationError as exc:
        return QuizError(notebook, [str(e) for e in exc.errors])
    except FileNotFoundError as exc:
        return QuizError(notebook, [str(exc)])
    rel = f"quizzes/{notebook}.yml"
    if ids is None:
        items = list(bank.items)
    else:
        ids = [ids] if isinstance(ids, str) else list(ids)
        items, unknown = [], []
        for qid in ids:
            item = bank.find(qid)
            if item is None:
                unknown.append(qid)
                item = BrokenQuestion(rel, qid, 0, [BankError(rel, qid, None, f"{rel} has no question {qid!r}")])
            items.append(item)
        if len(unknown) == len(ids):
            return QuizError(notebook, [f"{rel} has no question {i!r}" for i in unknown])
    references = load_course_partial().references
    return Quiz(bank, items, references, shuffle=shuffle, seed=seed, store=store, problems=bank.problems)
