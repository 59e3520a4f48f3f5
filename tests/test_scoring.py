"""The scoring rule, defined once (iliopsoas/quiz/scoring.py)."""
from __future__ import annotations

import pytest

from iliopsoas.quiz.scoring import CREDIT, notebook_score, question_outcome


def rec(attempt, correct=False, kind="answer", qid="q"):
    return {"question_id": qid, "attempt": attempt, "correct": correct, "kind": kind}


@pytest.mark.parametrize("records, outcome, tries, text", [
    ([], "unanswered", 0, "not answered"),
    ([rec(1, True)], "first-try", 1, "right on the first try"),
    ([rec(1), rec(2), rec(3, True)], "after-retries", 3, "right after 3 tries"),
    ([rec(1), rec(2)], "not-yet", 2, "not right yet (2 tries)"),
    ([rec(1), rec(2, kind="answer-shown")], "answer-shown", 1, "answer shown"),
    ([rec(1), rec(2, kind="answer-shown"), rec(3, True)], "answer-shown", 2, "answer shown, then answered right"),
    ([rec(2, True), rec(1)], "after-retries", 2, "right after 2 tries"),
])
def test_outcomes(records, outcome, tries, text):
    o = question_outcome(records)
    assert (o.outcome, o.tries, o.describe()) == (outcome, tries, text)
    assert o.credit == CREDIT[outcome]


def test_a_right_answer_before_the_reveal_keeps_its_credit():
    o = question_outcome([rec(1, True), rec(2, kind="answer-shown")])
    assert o.outcome == "first-try" and o.credit == 1.0


def test_notebook_score_counts_outcomes_and_credit():
    records = [rec(1, True, qid="a"), rec(1, qid="b"), rec(2, True, qid="b"),
               rec(1, qid="c"), rec(2, kind="answer-shown", qid="c"), rec(1, True, qid="other")]
    s = notebook_score(["a", "b", "c", "d"], records)
    assert s.counts == {"first-try": 1, "after-retries": 1, "answer-shown": 1, "not-yet": 0, "unanswered": 1}
    assert s.credit == 1.5 and s.right == 2 and s.total == 4
    assert s.describe() == "2 / 4 right (1 on the first try, 1 after more tries); answer shown for 1"
