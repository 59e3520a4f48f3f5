"""What the browser tests know about the course: which notebooks hold which
quizzes and diagrams (read from the notebooks with ``ast``), and how a student
answers each type of question with the mouse (driven by the bank in
``quizzes/<slug>.yml``).  DOM classes: docs/CONTRACTS.md, "DOM classes".
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from iliopsoas.quiz import grading
from iliopsoas.markdown import plain_text

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
START = "00-start-here"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# The public functions that show an interactive diagram (docs/CONTRACTS.md,
# "Diagrams API"; the same set as tests/test_notebooks.py DIAGRAM_CALLS).
DIAGRAM_CALLS = {"hip_flexion_explorer", "psoas_paradox_explorer", "thomas_test_simulator",
                 "anatomy_explorer", "pain_map", "test_accuracy_explorer", "differential_sorter",
                 "snapping_hip_model", "condition_explorer", "rehab_planner", "prevention_effect"}
VERDICT_RIGHT, VERDICT_WRONG, VERDICT_PARTIAL = "✓ Correct", "✗ Not quite", "◐ Partly right"
# Question types in the order the wrong-then-right test prefers them: one clear
# click for the answer first, drop-downs last.
PREFERRED_TYPES = ["single", "truefalse", "numeric", "multiple", "matching", "ordering", "label"]
# Live widgets only: the static text/html fallback carries the same class names.
LIVE = ".jupyter-widgets"
QUIZ = f".iliopsoas-quiz{LIVE}"
DIAGRAM = f".iliopsoas-diagram{LIVE}"


def called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


@dataclass
class NotebookPlan:
    """What one notebook shows, from its source."""

    slug: str
    relpath: str  # from the served root
    quizzes: list[tuple[str, list[str] | None]] = field(default_factory=list)  # (bank slug, ids or None)
    diagrams: list[str] = field(default_factory=list)  # function (or class) names, in order
    cases: list[str] = field(default_factory=list)  # clinical case ids shown with show_case, in order
    problems: dict = field(default_factory=dict)  # {module: import error} for the every-diagram notebook

    def questions(self) -> list[tuple[str, dict]]:
        """(bank slug, question) for every question the notebook's quizzes show, in order."""
        out = []
        for slug, ids in self.quizzes:
            bank = load_bank(slug)
            by_id = {q["id"]: q for q in bank["questions"]}
            for qid in ids if ids is not None else list(by_id):
                out.append((slug, by_id[qid]))
        return out


def plan(path: Path) -> NotebookPlan:
    nb = nbformat.read(path, as_version=4)
    result = NotebookPlan(path.stem, f"notebooks/{path.name}")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = called_name(node)
            if name == "show_quiz":
                slug = ast.literal_eval(node.args[0]) if node.args else path.stem
                ids = None
                for kw in node.keywords:
                    if kw.arg == "ids":
                        ids = ast.literal_eval(kw.value)
                        ids = [ids] if isinstance(ids, str) else list(ids)
                result.quizzes.append((slug, ids))
            elif name in DIAGRAM_CALLS:
                result.diagrams.append(name)
            elif name == "show_case" and len(node.args) >= 2:
                result.cases.append(ast.literal_eval(node.args[1]))
    return result


def load_bank(slug: str) -> dict:
    return yaml.safe_load((ROOT / "quizzes" / f"{slug}.yml").read_text(encoding="utf-8"))


PLANS = [plan(p) for p in NOTEBOOKS]

# A scratch notebook (written into the served copy only) that shows every
# Diagram subclass of the package, so that a diagram is tested in the browser
# even before a lesson uses it.
EVERY_DIAGRAM_RELPATH = "browser-scratch/every-diagram.ipynb"


def every_diagram_plan() -> NotebookPlan:
    from labdriver import diagram_classes

    classes, failures = diagram_classes()
    return NotebookPlan("every-diagram", EVERY_DIAGRAM_RELPATH,
                        diagrams=[f"{c.__module__}.{c.__name__}" for c in classes], problems=failures)


EVERY_DIAGRAM = every_diagram_plan()


def every_diagram_notebook(plan: NotebookPlan):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "# Every interactive diagram in the package\n\nWritten by the browser tests; not part of the course."))
    for dotted in plan.diagrams:
        module, name = dotted.rsplit(".", 1)
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## `{name}`"))
        nb.cells.append(nbformat.v4.new_code_cell(f"from {module} import {name}\n{name}().show()"))
    return nb


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text or "")}


# --------------------------------------------------------------------------- answers

@dataclass
class Answer:
    """What to do in the page: per input, the label to click, the text to type or the option to pick."""

    kind: str
    radio: str | None = None                 # single / truefalse: the label to click
    ticks: list[str] | None = None           # multiple: labels that must end up ticked
    text: str | None = None                  # numeric: what to type
    picks: list[str] | None = None           # drop-downs in order: the option label to choose
    labels: list[str] = field(default_factory=list)  # every checkbox label (multiple)
    choice: int | None = None                # single: index of the chosen choice in the bank


def _choice_labels(q):
    return [plain_text(c["text"]) for c in q["choices"]]


def right_answer(q: dict) -> Answer:
    kind, right = q["type"], grading.correct_answer(q)
    if kind == "single":
        return Answer(kind, radio=_choice_labels(q)[right], choice=right)
    if kind == "truefalse":
        return Answer(kind, radio="True" if right else "False")
    if kind == "multiple":
        labels = _choice_labels(q)
        return Answer(kind, ticks=[labels[i] for i in right], labels=labels)
    if kind == "numeric":
        return Answer(kind, text=f"{right:g}")
    if kind == "matching":
        return Answer(kind, picks=[plain_text(right[p["left"]]) for p in q["pairs"]])
    if kind == "ordering":
        return Answer(kind, picks=[plain_text(i) for i in right])
    if kind == "label":
        return Answer(kind, picks=[plain_text(right[str(n)]) for n in range(1, len(q["markers"]) + 1)])
    raise ValueError(kind)


