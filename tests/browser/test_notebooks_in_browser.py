"""Every notebook, run in JupyterLab in Chromium, the way a student uses it.

For each notebook in notebooks/ (one JupyterLab tab per notebook, opened with
``?reset``, Run > Run All Cells from the menu):

- no error or stderr output, no "Error displaying widget", every code cell ran;
- every ``show_quiz(...)`` call shows a live quiz and every diagram call a live
  diagram (counted with ``ast`` in the notebook's source);
- a screenshot of the whole notebook right after Run All goes to
  test-artifacts/screenshots/<slug>.png (every-diagram.png: the scratch notebook);
- quizzes: one question answered wrongly then rightly by clicking (✗ with no
  explanation, then ✓ and the explanation read from the page), then every question
  answered rightly (every question type, every label clickable, score line);
- diagrams: the slider moved with the keyboard changes the picture's pixels
  and the readout sentence (the first control, for a diagram without a slider);
- the served copy of the notebook is never saved.

Tests for one notebook share its tab (a module-scoped fixture parametrized per
notebook, so pytest runs them notebook by notebook).
"""
from __future__ import annotations

import re

import pytest

from browser_helpers import (DIAGRAM, EVERY_DIAGRAM, PLANS, QUIZ, SCREENSHOTS, VERDICT_RIGHT, VERDICT_WRONG,
                             check_and_read, give_answer, load_bank, norm, pick_question, right_answer,
                             wait_widgets_settled, words, wrong_answer)
from labdriver import NotebookPage

QUIZ_PLANS = [p for p in PLANS if p.quizzes]
# The lessons' diagrams, plus a scratch notebook showing every Diagram subclass in the package.
DIAGRAM_PLANS = [p for p in PLANS if p.diagrams] + [EVERY_DIAGRAM]

IMAGE_DIGEST_JS = """async (img) => {
  const data = await (await fetch(img.src)).arrayBuffer();
  const hash = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(hash)].map(x => x.toString(16).padStart(2, '0')).join('');
}"""


def ids(plans):
    return [p.slug for p in plans]


@pytest.fixture(scope="module")
def notebook(request, lab, browser_context, served):
    """The notebook open in its own tab after Run > Run All Cells."""
    plan = request.param
    nb = NotebookPage(browser_context, lab, plan.relpath).open()
    nb.plan = plan
    nb.run_seconds = nb.run_all()
    nb.wait_for_count(QUIZ, len(plan.quizzes))
    nb.wait_for_count(DIAGRAM, len(plan.diagrams))
    wait_widgets_settled(nb)
    nb.shot = nb.screenshot(SCREENSHOTS / f"{plan.slug}.png")  # before any test clicks anything
    yield nb
    nb.close()
    served.assert_never_saved(plan.relpath)


@pytest.mark.parametrize("notebook", PLANS, ids=ids(PLANS), indirect=True)
def test_run_all_shows_every_quiz_and_diagram_without_errors(notebook):
    plan, shot = notebook.plan, notebook.shot
    quizzes, diagrams = notebook.count(QUIZ), notebook.count(DIAGRAM)

    errors = notebook.errors()
    assert not errors, f"{plan.slug}: error output after Run All (screenshot {shot}):\n" + "\n".join(errors)
    not_run = notebook.unexecuted_cells()
    assert notebook.prompts() and not not_run, f"{plan.slug}: code cells that did not run: {not_run}"
    assert quizzes == len(plan.quizzes), (
        f"{plan.slug}: {len(plan.quizzes)} show_quiz calls but {quizzes} live quizzes (screenshot {shot})")
    assert diagrams == len(plan.diagrams), (
        f"{plan.slug}: diagram calls {plan.diagrams} but {diagrams} live diagrams (screenshot {shot})")
    fallbacks = notebook.count(".iliopsoas-static, .iliopsoas-error")
    assert fallbacks == 0, f"{plan.slug}: {fallbacks} static fallbacks or quiz errors shown instead of widgets"
    warnings = notebook.panel.locator(".iliopsoas-warning").all_inner_texts()
    assert not warnings, f"{plan.slug}: warnings shown: {warnings}"


