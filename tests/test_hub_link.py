"""``python -m iliopsoas hub-link``: the nbgitpuller link for a class on a JupyterHub.

The link itself is followed by a real hub in tests/hub/test_class.py; here: its
parts, its URL encoding, where the repository comes from, and the errors.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from iliopsoas.hub import HubLinkError, clone_url, hub_link, normalize_hub

ROOT = Path(__file__).resolve().parent.parent


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A git checkout holding a (small) course: the course map, the misconceptions, three notebooks."""
    root = tmp_path / "my course"
    (root / "quizzes").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "assets" / "course.yml", root / "assets")
    shutil.copy(ROOT / "quizzes" / "misconceptions.yml", root / "quizzes")
    for slug in ("00-start-here", "01-anatomy", "02-function"):
        (root / "notebooks" / f"{slug}.ipynb").write_text("{}", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    return root


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "iliopsoas", "hub-link", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, strict_parsing=True).items()}


def test_link_from_the_git_remote_opens_the_notebook_in_the_students_copy(checkout):
    git(checkout, "remote", "add", "origin", "git@github.com:uni-physio/iliopsoas-course.git")
    out = run(checkout, "--hub", "https://hub.example.edu", "--notebook", "01-anatomy")
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    assert "\n" not in url
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    assert query(url) == {
        "repo": "https://github.com/uni-physio/iliopsoas-course",   # SSH remote -> a URL students can clone
        "branch": "main",
        "targetpath": "iliopsoas-course",                          # ~/iliopsoas-course for every student
        "urlpath": "lab/tree/iliopsoas-course/notebooks/01-anatomy.ipynb",
    }
    assert "~/iliopsoas-course" in out.stderr and "01-anatomy.ipynb" in out.stderr


def test_defaults_start_notebook_and_main_branch_and_options_change_them(checkout):
    git(checkout, "remote", "add", "origin", "https://gitlab.example.org/teach/course.git")
    assert query(run(checkout, "--hub", "https://hub.example.edu").stdout.strip())["urlpath"] == \
        "lab/tree/iliopsoas-course/notebooks/00-start-here.ipynb"
    q = query(run(checkout, "--hub", "https://hub.example.edu", "--branch", "spring-2027", "--notebook",
                  "02-function.ipynb", "--folder", "hip-course").stdout.strip())
    assert q == {"repo": "https://gitlab.example.org/teach/course.git", "branch": "spring-2027",
                 "targetpath": "hip-course", "urlpath": "lab/tree/hip-course/notebooks/02-function.ipynb"}


def test_repo_option_wins_and_every_value_is_url_encoded(checkout):
    git(checkout, "remote", "add", "origin", "https://github.com/a/b")
    repo = "https://git.example.edu/Hip Group/course&notes.git?x=1#y"
    out = run(checkout, "--hub", "https://hub.example.edu/class-a/hub/", "--repo", repo, "--notebook", "01-anatomy")
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    assert " " not in url and url.count("?") == 1 and "#" not in url
    assert url.startswith("https://hub.example.edu/class-a/hub/user-redirect/git-pull?")  # a hub under a prefix
    assert "repo=https%3A%2F%2Fgit.example.edu%2FHip%20Group%2Fcourse%26notes.git%3Fx%3D1%23y&" in url
    assert "urlpath=lab%2Ftree%2Filiopsoas-course%2Fnotebooks%2F01-anatomy.ipynb" in url
    assert query(url)["repo"] == repo  # decodes back to exactly what was given


def test_unknown_notebook_lists_the_known_ones(checkout):
    git(checkout, "remote", "add", "origin", "https://github.com/a/b")
    out = run(checkout, "--hub", "https://hub.example.edu", "--notebook", "09-surgery")
    assert out.returncode == 2 and out.stdout == ""
    assert "unknown notebook '09-surgery'" in out.stderr
    assert "00-start-here, 01-anatomy, 02-function" in out.stderr
    assert "Traceback" not in out.stderr


def test_no_remote_and_no_repo_is_a_clear_error(checkout):
    out = run(checkout, "--hub", "https://hub.example.edu")
    assert out.returncode == 2 and out.stdout == ""
    assert "has no remote" in out.stderr and "--repo" in out.stderr and "Traceback" not in out.stderr
    assert run(checkout, "--hub", "https://hub.example.edu", "--repo", "https://github.com/a/b").returncode == 0


def test_not_a_git_checkout_asks_for_repo(tmp_path, checkout):
    shutil.rmtree(checkout / ".git")
    out = run(checkout, "--hub", "https://hub.example.edu")
    assert out.returncode == 2 and "not a git checkout" in out.stderr and "--repo" in out.stderr


def test_several_remotes_without_origin_ask_which(checkout):
    git(checkout, "remote", "add", "upstream", "https://github.com/a/b")
    git(checkout, "remote", "add", "fork", "https://github.com/c/b")
    out = run(checkout, "--hub", "https://hub.example.edu")
    assert out.returncode == 2 and "several remotes" in out.stderr


@pytest.mark.parametrize("hub", ["hub.example.edu", "ftp://hub.example.edu", "https://", "https://h.edu/?a=1", ""])
def test_a_bad_hub_address_is_refused(checkout, hub):
    git(checkout, "remote", "add", "origin", "https://github.com/a/b")
    out = run(checkout, "--hub", hub)
    assert out.returncode == 2 and "--hub" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("args, words", [
    (["--branch", "--evil"], "branch"), (["--branch", "a b"], "branch"),
    (["--folder", "../elsewhere"], "one folder name"), (["--folder", ".hidden"], "one folder name"),
    (["--repo", "https://student:secret@github.com/a/b"], "password"),
])
def test_bad_branch_folder_or_credentials_are_refused(checkout, args, words):
    out = run(checkout, "--hub", "https://hub.example.edu", *args)
    assert out.returncode == 2 and words in out.stderr, out.stderr


@pytest.mark.parametrize("remote, url", [
    ("git@github.com:org/repo.git", "https://github.com/org/repo"),
    ("ssh://git@gitlab.example.org/group/sub/repo.git", "https://gitlab.example.org/group/sub/repo"),
    ("https://github.com/org/repo.git", "https://github.com/org/repo.git"),
    ("file:///srv/course.git", "file:///srv/course.git"),
    ("/srv/course.git", "file:///srv/course.git"),
])
def test_remotes_become_urls_a_hub_can_clone(remote, url):
    assert clone_url(remote) == url


def test_hub_address_forms():
    assert normalize_hub("https://hub.example.edu/") == "https://hub.example.edu"
    assert normalize_hub("https://hub.example.edu/hub") == "https://hub.example.edu"
    assert normalize_hub("http://127.0.0.1:8000/pre/fix/") == "http://127.0.0.1:8000/pre/fix"
    with pytest.raises(HubLinkError):
        normalize_hub("hub.example.edu")


def test_function_reads_notebooks_of_the_given_root(checkout):
    link = hub_link("https://h.example.edu", notebook="02-function", repo="https://github.com/a/b", root=checkout)
    assert link.notebook_path == "iliopsoas-course/notebooks/02-function.ipynb"
    (checkout / "notebooks" / "02-function.ipynb").unlink()
    with pytest.raises(HubLinkError, match="00-start-here, 01-anatomy"):
        hub_link("https://h.example.edu", notebook="02-function", repo="https://github.com/a/b", root=checkout)
