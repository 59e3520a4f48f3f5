"""The quiz as a student meets it (issue 10 and the display side of issue 11).

Retrieval before revelation (no explanation after a wrong answer; *Show answer*
after N tries, recorded), the last answers shown again after a restart, a
read-only progress file, warnings shown once, broken questions shown in their
place, labels shown as written, short echoes of long typed text, times with
their zone, and the dashboard's sections, next question and self-refresh.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from iliopsoas.api import show_quiz
from iliopsoas.markdown import label_text
from iliopsoas.progress.store import ProgressStore
from iliopsoas.quiz import widgets as quiz_module
from iliopsoas.quiz.banks import BankValidationError, load_bank_partial, validate_course

ROOT = Path(__file__).resolve().parent.parent
COMMON = {"objective": "x-obj", "sources": ["gray1918"], "explanation": "EXPLAINED: psoas and iliacus."}


def single(qid, **extra):
    return {"id": qid, "type": "single", "prompt": f"Prompt of {qid}?", **COMMON,
            "hints": ["First hint.", "Second hint."],
            "choices": [{"text": "Right one", "correct": True, "feedback": "Yes."},
                        {"text": "Wrong one", "feedback": "WRONG-FEEDBACK: not this.",
                         "misconception": "psoas-minor-always-present"},
                        {"text": "Other wrong", "feedback": "Nor this."}], **extra}


QUESTIONS = [
    single("x-single"),
    single("x-quick", show_answer_after=1),
    {"id": "x-multiple", "type": "multiple", "prompt": "Pick A and B.", **COMMON,
     "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}, {"text": "C"}]},
    {"id": "x-tf", "type": "truefalse", "prompt": "True?", **COMMON, "answer": False},
    {"id": "x-num", "type": "numeric", "prompt": "How many mm?", **COMMON, "answer": 12, "tolerance": 1,
     "unit": "mm"},
    {"id": "x-match", "type": "matching", "prompt": "Match.", **COMMON,
     "pairs": [{"left": "Psoas major", "right": "Spine"}, {"left": "Iliacus", "right": "Pelvis"}]},
    {"id": "x-order", "type": "ordering", "prompt": "Order.", **COMMON, "items": ["one", "two", "three"]},
    {"id": "x-label", "type": "label", "prompt": "Name the markers.", **COMMON, "figure": "anterior",
     "markers": [{"structure": "psoas_major", "answer": "Psoas major"},
                 {"structure": "iliacus", "answer": "Iliacus"}]},
]
BANK = {"notebook": "90-exp", "title": "Experience bank",
        "objectives": [{"id": "x-obj", "text": "Test the quiz."}], "questions": QUESTIONS}
NB = "90-exp"


def write_bank(root: Path, data: dict | str, name: str = NB) -> Path:
    path = root / "quizzes" / f"{name}.yml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


@pytest.fixture
def course(tmp_path, monkeypatch):
    root = tmp_path / "course"
    (root / "quizzes").mkdir(parents=True)
    (root / "assets").mkdir()
    shutil.copy(ROOT / "assets" / "references.yml", root / "assets")
    shutil.copy(ROOT / "quizzes" / "misconceptions.yml", root / "quizzes")
    shutil.copy(ROOT / "assets" / "course.yml", root / "assets")
    write_bank(root, BANK)
    monkeypatch.setenv("ILIOPSOAS_COURSE_ROOT", str(root))
    fake = type("Fig", (), {"png": b"\x89PNG\r\n\x1a\nfake", "alt": "markers 1 and 2"})()
    monkeypatch.setattr(quiz_module, "load_figure", lambda view, structures: (fake, ""))
    return root


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "progress.sqlite3")


def quiz(store, ids=None):
    qz = show_quiz(NB, ids=ids, store=store)
    assert isinstance(qz, quiz_module.Quiz), qz
    return qz


def pick(view, label):
    radio = view.inputs[0]
    radio.value = dict(radio.options)[label]


def shown(widget) -> bool:
    return widget.layout.display != "none"


# --------------------------------------------------------------------------- retrieval before revelation

def test_a_wrong_answer_shows_feedback_and_a_hint_never_the_explanation(course, store):
    view = quiz(store).views["x-single"]
    pick(view, "Wrong one")
    view.check_button.click()
    assert view.feedback.value.count("✗ Not quite") == 1
    assert "WRONG-FEEDBACK: not this." in view.feedback.value, "the chosen answer's feedback"
    assert "First hint." in view.hint_area.value, "the next hint is shown after a wrong answer"
    assert not shown(view.explanation) and "EXPLAINED" not in view.explanation.value
    assert "EXPLAINED" not in view.feedback.value
    assert not shown(view.show_answer_button), "offered only after 2 tries (the default)"
    pick(view, "Right one")
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value
    assert shown(view.explanation) and "EXPLAINED: psoas and iliacus." in view.explanation.value
    assert "Sources: " in view.explanation.value


def test_show_answer_is_offered_after_n_tries_and_recorded(course, store):
    qz = quiz(store)
    view = qz.views["x-single"]
    for label in ("Wrong one", "Other wrong"):
        assert not shown(view.show_answer_button)
        pick(view, label)
        view.check_button.click()
    assert shown(view.show_answer_button), "after 2 wrong tries"
    assert view.show_answer_button.description == "Show answer"
    assert not shown(view.explanation)
    view.show_answer_button.click()
    assert [(a.question_id, a.kind) for a in store.attempts()][-1] == ("x-single", "answer-shown")
    assert shown(view.explanation)
    assert "Answer:" in view.explanation.value and "Right one" in view.explanation.value
    assert "EXPLAINED" in view.explanation.value
    assert not shown(view.show_answer_button)
    assert "answer shown for 1" in qz.score.value and "0 of 8 points" in qz.score.value
    pick(view, "Right one")  # right after seeing it: still "answer shown", no points
    view.check_button.click()
    assert "0 / 8 right" in qz.score.value and "0 of 8 points" in qz.score.value


def test_show_answer_after_is_a_bank_field(course, store):
    view = quiz(store).views["x-quick"]
    pick(view, "Wrong one")
    view.check_button.click()
    assert shown(view.show_answer_button), "show_answer_after: 1"
    for bad in (0, "two"):
        data = yaml.safe_load(yaml.safe_dump(BANK))
        data["questions"][1]["show_answer_after"] = bad
        write_bank(course, data)
        errors = [str(e) for e in validate_course(course)]
        assert any("x-quick" in e and "show_answer_after" in e for e in errors), (bad, errors)
    schema = (ROOT / "quizzes" / "schema.json").read_text(encoding="utf-8")
    assert '"show_answer_after"' in schema
    guide = (ROOT / "docs" / "authoring-questions.md").read_text(encoding="utf-8")
    assert "show_answer_after" in guide and "## Scoring" in guide


def test_a_right_first_answer_needs_no_show_answer(course, store):
    qz = quiz(store)
    view = qz.views["x-single"]
    pick(view, "Right one")
    view.check_button.click()
    assert not shown(view.show_answer_button)
    assert "1 / 8 right (1 on the first try) · 1 of 8 points" in qz.score.value


# --------------------------------------------------------------------------- pick up where you left off

ANSWERS = {  # question -> (wrong answer, right answer) in the stored encoding
    "x-single": (1, 0), "x-multiple": ([2], [0, 1]), "x-tf": (True, False), "x-num": ("20", "12 mm"),
    "x-match": ({"Psoas major": "Pelvis", "Iliacus": "Spine"}, {"Psoas major": "Spine", "Iliacus": "Pelvis"}),
    "x-order": (["three", "one", "two"], ["one", "two", "three"]),
    "x-label": ({"1": "Iliacus", "2": "Psoas major"}, {"1": "Psoas major", "2": "Iliacus"}),
}


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_after_a_restart_each_question_shows_its_last_answer_and_result(course, store, qid):
    wrong, right = ANSWERS[qid]
    store.record(NB, qid, right, True, 1.0, [])
    store.record(NB, qid, wrong, False, 0.0, [])
    view = quiz(store).views[qid]  # a new kernel: a new quiz on the same store
    assert view.answer() == (wrong if not isinstance(wrong, list) or qid == "x-order" else sorted(wrong))
    assert view.feedback.value.startswith('<p class="iliopsoas-verdict"><strong>✗ Not quite')
    assert "your last answer: attempt 2, saved " in view.feedback.value
    assert shown(view.try_again_button)
    assert view.attempts == 2
    n_before = len(store.attempts())
    view.check_button.click()  # the restored answer checked again unchanged is not a new attempt
    assert len(store.attempts()) == n_before
    view.try_again_button.click()
    assert view.feedback.value == "" and not shown(view.explanation) and not shown(view.try_again_button)
    empty = {"x-single": None, "x-tf": None, "x-multiple": [], "x-num": "", "x-match": {}, "x-label": {},
             "x-order": ["", "", ""]}
    assert view.answer() == empty[qid]
    assert len(store.attempts()) == n_before, "trying again records nothing by itself"


def test_a_restored_right_answer_shows_its_explanation_and_a_shown_answer_stays_shown(course, store):
    store.record(NB, "x-single", 0, True, 1.0, [])
    store.record(NB, "x-quick", 1, False, 0.0, [])
    store.record_answer_shown(NB, "x-quick")
    qz = quiz(store)
    right, revealed = qz.views["x-single"], qz.views["x-quick"]
    assert right.inputs[0].value == 0 and "✓ Correct" in right.feedback.value and shown(right.explanation)
    assert shown(revealed.explanation) and "Answer:" in revealed.explanation.value
    assert not shown(revealed.show_answer_button)
    assert "1 / 8 right (1 on the first try); answer shown for 1" in qz.score.value


def test_a_restored_wrong_answer_keeps_the_show_answer_offer(course, store):
    for answer in (1, 2):
        store.record(NB, "x-single", answer, False, 0.0, [])
    view = quiz(store).views["x-single"]
    assert shown(view.show_answer_button) and not shown(view.explanation)


def test_a_stored_answer_that_no_longer_fits_starts_blank(course, store):
    store.record(NB, "x-match", {"Psoas major": "Femur"}, False, 0.0, [])  # "Femur" is no option now
    view = quiz(store).views["x-match"]
    assert view.answer() == {} and "no longer fits" in view.feedback.value


# --------------------------------------------------------------------------- read-only store, warnings once

def test_a_read_only_store_shows_saved_answers_and_says_new_ones_are_not_kept(course, tmp_path):
    path = tmp_path / "progress.sqlite3"
    writer = ProgressStore(path)
    for qid, (_wrong, right) in ANSWERS.items():
        writer.record(NB, qid, right, True, 1.0, [])
    ro = ProgressStore(path, readonly=True)
    assert ro.readonly
    qz = quiz(ro)
    assert "7 / 8 right" in qz.score.value, "the saved answers count (not an empty memory store)"
    assert "can be read but not written" in qz.notice.value and "will not be kept" in qz.notice.value
    view = qz.views["x-single"]
    assert view.inputs[0].value == 0 and "✓ Correct" in view.feedback.value
    pick(view, "Wrong one")
    view.check_button.click()  # graded, not saved, and no error
    assert "✗ Not quite" in view.feedback.value and "could not be saved" not in view.feedback.value
    assert len(ro.attempts()) == 7


class WarningStore(ProgressStore):
    """Today's store with a warning (as after a damaged file was moved aside)."""

    def __init__(self, text):
        super().__init__(None)
        self.warnings = [text]


