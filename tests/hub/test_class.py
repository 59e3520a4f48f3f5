"""A class on a real JupyterHub: five students follow the instructor's nbgitpuller link, answer in their own
kernels, hand in through the instructor's export and gradebook, read their own copy, and receive a correction.

The hub, its proxy and the students' servers are real processes on 127.0.0.1 (tests/hub/conftest.py,
tools/hubdriver.py); students log in on the hub's login page and follow the link as a browser does, and
their kernels run code through the server's kernel API.  The tests run in file order, but each one
triggers the steps it needs, so any of them also runs alone.
"""
from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from hubclass import FOLDER, LESSON, NOTEBOOK, ROOT, STUDENTS, cli, files_named

pytestmark = pytest.mark.hub

PROGRESS = Path(".local") / "share" / "iliopsoas-course" / "progress.sqlite3"


def copy_of(klass, name: str) -> Path:
    return klass.students[name].home / FOLDER


def git_head(repo: Path) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", f"safe.directory={repo}", "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()


# --------------------------------------------------------------------------- the link

def test_the_link_gives_every_student_their_own_copy_and_opens_the_lesson(klass):
    # the link the instructor printed: the repository comes from the checkout's git remote
    parts = urlsplit(klass.link)
    assert parts.path == "/hub/user-redirect/git-pull"
    assert f"repo={klass.bare.as_uri().replace(':', '%3A').replace('/', '%2F')}" in parts.query
    assert f"~/{FOLDER}" in klass.link_stderr
    pulls = klass.pulled()
    published = git_head(klass.bare)
    notebook = (klass.instructor / "notebooks" / f"{LESSON}.ipynb").read_bytes()
    for name in STUDENTS:
        pull = pulls[name]
        # through the hub to the student's own server (its login included), then nbgitpuller's page
        assert urlsplit(pull["final"]).path == f"/user/{name}/git-pull"
        assert any(f"/user/{name}/" in hop for hop in pull["hops"]), pull["hops"]
        assert pull["events"][-1] == {"phase": "finished"}
        # after the pull, the browser opens the lesson in JupyterLab
        assert pull["opened_status"] == 200
        assert urlsplit(pull["opened"]).path == f"/user/{name}/lab/tree/{NOTEBOOK}"
        copy = copy_of(klass, name)
        assert (copy / ".git").is_dir() and git_head(copy) == published
        assert (copy / "notebooks" / f"{LESSON}.ipynb").read_bytes() == notebook
        assert klass.students[name].contents(NOTEBOOK, content=False)["type"] == "notebook"
    homes = sorted(p.name for p in klass.hub.homes.iterdir())
    assert homes == sorted(STUDENTS)


# --------------------------------------------------------------------------- answering, progress, privacy

def test_students_answer_in_their_own_kernels_and_progress_lands_in_their_own_home(klass):
    reports = klass.answered()
    plans = klass.answer_plans()
    for name in STUDENTS:
        home = klass.students[name].home
        report = reports[name]
        assert report["root"] == str(copy_of(klass, name))   # the kernel reads the student's copy
        assert report["progress"] == str(home / PROGRESS)
        expected = [[nb, qid, right] for nb, qid, _value, right, _tags in plans[name]]
        assert report["attempts"] == expected
    # one progress file per student, in their home, and nowhere else (not in the shared install or the repo)
    found = files_named(klass.work, "progress*.sqlite3*") + files_named(ROOT, "progress*.sqlite3*")
    assert found == sorted(klass.students[n].home / PROGRESS for n in STUDENTS)
    for name in STUDENTS:
        from iliopsoas.progress.store import ProgressStore

        attempts = ProgressStore(klass.students[name].home / PROGRESS, readonly=True).attempts()
        assert [(a.notebook, a.question_id) for a in attempts] == [(p[0], p[1]) for p in plans[name]]


