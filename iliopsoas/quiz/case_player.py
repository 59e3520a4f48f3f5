"""Clinical cases in the notebooks: ``show_case("07-clinical-cases", "runner-groin-pain")``.

One :class:`CasePlayer` per case: the patient, then one step at a time (what
the student learns, a course figure, the decision: radio buttons, a confidence
for a diagnosis, drop-downs for an order), a **Decide** button, the feedback
with its sources (and, for unsafe or wasteful choices, why), **Continue →**,
and at the end the outcome, the scores (safe, efficient, diagnosis), the
reasoning with its sources and the best path.  **Start again** begins a new
play-through; earlier ones stay saved.

Every decision is saved at once in the progress store (``kind="decision"``,
question id ``case:<case>:<step>``); a player built after a kernel restart
replays the saved decisions (:func:`iliopsoas.quiz.cases.case_runs`) and
resumes the latest play-through, or shows how it ended.

The player also carries a static ``text/html`` version (the whole case as a
decision tree, the best path and why collapsed, like the quizzes' answers)
and a short ``text/plain``.

The quiz layer never draws: step figures come from a provider plugged in by
the notebook API (:func:`set_case_figures`, see ``iliopsoas/api.py``).

DOM classes (docs/CONTRACTS.md): ``iliopsoas-case`` and ``iliopsoas-case-<id>`` on the player;
``iliopsoas-case-step`` (``data`` in its class ``iliopsoas-case-at-<step id>``),
``iliopsoas-case-info``, ``iliopsoas-case-figure``, ``iliopsoas-case-prompt``,
``iliopsoas-case-choices``, ``iliopsoas-case-confidence``, ``iliopsoas-case-order``,
``iliopsoas-case-decide``, ``iliopsoas-case-feedback`` (text starts with a verdict of
:data:`VERDICTS`), ``iliopsoas-case-continue``, ``iliopsoas-case-outcome``,
``iliopsoas-case-score``, ``iliopsoas-case-path``, ``iliopsoas-case-note``, ``iliopsoas-case-restart``;
the store's warnings (once per session, like the quizzes') in ``iliopsoas-case-warnings``.
"""
from __future__ import annotations

import base64

from . import cases as engine
from .cases import CaseValidationError, case_runs, grade_choice, load_case, question_id
from .widgets import (_notify, claim_warnings, default_store, order_rng, readonly_note, says_read_only,
                      shuffled, static_answers, warnings_box)
from ..display import StaticFallback, course_css
from ..markdown import escape, plain_text, render_inline, render_markdown

VERDICTS = {"best": "✓ Best choice", "acceptable": "◐ Reasonable, not the best", "poor": "✗ Not the best choice"}
RATING_WORDS = {"best": "✓ best", "acceptable": "◐ reasonable", "poor": "✗ not the best"}
RESULT_WORDS = {"good": "✓ A good outcome", "delayed": "◐ Slower or costlier than it needed to be",
                "harm": "✗ The patient came to harm"}
_WIDE = {"width": "auto"}
CASE_CSS = """
.iliopsoas-case .widget-radio-box { height: auto; }
.iliopsoas-case .widget-radio-box label { display: flex; align-items: flex-start; height: auto; min-height: 24px;
  line-height: 1.35; white-space: normal; overflow: visible; margin: 0.15em 0; }
.iliopsoas-case .widget-radio-box input { order: -1; flex: none; float: none; height: 1em; margin: 0.2em 0.5em 0 1px; }
.iliopsoas-case .widget-html-content, .iliopsoas-case .widget-htmlmath-content { line-height: 1.4; }
.iliopsoas-case p { margin: 0.25em 0; }
.iliopsoas-case h4 { margin: 0.2em 0; }
.iliopsoas-case details { margin: 0.2em 0; }
.iliopsoas-case .iliopsoas-case-figure img { max-height: 240px; width: auto; }
""".strip()

#: Draws a step's figure: ``fn(name, args) -> FigureDisplay`` (png, alt, caption).  Plugged in by the
#: notebook API; None: steps show the figure's caption only.
_CASE_FIGURES = None