def test_store_warnings_are_shown_once_at_the_top_never_in_feedback(course):
    text = "Your progress file X was damaged (test-once-1). It was moved to Y."
    store = WarningStore(text)
    first = quiz(store, ids=["x-single"])
    second = quiz(store, ids=["x-tf"])
    assert text in first.notice.value and 'role="alert"' in first.notice.value
    assert text not in second.notice.value, "shown once, in the first quiz"
    view = first.views["x-single"]
    for label in ("Wrong one", "Right one"):
        pick(view, label)
        view.check_button.click()
        assert "test-once-1" not in view.feedback.value
    again = quiz(store, ids=["x-single"])  # the same cell run again shows it again
    assert text in again.notice.value


def test_the_dashboard_shows_the_warning_and_then_no_quiz_repeats_it(course):
    from iliopsoas.progress.dashboard import show_progress

    text = "Your progress file X was damaged (test-once-2). It was moved to Y."
    store = WarningStore(text)
    dash = show_progress(store)
    assert text in dash.notice.value
    assert text not in quiz(store).notice.value
    assert text in show_progress(store).notice.value, "the dashboard always shows the store's state"


# --------------------------------------------------------------------------- one typo does not hide a quiz

def test_a_typo_in_one_question_hides_only_that_question(course, store):
    text = yaml.safe_dump(BANK, sort_keys=False).replace("answer: false", "answer: flase")
    assert "flase" in text
    write_bank(course, text)
    qz = quiz(store)
    assert sorted(qz.views) == sorted(q["id"] for q in QUESTIONS if q["id"] != "x-tf")
    (broken,) = qz.broken
    box = qz.static_html()
    assert "quizzes/90-exp.yml" in box and "x-tf" in box and "field &#x27;answer&#x27;" in box
    assert "flase" in box and "true or false" in box
    assert "iliopsoas-question-error" in box
    live = [c.value for c in qz.widget.children if "iliopsoas-question-error" in getattr(c, "value", "")]
    assert len(live) == 1 and "x-tf" in live[0]
    assert "x-tf" in qz.text() and "answer" in qz.text()
    assert "/ 7 right" in qz.score.value, "the total counts the questions that can be answered"


