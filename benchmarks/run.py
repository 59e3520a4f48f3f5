#!/usr/bin/env python3
"""Measure the course on this machine and print one table (``python3 course.py bench``).

    python3 course.py bench                  # measure and print the table
    python3 course.py bench --update-readme  # ... and write it into README.md ("Performance")
    python3 course.py bench --no-browser     # without the JupyterLab/Chromium measurement
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
- **Diagrams.** For every ``iliopsoas.figures.base.Diagram`` subclass in the package
  (found by walking its modules, so new diagrams are included), shown as a live
  widget in a kernel so the observers fire: median time of ``d.set(**state)``
  over 50 slider steps (``d.sweep_states(50)``; steps that change nothing are
  replaced by moving back and forth), and of ``d.naive_png(state)`` (rebuild the
  figure each step) over the same steps, and the ratio.
- **Check → feedback in the browser.** JupyterLab in headless Chromium
  (tools/labdriver.py): median over 20 clicks on a question's Check button of
  the time from the click event to the new feedback being in the page (at the
  next animation frame), alternating a wrong and a right answer.
- **Installed size** of the student environment: the distributions in the
  closure of requirements.txt as installed here (their RECORD files), and the
  whole virtual environment for comparison.

- **A class on JupyterHub** (``benchmarks/hub_capacity.py``): memory per student (server +
  a lesson's kernel), login → lesson running alone and for a class at once, and how many
  students one machine holds; ``--update-readme`` also writes ``deploy/capacity.yml``.

Targets (✓/✗ in the table): kernel peak memory under 250 MB; a diagram update
and the Check feedback within 0.1 s, the limit for a response to feel
immediate (Nielsen, *Usability Engineering*, 1993).  Nothing here is a test:
tests/test_benchmark.py only checks the table and README code on fake numbers.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import re
import shutil
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
UPDATE_TARGET_MS = 30      # the diagrams issue: median update ≤ 30 ms
NAIVE_RATIO_TARGET = 3     # ... and at least 3× faster than rebuilding the figure
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
        update, naive = [], []
        control = entry["control"]
        for state in steps[1:] + steps[:1]:
            before = d.updates
            t = time.perf_counter()
            d.set(**{control: state[control]})    # a slider step moves the slider only
            elapsed = time.perf_counter() - t
            if d.updates > before:
                update.append(elapsed)
        for state in steps:
            t = time.perf_counter()
            d.naive_png(state)
            naive.append(time.perf_counter() - t)
        entry.update(steps=len(update), update_ms=1000 * statistics.median(update),
                     naive_steps=len(naive), naive_ms=1000 * statistics.median(naive))
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
    for d in results.get("diagrams", []):
        label = f"Diagram `{d['name']}`" + (f" ({d['class']})" if d.get("class") else "")
        if d.get("error"):
            rows.append((f"{label}: update", f"failed: {d['error']}", "", "", f"≤ {UPDATE_TARGET_MS} ms", "✗"))
            continue
        control = f" of `{d['control']}`" if d.get("control") else ""
        met = d["update_ms"] <= UPDATE_TARGET_MS and d["naive_ms"] >= NAIVE_RATIO_TARGET * d["update_ms"]
        rows.append((f"{label}: update, median of {d['steps']} steps{control}", fmt_ms(d["update_ms"]),
                     f"naive rebuild {fmt_ms(d['naive_ms'])}", ratio(d["naive_ms"], d["update_ms"], "× faster"),
                     f"≤ {UPDATE_TARGET_MS} ms and ≥ {NAIVE_RATIO_TARGET}× faster", mark(met)))
    check = results.get("check")
    if check:
        if check.get("error"):
            rows.append(("Check → feedback in JupyterLab (Chromium)", f"not measured: {check['error']}", "", "",
                         f"≤ {RESPONSE_TARGET_MS} ms", "–"))
        else:
            rows.append((f"Check → feedback in JupyterLab (Chromium), median of {check['clicks']} clicks",
                         fmt_ms(check["median_ms"]), "", "", f"≤ {RESPONSE_TARGET_MS} ms",
                         mark(check["median_ms"] <= RESPONSE_TARGET_MS)))
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
            "*Floor*: fresh kernels that only import the course's libraries (ipywidgets, matplotlib, numpy, yaml, "
            "iliopsoas), measured in the same run. *Naive rebuild*: drawing the whole figure again for each step, "
            f"as a plain `interact` callback would. Targets: kernel memory under {MEMORY_TARGET_MB} MB; "
            f"a diagram update of at most {UPDATE_TARGET_MS} ms and at least {NAIVE_RATIO_TARGET}× faster than the "
            f"naive rebuild; {RESPONSE_TARGET_MS} ms from Check to feedback, the limit for a response to feel "
            "immediate (Nielsen 1993). "
            "How each number is measured: `benchmarks/run.py`." + hub_capacity.readme_note(results.get("hub")))


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
    parser.add_argument("--no-browser", action="store_true", help="skip the JupyterLab/Chromium measurement")
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
            say("Check -> feedback in JupyterLab")
            try:
                results["check"] = measure_check_feedback(ROOT / "notebooks" / "00-start-here.ipynb")
            except Exception as exc:  # noqa: BLE001 - shown in the table
                results["check"] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
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
            say("deploy/capacity.yml and the memory sizes of deploy/z2jh-values.yaml updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
