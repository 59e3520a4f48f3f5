"""The instructor's answer key, a handout: ``python -m iliopsoas answer-key --format html|md``.

Contents by lesson and learning objective; for every question its prompt, every choice
(or pair, step, marker) with whether it is right, its feedback and the misconception it
targets (belief, correction and classroom move from ``quizzes/misconceptions.yml``), the
picture of every label question, hints, explanation and full references (absolute DOI or
URL links, listed in full at the end).  The HTML page is self-contained (figures inline,
no scripts, no web fonts) and prints well: one question is never split across pages, each
lesson starts a page, links print their address.  The Markdown version carries the same
content (figures as inline ``data:`` images).

    build_key(course, notebooks=None, label_figure=None) -> AnswerKey   # the content, once
    answer_key_markdown(key) -> str ;  answer_key_html(key) -> str     # two renderings of it
    render_answer_key(course=None, fmt="md", notebooks=None, label_figure=None) -> str

The quiz layer does not draw: ``label_figure(view, structures) -> FigureDisplay`` (with
``.png``, ``.alt``, ``.caption``) is passed in by the caller (the command line passes
:func:`iliopsoas.api.marker_figure`); without it a label question says its picture is not
included.

**Extension point.**  Items that are not bank questions (lesson 07's clinical cases) are added
with :func:`register_entries`: a provider ``fn(course, lesson_slug) -> list[KeyEntry]`` is asked
for every lesson in the key; its entries are listed under their ``objective`` (if it is one of
the lesson's) or under "Other items", and rendered like questions (``choices`` for the options
of a step, ``extra`` for free sections such as "Step 2: what the clinician decides").
"""
from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field

from . import grading
from .banks import load_course
from ..markdown import label_text, literal_markdown, render_inline, render_markdown

TYPE_NAMES = {"single": "single choice", "multiple": "multiple choice", "truefalse": "true or false",
              "numeric": "number", "matching": "matching", "ordering": "ordering", "label": "label the figure"}


# --------------------------------------------------------------------------- the content

@dataclass
class KeyChoice:
    """One option shown to the student (a choice, a pair, a step, a marker) and what it means."""

    label: str                      # "A", "Pair 1", "Step 2", "Marker 1", ...
    text: str                       # Markdown (a bank's answer option goes through option(): plain, as the quiz shows it)
    correct: bool | None = None     # None: not right or wrong in itself (e.g. a matching pair listed)
    feedback: str = ""              # Markdown
    misconception: str | None = None


@dataclass
class KeyFigure:
    png: bytes
    alt: str
    caption: str = ""


@dataclass
class KeyEntry:
    """One question (or, through :func:`register_entries`, one case) of the key."""

    anchor: str                      # unique HTML id, e.g. "q-anat-parts-where-it-lies"
    title: str                       # the question id (or a case's name)
    kind: str                        # "single choice", ..., or e.g. "clinical case"
    objective: str | None            # an objective id of the lesson, or None
    prompt: str = ""                 # Markdown
    answer: str = ""                 # Markdown: the correct answer in short
    choices_title: str = "Choices"
    choices: list[KeyChoice] = field(default_factory=list)
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (when, Markdown), e.g. ("Too low", ...)
    misconceptions: list[str] = field(default_factory=list)         # tags of the whole question
    figure: KeyFigure | None = None
    figure_note: str = ""            # why there is no figure, when there should be one
    hints: list[str] = field(default_factory=list)
    explanation: str = ""
    extra: list[tuple[str, str]] = field(default_factory=list)      # (heading, Markdown) sections
    sources: list[str] = field(default_factory=list)                # reference keys

    def tags(self) -> list[str]:
        """Every misconception tag the entry targets, in order, once."""
        tags = [c.misconception for c in self.choices if c.misconception] + list(self.misconceptions)
        return list(dict.fromkeys(tags))


@dataclass
class KeyLesson:
    slug: str
    title: str
    objectives: list[tuple[str, str]]            # (id, text)
    entries: list[KeyEntry] = field(default_factory=list)

    def grouped(self) -> list[tuple[str | None, str, list[KeyEntry]]]:
        """(objective id or None, its text, entries), objectives in bank order, then "Other items"."""
        ids = [o for o, _ in self.objectives]
        out = [(o, text, [e for e in self.entries if e.objective == o]) for o, text in self.objectives]
        other = [e for e in self.entries if e.objective not in ids]
        if other:
            out.append((None, "Other items", other))
        return out


