"""A small harness that drives JupyterLab in Chromium (browser tests and benchmark).

    from labdriver import LabServer, launch_browser, NotebookPage

    with LabServer(root) as lab, sync_playwright() as pw:
        context = launch_browser(pw, user_data_dir)
        nb = NotebookPage(context, lab, "notebooks/00-start-here.ipynb").open()
        nb.run_all()              # Run menu > Run All Cells, waits for the kernel to be idle
        nb.errors()               # error / stderr outputs, "Error displaying widget"

``LabServer`` starts a real JupyterLab server from this Python environment on
127.0.0.1 (free port, random token) with everything that could make a test
depend on the machine kept in temporary folders: progress store
(``ILIOPSOAS_PROGRESS``), matplotlib, Jupyter config/data/runtime, IPython,
user settings and workspaces.  The settings are pre-filled: autosave off, no
news or update checks, no extension manager, and notebook windowing off (so
every cell of a long notebook is in the page).  ``stop()`` shuts down its
kernels and the server, and kills whatever of them is left.

Only the standard library and Playwright are needed here (Pillow for stitched
screenshots, psutil if present to find leftover kernels).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ENV = "CHROMIUM"
CHROMIUM_CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 # pages in other tabs keep running at full speed
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
INSTALL_HINT = ("The browser tests need Chromium. Install it (Debian/Ubuntu: `sudo apt-get install chromium`; "
                f"Fedora: `sudo dnf install chromium`; macOS: `brew install --cask chromium`), or set "
                f"{CHROMIUM_ENV}=/path/to/chromium (or chrome) to use one that is installed elsewhere.")

# Lab settings written into the temporary user-settings folder.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}

STDERR_SELECTOR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR_SELECTOR = ".jp-OutputArea-output.jp-mod-error, .jp-OutputArea-child .jp-RenderedText[data-mime-type=" \
                 '"application/vnd.jupyter.error"]'


def diagram_classes():
    """Every ``iliopsoas.figures.base.Diagram`` subclass defined in the package's figure modules.

    Returns ``(classes, failures)``: classes sorted by module and name, and
    ``{module: error}`` for modules that do not import.  Self-contained (the
    benchmark runs its source inside a kernel).
    """
    import importlib
    import pkgutil

    import iliopsoas.figures
    from iliopsoas.figures.base import Diagram

    failures = {}
    for info in pkgutil.iter_modules(iliopsoas.figures.__path__):
        if info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"iliopsoas.figures.{info.name}")
        except Exception as exc:  # noqa: BLE001 - reported by the callers
            failures[info.name] = f"{type(exc).__name__}: {exc}"

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = {c for c in subclasses(Diagram) if c.__module__.startswith("iliopsoas.")}
    return sorted(found, key=lambda c: (c.__module__, c.__name__)), failures


class LabError(RuntimeError):
    """The server or the page did not do what was expected."""


# --------------------------------------------------------------------------- chromium

def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable: $CHROMIUM, then PATH, then /usr/bin/chromium."""
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        return env if Path(env).is_file() and os.access(env, os.X_OK) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/snap/bin/chromium"):
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path
    return None


def launch_browser(playwright, user_data_dir: str | os.PathLike, executable: str | None = None,
                   viewport=(1280, 900)):
    """A persistent Chromium context with a fresh profile folder (headless, no network extras)."""
    executable = executable or find_chromium()
    if not executable:
        raise LabError(INSTALL_HINT)
    context = playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=1,
        accept_downloads=False)
    return context


# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(folder: Path, settings: dict | None = None) -> None:
    """Write ``{"@scope/pkg/plugin": {...}}`` as JupyterLab user settings files."""
    for key, values in (settings or LAB_SETTINGS).items():
        path = folder / f"{key}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving ``root_dir``, with temporary state.

    ``env`` adds environment variables for the server and its kernels.
    ``tmp`` is the folder for the server's state (a new temporary folder if None).
    """

    def __init__(self, root_dir: str | os.PathLike, *, env: dict | None = None, tmp: str | os.PathLike | None = None,
                 settings: dict | None = None, python: str | None = None):
        self.root_dir = Path(root_dir).resolve()
        self._own_tmp = tmp is None
        self.tmp = Path(tmp or tempfile.mkdtemp(prefix="iliopsoas-lab-"))
        self.python = python or sys.executable
        self.settings = settings
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}/"
        self.progress_path = self.tmp / "progress" / "progress.sqlite3"
        self.env = dict(env or {})
        self.proc: subprocess.Popen | None = None
        self.log_path = self.tmp / "jupyterlab.log"

    # -- lifecycle
    def start(self, timeout: float = 120) -> "LabServer":
        dirs = {name: self.tmp / name for name in
                ("settings", "workspaces", "config", "data", "runtime", "ipython", "mpl", "progress")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        write_settings(dirs["settings"], self.settings)
        env = dict(os.environ)
        env.update({
            "ILIOPSOAS_PROGRESS": str(self.progress_path),
            "MPLCONFIGDIR": str(dirs["mpl"]),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "IPYTHONDIR": str(dirs["ipython"]),
            "JUPYTER_PREFER_ENV_PATH": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        })
        env.update(self.env)
        cmd = [self.python, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
               f"--LabApp.user_settings_dir={dirs['settings']}", f"--LabApp.workspaces_dir={dirs['workspaces']}",
               "--ServerApp.log_level=WARN"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root_dir, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LabError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "api/status")
            except (OSError, LabError):
                time.sleep(0.3)
                continue
            self.check_settings()
            return self
        self.stop()
        raise LabError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def check_settings(self) -> None:
        """The server really uses the pre-filled settings (autosave off, ...), or LabError."""
        for key, values in (self.settings or LAB_SETTINGS).items():
            plugin = key[::-1].replace("/", ":", 1)[::-1]  # "@scope/pkg/plugin" -> "@scope/pkg:plugin"
            try:
                got = self.api("GET", f"lab/api/settings/{plugin}").get("settings", {})
            except LabError as exc:
                self.stop()
                raise LabError(f"cannot read the lab setting {plugin}: {exc}") from exc
            wrong = {k: got.get(k) for k, v in values.items() if got.get(k) != v}
            if wrong:
                self.stop()
                raise LabError(f"JupyterLab ignored the test settings of {plugin}: {wrong} instead of {values}")

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Shut down every kernel and the server; kill whatever is left of them."""
        if self.proc is None:
            return
        leftovers = []
        try:
            import psutil

            leftovers = psutil.Process(self.proc.pid).children(recursive=True)
        except Exception:  # noqa: BLE001 - psutil is optional, the process may be gone
            pass
        if self.proc.poll() is None:
            try:
                for kernel in self.api("GET", "api/kernels"):
                    self.api("DELETE", f"api/kernels/{kernel['id']}")
            except (OSError, LabError, ValueError):
                pass
            try:
                self.api("POST", "api/shutdown")
            except (OSError, LabError, ValueError):
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    try:
                        os.killpg(self.proc.pid, sig)
                    except (ProcessLookupError, PermissionError):
                        break
                    try:
                        self.proc.wait(timeout=5)
                        break
                    except subprocess.TimeoutExpired:
                        continue
        for child in leftovers:  # kernels run in their own sessions: kill them by pid
            try:
                if child.is_running():
                    child.kill()
            except Exception:  # noqa: BLE001
                pass
        self.proc = None
        self._log.close()
        if self._own_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def kernel_pids(self) -> list[int]:
        """Pids of the processes the server started (its kernels)."""
        try:
            import psutil

            return [p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)]
        except Exception:  # noqa: BLE001
            return []

    # -- HTTP
    def url(self, path: str = "lab", **query) -> str:
        """URL of ``path`` with the token; a query value of "" gives a bare flag (``?reset``)."""
        parts = [k if v == "" else f"{k}={urllib.parse.quote(str(v))}" for k, v in query.items()]
        parts.append(f"token={self.token}")
        return self.base + urllib.parse.quote(path) + "?" + "&".join(parts)

    def api(self, method: str, path: str, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                data = resp.read()
        except urllib.error.HTTPError as exc:
            raise LabError(f"{method} {path}: HTTP {exc.code}") from exc
        return json.loads(data) if data.strip() else None


# Timeouts in this module are caps for a busy machine (every wait is for a state of the page), never
# an expectation of speed: the browser tests must pass with every CPU core busy (conftest --cpu-load).

# --------------------------------------------------------------------------- a notebook in the page

_IDLE_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator')
                 || document.querySelector('.jp-Notebook-ExecutionIndicator');
  if (!indicator || indicator.dataset.status !== 'idle') return false;
  // Nothing queued or running, and something ran.  (After an error JupyterLab
  // drops the queued cells, so "every cell has a number" is checked by the caller.)
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent.trim());
  return !prompts.some(p => p.includes('*')) && prompts.some(p => /\\d/.test(p));
}"""

_KERNEL_READY_JS = """() => {
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const name = document.querySelector('.jp-NotebookPanel-toolbar .jp-KernelName, .jp-NotebookPanel-toolbar [data-jp-item-name="kernelName"]');
  return !!indicator && indicator.dataset.status === 'idle' && !!name && /Python/.test(name.textContent);
}"""


class NotebookPage:
    """One notebook open in JupyterLab in its own browser tab.

    ``relpath`` is relative to the server's root (``notebooks/00-start-here.ipynb``).
    Every action goes through the page as a student would: menus, clicks, keys.
    """

    def __init__(self, context, server: LabServer, relpath: str):
        self.context = context
        self.server = server
        self.relpath = relpath
        self.page = None
        self.console: list[str] = []

    @property
    def panel(self):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first

    def open(self, timeout: float = 180) -> "NotebookPage":
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: d.accept())  # "leave page?" on reload
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.goto(self.server.url(f"lab/tree/{self.relpath}", reset=""))
        self.wait_until_ready(timeout)
        self.collapse_left_sidebar()
        return self

    def wait_until_ready(self, timeout: float = 180) -> None:
        """The notebook is shown and its kernel has started and is idle.

        Waits for a cell of the *shown* panel: after a reload JupyterLab may restore another
        notebook opened earlier (a hidden panel's cells never become visible)."""
        self.page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell",
                                    timeout=timeout * 1000)
        self.page.wait_for_function(_KERNEL_READY_JS, timeout=timeout * 1000, polling=200)

    def show_own_tab(self, timeout: float = 180) -> None:
        """Bring this notebook's tab to the front (a reload may restore another one in front)."""
        tab = self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=Path(self.relpath).name)
        if tab.count():
            tab.first.click()
        self.wait_until_ready(timeout)

    def reload(self, timeout: float = 180) -> None:
        self.page.reload()
        self.wait_until_ready(timeout)
        self.show_own_tab(timeout)
        self.collapse_left_sidebar()

    def close(self, shutdown_kernel: bool = True) -> None:
        """Close the tab (never saving) and shut down the notebook's kernel."""
        if self.page is not None:
            page, self.page = self.page, None
            try:
                page.close(run_before_unload=False)
            except Exception as exc:  # noqa: BLE001 - a tab the browser already closed is closed
                if "closed" not in str(exc):
                    raise
        if shutdown_kernel:
            try:
                for session in self.server.api("GET", "api/sessions"):
                    if session.get("path") == self.relpath:
                        self.server.api("DELETE", f"api/sessions/{session['id']}")
            except (OSError, LabError, ValueError):
                pass

    def collapse_left_sidebar(self) -> None:
        """Give the notebook the whole width (click the open side panel's tab to close it)."""
        current = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if current.count():
            current.first.click()

    # -- menus
    def menu(self, *path: str) -> None:
        """Click through the menu bar: ``menu("Run", "Run All Cells")``."""
        self.page.locator(f".lm-MenuBar-itemLabel:text-is('{path[0]}')").click()
        for label in path[1:]:
            self.page.locator(f".lm-Menu:visible .lm-Menu-itemLabel:text-is('{label}')").last.click()

    def clear_all_outputs(self) -> None:
        """Edit > Clear Outputs of All Cells (also empties the execution counts)."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function("""() => [...document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')]
            .every(e => !/\\d/.test(e.textContent))""", timeout=120_000)

    def run_all(self, timeout: float = 600) -> float:
        """Run > Run All Cells on a cleared notebook; wait until nothing is queued and the kernel is idle.

        Stored outputs are cleared first so that a finished run cannot be mistaken
        for the outputs saved in the file.  Returns the seconds it took.
        """
        self.clear_all_outputs()
        start = time.monotonic()
        self.menu("Run", "Run All Cells")
        self.wait_idle(timeout)
        return time.monotonic() - start

    def prompts(self) -> list[str]:
        """The execution-count prompt of every code cell, e.g. ``[3]:``."""
        return [p.strip() for p in self.panel.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()]

    def unexecuted_cells(self) -> list[str]:
        """The first line of every code cell without an execution count."""
        return self.page.evaluate("""() => [...document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')].filter(c =>
            !/\\d/.test(c.querySelector('.jp-InputArea-prompt').textContent)).map(c =>
            (c.querySelector('.jp-InputArea-editor').innerText || '').split('\\n')[0])""")

    def wait_idle(self, timeout: float = 300) -> None:
        self.page.wait_for_function(_IDLE_JS, timeout=timeout * 1000, polling=250)

    def restart_kernel(self, timeout: float = 180) -> None:
        """Kernel > Restart Kernel… and confirm."""
        self.menu("Kernel", "Restart Kernel…")
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.page.wait_for_selector(".jp-Dialog", state="detached", timeout=timeout * 1000)
        self.page.wait_for_function(_KERNEL_READY_JS, timeout=timeout * 1000, polling=200)

    # -- reading the page
    def count(self, selector: str) -> int:
        return self.panel.locator(selector).count()

    def wait_for_count(self, selector: str, n: int, timeout: float = 180) -> int:
        """Wait until ``selector`` matches ``n`` elements in the notebook (returns the last count)."""
        try:
            self.page.wait_for_function(
                "([sel, n]) => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) ' + sel).length === n",
                arg=[selector, n], timeout=timeout * 1000, polling=200)
        except Exception:  # noqa: BLE001 - the caller asserts on the count
            pass
        return self.count(selector)

    def errors(self) -> list[str]:
        """Text of every error/stderr output and every widget that failed to display."""
        found = []
        for sel in (STDERR_SELECTOR, ERROR_SELECTOR):
            for el in self.panel.locator(sel).all():
                found.append(f"{sel}: {el.inner_text()[:2000]}")
        for el in self.panel.locator(".jupyter-widgets-error-widget").all():
            try:  # clicking the error widget reveals the JavaScript error (once)
                if "Browser Console" not in el.locator("xpath=..").inner_text(timeout=5000):
                    el.click(timeout=5000)
                detail = el.locator("xpath=..").inner_text(timeout=5000)
            except Exception:  # noqa: BLE001
                detail = el.inner_text()
            detail = "\n".join(line for line in detail.splitlines() if line.strip() and " at " not in line)
            found.append(f"a widget failed to display: {detail[:600]}")
        text = self.panel.inner_text()
        if "Error displaying widget" in text:
            found.append("'Error displaying widget' is shown in the notebook")
        return found

    def outputs_text(self) -> list[str]:
        """The text of every code cell's output area, in order."""
        return self.page.evaluate("""() => [...document.querySelectorAll(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')].map(c =>
            (c.querySelector('.jp-OutputArea') || {innerText: ''}).innerText)""")

    # -- pictures
    def screenshot(self, path: str | os.PathLike, margin: int = 12) -> Path:
        """One PNG of the whole notebook: its scrolled views, stitched, blank bottom trimmed.

        Views overlap by ``margin`` CSS pixels and the top of each later view is
        dropped (JupyterLab draws the toolbar's shadow over scrolled content).
        """
        from PIL import Image, ImageChops

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        scroller = self.panel.locator(".jp-WindowedPanel-outer").first
        total, view = scroller.evaluate("e => [e.scrollHeight, e.clientHeight]")
        shots = []
        top = 0
        with tempfile.TemporaryDirectory() as tmp:
            while True:
                top = scroller.evaluate("(e, y) => { e.scrollTop = y; return e.scrollTop; }", top)
                self.page.wait_for_timeout(150)  # let images in view decode
                shot = Path(tmp) / f"{len(shots)}.png"
                scroller.screenshot(path=str(shot))
                shots.append((Image.open(shot).convert("RGB"), top))
                if top + view >= total - 1:
                    break
                top += view - margin
        scale = shots[0][0].height / view if view else 1
        canvas = Image.new("RGB", (shots[0][0].width, int(round(total * scale))), "white")
        for i, (img, y) in enumerate(shots):
            cut = 0 if i == 0 else int(round(margin * scale))
            canvas.paste(img.crop((0, cut, img.width, img.height)), (0, int(round(y * scale)) + cut))
        box = ImageChops.difference(canvas, Image.new("RGB", canvas.size, "white")).getbbox()
        if box:
            canvas = canvas.crop((0, 0, canvas.width, min(canvas.height, box[3] + int(24 * scale))))
        canvas.save(path, optimize=True)
        scroller.evaluate("e => { e.scrollTop = 0; }")
        return path
