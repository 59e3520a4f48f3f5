"""Questions are numbered by their place in the lesson's bank, so a lesson split into section
quizzes shows each number once (a student saw "Question 1" at the top of every section of 03)."""
from __future__ import annotations

import re

from iliopsoas.quiz.banks import load_course
from iliopsoas.quiz.widgets import show_quiz
from iliopsoas.progress.store import ProgressStore


def heads(quiz) -> list[int]:
    return [int(n) for n in re.findall(r"<strong>Question (\d+)\.</strong>", quiz.static_html())]


def test_section_quizzes_number_questions_by_their_place_in_the_bank():
    bank = load_course().banks["03-conditions"]
    ids = [q["id"] for q in bank.questions]
    first = show_quiz("03-conditions", ids=ids[:2], store=ProgressStore(None))
    later = show_quiz("03-conditions", ids=ids[4:6], store=ProgressStore(None))
    assert heads(first) == [1, 2]
    assert heads(later) == [5, 6], "the second section went back to Question 1"
    whole = show_quiz("03-conditions", store=ProgressStore(None))
    assert heads(whole) == list(range(1, len(ids) + 1))


def test_live_header_uses_the_same_number_as_the_static_version():
    bank = load_course().banks["03-conditions"]
    qid = bank.questions[3]["id"]
    quiz = show_quiz("03-conditions", ids=[qid], store=ProgressStore(None))
    assert quiz.views[qid].number == 4
    assert "<strong>Question 4.</strong>" in quiz.views[qid]._prompt_html()
