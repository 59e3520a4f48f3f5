"""Lesson 07's clinical cases, played by clicking in JupyterLab in Chromium.

In a laptop-sized window (1366×768) with the file browser open, after Run All:

- the runner's case is played to the end along a **wrong** path (a tight-psoas question, a confident wrong
  diagnosis, routine care for a same-day red flag) and shows the harm outcome and its scores; then **Start
  again**, and the **right** path reaches the good outcome with safe ✓, efficient ✓, diagnosis ✓;
- at every step the case (the patient line, the step's information and its decision, the Decide button)
  fits in about 600 px of height, so a student sees what they decide about and the button together;
- after Kernel > Restart Kernel…, a page reload and Run All, the case shows how it ended (the decisions
  were read back from the progress store), and Start again begins a fresh play-through.

Screenshots (for a person to look at): test-artifacts/screenshots/07-case-step-<step>.png and
07-case-outcome-<path>.png.
"""
from __future__ import annotations

import pytest

from browser_helpers import PLANS, SCREENSHOTS, norm
from labdriver import NotebookPage

LESSON = "07-clinical-cases"
PLAN = next((p for p in PLANS if p.slug == LESSON), None)
CASE = "runner-groin-pain"
LIVE = f".iliopsoas-case-{CASE}.jupyter-widgets"
FIT_PX = 620  # "about 600 px": the case must fit a 768-px-high laptop screen with JupyterLab's bars

WRONG = [("history", "Which stretches have you tried for the tight psoas?", None, "✗ Not the best choice"),
         ("answers", "Iliopsoas tendinopathy from the rise in mileage", "High", "✗ Not the best choice"),
         ("exam", "Routine: no red flag, usual care — Hip-flexor stretches and a slower build-up of mileage; "
                  "review in three weeks.", None, "✗ Not the best choice")]
RIGHT = [("history", "Is the pain getting worse run by run, and does it now hurt at rest or wake you at night?", None,
          "✓ Best choice"),
         ("answers", "A stress fracture of the femoral neck, until proven otherwise", "Moderate", "✓ Best choice"),
         ("exam", "Same day: see a doctor today — No running or hopping from now, crutches if walking hurts, "
                  "and a doctor today for an X-ray and, if it is normal, an MRI.", None, "✓ Best choice"),
         ("imaging", "An MRI of the hip now; no running, and crutches, until it is done", None, "✓ Best choice"),
         ("mri-result", "A prompt orthopaedic review; protected weight-bearing and no running; the side of the neck "
                        "it is on, and whether it displaces, decide the treatment", None, "✓ Best choice")]


def open_file_browser(nb) -> None:
    """Open JupyterLab's file browser in the left side panel (as a student usually has it)."""
    tab = nb.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']")
    if tab.count() and "lm-mod-current" not in (tab.first.get_attribute("class") or ""):
        tab.first.click()
    nb.page.wait_for_selector(".jp-FileBrowser", state="visible", timeout=20_000)


@pytest.fixture(scope="module")
def lesson(lab, browser_context, served):
    assert PLAN is not None, f"notebooks/{LESSON}.ipynb is missing"
    nb = NotebookPage(browser_context, lab, PLAN.relpath).open()
    nb.page.set_viewport_size({"width": 1366, "height": 768})
    open_file_browser(nb)
    nb.run_all()
    nb.wait_for_count(LIVE, 1)
    yield nb
    nb.close()
    served.assert_never_saved(PLAN.relpath)


def case_box(nb):
    box = nb.panel.locator(LIVE).first
    box.scroll_into_view_if_needed()
    return box


def wait_text(nb, locator, prefix: str, timeout: float = 30) -> str:
    """Wait until ``locator``'s text starts with ``prefix`` (a state, not a delay); return its text."""
    try:
        nb.page.wait_for_function(
            "([el, p]) => el && el.innerText.replace(/\\s+/g, ' ').trim().startsWith(p)",
            arg=[locator.element_handle(), prefix], timeout=timeout * 1000, polling=100)
    except Exception:  # noqa: BLE001 - the caller asserts on the text
        pass
    return norm(locator.inner_text())