def wrong_answer(q: dict) -> Answer:
    """An answer that scores 0 (so the verdict is "✗ Not quite")."""
    kind, right = q["type"], grading.correct_answer(q)
    if kind == "single":
        wrong = [i for i, c in enumerate(q["choices"]) if not c.get("correct")]
        tagged = [i for i in wrong if q["choices"][i].get("misconception")]
        pick = (tagged or wrong)[0]
        return Answer(kind, radio=_choice_labels(q)[pick], choice=pick)
    if kind == "truefalse":
        return Answer(kind, radio="False" if right else "True")
    if kind == "multiple":
        labels = _choice_labels(q)
        wrong = [i for i, c in enumerate(q["choices"]) if not c.get("correct")]
        return Answer(kind, ticks=[labels[wrong[0]]], labels=labels)
    if kind == "numeric":
        return Answer(kind, text=f"{float(q['answer']) + 10 * float(q['tolerance']) + 10:g}")
    if kind in ("matching", "label", "ordering"):
        good = right_answer(q).picks
        if len(set(good)) < 2:
            raise ValueError(f"{q['id']}: cannot build an all-wrong answer")
        return Answer(kind, picks=good[1:] + good[:1])  # every position gets another's answer
    raise ValueError(kind)


def pick_question(questions: list[tuple[str, dict]]) -> tuple[str, dict]:
    """The question the wrong-then-right test uses: the first of the most clickable type."""
    rank = {t: i for i, t in enumerate(PREFERRED_TYPES)}
    return min(questions, key=lambda sq: (rank.get(sq[1]["type"], 99), questions.index(sq)))


def give_answer(page, box, answer: Answer) -> None:
    """Put ``answer`` into the question ``box`` (a locator) by clicking and typing."""
    if answer.kind in ("single", "truefalse"):
        box.get_by_role("radio", name=answer.radio, exact=True).click()
    elif answer.kind == "multiple":
        for label in answer.labels:
            box_input = box.get_by_role("checkbox", name=label, exact=True)
            if box_input.is_checked() != (label in answer.ticks):
                box_input.click()
    elif answer.kind == "numeric":
        field_ = box.locator("input[type=text], input:not([type])").first
        field_.click()
        field_.fill(answer.text)
    else:
        selects = box.locator("select")
        assert selects.count() == len(answer.picks), (
            f"expected {len(answer.picks)} drop-down menus, found {selects.count()}")
        for i, label in enumerate(answer.picks):
            selects.nth(i).select_option(label=label)


def check_and_read(page, box, timeout: float = 120, new: bool = True) -> tuple[str, str]:
    """Click Check; wait for a verdict (a new one unless ``new`` is False); return (feedback, explanation)."""
    feedback = box.locator(".iliopsoas-feedback")
    before = norm(feedback.inner_text())
    box.locator(".iliopsoas-check").click()
    verdicts = [VERDICT_RIGHT, VERDICT_WRONG, VERDICT_PARTIAL]
    try:
        page.wait_for_function(
            """([el, before, verdicts]) => {
                 const t = el.innerText.replace(/\\s+/g, ' ').trim();
                 return (t !== before || before === null) && verdicts.some(v => t.startsWith(v));
               }""",
            arg=[feedback.element_handle(), before if new else None, verdicts], timeout=timeout * 1000, polling=50)
    except Exception:  # noqa: BLE001 - the caller asserts on what is shown
        pass
    wait_kernel_idle(page, timeout)
    return norm(feedback.inner_text()), norm(box.locator(".iliopsoas-explanation").inner_text())


def wait_kernel_idle(page, timeout: float = 60) -> None:
    """Wait until the notebook's kernel is idle.  Everything a Check (or any widget event) changes is
    sent by the kernel before it reports idle, and the page applies the kernel's messages in order:
    once idle is shown, the feedback, the explanation and the score line are all in the page.  (A
    state to wait for, not a guess at how long the kernel takes.)"""
    try:
        page.wait_for_function(
            """() => { const i = document.querySelector(
                 '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator')
                 || document.querySelector('.jp-Notebook-ExecutionIndicator');
               return !!i && i.dataset.status === 'idle'; }""", timeout=timeout * 1000, polling=50)
    except Exception:  # noqa: BLE001 - the caller asserts on what is shown
        pass


def wait_widgets_settled(nb, timeout: float = 180) -> None:
    """After Run All: the kernel is idle and every picture shown by a live widget has loaded (so a
    screenshot or a count sees what a student sees, however slowly the machine runs)."""
    wait_kernel_idle(nb.page, timeout)
    try:
        nb.page.wait_for_function(
            """() => [...document.querySelectorAll(
                   '.jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-widgets img')]
                 .every(e => e.complete && e.naturalWidth > 0)""", timeout=timeout * 1000, polling=200)
    except Exception:  # noqa: BLE001 - the caller asserts on what is shown
        pass


def own_lab_server(served, tmp_path_factory, name: str, **kw):
    """Generator for a module fixture: a JupyterLab server of the test module's own (its own
    progress store, settings and workspaces), stopped at the end; a server that cannot start
    fails the test with the server's message.  ``kw`` goes to ``LabServer`` (e.g. ``settings``)."""
    import pytest
    from labdriver import LabError, LabServer

    server = LabServer(served.root, tmp=tmp_path_factory.mktemp(name), **kw)
    try:
        server.start()
    except LabError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
