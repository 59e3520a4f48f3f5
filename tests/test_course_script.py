"""`python3 course.py …`: what a student's first run installs and says, the course's own JupyterLab
settings, and a fresh copy of a lesson.

The setup steps are checked with pip replaced by a stand-in that records what it was asked (no
packages are installed); the editable install is built for real into a throwaway environment.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_course_script():
    spec = importlib.util.spec_from_file_location("course_script_under_test", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def course(tmp_path, monkeypatch):
    """course.py with its .venv in a temporary folder and pip replaced by a recorder."""
    module = load_course_script()
    venv = tmp_path / ".venv"
    bindir = venv / "bin"
    bindir.mkdir(parents=True)
    (bindir / "python").write_text("")
    monkeypatch.setattr(module, "VENV", venv)
    monkeypatch.setattr(module, "BIN", bindir)
    monkeypatch.setattr(module, "PY", bindir / "python")
    calls = []
    monkeypatch.setattr(module, "pip_install", lambda args, what: calls.append(list(args)))
    module.calls = calls
    return module


def test_lab_installs_only_what_a_student_needs(course):
    course.setup("student")
    installs = [c for c in course.calls if "-r" in c]
    assert installs == [["-r", "requirements.txt", "-e", "."]], course.calls
    assert course.is_current("student") and not course.is_current("test")


def test_the_test_setup_adds_the_test_tools_and_covers_a_student(course):
    course.setup("test")
    assert [c for c in course.calls if "-r" in c] == [["-r", "requirements-dev.txt", "-e", "."]]
    assert course.is_current("test") and course.is_current("student")
    course.calls.clear()
    course.setup("student")          # nothing to do: the test environment has everything
    course.setup("test")
    assert course.calls == []


def test_a_student_environment_is_upgraded_for_the_tests_and_redone_when_requirements_change(course, monkeypatch):
    course.setup("student")
    course.calls.clear()
    course.setup("test")
    assert [c for c in course.calls if "-r" in c] == [["-r", "requirements-dev.txt", "-e", "."]]
    course.calls.clear()
    monkeypatch.setattr(course, "requirements_digest", lambda kind: "changed")
    course.setup("student")
    assert [c for c in course.calls if "-r" in c] == [["-r", "requirements.txt", "-e", "."]]


def test_installing_says_what_it_is_doing_and_shows_pip_only_when_it_fails(tmp_path, monkeypatch, capsys):
    module = load_course_script()
    fake = tmp_path / "python"
    fake.write_text(textwrap.dedent("""\
        #!/usr/bin/env python3
        import sys
        for i in range(12):
            print(f"Collecting package{i}>=1")
            print(f"  Downloading package{i}-1.0-py3-none-any.whl (10 kB)")
        print("Installing collected packages: " + ", ".join(f"package{i}" for i in range(12)))
        print("Successfully installed " + " ".join(f"package{i}-1.0" for i in range(12)))
        sys.exit(int("fail" in sys.argv))
    """))
    fake.chmod(0o755)
    monkeypatch.setattr(module, "PY", fake)
    module.pip_install(["-r", "requirements.txt"], "JupyterLab and the course's packages")
    out = capsys.readouterr().out
    assert "[course] installing JupyterLab and the course's packages" in out
    assert "10 packages found so far" in out and "unpacking 12 packages" in out and "done in" in out
    assert "Downloading" not in out   # pip's own lines stay out of the way
    with pytest.raises(subprocess.CalledProcessError):
        module.pip_install(["fail"], "something")
    assert "Downloading package11" in capsys.readouterr().err   # a failure shows pip's output


def test_the_course_jupyterlab_settings_go_into_the_environment_not_the_users(course, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    path = course.write_lab_settings()
    assert path == course.VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    assert settings["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True
    assert not home.exists(), "nothing may be written into the user's own Jupyter settings"
    # settings someone else put there are kept
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    settings = json.loads(course.write_lab_settings().read_text())
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    env = course.lab_env()
    assert env["JUPYTER_PREFER_ENV_PATH"] == "1", "the course's kernel and settings must win over the user's"


def test_binder_writes_the_same_settings():
    text = (ROOT / "postBuild").read_text()
    assert "course.py lab-settings --prefix" in text


def test_the_editable_install_shows_no_build_backend_warning(tmp_path):
    """pip install -e . as course.py runs it, built for real (into a throwaway environment): no
    "BuildBackendWarning … Editable installation" banner, and the package imports from the course."""
    target = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    python = target / ("Scripts" if os.name == "nt" else "bin") / "python"
    out = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                          "--disable-pip-version-check", "-e", str(ROOT)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    log = out.stdout + out.stderr
    assert "BuildBackendWarning" not in log and "Editable installation" not in log and "!!" not in log, log[-3000:]
    where = subprocess.run([str(python), "-c", "import iliopsoas, sys; print(iliopsoas.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.strip() == str(ROOT / "iliopsoas" / "__init__.py"), where.stderr


@pytest.fixture
def clone(tmp_path):
    """A git clone of the course's committed notebooks (the course itself is never touched)."""
    if not shutil.which("git"):
        pytest.fail("git is needed for this test (the course's fresh copies come from its git history)")
    repo = tmp_path / "course"
    (repo / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "course.py", repo)
    for nb in ("00-start-here.ipynb", "01-anatomy.ipynb"):
        shutil.copy(ROOT / "notebooks" / nb, repo / "notebooks")
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "course"]):
        subprocess.run(cmd, cwd=repo, check=True, env=env, capture_output=True)
    return repo


def test_fresh_copy_of_a_lesson_keeps_the_students_copy(clone):
    lesson = clone / "notebooks" / "01-anatomy.ipynb"
    pristine = lesson.read_bytes()
    lesson.write_bytes(pristine.replace(b"Anatomy of the iliopsoas", b"Anatomy of the iliopsoas (my notes)"))
    mine = lesson.read_bytes()
    out = subprocess.run([sys.executable, "course.py", "fresh", "01-anatomy"], cwd=clone, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert lesson.read_bytes() == pristine
    kept = list((clone / "notebooks" / "my-copies").glob("01-anatomy-*.ipynb"))
    assert len(kept) == 1 and kept[0].read_bytes() == mine
    assert "progress are unchanged" in out.stdout
    again = subprocess.run([sys.executable, "course.py", "fresh", "01-anatomy"], cwd=clone, capture_output=True,
                           text=True)
    assert "already the course's copy" in again.stdout


def test_fresh_copy_names_the_lessons_when_one_is_unknown(clone):
    out = subprocess.run([sys.executable, "course.py", "fresh", "01-anatomi"], cwd=clone, capture_output=True,
                         text=True)
    assert out.returncode == 1 and "01-anatomy" in out.stdout and "00-start-here" in out.stdout


def test_lab_help_says_what_it_does_without_installing(course, capsys, monkeypatch):
    def no_setup(kind):
        raise AssertionError("--help must not install anything")

    monkeypatch.setattr(course, "setup", no_setup)
    assert course.lab(["--help"]) == 0
    out = capsys.readouterr().out
    assert "00-start-here.ipynb" in out and "usage: python3 course.py lab" in out


def test_the_link_jupyterlab_prints_opens_the_start_notebook(course, monkeypatch):
    ran = []
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, **kw: ran.append(cmd) or 0)
    monkeypatch.setattr(course, "write_lab_settings", lambda *a, **k: None)
    assert course.lab(["--no-browser"]) == 0
    cmd = ran[0]
    assert "--LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb" in cmd
    assert cmd[-1] == "--no-browser" and "notebooks/00-start-here.ipynb" in cmd