@dataclass
class AnswerKey:
    title: str
    lessons: list[KeyLesson]
    references: dict                     # key -> entry of assets/references.yml
    misconceptions: dict                 # tag -> entry of quizzes/misconceptions.yml

    def cited(self) -> list[str]:
        """Reference keys cited by any entry, sorted by their short citation."""
        keys = list(dict.fromkeys(k for les in self.lessons for e in les.entries for k in e.sources))
        return sorted(keys, key=lambda k: str(self.references.get(k, {}).get("short", k)).lower())

    @property
    def count(self) -> int:
        return sum(len(les.entries) for les in self.lessons)


_PROVIDERS: list = []


def register_entries(provider) -> None:
    """Add ``provider(course, lesson_slug) -> list[KeyEntry]`` to every key built from now on
    (the extension point for items that are not bank questions, such as clinical cases)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def unregister_entries(provider) -> None:
    """Remove a provider added with :func:`register_entries` (no error if absent)."""
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def distractor_tags(question: dict) -> list[str]:
    """Misconception tags carried by the question's wrong answers, in file order."""
    tags = [c["misconception"] for c in question.get("choices") or [] if c.get("misconception")]
    if question.get("misconception"):
        tags.append(question["misconception"])
    return list(dict.fromkeys(tags))


def option(text) -> str:
    """An answer option as the quiz shows it (plain text, :func:`~iliopsoas.markdown.label_text`), as
    Markdown that shows exactly that text in both renderings of the key."""
    return literal_markdown(label_text(str(text)))


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) if i < 26 else str(i + 1) for i in range(n)]


def question_entry(q: dict, label_figure=None) -> KeyEntry:
    """The key entry of one bank question (file order of choices: students see them shuffled)."""
    kind = q["type"]
    entry = KeyEntry(anchor=f"q-{q['id']}", title=q["id"], kind=TYPE_NAMES.get(kind, kind),
                     objective=q.get("objective"), prompt=q["prompt"].strip(), explanation=q["explanation"].strip(),
                     hints=list(q.get("hints") or []), sources=list(q.get("sources") or []))
    right = grading.correct_answer(q)
    if kind in ("single", "multiple"):
        entry.choices = [KeyChoice(letter, option(c["text"]), bool(c.get("correct")), c.get("feedback", ""),
                                   c.get("misconception"))
                         for letter, c in zip(_letters(len(q["choices"])), q["choices"])]
        good = [ch.label for ch in entry.choices if ch.correct]
        entry.answer = ("Choice " if len(good) == 1 else "Choices ") + ", ".join(good)
    elif kind == "truefalse":
        entry.answer = "True" if right else "False"
        entry.choices_title = "Answers"
        feedback = q.get("feedback") or {}
        entry.choices = [KeyChoice(word, word, (word == "True") == bool(right), feedback.get(word.lower(), ""),
                                   q.get("misconception") if (word == "True") != bool(right) else None)
                         for word in ("True", "False")]
    elif kind == "numeric":
        unit = f" {q['unit']}" if q.get("unit") else ""
        entry.answer = f"{right:g}{unit}, accepted within ± {q['tolerance']:g}{unit}"
        labels = {"correct": "Within the tolerance", "low": "Too low", "high": "Too high"}
        entry.feedback = [(labels[k], v) for k, v in (q.get("feedback") or {}).items() if k in labels]
        entry.misconceptions = [q["misconception"]] if q.get("misconception") else []
    elif kind == "matching":
        entry.choices_title = "Pairs (each item and its partner)"
        entry.choices = [KeyChoice(f"{i}", f"{option(p['left'])} → {option(p['right'])}", True, p.get("feedback", ""))
                         for i, p in enumerate(q["pairs"], start=1)]
        entry.choices += [KeyChoice("Distractor", option(d), False) for d in q.get("distractors") or []]
        entry.answer = "The pairs below."
    elif kind == "ordering":
        entry.choices_title = "Steps in the right order"
        entry.choices = [KeyChoice(f"Step {i}", option(grading.item_text(item)), True, grading.item_feedback(item))
                         for i, item in enumerate(q["items"], start=1)]
        entry.answer = "The steps below, in this order."
    elif kind == "label":
        entry.choices_title = "Markers"
        entry.choices = [KeyChoice(f"Marker {i}", option(m["answer"]), True, m.get("feedback", ""))
                         for i, m in enumerate(q["markers"], start=1)]
        entry.choices += [KeyChoice("Distractor", option(d), False) for d in q.get("distractors") or []]
        entry.answer = "The names of the markers below."
        if label_figure is None:
            entry.figure_note = "The picture is not included in this key (run it from the course's command line)."
        else:
            try:
                fig = label_figure(q["figure"], [m["structure"] for m in q["markers"]])
                entry.figure = KeyFigure(fig.png, fig.alt, getattr(fig, "caption", "") or "")
            except (ImportError, KeyError, ValueError, TypeError, OSError, AttributeError) as exc:
                entry.figure_note = f"The picture could not be drawn ({type(exc).__name__}: {exc})."
    if kind not in ("single", "multiple", "truefalse", "numeric") and q.get("misconception"):
        entry.misconceptions.append(q["misconception"])
    return entry


