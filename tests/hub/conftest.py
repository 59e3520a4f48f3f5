"""One real JupyterHub class for every hub test (tests/hub/hubclass.py), stopped at the end, also on failure."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hubclass import Klass, class_processes, hubdriver  # noqa: E402


@pytest.fixture(scope="session")
def klass():
    missing = hubdriver.missing_tools()
    if missing:
        pytest.fail(f"The hub tests cannot run: missing {', '.join(missing)}. {hubdriver.INSTALL_HINT}", pytrace=False)
    # not under pytest's private temporary folder: students' homes must be reachable by other users,
    # as on a real hub, so that only the course's own file permissions protect their answers
    work = Path(tempfile.mkdtemp(prefix="iliopsoas-class-"))
    work.chmod(0o755)
    k = Klass(work)
    try:
        k.start()
        yield k
    finally:
        killed = k.stop()
        left = class_processes(work)
        shutil.rmtree(work, ignore_errors=True)
        if killed:
            print(f"[hub] had to kill: {killed}", file=sys.stderr)
        assert not left, f"processes of the class still running after it was stopped: {left}"
