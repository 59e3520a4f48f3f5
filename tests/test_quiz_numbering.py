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


def test_every_section_quiz_in_the_notebooks_lists_its_questions_in_bank_order():
    """Numbers rise down the page: a call listing ids out of bank order showed "Question 9, 11, 10"."""
    import ast
    import json
    from pathlib import Path

    course = load_course()
    problems, calls = [], 0
    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_quiz"):
                    continue
                ids = next((k.value for k in node.keywords if k.arg == "ids"), None)
                if not (node.args and isinstance(ids, ast.List)):
                    continue
                calls += 1
                bank = ast.literal_eval(node.args[0])
                order = [q["id"] for q in course.banks[bank].questions]
                listed = [ast.literal_eval(e) for e in ids.elts]
                places = [order.index(i) for i in listed]
                if places != sorted(places):
                    problems.append(f"{path.name}: {listed} (bank places {[p + 1 for p in places]})")
    assert calls >= 10, f"only {calls} section quizzes found: has the way notebooks call show_quiz changed?"
    assert not problems, "section quiz ids out of bank order:\n" + "\n".join(problems)