def build_key(course, notebooks=None, label_figure=None) -> AnswerKey:
    """The key's content for the chosen notebooks (all by default, course order).

    Raises KeyError naming an unknown notebook and the known ones.
    """
    chosen = list(notebooks) if notebooks else list(course.banks)
    unknown = [n for n in chosen if n not in course.banks]
    if unknown:
        raise KeyError(f"no question bank for {', '.join(unknown)}; known: {', '.join(course.banks)}")
    lessons = []
    for slug in chosen:
        bank = course.banks[slug]
        lesson = KeyLesson(slug, bank.title, [(o["id"], o["text"]) for o in bank.objectives])
        lesson.entries = [question_entry(q, label_figure) for q in bank.questions]
        for provider in list(_PROVIDERS):
            lesson.entries += list(provider(course, slug) or [])
        lessons.append(lesson)
    title = "Answer key"
    try:
        from ..progress.store import course_title

        title = f"Answer key: {course_title()}"
    except ImportError:  # pragma: no cover
        pass
    return AnswerKey(title, lessons, course.references, course.misconceptions)


# --------------------------------------------------------------------------- shared pieces

def reference_link(ref: dict) -> str:
    """The absolute address of a reference (DOI or http(s) URL), or "" (a course file is not a link)."""
    if ref.get("doi"):
        return f"https://doi.org/{ref['doi']}"
    url = str(ref.get("url") or "")
    return url if re.match(r"^https?://", url) else ""


def reference_text(ref: dict, key: str) -> str:
    """The full citation in plain text: short, citation, about, and the address or course file."""
    parts = [str(ref.get("citation") or ref.get("short") or key).strip()]
    if ref.get("about"):
        parts.append(str(ref["about"]).strip())
    url = str(ref.get("url") or "")
    if not reference_link(ref) and url:
        parts.append(f"In the course folder: {url}")
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


def _lesson_anchor(slug: str) -> str:
    return f"lesson-{slug}"


def _objective_anchor(slug: str, objective: str | None) -> str:
    return f"obj-{objective}" if objective else f"other-{slug}"


def _numbering(key: AnswerKey) -> dict[str, str]:
    """anchor -> "01.3" (lesson number . position in the key)."""
    out = {}
    for les in key.lessons:
        n = 0
        for _o, _t, entries in les.grouped():
            for e in entries:
                n += 1
                out[e.anchor] = f"{les.slug.split('-', 1)[0]}.{n}"
    return out


# --------------------------------------------------------------------------- Markdown

def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.strip().splitlines())


def _md_figure(fig: KeyFigure) -> str:
    data = base64.b64encode(fig.png).decode("ascii")
    alt = fig.alt.replace("[", "(").replace("]", ")")
    out = f"![{alt}](data:image/png;base64,{data})"
    return out + (f"\n\n*{fig.caption}*" if fig.caption else "")


def _md_misconception(tag: str, key: AnswerKey) -> str:
    m = key.misconceptions.get(tag, {})
    text = f"Targets misconception `{tag}`"
    if m.get("belief"):
        text += f": *{m['belief'].strip()}*"
    if m.get("correction"):
        text += f" In fact: {m['correction'].strip()}"
    if m.get("teach"):
        text += f" Teaching move: {m['teach'].strip()}"
    return text


def _md_sources(keys: list[str], key: AnswerKey) -> str:
    parts = []
    for k in keys:
        ref = key.references.get(k, {})
        link = reference_link(ref)
        short = ref.get("short", k)
        parts.append(f"[{short}](#ref-{k})" + (f" ({link})" if link else ""))
    return "; ".join(parts)