@pytest.mark.parametrize("notebook", QUIZ_PLANS, ids=ids(QUIZ_PLANS), indirect=True)
def test_a_question_answered_wrongly_then_rightly(notebook, answer_log):
    slug, q = pick_question(notebook.plan.questions())
    page = notebook.page
    box = notebook.panel.locator(f"{QUIZ} .iliopsoas-q-{q['id']}").first
    box.scroll_into_view_if_needed()

    wrong = wrong_answer(q)
    give_answer(page, box, wrong)
    feedback, explanation = check_and_read(page, box)
    answer_log.setdefault((slug, q["id"]), False)  # right once stays right (iliopsoas/quiz/scoring.py)
    assert feedback.startswith(VERDICT_WRONG), f"{q['id']} ({q['type']}), wrong answer: {feedback!r}"
    if wrong.choice is not None and q["choices"][wrong.choice].get("feedback"):
        said = q["choices"][wrong.choice]["feedback"]
        assert words(said) <= words(feedback), f"{q['id']}: the chosen answer's feedback {said!r} is not in {feedback!r}"
    # retrieval before revelation: a wrong answer never shows the explanation (the answer)
    assert not box.locator(".iliopsoas-explanation").is_visible() and not explanation, (
        f"{q['id']}: the explanation is shown after a wrong answer: {explanation!r}")

    first = attempt_number(feedback)

    give_answer(page, box, right_answer(q))
    feedback, explanation = check_and_read(page, box)
    answer_log[(slug, q["id"])] = True
    assert feedback.startswith(VERDICT_RIGHT), f"{q['id']} ({q['type']}), right answer: {feedback!r}"
    assert attempt_number(feedback) == first + 1, feedback
    expected = words(q["explanation"])
    assert len(expected & words(explanation)) >= 0.8 * len(expected), (
        f"{q['id']}: explanation not shown after a right answer: {explanation!r}")
    assert box.locator(".iliopsoas-explanation").is_visible()


def attempt_number(feedback: str) -> int:
    match = re.search(r"\(attempt (\d+)", feedback)
    assert match, f"no attempt number in the feedback: {feedback!r}"
    return int(match.group(1))


