"""Question banks: the schema, the validator's messages, and the real banks."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from iliopsoas.quiz import banks
from iliopsoas.quiz.banks import BankError, BankValidationError, load_bank, load_course, validate_course

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "bad_banks"


def make_course(tmp_path: Path, monkeypatch, with_real_banks: bool = False) -> Path:
    """A copy of the course's shared files (and optionally its banks) in a tmp dir."""
    root = tmp_path / "course"
    (root / "quizzes").mkdir(parents=True)
    (root / "assets").mkdir()
    for name in ("references.yml", "anatomy-landmarks.yml"):
        if (ROOT / "assets" / name).exists():
            shutil.copy(ROOT / "assets" / name, root / "assets" / name)
    for name in ("misconceptions.yml", "schema.json"):
        shutil.copy(ROOT / "quizzes" / name, root / "quizzes" / name)
    if with_real_banks:
        for path in banks.bank_paths(ROOT):
            shutil.copy(path, root / "quizzes" / path.name)
    monkeypatch.setenv("ILIOPSOAS_COURSE_ROOT", str(root))
    return root


def good_bank() -> dict:
    """A small valid bank with one question of every type except label."""
    common = {"objective": "t-obj", "sources": ["gray1918"], "explanation": "Because."}
    return {
        "notebook": "90-test",
        "title": "Test bank",
        "objectives": [{"id": "t-obj", "text": "Test things."}],
        "questions": [
            {"id": "t-single", "type": "single", "prompt": "Pick A.", **common,
             "choices": [{"text": "A", "correct": True}, {"text": "B", "misconception": "psoas-minor-always-present"}]},
            {"id": "t-multiple", "type": "multiple", "prompt": "Pick A and B.", **common,
             "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}, {"text": "C"}]},
            {"id": "t-tf", "type": "truefalse", "prompt": "True?", **common, "answer": True,
             "feedback": {"true": "Yes.", "false": "No."}, "misconception": "rotation-settled"},
            {"id": "t-num", "type": "numeric", "prompt": "How long?", **common, "answer": 12,
             "tolerance": 1, "unit": "mm"},
            {"id": "t-match", "type": "matching", "prompt": "Match.", **common,
             "pairs": [{"left": "a", "right": "1"}, {"left": "b", "right": "2"}], "distractors": ["3"]},
            {"id": "t-order", "type": "ordering", "prompt": "Order.", **common,
             "items": ["first", {"text": "second", "feedback": "In the middle."}, "third"]},
        ],
    }


def write_bank(root: Path, data: dict, name: str | None = None) -> Path:
    path = root / "quizzes" / f"{name or data['notebook']}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def question(data: dict, qid: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == qid)


# --------------------------------------------------------------------------- schema

def test_schema_is_a_valid_draft_2020_12_schema():
    schema = json.loads((ROOT / "quizzes" / "schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_accepts_the_good_bank_and_rejects_an_unknown_field():
    validator = jsonschema.Draft202012Validator(banks.load_schema())
    data = good_bank()
    assert list(validator.iter_errors(data)) == []
    question(data, "t-single")["colour"] = "red"
    errors = list(validator.iter_errors(data))
    assert errors and any("colour" in e.message for e in errors)


def test_schema_errors_are_specific_to_the_question_type():
    data = good_bank()
    del question(data, "t-num")["tolerance"]
    errs = banks.schema_errors(data, "quizzes/90-test.yml")
    assert [str(e) for e in errs] == [
        "quizzes/90-test.yml: question 't-num', field 'tolerance': missing required field"]


# --------------------------------------------------------------------------- the real banks

def test_every_real_bank_validates():
    errors = validate_course(ROOT)
    assert errors == [], "\n".join(map(str, errors))
    course = load_course(ROOT)
    assert "00-start-here" in course.banks
    assert course.references["gray1918"]["short"] == "Gray 1918"
    assert "belief" in course.misconceptions["psoas-minor-always-present"]
    assert course.objectives["start-basics"]["notebook"] == "00-start-here"


@pytest.mark.parametrize("path", banks.bank_paths(ROOT), ids=lambda p: p.stem)
def test_real_bank_matches_the_schema(path):
    data = banks.normalize_keys(yaml.safe_load(path.read_text(encoding="utf-8")))
    validator = jsonschema.Draft202012Validator(banks.load_schema())
    assert [e.message for e in validator.iter_errors(data)] == []
    assert data["notebook"] == path.stem


def test_warm_up_bank_is_short_and_varied():
    bank = load_bank("00-start-here", root=ROOT)
    types = {q["type"] for q in bank.questions}
    assert 5 <= len(bank.questions) <= 6
    assert len(types) >= 4 and "numeric" in types and types & {"matching", "ordering"}
    assert {o["id"] for o in bank.objectives} == {"start-navigate", "start-basics"}


# --------------------------------------------------------------------------- each bad-bank case

CASES = {
    "missing field": (lambda d: question(d, "t-single").pop("prompt"),
                      "question 't-single', field 'prompt': missing required field"),
    "unknown type": (lambda d: question(d, "t-tf").update(type="essay"),
                     "question 't-tf', field 'type': 'essay' is not one of"),
    "unknown field": (lambda d: question(d, "t-tf").update(colour="red"),
                      "question 't-tf', field 'colour': unknown field 'colour'"),
    "no correct choice": (lambda d: question(d, "t-single")["choices"][0].pop("correct"),
                          "question 't-single', field 'choices': expected exactly one correct choice, found 0"),
    "two correct choices": (lambda d: question(d, "t-single")["choices"][1].update(correct=True),
                            "question 't-single', field 'choices': expected exactly one correct choice, found 2"),
    "multiple without correct": (
        lambda d: [c.pop("correct", None) for c in question(d, "t-multiple")["choices"]],
        "question 't-multiple', field 'choices': expected at least one correct choice, found 0"),
    "unknown source key": (lambda d: question(d, "t-num").update(sources=["nobody2020"]),
                           "question 't-num', field 'sources': unknown source key 'nobody2020'"),
    "negative tolerance": (lambda d: question(d, "t-num").update(tolerance=-1),
                           "question 't-num', field 'tolerance': must be greater than 0, got -1"),
    "zero tolerance": (lambda d: question(d, "t-num").update(tolerance=0),
                       "question 't-num', field 'tolerance': must be greater than 0, got 0"),
    "script in a prompt": (lambda d: question(d, "t-tf").update(prompt="Hi <script>alert(1)</script>"),
                           "question 't-tf', field 'prompt': raw HTML"),
    "html tag in feedback": (lambda d: question(d, "t-single")["choices"][0].update(feedback="<b>bold</b>"),
                             "question 't-single', field 'choices[0].feedback': raw HTML tag '<b>'"),
    "iframe in a hint": (lambda d: question(d, "t-num").update(hints=["<iframe src=x>"]),
                         "question 't-num', field 'hints[0]': raw HTML"),
    "event attribute": (lambda d: question(d, "t-tf").update(explanation='<img src=x onerror="alert(1)">'),
                        "question 't-tf', field 'explanation': raw HTML"),
    "unknown objective": (lambda d: question(d, "t-tf").update(objective="nope"),
                          "question 't-tf', field 'objective': unknown objective 'nope'"),
    "unknown misconception": (lambda d: question(d, "t-tf").update(misconception="no-such-tag"),
                              "question 't-tf', field 'misconception': unknown misconception tag 'no-such-tag'"),
    "unknown misconception on a choice": (
        lambda d: question(d, "t-single")["choices"][1].update(misconception="no-such-tag"),
        "question 't-single', field 'choices[1].misconception': unknown misconception tag 'no-such-tag'"),
    "notebook does not match file": (lambda d: d.update(notebook="91-other"),
                                     "field 'notebook': is '91-other' but the file is 90-test.yml"),
    "duplicate id in one bank": (lambda d: question(d, "t-num").update(id="t-tf"),
                                 "question 't-tf', field 'id': this id is used twice in the bank"),
    "duplicate matching partner": (lambda d: question(d, "t-match")["pairs"][1].update(right="1"),
                                   "question 't-match', field 'pairs': right item '1' appears twice"),
    "wrong value type": (lambda d: question(d, "t-tf").update(answer="maybe"),
                         "question 't-tf', field 'answer': expected boolean"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_bank_case_gives_a_specific_message(case, tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    mutate, expected = CASES[case]
    data = good_bank()
    mutate(data)
    write_bank(root, data, name="90-test")
    errors = validate_course()
    text = [str(e) for e in errors]
    assert any(t.startswith("quizzes/90-test.yml: ") and expected in t for t in text), text
    with pytest.raises(BankValidationError) as info:
        load_bank("90-test")
    assert expected in str(info.value)
    assert "Traceback" not in str(info.value)


def test_good_bank_has_no_errors(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    write_bank(root, good_bank())
    assert validate_course() == []
    assert load_bank("90-test").ids[0] == "t-single"


def test_truefalse_feedback_keys_written_as_yaml_booleans_are_accepted(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    text = yaml.safe_dump(good_bank(), sort_keys=False).replace("'true':", "true:").replace("'false':", "false:")
    assert "\n    true: Yes." in text
    (root / "quizzes" / "90-test.yml").write_text(text, encoding="utf-8")
    q = load_bank("90-test").question("t-tf")
    assert q["feedback"] == {"true": "Yes.", "false": "No."}


def test_label_structures_must_be_known(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    monkeypatch.setattr(banks, "known_structures", lambda: {"psoas_major", "iliacus"})
    data = good_bank()
    data["questions"].append({
        "id": "t-label", "type": "label", "objective": "t-obj", "sources": ["gray1918"],
        "prompt": "Name them.", "explanation": "Because.", "figure": "anterior",
        "markers": [{"structure": "psoas_major", "answer": "Psoas major"},
                    {"structure": "spleen", "answer": "Spleen"}]})
    write_bank(root, data)
    text = [str(e) for e in validate_course()]
    assert text == ["quizzes/90-test.yml: question 't-label', field 'markers[1].structure': "
                    "unknown anatomy structure 'spleen': known are iliacus, psoas_major"]


def test_maths_with_less_than_is_not_mistaken_for_html():
    assert banks.html_problem("If $a<b$ and $c>d$ then ...") is None
    assert banks.html_problem("See <https://doi.org/10.1/x> for more") is None
    assert banks.html_problem("x <b>y</b>") is not None


# Text the renderer shows as written (it escapes it): accepted.  The kind: a "<" that CommonMark does
# not read as an HTML tag, or one inside a code span, code block or maths.
ESCAPED_SAFELY = [
    "the `<head>` of the femur",
    "force is < body weight when standing, and when it is > body weight in a sprint",
    "If $a<b$ and $c>d$ then",
    "$$F_{psoas} < 2 \\times BW$$",
    "See <https://doi.org/10.1/x> for more",
    "Mail <someone@example.org>",
    "I <3 hips",
    "x -> y <- z, a <= b, c >= d, <5 %",
    "```\n<div>code block</div>\n```",
    "    <div>indented code</div>",
    "\\<b> escaped",
    "`<script>alert(1)</script>` in a code span",
    "5<6 and 7>6",
]
# Raw HTML (and script links): refused, with the piece named.
REAL_HTML = [
    ("x <b>y</b>", "raw HTML tag '<b>'"),
    ("<script>alert(1)</script>", "raw HTML (<script>"),
    ("text\n\n<div>\nblock\n</div>", "raw HTML tag"),
    ('a <img src=x onerror="alert(1)">', "raw HTML tag '<img"),
    ("<!-- a comment -->", "raw HTML '<!-- a comment -->'"),
    ("a<b and c>d", "raw HTML tag '<b and c>'"),
    ("[x](javascript:alert(1))", "javascript: links are not allowed"),
    ("![x](JavaScript:alert(1))", "JavaScript: links are not allowed"),
    ("</p>", "raw HTML tag '</p>'"),
]


@pytest.mark.parametrize("text", ESCAPED_SAFELY)
def test_text_the_renderer_escapes_is_accepted(text):
    from iliopsoas.markdown import render_markdown

    assert banks.html_problem(text) is None
    rendered = render_markdown(text)
    assert "<head>" not in rendered and "<script>" not in rendered and "<div>" not in rendered


@pytest.mark.parametrize("text, problem", REAL_HTML)
def test_real_raw_html_is_refused_naming_it(text, problem):
    message = banks.html_problem(text)
    assert message is not None and problem in message, message


def test_the_false_alarms_of_the_issue_validate_in_a_bank(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    data = good_bank()
    question(data, "t-single")["prompt"] = "Which part is the `<head>` of the femur?"
    question(data, "t-tf")["explanation"] = ("Hip force is < body weight when standing still, but when it is "
                                            "> body weight in a sprint the tendon loads up.")
    write_bank(root, data)
    assert validate_course() == []


# --------------------------------------------------------------------------- all at once

def test_every_problem_in_every_bank_is_reported_in_one_run(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    for path in BAD.glob("*.yml"):
        shutil.copy(path, root / "quizzes" / path.name)
    errors = validate_course()
    assert all(isinstance(e, BankError) for e in errors)
    text = "\n".join(map(str, errors))
    expected = [
        "quizzes/90-syntax-error.yml: YAML syntax error at line ",
        "quizzes/91-many-problems.yml: question 'bad-missing-prompt', field 'prompt': missing required field",
        "quizzes/91-many-problems.yml: question 'bad-unknown-type', field 'type': 'essay' is not one of",
        "quizzes/91-many-problems.yml: question 'bad-no-correct', field 'choices': "
        "expected exactly one correct choice, found 0",
        "quizzes/91-many-problems.yml: question 'bad-unknown-source', field 'sources': "
        "unknown source key 'nobody2020'",
        "quizzes/91-many-problems.yml: question 'bad-negative-tolerance', field 'tolerance': "
        "must be greater than 0, got -1",
        "quizzes/91-many-problems.yml: question 'bad-script', field 'prompt': raw HTML",
        "quizzes/91-many-problems.yml: question 'bad-unknown-objective', field 'objective': "
        "unknown objective 'no-such-objective'",
        "quizzes/91-many-problems.yml: question 'bad-unknown-misconception', field 'choices[1].misconception': "
        "unknown misconception tag 'no-such-tag'",
        "quizzes/91-many-problems.yml: question 'bad-duplicate-across-banks', field 'id': "
        "question id 'bad-duplicate-across-banks' is also used in quizzes/92-duplicate.yml",
        "quizzes/92-duplicate.yml: question 'bad-duplicate-across-banks', field 'id': "
        "question id 'bad-duplicate-across-banks' is also used in quizzes/91-many-problems.yml",
    ]
    for line in expected:
        assert line in text, f"missing: {line}\n--- got:\n{text}"
    assert "Traceback" not in text and 'File "' not in text
    with pytest.raises(BankValidationError) as info:
        load_course()
    report = str(info.value)
    assert report.splitlines()[0] == f"{len(errors)} problems in the question banks:"
    assert all(line in report for line in expected)


def test_yaml_syntax_error_names_the_line(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    shutil.copy(BAD / "90-syntax-error.yml", root / "quizzes" / "90-syntax-error.yml")
    (err,) = validate_course()
    assert err.file == "quizzes/90-syntax-error.yml" and err.question_id is None
    line = int(err.message.split("line ")[1].split(",")[0])
    assert 9 <= line <= 11, err.message


def test_a_broken_bank_does_not_stop_a_good_one_from_loading(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    write_bank(root, good_bank())
    shutil.copy(BAD / "90-syntax-error.yml", root / "quizzes" / "95-syntax-error.yml")
    assert load_bank("90-test").title == "Test bank"
    with pytest.raises(BankValidationError) as info:
        load_bank("95-syntax-error")
    assert "quizzes/95-syntax-error.yml" in str(info.value)


def test_missing_references_file_is_reported(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    write_bank(root, good_bank())
    (root / "assets" / "references.yml").unlink()
    text = [str(e) for e in validate_course()]
    assert "assets/references.yml: file is missing" in text


def test_bank_error_str_format():
    err = BankError("quizzes/01-anatomy.yml", "anat-x", "choices", "expected exactly one correct choice, found 2")
    assert str(err) == ("quizzes/01-anatomy.yml: question 'anat-x', field 'choices': "
                        "expected exactly one correct choice, found 2")
    assert str(BankError("quizzes/x.yml", None, None, "oops")) == "quizzes/x.yml: oops"


def test_edits_to_a_bank_are_seen_without_restarting(tmp_path, monkeypatch):
    root = make_course(tmp_path, monkeypatch)
    data = good_bank()
    path = write_bank(root, data)
    assert load_bank("90-test").title == "Test bank"
    changed = copy.deepcopy(data)
    changed["title"] = "Renamed bank, longer title"
    write_bank(root, changed)
    assert path.stat().st_size > 0
    assert load_bank("90-test").title == "Renamed bank, longer title"


# --------------------------------------------------------------------------- answer key

def test_answer_key_lists_answers_explanations_tags_and_sources(tmp_path, monkeypatch):
    from iliopsoas.quiz.answer_key import render_answer_key

    root = make_course(tmp_path, monkeypatch)
    write_bank(root, good_bank())
    md = render_answer_key(fmt="md")
    assert "## 90-test · Test bank" in md and "### Objective `t-obj`\n\nTest things." in md
    assert "#### 90.1 `t-single` · single choice" in md
    assert "**Answer:** Choice A" in md and "- ✓ **A.** A (right)" in md and "- ✗ **B.** B (wrong)" in md
    assert "  - Targets misconception `psoas-minor-always-present`: *Everyone has a psoas minor.*" in md
    assert "Targets misconception `rotation-settled`" in md
    assert "**Answer:** 12 mm, accepted within ± 1 mm" in md
    assert "- ✓ **Step 1.** first (right)\n- ✓ **Step 2.** second (right)\n  - Feedback: In the middle." in md
    assert "- ✓ **1.** a → 1 (right)" in md and "- ✗ **Distractor.** 3 (wrong)" in md
    assert "[Gray 1918](#ref-gray1918) (https://www.bartleby.com/" in md
    html = render_answer_key(fmt="html", notebooks=["90-test"])
    assert html.startswith("<!DOCTYPE html>") and "<h2>90-test · Test bank</h2>" in html
    with pytest.raises(KeyError):
        render_answer_key(notebooks=["99-none"])
    with pytest.raises(ValueError):
        render_answer_key(fmt="pdf")