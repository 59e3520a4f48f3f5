"""Fixtures of the browser tests: one JupyterLab server and one Chromium for the session.

The server serves a **temporary copy** of the course's notebooks (with docs/
and assets/ beside them so that links resolve); the ``iliopsoas`` package still
reads the question banks and data from the repository.  Why a copy: a test can
then never change a file in the repository, not even by accident (a stray
Ctrl+S, a save prompt accepted on reload, JupyterLab's checkpoint folder), and
the check that nothing was saved is a plain byte comparison of each copy
against the repository's file when the notebook's tests end.

Everything the server or its kernels could write goes to temporary folders
(progress store, matplotlib, Jupyter and IPython config, lab settings and
workspaces); see tools/labdriver.py.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import labdriver  # noqa: E402

import browser_helpers  # noqa: E402


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; the browser tests fail (never skip) without one."""
    path = labdriver.find_chromium()
    if not path:
        given = os.environ.get(labdriver.CHROMIUM_ENV)
        where = (f"{labdriver.CHROMIUM_ENV}={given} is not an executable file." if given
                 else "No Chromium found on this machine.")
        pytest.fail(f"{where} {labdriver.INSTALL_HINT}", pytrace=False)
    return path


class ServedCourse:
    """A temporary course root holding copies of notebooks/, docs/ and assets/."""

    def __init__(self, root: Path):
        self.root = root
        for name in ("notebooks", "docs", "assets"):
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, root / name)
        scratch = root / browser_helpers.EVERY_DIAGRAM_RELPATH
        scratch.parent.mkdir(parents=True)
        nbformat.write(browser_helpers.every_diagram_notebook(browser_helpers.EVERY_DIAGRAM), scratch)
        self.hashes = {p.relative_to(root).as_posix(): sha256(p) for p in root.glob("*/*.ipynb")}

    def assert_never_saved(self, relpath: str) -> None:
        """The served copy of a notebook is still byte-identical to what was copied."""
        assert sha256(self.root / relpath) == self.hashes[relpath], (
            f"{relpath} was saved during the browser tests (autosave must be off and tests never save)")


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> ServedCourse:
    return ServedCourse(tmp_path_factory.mktemp("served-course"))


@pytest.fixture(scope="session")
def lab(chromium, served, tmp_path_factory):
    """A JupyterLab server (fresh progress store, settings, workspaces) for the whole session."""
    server = labdriver.LabServer(served.root, tmp=tmp_path_factory.mktemp("lab-state"))
    try:
        server.start()
    except labdriver.LabError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_session():
    """The session's one Playwright (its sync API runs an event loop in this thread, so there can be
    only one at a time: every browser test starts its browsers from this one)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The browser tests need the playwright package: "
                    "pip install -r requirements-dev.txt", pytrace=False)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser_context(chromium, playwright_session, tmp_path_factory):
    """One headless Chromium (fresh profile) for the session."""
    context = labdriver.launch_browser(playwright_session, tmp_path_factory.mktemp("chromium-profile"), chromium)
    context.set_default_timeout(20_000)  # one click or read; waits for runs set their own
    yield context
    context.close()


@pytest.fixture(scope="session")
def answer_log() -> dict:
    """Every answer the browser tests checked: {(bank slug, question id): latest answer right?}."""
    return {}

