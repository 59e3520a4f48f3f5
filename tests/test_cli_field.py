"""The command line with inputs from the field: no home folder, slips in arguments, restore,
spreadsheet-safe CSV files, names typed two ways, two exports of one student, totals.

Every case runs ``python -m iliopsoas`` in a subprocess, as a student or instructor would.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from iliopsoas.progress.store import ProgressStore, read_export
from system_users import run_restricted, shared_tmp_dir
from test_cli import ANN, BEN, START, attempt, read_csv, run, write_json_export

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def course(tmp_path):
    """A copy of the course with only the warm-up bank."""
    root = tmp_path / "start-course"
    (root / "quizzes").mkdir(parents=True)
    shutil.copytree(ROOT / "assets", root / "assets")
    for name in (f"{START}.yml", "misconceptions.yml", "schema.json"):
        shutil.copy(ROOT / "quizzes" / name, root / "quizzes" / name)
    return root


@pytest.fixture
def env(tmp_path, course):
    return {"ILIOPSOAS_PROGRESS": str(tmp_path / "store" / "progress.sqlite3"),
            "ILIOPSOAS_COURSE_ROOT": str(course)}


def fill(path: Path) -> ProgressStore:
    store = ProgressStore(path)
    store.record(START, "start-which-muscles", 1, False, 0.0, ["psoas-minor-always-present"])
    store.record(START, "start-which-muscles", 0, True, 1.0)
    store.record(START, "start-insertion", 2, True, 1.0)
    return store


# --------------------------------------------------------------------------- 1. no home folder

@pytest.fixture
def shared():
    folder = shared_tmp_dir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("args", [
    ["progress", "where"],
    ["progress", "export", "--student", "Ann"],
    ["progress", "reset", "--yes"],
    ["progress", "reset", "--notebook", START, "--yes"],
    ["progress", "restore", "backup.json"],
], ids=lambda a: " ".join(a[:3]))
def test_every_progress_command_without_a_home_folder_says_set_iliopsoas_progress(shared, args):
    import sys

    (shared / "backup.json").write_text("{}", encoding="utf-8")
    result = run_restricted([sys.executable, "-m", "iliopsoas", *args], no_home=True, cwd=shared,
                            env={"ILIOPSOAS_PROGRESS": None, "ILIOPSOAS_COURSE_ROOT": str(ROOT)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "unexpected problem" not in result.stderr
    assert "no home folder" in result.stderr and "set the environment variable ILIOPSOAS_PROGRESS" in result.stderr


@pytest.mark.parametrize("args", [["validate"], ["answer-key", "--notebook", START]], ids=lambda a: a[0])
def test_commands_that_need_no_progress_file_work_without_a_home_folder(shared, args):
    import sys

    result = run_restricted([sys.executable, "-m", "iliopsoas", *args], no_home=True, cwd=shared,
                            env={"ILIOPSOAS_PROGRESS": None, "ILIOPSOAS_COURSE_ROOT": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Matplotlib created a temporary" not in result.stderr


def test_the_gradebook_works_without_a_home_folder(shared):
    import sys

    write_json_export(shared / "ann.json", "Ann", ANN)
    (shared / "out").mkdir()
    (shared / "out").chmod(0o777)
    result = run_restricted([sys.executable, "-m", "iliopsoas", "gradebook", "ann.json", "--output",
                             "out/grades.csv"], no_home=True, cwd=shared,
                            env={"ILIOPSOAS_PROGRESS": None, "ILIOPSOAS_COURSE_ROOT": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert (shared / "out" / "grades.csv").exists()


def test_with_iliopsoas_progress_set_the_commands_work_without_a_home_folder(shared):
    """The advice works: set ILIOPSOAS_PROGRESS and export, reset (its backup) and restore all run."""
    import sys

    data = shared / "data"
    data.mkdir()
    data.chmod(0o777)
    env = {"ILIOPSOAS_PROGRESS": str(data / "progress.sqlite3"), "ILIOPSOAS_COURSE_ROOT": str(ROOT)}

    def cli(*args):
        return run_restricted([sys.executable, "-m", "iliopsoas", *args], no_home=True, cwd=data, env=env)

    seed = run_restricted([sys.executable, "-c", "from iliopsoas.progress.store import get_store; "
                           f"get_store().record({START!r}, 'start-insertion', 2, True, 1.0)"],
                          no_home=True, cwd=data, env=env)
    assert seed.returncode == 0, seed.stderr
    export = cli("progress", "export", "--student", "Ann", "--output", "ann.json")
    assert export.returncode == 0, export.stderr
    reset = cli("progress", "reset", "--yes")
    assert reset.returncode == 0 and "Deleted 1 saved answer" in reset.stdout, reset.stderr
    restore = cli("progress", "restore", "ann.json")
    assert restore.returncode == 0 and "Restored 1 answer" in restore.stdout, restore.stderr
    tilde = cli("progress", "export", "--student", "Ann", "--output", "~/ann.json")
    assert tilde.returncode == 2 and "starts with ~, but there is no home folder" in tilde.stderr
    assert "Traceback" not in export.stderr + reset.stderr + restore.stderr + tilde.stderr


# --------------------------------------------------------------------------- 15. command-line slips

def test_an_unknown_notebook_in_reset_is_an_error_listing_the_known_ones(env, tmp_path):
    path = Path(env["ILIOPSOAS_PROGRESS"])
    fill(path)
    before = path.read_bytes()
    result = run("progress", "reset", "--notebook", "00-start-her", "--yes", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown notebook '00-start-her'" in result.stderr and "did you mean '00-start-here'" in result.stderr
    assert "00-start-here" in result.stderr and "01-anatomy" in result.stderr, "the course map's lessons are listed"
    assert "Nothing was done" in result.stderr
    assert path.read_bytes() == before and not list(path.parent.glob("progress-backup-*"))


@pytest.mark.parametrize("spelling", ["00-start-here.ipynb", "notebooks/00-start-here.ipynb", "00-start-here.yml"])
def test_a_notebook_may_be_named_by_its_file(env, tmp_path, spelling):
    fill(Path(env["ILIOPSOAS_PROGRESS"]))
    result = run("progress", "reset", "--notebook", spelling, "--yes", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Deleted 3 saved answers of notebook 00-start-here" in result.stdout


def test_a_notebook_with_saved_answers_but_no_bank_can_still_be_reset(env, tmp_path):
    store = ProgressStore(Path(env["ILIOPSOAS_PROGRESS"]))
    store.record("98-retired-lesson", "old-question", 0, True, 1.0)
    result = run("progress", "reset", "--notebook", "98-retired-lesson", "--yes", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_an_unknown_notebook_in_the_answer_key_lists_the_banks(env, tmp_path):
    result = run("answer-key", "--notebook", "00-start-her", "--output", "key.md", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "did you mean '00-start-here'" in result.stderr
    assert not (tmp_path / "key.md").exists()


@pytest.mark.parametrize("args, problem", [
    (["progress", "export", "--student", "Ann", "--format", "csv", "--output", "x.json"],
     "--format csv does not match --output x.json"),
    (["progress", "export", "--student", "Ann", "--format", "json", "--output", "x.CSV"],
     "--format json does not match --output x.CSV"),
    (["progress", "export", "--student", "Ann", "--output", "x.xlsx"], "x.xlsx is a .xlsx file"),
    (["answer-key", "--format", "md", "--output", "key.html"], "--format md does not match --output key.html"),
    (["answer-key", "--output", "key.pdf"], "key.pdf is a .pdf file"),
    (["gradebook", "ann.json", "--output", "grades.json"], "grades.json is a .json file"),
    (["gradebook", "ann.json", "--output", "grades.csv", "--totals", "totals.xlsx"], "totals.xlsx is a .xlsx file"),
], ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]))
def test_a_format_that_contradicts_the_file_name_is_refused(env, tmp_path, args, problem):
    fill(Path(env["ILIOPSOAS_PROGRESS"]))
    write_json_export(tmp_path / "ann.json", "Ann", ANN)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert problem in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "nothing was written"


@pytest.mark.parametrize("name, fmt", [("x.csv", "csv"), ("x.json", "json"), ("key.html", "html"),
                                       ("key.md", "md"), ("key.markdown", "md")])
def test_the_format_is_taken_from_the_extension(env, tmp_path, name, fmt):
    fill(Path(env["ILIOPSOAS_PROGRESS"]))
    args = ["answer-key"] if fmt in ("html", "md") else ["progress", "export", "--student", "Ann"]
    result = run(*args, "--output", name, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / name).read_text(encoding="utf-8-sig")
    first = {"csv": "format_version,", "json": "{", "html": "<!DOCTYPE html>", "md": "# Answer key"}[fmt]
    assert text.startswith(first)


def test_an_export_never_overwrites_the_progress_file(env, tmp_path):
    path = Path(env["ILIOPSOAS_PROGRESS"])
    fill(path)
    before = path.read_bytes()
    result = run("progress", "export", "--student", "Ann", "--format", "json", "--output", path, env=env, cwd=tmp_path)
    assert result.returncode == 2 and "is your progress file itself" in result.stderr
    assert path.read_bytes() == before


def test_the_gradebook_never_overwrites_an_export(env, tmp_path):
    ann = write_json_export(tmp_path / "ann.csv", "Ann", ANN)
    before = ann.read_bytes()
    result = run("gradebook", ann, "--output", ann, env=env, cwd=tmp_path)
    assert result.returncode == 2 and "is one of the exports" in result.stderr
    assert ann.read_bytes() == before


# --------------------------------------------------------------------------- 3. restore

def test_restore_brings_back_a_reset_backup_once(env, tmp_path):
    path = Path(env["ILIOPSOAS_PROGRESS"])
    fill(path)
    reset = run("progress", "reset", "--yes", env=env, cwd=tmp_path)
    (backup,) = path.parent.glob("progress-backup-*.json")
    assert f"progress restore {backup}" in reset.stdout, "the reset says how to undo it"
    ProgressStore(path).record(START, "start-origins", {"Iliacus": "Iliac fossa"}, True, 1.0)
    result = run("progress", "restore", backup, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Restored 3 answers" in result.stdout
    (before_restore,) = [b for b in path.parent.glob("progress-backup-*.json") if b != backup]
    assert [a["question_id"] for a in read_export(before_restore).attempts] == ["start-origins"], \
        "a copy of the file as it was is written before the restore"
    again = run("progress", "restore", backup, env=env, cwd=tmp_path)
    assert again.returncode == 0 and "nothing was added" in again.stdout
    assert len(ProgressStore(path).attempts()) == 4


def test_restore_from_an_export_csv_and_from_a_damaged_file(env, tmp_path):
    path = Path(env["ILIOPSOAS_PROGRESS"])
    fill(path)
    export = run("progress", "export", "--student", "=Ann", "--output", "ann.csv", env=env, cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    shutil.copy(path, tmp_path / "copy.sqlite3")
    path.write_bytes(b"garbage, not a database" * 50)       # the file is damaged ...
    moved = ProgressStore(path).moved_aside[0]              # ... and moved aside when opened
    result = run("progress", "restore", "ann.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0 and "Restored 3 answers" in result.stdout, result.stderr
    bad = run("progress", "restore", moved, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and str(moved) in bad.stderr and "Nothing was changed" in bad.stderr
    same = run("progress", "restore", tmp_path / "copy.sqlite3", env=env, cwd=tmp_path)
    assert same.returncode == 0 and "nothing was added" in same.stdout, same.stderr
    assert len(ProgressStore(path).attempts()) == 3


def test_restore_refuses_what_is_not_answers(env, tmp_path):
    fill(Path(env["ILIOPSOAS_PROGRESS"]))
    (tmp_path / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    result = run("progress", "restore", "notes.json", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "notes.json" in result.stderr and "not an iliopsoas progress export" in result.stderr
    itself = run("progress", "restore", env["ILIOPSOAS_PROGRESS"], env=env, cwd=tmp_path)
    assert itself.returncode == 2 and "is your progress file itself" in itself.stderr


# --------------------------------------------------------------------------- 11, 12. spreadsheet-safe CSV

def raw_cells(path: Path) -> list[list[str]]:
    """Cells exactly as a spreadsheet would read them (after the byte-order mark)."""
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), f"{path.name} has no UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def assert_no_formula(path: Path) -> None:
    for row in raw_cells(path):
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"{path.name}: cell {cell!r} would run as a formula"


@pytest.mark.parametrize("student", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1:A2)",
                                     "\tTab", "＝1+1", "José Álvarez"])
def test_the_export_csv_is_safe_and_has_a_byte_order_mark(env, tmp_path, student):
    fill(Path(env["ILIOPSOAS_PROGRESS"]))
    result = run("progress", "export", f"--student={student}", "--output", "out.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_no_formula(tmp_path / "out.csv")
    assert read_export(tmp_path / "out.csv").student == " ".join(student.split()), "read back exactly"


def test_every_gradebook_table_is_safe_and_has_a_byte_order_mark(env, tmp_path):
    write_json_export(tmp_path / "evil.json", "=cmd|' /C calc'!A0", ANN)
    write_json_export(tmp_path / "ben.json", "Bénédicte Ø", BEN)
    result = run("gradebook", "evil.json", "ben.json", "--output", "grades.csv", "--totals", "totals.csv",
                 "--objectives", "objectives.csv", "--misconceptions", "misconceptions.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("grades.csv", "totals.csv", "objectives.csv", "misconceptions.csv"):
        assert_no_formula(tmp_path / name)
    names = {row[0] for row in raw_cells(tmp_path / "grades.csv")[1:]}
    assert names == {"'=cmd|' /C calc'!A0", "Bénédicte Ø"}


@pytest.mark.parametrize("field, value", [("question_id", "=1+1"), ("misconceptions", ["=1+1"]),
                                          ("notebook", "+00-start-here")])
def test_the_gradebook_refuses_an_export_with_ids_unlike_the_banks(env, tmp_path, field, value):
    bad = [dict(ANN[0], **{field: value})] + ANN[1:]
    write_json_export(tmp_path / "edited.json", "Ann", bad)
    write_json_export(tmp_path / "ben.json", "Ben", BEN)
    result = run("gradebook", "edited.json", "ben.json", "--output", "grades.csv", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "edited.json" in result.stderr and f"'{field}'" in result.stderr and "ben.json" not in result.stderr
    assert not (tmp_path / "grades.csv").exists()


def test_the_gradebook_refuses_a_hand_edited_export_csv(env, tmp_path):
    fill(Path(env["ILIOPSOAS_PROGRESS"]))
    assert run("progress", "export", "--student", "Ann", "--output", "ann.csv", env=env, cwd=tmp_path).returncode == 0
    text = (tmp_path / "ann.csv").read_text(encoding="utf-8-sig").replace("start-insertion", "=1+1")
    (tmp_path / "ann.csv").write_text(text, encoding="utf-8-sig")
    result = run("gradebook", "ann.csv", "--output", "grades.csv", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "ann.csv" in result.stderr and "line 4" in result.stderr
    assert "'question_id' '=1+1'" in result.stderr


# --------------------------------------------------------------------------- 13. the same person twice

def test_one_name_in_nfc_and_nfd_is_one_student(env, tmp_path):
    nfc = unicodedata.normalize("NFC", "José Álvarez")
    nfd = unicodedata.normalize("NFD", "José Álvarez")
    assert nfc != nfd
    write_json_export(tmp_path / "a.json", nfc, ANN[:2])
    write_json_export(tmp_path / "b.json", "  " + nfd.upper().replace(" ", "\u00a0\u200b "), ANN)
    result = run("gradebook", "a.json", "b.json", "--output", "grades.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "b.json is used" in result.stderr
    grades = read_csv(tmp_path / "grades.csv")
    assert len(grades) == 6, "one student, not two"
    assert {unicodedata.normalize("NFC", g["student"]) for g in grades} == {"JOSÉ ÁLVAREZ"}


def test_two_exports_that_disagree_are_merged_with_merge(env, tmp_path):
    laptop = [attempt("start-insertion", 1, False, 0.0, ["inserts-greater-trochanter"]),
              attempt("start-which-muscles", 1, True, 1.0)]
    lab = [attempt("start-which-muscles", 1, True, 1.0),                        # the same attempt
           dict(attempt("start-insertion", 1, True, 1.0), timestamp="2026-11-23T09:00:00.000+00:00")]
    write_json_export(tmp_path / "laptop.json", "Dee", laptop)
    write_json_export(tmp_path / "lab.json", "dee", lab)
    refused = run("gradebook", "laptop.json", "lab.json", "--output", "grades.csv", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "--merge" in refused.stderr
    result = run("gradebook", "laptop.json", "lab.json", "--merge", "--output", "grades.csv",
                 "--totals", "totals.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "merged laptop.json and lab.json" in result.stderr.replace(str(tmp_path) + "/", "")
    assert "1 found in both counted once" in result.stderr
    grades = {g["question"]: g for g in read_csv(tmp_path / "grades.csv")}
    assert len({g["student"] for g in grades.values()}) == 1
    assert (grades["start-insertion"]["outcome"], grades["start-insertion"]["tries"]) == ("after-retries", "2"), \
        "the wrong answer (on the 21st) comes before the right one (on the 23rd)"
    assert (grades["start-which-muscles"]["outcome"], grades["start-which-muscles"]["attempts"]) == ("first-try", "1")


# --------------------------------------------------------------------------- 17. totals

def test_totals_per_student_per_lesson_and_overall(env, tmp_path, course):
    shutil.copy(ROOT / "quizzes" / "01-anatomy.yml", course / "quizzes" / "01-anatomy.yml")
    anatomy = dict(attempt("anat-parts-where-it-lies", 1, True, 1.0), notebook="01-anatomy")
    shown = dict(attempt("anat-nerves-supply", 1, False, 0.0), notebook="01-anatomy", kind="answer-shown",
                 answer=None)
    after = dict(attempt("anat-nerves-supply", 2, True, 1.0), notebook="01-anatomy")
    write_json_export(tmp_path / "ann.json", "Ann", ANN + [anatomy, shown, after], version=2)
    result = run("gradebook", "ann.json", "--output", "grades.csv", "--totals", "totals.csv", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {(t["student"], t["notebook"]): t for t in read_csv(tmp_path / "totals.csv")}
    start, anat, overall = rows[("Ann", START)], rows[("Ann", "01-anatomy")], rows[("Ann", "all lessons")]
    n_anat = int(anat["questions"])
    assert (start["questions"], start["answered"], start["first_try"], start["after_retries"], start["not_yet"],
            start["unanswered"], start["right"], start["credit"], start["percent"]) == \
        ("6", "3", "1", "1", "1", "3", "2", "1.5", "25.0")
    assert (anat["answered"], anat["first_try"], anat["answer_shown"], anat["right"], anat["credit"]) == \
        ("2", "1", "1", "1", "1")
    assert int(overall["questions"]) == 6 + n_anat
    assert (overall["answered"], overall["right"], overall["credit"]) == ("5", "3", "2.5")
    assert overall["percent"] == f"{100 * 2.5 / (6 + n_anat):.1f}"
    grades = {g["question"]: g for g in read_csv(tmp_path / "grades.csv")}
    assert grades["anat-nerves-supply"]["outcome"] == "answer-shown"
    assert grades["anat-nerves-supply"]["what_happened"] == "answer shown, then answered right"
    assert grades["anat-nerves-supply"]["answer_shown"] == "1" and grades["anat-nerves-supply"]["credit"] == "0"
