"""Which copy of the course a kernel or a command reads (``iliopsoas.paths.course_root``).

Order: ILIOPSOAS_COURSE_ROOT, the notebook's own course (JPY_SESSION_NAME), the
working directory's course, the installed package's folder.  The hub test
(tests/hub/test_class.py) shows the same with real students' copies.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from iliopsoas import paths

ROOT = Path(__file__).resolve().parent.parent


def make_copy(where: Path) -> Path:
    """A student's copy of the course's data (what nbgitpuller would clone), with notebooks/."""
    for rel in ("quizzes", "assets"):
        shutil.copytree(ROOT / rel, where / rel)
    (where / "notebooks").mkdir()
    return where


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)
    monkeypatch.delenv(paths.SESSION_ENV, raising=False)
    return monkeypatch


def test_without_any_course_around_the_installed_package_is_used(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    assert paths.course_root() == ROOT


def test_the_working_directorys_course_comes_before_the_package(clean_env, tmp_path):
    copy = make_copy(tmp_path / "home" / "iliopsoas-course")
    clean_env.chdir(copy / "notebooks")  # where a kernel of one of its notebooks starts
    assert paths.course_root() == copy.resolve()
    assert paths.quizzes_dir() == copy.resolve() / "quizzes"


def test_the_notebooks_own_course_comes_before_the_working_directory(clean_env, tmp_path):
    copy = make_copy(tmp_path / "mine")
    other = make_copy(tmp_path / "other")
    clean_env.chdir(other)
    clean_env.setenv(paths.SESSION_ENV, str(copy / "notebooks" / "01-anatomy.ipynb"))
    assert paths.course_root() == copy.resolve()
    clean_env.setenv(paths.SESSION_ENV, "notebooks/01-anatomy.ipynb")  # relative: the working directory decides
    assert paths.course_root() == other.resolve()


def test_the_environment_variable_comes_first(clean_env, tmp_path):
    copy = make_copy(tmp_path / "a")
    chosen = make_copy(tmp_path / "b")
    clean_env.chdir(copy)
    clean_env.setenv(paths.ROOT_ENV, str(chosen))
    assert paths.course_root() == chosen.resolve()
    clean_env.setenv(paths.ROOT_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=paths.ROOT_ENV):
        paths.course_root()


def test_a_folder_with_other_quizzes_and_assets_is_not_taken_for_the_course(clean_env, tmp_path):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "assets").mkdir()
    clean_env.chdir(tmp_path)
    assert paths.course_root() == ROOT


def test_a_deleted_working_directory_falls_back_to_the_package(clean_env, tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    clean_env.chdir(gone)
    gone.rmdir()
    assert paths.course_root() == ROOT


def test_a_kernel_in_a_changed_copy_reads_the_changed_question(tmp_path):
    """A fresh interpreter started in a copy's notebooks/ folder (like a kernel) loads that copy's bank."""
    copy = make_copy(tmp_path / "student" / "iliopsoas-course")
    bank_path = copy / "quizzes" / "01-anatomy.yml"
    bank = yaml.safe_load(bank_path.read_text(encoding="utf-8"))
    bank["questions"][0]["prompt"] = "Only this copy asks this (changed in the student's copy)."
    bank_path.write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True), encoding="utf-8")
    code = ("from iliopsoas.quiz.banks import load_bank\n"
            f"print(load_bank('01-anatomy').question({bank['questions'][0]['id']!r})['prompt'])")
    env = {k: v for k, v in __import__("os").environ.items() if k not in (paths.ROOT_ENV, paths.SESSION_ENV)}
    mine = subprocess.run([sys.executable, "-c", code], cwd=copy / "notebooks", env=env,
                          capture_output=True, text=True, timeout=120)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.strip() == "Only this copy asks this (changed in the student's copy)."
    elsewhere = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "Only this copy" not in elsewhere.stdout
