"""Run a command as a user the tests can take rights away from.

Tests of a read-only progress file, a read-only home folder or a user with no home
folder need a user for whom file permissions apply.  Root ignores them, so when the tests
run as root the command runs as an unprivileged user id that has no entry in the user
database (as ``docker --user 12345`` gives) with ``setpriv``; otherwise it runs as the
current (already unprivileged) user.  ``no_home=True`` also removes ``HOME``; when the
current user has an entry in the user database, a ``sitecustomize`` on ``PYTHONPATH``
makes Python's lookup of it fail, as it does for a numeric user without one.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

def _has_entry(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def _other_uid() -> int:
    """The unprivileged user id used when the tests run as root (no entry in /etc/passwd)."""
    return next(uid for uid in range(4242, 4400) if not _has_entry(uid))


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


_NO_PASSWD_ENTRY = '''\
"""Test helper: this process's user has no entry in the user database (as docker --user 12345)."""
import pwd as _pwd

_real = _pwd.getpwuid


def getpwuid(uid):
    import os

    if uid == os.getuid():
        raise KeyError(f"getpwuid(): uid not found: {uid}")
    return _real(uid)


_pwd.getpwuid = getpwuid
'''


def shared_tmp_dir() -> Path:
    """A new folder every user can enter and read (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="iliopsoas-test-"))
    path.chmod(0o755)
    return path


def run_restricted(cmd: list, env: dict | None = None, cwd=None, no_home: bool = False,
                   timeout: float = 300) -> subprocess.CompletedProcess:
    """Run cmd as an unprivileged user (see the module docstring); text output captured.

    ``env`` is added to this process's environment; a value None removes that variable.
    """
    full = dict(os.environ)
    full.pop("ILIOPSOAS_DEBUG", None)
    for key, value in (env or {}).items():  # None removes a variable
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    prefix: list[str] = []
    extra_path = None
    if no_home:
        full.pop("HOME", None)
        full.pop("XDG_DATA_HOME", None)
        full.pop("XDG_CONFIG_HOME", None)
    if is_root():
        setpriv = shutil.which("setpriv")
        assert setpriv, "running the tests as root needs setpriv (util-linux) to test file permissions"
        uid = _other_uid()
        prefix = [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    elif no_home:
        extra_path = shared_tmp_dir()
        (extra_path / "sitecustomize.py").write_text(_NO_PASSWD_ENTRY, encoding="utf-8")
        full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), full.get("PYTHONPATH")]))
    mpl = Path(tempfile.mkdtemp(prefix="iliopsoas-test-mpl-"))
    mpl.chmod(0o777)  # matplotlib's cache, writable by the restricted user
    if not no_home:  # without a home, the course must cope by itself
        full.setdefault("MPLCONFIGDIR", str(mpl))
    else:
        full.pop("MPLCONFIGDIR", None)
    try:
        return subprocess.run(prefix + [str(c) for c in cmd], capture_output=True, text=True, encoding="utf-8",
                              env=full, cwd=cwd, timeout=timeout)
    finally:
        shutil.rmtree(mpl, ignore_errors=True)
        if extra_path is not None:
            shutil.rmtree(extra_path, ignore_errors=True)


def python(code: str, **kw) -> subprocess.CompletedProcess:
    """Run Python code (this interpreter) restricted, see :func:`run_restricted`."""
    return run_restricted([sys.executable, "-c", code], **kw)