def test_a_question_without_an_id_or_of_the_wrong_shape_is_named_by_its_place(course, store):
    data = yaml.safe_load(yaml.safe_dump(BANK))
    del data["questions"][2]["id"]
    data["questions"][3] = "just a string"
    write_bank(course, data)
    bank = load_bank_partial(NB)
    names = [b.name for b in bank.broken]
    assert names == ["question #3", "question #4"]
    assert len(bank.questions) == len(QUESTIONS) - 2


def test_a_yaml_syntax_error_is_explained_in_plain_words_with_line_and_column(course, store):
    text = yaml.safe_dump(BANK, sort_keys=False).replace("prompt: Prompt of x-single?",
                                                        "prompt: Why: because of x-single")
    write_bank(course, text)
    line = next(i for i, ln in enumerate(text.splitlines(), start=1) if "Why: because" in ln)
    result = show_quiz(NB, store=store)
    assert isinstance(result, quiz_module.QuizError)
    message = result.text()
    assert f"line {line}, column " in message
    assert "put the whole text in double quotes" in message
    with pytest.raises(BankValidationError):
        load_bank_partial(NB)


def test_an_unknown_id_among_known_ones_is_a_box_in_its_place(course, store):
    qz = quiz(store, ids=["x-single", "x-nope", "x-tf"])
    assert list(qz.views) == ["x-single", "x-tf"]
    assert "no question &#x27;x-nope&#x27;" in qz.static_html()