def wait_step(nb, box, step: str, timeout: float = 30) -> None:
    nb.page.wait_for_function(
        "([box, cls]) => { const s = box.querySelector('.iliopsoas-case-step');"
        " return s && s.classList.contains(cls) && s.offsetParent !== null; }",
        arg=[box.element_handle(), f"iliopsoas-case-at-{step}"], timeout=timeout * 1000, polling=100)


def fits(nb, box) -> tuple[float, bool]:
    """(height of the case in CSS px, whether the Decide button is inside the viewport with the prompt)."""
    height = box.evaluate("e => e.getBoundingClientRect().height")
    box.locator(".iliopsoas-case-decide").scroll_into_view_if_needed()
    together = nb.page.evaluate("""(box) => {
        const r = el => el.getBoundingClientRect();
        const info = box.querySelector('.iliopsoas-case-info'), decide = box.querySelector('.iliopsoas-case-decide');
        return r(info).top >= 0 && r(decide).bottom <= window.innerHeight; }""", box.element_handle())
    return height, together


def decide(nb, box, step, label, confidence, verdict, heights):
    wait_step(nb, box, step)
    heights[step] = fits(nb, box)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=str(SCREENSHOTS / f"07-case-step-{step}.png"))
    box.get_by_role("radio", name=label, exact=True).click()
    if confidence:
        box.locator(".iliopsoas-case-confidence button", has_text=confidence).click()
    box.locator(".iliopsoas-case-decide").click()
    said = wait_text(nb, box.locator(".iliopsoas-case-feedback"), verdict)
    assert said.startswith(verdict), f"{step}: chose {label!r}, feedback {said[:200]!r}"
    box.locator(".iliopsoas-case-continue").click()


def test_a_case_played_wrongly_then_rightly_by_clicking(lesson):
    nb = lesson
    errors = nb.errors()
    assert not errors, "\n".join(errors)
    box = case_box(nb)
    heights: dict = {}
    for step, label, confidence, verdict in WRONG:
        decide(nb, box, step, label, confidence, verdict, heights)
    outcome = box.locator(".iliopsoas-case-outcome")
    text = wait_text(nb, outcome, "Outcome: The fracture displaces")
    assert "✗ The patient came to harm" in text, text
    assert "safe ✗, efficient ✓, diagnosis ✗ (1 of 3)" in text, text
    assert "The reasoning." in text
    box.screenshot(path=str(SCREENSHOTS / "07-case-outcome-wrong-path.png"))

    box.locator(".iliopsoas-case-restart").click()
    wait_step(nb, box, "history")
    assert "A new play-through has started" in norm(box.locator(".iliopsoas-case-note").inner_text())
    for step, label, confidence, verdict in RIGHT:
        decide(nb, box, step, label, confidence, verdict, heights)
    text = wait_text(nb, outcome, "Outcome: Protected in time")
    assert "✓ A good outcome" in text and "safe ✓, efficient ✓, diagnosis ✓ (3 of 3)" in text, text
    box.screenshot(path=str(SCREENSHOTS / "07-case-outcome-right-path.png"))
    too_tall = {s: round(h) for s, (h, _t) in heights.items() if h > FIT_PX}
    apart = [s for s, (_h, together) in heights.items() if not together]
    assert not too_tall, f"case taller than {FIT_PX} px at 1366×768 with the file browser open: {too_tall}"
    assert not apart, f"the step's information and the Decide button are not on screen together at: {apart}"


def test_the_case_survives_a_kernel_restart(lesson):
    nb = lesson
    nb.restart_kernel()
    nb.reload()
    nb.page.set_viewport_size({"width": 1366, "height": 768})
    nb.run_all()
    assert nb.wait_for_count(LIVE, 1) == 1
    box = case_box(nb)
    outcome = box.locator(".iliopsoas-case-outcome")
    text = wait_text(nb, outcome, "Outcome: Protected in time")
    assert text.startswith("Outcome: Protected in time"), text
    note = norm(box.locator(".iliopsoas-case-note").inner_text())
    assert "You finished this case earlier" in note, note
    box.locator(".iliopsoas-case-restart").click()
    wait_step(nb, box, "history")
    assert box.locator(".iliopsoas-case-decide").is_visible()
    errors = nb.errors()
    assert not errors, "\n".join(errors)
