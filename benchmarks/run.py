#!/usr/bin/env python3
"""Measure the course on this machine and print one table (``python3 course.py bench``).

    python3 course.py bench                  # measure and print the table
    python3 course.py bench --update-readme  # ... and write it into README.md ("Performance")
    python3 course.py bench --no-browser     # without the JupyterLab/Chromium measurements
    python3 course.py bench --no-install     # without the fresh-clone installs (minutes)
    python3 course.py bench --json run.json  # also keep the raw numbers (--from-json run.json re-prints them)
    python3 course.py bench --no-hub         # without the class on JupyterHub (benchmarks/hub_capacity.py)

Everything is measured in one run, on the machine it runs on:

- **Notebooks, headless.** Wall time to execute each notebook in a fresh kernel
  (nbclient: start kernel, run every cell, shut down) and the whole course (the
  sum), beside a *floor* measured in the same run, interleaved with them: as
  many fresh kernels that import the same libraries (ipywidgets, matplotlib,
  numpy, yaml, the iliopsoas package) and do nothing else.  Ratio = time / floor.
- **Peak memory** of each notebook's kernel: ``ru_maxrss`` read in a cell
  appended to the notebook (target: under 250 MB).
- **Diagrams, in the kernel.** For every ``iliopsoas.figures.base.Diagram`` subclass in the
  package (found by walking its modules, so a new lesson's diagrams are included), shown as
  a live widget in a kernel so the observers fire, over 50 steps of its first slider (or
  first control; ``d.sweep_states(50)``, moving back and forth so that every step changes
  something), interleaved step by step so that a busy machine slows all three alike:
  *update*, the median time of ``d.set(**state)`` (new picture and readout ready to send);
  *naive*, of ``d.naive_png(state)`` (rebuild the whole figure, as a plain ``interact``
  callback would); *floor*, of encoding a PNG of the same size from the unchanged canvas
  (the part of an update no drawing strategy avoids).  Targets: at least 3× faster than
  naive and at most 2× the floor; milliseconds are shown for information only.
- **Diagrams, in the browser.** JupyterLab in headless Chromium: for every Diagram subclass,
  the time from a key press on its slider (the first control's change, for a diagram
  without one) to the new picture decoded and on screen (the next animation frame), median
  of 20, beside the same figure made naively with ``ipywidgets.interact`` and beside its
  floor (a slider that only swaps in one of two PNGs of the figure made beforehand: the key
  press, the round trip to the kernel and the decoding), all in the same run.  The diagram's
  picture comes from the browser's cache when the kernel sent it ahead (a slider's
  neighbouring steps) or it was shown before (iliopsoas/figures/frame_cache.py); the same key
  presses are also timed *without the cache* (emptied before each press), the cost of a step
  the cache does not hold, which is bounded below by the floor.  Targets (issue 10): a median
  of at most 50 ms and at least 2× faster than naive; the ratio to the floor is shown beside
  them.
- **Check → feedback in the browser.** JupyterLab in headless Chromium
  (tools/labdriver.py): median over 20 clicks on a question's Check button of
  the time from the click event to the new feedback being in the page (at the
  next animation frame), alternating a wrong and a right answer.
- **A fresh clone.** The course is cloned (git, the current commit) into a temporary folder;
  the time from ``python3 course.py lab`` to JupyterLab answering, then the size of its .venv
  (the student environment); then ``python3 course.py setup`` adds the test tools: its time and
  the size of the test environment.  pip's download cache is used as it is on this machine
  (say so when quoting the times: a first install on a new machine also downloads).

- **A class on JupyterHub** (``benchmarks/hub_capacity.py``): memory per student (server +
  a lesson's kernel), login → lesson running alone and for a class at once, and how many
  students one machine holds; ``--update-readme`` also writes ``deploy/capacity.yml``.

Targets (✓/✗ in the table): kernel peak memory under 250 MB; the diagram targets above;
Check → feedback within 0.1 s, the limit for a response to feel immediate (Nielsen,
*Usability Engineering*, 1993).  Nothing here is a test: tests/test_benchmark.py only
checks the table and README code on fake numbers.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "benchmarks"))
import hub_capacity  # noqa: E402  (a class on JupyterHub: its rows, README note and deploy/ sizes)
import labdriver  # noqa: E402

README = ROOT / "README.md"
BEGIN, END = "<!--BENCHMARK-->", "<!--/BENCHMARK-->"
MEMORY_TARGET_MB = 250
RESPONSE_TARGET_MS = 100
NAIVE_RATIO_TARGET = 3     # a diagram update at least 3× faster than rebuilding the figure ...
FLOOR_RATIO_TARGET = 2     # ... and at most 2× the floor (encoding its PNG), in the kernel
SCREEN_TARGET_MS = 50      # in the browser: key press → new picture on screen, median at most 50 ms ...
SCREEN_NAIVE_TARGET = 2    # ... and at least 2× faster than a naive interact version
KEYS = 20                  # key presses measured per diagram in the browser
FLOOR_IMPORTS = "import ipywidgets, matplotlib, matplotlib.figure, numpy, yaml, iliopsoas"
MAXRSS_CELL = ("import resource, sys\n"
               "_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
               "print('MAXRSS_MB', _kb / (1024 * 1024 if sys.platform == 'darwin' else 1024))")
STEPS = 50
CLICKS = 20


def say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- kernels

def run_notebook(nb, cwd: Path, timeout: int = 600) -> tuple[float, float, "object"]:
    """Execute ``nb`` in a fresh kernel: (wall seconds, peak MB from the appended cell, nb)."""
    import nbformat
    from nbclient import NotebookClient

    nb.cells.append(nbformat.v4.new_code_cell(MAXRSS_CELL))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}, store_widget_state=False)
    start = time.perf_counter()
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines, not cell output
    seconds = time.perf_counter() - start
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    match = re.search(r"MAXRSS_MB ([\d.]+)", text)
    return seconds, float(match.group(1)) if match else float("nan"), nb


def floor_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FLOOR_IMPORTS)]
    return nb


def measure_notebooks(paths: list[Path]) -> tuple[list[dict], list[dict]]:
    """Each notebook and one floor kernel, interleaved (floor first)."""
    import nbformat

    say("warm-up kernel (font cache)")
    run_notebook(floor_notebook(), ROOT)
    rows, floors = [], []
    for path in paths:
        seconds, peak, _ = run_notebook(floor_notebook(), path.parent)
        floors.append({"seconds": seconds, "peak_mb": peak})
        say(f"floor kernel: {seconds:.1f} s, {peak:.0f} MB")
        try:
            seconds, peak, _ = run_notebook(nbformat.read(path, as_version=4), path.parent)
            rows.append({"name": path.stem, "seconds": seconds, "peak_mb": peak, "error": None})
            say(f"{path.stem}: {seconds:.1f} s, {peak:.0f} MB")
        except Exception as exc:  # noqa: BLE001 - shown in the table
            rows.append({"name": path.stem, "seconds": None, "peak_mb": None,
                         "error": f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"})
            say(f"{path.stem}: FAILED {rows[-1]['error']}")
    return rows, floors


DIAGRAM_TIMING = r'''
import json, statistics, time
from IPython.display import display
from iliopsoas.figures.base import encode_png

def steps_of(d, n):
    """n state changes: the sweep without repeats, moving back and forth if it has fewer."""
    sweep = d.sweep_states(n)
    distinct = [s for i, s in enumerate(sweep) if i == 0 or s != sweep[i - 1]]
    if len(distinct) < 2:
        return distinct
    path, forward = [], True
    while len(path) < n:
        leg = distinct if forward else distinct[::-1]
        path.extend(leg[1:] if path else leg)
        forward = not forward
    return path[:n]

classes, failures = diagram_classes()
results = [{"name": module, "class": "", "error": "module does not import: " + err}
           for module, err in failures.items()]
for cls in classes:
    entry = {"name": getattr(cls, "name", cls.__name__), "class": cls.__name__, "error": None}
    try:
        d = cls()
        sliders = [k for k, c in d.controls.items() if type(c).__name__ in ("IntSlider", "FloatSlider", "SelectionSlider")]
        entry["control"] = (sliders or list(d.controls))[0]
        display(d.show())                         # live widget: control observers redraw
        steps = steps_of(d, STEPS)
        d.set(**steps[0])                         # start the path from its first state
        update, naive, floor = [], [], []
        control = entry["control"]
        for state in steps[1:] + steps[:1]:       # interleaved: a busy moment slows all three
            before = d.updates
            t = time.perf_counter()
            d.set(**{control: state[control]})    # a slider step moves the slider only
            elapsed = time.perf_counter() - t
            if d.updates > before:
                update.append(elapsed)
            t = time.perf_counter()
            encode_png(d.figure.canvas)           # the floor: the same PNG from the unchanged canvas
            floor.append(time.perf_counter() - t)
            t = time.perf_counter()
            d.naive_png(state)
            naive.append(time.perf_counter() - t)
        entry.update(steps=len(update), update_ms=1000 * statistics.median(update),
                     naive_steps=len(naive), naive_ms=1000 * statistics.median(naive),
                     floor_ms=1000 * statistics.median(floor))
    except Exception as exc:
        entry["error"] = f"{type(exc).__name__}: {exc}"[:200]
    results.append(entry)
print("DIAGRAMS_JSON " + json.dumps(results))
'''


def measure_diagrams() -> list[dict]:
    """Median update / naive rebuild time of every Diagram subclass, in one kernel."""
    import nbformat

    source = inspect.getsource(labdriver.diagram_classes) + f"\nSTEPS = {STEPS}\n" + DIAGRAM_TIMING
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    try:
        _, _, nb = run_notebook(nb, ROOT / "notebooks", timeout=1800)
    except Exception as exc:  # noqa: BLE001
        return [{"name": "(all diagrams)", "class": "", "error": f"{type(exc).__name__}: {str(exc)[-300:]}"}]
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    match = re.search(r"DIAGRAMS_JSON (.*)", text)
    return json.loads(match.group(1)) if match else [{"name": "(all diagrams)", "class": "", "error": text[-300:]}]


# --------------------------------------------------------------------------- browser

LATENCY_JS = """([button, feedback, n]) => {
  window.__latency = new Promise(resolve => {
    let t0 = null;
    button.addEventListener('click', () => { t0 = performance.now(); }, {capture: true, once: true});
    const seen = () => t0 !== null && feedback.innerText.includes('(attempt ' + n);
    const observer = new MutationObserver(() => {
      if (seen()) { observer.disconnect(); requestAnimationFrame(() => resolve(performance.now() - t0)); }
    });
    observer.observe(feedback, {subtree: true, childList: true, characterData: true});
  });
}"""


def choice_question(notebook: Path):
    """(question, wrong label, right label) of the first single-choice or true/false question shown."""
    import ast

    import nbformat
    import yaml

    from iliopsoas.markdown import plain_text

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_quiz":
                slug = ast.literal_eval(node.args[0])
                ids = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "ids"), None)
                bank = yaml.safe_load((ROOT / "quizzes" / f"{slug}.yml").read_text(encoding="utf-8"))
                for q in bank["questions"]:
                    if ids is not None and q["id"] not in ids:
                        continue
                    if q["type"] == "single":
                        labels = [plain_text(c["text"]) for c in q["choices"]]
                        right = next(i for i, c in enumerate(q["choices"]) if c.get("correct"))
                        wrong = next(i for i, c in enumerate(q["choices"]) if not c.get("correct"))
                        return q, labels[wrong], labels[right]
                    if q["type"] == "truefalse":
                        return q, str(not q["answer"]), str(bool(q["answer"]))
    return None, None, None


def measure_check_feedback(notebook: Path, clicks: int = CLICKS) -> dict:
    """Median ms from a click on Check to the new feedback, in JupyterLab in Chromium."""
    chromium = labdriver.find_chromium()
    if not chromium:
        return {"error": "no Chromium (" + labdriver.INSTALL_HINT + ")"}
    question, wrong, right = choice_question(notebook)
    if question is None:
        return {"error": f"{notebook.name} shows no single-choice or true/false question"}
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="iliopsoas-bench-") as tmp:
        served = Path(tmp) / "course"
        shutil.copytree(notebook.parent, served / "notebooks")
        with labdriver.LabServer(served, tmp=Path(tmp) / "lab") as lab, sync_playwright() as pw:
            context = labdriver.launch_browser(pw, Path(tmp) / "profile", chromium)
            try:
                nb = labdriver.NotebookPage(context, lab, f"notebooks/{notebook.name}").open()
                nb.run_all()
                box = nb.panel.locator(f".iliopsoas-quiz.jupyter-widgets .iliopsoas-q-{question['id']}").first
                box.wait_for()
                box.scroll_into_view_if_needed()
                button, feedback = box.locator(".iliopsoas-check"), box.locator(".iliopsoas-feedback")
                times = []
                for i in range(clicks + 1):  # the first click is a warm-up
                    box.get_by_role("radio", name=wrong if i % 2 == 0 else right, exact=True).click()
                    nb.page.evaluate(LATENCY_JS, [button.element_handle(), feedback.element_handle(), i + 1])
                    button.click()
                    ms = nb.page.evaluate("() => window.__latency")
                    if i:
                        times.append(ms)
                nb.close()
            finally:
                context.close()
    return {"clicks": len(times), "median_ms": statistics.median(times), "question": question["id"], "error": None}


SCREEN_NOTEBOOK = r'''
import ipywidgets as w
from IPython.display import Image, display

def naive_interact(cls):
    """The same figure as a student would make it with ipywidgets.interact: rebuild and show
    the whole figure on every change (fresh copies of the diagram's own controls)."""
    model = cls()
    def show(**state):
        display(Image(model.naive_png(state)))
    ui = w.interactive(show, **cls().controls)
    ui.add_class("bench-naive-" + model.name)
    return ui

def floor_widget(cls):
    """The floor in the browser: a slider whose change only swaps in one of two PNGs of the same
    figure made beforehand (no drawing, no encoding): the key press, the round trip to the kernel
    and the picture's decoding, which no drawing strategy avoids."""
    model = cls()
    states = model.sweep_states(2)
    pngs = [model.naive_png(states[0]), model.naive_png(states[-1])]
    image = w.Image(value=pngs[0], format="png")
    slider = w.IntSlider(value=0, min=0, max=100, description="floor")
    slider.observe(lambda change: setattr(image, "value", pngs[change["new"] % 2]), names="value")
    box = w.VBox([slider, image])
    box.add_class("bench-floor-" + model.name)
    return box

def round_trip_widget():
    """The kernel round trip alone: a slider whose change the kernel answers with a line of text."""
    slider = w.IntSlider(value=0, min=0, max=100, description="round trip")
    answer = w.Label("0")
    answer.add_class("bench-answer")
    slider.observe(lambda change: setattr(answer, "value", str(change["new"])), names="value")
    box = w.VBox([slider, answer])
    box.add_class("bench-round-trip")
    return box
'''

START_JS = """([root, selector, timeout]) => {
  const seen = () => [...root.querySelectorAll(selector)].map(e => e.src || e.textContent).join('|');
  const before = seen();
  let t0 = null, done = false;
  window.__benchShown = new Promise(resolve => {
    setTimeout(() => { if (!done) { done = true; resolve(null); } }, timeout);   // no new picture: say so, never hang
    const start = () => { if (t0 === null) t0 = performance.now(); };
    root.addEventListener('keydown', start, {capture: true, once: true});
    root.addEventListener('change', start, {capture: true, once: true});
    const observer = new MutationObserver(() => {
      if (done || t0 === null) return;
      const imgs = [...root.querySelectorAll(selector)];
      if (!imgs.length || seen() === before) return;
      done = true;
      observer.disconnect();
      const img = imgs[imgs.length - 1];
      Promise.resolve(img.decode ? img.decode() : null).catch(() => null)
        .then(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    });
    observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true,
                            attributeFilter: ['src']});
  });
}"""


def screen_notebook(classes):
    """A notebook showing every diagram live and, after each, its naive interact version."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell(SCREEN_NOTEBOOK))
    for cls in classes:
        nb.cells.append(nbformat.v4.new_code_cell(f"from {cls.__module__} import {cls.__name__}\n"
                                                  f"{cls.__name__}().show()"))
        nb.cells.append(nbformat.v4.new_code_cell(f"naive_interact({cls.__name__})"))
        nb.cells.append(nbformat.v4.new_code_cell(f"floor_widget({cls.__name__})"))
    nb.cells.append(nbformat.v4.new_code_cell("round_trip_widget()"))
    return nb


def slider_boundary(nb, root, handle, tries: int = 60) -> bool:
    """Move ``root``'s slider one key press at a time to the first step that changes the picture
    (a fine slider, e.g. 0.1 player per 100, moves many steps between two different pictures);
    True when found.  After it, ArrowLeft and ArrowRight each cross that step."""
    from browser_helpers import wait_kernel_idle

    for _ in range(tries):
        nb.page.evaluate(START_JS, [root.element_handle(), "img", 3000])
        handle.focus()
        nb.page.keyboard.press("ArrowRight")
        shown = nb.page.evaluate("() => window.__benchShown")
        wait_kernel_idle(nb.page)
        if shown is not None:
            return True
    return False


def time_round_trip(nb, keys: int) -> list[float]:
    """Times (ms) from a key press on a plain slider to the kernel's answer (a text label) on
    screen: the part of every diagram's time that belongs to JupyterLab and the kernel."""
    from browser_helpers import wait_kernel_idle

    root = nb.panel.locator(".bench-round-trip").first
    root.scroll_into_view_if_needed()
    handle = root.locator(".noUi-handle").first
    times = []
    for i in range(keys + 2):
        nb.page.evaluate(START_JS, [root.element_handle(), ".bench-answer", 15000])
        handle.focus()
        nb.page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        ms = nb.page.evaluate("() => window.__benchShown")
        wait_kernel_idle(nb.page)
        if ms is None:
            raise RuntimeError("no answer from the kernel within 15 s of a key press")
        if i >= 2:
            times.append(ms)
    return times


CLEAR_CACHE_JS = """(root) => root.querySelectorAll('.iliopsoas-frame-picture').forEach(
  (e) => e.dispatchEvent(new Event('iliopsoas-frame-cache-clear')))"""


def time_picture(nb, root, keys: int, uncached: bool = False) -> tuple[str, list[float]]:
    """Median-ready times (ms) from a key press on ``root``'s slider (or a change of its first
    menu) to a new picture on screen; returns (what was done, times).  A slider is first moved
    to a step that changes the picture (:func:`slider_boundary`), then pressed left and right
    across it.  ``uncached``: empty the diagram's picture cache in the browser before each
    press (iliopsoas/figures/frame_cache.py), so every picture comes from the kernel."""
    from browser_helpers import wait_kernel_idle

    handle = root.locator(".noUi-handle, input[type=range]").first
    select = root.locator("select").first
    checkbox = root.locator("input[type=checkbox]").first
    times, how = [], ""
    if handle.count() and not slider_boundary(nb, root, handle):
        raise RuntimeError("no new picture after 60 key presses on the slider")
    for i in range(keys + 2):                   # the first two are warm-ups
        if uncached:
            nb.page.evaluate(CLEAR_CACHE_JS, root.element_handle())
        nb.page.evaluate(START_JS, [root.element_handle(), "img", 15000])
        if handle.count():
            handle.focus()
            key = "ArrowLeft" if i % 2 == 0 else "ArrowRight"
            nb.page.keyboard.press(key)
            how = "key press on the slider"
        elif select.count():
            values = select.evaluate("e => [...e.options].map(o => o.value)")
            current = select.input_value()
            select.select_option(values[(values.index(current) + 1) % len(values)] if i % 2 == 0
                                 else values[(values.index(current) - 1) % len(values)])
            how = "change of the first menu"
        elif checkbox.count():
            checkbox.focus()
            nb.page.keyboard.press("Space")
            how = "space bar on the first checkbox"
        else:
            raise RuntimeError("no slider, menu or checkbox to move")
        ms = nb.page.evaluate("() => window.__benchShown")
        wait_kernel_idle(nb.page)
        if ms is None:
            raise RuntimeError(f"no new picture within 15 s of a {how}")
        if i >= 2:
            times.append(ms)
    return how, times


def measure_screen(keys: int = KEYS) -> list[dict]:
    """In JupyterLab in Chromium: key press → new picture on screen, each diagram and its naive version."""
    chromium = labdriver.find_chromium()
    if not chromium:
        return [{"name": "(all diagrams)", "class": "", "error": "no Chromium (" + labdriver.INSTALL_HINT + ")"}]
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    import nbformat
    from playwright.sync_api import sync_playwright

    classes, failures = labdriver.diagram_classes()
    rows = [{"name": module, "class": "", "error": "module does not import: " + err} for module, err in failures.items()]
    with tempfile.TemporaryDirectory(prefix="iliopsoas-bench-") as tmp:
        served = Path(tmp) / "course"
        (served / "notebooks").mkdir(parents=True)
        nbformat.write(screen_notebook(classes), served / "notebooks" / "screen.ipynb")
        with labdriver.LabServer(served, tmp=Path(tmp) / "lab") as lab, sync_playwright() as pw:
            context = labdriver.launch_browser(pw, Path(tmp) / "profile", chromium)
            context.set_default_timeout(120_000)
            try:
                nb = labdriver.NotebookPage(context, lab, "notebooks/screen.ipynb").open()
                nb.run_all()
                nb.wait_for_count(".iliopsoas-diagram.jupyter-widgets", len(classes))
                for cls in classes:
                    name = getattr(cls, "name", cls.__name__)
                    row = {"name": name, "class": cls.__name__, "error": None}
                    try:
                        live = nb.panel.locator(f".iliopsoas-diagram-{name}.jupyter-widgets").first
                        naive = nb.panel.locator(f".bench-naive-{name}").first
                        live.scroll_into_view_if_needed()
                        row["how"], live_ms = time_picture(nb, live, keys)
                        _, uncached_ms = time_picture(nb, live, keys, uncached=True)
                        naive.scroll_into_view_if_needed()
                        _, naive_ms = time_picture(nb, naive, keys)
                        floor = nb.panel.locator(f".bench-floor-{name}").first
                        floor.scroll_into_view_if_needed()
                        _, floor_ms = time_picture(nb, floor, keys)
                        row.update(keys=len(live_ms), screen_ms=statistics.median(live_ms),
                                   uncached_screen_ms=statistics.median(uncached_ms),
                                   naive_screen_ms=statistics.median(naive_ms),
                                   floor_screen_ms=statistics.median(floor_ms))
                    except Exception as exc:  # noqa: BLE001 - shown in the table
                        row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                    say(f"{name} on screen: {row}")
                    rows.append(row)
                row = {"name": "(round trip)", "class": "", "error": None}
                try:
                    times = time_round_trip(nb, keys)
                    row.update(keys=len(times), round_trip_ms=statistics.median(times))
                except Exception as exc:  # noqa: BLE001 - shown in the table
                    row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                say(f"round trip: {row}")
                rows.append(row)
                nb.close()
            finally:
                context.close()
    return rows


# --------------------------------------------------------------------------- a fresh clone

def measure_fresh_install(timeout: float = 1800) -> dict:
    """Clone the course (current commit) into a temporary folder: time from `python3 course.py lab`
    to JupyterLab answering and the student .venv's size; then `python3 course.py setup` (test
    tools added): its time and the test .venv's size.  pip's cache is used as it is."""
    import socket
    import urllib.request

    out: dict = {"error": None}
    with tempfile.TemporaryDirectory(prefix="iliopsoas-clone-") as tmp:
        clone = Path(tmp) / "course"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        out["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True,
                                       text=True).stdout.strip()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
        env.update(JUPYTER_CONFIG_DIR=str(Path(tmp) / "jconfig"), JUPYTER_DATA_DIR=str(Path(tmp) / "jdata"),
                   JUPYTER_RUNTIME_DIR=str(Path(tmp) / "jruntime"))
        python = shutil.which("python3") or sys.executable
        start = time.monotonic()
        log = open(Path(tmp) / "lab.log", "wb")
        proc = subprocess.Popen([python, "course.py", "lab", "--no-browser", f"--port={port}",
                                 "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=bench"],
                                cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=bench", timeout=5)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() - start > timeout:
                        raise RuntimeError("course.py lab did not answer: "
                                           + (Path(tmp) / "lab.log").read_text(errors="replace")[-300:])
                    time.sleep(0.5)
            out["lab_seconds"] = time.monotonic() - start
        except Exception as exc:  # noqa: BLE001 - shown in the table
            out["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
            log.close()
        if out["error"]:
            return out
        out["student_mb"] = tree_bytes(clone / ".venv") / 1e6
        start = time.monotonic()
        setup = subprocess.run([python, "course.py", "setup"], cwd=clone, env=env, capture_output=True, text=True)
        if setup.returncode:
            out["error"] = "course.py setup failed: " + (setup.stdout + setup.stderr)[-300:]
            return out
        out["test_seconds"] = time.monotonic() - start
        out["test_mb"] = tree_bytes(clone / ".venv") / 1e6
    return out


# --------------------------------------------------------------------------- sizes

def requirement_closure(requirements: Path) -> tuple[dict, list[str]]:
    """{canonical name: Distribution} for requirements.txt and everything they require, as installed."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    todo = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            todo.append(Requirement(line))
    found, missing = {}, []
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            missing.append(req.name)
            continue
        found[name] = dist
        extras = set(req.extras) | {""}
        for spec in dist.requires or []:
            sub = Requirement(spec)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return found, sorted(set(missing))


def dist_bytes(dist) -> int:
    total = 0
    for f in dist.files or []:
        try:
            total += os.stat(dist.locate_file(f)).st_size
        except OSError:
            pass
    return total


def tree_bytes(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def measure_sizes() -> dict:
    dists, missing = requirement_closure(ROOT / "requirements.txt")
    student = sum(dist_bytes(d) for d in dists.values())
    return {"student_mb": student / 1e6, "packages": len(dists), "missing": missing,
            "venv_mb": tree_bytes(Path(sys.prefix)) / 1e6}


# --------------------------------------------------------------------------- the table

def fmt_s(x):
    return "–" if x is None else f"{x:.1f} s"


def fmt_ms(x):
    return "–" if x is None else (f"{x:.1f} ms" if x < 10 else f"{x:.0f} ms")


def fmt_mb(x):
    return "–" if x is None or x != x else f"{x:.0f} MB"


def ratio(a, b, unit="×"):
    return "–" if not a or not b else f"{a / b:.1f}{unit}"


def mark(ok):
    return "–" if ok is None else ("✓" if ok else "✗")


def build_table(results: dict) -> str:
    """The Markdown table of one benchmark run (pure: numbers in, text out)."""
    rows = [("What", "Measured", "Baseline in the same run", "Ratio", "Target", "Met")]
    notebooks, floors = results.get("notebooks", []), results.get("floor", [])
    floor_one = statistics.median([f["seconds"] for f in floors]) if floors else None
    floor_mem = statistics.median([f["peak_mb"] for f in floors]) if floors else None
    for nb in notebooks:
        if nb.get("error"):
            rows.append((f"Run `{nb['name']}` headless", f"failed: {nb['error']}", "", "", "runs", "✗"))
            continue
        rows.append((f"Run `{nb['name']}` headless (fresh kernel)", fmt_s(nb["seconds"]),
                     f"floor {fmt_s(floor_one)}", ratio(nb["seconds"], floor_one), "", ""))
    ok_runs = [nb for nb in notebooks if not nb.get("error")]
    if notebooks:
        total = sum(nb["seconds"] for nb in ok_runs) if len(ok_runs) == len(notebooks) else None
        floor_total = sum(f["seconds"] for f in floors) if floors else None
        rows.append((f"Run the whole course headless ({len(notebooks)} notebooks)", fmt_s(total),
                     f"floor {fmt_s(floor_total)} ({len(floors)} kernels)", ratio(total, floor_total), "", ""))
    for nb in notebooks:
        if nb.get("error"):
            continue
        peak = nb["peak_mb"]
        rows.append((f"Peak memory, `{nb['name']}` kernel", fmt_mb(peak), f"floor {fmt_mb(floor_mem)}",
                     ratio(peak, floor_mem), f"< {MEMORY_TARGET_MB} MB",
                     mark(None if peak is None or peak != peak else peak < MEMORY_TARGET_MB)))
    kernel_target = f"≥ {NAIVE_RATIO_TARGET}× faster and ≤ {FLOOR_RATIO_TARGET}× floor"
    for d in results.get("diagrams", []):
        label = f"Diagram `{d['name']}`" + (f" ({d['class']})" if d.get("class") else "")
        if d.get("error"):
            rows.append((f"{label}: update in the kernel", f"failed: {d['error']}", "", "", kernel_target, "✗"))
            continue
        control = f" of `{d['control']}`" if d.get("control") else ""
        floor = d.get("floor_ms")
        met = (d["naive_ms"] >= NAIVE_RATIO_TARGET * d["update_ms"]
               and floor is not None and d["update_ms"] <= FLOOR_RATIO_TARGET * floor)
        rows.append((f"{label}: update in the kernel, median of {d['steps']} steps{control}", fmt_ms(d["update_ms"]),
                     f"naive rebuild {fmt_ms(d['naive_ms'])}; floor {fmt_ms(floor)}",
                     f"{ratio(d['naive_ms'], d['update_ms'], '× faster')}; {ratio(d['update_ms'], floor, '× floor')}",
                     kernel_target, mark(met)))
    screen_target = f"≤ {SCREEN_TARGET_MS} ms and ≥ {SCREEN_NAIVE_TARGET}× faster"
    for d in results.get("screen", []):
        if d.get("name") == "(round trip)":
            what = "JupyterLab (Chromium) round trip: key press on a plain slider → the kernel's text answer on screen"
            if d.get("error"):
                rows.append((what, f"not measured: {d['error']}", "", "", "", ""))
            else:
                rows.append((f"{what}, median of {d['keys']}", fmt_ms(d["round_trip_ms"]), "", "", "", ""))
            continue
        label = f"Diagram `{d['name']}`" + (f" ({d['class']})" if d.get("class") else "")
        if d.get("error"):
            rows.append((f"{label} in JupyterLab (Chromium): new picture on screen", f"not measured: {d['error']}",
                         "", "", screen_target, "✗"))
            continue
        met = d["screen_ms"] <= SCREEN_TARGET_MS and d["naive_screen_ms"] >= SCREEN_NAIVE_TARGET * d["screen_ms"]
        floor = d.get("floor_screen_ms")
        rows.append((f"{label} in JupyterLab (Chromium): {d.get('how', 'key press')} → new picture on screen, "
                     f"median of {d['keys']}", fmt_ms(d["screen_ms"]),
                     (f"without the cache {fmt_ms(d['uncached_screen_ms'])}; " if "uncached_screen_ms" in d else "")
                     + f"naive `interact` {fmt_ms(d['naive_screen_ms'])}; floor {fmt_ms(floor)}",
                     f"{ratio(d['naive_screen_ms'], d['screen_ms'], '× faster')}; "
                     f"{ratio(d['screen_ms'], floor, '× floor')}", screen_target, mark(met)))
    check = results.get("check")
    if check:
        if check.get("error"):
            rows.append(("Check → feedback in JupyterLab (Chromium)", f"not measured: {check['error']}", "", "",
                         f"≤ {RESPONSE_TARGET_MS} ms", "–"))
        else:
            rows.append((f"Check → feedback in JupyterLab (Chromium), median of {check['clicks']} clicks",
                         fmt_ms(check["median_ms"]), "", "", f"≤ {RESPONSE_TARGET_MS} ms",
                         mark(check["median_ms"] <= RESPONSE_TARGET_MS)))
    fresh = results.get("fresh")
    if fresh:
        if fresh.get("error"):
            rows.append(("Fresh clone → JupyterLab answering (`python3 course.py lab`)",
                         f"not measured: {fresh['error']}", "", "", "", "–"))
        else:
            rows.append(("Fresh clone → JupyterLab answering (`python3 course.py lab`; pip's cache warm)",
                         fmt_s(fresh["lab_seconds"]), "", "", "", ""))
            rows.append(("Installed size, student environment (.venv after `python3 course.py lab`)",
                         fmt_mb(fresh["student_mb"]), "", "", "", ""))
            rows.append(("Adding the test tools (`python3 course.py setup`; pip's cache warm)",
                         fmt_s(fresh["test_seconds"]), "", "", "", ""))
            rows.append(("Installed size, test environment (.venv after `python3 course.py setup`)",
                         fmt_mb(fresh["test_mb"]), f"student environment {fmt_mb(fresh['student_mb'])}",
                         ratio(fresh["test_mb"], fresh["student_mb"]), "", ""))
    size = results.get("size")
    if size:
        note = f"; not installed: {', '.join(size['missing'])}" if size.get("missing") else ""
        rows.append((f"Installed size, student environment ({size['packages']} packages: "
                     f"requirements.txt and their dependencies{note})", fmt_mb(size["student_mb"]),
                     f"whole .venv with test tools {fmt_mb(size['venv_mb'])}", "", "", ""))
    rows += hub_capacity.table_rows(results.get("hub"))
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows[1:]]
    return "\n".join(out)


def describe_machine(results: dict) -> str:
    m = results.get("machine", {})
    return (f"Measured on {m.get('date', '?')} on {m.get('platform', '?')} with {m.get('cpus', '?')} CPUs, "
            f"Python {m.get('python', '?')}.")


def readme_block(results: dict) -> str:
    return (f"{describe_machine(results)} Reproduce it with `python3 course.py bench` "
            "(add `--update-readme` to rewrite this table).\n\n" + build_table(results) + "\n\n"
            "*Floor* of a notebook: fresh kernels that only import the course's libraries (ipywidgets, matplotlib, "
            "numpy, yaml, iliopsoas), measured in the same run. *Floor* of a diagram: encoding a PNG of the same "
            "size from its unchanged canvas, measured step by step with the update (the part no drawing strategy "
            "avoids). *Naive rebuild*: drawing the whole figure again for each step, as a plain `interact` "
            "callback would; *naive `interact`*: that callback really running in JupyterLab beside the diagram; "
            "*floor* in JupyterLab: a slider that only swaps in one of two PNGs made beforehand (the round trip "
            "to the kernel and the decoding); the *round trip* row is the same with a line of text instead of a "
            "picture (JupyterLab, the websocket and the kernel alone). In JupyterLab a diagram's picture comes "
            "from a cache in the browser when the kernel has sent it ahead (one slider step either side, a few "
            "more in the direction of movement) or it was shown before, so it beats the floor; *without the "
            "cache* times the same key presses with that cache emptied before each one: what a step costs that "
            "the cache does not hold (a menu choice not seen before, a jump of many steps). A slider whose small steps often leave the picture unchanged (prevention-effect: 0.1 player "
            "per 100) is first moved to a step that changes it. "
            f"Targets: kernel memory under {MEMORY_TARGET_MB} MB; a diagram update at least {NAIVE_RATIO_TARGET}× "
            f"faster than the naive rebuild and at most {FLOOR_RATIO_TARGET}× its floor (milliseconds for "
            f"information: they depend on the machine); in the browser, a new picture on screen within "
            f"{SCREEN_TARGET_MS} ms (median) and at least {SCREEN_NAIVE_TARGET}× faster than naive `interact`; "
            f"{RESPONSE_TARGET_MS} ms from Check to feedback, the limit for a response to feel immediate "
            "(Nielsen 1993). The fresh-clone times use pip's download cache as it was on this machine; a first "
            "install elsewhere also downloads the packages. How each number is measured: `benchmarks/run.py`." + hub_capacity.readme_note(results.get("hub")))


def update_readme(text: str, block: str) -> str:
    """README text with everything between the BENCHMARK markers replaced by ``block``."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"README.md needs the markers {BEGIN} and {END} (in that order)")
    return text[:start + len(BEGIN)] + "\n" + block.strip() + "\n" + text[end:]


def machine() -> dict:
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
            "python": platform.python_version(), "platform": f"{platform.system()} {platform.machine()}"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update-readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--no-browser", action="store_true", help="skip the JupyterLab/Chromium measurements")
    parser.add_argument("--no-install", action="store_true", help="skip the fresh-clone installs (minutes)")
    parser.add_argument("--json", type=Path, help="also save the raw numbers as JSON")
    parser.add_argument("--from-json", type=Path, help="measure nothing: print (and write) a saved run's numbers")
    parser.add_argument("--no-hub", action="store_true", help="skip the class on JupyterHub (benchmarks/hub_capacity.py)")
    args = parser.parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        return report(results, args)

    tmp = tempfile.mkdtemp(prefix="iliopsoas-bench-")
    os.environ["ILIOPSOAS_PROGRESS"] = str(Path(tmp) / "progress.sqlite3")  # never the student's own file
    os.environ["MPLCONFIGDIR"] = str(Path(tmp) / "mpl")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        results = {"machine": machine()}
        paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
        results["notebooks"], results["floor"] = measure_notebooks(paths)
        say("diagrams")
        results["diagrams"] = measure_diagrams()
        if not args.no_browser:
            say("key press -> new picture, in JupyterLab")
            try:
                results["screen"] = measure_screen()
            except Exception as exc:  # noqa: BLE001 - shown in the table
                results["screen"] = [{"name": "(all diagrams)", "class": "",
                                      "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}]
            say("Check -> feedback in JupyterLab")
            try:
                results["check"] = measure_check_feedback(ROOT / "notebooks" / "00-start-here.ipynb")
            except Exception as exc:  # noqa: BLE001 - shown in the table
                results["check"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
        if not args.no_install:
            say("a fresh clone: course.py lab, then course.py setup (minutes)")
            try:
                results["fresh"] = measure_fresh_install()
            except Exception as exc:  # noqa: BLE001 - shown in the table
                results["fresh"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
        say("installed size")
        results["size"] = measure_sizes()
        if not args.no_hub:
            say("a class on JupyterHub")
            try:
                results["hub"] = hub_capacity.measure()
            except Exception as exc:  # noqa: BLE001 - shown in the table
                results["hub"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(results, args)


def report(results: dict, args) -> int:
    print(describe_machine(results))
    print()
    print(build_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.update_readme:
        README.write_text(update_readme(README.read_text(encoding="utf-8"), readme_block(results)), encoding="utf-8")
        say("README.md updated")
        if results.get("hub") and not results["hub"].get("error"):
            hub_capacity.write_capacity(results)
            README.write_text(hub_capacity.patch_readme(README.read_text(encoding="utf-8"), results),
                              encoding="utf-8")
            say("deploy/capacity.yml, the memory sizes of deploy/z2jh-values.yaml and the README's class size "
                "for instructors updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