# --------------------------------------------------------------------------- labels as written

LABELS = ["1. Iliacus first", "- dash item", "# Heading choice", "    indented text", "**Bold** and `code`",
          "Psoas (major) & iliacus"]


def test_live_and_static_labels_agree_for_text_that_validates(course, store):
    data = yaml.safe_load(yaml.safe_dump(BANK))
    data["questions"][0]["choices"] = [{"text": t, "correct": i == 0} for i, t in enumerate(LABELS)]
    data["questions"][5]["pairs"][0]["left"] = "1. Psoas major"
    data["questions"][6]["items"] = ["- one", "# two", "3. three"]
    write_bank(course, data)
    assert validate_course(course) == []
    qz = quiz(store)
    view = qz.views["x-single"]
    live = sorted(label for label, _ in view.inputs[0].options)
    assert live == sorted(["1. Iliacus first", "- dash item", "# Heading choice", "indented text",
                           "Bold and code", "Psoas (major) & iliacus"])
    static = view.static_html()
    items = re.findall(r"<ol type=\"A\">(.*?)</ol>", static, re.S)[0]
    static_labels = sorted(re.sub(r"<[^>]+>", "", li).replace("&amp;", "&")
                           for li in re.findall(r"<li>(.*?)</li>", items))
    assert static_labels == live, "the static version shows the same text as the radio labels"
    assert qz.views["x-match"].inputs[0].description == "1. Psoas major"
    order_live = sorted(label for label, v in qz.views["x-order"].inputs[0].options if v)
    assert order_live == ["# two", "- one", "3. three"]
    pick(view, "1. Iliacus first")
    view.check_button.click()
    assert "1. Iliacus first" in re.sub(r"<[^>]+>", "", view.explanation.value) or "✓ Correct" in view.feedback.value


@pytest.mark.parametrize("text, reason", [
    ("$\\alpha$ angle", "maths"), ("$$F = m a$$", "maths"), ("see [this](https://x.org)", "link"),
    ("two\n\nparagraphs", "one paragraph"),
])
def test_text_that_cannot_be_a_label_is_refused_with_a_reason(course, text, reason):
    data = yaml.safe_load(yaml.safe_dump(BANK))
    data["questions"][0]["choices"][1]["text"] = text
    data["questions"][5]["distractors"] = [text]
    write_bank(course, data)
    errors = [str(e) for e in validate_course(course)]
    assert any("field 'choices[1].text'" in e and reason in e for e in errors), errors
    assert any("field 'distractors[0]'" in e and reason in e for e in errors), errors
    guide = (ROOT / "docs" / "authoring-questions.md").read_text(encoding="utf-8")
    assert "answer option" in guide and "maths" in guide.lower()


def test_the_real_banks_have_labels_that_agree():
    from iliopsoas.markdown import render_inline

    for path in sorted((ROOT / "quizzes").glob("[0-9][0-9]-*.yml")):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            for c in q.get("choices") or []:
                shown_text = re.sub(r"<[^>]+>", "", render_inline(c["text"]))
                assert label_text(c["text"]) == re.sub(r"\s+", " ", shown_text).replace("&amp;", "&").strip(), c


# --------------------------------------------------------------------------- short echoes

