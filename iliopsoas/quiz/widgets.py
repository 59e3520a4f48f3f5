"""Quizzes in the notebooks: ``show_quiz("01-anatomy", ids=[...])``.

Each question is a small ipywidgets form (native, keyboard-operable widgets,
each with a description a screen reader can name) with a Check button, a Hint
button, feedback, the explanation and its sources.  Every Check is recorded in
the progress store.  The returned :class:`Quiz` also carries a static
``text/html`` version (questions, choices and collapsed answers) for GitHub,
nbviewer and nbconvert, and a short ``text/plain``.
"""
from __future__ import annotations

import base64
import random
import weakref

from . import grading
from .banks import BankValidationError, load_bank, load_course_partial
from ..display import StaticFallback, course_css
from ..markdown import escape, plain_text, render_inline, render_markdown

VERDICTS = {
    "correct": "✓ Correct",
    "partial": "◐ Partly right",
    "incorrect": "✗ Not quite",
}
_LIVE_QUIZZES: "weakref.WeakSet[Quiz]" = weakref.WeakSet()
_WIDE = {"width": "auto"}


# --------------------------------------------------------------------------- stores

def default_store():
    """(store, note): the process-wide progress store and its warnings (moved a damaged
    file aside, fell back to memory) as one note; an in-memory store if it cannot be opened."""
    from ..progress.store import ProgressStore, get_store

    try:
        store = get_store()
    except Exception as exc:  # noqa: BLE001 - a broken store must not break the quiz
        return ProgressStore(None), f"progress is not saved in this session ({type(exc).__name__}: {exc})"
    return store, " ".join(store.warnings)


