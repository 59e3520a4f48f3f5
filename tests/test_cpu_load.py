"""``--cpu-load`` (conftest.py): the tests run with one process spinning on every CPU core, and
the spinners are gone when the run ends (issue 11, item 18: browser tests must hold on a busy
machine; `.ci/load-test` runs them like that three times in a row).  Off by default, so CI's
ordinary run is not loaded."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

INNER = '''
import os
from pathlib import Path

SPIN = "while True: pass"


def spinners():
    """(pid, state) of this process's children that spin."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\\\\0", b" ").decode()
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if SPIN in cmd and int(fields[1]) == os.getpid():
            out.append((int(proc.name), fields[0]))
    return out


def test_spinners(request):
    found = spinners()
    Path(os.environ["SPINNER_FILE"]).write_text(" ".join(str(pid) for pid, _ in found))
    assert len(found) == (os.cpu_count() or 1), found
    assert all(state == "R" or state == "S" for _, state in found), found
    assert request.node.get_closest_marker("load") is not None
'''


def run_inner(tmp_path, *options):
    test = tmp_path / "test_inner.py"
    test.write_text(INNER, encoding="utf-8")
    record = tmp_path / "spinners.txt"
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPINNER_FILE=str(record))
    env.pop("ILIOPSOAS_CPU_LOAD", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), "-c", os.devnull, *options, str(test)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    pids = [int(p) for p in record.read_text().split()] if record.exists() else []
    return proc, pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux) to find the spinners")
def test_cpu_load_spins_every_core_while_the_tests_run_and_stops_after(tmp_path):
    proc, pids = run_inner(tmp_path, "--cpu-load")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert len(pids) == (os.cpu_count() or 1)
    assert f"CPU load: {len(pids)} processes spinning" in proc.stdout
    time.sleep(0.5)
    alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()
             and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert not alive, f"spinners still running after the run: {alive}"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux) to find the spinners")
def test_without_the_option_nothing_spins(tmp_path):
    proc, pids = run_inner(tmp_path)
    assert proc.returncode == 1, "the inner test must fail: no spinner without --cpu-load"
    assert pids == []


def test_load_script_runs_the_readme_test_command_three_times_under_load():
    """`.ci/load-test` must prepare what the browser tests need exactly as the test command does (a
    fresh clone once lacked npm's axe-core because the script only ran `course.py setup`)."""
    import re

    script = (ROOT / ".ci" / "load-test").read_text()
    commands = [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    runs = [c for c in commands if "pytest" in c or "course.py" in c]
    assert runs, "the script runs no tests"
    for command in runs:
        assert command.startswith("python3 course.py test "), f"not the README's test command: {command}"
        assert "--cpu-load" in command and "-m browser" in command, command
    assert re.search(r'runs="\$\{RUNS:-3\}"', script), "three runs in a row by default"
    assert "set -euo pipefail" in script, "a failing run must stop the script"
    assert os.access(ROOT / ".ci" / "load-test", os.X_OK)
