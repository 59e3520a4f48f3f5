"""A student's first contact with the course's own JupyterLab, and lessons that survive slips.

- `python3 course.py lab`, run as the README says, for a user whose home folder holds someone
  else's "python3" kernel (pointing elsewhere) and whose shell prefers user-level Jupyter
  folders (JUPYTER_PREFER_ENV_PATH=0): the start notebook opens with the course's own kernel, no
  Select Kernel dialog and no news prompt; Run All shows live quizzes; the settings that make this
  so were written into .venv, nothing into the user's own Jupyter settings.
- In a lesson, a cell cannot be deleted (d, d) or edited (Enter, then typing).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from browser_helpers import QUIZ, ROOT
from labdriver import NotebookPage

SHOTS = ROOT / "test-artifacts" / "laptop"
DECOY = "Someone else's Python (not the course)"


def course_script():
    spec = importlib.util.spec_from_file_location("course_script_first_contact", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def course_lab(tmp_path, chromium):
    """`python3 course.py lab` as a student starts it, with a home folder of its own."""
    course = course_script()
    if not course.is_current("student"):
        pytest.fail("the course's .venv is not set up: run `python3 course.py setup` first", pytrace=False)
    home = tmp_path / "home"
    decoy = home / ".local" / "share" / "jupyter" / "kernels" / "python3"
    decoy.mkdir(parents=True)
    (decoy / "kernel.json").write_text(json.dumps({
        "argv": [str(course.PY), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": DECOY, "language": "python"}))
    # the test's own safety net: this JupyterLab serves the real notebooks, so it must never save them
    user_settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
    user_settings.mkdir(parents=True)
    (user_settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    overrides = course.VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.unlink(missing_ok=True)        # course.py must write it
    before = {p: digest(p) for p in (ROOT / "notebooks").glob("*.ipynb")}
    port, token = free_port(), "first-contact"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), JUPYTER_PREFER_ENV_PATH="0", ILIOPSOAS_PROGRESS=str(tmp_path / "progress.sqlite3"),
               MPLCONFIGDIR=str(tmp_path / "mpl"))
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "lab", "--no-browser", f"--port={port}",
                             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(f"{base}api/status?token={token}", timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("course.py lab did not answer:\n" + (tmp_path / "lab.log").read_text(errors="replace"))
            time.sleep(0.3)
    yield {"base": base, "token": token, "home": home, "overrides": overrides, "before": before, "proc": proc}
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()
    after = {p: digest(p) for p in before}
    assert after == before, "course.py lab changed a lesson in the repository"


def test_course_lab_starts_the_course_kernel_without_any_prompt(course_lab, browser_context):
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{course_lab['base']}lab/tree/notebooks/00-start-here.ipynb?token={course_lab['token']}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_function(
            """() => { const i = document.querySelector('.jp-Notebook-ExecutionIndicator');
                       const n = document.querySelector('.jp-NotebookPanel-toolbar .jp-KernelName, '
                                 + '.jp-NotebookPanel-toolbar [data-jp-item-name="kernelName"]');
                       return (i && i.dataset.status === 'idle' && n && n.textContent.trim() !== 'No Kernel')
                              || !!document.querySelector('.jp-Dialog'); }""", timeout=120_000, polling=200)
        assert not page.locator(".jp-Dialog").count(), (
            "a dialog asked the student something: " + page.locator(".jp-Dialog").first.inner_text())
        kernel = page.locator(".jp-NotebookPanel-toolbar .jp-KernelName, "
                              ".jp-NotebookPanel-toolbar [data-jp-item-name='kernelName']").first.inner_text()
        assert kernel.strip() == "Python 3 (ipykernel)", f"the notebook started {kernel!r}, not the course's kernel"
        # the news prompt is settled by the settings (not by waiting to see whether it comes)
        req = urllib.request.Request(f"{course_lab['base']}lab/api/settings/@jupyterlab/apputils-extension:"
                                     f"notification?token={course_lab['token']}")
        with urllib.request.urlopen(req, timeout=10) as resp:
            schema = json.load(resp)["schema"]["properties"]   # defaults with the environment's overrides applied
        assert schema["fetchNews"]["default"] == "false", schema["fetchNews"]
        assert schema["checkForUpdates"]["default"] is False
        nb = NotebookPage(browser_context, None, "notebooks/00-start-here.ipynb")
        nb.page = page
        nb.run_all()
        assert nb.wait_for_count(QUIZ, 1) >= 1, "Run All shows no live quiz"
        assert not nb.errors(), nb.errors()
        toasts = [t for t in page.locator(".Toastify__toast").all_inner_texts() if t.strip()]
        assert not any("news" in t.lower() for t in toasts), toasts
        assert not page.locator(".jp-Dialog").count() and not dialogs
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "first-contact-start-here.png"))
    finally:
        page.close(run_before_unload=False)
    # the settings went into the course's environment, not into the student's own Jupyter settings
    written = json.loads(course_lab["overrides"].read_text())
    assert written["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert written["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True
    user = course_lab["home"] / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    assert sorted(p.name for p in user.iterdir()) == ["docmanager-extension"], list(user.iterdir())


def test_lesson_cells_cannot_be_deleted_or_edited(lab, browser_context, served):
    relpath = "notebooks/01-anatomy.ipynb"
    nb = NotebookPage(browser_context, lab, relpath).open()
    try:
        page = nb.page
        cells = nb.panel.locator(".jp-Notebook > .jp-Cell, .jp-WindowedPanel-viewport > .jp-Cell")
        count = cells.count()
        title = nb.panel.locator(".jp-MarkdownCell").nth(1)
        before_text = title.inner_text()
        title.locator(".jp-InputPrompt").first.click()       # select it (command mode)
        page.keyboard.press("Escape")
        page.keyboard.press("d")
        page.keyboard.press("d")
        page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length === n",
                               arg=[".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell", count],
                               timeout=10_000)
        assert cells.count() == count, "a lesson cell was deleted with d, d"
        page.keyboard.press("Enter")                           # would open the Markdown editor
        page.keyboard.type("xyz")
        page.keyboard.press("Shift+Enter")
        assert "xyz" not in title.inner_text() and title.inner_text() == before_text
        code = nb.panel.locator(".jp-CodeCell").first
        code.locator(".jp-InputPrompt").first.click()
        page.keyboard.press("Enter")
        page.keyboard.type("zzz")
        assert "zzz" not in code.locator(".jp-InputArea-editor").inner_text(), "a lesson's code cell was edited"
    finally:
        nb.close()
        served.assert_never_saved(relpath)
