"""How the course scores a question: defined once, used by the quiz, the dashboard and the gradebook.

A question's **outcome** comes from its saved records (oldest first):

==================  ===========================================================  ======
outcome             what happened                                                credit
==================  ===========================================================  ======
``first-try``       the first checked answer was right                           1
``after-retries``   right after more than one checked answer, answer not shown   0.5
``answer-shown``    the student asked to see the answer before getting it right  0
``not-yet``         checked at least once, never right, answer not shown         0
``unanswered``      nothing saved                                                0
==================  ===========================================================  ======

A right answer given *after* the answer was shown still counts as
``answer-shown``: the point of retrieval practice is to recall before seeing.
A partly right answer (``score`` between 0 and 1) is not right.  The credit
per outcome is :data:`CREDIT`; the authoring guide (docs/authoring-questions.md,
"Scoring") says the same in words.

    question_outcome(records) -> Outcome
    notebook_score(question_ids, records) -> Score
"""
from __future__ import annotations

from dataclasses import dataclass, field

OUTCOMES = ("first-try", "after-retries", "answer-shown", "not-yet", "unanswered")
#: Credit per outcome (0–1).
CREDIT = {"first-try": 1.0, "after-retries": 0.5, "answer-shown": 0.0, "not-yet": 0.0, "unanswered": 0.0}


def _get(record, name, default=None):
    return record.get(name, default) if isinstance(record, dict) else getattr(record, name, default)


@dataclass(frozen=True)
class Outcome:
    """What happened to one question.

    ``tries``: checked answers up to and including the first right one (all of them if never right);
    ``shown``: the answer was shown at some point; ``right``: some checked answer was right.
    """

    outcome: str
    tries: int = 0
    shown: bool = False
    right: bool = False

    @property
    def credit(self) -> float:
        return CREDIT[self.outcome]

    def describe(self) -> str:
        """A short phrase for the student: "right on the first try", "right after 3 tries", ..."""
        if self.outcome == "first-try":
            return "right on the first try"
        if self.outcome == "after-retries":
            return f"right after {self.tries} tries"
        if self.outcome == "answer-shown":
            return "answer shown" + (", then answered right" if self.right else "")
        if self.outcome == "not-yet":
            return f"not right yet ({self.tries} {'try' if self.tries == 1 else 'tries'})"
        return "not answered"


def question_outcome(records) -> Outcome:
    """The outcome of one question from its records (Attempt objects or export dicts), oldest first.

    Records are ordered by their ``attempt`` number (ties keep the given order); records of kind
    "answer-shown" mark the reveal; every other kind except "decision" is a checked answer.
    """
    ordered = sorted(records, key=lambda r: _get(r, "attempt", 0))
    tries, shown = 0, False
    for r in ordered:
        kind = _get(r, "kind", "answer")
        if kind == "answer-shown":
            shown = True
            continue
        if kind == "decision":
            continue
        tries += 1
        if _get(r, "correct"):
            if shown:
                return Outcome("answer-shown", tries, True, True)
            return Outcome("first-try" if tries == 1 else "after-retries", tries, False, True)
    if shown:
        return Outcome("answer-shown", tries, True, False)
    return Outcome("not-yet", tries) if tries else Outcome("unanswered")


@dataclass
class Score:
    """A notebook's (or any set of questions') score: counts per outcome and the credit."""

    total: int
    counts: dict = field(default_factory=dict)   # outcome -> number of questions
    credit: float = 0.0                          # sum of credits, 0..total

    @property
    def right(self) -> int:
        """Questions answered right at some point without seeing the answer first."""
        return self.counts.get("first-try", 0) + self.counts.get("after-retries", 0)

    def describe(self) -> str:
        """One line: "5 / 7 right (4 on the first try, 1 after more tries); answer shown for 1"."""
        first, later = self.counts.get("first-try", 0), self.counts.get("after-retries", 0)
        line = f"{self.right} / {self.total} right"
        parts = []
        if first:
            parts.append(f"{first} on the first try")
        if later:
            parts.append(f"{later} after more tries")
        if parts:
            line += " (" + ", ".join(parts) + ")"
        shown = self.counts.get("answer-shown", 0)
        if shown:
            line += f"; answer shown for {shown}"
        return line


def notebook_score(question_ids, records) -> Score:
    """Score over ``question_ids`` from ``records`` (of any questions; others are ignored)."""
    by_q: dict = {}
    for r in records:
        by_q.setdefault(_get(r, "question_id"), []).append(r)
    counts = dict.fromkeys(OUTCOMES, 0)
    credit = 0.0
    ids = list(question_ids)
    for qid in ids:
        o = question_outcome(by_q.get(qid, []))
        counts[o.outcome] += 1
        credit += o.credit
    return Score(len(ids), counts, credit)
