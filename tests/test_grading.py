"""Grading every question type: right, wrong, partial, empty and malformed answers."""
from __future__ import annotations

import pytest

from iliopsoas.quiz.grading import correct_answer, grade, parse_number

COMMON = {"objective": "o", "sources": ["gray1918"], "prompt": "?", "explanation": "Because."}

SINGLE = {**COMMON, "id": "s", "type": "single", "choices": [
    {"text": "Psoas major and iliacus", "correct": True, "feedback": "Yes."},
    {"text": "Psoas major and psoas minor", "feedback": "Minor is often absent.",
     "misconception": "psoas-minor-always-present"},
    {"text": "Iliacus alone", "feedback": "Only half of it."},
]}
MULTIPLE = {**COMMON, "id": "m", "type": "multiple", "choices": [
    {"text": "A", "correct": True, "feedback": "A is right."},
    {"text": "B", "correct": True, "feedback": "B is right."},
    {"text": "C", "feedback": "C is wrong.", "misconception": "rotation-settled"},
    {"text": "D", "feedback": "D is wrong."},
]}
TRUEFALSE = {**COMMON, "id": "t", "type": "truefalse", "answer": False,
             "feedback": {"true": "No: lesser trochanter.", "false": "Right."},
             "misconception": "inserts-greater-trochanter"}
NUMERIC = {**COMMON, "id": "n", "type": "numeric", "answer": 12, "tolerance": 1, "unit": "mm",
           "feedback": {"correct": "Spot on.", "low": "Too short.", "high": "Too long."}}
PLAIN_NUMERIC = {**COMMON, "id": "n2", "type": "numeric", "answer": 5, "tolerance": 0.5}
PERCENT = {**COMMON, "id": "n3", "type": "numeric", "answer": 50, "tolerance": 5, "unit": "%"}
DEGREES = {**COMMON, "id": "n4", "type": "numeric", "answer": 30, "tolerance": 5, "unit": "°"}
MATCHING = {**COMMON, "id": "mt", "type": "matching", "pairs": [
    {"left": "Psoas major", "right": "Lumbar spine", "feedback": "From the spine."},
    {"left": "Iliacus", "right": "Iliac fossa"},
    {"left": "Psoas minor", "right": "T12-L1"},
], "distractors": ["Greater trochanter"]}
ORDERING = {**COMMON, "id": "o", "type": "ordering",
            "items": ["first", {"text": "second", "feedback": "Second goes in the middle."}, "third"]}
LABEL = {**COMMON, "id": "l", "type": "label", "figure": "anterior", "markers": [
    {"structure": "psoas_major", "answer": "Psoas major"},
    {"structure": "iliacus", "answer": "Iliacus"},
], "distractors": ["Sartorius"]}
ALL = [SINGLE, MULTIPLE, TRUEFALSE, NUMERIC, MATCHING, ORDERING, LABEL]


@pytest.mark.parametrize("q", ALL, ids=lambda q: q["type"])
def test_the_correct_answer_is_correct(q):
    r = grade(q, correct_answer(q))
    assert (r.correct, r.score, r.status, r.misconceptions) == (True, 1.0, "correct", [])


EMPTY = {"single": None, "multiple": [], "truefalse": None, "numeric": "",
         "matching": {}, "ordering": [None, None, None], "label": {}}


@pytest.mark.parametrize("q", ALL, ids=lambda q: q["type"])
def test_an_empty_answer_is_invalid_and_asks_to_choose(q):
    r = grade(q, EMPTY[q["type"]])
    assert (r.correct, r.score, r.status) == (False, 0.0, "invalid")
    assert "please" in r.feedback_md.lower()


MALFORMED = [
    (SINGLE, 7), (SINGLE, "A"), (SINGLE, True), (MULTIPLE, "A"), (MULTIPLE, [0, 9]), (TRUEFALSE, 3),
    (NUMERIC, ["12"]), (MATCHING, ["Lumbar spine"]), (MATCHING, {"Nobody": "Lumbar spine"}),
    (MATCHING, {"Iliacus": "Nowhere"}), (ORDERING, "first"), (ORDERING, ["first", "second"]),
    (ORDERING, ["first", "fourth", "third"]), (LABEL, {"9": "Iliacus"}), (LABEL, {"1": "Spleen"}),
]


