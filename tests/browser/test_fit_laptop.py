"""Every diagram and every quiz question fits a laptop screen, in JupyterLab in Chromium.

The window is 1366×768 (the commonest laptop screen) with JupyterLab's file browser open, as a
student first sees it.  For every notebook (the lessons, and a scratch notebook showing every
Diagram subclass of the package) after Run All:

- every diagram is scrolled to the top of the notebook and its controls, its picture and its
  readout must all be inside the notebook's visible area at once, take at most FIT_PX of height
  together, and the controls sit above or beside the picture (not under it);
- every label question: its numbered picture, its menus, its Check button and, after a Check,
  its verdict, all inside the visible area at once and within FIT_PX;
- every quiz question is at most FIT_PX tall before it is answered;
- every clinical case, walked to its end (the first choice at each step, the next
  one when a choice leads back to a step): at each step its
  information, its picture, its decision (choices, confidence or order menus) and its Decide (or
  Continue) button are inside the visible area at once and within FIT_PX.

A screenshot of the window at each of those moments goes to test-artifacts/laptop/ for a person
to look at.  The test has its own JupyterLab server (fresh progress store), so its Checks do not
change what the other browser tests count.
"""
from __future__ import annotations

import re

import pytest

from browser_helpers import (DIAGRAM, EVERY_DIAGRAM, LIVE, PLANS, QUIZ, ROOT, check_and_read, give_answer,
                             own_lab_server, right_answer, wait_widgets_settled)
from labdriver import NotebookPage

WINDOW = (1366, 768)
FIT_PX = 600                      # controls + picture + readout, together
LAPTOP_SHOTS = ROOT / "test-artifacts" / "laptop"
LAPTOP_PLANS = [p for p in PLANS if p.diagrams or p.cases or any(q["type"] == "label" for _, q in p.questions())] \
    + [EVERY_DIAGRAM]
QUESTION_PLANS = [p for p in PLANS if p.quizzes]
CASE_PLANS = [p for p in PLANS if p.cases]
MAX_CASE_STEPS = 15               # a walk longer than this is a case that never ends

BOXES_JS = """(els) => els.filter(e => e.offsetParent !== null).map(e => {
  const r = e.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, width: r.width};
})"""
VIEW_JS = """() => {
  const s = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
                    .getBoundingClientRect();
  return {top: s.top, bottom: Math.min(s.bottom, window.innerHeight), left: s.left,
          right: Math.min(s.right, window.innerWidth)};
}"""
IMAGES_READY_JS = """(els) => els.every(e => e.complete && e.naturalWidth > 0)"""


@pytest.fixture(scope="module")
def laptop_lab(chromium, served, tmp_path_factory):
    """A JupyterLab server of its own (fresh progress store) for the laptop checks."""
    yield from own_lab_server(served, tmp_path_factory, "laptop-lab-state")


@pytest.fixture(scope="module")
def laptop(request, laptop_lab, browser_context, served):
    """One notebook after Run All in a 1366×768 window with the file browser open."""
    plan = request.param
    nb = NotebookPage(browser_context, laptop_lab, plan.relpath)
    nb.page = browser_context.new_page()
    nb.page.set_viewport_size({"width": WINDOW[0], "height": WINDOW[1]})
    nb.page.on("dialog", lambda d: d.accept())
    nb.page.goto(laptop_lab.url(f"lab/tree/{plan.relpath}", reset=""))
    nb.wait_until_ready()
    open_file_browser(nb.page)
    nb.run_all()
    nb.wait_for_count(DIAGRAM, len(plan.diagrams))
    nb.wait_for_count(QUIZ, len(plan.quizzes))
    wait_widgets_settled(nb)
    nb.plan = plan
    # every question's height before anything is answered.  The server's progress store is shared by
    # the session's tests, so a question answered by an earlier test comes back with that answer,
    # its feedback and explanation (pick up where you left off): Try again gives the blank question.
    nb.question_heights = {}
    for _, q in plan.questions():
        box = nb.panel.locator(f"{QUIZ} .iliopsoas-q-{q['id']}").first
        again = box.locator(".iliopsoas-try-again:visible")
        if box.count() and again.count():
            again.first.click()
            nb.page.wait_for_function("(b) => !b.querySelector('.iliopsoas-try-again') || "
                                      "b.querySelector('.iliopsoas-try-again').offsetParent === null",
                                      arg=box.element_handle(), timeout=60_000, polling=100)
        nb.question_heights[q["id"]] = boxes(box)
    yield nb
    nb.close()
    served.assert_never_saved(plan.relpath)