def test_a_student_cannot_read_another_students_answers(klass):
    klass.answered()
    for name in STUDENTS:
        home = klass.students[name].home
        path = home / PROGRESS
        # the home was made readable by others (as many account tools do): the course's own modes protect
        assert stat.S_IMODE(home.stat().st_mode) & 0o005 == 0o005
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # as another Unix user (on a real hub each student is one): denied
        for name in STUDENTS:
            denied = subprocess.run(["head", "-c", "16", str(klass.students[name].home / PROGRESS)],
                                    user=64001, group=64001, extra_groups=[], capture_output=True, timeout=30)
            assert denied.returncode != 0 and b"Permission denied" in denied.stderr, name


# --------------------------------------------------------------------------- the instructor's totals

def test_instructor_exports_each_student_and_the_gradebook_totals_match_what_was_answered(klass, tmp_path):
    klass.answered()
    plans = klass.answer_plans()
    exports = []
    for name in STUDENTS:
        out = tmp_path / f"{name}.json"
        done = cli("progress", "export", "--student", name.capitalize(), "--output", str(out),
                   cwd=klass.instructor, env={"ILIOPSOAS_PROGRESS": str(klass.students[name].home / PROGRESS)})
        assert done.returncode == 0, done.stderr
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["student"] == name.capitalize() and len(doc["attempts"]) == len(plans[name])
        exports.append(str(out))
    grades, objectives, misconceptions = (tmp_path / f for f in ("grades.csv", "objectives.csv", "misc.csv"))
    done = cli("gradebook", *exports, "--output", str(grades), "--objectives", str(objectives),
               "--misconceptions", str(misconceptions), cwd=klass.instructor)
    assert done.returncode == 0, done.stderr
    assert f"({len(STUDENTS)} students)" in done.stderr

    def rows(path):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    # per student and lesson: questions answered and answered right
    got = Counter()
    for row in rows(objectives):
        got[(row["student"], row["notebook"], "answered")] += int(row["answered"])
        got[(row["student"], row["notebook"], "right")] += int(row["right"])
    want = Counter()
    for name, plan in plans.items():
        for nb, _qid, _value, right, _tags in plan:
            want[(name.capitalize(), nb, "answered")] += 1
            want[(name.capitalize(), nb, "right")] += int(right)
    assert +got == +want
    assert sum(v for (_, _, k), v in got.items() if k == "answered") == sum(len(p) for p in plans.values())
    # how many students hold each misconception
    holders = Counter()
    for name, plan in plans.items():
        for tag in {t for *_x, tags in plan for t in tags}:
            holders[tag] += 1
    assert holders, "the answer plans must include wrong answers that point to misconceptions"
    table = {row["misconception"]: int(row["students"]) for row in rows(misconceptions)}
    assert {t: n for t, n in table.items() if n} == dict(holders)


# --------------------------------------------------------------------------- each student's own copy

def test_each_student_reads_their_own_copy_of_the_questions(klass):
    bank_path = copy_of(klass, "ada") / "quizzes" / f"{LESSON}.yml"
    qid, marker = changed_question(klass)
    text = bank_path.read_text(encoding="utf-8")
    if marker not in text:  # ada edits her own copy of one question
        prompt = klass.bank(LESSON)["questions"][0]["prompt"].splitlines()[0]
        assert text.count(prompt) == 1
        bank_path.write_text(text.replace(prompt, f"{prompt} {marker}"), encoding="utf-8")
    code = (f"from iliopsoas.quiz.banks import load_bank\nfrom iliopsoas import show_quiz\n"
            f"print(load_bank({LESSON!r}).question({qid!r})['prompt'])\n"
            f"print({marker!r} in show_quiz({LESSON!r}, ids=[{qid!r}]).static_html())")
    for name in STUDENTS:
        out = klass.kernel(name).run(code)
        if name == "ada":
            assert marker in out.splitlines()[0] and out.splitlines()[-1] == "True"
        else:
            assert marker not in out and out.splitlines()[-1] == "False"
    assert marker not in (ROOT / "quizzes" / f"{LESSON}.yml").read_text(encoding="utf-8")


def changed_question(klass) -> tuple[str, str]:
    return klass.bank(LESSON)["questions"][0]["id"], "(Ada's own note on this question.)"


# --------------------------------------------------------------------------- updating the class