def set_case_figures(provider) -> None:
    """Use ``provider(name, args) -> FigureDisplay`` to draw case figures (None: no pictures)."""
    global _CASE_FIGURES
    _CASE_FIGURES = provider


def load_step_figure(figure: dict):
    """(FigureDisplay or None, reason) for a step's ``figure`` entry."""
    if _CASE_FIGURES is None:
        return None, "The picture for this step is not available here."
    try:
        return _CASE_FIGURES(figure["name"], dict(figure.get("args") or {})), ""
    except ImportError as exc:
        return None, f"The picture for this step is not available ({exc})."
    except (KeyError, ValueError, TypeError, OSError, AttributeError) as exc:
        return None, f"The picture for this step could not be drawn ({type(exc).__name__}: {exc})."


def sources_html(keys, references) -> str:
    from .widgets import source_links

    return source_links(list(dict.fromkeys(keys or [])), references)


def _figure_img(fig, css="max-width:100%;height:auto;background:#fff") -> str:
    data = base64.b64encode(fig.png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(fig.alt)}" style="{css}"/>'


class CasePlayer(StaticFallback):
    """One case as widgets (``.widget``) plus its static decision tree."""

    def __init__(self, case, references: dict, store=None, red_flags: dict | None = None):
        import ipywidgets as w

        self.w = w
        self.case = case
        self.references = references
        self.red_flags = red_flags
        self._store = store
        self._store_note = ""  # why no store could be opened at all (default_store)
        self._figures: dict = {}
        self.labels = engine.node_labels(case)
        self.run = 1
        self.position = case.start
        self.decisions: list = []        # Graded, in order, for this run
        self.pending = None              # the Graded decision shown, waiting for Continue
        self.finished = False

        self.header = w.HTMLMath("")
        self.header.add_class("iliopsoas-case-header")
        self.note = w.HTML("")
        self.note.add_class("iliopsoas-case-note")
        self.warnings_view = w.HTML("")
        self.path_view = w.HTMLMath("")
        self.path_view.add_class("iliopsoas-case-path")
        self.info = w.HTMLMath("")
        self.info.add_class("iliopsoas-case-info")
        self.figure_view = w.HTML("", layout={"display": "none"})
        self.figure_view.add_class("iliopsoas-case-figure")
        self.prompt = w.HTMLMath("")
        self.prompt.add_class("iliopsoas-case-prompt")
        self.choices = w.RadioButtons(options=[], value=None, description="", layout=_WIDE,
                                      style={"description_width": "0px"})
        self.choices.add_class("iliopsoas-case-choices")
        self.confidence = w.ToggleButtons(options=[(label.split(":")[0], key) for key, label in engine.CONFIDENCE],
                                          value=None, description="Confidence",
                                          tooltips=[label for _k, label in engine.CONFIDENCE],
                                          style={"description_width": "initial", "button_width": "auto"})
        self.confidence.add_class("iliopsoas-case-confidence")
        self.order_box = w.VBox([])
        self.order_box.add_class("iliopsoas-case-order")
        self.decide_button = w.Button(description="Decide", button_style="primary", icon="check",
                                      tooltip="Commit to this decision (it is saved and cannot be undone)")
        self.decide_button.add_class("iliopsoas-case-decide")
        self.decide_button.on_click(lambda _b: self.decide())
        self.feedback = w.HTMLMath("")
        self.feedback.add_class("iliopsoas-case-feedback")
        self.continue_button = w.Button(description="Continue →", tooltip="Go to the next step",
                                        layout={"display": "none"})
        self.continue_button.add_class("iliopsoas-case-continue")
        self.continue_button.on_click(lambda _b: self.advance())
        self.outcome_view = w.HTMLMath("", layout={"display": "none"})
        self.outcome_view.add_class("iliopsoas-case-outcome")
        self.restart_button = w.Button(description="Start again", icon="refresh",
                                       tooltip="Play the case again from the start (earlier play-throughs stay saved)")
        self.restart_button.add_class("iliopsoas-case-restart")
        self.restart_button.on_click(lambda _b: self.restart())
        left = w.VBox([self.info, self.figure_view], layout={"flex": "1 1 340px", "min_width": "260px"})
        right = w.VBox([self.prompt, self.choices, self.confidence, self.order_box, self.decide_button,
                        self.feedback, self.continue_button],
                       layout={"flex": "1 1 340px", "min_width": "260px"})
        self.step_box = w.HBox([left, right], layout={"flex_flow": "row wrap", "grid_gap": "12px",
                                                       "align_items": "flex-start"})
        self.step_box.add_class("iliopsoas-case-step")
        self.widget = w.VBox([self.header, self.warnings_view, self.note, self.path_view, self.step_box, self.outcome_view,
                              self.restart_button],
                             layout={"border": "1px solid #C8C8C8", "padding": "0.5em", "margin": "0.5em 0"})
        self.widget.add_class("iliopsoas-case")
        self.widget.add_class(f"iliopsoas-case-{case.id}")
        self._resume()

    # ------------------------------------------------------------------ store
    @property
    def store(self):
        if self._store is None:
            self._store, self._store_note = default_store()
        return self._store

    def store_warnings(self) -> list[str]:
        """The store's warnings this case shows: those no quiz or dashboard has shown yet (each once)."""
        found = ([self._store_note] if self._store_note else []) + list(getattr(self.store, "warnings", None) or [])
        note = readonly_note(self.store)
        if note and not says_read_only(found):
            found.append(note)
        return claim_warnings(found, f"case:{self.case.id}")

    def _records(self) -> list:
        try:
            return self.store.attempts(notebook=self.case.notebook)
        except Exception as exc:  # noqa: BLE001 - a broken store must not break the case
            self._say(f"Your saved decisions could not be read ({type(exc).__name__}: {exc}).", warn=True)
            return []

    def _max_run(self) -> int:
        runs = case_runs(self.case, self._records())
        return max((r.run for r in runs), default=0)

    def _resume(self) -> None:
        """Rebuild the latest play-through from the store: resume it, or show how it ended."""
        runs = case_runs(self.case, self._records())
        notes = []
        if not runs:
            self.run = 1
            self._show_node(self.case.start)
        else:
            last = runs[-1]
            if last.problem:
                self.run = last.run + 1
                notes.append(f"Your last play-through could not be resumed: {last.problem}. A new one starts here.")
                self._show_node(self.case.start)
            else:
                self.run = last.run
                self.decisions = [d.graded for d in last.decisions]
                if last.finished:
                    notes.append("You finished this case earlier: here is how it ended. Press Start again to "
                                 "play it again (your earlier decisions stay saved).")
                elif last.decisions:
                    notes.append(f"Welcome back: you had made {len(last.decisions)} decision"
                                 f"{'s' if len(last.decisions) != 1 else ''} in this case; carry on from here, "
                                 "or press Start again.")
                self._show_node(last.position)
        self._say(" ".join(notes))
        self.warnings_view.value = warnings_box(self.store_warnings(), "iliopsoas-case-warnings")

    # ------------------------------------------------------------------ showing
    def _header_html(self) -> str:
        case = self.case
        open_attr = " open" if not self.decisions and not self.finished else ""
        composite = (" <em>(A composite case built from published data, not a real patient.)</em>"
                     if case.data.get("composite", True) else "")
        return (course_css() + f"<style>{CASE_CSS}</style>"
                f"<h3>Clinical case: {render_inline(case.title)}</h3>"
                f"<details{open_attr}><summary><strong>The patient</strong> · {escape(case.data['role'].strip())}"
                f"</summary>{render_markdown(case.data['patient'])}<p>{composite}</p></details>")

    def _path_html(self) -> str:
        if not self.decisions:
            return ""
        items = "".join(f"<li>{escape(self.case.step(g.step_id)['title'])}: {render_inline(self._choice_text(g))} "
                        f"<em>({RATING_WORDS[g.rating]}"
                        f"{', unsafe' if g.unsafe else ''}{', wasteful' if g.wasteful else ''})</em></li>"
                        for g in self.decisions)
        return (f"<details><summary>Your decisions so far ({len(self.decisions)})</summary>"
                f"<ol>{items}</ol></details>")

    def _choice_text(self, graded) -> str:
        if graded.kind == "order":
            return " → ".join(graded.answer["order"])
        text = engine.option_label(graded.option, self.red_flags)
        if graded.kind == "diagnosis":
            text += f" (confidence: {graded.answer.get('confidence')})"
        return text

    def _show_node(self, node: str) -> None:
        self.position = node
        self.pending = None
        self.header.value = self._header_html()
        self.path_view.value = self._path_html()
        if self.case.is_outcome(node):
            self._show_outcome(node)
            return
        self.finished = False
        self.outcome_view.layout.display = "none"
        self.step_box.layout.display = None
        step = self.case.step(node)
        for cls in list(self.step_box._dom_classes):
            if cls.startswith("iliopsoas-case-at-"):
                self.step_box.remove_class(cls)
        self.step_box.add_class(f"iliopsoas-case-at-{node}")
        number = len(self.decisions) + 1
        again = ""
        if self.decisions and self.decisions[-1].step_id == node:  # an option marked loop: the same question
            again = ('<p class="iliopsoas-case-again"><em>Back to the same question: that choice did not move '
                     "the case on. Choose again.</em></p>")
        self.info.value = (f"<h4>Step {number} · {render_inline(step['title'])}</h4>" + again
                           + render_markdown(step["info"]))
        self._show_figure(step.get("figure"))
        self.feedback.value = ""
        self.continue_button.layout.display = "none"
        decision = step.get("decision")
        for control in (self.choices, self.confidence, self.order_box):
            control.layout.display = "none"
        if decision is None:
            self.prompt.value = ""
            self.decide_button.layout.display = "none"
            self.continue_button.layout.display = None
            return
        self.prompt.value = f"<p><strong>{render_inline(decision['prompt'].strip())}</strong></p>"
        self.decide_button.layout.display = None
        self.decide_button.disabled = False
        kind = decision["kind"]
        if kind == "order":
            items = shuffled(decision["items"], order_rng(f"{self.case.id}:{node}"), avoid_identity=True)
            dropdowns = []
            for i in range(1, len(items) + 1):
                dd = self.w.Dropdown(options=[("Choose…", "")] + [(plain_text(t), t) for t in items], value="",
                                     description=f"{i}.", style={"description_width": "initial"},
                                     layout={"width": "auto", "max_width": "100%"})
                dropdowns.append(dd)
            self.order_box.children = dropdowns
            self.order_box.layout.display = None
            return
        options = decision["options"]
        if kind == "urgency":
            options = sorted(options, key=lambda o: engine.tier_rank(o["tier"]))
        else:
            options = shuffled(options, order_rng(f"{self.case.id}:{node}"))
        self.choices.options = [(plain_text(engine.option_label(o, self.red_flags, symbol=False)), o["id"])
                                for o in options]
        self.choices.value = None
        self.choices.disabled = False
        self.choices.layout.display = None
        if kind == "diagnosis":
            self.confidence.value = None
            self.confidence.disabled = False
            self.confidence.layout.display = None

    def _show_figure(self, figure) -> None:
        if not figure:
            self.figure_view.value = ""
            self.figure_view.layout.display = "none"
            return
        fig, reason = self._figure(figure)
        caption = figure.get("caption") or ""
        if fig is None:
            body = f"<p><em>{escape(caption)}</em> ({escape(reason)})</p>"
        else:
            # the picture's description is its alt text (read by screen readers), not repeated on screen
            body = (_figure_img(fig, "max-width:100%;max-height:240px;height:auto;background:#fff")
                    + f"<p><small><em>{escape(caption)}</em></small></p>")
        self.figure_view.value = body
        self.figure_view.layout.display = None

    def _figure(self, figure):
        key = (figure["name"], tuple(sorted((figure.get("args") or {}).items())))
        if key not in self._figures:
            self._figures[key] = load_step_figure(figure)
        return self._figures[key]

    def _show_outcome(self, node: str) -> None:
        self.finished = True
        self.step_box.layout.display = "none"
        outcome = self.case.outcomes[node]
        run = engine.CaseRun(self.case.id, self.run, [engine.Decision(g.step_id, g) for g in self.decisions],
                             position=node, outcome=outcome)
        credit = round(run.credit * 3)
        sources = sources_html(outcome.get("sources"), self.references) if outcome.get("sources") else ""
        best = render_markdown("\n".join(engine.best_path_markdown(self.case, self.references, self.labels,
                                                                   self.red_flags)[:-3]))
        summary = self.case.data["summary"]
        self.outcome_view.value = (
            f'<div class="iliopsoas-case-result iliopsoas-case-result-{outcome["result"]}">'
            f"<h4>Outcome: {render_inline(outcome['title'])}</h4>"
            f"<p><strong>{escape(RESULT_WORDS[outcome['result']])}.</strong></p>{render_markdown(outcome['text'])}"
            f"{sources}"
            f'<p class="iliopsoas-case-score"><strong>Your play-through: {escape(run.describe())} '
            f"({credit} of 3).</strong></p>"
            f"<p><strong>The reasoning.</strong></p>{render_markdown(summary['text'])}"
            f"{sources_html(summary['sources'], self.references)}"
            f"<details><summary>The best path and why</summary>{best}</details></div>")
        self.outcome_view.layout.display = None

    def _say(self, text: str, warn: bool = False) -> None:
        if not text:
            self.note.value = ""
            return
        cls = "iliopsoas-warning" if warn else "iliopsoas-case-message"
        self.note.value = f'<p class="{cls}" role="status">{"⚠ " if warn else "ℹ "}{escape(text)}</p>'

    # ------------------------------------------------------------------ acting
    def current_choice(self):
        """(choice, confidence, problem): what the controls hold now."""
        decision = self.case.step(self.position).get("decision") or {}
        kind = decision.get("kind")
        if kind == "order":
            picks = [dd.value for dd in self.order_box.children]
            if not all(picks) or len(set(picks)) != len(picks):
                return None, None, "Put each item in exactly one position, then press Decide."
            return picks, None, None
        if self.choices.value is None:
            return None, None, "Choose one option, then press Decide."
        if kind == "diagnosis" and self.confidence.value is None:
            return None, None, "Say how confident you are in this diagnosis, then press Decide."
        return self.choices.value, self.confidence.value, None

    def decide(self, choice=None, confidence=None):
        """Grade and save the decision of the current step (from the controls, or the arguments); show feedback.

        Returns the :class:`~iliopsoas.quiz.cases.Graded` decision, or None if nothing complete was chosen."""
        if self.finished or self.pending is not None or self.case.is_outcome(self.position):
            return None
        step = self.case.step(self.position)
        if "decision" not in step:
            return None
        if choice is None:
            choice, confidence, problem = self.current_choice()
            if problem:
                self.feedback.value = f'<p class="iliopsoas-case-invalid">ℹ {escape(problem)}</p>'
                return None
        graded = grade_choice(self.case, self.position, choice, confidence)
        note = self._save(graded)
        self.decisions.append(graded)
        self.pending = graded
        self.decide_button.disabled = True
        for control in (self.choices, self.confidence, self.order_box):
            control.layout.display = "none"
        self.feedback.value = self._feedback_html(step, graded, note)
        self.continue_button.layout.display = None
        self.path_view.value = self._path_html()
        self.header.value = self._header_html()
        return graded

    def _save(self, graded) -> str:
        """Save one decision (not for a read-only store: the note at the top says so); return a problem or ""."""
        if getattr(self.store, "readonly", False):
            return ""
        answer = dict(graded.answer, run=self.run)
        try:
            self.store.record(self.case.notebook, question_id(self.case.id, graded.step_id), answer,
                              graded.correct, graded.score, graded.misconceptions, kind="decision")
        except Exception as exc:  # noqa: BLE001 - the feedback must still show
            return f"This decision could not be saved ({type(exc).__name__}: {exc})."
        _notify(self.case.notebook)  # "where you left off" refreshes itself
        return ""

    def _feedback_html(self, step: dict, graded, note: str) -> str:
        parts = [f'<p class="iliopsoas-case-verdict"><strong>{escape(VERDICTS[graded.rating])}</strong></p>',
                 f"<p><em>Your decision:</em> {render_inline(self._choice_text(graded))}</p>"]
        for flag, symbol, word in (("unsafe", "⚠", "Unsafe"), ("wasteful", "⊘", "Wasteful")):
            reason = getattr(graded, flag)
            if reason:
                parts.append(f'<p class="iliopsoas-case-flag iliopsoas-case-{flag}"><strong>{symbol} {word}:</strong> '
                             f"{render_inline(reason.strip())}</p>")
        decision = step["decision"]
        if graded.kind == "order":
            if graded.rating != "best":
                right = " → ".join(decision["items"])
                parts.append(f"<p>{round(graded.score * len(decision['items']))} of {len(decision['items'])} in "
                             f"the right place. The order that works: {render_inline(right)}.</p>")
            parts.append(render_markdown(decision["feedback"]) + sources_html(decision["sources"], self.references))
        else:
            parts.append(render_markdown(graded.option["feedback"])
                         + sources_html(graded.option["sources"], self.references))
        if graded.kind == "diagnosis":
            parts.append(f"<p><em>{escape(confidence_comment(graded))}</em></p>")
        flags = step.get("red_flags") or []
        if flags and self.red_flags is not None:
            parts.append(self._red_flags_html(flags))
        if note:
            parts.append(f'<p class="iliopsoas-warning">⚠ {escape(note)}</p>')
        return "".join(parts)

    def _red_flags_html(self, flag_ids) -> str:
        from ..redflags import TIER_SYMBOLS

        items = []
        for tier in self.red_flags["tiers"]:
            for flag in tier["flags"]:
                if flag["id"] in flag_ids:
                    items.append(f"<li>{TIER_SYMBOLS[tier['id']]} <strong>{escape(tier['heading'])}</strong>: "
                                 f"{escape(flag['sign'].strip())}</li>")
        return ("<p><strong>Red flags this step raises</strong> (the course's list, as in "
                "<em>Start here</em>):</p>" f"<ul>{''.join(items)}</ul>")

    def advance(self) -> str:
        """Continue: go to where the last decision (or an information step) leads; returns the new position."""
        if self.finished:
            return self.position
        if self.pending is not None:
            target = self.pending.next
        else:
            step = self.case.step(self.position)
            if "decision" in step:
                return self.position  # decide first
            target = step["next"]
        self._show_node(target)
        self._say("")
        return self.position

    def restart(self) -> None:
        """Start a new play-through from the first step (earlier ones stay saved)."""
        self.run = max(self._max_run(), self.run if self.decisions else self.run - 1) + 1
        self.decisions = []
        self.pending = None
        self.finished = False
        self._show_node(self.case.start)
        self._say("A new play-through has started. Your earlier decisions stay saved.")

    # ------------------------------------------------------------------ static version
    def static_html(self, answers: bool | None = None) -> str:
        """The case as a decision tree; the best path and why in a collapsed answer block, left out when
        ``answers`` is False or, by default, for a student version (``ILIOPSOAS_STUDENT_VERSION=1``)."""
        answers = static_answers() if answers is None else answers
        case = self.case
        parts = [f'<div class="iliopsoas-case iliopsoas-static iliopsoas-case-{escape(case.id)}" '
                 'style="border:1px solid #C8C8C8;padding:0.5em;margin:0.5em 0">',
                 f"<h3>Clinical case: {render_inline(case.title)}</h3>",
                 f"<p><em>{escape(case.data['role'].strip())}</em></p>",
                 "<p><strong>The patient.</strong></p>" + render_markdown(case.data["patient"]),
                 "<p><em>Run the notebook to play this case: you decide at each step and see what follows. "
                 "Below is the whole case as a decision tree.</em></p>"]
        for sid in [s for s in self.labels if s in case.steps]:
            parts.append('<div class="iliopsoas-case-node" style="margin:0.5em 0">'
                         + render_markdown(engine.step_markdown(case, sid, self.labels, answers=False,
                                                                red_flags=self.red_flags)))
            figure = case.steps[sid].get("figure")
            if figure:
                fig, reason = self._figure(figure)
                if fig is not None:
                    parts.append(_figure_img(fig, "max-width:100%;max-height:320px;height:auto;background:#fff")
                                 + f"<p><small>Picture: {escape(fig.alt)}</small></p>")
            parts.append("</div>")
        parts.append(render_markdown(engine.outcomes_markdown(case, self.references, self.labels, answers=False)))
        if answers:
            key = engine.answers_markdown(case, self.references, self.labels, self.red_flags)
            parts.append('<details class="iliopsoas-answer-block"><summary>Show the best path and why</summary>'
                         f'<div class="iliopsoas-answer">{render_markdown(key)}</div></details>')
        parts.append("</div>")
        return "".join(parts)

    def text(self) -> str:
        n = len(self.case.decision_steps())
        return (f"Clinical case: {self.case.title} ({n} decisions). Run the notebook in Jupyter to play it.")