@pytest.mark.parametrize("q,answer", MALFORMED, ids=lambda v: repr(v)[:30])
def test_a_malformed_answer_is_invalid_not_an_exception(q, answer):
    r = grade(q, answer)
    assert r.status == "invalid" and not r.correct and r.feedback_md


def test_single_wrong_answer_gives_the_choice_feedback_and_its_misconception():
    r = grade(SINGLE, 1)
    assert (r.correct, r.score, r.status) == (False, 0.0, "incorrect")
    assert r.feedback_md == "Minor is often absent."
    assert r.misconceptions == ["psoas-minor-always-present"]
    assert grade(SINGLE, 2).misconceptions == []


def test_multiple_partial_credit_counts_right_and_wrong_picks():
    r = grade(MULTIPLE, [0])
    assert (r.status, r.score) == ("partial", 0.5)
    assert "You found 1 of the 2 right answers and picked 0 wrong ones." in r.feedback_md
    assert "A is right." in r.feedback_md and "B is right." not in r.feedback_md


def test_multiple_wrong_picks_cost_credit_and_carry_their_feedback_and_tags():
    r = grade(MULTIPLE, [0, 1, 2])
    assert r.status == "partial" and r.score == pytest.approx(0.5)
    assert "found 2 of the 2 right answers and picked 1 wrong one." in r.feedback_md
    assert "C is wrong." in r.feedback_md
    assert r.misconceptions == ["rotation-settled"]
    r = grade(MULTIPLE, [2, 3])
    assert (r.status, r.score, r.correct) == ("incorrect", 0.0, False)
    assert "found 0 of the 2" in r.feedback_md and "picked 2 wrong ones" in r.feedback_md


def test_multiple_order_and_duplicates_do_not_matter():
    assert grade(MULTIPLE, [1, 0]).correct
    assert grade(MULTIPLE, (1, 0, 0)).correct


def test_truefalse_right_and_wrong():
    right = grade(TRUEFALSE, False)
    assert right.correct and right.feedback_md == "Right."
    wrong = grade(TRUEFALSE, True)
    assert not wrong.correct and wrong.status == "incorrect"
    assert wrong.feedback_md == "No: lesser trochanter."
    assert wrong.misconceptions == ["inserts-greater-trochanter"]


@pytest.mark.parametrize("text,value", [
    ("12", 12.0), ("12.0", 12.0), (" 12 ", 12.0), ("12 mm", 12.0), ("12mm", 12.0), ("12 MM", 12.0),
    ("-3", -3.0), ("1e1", 10.0), ("+4.5", 4.5), (".5", 0.5), ("12.", 12.0),
])
def test_numeric_parsing_accepts(text, value):
    assert parse_number(text, "mm") == (value, None)


@pytest.mark.parametrize("text,unit,message", [
    ("twelve", "mm", "is not a number"),
    ("", "mm", "Please type a number"),
    ("   ", "mm", "Please type a number"),
    ("12 cm", "mm", "This answer is in mm"),
    ("1,5", "mm", "Use a point for decimals"),
    ("12 mm", None, "without a unit"),
    ("1e999", "mm", "too large"),
    ("12 13", "mm", "This answer is in mm"),
])
def test_numeric_parsing_rejects_with_a_message(text, unit, message):
    value, problem = parse_number(text, unit)
    assert value is None and message in problem


@pytest.mark.parametrize("q,text", [(PERCENT, "12 %"), (PERCENT, "12%"), (PERCENT, "12 percent"),
                                    (DEGREES, "12°"), (DEGREES, "12 deg"), (DEGREES, "12 degrees")])
def test_numeric_units_and_their_spellings(q, text):
    assert parse_number(text, q["unit"]) == (12.0, None)