def _md_entry(e: KeyEntry, number: str, key: AnswerKey) -> list[str]:
    lines = [f'<a id="{e.anchor}"></a>', "", f"#### {number} `{e.title}` · {e.kind}", "",
             "**Question.**", "", e.prompt, ""]
    if e.figure is not None:
        lines += [_md_figure(e.figure), ""]
    elif e.figure_note:
        lines += [f"*{e.figure_note}*", ""]
    lines += [f"**Answer:** {e.answer}", ""] if e.answer else []
    if e.choices:
        lines += [f"**{e.choices_title}** (in file order; students see them shuffled):", ""]
        for c in e.choices:
            mark = "✓" if c.correct else ("✗" if c.correct is False else "•")
            word = " (right)" if c.correct else (" (wrong)" if c.correct is False else "")
            lines.append(f"- {mark} **{c.label}.** {c.text}{word}")
            if c.feedback:
                lines.append(_indent(f"- Feedback: {' '.join(c.feedback.split())}", 2))
            if c.misconception:
                lines.append(_indent(f"- {_md_misconception(c.misconception, key)}", 2))
        lines.append("")
    for when, text in e.feedback:
        lines += [f"- **Feedback, {when.lower()}:** {text.strip()}"]
    if e.feedback:
        lines.append("")
    for tag in e.misconceptions:
        lines += [f"- {_md_misconception(tag, key)}", ""]
    for i, hint in enumerate(e.hints, start=1):
        lines += [f"**Hint {i}:** {hint.strip()}", ""]
    for heading, text in e.extra:
        lines += [f"**{heading}**", "", text.strip(), ""]
    if e.explanation:
        lines += ["**Explanation.**", "", e.explanation, ""]
    if e.sources:
        lines += [f"**Sources:** {_md_sources(e.sources, key)}", ""]
    return lines


def answer_key_markdown(key: AnswerKey) -> str:
    """The key as Markdown (contents, lessons, objectives, entries, references)."""
    numbers = _numbering(key)
    lines = [f"# {key.title}", "",
             f"For instructors: {key.count} questions in {len(key.lessons)} lesson"
             f"{'s' if len(key.lessons) != 1 else ''}, with every choice, its feedback and the misconception it "
             "targets. Students see choices shuffled; here they are in file order.", "", "## Contents", ""]
    for les in key.lessons:
        lines.append(f"- [{les.slug} · {les.title}](#{_lesson_anchor(les.slug)})")
        for obj, text, entries in les.grouped():
            links = ", ".join(f"[{numbers[e.anchor]}](#{e.anchor})" for e in entries) or "no questions"
            label = f"`{obj}`" if obj else text
            lines.append(f"  - {label}: {links}")
    lines += ["- [References](#references)", ""]
    for les in key.lessons:
        lines += [f'<a id="{_lesson_anchor(les.slug)}"></a>', "", f"## {les.slug} · {les.title}", ""]
        for obj, text, entries in les.grouped():
            lines += [f'<a id="{_objective_anchor(les.slug, obj)}"></a>', ""]
            lines += [f"### Objective `{obj}`", "", text, ""] if obj else [f"### {text}", ""]
            for e in entries:
                lines += _md_entry(e, numbers[e.anchor], key)
    lines += ['<a id="references"></a>', "", "## References", ""]
    for k in key.cited():
        ref = key.references.get(k, {})
        link = reference_link(ref)
        lines.append(f'- <a id="ref-{k}"></a>**{ref.get("short", k)}**. {reference_text(ref, k)}'
                     + (f" <{link}>" if link else ""))
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------- HTML

KEY_CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       background: #fff; max-width: 48em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { font-size: 1.4em; border-bottom: 2px solid #0072B2;
  padding-bottom: 0.15em; margin-top: 1.6em; } h3 { font-size: 1.15em; margin-top: 1.3em; }