def open_file_browser(page) -> None:
    """The left side panel shows the file browser (as in a fresh JupyterLab), whatever the workspace said."""
    browser = page.locator(".jp-FileBrowser").first
    if not browser.is_visible():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").first.click()
    page.wait_for_function("() => { const f = document.querySelector('.jp-FileBrowser');"
                           " return f && f.getBoundingClientRect().width > 150; }", timeout=20_000)


def boxes(locator) -> list[dict]:
    return locator.evaluate_all(BOXES_JS)


def scroll_to_top(element) -> None:
    """Scroll the notebook so that ``element`` starts at the top of its visible area."""
    element.evaluate("e => e.scrollIntoView({block: 'start', inline: 'nearest'})")
    element.page.wait_for_function(
        """([e, view]) => Math.abs(e.getBoundingClientRect().top - view) < 40 ||
                          e.closest('.jp-WindowedPanel-outer').scrollTop + e.closest('.jp-WindowedPanel-outer')
                          .clientHeight >= e.closest('.jp-WindowedPanel-outer').scrollHeight - 2""",
        arg=[element.element_handle(), element.page.evaluate(VIEW_JS)["top"]], timeout=10_000, polling=50)


def fit_problems(what: str, view: dict, parts: dict[str, list[dict]]) -> list[str]:
    """Why the ``parts`` ({name: boxes}) are not all in view together within FIT_PX."""
    problems = []
    every = [b for found in parts.values() for b in found]
    for name, found in parts.items():
        if not found:
            problems.append(f"{what}: no {name} shown")
        for b in found:
            if b["top"] < view["top"] - 1 or b["bottom"] > view["bottom"] + 1 or b["left"] < view["left"] - 1 \
                    or b["right"] > view["right"] + 1:
                problems.append(f"{what}: its {name} is not in view with the rest "
                                f"(box top {b['top']:.0f}, bottom {b['bottom']:.0f}, left {b['left']:.0f}, "
                                f"right {b['right']:.0f}; visible area {view['top']:.0f}–{view['bottom']:.0f} "
                                f"× {view['left']:.0f}–{view['right']:.0f})")
    if every:
        span = max(b["bottom"] for b in every) - min(b["top"] for b in every)
        if span > FIT_PX:
            problems.append(f"{what}: {', '.join(parts)} take {span:.0f} px of height together (at most {FIT_PX})")
    return problems


