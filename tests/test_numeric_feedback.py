"""A wrong first try at a number question gets a pointer to the method, never the answer: the
feedback for "too low" and "too high" (shown before any Show answer) must not contain the keyed
number or the last step that gives it (a student trial found "100 ÷ 5 = 20" in the feedback of
a question whose answer is 20)."""
from __future__ import annotations

import re

import pytest

from iliopsoas.quiz.banks import load_course

COURSE = load_course()
NUMERIC = [(nb, q) for nb, bank in COURSE.banks.items() for q in bank.questions if q["type"] == "numeric"]


def numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"(?<![\w.])\d+(?:[.,]\d+)?", text)]


def gives_away(text: str, answer: float, tolerance: float) -> bool:
    """True when the text holds a number within the question's tolerance of its answer."""
    return any(abs(n - answer) <= tolerance for n in numbers(text))


@pytest.mark.parametrize("nb, q", NUMERIC, ids=[q["id"] for _, q in NUMERIC])
def test_wrong_attempt_feedback_does_not_give_the_answer(nb, q):
    for side in ("low", "high"):
        text = q.get("feedback", {}).get(side, "")
        assert not gives_away(text, float(q["answer"]), float(q.get("tolerance", 0))), (
            f"quizzes/{nb}.yml {q['id']}: the {side!r} feedback gives the answer away: {text}")


def test_the_check_catches_a_computed_answer():
    assert gives_away("The absolute difference is 20 − 15 = 5 per 100; 100 ÷ 5 = 20.", 20, 0.5)
    assert not gives_away("Divide 100 by the absolute difference per 100.", 20, 0.5)
