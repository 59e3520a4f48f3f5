"""axe-core in JupyterLab on the course's own elements, in the light and the dark theme.

A scratch notebook (written into the served copy only) shows every element the
course draws: the progress dashboard, one question of every type found in the
question banks (each as its own quiz, so every kind of input is there), every
interactive diagram of the package and a static figure.  After *Run All*, axe-core
(from website/node_modules, injected into the page) checks only those elements
(JupyterLab's own interface is not the course's to fix), then again after every
quiz has been answered wrongly (feedback, Try again, Show answer) and one answer
has been revealed with Show answer.  Zero serious or critical violations are
allowed.  Both themes run on their own JupyterLab server (the light one is the
session's server; the dark one is set to "JupyterLab Dark").
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml

from browser_helpers import (EVERY_DIAGRAM, ROOT, own_lab_server, check_and_read, give_answer, load_bank, wrong_answer)
from labdriver import LAB_SETTINGS, NotebookPage

AXE = ROOT / "website" / "node_modules" / "axe-core" / "axe.min.js"
RELPATH = "browser-scratch/every-element.ipynb"
DARK = {**LAB_SETTINGS, "@jupyterlab/apputils-extension/themes": {"theme": "JupyterLab Dark"}}
# the course's own elements (live widgets only; their static fallbacks carry the same classes)
COURSE = {"quiz": ".iliopsoas-quiz.jupyter-widgets", "diagram": ".iliopsoas-diagram.jupyter-widgets",
          "dashboard": ".iliopsoas-progress.jupyter-widgets", "figure": ".iliopsoas-figure"}
SERIOUS = ("serious", "critical")


def one_question_per_type() -> list[tuple[str, str, str]]:
    """(bank slug, question id, type): the first question of each type across the banks, in bank order."""
    seen = {}
    for path in sorted((ROOT / "quizzes").glob("[0-9][0-9]-*.yml")):
        bank = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for q in bank.get("questions", []):
            if isinstance(q, dict) and q.get("type") and q["type"] not in seen:
                seen[q["type"]] = (path.stem, q["id"], q["type"])
    return list(seen.values())


QUESTIONS = one_question_per_type()


def every_element_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cells = [nbformat.v4.new_markdown_cell("# Every course element\n\nWritten by the browser tests; not part of "
                                           "the course."),
             nbformat.v4.new_code_cell("from iliopsoas import show_progress\nshow_progress()"),
             nbformat.v4.new_code_cell('from iliopsoas import anatomy_figure\nanatomy_figure("anterior")')]
    for slug, qid, kind in QUESTIONS:
        cells.append(nbformat.v4.new_markdown_cell(f"## A question of type `{kind}`"))
        cells.append(nbformat.v4.new_code_cell(f"from iliopsoas import show_quiz\nshow_quiz({slug!r}, ids=[{qid!r}])"))
    for dotted in EVERY_DIAGRAM.diagrams:
        module, name = dotted.rsplit(".", 1)
        cells.append(nbformat.v4.new_markdown_cell(f"## `{name}`"))
        cells.append(nbformat.v4.new_code_cell(f"from {module} import {name}\n{name}().show()"))
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def element_notebook(served):
    if not AXE.is_file():
        pytest.fail("axe-core is missing (website/node_modules): run `python3 course.py site` or `npm ci` in "
                    "website/ (python3 course.py test installs it)", pytrace=False)
    path = Path(served.root) / RELPATH
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(every_element_notebook(), path)
    return RELPATH


@pytest.fixture(scope="module")
def light_server(chromium, served, tmp_path_factory):
    """A server of its own (its own progress store): this test answers wrongly and presses Show answer,
    which the session's shared server would otherwise restore into the other browser tests' questions."""
    yield from own_lab_server(served, tmp_path_factory, "axe-light-lab")


@pytest.fixture(scope="module")
def dark_server(chromium, served, tmp_path_factory):
    yield from own_lab_server(served, tmp_path_factory, "axe-dark-lab", settings=DARK)


AXE_JS = """async (selectors) => {
  const include = selectors.filter(s => document.querySelector(s)).map(s => [s]);
  const r = await axe.run({include: include}, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim())}));
}"""


def axe_course(nb: NotebookPage) -> list[dict]:
    page = nb.page
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_JS, list(COURSE.values()))


def serious(violations: list[dict], when: str) -> list[str]:
    return [f"{when}: {v['id']} ({v['impact']}) {v['help']}: " + "; ".join(v["nodes"][:5])
            for v in violations if v["impact"] in SERIOUS]


def answer_every_quiz_wrongly(nb: NotebookPage) -> int:
    """Answer each question wrongly and Check (feedback, Try again and maybe Show answer appear)."""
    done = 0
    for slug, qid, _kind in QUESTIONS:
        question = next(q for q in load_bank(slug)["questions"] if q["id"] == qid)
        box = nb.panel.locator(f".iliopsoas-question.iliopsoas-q-{qid}").first
        try:
            answer = wrong_answer(question)
        except ValueError:
            continue
        box.scroll_into_view_if_needed()
        give_answer(nb.page, box, answer)
        feedback, _explanation = check_and_read(nb.page, box)
        assert feedback.startswith("✗"), f"{qid}: {feedback}"
        done += 1
    return done


def reveal_one_answer(nb: NotebookPage) -> bool:
    """Press Show answer where it is offered (after enough wrong tries), answering wrongly again until it is.

    Try again clears the answer (retrieval from memory), so each new try gives the wrong answer again."""
    slug, qid, _kind = QUESTIONS[0]
    question = next(q for q in load_bank(slug)["questions"] if q["id"] == qid)
    box = nb.panel.locator(f".iliopsoas-question.iliopsoas-q-{qid}").first
    for _ in range(4):
        button = box.locator(".iliopsoas-show-answer:visible")
        if button.count():
            button.first.click()
            nb.page.wait_for_selector(".iliopsoas-explanation .iliopsoas-answer", timeout=10_000)
            return True
        retry = box.locator(".iliopsoas-try-again:visible")
        if retry.count():
            retry.first.click()
        give_answer(nb.page, box, wrong_answer(question))
        feedback, _explanation = check_and_read(nb.page, box)
        assert feedback.startswith("✗"), f"{qid}: {feedback}"
    return False


def run_axe_on_course(context, server, relpath, theme) -> dict:
    nb = NotebookPage(context, server, relpath).open()
    try:
        nb.run_all()
        assert not nb.errors(), nb.errors()
        counts = {name: nb.count(sel) for name, sel in COURSE.items()}
        missing = [name for name, n in counts.items() if n == 0]
        assert not missing, f"the scratch notebook shows no {missing} ({theme})"
        assert counts["quiz"] == len(QUESTIONS) and counts["diagram"] == len(EVERY_DIAGRAM.diagrams), counts
        names = nb.page.evaluate("""() => ({
            pictures: [...document.querySelectorAll('.iliopsoas-diagram img.iliopsoas-diagram-image,'
                + ' .iliopsoas-question img.iliopsoas-label-figure')].map(i => i.getAttribute('alt') || ''),
            sliders: [...document.querySelectorAll('.iliopsoas-diagram [role="slider"]')]
                .map(h => h.getAttribute('aria-label') || '')})""")
        assert names["pictures"] and all(len(a) > 20 for a in names["pictures"]), names["pictures"]
        assert names["sliders"] and all(names["sliders"]), names["sliders"]
        problems = serious(axe_course(nb), f"{theme}, after Run All")
        answered = answer_every_quiz_wrongly(nb)
        assert answered >= len(QUESTIONS) - 1, f"only {answered} questions could be answered wrongly"
        problems += serious(axe_course(nb), f"{theme}, after wrong answers")
        revealed = reveal_one_answer(nb)
        assert revealed, "no question offered Show answer after repeated wrong answers"
        problems += serious(axe_course(nb), f"{theme}, after Show answer")
        return {"problems": problems, "counts": counts, "revealed": revealed}
    finally:
        nb.close()


def test_course_elements_pass_axe_in_the_light_theme(light_server, browser_context, element_notebook):
    out = run_axe_on_course(browser_context, light_server, element_notebook, "light")
    assert not out["problems"], "axe-core in JupyterLab (light):\n" + "\n".join(out["problems"])


def test_course_elements_pass_axe_in_the_dark_theme(dark_server, browser_context, element_notebook):
    out = run_axe_on_course(browser_context, dark_server, element_notebook, "dark")
    assert not out["problems"], "axe-core in JupyterLab (dark):\n" + "\n".join(out["problems"])


def test_every_question_type_of_the_banks_is_checked():
    kinds = {kind for _s, _q, kind in QUESTIONS}
    in_banks = set()
    for path in (ROOT / "quizzes").glob("[0-9][0-9]-*.yml"):
        for q in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions", []):
            if isinstance(q, dict):
                in_banks.add(q.get("type"))
    assert kinds == in_banks - {None} and len(kinds) >= 5