def shot(page, name: str) -> None:
    LAPTOP_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(LAPTOP_SHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"))


def ids(plans):
    return [p.slug for p in plans]


@pytest.mark.parametrize("laptop", LAPTOP_PLANS, ids=ids(LAPTOP_PLANS), indirect=True)
def test_diagrams_and_label_questions_fit_a_laptop_screen(laptop):
    nb, plan, problems = laptop, laptop.plan, []
    assert nb.page.viewport_size == {"width": WINDOW[0], "height": WINDOW[1]}
    assert nb.page.locator(".jp-FileBrowser").first.is_visible(), "the file browser must be open"
    view = nb.page.evaluate(VIEW_JS)
    diagrams = nb.panel.locator(DIAGRAM)
    assert diagrams.count() == len(plan.diagrams), (
        f"{plan.slug}: {len(plan.diagrams)} diagrams expected, {diagrams.count()} shown: {nb.errors()}")
    for i, name in enumerate(plan.diagrams):
        diagram = diagrams.nth(i)
        scroll_to_top(diagram)
        what = f"{plan.slug}: diagram {name.rsplit('.', 1)[-1]} (#{i + 1})"
        controls = boxes(diagram.locator(".iliopsoas-control"))
        picture = boxes(diagram.locator("img.iliopsoas-diagram-image, .iliopsoas-diagram-image img"))
        readout = boxes(diagram.locator(".iliopsoas-readout"))
        problems += fit_problems(what, view, {"controls": controls, "picture": picture, "readout": readout})
        for c in controls:
            for p in picture:
                above = c["bottom"] <= p["top"] + 2
                beside = c["left"] >= p["right"] - 2 or c["right"] <= p["left"] + 2
                if not (above or beside):
                    problems.append(f"{what}: a control is under the picture, not above or beside it")
        shot(nb.page, f"{plan.slug}--{i + 1}-{name.rsplit('.', 1)[-1]}")
    for slug, q in plan.questions():
        if q["type"] != "label":
            continue
        box = nb.panel.locator(f"{QUIZ} .iliopsoas-q-{q['id']}").first
        scroll_to_top(box)
        what = f"{plan.slug}: label question {q['id']}"
        give_answer(nb.page, box, right_answer(q))
        feedback, _ = check_and_read(nb.page, box)
        verdict = box.locator(".iliopsoas-feedback .iliopsoas-verdict, .iliopsoas-feedback p").first
        parts = {"picture": boxes(box.locator(".iliopsoas-label-figure img, img.iliopsoas-label-figure")),
                 "menus": boxes(box.locator("select")), "Check button": boxes(box.locator(".iliopsoas-check")),
                 "verdict": boxes(verdict) if feedback else []}
        problems += fit_problems(what, view, parts)
        shot(nb.page, f"{plan.slug}--{q['id']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("laptop", QUESTION_PLANS, ids=ids(QUESTION_PLANS), indirect=True)
def test_every_question_fits_a_laptop_screen(laptop):
    nb, plan, problems = laptop, laptop.plan, []
    for slug, q in plan.questions():
        found = nb.question_heights[q["id"]]
        if not found:
            problems.append(f"{q['id']}: not shown")
        elif found[0]["height"] > FIT_PX:
            problems.append(f"{q['id']} ({q['type']}): {found[0]['height']:.0f} px tall before it is answered "
                            f"(at most {FIT_PX})")
    assert not problems, f"{plan.slug}:\n" + "\n".join(problems)


CASE_STATE_JS = """(box) => {
  const step = box.querySelector('.iliopsoas-case-step'), out = box.querySelector('.iliopsoas-case-outcome');
  if (out && out.offsetParent !== null && out.innerText.trim()) return 'outcome';
  if (!step || step.offsetParent === null) return '';
  const at = [...step.classList].find(c => c.startsWith('iliopsoas-case-at-'));
  return at ? at.slice('iliopsoas-case-at-'.length) : '';
}"""


SIGNATURE_JS = """(box) => {
  const out = box.querySelector('.iliopsoas-case-outcome'), info = box.querySelector('.iliopsoas-case-info');
  if (out && out.offsetParent !== null && out.innerText.trim()) return 'outcome';
  const step = box.querySelector('.iliopsoas-case-step');
  if (!step || step.offsetParent === null || !info) return '';
  const head = info.querySelector('h4');   // 'Step N · title': N grows with every step shown
  return (head ? head.innerText : '') + '|' + [...step.classList].join(' ');
}"""


def case_signature(box) -> str:
    return box.evaluate(SIGNATURE_JS)


def case_state(box, before: str | None = None, timeout: float = 120) -> str:
    """The step the case shows ('outcome' at its end), once it shows something other than ``before``
    (a step's heading carries its number, so a step a choice leads back to is new too)."""
    box.page.wait_for_function(f"([box, before]) => {{ const s = ({SIGNATURE_JS})(box); "
                               f"return s !== '' && s !== before; }}",
                               arg=[box.element_handle(), before], timeout=timeout * 1000, polling=100)
    return box.evaluate(CASE_STATE_JS)


def choose(box, visit: int) -> None:
    """Make the step's decision as a student would: option ``visit`` (the next one on each return to a
    step), the first confidence, the order as listed."""
    radios = box.locator(".iliopsoas-case-choices input[type=radio]")
    if radios.count() and box.locator(".iliopsoas-case-choices").first.is_visible():
        radios.nth(visit % radios.count()).check()
    confidence = box.locator(".iliopsoas-case-confidence button")
    if confidence.count() and box.locator(".iliopsoas-case-confidence").first.is_visible():
        confidence.first.click()
    menus = box.locator(".iliopsoas-case-order select")
    shown = menus.count() and box.locator(".iliopsoas-case-order").first.is_visible()
    for i in range(menus.count() if shown else 0):   # option 0 is 'Choose…'; menu i takes the i-th item
        menus.nth(i).select_option(index=i + 1)


@pytest.mark.parametrize("laptop", CASE_PLANS, ids=ids(CASE_PLANS), indirect=True)
def test_clinical_cases_fit_a_laptop_screen(laptop):
    nb, plan, problems = laptop, laptop.plan, []
    view = nb.page.evaluate(VIEW_JS)
    for case in plan.cases:
        box = nb.panel.locator(f".iliopsoas-case-{case}{LIVE}").first
        assert box.count(), f"{plan.slug}: case {case} not shown: {nb.errors()}"
        state, steps, visits = case_state(box), 0, {}
        if state == "outcome":       # an earlier play-through (this server's store is fresh, so not expected)
            before = case_signature(box)
            box.locator(".iliopsoas-case-restart").click()
            state = case_state(box, before)
        while state != "outcome":
            visits[state] = visits.get(state, -1) + 1
            steps += 1
            assert steps <= MAX_CASE_STEPS, f"{plan.slug}: case {case} did not end after {MAX_CASE_STEPS} steps"
            step = box.locator(".iliopsoas-case-step").first
            scroll_to_top(step)
            what = f"{plan.slug}: case {case}, step {state}"
            decide = box.locator(".iliopsoas-case-decide")
            deciding = decide.first.is_visible()
            parts = {"information": boxes(box.locator(".iliopsoas-case-info")),
                     "button": boxes(decide if deciding else box.locator(".iliopsoas-case-continue"))}
            figure = boxes(box.locator(".iliopsoas-case-figure img"))
            if figure:
                parts["picture"] = figure
            if deciding:
                parts["decision"] = (boxes(box.locator(".iliopsoas-case-prompt"))
                                     + boxes(box.locator(".iliopsoas-case-choices, .iliopsoas-case-confidence, "
                                                         ".iliopsoas-case-order")))
            problems += fit_problems(what, view, parts)
            shot(nb.page, f"{plan.slug}--case-{case}-{steps}-{state}")
            if deciding:
                choose(box, visits[state])
                decide.first.click()
                nb.page.wait_for_function("(e) => e.innerText.trim().length > 0",
                                          arg=box.locator(".iliopsoas-case-feedback").element_handle(),
                                          timeout=120_000, polling=100)
            before = case_signature(box)
            if before == "outcome":      # the decision ended the case: no Continue
                state = "outcome"
                continue
            go_on = box.locator(".iliopsoas-case-continue").first
            assert go_on.is_visible(), (f"{what}: no Continue after the decision; the case says: "
                                        f"{box.locator('.iliopsoas-case-feedback').first.inner_text()[:300]}")
            go_on.click()
            state = case_state(box, before)
        scroll_to_top(box.locator(".iliopsoas-case-outcome").first)
        shot(nb.page, f"{plan.slug}--case-{case}-outcome")
    assert not problems, "\n".join(problems)
