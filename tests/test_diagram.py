"""The shared interactive-diagram machinery: blitting, controls, readout, static version."""
from __future__ import annotations

import numpy as np
import pytest

from iliopsoas.figures.base import Diagram


class Wave(Diagram):
    name = "wave"
    title = "A test wave"
    caption = "Test caption (no sources)."
    figsize = (4, 3)

    def build(self, fig):
        self.ax = fig.add_subplot()
        self.x = np.linspace(0, 1, 50)
        (self.line,) = self.ax.plot(self.x, self.x * 0)
        self.background_text = self.ax.text(0.5, 0.5, "still", visible=True)
        self.ax.set_xlim(0, 1)
        self.ax.set_ylim(-1, 1)
        self.animated = [self.line]

    def make_controls(self):
        import ipywidgets as w
        return {"k": w.IntSlider(value=1, min=0, max=10, description="k"),
                "note": w.Checkbox(value=True, description="note")}

    def update(self, state):
        self.line.set_ydata(np.sin(self.x * state["k"]))
        if self.background_text.get_visible() != state["note"]:
            self.background_text.set_visible(state["note"])
            return True
        return None

    def readout(self, state):
        return f"k is {state['k']}."

    def alt(self, state):
        return f"A sine wave with k = {state['k']}."


def test_slider_change_redraws_picture_and_readout():
    d = Wave()
    widget = d.widget
    before = d._image.value
    d.controls["k"].value = 5          # what a student's slider move does
    assert d._image.value != before
    assert "k is 5." in d._readout.value
    assert not d._image.tooltip, "a tooltip stops ImageView rendering in JupyterLab (ipywidgets 8)"
    assert d.updates == 1
    assert "iliopsoas-diagram" in widget._dom_classes
    assert "iliopsoas-slider" in d.controls["k"]._dom_classes
    assert "iliopsoas-slider" not in d.controls["note"]._dom_classes


def test_blitted_picture_equals_a_full_redraw():
    d = Wave()
    d.set(k=7)
    fresh = Wave(k=7)
    assert d.png == fresh.png


def test_a_change_outside_the_animated_artists_redraws_the_background():
    d = Wave()
    with_note = d.set(k=3)
    without = d.set(note=False)
    assert with_note != without
    assert without == Wave(k=3, note=False).png


def test_naive_version_draws_the_same_state_without_touching_the_live_figure():
    d = Wave(k=4)
    png = d.naive_png({"k": 4, "note": True})
    assert png.startswith(b"\x89PNG")
    assert d.figure.axes and d.animated == [d.line]


def test_unknown_initial_control_is_a_clear_error():
    with pytest.raises(TypeError, match="has no control 'q'"):
        Wave(q=1)


def test_static_version_has_alt_text_readout_and_caption():
    d = Wave(k=2)
    bundle = d.show()._repr_mimebundle_()
    html = bundle["text/html"]
    assert 'alt="A sine wave with k = 2."' in html
    assert "k is 2." in html and "Test caption" in html
    assert "Wave" not in bundle["text/plain"] and "k is 2." in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_sweep_moves_the_first_slider_across_its_whole_range():
    states = Wave().sweep_states(50)
    assert len(states) == 50
    assert states[0]["k"] == 0 and states[-1]["k"] == 10
    assert all(s["note"] is True for s in states)
