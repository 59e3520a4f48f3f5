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

The shared browser and servers are closed as soon as the last browser test has
finished (``pytest_runtest_teardown``), not at the end of the session: a problem
while closing them is then reported against a browser test, never against a
notebook cell that nbval happens to run last.  Closing something the browser has
already closed ("Target page, context or browser has been closed") is not a
problem and is only noted.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import labdriver  # noqa: E402

import browser_helpers  # noqa: E402


HERE = Path(__file__).parent
# What the session's browser fixtures must close, in order, once the last browser test is done.
_CLOSERS: list = []
ALREADY_CLOSED = ("has been closed", "Target closed", "Browser has been closed", "Connection closed")


def is_browser_test(item) -> bool:
    return item is not None and HERE in Path(item.path).parents


_LAST: dict = {}   # {"item": the browser test that runs last}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if is_browser_test(item):
            item.add_marker(pytest.mark.browser)
            _LAST["item"] = item


def close_quietly(what: str, close) -> None:
    """Close something; if the browser already closed it, note that instead of failing."""
    try:
        close()
    except Exception as exc:  # noqa: BLE001 - sorted below
        if any(words in str(exc) for words in ALREADY_CLOSED):
            warnings.warn(f"{what} was already closed: {str(exc).splitlines()[0]}", stacklevel=2)
        else:
            raise


def close_all() -> None:
    """Run (once) what the browser fixtures registered, last opened first."""
    errors = []
    while _CLOSERS:
        what, close = _CLOSERS.pop()
        try:
            close_quietly(what, close)
        except Exception as exc:  # noqa: BLE001 - every closer runs, then the first problem is raised
            errors.append(f"closing {what}: {type(exc).__name__}: {exc}")
    if errors:
        raise RuntimeError("; ".join(errors))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if item is _LAST.get("item") or (is_browser_test(item) and nextitem is None):
        close_all()   # reported against this (browser) test if it fails


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
    _CLOSERS.append(("the JupyterLab server", server.stop))
    yield server
    close_all()


@pytest.fixture(scope="session")
def playwright_session():
    """The session's one Playwright (its sync API runs an event loop in this thread, so there can be
    only one at a time: every browser test starts its browsers from this one)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The browser tests need the playwright package: "
                    "pip install -r requirements-dev.txt", pytrace=False)
    pw = sync_playwright().start()
    _CLOSERS.append(("Playwright", pw.stop))
    yield pw
    close_all()


@pytest.fixture(scope="session")
def browser_context(chromium, playwright_session, tmp_path_factory):
    """One headless Chromium (fresh profile) for the session."""
    context = labdriver.launch_browser(playwright_session, tmp_path_factory.mktemp("chromium-profile"), chromium)
    _CLOSERS.append(("the browser", context.close))
    # one click or read; waits for runs set their own.  A cap, not an expectation: on a busy machine
    # a click can take many seconds.
    context.set_default_timeout(60_000)
    yield context
    close_all()


@pytest.fixture(scope="session")
def answer_log() -> dict:
    """Every answer the browser tests checked: {(bank slug, question id): latest answer right?}."""
    return {}