@pytest.mark.parametrize("notebook", QUIZ_PLANS, ids=ids(QUIZ_PLANS), indirect=True)
def test_every_question_can_be_answered_rightly_by_clicking(notebook, answer_log):
    page, failures = notebook.page, []
    questions = notebook.plan.questions()
    for slug, q in questions:
        box = notebook.panel.locator(f"{QUIZ} .iliopsoas-q-{q['id']}").first
        box.scroll_into_view_if_needed()
        try:
            give_answer(page, box, right_answer(q))
        except Exception as exc:  # noqa: BLE001 - collect every question that cannot be answered
            failures.append(f"{q['id']} ({q['type']}): cannot answer: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        feedback, _ = check_and_read(page, box, new=False)
        if feedback.startswith(VERDICT_RIGHT):
            answer_log[(slug, q["id"])] = True
        else:
            failures.append(f"{q['id']} ({q['type']}): right answer got {feedback[:300]!r}")
    assert not failures, "\n".join(failures)

    for slug, _ids in notebook.plan.quizzes:  # score lines count this session's right answers
        right = sum(1 for (s, _), ok in answer_log.items() if s == slug and ok)
        total = len(load_bank(slug)["questions"])
        for text in notebook.panel.locator(f"{QUIZ} .iliopsoas-score").all_inner_texts():
            if norm(text):
                assert f"{right} / {total}" in text, (slug, text)


def moved_control(diagram):
    """The control the test moves: the slider's handle, else the first control."""
    handle = diagram.locator(".iliopsoas-slider .noUi-handle, .iliopsoas-slider input[type=range]")
    if handle.count():
        return "slider", handle.first
    control = diagram.locator(".iliopsoas-control").first
    for kind, sel in (("select", "select"), ("toggle", "button"), ("checkbox", "input[type=checkbox]"),
                      ("radio", "input[type=radio]")):
        inner = control.locator(sel)
        if inner.count():
            return kind, inner
    return "unknown", control


def press_keys(page, kind, target) -> str:
    """Change the control with the keyboard only; return what was done."""
    if kind == "slider":
        target.focus()
        before = target.get_attribute("aria-valuenow")
        for key in ("ArrowRight", "ArrowLeft"):
            for _ in range(4):
                page.keyboard.press(key)
            if target.get_attribute("aria-valuenow") != before:
                return f"{key} x4 on the slider ({before} -> {target.get_attribute('aria-valuenow')})"
        return "arrow keys did not move the slider"
    if kind == "select":
        # A closed <select> in headless Chromium on Linux does not step with the arrow keys; typing an
        # option's first letter (type-ahead) picks it on every platform.
        select = target.first
        select.focus()
        before = select.input_value()
        labels = select.evaluate("e => [...e.options].map(o => o.text.trim())")
        current = select.evaluate("e => e.selectedIndex")
        others = labels[current + 1:] + labels[:max(current, 0)]
        keys = [label[0].lower() for label in others if label]
        for key in keys:
            page.keyboard.press(key)
            if select.input_value() != before:
                return f"{key!r} on the menu ({before!r} -> {select.input_value()!r})"
            page.wait_for_timeout(1100)  # let the type-ahead buffer expire before the next letter
        return f"keys {keys} did not change the menu"
    if kind == "toggle":
        buttons = target
        for i in range(buttons.count()):
            if "mod-active" not in (buttons.nth(i).get_attribute("class") or ""):
                buttons.nth(i).focus()
                page.keyboard.press("Space")
                return f"Space on toggle button {i}"
        return "no other toggle button"
    target.first.focus()
    page.keyboard.press("Space")
    return f"Space on the {kind}"


@pytest.mark.parametrize("notebook", DIAGRAM_PLANS, ids=ids(DIAGRAM_PLANS), indirect=True)
def test_diagrams_follow_the_keyboard(notebook):
    page, plan, failures = notebook.page, notebook.plan, []
    assert not plan.problems, f"modules of the package that do not import: {plan.problems}"
    assert plan.diagrams, "the package defines no Diagram subclass"  # (only the scratch notebook can be empty)
    found = notebook.count(DIAGRAM)
    assert found == len(plan.diagrams), (
        f"{plan.slug}: {len(plan.diagrams)} diagrams expected, {found} live diagrams: {notebook.errors()}")
    before = notebook.errors()  # reported at the end, after trying every diagram that did render
    diagrams = notebook.panel.locator(DIAGRAM)
    for i, name in enumerate(plan.diagrams):
        diagram = diagrams.nth(i)
        diagram.scroll_into_view_if_needed()
        image = diagram.locator("img.iliopsoas-diagram-image, .iliopsoas-diagram-image img").first
        readout = diagram.locator(".iliopsoas-readout")
        if not image.count() or not readout.count():
            failures.append(f"{name} (#{i + 1}): no picture (.iliopsoas-diagram-image) or no readout shown")
            continue
        src, text = image.get_attribute("src"), norm(readout.inner_text())
        digest = image.evaluate(IMAGE_DIGEST_JS)
        kind, target = moved_control(diagram)
        done = press_keys(page, kind, target)
        try:
            page.wait_for_function(
                "([img, out, src, text]) => img.src !== src && out.innerText.replace(/\\s+/g, ' ').trim() !== text",
                arg=[image.element_handle(), readout.element_handle(), src, text], timeout=30_000, polling=100)
        except Exception:  # noqa: BLE001 - reported below
            pass
        new_text = norm(readout.inner_text())
        if image.get_attribute("src") == src or image.evaluate(IMAGE_DIGEST_JS) == digest:
            failures.append(f"{name} (#{i + 1}): the picture did not change after {done}")
        if new_text == text:
            failures.append(f"{name} (#{i + 1}): the readout did not change after {done}: {text!r}")
        if not new_text:
            failures.append(f"{name} (#{i + 1}): the readout is empty")
    after = [e for e in notebook.errors() if e not in before]
    problems = failures + [f"shown after Run All: {e}" for e in before] + [f"shown after the key presses: {e}" for e in after]
    assert not problems, f"{plan.slug}:\n" + "\n".join(problems)

