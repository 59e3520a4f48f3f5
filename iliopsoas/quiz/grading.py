"""Grading one answer to one question: pure functions, no widgets.

``grade(question, answer)`` never raises for a student's answer: an empty or
malformed answer comes back with ``status="invalid"`` and a message saying
what to do.  Answers are in the encodings of docs/authoring-questions.md
(indices in file order, the raw text typed for numbers, ...).
Feedback is Markdown; anything the student typed is escaped in it and echoed
back as a short excerpt at most (:func:`excerpt`: a pasted essay never fills
the page).  Answer options are echoed as the quiz shows them
(:func:`iliopsoas.markdown.label_text`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..markdown import escape_markdown, label_text

_NUMBER_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$")
_COMMA_RE = re.compile(r"^[+-]?\d*,\d+")
_UNIT_ALIASES = {
    "°": {"°", "deg", "degree", "degrees", "º"},
    "%": {"%", "percent", "per cent"},
}


@dataclass
class Result:
    """The outcome of one check."""

    correct: bool
    score: float
    status: str  # "correct" | "partial" | "incorrect" | "invalid"
    feedback_md: str
    misconceptions: list[str] = field(default_factory=list)


def invalid(message: str) -> Result:
    """A result for an answer that cannot be graded (nothing is counted)."""
    return Result(False, 0.0, "invalid", message, [])


def scored(score: float, feedback: str, misconceptions=None) -> Result:
    """A graded result; the status follows from the score."""
    score = max(0.0, min(1.0, float(score)))
    if score >= 1.0 - 1e-9:
        status, score = "correct", 1.0
    elif score > 0:
        status = "partial"
    else:
        status = "incorrect"
    return Result(status == "correct", score, status, feedback, list(misconceptions or []))


#: Longest text echoed back from what a student typed (characters).
ECHO_LIMIT = 60


def excerpt(text, limit: int = ECHO_LIMIT) -> str:
    """``text`` as it may be echoed back: whole if short, else its start, "…" and its length."""
    text = "" if text is None else str(text)
    text = " ".join(text.split()) if len(text) > limit else text
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… ({len(text):,} characters)"


def quote(text) -> str:
    """Echo something the student typed, as a short excerpt, escaped, in bold."""
    return f"**{escape_markdown(excerpt(text))}**"


def option(text) -> str:
    """An answer option echoed in feedback: its label text (as on screen), escaped."""
    return escape_markdown(label_text(text))


def item_text(item) -> str:
    """The text of an ordering item (a string or ``{text, feedback}``)."""
    return item if isinstance(item, str) else item.get("text", "")


def item_feedback(item) -> str:
    return "" if isinstance(item, str) else item.get("feedback", "")


# --------------------------------------------------------------------------- choices

def grade_single(q: dict, answer) -> Result:
    choices = q["choices"]
    if answer is None or answer == "":
        return invalid("Please choose one of the answers, then press Check.")
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(choices):
        return invalid(f"That is not one of the {len(choices)} choices: please choose one of them.")
    picked = choices[answer]
    ok = bool(picked.get("correct"))
    text = picked.get("feedback", "")
    tags = [] if ok or not picked.get("misconception") else [picked["misconception"]]
    return scored(1.0 if ok else 0.0, text, tags)


def grade_multiple(q: dict, answer) -> Result:
    choices = q["choices"]
    if answer is None or answer == [] or answer == ():
        return invalid("Please select at least one answer (all that apply), then press Check.")
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        return invalid("Please select the answers with the tick boxes.")
    picked = sorted(set(answer))
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(choices) for i in picked):
        return invalid(f"Only choices 1 to {len(choices)} exist: please select among them.")
    right = {i for i, c in enumerate(choices) if c.get("correct")}
    hits = [i for i in picked if i in right]
    wrong = [i for i in picked if i not in right]
    score = max(0, len(hits) - len(wrong)) / len(right)
    if set(picked) == right:
        score = 1.0
    lines = [f"You found {len(hits)} of the {len(right)} right answer{'s' if len(right) != 1 else ''}"
             f" and picked {len(wrong)} wrong one{'s' if len(wrong) != 1 else ''}."]
    for i in picked:
        mark = "✓" if i in right else "✗"
        fb = choices[i].get("feedback", "")
        lines.append(f"- {mark} {option(choices[i]['text'])}" + (f": {fb}" if fb else ""))
    tags = [choices[i]["misconception"] for i in wrong if choices[i].get("misconception")]
    return scored(score, "\n".join(lines), tags)


def grade_truefalse(q: dict, answer) -> Result:
    if answer is None or answer == "":
        return invalid("Please choose True or False, then press Check.")
    if isinstance(answer, str) and answer.strip().lower() in ("true", "false"):
        answer = answer.strip().lower() == "true"
    if not isinstance(answer, bool):
        return invalid("Please choose True or False.")
    ok = answer == q["answer"]
    text = (q.get("feedback") or {}).get("true" if answer else "false", "")
    tags = [q["misconception"]] if not ok and q.get("misconception") else []
    return scored(1.0 if ok else 0.0, text, tags)


# --------------------------------------------------------------------------- numbers

def unit_matches(typed: str, unit: str | None) -> bool:
    """Whether the unit a student typed is the question's unit (or one of its spellings)."""
    typed = typed.strip()
    if not unit:
        return False
    aliases = _UNIT_ALIASES.get(unit, {unit})
    return typed in aliases or typed.lower() in {a.lower() for a in aliases}


