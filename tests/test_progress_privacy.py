"""A student's saved answers are readable by that student only (POSIX permissions).

On a shared machine or a JupyterHub whose home folders others can read, the
progress folder the store creates is mode 0700 and the file 0600; SQLite's
journal takes the file's mode.  tests/hub/test_class.py checks the same in
real students' homes.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from iliopsoas.progress.store import ProgressStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_is_private_to_its_owner(tmp_path):
    old = os.umask(0o022)  # the usual umask: files 0644, folders 0755 unless the store says otherwise
    try:
        path = tmp_path / "home" / ".local" / "share" / "iliopsoas-course" / "progress.sqlite3"
        store = ProgressStore(path)
        store.record("00-start-here", "start-q", 1, True, 1.0, [])
    finally:
        os.umask(old)
    assert store.path == path and not store.warnings
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    assert ProgressStore(path, readonly=True).attempts()[0].question_id == "start-q"


def test_a_folder_that_already_exists_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    store = ProgressStore(shared / "progress.sqlite3")
    store.record("00-start-here", "start-q", 1, True, 1.0, [])
    assert mode(shared) == 0o755 and mode(shared / "progress.sqlite3") == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="switching to another user needs root; the modes above are checked everywhere")
def test_another_user_cannot_read_the_answers():
    # a home that others may enter (pytest's own temporary folders are private, so not there)
    home = Path(tempfile.mkdtemp(prefix="iliopsoas-privacy-", dir="/tmp"))
    old = os.umask(0o022)
    try:
        home.chmod(0o755)
        path = home / ".local" / "share" / "iliopsoas-course" / "progress.sqlite3"
        ProgressStore(path).record("00-start-here", "start-q", 1, True, 1.0, [])
        for folder in (home / ".local", home / ".local" / "share"):
            assert mode(folder) & 0o005 == 0o005  # made by the usual umask: others may look in
        other = subprocess.run(["head", "-c", "16", str(path)], user=64123, group=64123, extra_groups=[],
                               capture_output=True, timeout=30)
        assert other.returncode != 0 and b"Permission denied" in other.stderr
        assert subprocess.run(["head", "-c", "16", str(path)], capture_output=True).stdout == b"SQLite format 3\0"
    finally:
        os.umask(old)
        shutil.rmtree(home)
