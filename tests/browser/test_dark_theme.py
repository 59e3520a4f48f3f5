"""The course reads well in JupyterLab's dark theme, in a real browser.

A second JupyterLab server with the theme set to "JupyterLab Dark" runs a
lesson and the start notebook.  For the course's own text (quiz prompts,
choices, feedback, score lines, diagram readouts and captions, the progress
table) the test measures the WCAG contrast between the text colour and the
background it is drawn on, and requires at least 4.5:1 (WCAG AA for body
text).  Figures are PNGs with an opaque white background, so they read the
same in both themes; the test checks that they are there and not blank.
Screenshots: test-artifacts/screenshots/<slug>-dark.png.
"""
from __future__ import annotations

import re

import pytest

from browser_helpers import SCREENSHOTS, own_lab_server, wait_kernel_idle, wait_widgets_settled
from labdriver import LAB_SETTINGS, NotebookPage

DARK = {**LAB_SETTINGS, "@jupyterlab/apputils-extension/themes": {"theme": "JupyterLab Dark"}}

# Text elements of the course's widgets, and the minimum number of each a notebook must show.
TEXT_SELECTORS = {
    "00-start-here": [".iliopsoas-progress td", ".iliopsoas-progress th", ".iliopsoas-prompt p",
                      ".iliopsoas-question label", ".iliopsoas-score", ".iliopsoas-feedback"],
    "01-anatomy": [".iliopsoas-prompt p", ".iliopsoas-question label", ".iliopsoas-score",
                   ".iliopsoas-readout p", ".iliopsoas-diagram p em", ".iliopsoas-feedback"],
    "04-diagnosis": [".iliopsoas-prompt p", ".iliopsoas-question label", ".iliopsoas-score",
                     ".iliopsoas-readout p", ".iliopsoas-diagram p em", ".iliopsoas-feedback",
                     ".iliopsoas-reasoning", ".iliopsoas-diagram .widget-checkbox label"],
    "03-conditions": [".iliopsoas-prompt p", ".iliopsoas-question label", ".iliopsoas-score",
                      ".iliopsoas-readout p", ".iliopsoas-readout td", ".iliopsoas-readout th",
                      ".iliopsoas-diagram p em", ".iliopsoas-feedback"],
    "05-treatment": [".iliopsoas-prompt p", ".iliopsoas-question label", ".iliopsoas-score",
                     ".iliopsoas-readout p", ".iliopsoas-diagram p em", ".iliopsoas-feedback",
                     ".iliopsoas-evidence-table td", ".iliopsoas-evidence-readout p"],
    "06-prevention": [".iliopsoas-prompt p", ".iliopsoas-question label", ".iliopsoas-score",
                      ".iliopsoas-readout p", ".iliopsoas-diagram p em", ".iliopsoas-feedback"],
    # lesson 07: the clinical cases (step text, decision prompt, option labels, notes) besides its quizzes
    "07-clinical-cases": [".iliopsoas-case-header h3", ".iliopsoas-case-info p", ".iliopsoas-case-prompt p",
                          ".iliopsoas-case .widget-radio-box label",
                          ".iliopsoas-prompt p", ".iliopsoas-question label", ".iliopsoas-score",
                          ".iliopsoas-readout p"],
}

CONTRAST_JS = """(els) => {
  function rgba(s) {
    const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
    const p = m[1].split(',').map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function lum(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] >= 0.5) return c;
    }
    return rgba(getComputedStyle(document.body).backgroundColor);
  }
  return els.filter(e => e.offsetParent !== null && e.innerText.trim()).map(e => {
    const fg = rgba(getComputedStyle(e).color), bg = background(e);
    const a = lum(fg), b = lum(bg);
    return {text: e.innerText.trim().slice(0, 60), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
            fg: getComputedStyle(e).color, bg: 'rgb(' + bg.slice(0, 3).join(',') + ')'};
  });
}"""


@pytest.fixture(scope="module")
def dark_lab(chromium, served, tmp_path_factory):
    yield from own_lab_server(served, tmp_path_factory, "dark-lab-state", settings=DARK)


@pytest.mark.parametrize("slug", sorted(TEXT_SELECTORS))
def test_course_text_has_enough_contrast_in_the_dark_theme(slug, dark_lab, browser_context, served):
    relpath = f"notebooks/{slug}.ipynb"
    nb = NotebookPage(browser_context, dark_lab, relpath).open()
    try:
        nb.run_all()
        wait_widgets_settled(nb)
        assert nb.page.evaluate("document.body.dataset.jpThemeLight") == "false", "the dark theme is active"
        assert not nb.errors()
        # give every quiz some feedback to read: Check with nothing chosen asks for an answer
        checked = nb.panel.locator(".iliopsoas-question.jupyter-widgets").all()[:2]
        for question in checked:
            question.locator(".iliopsoas-check").click()
        for question in checked:   # until the feedback is there (a state, however slow the machine)
            question.locator(".iliopsoas-feedback").filter(has_text=re.compile(r"\S")).wait_for()
        wait_kernel_idle(nb.page)
        nb.screenshot(SCREENSHOTS / f"{slug}-dark.png")
        low = []
        for selector in TEXT_SELECTORS[slug]:
            found = nb.panel.locator(selector).evaluate_all(CONTRAST_JS)
            assert found, f"{slug}: no visible {selector!r} to measure"
            low += [dict(r, selector=selector) for r in found if r["ratio"] < 4.5]
        assert not low, f"{slug}: text below 4.5:1 contrast in the dark theme: {low[:5]}"
        images = nb.panel.locator(".iliopsoas-diagram-image, .iliopsoas-figure img").evaluate_all(
            "els => els.map(e => [e.naturalWidth, e.naturalHeight])")
        if slug != "00-start-here":  # the start notebook has no figures
            assert images and all(w > 100 and h > 100 for w, h in images), images
    finally:
        nb.close()
        served.assert_never_saved(relpath)