def parse_number(text, unit: str | None = None) -> tuple[float | None, str | None]:
    """Parse a typed number with an optional unit: (value, None) or (None, message)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, "Please type a number, then press Check."
    if isinstance(text, bool):
        return None, "Please type a number."
    if isinstance(text, (int, float)):
        text = repr(text)
    raw = str(text).strip()
    shown = quote(raw)
    if _COMMA_RE.match(raw):
        fixed = escape_markdown(excerpt(raw.replace(",", ".", 1)))
        return None, f"Use a point for decimals: type {fixed}, not {shown}."
    match = _NUMBER_RE.match(raw)
    if not match:
        example = f"12 or 12.5 {unit}" if unit else "12 or 12.5"
        return None, f"{shown} is not a number: please type digits, for example {escape_markdown(example)}."
    value = float(match.group(1))
    if not math.isfinite(value):
        return None, f"{shown} is too large: please type an ordinary number."
    typed_unit = match.group(2).strip()
    if typed_unit and not unit_matches(typed_unit, unit):
        if unit:
            return None, (f"This answer is in {escape_markdown(unit)}, but you typed "
                          f"{quote(typed_unit)}: give it in {escape_markdown(unit)} (or type just the number).")
        return None, f"This answer is a plain number without a unit: type just the number, not {shown}."
    return value, None


def grade_numeric(q: dict, answer) -> Result:
    unit = q.get("unit")
    value, problem = parse_number(answer, unit)
    if problem:
        return invalid(problem)
    target, tol = float(q["answer"]), float(q["tolerance"])
    fb = q.get("feedback") or {}
    you = f"You typed {quote(str(answer).strip())}."
    if abs(value - target) <= tol * (1 + 1e-9):
        return scored(1.0, " ".join(filter(None, [you, fb.get("correct", "")])))
    if value < target:
        return scored(0.0, " ".join(filter(None, [you, fb.get("low", "That is too low.")])))
    return scored(0.0, " ".join(filter(None, [you, fb.get("high", "That is too high.")])))


# --------------------------------------------------------------------------- pairings

def _grade_pairs(keys: list, names: list[str], right: list[str], answer: dict, options: set[str],
                 feedback: list[str], what: str, label_fmt) -> Result:
    """Shared grading of matching and label answers: {key: chosen option}."""
    if not isinstance(answer, dict):
        return invalid(f"Please choose {what} from each drop-down menu.")
    answer = {str(k): v for k, v in answer.items()}
    if not any(v not in (None, "") for v in answer.values()):
        return invalid(f"Please choose {what} from the drop-down menus, then press Check.")
    unknown = [k for k in answer if k not in {str(x) for x in keys}]
    if unknown:
        return invalid(f"There is no item {quote(unknown[0])} in this question.")
    bad = [v for v in answer.values() if v not in (None, "") and v not in options]
    if bad:
        return invalid(f"{quote(bad[0])} is not one of the options: please choose from the menus.")
    good, lines = 0, []
    for key, name, want, fb in zip(keys, names, right, feedback):
        got = answer.get(str(key))
        if got in (None, ""):
            lines.append(f"- ✗ {label_fmt(name)}: not answered")
        elif got == want:
            good += 1
            lines.append(f"- ✓ {label_fmt(name)} → {option(got)}" + (f": {fb}" if fb else ""))
        else:
            lines.append(f"- ✗ {label_fmt(name)} → {option(got)} is not right")
    head = f"{good} of {len(keys)} right."
    return scored(good / len(keys), "\n".join([head] + lines))


def grade_matching(q: dict, answer) -> Result:
    pairs = q["pairs"]
    lefts = [p["left"] for p in pairs]
    options = {p["right"] for p in pairs} | set(q.get("distractors") or [])
    return _grade_pairs(lefts, lefts, [p["right"] for p in pairs], answer, options,
                        [p.get("feedback", "") for p in pairs], "a partner", lambda s: f"**{option(s)}**")


def grade_label(q: dict, answer) -> Result:
    markers = q["markers"]
    numbers = [str(i + 1) for i in range(len(markers))]
    options = {m["answer"] for m in markers} | set(q.get("distractors") or [])
    return _grade_pairs(numbers, numbers, [m["answer"] for m in markers], answer, options,
                        [m.get("feedback", "") for m in markers], "a name",
                        lambda n: f"Marker {n}")


def grade_ordering(q: dict, answer) -> Result:
    items = [item_text(i) for i in q["items"]]
    if answer is None or not isinstance(answer, (list, tuple)) or not any(a not in (None, "") for a in answer):
        return invalid("Please choose a step for each position, then press Check.")
    answer = list(answer)
    if len(answer) != len(items):
        return invalid(f"Please put all {len(items)} steps in order (one per position).")
    unknown = [a for a in answer if a not in (None, "") and a not in items]
    if unknown:
        return invalid(f"{quote(unknown[0])} is not one of the steps: please choose from the menus.")
    used = [a for a in answer if a not in (None, "")]
    twice = sorted({a for a in used if used.count(a) > 1})
    if twice:
        return invalid(f"Use each step once: {quote(twice[0])} is in more than one position.")
    good, lines = 0, []
    for pos, (got, want, item) in enumerate(zip(answer, items, q["items"]), start=1):
        if got in (None, ""):
            lines.append(f"- ✗ Step {pos}: not answered")
        elif got == want:
            good += 1
            lines.append(f"- ✓ Step {pos}: {option(got)}")
        else:
            fb = item_feedback(q["items"][items.index(got)])
            lines.append(f"- ✗ Step {pos}: {option(got)} is not in its place" + (f" ({fb})" if fb else ""))
    return scored(good / len(items), "\n".join([f"{good} of {len(items)} steps in the right place."] + lines))


GRADERS = {
    "single": grade_single,
    "multiple": grade_multiple,
    "truefalse": grade_truefalse,
    "numeric": grade_numeric,
    "matching": grade_matching,
    "ordering": grade_ordering,
    "label": grade_label,
}


def grade(question: dict, answer) -> Result:
    """Grade an answer to a question of any type (never raises for a bad answer)."""
    grader = GRADERS.get(question.get("type"))
    if grader is None:
        return invalid(f"This question has an unknown type {question.get('type')!r}.")
    try:
        return grader(question, answer)
    except (TypeError, ValueError, AttributeError) as exc:
        return invalid(f"This answer could not be read ({type(exc).__name__}): please answer again.")


def correct_answer(question: dict):
    """The right answer in the stored encoding (for answer keys and tests)."""
    kind = question["type"]
    if kind == "single":
        return next(i for i, c in enumerate(question["choices"]) if c.get("correct"))
    if kind == "multiple":
        return [i for i, c in enumerate(question["choices"]) if c.get("correct")]
    if kind in ("truefalse", "numeric"):
        return question["answer"]
    if kind == "matching":
        return {p["left"]: p["right"] for p in question["pairs"]}
    if kind == "ordering":
        return [item_text(i) for i in question["items"]]
    if kind == "label":
        return {str(i + 1): m["answer"] for i, m in enumerate(question["markers"])}
    raise ValueError(f"unknown question type {kind!r}")