h4 { font-size: 1.02em; margin: 0 0 0.4em; }
code { font-size: 0.92em; background: #f2f2f2; padding: 0 0.2em; border-radius: 3px; }
a { color: #0057a0; }
.toc ol, .toc ul { padding-left: 1.3em; } .toc li { margin: 0.15em 0; }
.objective-text { font-style: italic; }
.question { border: 1px solid #bbb; border-radius: 6px; padding: 0.6em 0.9em; margin: 0.9em 0;
            break-inside: avoid; page-break-inside: avoid; }
.question .label { font-weight: 600; }
.answer { background: #eef6fb; border-left: 4px solid #0072B2; padding: 0.3em 0.6em; }
ol.choices { list-style: none; padding-left: 0; }
ol.choices > li { margin: 0.45em 0; padding: 0.3em 0.5em; border-left: 4px solid #999; }
ol.choices > li.right { border-left-color: #009E73; background: #f0faf6; }
ol.choices > li.wrong { border-left-color: #D55E00; }
.mark { font-weight: 700; }
ol.choices p { margin: 0.15em 0; }
.feedback, .misconception, .hint { margin: 0.2em 0 0 0; }
.misconception { font-size: 0.95em; }
figure { margin: 0.5em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; }
.sources { font-size: 0.92em; }
.references li { margin: 0.35em 0; }
.print-url { word-break: break-all; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; line-height: 1.3; }
  a { color: inherit; text-decoration: none; }
  .lesson { break-before: page; page-break-before: always; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  h3 { margin: 0.8em 0 0.3em; }
  .question { padding: 0.35em 0.6em; margin: 0.5em 0; }
  .question p, .question ul, .question ol { margin: 0.2em 0; }
  ol.choices > li { margin: 0.2em 0; padding: 0.1em 0.4em; }
  .question, figure, ol.choices > li { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-height: 62mm; width: auto; }   /* a label question with its picture fits one page */
  .question.long { break-inside: auto; page-break-inside: auto; break-before: page; page-break-before: always; }
  .question.long .part, .question.long .explanation { break-inside: avoid; page-break-inside: avoid; }
}
""".strip()


def _html_md(text: str) -> str:
    return render_markdown(text or "")


def _html_inline(text: str) -> str:
    return render_inline(text or "")


def _html_misconception(tag: str, key: AnswerKey) -> str:
    m = key.misconceptions.get(tag, {})
    parts = [f'Targets misconception <code>{html.escape(tag)}</code>']
    if m.get("belief"):
        parts.append(f": <em>{html.escape(m['belief'].strip())}</em>")
    text = "".join(parts)
    if m.get("correction"):
        text += f" <strong>In fact:</strong> {html.escape(m['correction'].strip())}"
    if m.get("teach"):
        text += f" <strong>Teaching move:</strong> {html.escape(m['teach'].strip())}"
    return f'<p class="misconception">{text}</p>'


def _html_sources(keys: list[str], key: AnswerKey) -> str:
    parts = []
    for k in keys:
        ref = key.references.get(k, {})
        short = html.escape(str(ref.get("short", k)))
        link = reference_link(ref)
        part = f'<a href="#ref-{html.escape(k)}">{short}</a>'
        if link:
            part += f' (<a class="print-url" href="{html.escape(link)}">{html.escape(link)}</a>)'
        parts.append(part)
    return '<p class="sources"><strong>Sources:</strong> ' + "; ".join(parts) + "</p>"


def _html_entry(e: KeyEntry, number: str, key: AnswerKey) -> str:
    # A long entry (a clinical case: its tree is several steps) starts a page and may run over
    # pages, but none of its parts (a step's options, the outcomes, the summary) is split.
    out = [f'<article class="question{" long" if e.extra else ""}" id="{html.escape(e.anchor)}">',
           f"<h4>{html.escape(number)} <code>{html.escape(e.title)}</code> · {html.escape(e.kind)}</h4>",
           f'<div class="prompt">{_html_md(e.prompt)}</div>']
    if e.figure is not None:
        data = base64.b64encode(e.figure.png).decode("ascii")
        cap = f"<figcaption>{html.escape(e.figure.caption)}</figcaption>" if e.figure.caption else ""
        out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(e.figure.alt, quote=True)}">'
                   f"{cap}</figure>")
    elif e.figure_note:
        out.append(f'<p class="figure-note"><em>{html.escape(e.figure_note)}</em></p>')
    if e.answer:
        out.append(f'<p class="answer"><strong>Answer:</strong> {_html_inline(e.answer)}</p>')
    if e.choices:
        out.append(f'<p class="label">{html.escape(e.choices_title)} (in file order; students see them '
                   "shuffled):</p><ol class=\"choices\">")
        for c in e.choices:
            cls, mark = ("right", "✓ Right") if c.correct else (("wrong", "✗ Wrong") if c.correct is False
                                                                 else ("", "•"))
            item = [f'<li class="{cls}"><p><span class="mark">{mark}</span> <strong>{html.escape(c.label)}.</strong> '
                    f"{_html_inline(c.text)}</p>"]
            if c.feedback:
                item.append(f'<p class="feedback"><strong>Feedback:</strong> {_html_inline(c.feedback.strip())}</p>')
            if c.misconception:
                item.append(_html_misconception(c.misconception, key))
            out.append("".join(item) + "</li>")
        out.append("</ol>")
    for when, text in e.feedback:
        out.append(f'<p class="feedback"><strong>Feedback, {html.escape(when.lower())}:</strong> '
                   f"{_html_inline(text.strip())}</p>")
    for tag in e.misconceptions:
        out.append(_html_misconception(tag, key))
    for i, hint in enumerate(e.hints, start=1):
        out.append(f'<p class="hint"><strong>Hint {i}:</strong> {_html_inline(hint.strip())}</p>')
    for heading, text in e.extra:
        out.append(f"<section class=\"part\"><p class=\"label\">{html.escape(heading)}</p>{_html_md(text)}</section>")
    if e.explanation:
        out.append(f'<div class="explanation"><p class="label">Explanation</p>{_html_md(e.explanation)}</div>')
    if e.sources:
        out.append(_html_sources(e.sources, key))
    out.append("</article>")
    return "\n".join(out)


def answer_key_html(key: AnswerKey) -> str:
    """The key as one self-contained, print-friendly HTML page (no scripts, figures inline)."""
    numbers = _numbering(key)
    e = html.escape
    toc = []
    for les in key.lessons:
        items = []
        for obj, text, entries in les.grouped():
            links = ", ".join(f'<a href="#{e(x.anchor)}">{e(numbers[x.anchor])}</a>' for x in entries)
            label = (f'<a href="#{e(_objective_anchor(les.slug, obj))}"><code>{e(obj)}</code></a>: {e(text)}'
                     if obj else f'<a href="#{e(_objective_anchor(les.slug, obj))}">{e(text)}</a>')
            items.append(f"<li>{label} <span class=\"toc-questions\">({links or 'no questions'})</span></li>")
        toc.append(f'<li><a href="#{e(_lesson_anchor(les.slug))}">{e(les.slug)} · {e(les.title)}</a>'
                   f"<ul>{''.join(items)}</ul></li>")
    toc.append('<li><a href="#references">References</a></li>')
    body = [f"<header><h1>{e(key.title)}</h1><p>For instructors: {key.count} questions in {len(key.lessons)} "
            f"lesson{'s' if len(key.lessons) != 1 else ''}, with every choice, its feedback and the misconception "
            "it targets. Students see choices shuffled; here they are in file order.</p></header>",
            f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>']
    for les in key.lessons:
        body.append(f'<section class="lesson" id="{e(_lesson_anchor(les.slug))}"><h2>{e(les.slug)} · {e(les.title)}</h2>')
        for obj, text, entries in les.grouped():
            head = (f"<h3>Objective <code>{e(obj)}</code></h3><p class=\"objective-text\">{e(text)}</p>" if obj
                    else f"<h3>{e(text)}</h3>")
            body.append(f'<section class="objective" id="{e(_objective_anchor(les.slug, obj))}">{head}')
            body += [_html_entry(x, numbers[x.anchor], key) for x in entries]
            body.append("</section>")
        body.append("</section>")
    refs = []
    for k in key.cited():
        ref = key.references.get(k, {})
        link = reference_link(ref)
        url = f' <a class="print-url" href="{e(link)}">{e(link)}</a>' if link else ""
        refs.append(f'<li id="ref-{e(k)}"><strong>{e(str(ref.get("short", k)))}</strong>. '
                    f"{e(reference_text(ref, k))}{url}</li>")
    body.append(f'<section class="references" id="references"><h2>References</h2><ul>{"".join(refs)}</ul></section>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{e(key.title)}</title><style>{KEY_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def render_answer_key(course=None, fmt: str = "md", notebooks=None, label_figure=None) -> str:
    """The instructor answer key as Markdown (``fmt="md"``) or a self-contained HTML page (``fmt="html"``).

    Raises ValueError for another ``fmt``, KeyError for an unknown notebook.
    """
    if fmt not in ("md", "html"):
        raise ValueError(f"fmt must be 'md' or 'html', not {fmt!r}")
    course = course if course is not None else load_course()
    key = build_key(course, notebooks, label_figure)
    return answer_key_markdown(key) if fmt == "md" else answer_key_html(key)


# Lesson 07's clinical cases (issue 15) join the key through the extension point above.
from .cases import case_key_entries  # noqa: E402  (after register_entries is defined)

register_entries(case_key_entries)
