"""A slider step shows its picture from the browser's cache, without waiting for the kernel.

Every diagram with a slider is shown in one notebook, in JupyterLab in Chromium.  After Run All
the kernel has sent each view the pictures one step either side (iliopsoas/figures/frame_cache.py).
Then a cell keeps the kernel busy for a while, and one key press on each slider must change the
picture (its pixels and its alt text) within a second, while the readout, which only the kernel
writes, still describes the old state: the picture came from the browser.  When the kernel is
free again it answers every key press; its picture must be the one already shown (the browser
computed the same state key as the kernel), and the readout catches up.

Before the cache, the picture could only change after the busy cell ended, and this test failed.
"""
from __future__ import annotations

import nbformat
import pytest

from browser_helpers import SCREENSHOTS, norm, wait_kernel_idle
from labdriver import NotebookPage, diagram_classes

RELPATH = "scratch/frame-cache.ipynb"
BUSY_SECONDS = 40
DIGEST_JS = """async (img) => {
  const data = await (await fetch(img.src)).arrayBuffer();
  const hash = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(hash)].map(x => x.toString(16).padStart(2, '0')).join('');
}"""


def slider_diagrams():
    """(class, key, initial control values) of every diagram whose first slider, one step from where
    it starts, changes the picture; the key (ArrowRight or ArrowLeft) makes that step.  A diagram
    whose step moves another control (``Diagram.settle``: the Thomas simulator's first severity step
    picks iliopsoas) starts where it settles, since the browser cannot foresee that move."""
    from iliopsoas.figures.base import SLIDER_TYPES

    classes, failures = diagram_classes()
    assert not failures, failures
    found = []
    for cls in classes:
        d = cls()
        sliders = [n for n, c in d.controls.items() if type(c).__name__ in SLIDER_TYPES]
        if not sliders:
            continue
        control = d.controls[sliders[0]]
        up = control.value + control.step <= control.max
        target = control.value + (control.step if up else -control.step)
        start = d.state()
        settled = d.settle({**start, sliders[0]: target})
        initial = {n: v for n, v in settled.items() if n != sliders[0] and v != start[n]}
        if initial:
            d = cls(**initial)
        before = d.png
        d.set(**{sliders[0]: target})
        if d.png != before:
            found.append((cls, "ArrowRight" if up else "ArrowLeft", initial))
    return found


@pytest.mark.browser
def test_a_slider_step_shows_a_cached_picture_while_the_kernel_is_busy(lab, browser_context, served):
    diagrams = slider_diagrams()
    assert len(diagrams) >= 5, f"only {len(diagrams)} diagrams have a slider whose step changes the picture"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cls, _, initial in diagrams:
        arguments = ", ".join(f"{n}={v!r}" for n, v in initial.items())
        nb.cells.append(nbformat.v4.new_code_cell(f"from {cls.__module__} import {cls.__name__}\n"
                                                  f"{cls.__name__}({arguments}).show()"))
    nb.cells.append(nbformat.v4.new_code_cell(f"import time\ntime.sleep({BUSY_SECONDS})"))
    path = served.root / RELPATH
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)

    page = NotebookPage(browser_context, lab, RELPATH).open()
    try:
        # Run all but the busy cell, then let the kernel send the neighbouring pictures.
        cells = page.panel.locator(".jp-CodeCell")
        cells.nth(len(diagrams)).locator(".jp-InputArea-editor").click()
        page.menu("Run", "Run All Above Selected Cell")
        page.wait_idle(600)
        page.wait_for_count(".iliopsoas-diagram.jupyter-widgets", len(diagrams))
        wait_kernel_idle(page.page)
        page.page.wait_for_timeout(3000)   # the pictures ahead are drawn between kernel messages
        boxes = page.panel.locator(".iliopsoas-diagram.jupyter-widgets")
        before = []
        for i in range(len(diagrams)):
            box = boxes.nth(i)
            img = box.locator("img.iliopsoas-diagram-image").first
            before.append((img.evaluate(DIGEST_JS), img.get_attribute("alt"),
                           norm(box.locator(".iliopsoas-readout").inner_text())))

        # Keep the kernel busy, then press a key on each slider.
        cells.nth(len(diagrams)).locator(".jp-InputArea-editor").click()
        page.page.keyboard.press("Shift+Enter")
        page.page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('*'))", timeout=30_000)
        failures, shown = [], []
        for i, (cls, key, _) in enumerate(diagrams):
            box = boxes.nth(i)
            box.scroll_into_view_if_needed()
            img = box.locator("img.iliopsoas-diagram-image").first
            src = img.get_attribute("src")
            box.locator(".noUi-handle").first.focus()
            page.page.keyboard.press(key)
            try:
                page.page.wait_for_function("([img, src]) => img.src !== src && img.complete",
                                            arg=[img.element_handle(), src], timeout=1000, polling=20)
            except Exception:  # noqa: BLE001 - reported below
                failures.append(f"{cls.__name__}: no new picture within 1 s of {key} while the kernel was busy")
                shown.append(None)
                continue
            digest, alt, readout = img.evaluate(DIGEST_JS), img.get_attribute("alt"), \
                norm(box.locator(".iliopsoas-readout").inner_text())
            if digest == before[i][0]:
                failures.append(f"{cls.__name__}: the picture's pixels did not change")
            if alt == before[i][1]:
                failures.append(f"{cls.__name__}: the alt text still describes the old state: {alt!r}")
            if readout != before[i][2]:
                failures.append(f"{cls.__name__}: the readout changed while the kernel was busy "
                                "(the picture may not have come from the browser's cache)")
            shown.append((img.get_attribute("src"), digest))
        busy = page.page.evaluate(
            "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('*'))")
        assert busy, f"the busy cell ended before every key press was tried (raise BUSY_SECONDS): {failures}"
        page.screenshot(SCREENSHOTS / "frame-cache-busy-kernel.png")

        # The kernel, free again, answers: same picture (no second swap), readout caught up.
        page.wait_idle(BUSY_SECONDS + 300)
        wait_kernel_idle(page.page)
        for i, (cls, _, _) in enumerate(diagrams):
            if shown[i] is None:
                continue
            box = boxes.nth(i)
            try:
                page.page.wait_for_function(
                    "([out, text]) => out.innerText.replace(/\\s+/g, ' ').trim() !== text",
                    arg=[box.locator(".iliopsoas-readout").element_handle(), before[i][2]], timeout=30_000)
            except Exception:  # noqa: BLE001 - reported below
                failures.append(f"{cls.__name__}: the readout did not catch up after the kernel was free")
            img = box.locator("img.iliopsoas-diagram-image").first
            if img.get_attribute("src") != shown[i][0] or img.evaluate(DIGEST_JS) != shown[i][1]:
                failures.append(f"{cls.__name__}: the kernel's picture differs from the cached one "
                                "(the browser and the kernel filed the state under different keys)")
        assert not failures, "\n".join(failures)
    finally:
        page.close()
