"""Test-session set-up shared by every test (and by the kernels nbval starts).

Tests never touch a student's real progress file: before anything else runs,
``ILIOPSOAS_PROGRESS`` points at a file in a fresh temporary directory, and
matplotlib gets a private config/cache directory.  Kernels started by nbval
inherit this environment.

``--cpu-load`` (or ``ILIOPSOAS_CPU_LOAD=1``) runs the tests on a busy machine: one
process spinning on every CPU core for the whole session, as when other work shares
the machine.  The browser tests must pass like that too (they wait for states, never
for a speed): ``python3 course.py test -m browser --cpu-load``, or `.ci/load-test`.
"""
import os
import signal
import subprocess
import sys
import tempfile

_TMP = tempfile.mkdtemp(prefix="iliopsoas-tests-")
os.environ["ILIOPSOAS_PROGRESS"] = os.path.join(_TMP, "progress.sqlite3")
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_TMP, "mpl"))
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

_SPINNERS: list = []


def pytest_addoption(parser):
    parser.addoption("--cpu-load", action="store_true", default=False,
                     help="keep every CPU core busy (one spinning process per core) while the tests run")


def cpu_load_requested(config) -> bool:
    return bool(config.getoption("--cpu-load")) or os.environ.get("ILIOPSOAS_CPU_LOAD", "") not in ("", "0")


def pytest_configure(config):
    config.addinivalue_line("markers", "load: the run keeps every CPU core busy (--cpu-load)")
    if cpu_load_requested(config) and not _SPINNERS:
        for _ in range(os.cpu_count() or 1):
            _SPINNERS.append(subprocess.Popen([sys.executable, "-c", "while True: pass"],
                                              stdin=subprocess.DEVNULL, start_new_session=True))


def pytest_report_header(config):
    if _SPINNERS:
        return f"CPU load: {len(_SPINNERS)} processes spinning (one per core), pids {[p.pid for p in _SPINNERS]}"
    return None


def pytest_collection_modifyitems(config, items):
    if _SPINNERS:
        import pytest

        for item in items:
            item.add_marker(pytest.mark.load)


def pytest_unconfigure(config):
    while _SPINNERS:
        proc = _SPINNERS.pop()
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
