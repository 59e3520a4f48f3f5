#!/usr/bin/env python3
"""Set up the course and open it, or run every test: the README's two commands.

    python3 course.py lab     # set up (first time) and open the course in JupyterLab
    python3 course.py test    # set up (first time) and run every test
    python3 course.py bench   # set up and print the benchmark table

Setting up means: a virtual environment in .venv with the course's packages
and its helper package installed.  It is redone only when requirements change.
Needs Python 3.10 or newer; works on Linux, macOS and Windows.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".course-installed"
INPUTS = ["requirements.txt", "requirements-dev.txt", "pyproject.toml"]


def say(msg: str) -> None:
    print(f"[course] {msg}", flush=True)


def run(cmd: list, **kw) -> None:
    say(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def requirements_digest() -> str:
    h = hashlib.sha256()
    for name in INPUTS:
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def create_venv() -> None:
    try:
        run([sys.executable, "-m", "venv", VENV])
        return
    except subprocess.CalledProcessError:
        shutil.rmtree(VENV, ignore_errors=True)
        say("'python3 -m venv' failed (on Debian/Ubuntu it needs the python3-venv package:")
        say("  sudo apt-get install python3-venv). Trying virtualenv from PyPI instead.")
    run([sys.executable, "-m", "pip", "install", "--user", "--quiet", "virtualenv"])
    run([sys.executable, "-m", "virtualenv", VENV])


def setup() -> None:
    """Create .venv and install everything, unless it is already current."""
    if sys.version_info < (3, 10):
        sys.exit("The course needs Python 3.10 or newer; this is " + sys.version.split()[0])
    digest = requirements_digest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == digest:
        return
    if not PY.exists():
        create_venv()
    run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([PY, "-m", "pip", "install", "--quiet", "-r", "requirements-dev.txt", "-e", "."])
    STAMP.write_text(digest)
    say("environment ready in .venv")


def lab(extra: list[str]) -> int:
    setup()
    cmd = [BIN / "jupyter", "lab", "notebooks/00-start-here.ipynb"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return subprocess.call([str(c) for c in cmd + extra], cwd=ROOT)


def test(extra: list[str]) -> int:
    setup()
    return subprocess.call([str(PY), "-m", "pytest", *extra], cwd=ROOT)


def bench(extra: list[str]) -> int:
    setup()
    return subprocess.call([str(PY), "benchmarks/run.py", *extra], cwd=ROOT)


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "bench": bench, "setup": lambda _x: (setup(), 0)[1]}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