def test_numeric_grades_within_tolerance_and_says_low_or_high():
    assert grade(NUMERIC, "11 mm").correct and grade(NUMERIC, "13").correct
    low, high = grade(NUMERIC, "10.5"), grade(NUMERIC, "14mm")
    assert (low.status, high.status) == ("incorrect", "incorrect")
    assert "Too short." in low.feedback_md and "Too long." in high.feedback_md
    assert "Spot on." in grade(NUMERIC, "12").feedback_md
    assert grade(PLAIN_NUMERIC, "5.4").correct and not grade(PLAIN_NUMERIC, "5.6").correct
    assert "too low" in grade(PLAIN_NUMERIC, "2").feedback_md


@pytest.mark.parametrize("text", ["twelve", "1,5", "12 cm", ""])
def test_numeric_bad_text_is_invalid_not_wrong(text):
    r = grade(NUMERIC, text)
    assert r.status == "invalid" and r.score == 0.0


def test_numeric_echo_escapes_what_was_typed():
    r = grade(NUMERIC, "<script>alert(1)</script>")
    assert r.status == "invalid"
    assert "<script>" not in r.feedback_md and r"\<script\>" in r.feedback_md


def test_matching_partial_with_per_item_feedback():
    answer = {"Psoas major": "Lumbar spine", "Iliacus": "Greater trochanter", "Psoas minor": "Iliac fossa"}
    r = grade(MATCHING, answer)
    assert r.status == "partial" and r.score == pytest.approx(1 / 3)
    assert r.feedback_md.startswith("1 of 3 right.")
    assert "✓ **Psoas major** → Lumbar spine: From the spine." in r.feedback_md
    assert "✗ **Iliacus** → Greater trochanter is not right" in r.feedback_md


def test_matching_unanswered_items_count_as_wrong():
    r = grade(MATCHING, {"Iliacus": "Iliac fossa"})
    assert r.status == "partial" and r.score == pytest.approx(1 / 3)
    assert "**Psoas major**: not answered" in r.feedback_md
    wrong = grade(MATCHING, {"Psoas major": "Iliac fossa", "Iliacus": "Lumbar spine", "Psoas minor": "T12-L1"})
    assert wrong.score == pytest.approx(1 / 3)


def test_ordering_partial_with_per_position_feedback():
    r = grade(ORDERING, ["second", "first", "third"])
    assert r.status == "partial" and r.score == pytest.approx(1 / 3)
    assert "✗ Step 1: second is not in its place (Second goes in the middle.)" in r.feedback_md
    assert "✓ Step 3: third" in r.feedback_md
    assert grade(ORDERING, ["third", "first", "second"]).status == "incorrect"


def test_ordering_rejects_a_step_used_twice():
    r = grade(ORDERING, ["first", "first", "third"])
    assert r.status == "invalid" and "Use each step once" in r.feedback_md


def test_label_partial_and_keys_as_ints_or_strings():
    r = grade(LABEL, {1: "Psoas major", 2: "Sartorius"})
    assert r.status == "partial" and r.score == 0.5
    assert "✓ Marker 1 → Psoas major" in r.feedback_md and "✗ Marker 2 → Sartorius" in r.feedback_md
    assert grade(LABEL, {"1": "Iliacus", "2": "Psoas major"}).status == "incorrect"


def test_unknown_type_is_invalid():
    assert grade({"type": "essay"}, "x").status == "invalid"


# --------------------------------------------------------------------------- rendering feedback

def test_markdown_escapes_raw_html_and_protects_maths():
    from iliopsoas.markdown import escape, plain_text, render_markdown

    out = render_markdown("**Bold** <script>alert(1)</script> and $a_1 < b_2$ costs $5 and $6")
    assert "<strong>Bold</strong>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert r"\(a_1 &lt; b_2\)" in out and "<em>" not in out
    assert "$5 and $6" in out, "currency is not maths"
    link = render_markdown("[doi](https://doi.org/10.1/x)")
    assert 'target="_blank"' in link and 'rel="noopener"' in link
    assert escape('<b>"x"</b>') == "&lt;b&gt;&quot;x&quot;&lt;/b&gt;"
    assert plain_text("Psoas **major** and $a_1$") == "Psoas major and a_1"