def student_save(nb: dict, name: str) -> dict:
    """What JupyterLab saves after a student ran every cell and added a note at the end."""
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"run by {name} #{count}\n"}]
    nb["cells"].append({"cell_type": "markdown", "id": f"notes-{name}", "metadata": {},
                        "source": f"My notes ({name}): the tendon ends on the lesser trochanter."})
    return nb


def instructor_corrects(klass) -> tuple[str, str, str]:
    """The instructor fixes a paragraph of the lesson and a question, re-stores the outputs, and pushes."""
    fix_text = "Correction from your instructor: read the range, not one figure."
    nb_path = klass.instructor / "notebooks" / f"{LESSON}.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("**Why the figures differ"))
    cell.source = cell.source.rstrip() + f"\n\n{fix_text}"
    nbformat.write(nb, nb_path)
    bank = klass.bank(LESSON)
    question = bank["questions"][-1]
    line = question["prompt"].splitlines()[0]
    bank_path = klass.instructor / "quizzes" / f"{LESSON}.yml"
    text = bank_path.read_text(encoding="utf-8")
    assert text.count(line) == 1
    bank_path.write_text(text.replace(line, f"{line} (Corrected.)"), encoding="utf-8")
    # the instructor stores fresh outputs, as docs/lesson-template.md asks after any edit
    run = subprocess.run([sys.executable, "tools/execute_notebooks.py", LESSON], cwd=klass.instructor,
                         capture_output=True, text=True, timeout=600,
                         env={k: v for k, v in os.environ.items() if not k.startswith("ILIOPSOAS_COURSE")})
    assert run.returncode == 0, run.stderr[-2000:]
    for args in (["add", "-A"], ["commit", "-q", "-m", "Correct lesson 01: a paragraph and a question"],
                 ["push", "-q", "origin", "main"]):
        subprocess.run(["git", "-c", "user.name=Instructor", "-c", "user.email=i@example.edu", *args],
                       cwd=klass.instructor, check=True, capture_output=True, timeout=120)
    return fix_text, question["id"], f"{line} (Corrected.)"


def test_updating_the_class_keeps_progress_and_student_work_and_brings_the_correction(klass):
    klass.answered()
    qid_ada, marker_ada = changed_question(klass)
    test_each_student_reads_their_own_copy_of_the_questions(klass)  # ada has changed her copy too
    before = {}
    for name in STUDENTS:
        student = klass.students[name]
        student.save_notebook(NOTEBOOK, student_save(student.contents(NOTEBOOK)["content"], name))
        before[name] = (student.home / PROGRESS).read_bytes()
    fix_text, fixed_qid, fixed_prompt = instructor_corrects(klass)
    published = git_head(klass.bare)
    for name in STUDENTS:
        student = klass.students[name]
        pull = student.open_link(klass.link)  # the same link, clicked again
        assert pull["events"][-1] == {"phase": "finished"} and pull["opened_status"] == 200
        log = subprocess.run(["git", "-C", str(copy_of(klass, name)), "-c", "safe.directory=*", "log", "--format=%H",
                              "-n", "20"], capture_output=True, text=True, check=True).stdout.split()
        assert published in log  # the instructor's commit is merged in
        nb = student.contents(NOTEBOOK)["content"]  # the server reads it: still a valid notebook
        sources = [c["source"] for c in nb["cells"]]
        assert any(fix_text in s for s in sources), f"{name}'s notebook lacks the correction"
        assert sources[-1].startswith(f"My notes ({name})"), f"{name}'s own note was lost"
        outputs = [o.get("text", "") for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        assert outputs and all(t.startswith(f"run by {name}") for t in outputs), f"{name}'s saved outputs changed"
        # the corrected question reaches the student's running kernel; ada keeps her own change as well
        out = klass.kernel(name).run(
            f"from iliopsoas.quiz.banks import load_bank\nb = load_bank({LESSON!r})\n"
            f"print(b.question({fixed_qid!r})['prompt'].splitlines()[0])\nprint(b.question({qid_ada!r})['prompt'])")
        assert out.splitlines()[0] == fixed_prompt
        assert (marker_ada in out) == (name == "ada")
        # progress is outside the copy: untouched by the update
        assert (student.home / PROGRESS).read_bytes() == before[name]