def confidence_comment(graded) -> str:
    """A sentence on the confidence given with a working diagnosis."""
    level = graded.answer.get("confidence")
    if graded.correct:
        if level == "low":
            return ("Right, held loosely: fine at this stage, as long as the next findings are allowed to firm it up "
                    "or change it.")
        return "Right, and you said so with conviction: keep testing it against each new finding."
    if level == "high":
        return ("Confident and wrong is the combination that stops a clinician looking further: hold a working "
                "diagnosis loosely until the findings that could prove it wrong are in.")
    return "Not the best working diagnosis; your uncertainty was sensible. The next steps will show what was missed."


class CaseErrorView:
    """Shown instead of a case whose file has problems: what and where, no traceback."""

    def __init__(self, case_id: str, messages: list[str]):
        self.case_id = case_id
        self.messages = messages

    def text(self) -> str:
        return "\n".join([f"The case {self.case_id!r} cannot be shown:"] + [f"- {m}" for m in self.messages])

    def _repr_mimebundle_(self, include=None, exclude=None):
        items = "".join(f"<li><code>{escape(m)}</code></li>" for m in self.messages)
        body = ('<div class="iliopsoas-case iliopsoas-error" role="alert" style="border:2px solid #D55E00;'
                'padding:0.5em">'
                f"<p><strong>⚠ The case {escape(self.case_id)} cannot be shown.</strong> "
                "Its file has these problems (run <code>python -m iliopsoas validate</code>):</p>"
                f"<ul>{items}</ul></div>")
        return {"text/html": body, "text/plain": self.text()}

    def __repr__(self) -> str:
        return self.text()


def show_case(notebook: str, case_id: str, store=None):
    """Show the case ``quizzes/cases/<case_id>.yml`` of lesson ``notebook`` as a player (or a clear error)."""
    from .banks import load_course_partial
    from ..redflags import RedFlagError, load_red_flags

    try:
        case = load_case(case_id, notebook)
    except CaseValidationError as exc:
        return CaseErrorView(case_id, [str(e) for e in exc.errors])
    try:
        red_flags = load_red_flags()
    except RedFlagError as exc:
        return CaseErrorView(case_id, [str(exc)])
    return CasePlayer(case, load_course_partial().references, store=store, red_flags=red_flags)


__all__ = ["CasePlayer", "CaseErrorView", "show_case", "set_case_figures", "VERDICTS"]