def attempt_field(attempt, name, default=None):
    """Read a field of an Attempt (object or mapping)."""
    if isinstance(attempt, dict):
        return attempt.get(name, default)
    return getattr(attempt, name, default)


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
    """The correct answer as Markdown (for the static version and the answer key)."""
    kind = question["type"]
    right = grading.correct_answer(question)
    if kind == "single":
        return question["choices"][right]["text"]
    if kind == "multiple":
        return "\n".join(f"- {question['choices'][i]['text']}" for i in right)
    if kind == "truefalse":
        return "True" if right else "False"
    if kind == "numeric":
        unit = f" {question['unit']}" if question.get("unit") else ""
        return f"{right:g}{unit} (accepted within ± {question['tolerance']:g}{unit})"
    if kind == "matching":
        return "\n".join(f"- {left} → {r}" for left, r in right.items())
    if kind == "ordering":
        return "\n".join(f"{i}. {item}" for i, item in enumerate(right, start=1))
    return "\n".join(f"- Marker {n}: {name}" for n, name in right.items())


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
        self.attempts = 0
        self.last_result: grading.Result | None = None
        self._last_checked = object()
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
        self.hint_area = w.HTMLMath("")
        self.hint_area.add_class("iliopsoas-hints")
        self.feedback = w.HTMLMath("")
        self.feedback.add_class("iliopsoas-feedback")
        self.explanation = w.HTMLMath("", layout={"display": "none"})
        self.explanation.add_class("iliopsoas-explanation")
        self.box = w.VBox([self.prompt, input_box, w.HBox([self.check_button, self.hint_button]),
                           self.hint_area, self.feedback, self.explanation],
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
        dd = w.Dropdown(options=[("Choose…", "")] + [(plain_text(o), o) for o in options], value="",
                        description=description, style={"description_width": "initial"},
                        layout={"width": "auto", "max_width": "100%"})
        dd.observe(self._changed, "value")
        return dd

    def _build_inputs(self):
        w, q, kind = self.w, self.question, self.question["type"]
        if kind == "single":
            radio = w.RadioButtons(options=[(plain_text(q["choices"][i]["text"]), i) for i in self.order],
                                   value=None, description="Answer", layout=_WIDE,
                                   style={"description_width": "initial"})
            radio.observe(self._changed, "value")
            self.inputs = [radio]
            return w.VBox([radio])
        if kind == "truefalse":
            radio = w.RadioButtons(options=[("True", True), ("False", False)], value=None,
                                   description="Answer", style={"description_width": "initial"})
            radio.observe(self._changed, "value")
            self.inputs = [radio]
            return w.VBox([radio])
        if kind == "multiple":
            boxes = []
            for i in self.order:
                cb = w.Checkbox(value=False, description=plain_text(q["choices"][i]["text"]),
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
            self.inputs = [self._dropdown(plain_text(p["left"]), self.order) for p in q["pairs"]]
            return w.VBox(self.inputs)
        if kind == "ordering":
            self.inputs = [self._dropdown(f"Step {i}", self.order) for i in range(1, len(q["items"]) + 1)]
            return w.VBox(self.inputs)
        return self._build_label()

    def _build_label(self):
        w, q = self.w, self.question
        structures = [m["structure"] for m in q["markers"]]
        fig, reason = load_figure(q["figure"], structures)
        self.figure = fig
        parts = []
        if fig is not None:
            image = w.Image(value=fig.png, format="png", layout={"max_width": "100%", "height": "auto"})
            image.add_class("iliopsoas-label-figure")
            parts += [image, w.HTML(f"<p><em>Picture:</em> {escape(fig.alt)}</p>")]
        else:
            parts.append(w.HTML(f'<p class="iliopsoas-warning">⚠ {escape(reason)} '
                                "You can still answer from the list of markers below.</p>"))
        self.inputs = [self._dropdown(f"Marker {i}", self.order) for i in range(1, len(q["markers"]) + 1)]
        return w.VBox(parts + self.inputs)

    # -- reading the answer
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

    # -- events
    def _changed(self, change=None):
        self._last_checked = object()

    def _submitted(self, change):
        """Enter in the number box checks the answer."""
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
        """Grade the current answer, show feedback, record the attempt."""
        answer = self.answer()
        if self.last_result is not None and self._last_checked == answer:
            return self.last_result  # same answer again (e.g. Enter then Check): not a new attempt
        result = grading.grade(self.question, answer)
        if result.status == "invalid":
            self.feedback.value = f'<div class="iliopsoas-invalid">ℹ {render_markdown(result.feedback_md)}</div>'
            return result
        self.attempts += 1
        note, number = self.quiz.record(self.qid, answer, result)
        self.last_result = result
        self._last_checked = answer
        self.feedback.value = self._feedback_html(result, number or self.attempts, note)
        self.explanation.value = (render_markdown(self.question["explanation"])
                                  + source_links(self.question["sources"], self.quiz.references))
        self.explanation.layout.display = None
        self.quiz.refresh_scores()
        return result

    def _feedback_html(self, result: grading.Result, attempt: int, note: str) -> str:
        verdict = VERDICTS[result.status]
        score = f", {round(result.score * 100)}% of the marks" if result.status == "partial" else ""
        parts = [f'<p class="iliopsoas-verdict"><strong>{verdict}</strong>'
                 f' <span class="iliopsoas-attempt">(attempt {attempt}{score})</span></p>']
        if result.feedback_md:
            parts.append(render_markdown(result.feedback_md))
        if result.status != "correct":
            parts.append("<p><em>You can change your answer and check again.</em></p>")
        if note:
            parts.append(f'<p class="iliopsoas-warning">⚠ {escape(note)}</p>')
        return "".join(parts)

    # -- static version
    def static_html(self) -> str:
        """The question without widgets: prompt, options and a collapsed answer."""
        q, kind = self.question, self.question["type"]
        body = [self._prompt_html()]
        if kind in ("single", "multiple"):
            items = "".join(f"<li>{render_inline(q['choices'][i]['text'])}</li>" for i in self.order)
            body.append(f'<ol type="A">{items}</ol>')
        elif kind == "truefalse":
            body.append("<ul><li>True</li><li>False</li></ul>")
        elif kind == "numeric":
            unit = f" (in {escape(q['unit'])})" if q.get("unit") else ""
            body.append(f"<p>Type a number{unit}.</p>")
        elif kind == "matching":
            lefts = "".join(f"<li>{render_inline(p['left'])} → …</li>" for p in q["pairs"])
            opts = "".join(f"<li>{render_inline(o)}</li>" for o in self.order)
            body.append(f"<ul>{lefts}</ul><p>Options:</p><ul>{opts}</ul>")
        elif kind == "ordering":
            opts = "".join(f"<li>{render_inline(o)}</li>" for o in self.order)
            body.append(f"<p>Steps, shuffled:</p><ul>{opts}</ul>")
        else:
            body.append(self._static_label())
        answer = render_markdown(answer_text(q))
        body.append('<details><summary>Show answer</summary>'
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
        opts = "".join(f"<li>{render_inline(o)}</li>" for o in self.order)
        parts.append(f"<ul>{markers}</ul><p>Names to choose from:</p><ul>{opts}</ul>")
        return "".join(parts)


# --------------------------------------------------------------------------- the quiz

class Quiz(StaticFallback):
    """Some questions of one notebook's bank, as widgets plus a static version."""

    def __init__(self, bank, questions: list[dict], references: dict, shuffle=True, seed=None, store=None):
        import ipywidgets as w

        self.bank = bank
        self.notebook = bank.notebook
        self.references = references
        self.shuffle = shuffle
        self.seed = seed
        self._store = store
        self._store_note = " ".join(getattr(store, "warnings", None) or []) if store is not None else ""
        self.views = {q["id"]: QuestionView(self, q, n) for n, q in enumerate(questions, start=1)}
        title = w.HTMLMath(course_css() + f"<h3>{render_inline(bank.title)}</h3>")
        self.score = w.HTML("")
        self.score.add_class("iliopsoas-score")
        self.widget = w.VBox([title] + [v.box for v in self.views.values()] + [self.score])
        self.widget.add_class("iliopsoas-quiz")
        self.refresh_score()
        _LIVE_QUIZZES.add(self)

    @property
    def store(self):
        if self._store is None:
            self._store, self._store_note = default_store()
        return self._store

    def record(self, question_id: str, answer, result: grading.Result) -> tuple[str, int | None]:
        """Save one attempt; never raises (returns a note and the attempt number)."""
        try:
            attempt = self.store.record(self.notebook, question_id, answer, result.correct,
                                        result.score, result.misconceptions)
        except Exception as exc:  # noqa: BLE001 - the student's feedback must still show
            return f"Your answer could not be saved ({type(exc).__name__}: {exc}).", None
        number = attempt_field(attempt, "attempt")
        return self._store_note, number if isinstance(number, int) else None

    def right_count(self) -> int:
        """Questions of the whole bank whose latest attempt (any session) was right."""
        try:
            attempts = self.store.attempts(notebook=self.notebook)
        except Exception:  # noqa: BLE001 - fall back to this session's answers
            return sum(1 for v in self.views.values() if v.last_result and v.last_result.correct)
        latest: dict = {}  # question id -> (attempt number, correct); the highest number wins
        for order, a in enumerate(attempts):
            qid, number = attempt_field(a, "question_id"), attempt_field(a, "attempt")
            key = (number if isinstance(number, int) else 0, order)
            if qid not in latest or key >= latest[qid][0]:
                latest[qid] = (key, bool(attempt_field(a, "correct")))
        return sum(1 for qid in self.bank.ids if qid in latest and latest[qid][1])

    def refresh_score(self) -> str:
        text = f"Score for this notebook: {self.right_count()} / {len(self.bank.questions)} questions right"
        self.score.value = f"<p><strong>{escape(text)}</strong></p>"
        return text

    def refresh_scores(self) -> None:
        """Update the score line of every live quiz of this notebook."""
        for quiz in list(_LIVE_QUIZZES):
            if quiz.notebook == self.notebook:
                quiz.refresh_score()

    def static_html(self) -> str:
        questions = "".join(v.static_html() for v in self.views.values())
        return (f'<div class="iliopsoas-quiz iliopsoas-static"><h3>{render_inline(self.bank.title)}</h3>'
                f"{questions}<p><em>Run the notebook to answer these questions and check your answers."
                "</em></p></div>")

    def text(self) -> str:
        n = len(self.views)
        return (f"Quiz: {self.bank.title} ({n} question{'s' if n != 1 else ''}). "
                "Run the notebook in Jupyter to answer.")



class QuizError:
    """Shown instead of a quiz when its bank has problems: what and where, no traceback."""

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
    """Show questions of ``quizzes/<notebook>.yml`` (all, or those in ``ids``) as a quiz."""
    try:
        bank = load_bank(notebook)
    except BankValidationError as exc:
        return QuizError(notebook, [str(e) for e in exc.errors])
    except FileNotFoundError as exc:
        return QuizError(notebook, [str(exc)])
    if ids is None:
        questions = list(bank.questions)
    else:
        ids = [ids] if isinstance(ids, str) else list(ids)
        unknown = [i for i in ids if i not in bank.ids]
        if unknown:
            return QuizError(notebook, [f"quizzes/{notebook}.yml has no question {i!r}" for i in unknown])
        questions = [bank.question(i) for i in ids]
    references = load_course_partial().references
    return Quiz(bank, questions, references, shuffle=shuffle, seed=seed, store=store)