def test_a_huge_pasted_answer_is_echoed_as_a_short_excerpt(course, store):
    view = quiz(store).views["x-num"]
    for typed in ("x" * 1_000_000, "12 " + "mm" * 500_000, "1," + "5" * 1_000_000):
        view.inputs[0].value = typed
        text = re.sub(r"<[^>]+>", "", view.feedback.value)
        assert len(view.feedback.value) < 2000, (typed[:20], len(view.feedback.value))
        assert "characters)" in text
    from iliopsoas.quiz import grading

    for q in QUESTIONS:  # every field a student can fill, fed a huge value through the grader
        big = "y" * 200_000
        for answer in (big, [big] * 3, {"Psoas major": big}, {"1": big}):
            result = grading.grade(q, answer)
            assert len(result.feedback_md) < 2000, (q["id"], type(answer).__name__)


# --------------------------------------------------------------------------- times with their zone

def test_times_are_shown_in_the_students_zone_with_the_zone_named(monkeypatch):
    from iliopsoas import display

    monkeypatch.setattr(display, "_BROWSER_ZONE", None)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv(display.TIMEZONE_ENV, raising=False)
    import time

    time.tzset()
    stamp = "2026-11-25T21:46:00.000+00:00"
    assert display.format_time(stamp) == "25 Nov 2026, 21:46 UTC"
    assert display.set_student_timezone("Europe/Paris")  # what the browser reports
    assert display.format_time(stamp) == "25 Nov 2026, 22:46 CET"
    assert not display.set_student_timezone("Not/AZone")
    monkeypatch.setenv(display.TIMEZONE_ENV, "Asia/Kolkata")
    assert display.format_time(stamp) == "26 Nov 2026, 03:16 IST"
    monkeypatch.setenv(display.TIMEZONE_ENV, "Etc/GMT-3")
    assert display.format_time(stamp) == "26 Nov 2026, 00:46 UTC+03:00"


# --------------------------------------------------------------------------- the dashboard

def test_the_dashboard_names_sections_done_and_links_the_next_question(tmp_path, monkeypatch):
    from iliopsoas.progress.dashboard import lesson_sections, show_progress

    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)
    store = ProgressStore(tmp_path / "p.sqlite3")
    sections = lesson_sections(ROOT / "notebooks" / "01-anatomy.ipynb")
    assert len(sections) >= 2
    first, second = sections[0], sections[1]
    assert first.anchor == first.title.replace(" ", "-")
    for qid in first.questions:
        store.record("01-anatomy", qid, 0, True, 1.0, [])
    dash = show_progress(store)
    (row,) = [r for r in dash.rows if r.slug == "01-anatomy"]
    assert row.sections_done == 1 and row.next_question == second.questions[0]
    assert row.next_section.title == second.title
    html = dash.table.value
    cell = re.search(r'<td class="iliopsoas-progress-next"[^>]*>(.*?)</td>', html.split("row-01-anatomy")[1], re.S)
    assert f'href="01-anatomy.ipynb#{second.anchor}"' in cell.group(1)
    assert f"1 of {len(sections)} sections done" in cell.group(1)
    assert re.search(r"\d\d:\d\d (UTC|[A-Z]{2,5}|UTC[+-]\d\d:\d\d)</td>", html), "the time names its zone"


def test_the_dashboard_refreshes_after_a_check_without_refresh(tmp_path, monkeypatch):
    from iliopsoas.progress.dashboard import show_progress

    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)
    store = ProgressStore(tmp_path / "p.sqlite3")
    dash = show_progress(store)
    before = dash.table.value
    assert 'data-answered="0"' in before.split("row-00-start-here")[1][:400]
    qz = show_quiz("00-start-here", store=store)
    view = qz.views["start-which-muscles"]
    view.inputs[0].value = dict(view.inputs[0].options)["Psoas major and iliacus"]
    view.check_button.click()
    assert 'data-answered="1"' in dash.table.value.split("row-00-start-here")[1][:400]


def test_a_store_that_says_it_is_read_only_is_not_told_twice(course, tmp_path):
    """The interface W11's store offers: ``readonly`` true and its own warning in ``warnings``."""
    path = tmp_path / "progress.sqlite3"
    ProgressStore(path).record(NB, "x-single", 0, True, 1.0, [])
    ro = ProgressStore(path, readonly=True)
    ro.warnings = ["The progress file P is read-only (test-ro-1): your saved answers are shown, "
                   "but new answers will not be kept."]
    qz = quiz(ro)
    assert qz.notice.value.count("will not be kept") == 1 and "test-ro-1" in qz.notice.value
    assert "✓ Correct" in qz.views["x-single"].feedback.value
