"""The command line, run as a student or instructor would: ``python -m iliopsoas ...`` in a subprocess."""
from __future__ import annotations

import csv
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from iliopsoas.progress.store import ProgressStore, read_export

ROOT = Path(__file__).resolve().parent.parent
START = "00-start-here"


def run(*args, env=None, cwd=None):
    full_env = dict(os.environ)
    full_env.pop("ILIOPSOAS_DEBUG", None)
    full_env.update(env or {})
    result = subprocess.run([sys.executable, "-m", "iliopsoas", *map(str, args)], capture_output=True,
                            text=True, encoding="utf-8", env=full_env, cwd=cwd, timeout=600)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


@pytest.fixture
def full_course(tmp_path):
    """A copy of the whole course (quizzes and assets)."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "quizzes", root / "quizzes")
    shutil.copytree(ROOT / "assets", root / "assets")
    return root


@pytest.fixture
def start_course(tmp_path):
    """A copy of the course with only the warm-up bank (so the expected numbers never drift)."""
    root = tmp_path / "start-course"
    (root / "quizzes").mkdir(parents=True)
    shutil.copytree(ROOT / "assets", root / "assets")
    for name in (f"{START}.yml", "misconceptions.yml", "schema.json"):
        shutil.copy(ROOT / "quizzes" / name, root / "quizzes" / name)
    return root


@pytest.fixture
def env(tmp_path, start_course):
    return {"ILIOPSOAS_PROGRESS": str(tmp_path / "store" / "progress.sqlite3"),
            "ILIOPSOAS_COURSE_ROOT": str(start_course)}


# --------------------------------------------------------------------------- validate

def test_validate_a_good_course_exits_0_with_a_summary(full_course, tmp_path):
    banks = sorted((full_course / "quizzes").glob("[0-9][0-9]-*.yml"))
    questions = sum(len(yaml.safe_load(b.read_text(encoding="utf-8"))["questions"]) for b in banks)
    result = run("validate", env={"ILIOPSOAS_COURSE_ROOT": str(full_course)}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    n = len(banks)
    cases = len(list((full_course / "quizzes" / "cases").glob("*.yml")))  # lesson 07's clinical cases
    assert result.stdout.strip() == (f"OK: {n} bank{'s' if n != 1 else ''}, {questions} questions, "
                                     f"{cases} clinical case{'s' if cases != 1 else ''}, no problems.")


def test_validate_a_broken_bank_lists_every_problem_and_exits_1(full_course, tmp_path):
    shutil.copy(ROOT / "tests" / "bad_banks" / "91-many-problems.yml", full_course / "quizzes")
    result = run("validate", env={"ILIOPSOAS_COURSE_ROOT": str(full_course)}, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = [("bad-missing-prompt", "prompt", "missing required field"),
                ("bad-unknown-type", "type", "'essay' is not one of"),
                ("bad-no-correct", "choices", "expected exactly one correct choice, found 0"),
                ("bad-unknown-source", "sources", "unknown source key 'nobody2020'"),
                ("bad-negative-tolerance", "tolerance", "must be greater than 0"),
                ("bad-script", "prompt", "raw HTML"),
                ("bad-unknown-objective", "objective", "unknown objective 'no-such-objective'"),
                ("bad-unknown-misconception", "choices[1].misconception", "unknown misconception tag")]
    for qid, field, message in expected:
        head = f"quizzes/91-many-problems.yml: question '{qid}', field '{field}': "
        assert any(line.startswith(head) and message in line for line in lines), f"missing {head}\n{result.stdout}"
    assert lines[-1] == f"{len(expected)} problems in 1 file."


def test_validate_with_a_wrong_course_root_says_so(tmp_path):
    result = run("validate", env={"ILIOPSOAS_COURSE_ROOT": str(tmp_path / "nowhere")}, cwd=tmp_path)
    assert result.returncode == 2 and "ILIOPSOAS_COURSE_ROOT" in result.stderr


# --------------------------------------------------------------------------- answer key

def _right_answers(course_root):
    """(question id, texts of its right answers, as the quiz's labels show them) of the warm-up bank."""
    from iliopsoas.markdown import label_text
    from iliopsoas.quiz import grading

    bank = yaml.safe_load((course_root / "quizzes" / f"{START}.yml").read_text(encoding="utf-8"))
    out = []
    for q in bank["questions"]:
        if q["type"] in ("single", "multiple"):
            texts = [c["text"] for c in q["choices"] if c.get("correct")]
        elif q["type"] == "matching":
            texts = [f"{p['left']} → {p['right']}" for p in q["pairs"]]
        elif q["type"] == "label":
            texts = [m["answer"] for m in q["markers"]]
        elif q["type"] == "ordering":
            texts = [grading.item_text(i) for i in q["items"]]
        elif q["type"] == "truefalse":
            texts = ["True" if q["answer"] else "False"]
        else:
            texts = [f"{q['answer']:g}"]
        out.append((q["id"], [label_text(t) for t in texts]))
    return out


def test_answer_key_markdown_has_every_question_and_its_answer(env, start_course, tmp_path):
    result = run("answer-key", "--format", "md", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for qid, texts in _right_answers(start_course):
        assert f"`{qid}`" in result.stdout
        for text in texts:
            assert text in result.stdout, f"{qid}: answer {text!r} missing"


def test_answer_key_html_to_a_file_has_every_question_and_its_answer(env, start_course, tmp_path):
    out = tmp_path / "key.html"
    result = run("answer-key", "--format", "html", "--notebook", START, "--output", out, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for qid, texts in _right_answers(start_course):
        assert f"<code>{qid}</code>" in page
        for text in texts:
            assert html.escape(text, quote=False) in page, f"{qid}: {text!r} missing"


def test_answer_key_for_an_unknown_notebook_is_a_clear_error(env, tmp_path):
    result = run("answer-key", "--notebook", "99-nothing", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "99-nothing" in result.stderr and result.stdout == ""


# --------------------------------------------------------------------------- progress

def fill_store(path):
    store = ProgressStore(path)
    store.record(START, "start-which-muscles", 1, False, 0.0, ["psoas-minor-always-present"])
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    store.record(START, "start-origins", {"Psoas major": "Sides, \"T12\" to L5", "Iliacus": None}, False, 0.5, [])
    store.record("01-anatomy", "anat-x", [2, 0, 1], True, 1.0, [])
    return store


def test_progress_export_json_and_csv_round_trip(env, tmp_path):
    store = fill_store(Path(env["ILIOPSOAS_PROGRESS"]))
    expected = [a.to_dict() for a in store.attempts()]
    r1 = run("progress", "export", "--student", "Ada Lovelace", "--output", "ada.json", env=env, cwd=tmp_path)
    r2 = run("progress", "export", "--student", "Ada Lovelace", "--output", "ada.csv", env=env, cwd=tmp_path)
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    doc = json.loads((tmp_path / "ada.json").read_text(encoding="utf-8"))
    assert doc["format_version"] == 2 and doc["student"] == "Ada Lovelace"
    assert doc["course"] == yaml.safe_load((ROOT / "assets" / "course.yml").read_text(encoding="utf-8"))["title"]
    assert doc["exported_at"] and doc["attempts"] == expected
    assert env["ILIOPSOAS_PROGRESS"] not in (tmp_path / "ada.json").read_text(encoding="utf-8")
    with open(tmp_path / "ada.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(expected) and {row["student"] for row in table} == {"Ada Lovelace"}
    assert read_export(tmp_path / "ada.csv").attempts == expected
    assert read_export(tmp_path / "ada.json").attempts == expected


def test_progress_export_to_stdout_and_without_a_progress_file(env, tmp_path):
    missing = run("progress", "export", "--student", "Ann", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no progress file" in missing.stderr.lower()
    assert env["ILIOPSOAS_PROGRESS"] in missing.stderr
    fill_store(Path(env["ILIOPSOAS_PROGRESS"]))
    result = run("progress", "export", "--student", "Ann", "--format", "csv", env=env, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("\ufeffformat_version,course,student,")
    assert len(result.stdout.strip().splitlines()) == 1 + 4
    no_name = run("progress", "export", env=env, cwd=tmp_path)
    assert no_name.returncode == 2 and "--student" in no_name.stderr


def test_progress_where_prints_the_store_path(env, tmp_path):
    result = run("progress", "where", env=env, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == env["ILIOPSOAS_PROGRESS"]


def test_progress_reset_refuses_without_yes_and_backs_up_with_it(env, tmp_path):
    path = Path(env["ILIOPSOAS_PROGRESS"])
    fill_store(path)
    refused = run("progress", "reset", "--notebook", START, env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "--yes" in refused.stderr and "Nothing was deleted" in refused.stderr
    assert len(ProgressStore(path).attempts()) == 4
    done = run("progress", "reset", "--notebook", START, "--yes", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (backup,) = path.parent.glob("progress-backup-*.json")
    assert str(backup) in done.stdout and "Deleted 3 saved answers" in done.stdout
    assert [a["question_id"] for a in read_export(backup).attempts] == [
        "start-which-muscles", "start-which-muscles", "start-origins"]
    assert [a.notebook for a in ProgressStore(path).attempts()] == ["01-anatomy"]


# --------------------------------------------------------------------------- gradebook

def attempt(qid, n, correct, score, tags=(), nb=START):
    return {"notebook": nb, "question_id": qid, "answer": 0, "correct": correct, "score": score,
            "attempt": n, "timestamp": f"2026-11-2{n}T10:00:00.000+00:00", "misconceptions": list(tags)}


def write_json_export(path, student, attempts, version=1):
    doc = {"format": "iliopsoas-progress", "format_version": version, "course": "The iliopsoas",
           "student": student, "exported_at": "2026-11-25T12:00:00.000+00:00", "attempts": attempts}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def write_csv_export(path, student, attempts):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["format_version", "course", "student", "exported_at", "notebook", "question_id",
                         "attempt", "correct", "score", "timestamp", "answer", "misconceptions"])
        for a in attempts:
            writer.writerow([1, "The iliopsoas", student, "2026-11-25T12:00:00.000+00:00", a["notebook"],
                             a["question_id"], a["attempt"], int(a["correct"]), a["score"], a["timestamp"],
                             json.dumps(a["answer"]), ";".join(a["misconceptions"])])
    return path


ANN = [attempt("start-which-muscles", 1, False, 0.0, ["psoas-minor-always-present"]),
       attempt("start-which-muscles", 2, True, 1.0),
       attempt("start-insertion", 1, True, 1.0),
       attempt("start-what-course-does", 1, False, 0.5)]
BEN = [attempt("start-which-muscles", 1, True, 1.0),
       attempt("start-which-muscles", 2, False, 0.0, ["iliopsoas-is-one-muscle"]),
       attempt("start-insertion", 1, False, 0.0, ["inserts-greater-trochanter"]),
       attempt("start-answer-steps", 1, True, 1.0)]
CAI = [attempt("start-insertion", 1, False, 0.0, ["inserts-greater-trochanter"]),
       attempt("start-insertion", 2, False, 0.0, ["inserts-greater-trochanter"]),
       attempt("start-which-muscles", 1, False, 0.0, ["psoas-minor-always-present"]),
       attempt("start-lumbar-count", 1, True, 1.0),
       attempt("start-origins", 1, False, 0.667),
       attempt("start-origins", 2, True, 1.0)]


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_gradebook_merges_three_exports_into_grades_objectives_and_misconceptions(env, tmp_path):
    exports = [write_json_export(tmp_path / "ann.json", "Ann", ANN),
               write_csv_export(tmp_path / "ben.csv", "Ben", BEN),
               write_json_export(tmp_path / "cai.json", "Cai", CAI)]
    result = run("gradebook", *exports, "--output", "grades.csv", "--objectives", "objectives.csv",
                 "--misconceptions", "misconceptions.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    grades = read_csv(tmp_path / "grades.csv")
    assert list(grades[0]) == ["student", "notebook", "question", "objective", "outcome", "what_happened",
                               "tries", "attempts", "credit", "answer_shown", "latest_correct", "best_score"]
    assert len(grades) == 3 * 6, "every student x every question of the course"
    got = {(g["student"], g["question"]): (g["objective"], g["outcome"], g["tries"], g["attempts"], g["credit"],
                                           g["latest_correct"], g["best_score"]) for g in grades}
    # outcome and credit by the course's one scoring rule (iliopsoas/quiz/scoring.py)
    assert got[("Ann", "start-which-muscles")] == ("start-basics", "after-retries", "2", "2", "0.5", "1", "1")
    assert got[("Ann", "start-insertion")] == ("start-basics", "first-try", "1", "1", "1", "1", "1")
    assert got[("Ann", "start-what-course-does")] == ("start-navigate", "not-yet", "1", "1", "0", "0", "0.5")
    assert got[("Ann", "start-answer-steps")] == ("start-navigate", "unanswered", "0", "0", "0", "", "")
    assert got[("Ben", "start-which-muscles")] == ("start-basics", "first-try", "1", "2", "1", "0", "1")
    assert got[("Ben", "start-insertion")] == ("start-basics", "not-yet", "1", "1", "0", "0", "0")
    assert got[("Ben", "start-answer-steps")] == ("start-navigate", "first-try", "1", "1", "1", "1", "1")
    assert got[("Cai", "start-insertion")] == ("start-basics", "not-yet", "2", "2", "0", "0", "0")
    assert got[("Cai", "start-origins")] == ("start-basics", "after-retries", "2", "2", "0.5", "1", "1")
    assert got[("Cai", "start-lumbar-count")] == ("start-basics", "first-try", "1", "1", "1", "1", "1")
    assert got[("Cai", "start-what-course-does")] == ("start-navigate", "unanswered", "0", "0", "0", "", "")
    said = {(g["student"], g["question"]): g["what_happened"] for g in grades}
    assert said[("Ann", "start-which-muscles")] == "right after 2 tries"
    assert said[("Ann", "start-insertion")] == "right on the first try"
    assert said[("Cai", "start-insertion")] == "not right yet (2 tries)"

    objectives = {(o["student"], o["objective"]): (o["questions"], o["answered"], o["right"], o["credit"],
                                                   o["score"]) for o in read_csv(tmp_path / "objectives.csv")}
    assert objectives == {
        ("Ann", "start-navigate"): ("2", "1", "0", "0", "0"),      # what-course-does wrong, answer-steps not done
        ("Ann", "start-basics"): ("4", "2", "2", "1.5", "0.375"),  # which-muscles after 2 tries, insertion first
        ("Ben", "start-navigate"): ("2", "1", "1", "1", "0.5"),
        ("Ben", "start-basics"): ("4", "2", "1", "1", "0.25"),     # which-muscles right first, insertion wrong
        ("Cai", "start-navigate"): ("2", "0", "0", "0", "0"),
        ("Cai", "start-basics"): ("4", "4", "2", "1.5", "0.375"),  # lumbar-count first, origins after 2 tries
    }

    held = {m["misconception"]: (m["students"], m["belief"]) for m in read_csv(tmp_path / "misconceptions.csv")}
    beliefs = yaml.safe_load((ROOT / "quizzes" / "misconceptions.yml").read_text(encoding="utf-8"))
    assert held["inserts-greater-trochanter"] == ("2", beliefs["inserts-greater-trochanter"]["belief"])  # Ben, Cai
    assert held["psoas-minor-always-present"][0] == "1", "Ann fixed it; Cai still holds it"
    assert held["iliopsoas-is-one-muscle"][0] == "1"                                                 # Ben
    assert held["rotation-settled"][0] == "0"
    first = read_csv(tmp_path / "misconceptions.csv")[0]
    assert first["misconception"] == "inserts-greater-trochanter", "most held first"


def test_gradebook_uses_the_newer_of_two_exports_of_one_student(env, tmp_path):
    early = write_json_export(tmp_path / "ann-monday.json", "Ann", ANN[:2])
    late = write_json_export(tmp_path / "ann-friday.json", " ann ", ANN)
    result = run("gradebook", early, late, "--output", "grades.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ann-monday.json" in result.stderr and "ann-friday.json is used" in result.stderr
    grades = read_csv(tmp_path / "grades.csv")
    assert len(grades) == 6
    assert {g["question"]: g["attempts"] for g in grades}["start-insertion"] == "1"
    assert {g["student"] for g in grades} == {"ann"}, "the name as in the export used, spaces trimmed"


def test_gradebook_refuses_two_different_students_with_one_name(env, tmp_path):
    one = write_json_export(tmp_path / "alex-1.json", "Alex", ANN)
    two = write_json_export(tmp_path / "alex-2.json", "Alex", BEN)
    result = run("gradebook", one, two, "--output", "grades.csv", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "alex-1.json" in result.stderr and "alex-2.json" in result.stderr and "'Alex'" in result.stderr
    assert "--merge" in result.stderr, "the refusal says how to join one person's two exports"
    assert not (tmp_path / "grades.csv").exists()


@pytest.mark.parametrize("name, content, problem", [
    ("notjson.json", "this is not JSON", "not valid JSON"),
    ("version.json", None, "format version 3 is not supported"),
    ("fields.json", json.dumps({"format": "iliopsoas-progress", "format_version": 1, "student": "Dee",
                                "attempts": [{"notebook": START}]}), "missing field 'exported_at'"),
    ("attempt.json", json.dumps({"format": "iliopsoas-progress", "format_version": 1, "student": "Dee",
                                 "exported_at": "t", "attempts": [{"notebook": START}]}),
     "attempt #1 is missing 'question_id'"),
    ("columns.csv", "student,question\nDee,q1\n", "CSV header lacks"),
])
def test_a_bad_export_file_exits_2_naming_the_file_and_the_problem(env, tmp_path, name, content, problem):
    good = write_json_export(tmp_path / "ann.json", "Ann", ANN)
    bad = tmp_path / name
    if content is None:
        write_json_export(bad, "Dee", [], version=3)
    else:
        bad.write_text(content, encoding="utf-8")
    result = run("gradebook", good, bad, "--output", "grades.csv", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{bad}: " in result.stderr and problem in result.stderr
    assert "ann.json" not in result.stderr, "only the bad file is named"
    assert not (tmp_path / "grades.csv").exists()


def test_a_missing_export_file_and_bad_arguments_are_clear_errors(env, tmp_path):
    missing = run("gradebook", tmp_path / "nobody.json", "--output", "grades.csv", env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "nobody.json" in missing.stderr and "cannot be read" in missing.stderr
    no_output = run("gradebook", tmp_path / "x.json", env=env, cwd=tmp_path)
    assert no_output.returncode == 2 and "--output" in no_output.stderr
    unknown = run("grade", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


def test_every_command_the_readme_shows_is_accepted():
    import re
    import shlex

    from iliopsoas.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"`python -m iliopsoas ([^`]+)`", readme)
    assert len(commands) >= 6, commands
    parser = build_parser()
    for command in commands:
        words = shlex.split(command.replace("[", "").replace("]", ""))
        args = parser.parse_args(words)  # argparse exits (SystemExit) on anything it does not accept
        assert callable(args.func), command
