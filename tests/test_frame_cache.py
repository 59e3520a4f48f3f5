"""The browser-side picture cache of every diagram (iliopsoas/figures/frame_cache.py).

A picture drawn ahead of time must be exactly the picture the kernel draws when the student
gets there, and the browser must file it under the key it computes from its own widget models.
The browser half (a key press swaps a cached picture in with the kernel busy) is checked in
tests/browser/test_frame_cache_in_browser.py.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import ipywidgets as w
import pytest

from iliopsoas.figures import base, frame_cache
from iliopsoas.figures.base import SLIDER_TYPES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import labdriver  # noqa: E402

CLASSES, FAILURES = labdriver.diagram_classes()


def test_every_figure_module_imports():
    assert not FAILURES


VALUES = [0, 1, -1, 10, 10.0, 100, 0.5, 0.1 + 0.2, 12.5, -0.0, -1e-9, 1e-7, 3.141592653589793, 120, 1e6,
          True, False, None, [1, 2.5], "a b"]


def test_python_and_browser_format_control_values_the_same_way():
    """format_value (Python) and fmt (the view's JavaScript, run in node) give the same text."""
    node = shutil.which("node")
    assert node, "node is needed (python3 course.py test installs it with npm)"
    source = re.search(r"const fmt = .*?\n};\n", frame_cache._ESM, re.S).group(0)
    script = source + f"console.log(JSON.stringify({json.dumps(VALUES)}.map(fmt)));"
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=60).stdout
    assert json.loads(out) == [frame_cache.format_value(v) for v in VALUES]
    assert frame_cache.format_value(10.0) == frame_cache.format_value(10) == "10"
    assert frame_cache.format_value(0.1 + 0.2) == "0.3"


def test_selection_widgets_are_keyed_by_index_sliders_by_value():
    assert frame_cache.control_attr(w.Dropdown(options=["a", "b"])) == "index"
    assert frame_cache.control_attr(w.SelectionSlider(options=["a", "b"])) == "index"
    assert frame_cache.control_attr(w.IntSlider()) == "value"
    assert frame_cache.control_attr(w.Checkbox()) == "value"
    controls = [w.IntSlider(value=3), w.Dropdown(options=["x", "y"], value="y"), w.Checkbox(value=True)]
    assert frame_cache.state_key(controls) == "3|1|true"
    assert frame_cache.state_key(controls, {0: 4}) == "4|1|true"


def sliders_of(diagram):
    return [n for n, c in diagram.controls.items() if type(c).__name__ in SLIDER_TYPES]


def sent_frames(diagram):
    """Capture what the widget sends to the browser: {key: (png, alt)}."""
    frames = {}
    diagram._image.send_frames = lambda batch: frames.update({k: (p, a) for k, p, a in batch})
    return frames


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_pictures_sent_ahead_equal_the_pictures_drawn_on_arrival(cls):
    """For every diagram: the neighbours' pictures, drawn ahead, are byte-identical to the ones the
    kernel draws when the controls get there, and filed under the key of that state."""
    d = cls()
    d.widget
    frames = sent_frames(d)
    keys = d.prefetch()
    sliders = [c for c in d.controls.values() if type(c).__name__ in SLIDER_TYPES]
    if not sliders:
        assert keys == [], "only sliders have neighbours"
        return
    assert keys and set(keys) == set(frames)
    start = d.state()
    for key, state in d.neighbour_states():
        if key not in frames:
            continue
        moved = [n for n in sliders_of(d) if state[n] != start[n]]
        assert len(moved) == 1
        d.controls[moved[0]].value = state[moved[0]]      # a student's key press on one slider
        assert d.state_key() == key, f"{cls.__name__}: the controls settled elsewhere (see Diagram.settle)"
        assert d.png == frames[key][0], f"{cls.__name__}: the picture sent ahead for {key} is stale"
        assert d._image.value == d.png and d._image.key == key
        assert frames[key][1] == d.alt(d.state())
        for name, value in start.items():
            d.controls[name].value = value
        assert d.state() == start


class Wave(base.Diagram):
    """Two sliders and a checkbox (tests/test_diagram.py has the same figure with one slider)."""

    name = "wave2"
    figsize = (3, 2)

    def build(self, fig):
        ax = fig.add_subplot()
        (self.line,) = ax.plot([0, 1], [0, 0])
        self.note = ax.text(0.5, 0.5, "still")
        ax.set_ylim(-20, 20)
        self.animated = [self.line]

    def make_controls(self):
        return {"k": w.IntSlider(value=0, min=0, max=3), "f": w.FloatSlider(value=0.5, min=0, max=1, step=0.25),
                "note": w.Checkbox(value=True)}

    def update(self, state):
        self.line.set_ydata([state["k"], state["f"]])
        if self.note.get_visible() != state["note"]:
            self.note.set_visible(state["note"])
            return True
        return None

    def readout(self, state):
        return str(state)

    def alt(self, state):
        return f"k {state['k']}"


def test_neighbours_stay_in_range_and_look_ahead_the_way_the_slider_moved():
    d = Wave()
    d.widget
    keys = [k for k, _ in d.neighbour_states()]
    # k = 0: only upwards (1, 2, 3, 4 is out of range); f = 0.5: 0.75, 0.25, then 1.0 (1.25 out)
    assert keys == ["1|0.5|true", "0|0.75|true", "0|0.25|true", "2|0.5|true", "3|0.5|true", "0|1|true"]
    d.controls["f"].value = 0.25           # f moved down: look further down
    keys = [k for k, _ in d.neighbour_states()]
    assert keys == ["1|0.25|true", "0|0|true", "0|0.5|true", "2|0.25|true", "3|0.25|true"]


def move_and_compare(d, k):
    """Move the live diagram's slider to ``k``: its picture is that of a fresh diagram drawn at ``k``."""
    d.controls["k"].value = k
    fresh = Wave()
    fresh.set(k=k)
    assert d.png == fresh.png


def test_a_picture_drawn_ahead_does_not_move_the_shown_picture_or_the_controls():
    d = Wave()
    d.widget
    sent_frames(d)
    shown, state = d._image.value, d.state()
    d.controls["note"].value = False       # the still part changes: background redrawn
    d.controls["note"].value = True
    d.prefetch()
    assert d.state() == state and d._image.value == shown and d.png == shown
    move_and_compare(d, 1)                 # arrives at a prefetched state: same picture as drawn ahead


def test_the_kernel_sends_each_picture_once_until_a_view_asks_again():
    d = Wave()
    d.widget
    frames = sent_frames(d)
    first = d.prefetch()
    assert first and d.prefetch() == []
    d._on_picture_message(d._image, {"type": "ready"}, [])   # a new view: empty cache
    assert d._views_ready
    assert d.prefetch() == first
    assert len(frames) == len(first)


def test_a_failing_picture_ahead_stops_drawing_ahead_and_breaks_nothing():
    """Drawing ahead runs outside any cell: an error there must not escape into the event loop."""
    d = Wave()
    d.widget
    sent_frames(d)
    d._views_ready = True
    d._prefetch_queue = d.neighbour_states()

    def broken(state):
        raise ValueError("a model that cannot draw this state")

    d.frame = broken
    d._prefetch_one()
    assert d._prefetch_queue == []
    del d.frame
    move_and_compare(d, 2)


def test_pictures_ahead_are_drawn_one_per_pass_of_the_event_loop():
    """A message from the browser (the next key press) is handled between two pictures drawn ahead."""
    import asyncio

    d = Wave()
    d.widget
    order = []
    d._image.send_frames = lambda batch: order.extend(k for k, _, _ in batch)
    d._views_ready = True

    async def main():
        d._schedule_prefetch()
        asyncio.get_running_loop().call_soon(lambda: order.append("key press"))
        for _ in range(20):
            await asyncio.sleep(0)

    asyncio.run(main())
    expected = [k for k, _ in d.neighbour_states()]
    assert [k for k in order if k != "key press"] == expected
    assert 0 < order.index("key press") < len(order) - 1, order


def walk(d, limit: int = 14) -> list[tuple[str, object]]:
    """(control, value) changes a student might make: a few values of every control, in turn."""
    moves = []
    for name, control in d.controls.items():
        kind = type(control).__name__
        if kind in ("IntSlider", "FloatSlider"):
            lo, hi = control.min, control.max
            values = [hi, lo + (hi - lo) / 3, control.value]
            values = [type(control.value)(round(v / (control.step or 1)) * (control.step or 1)) for v in values]
        elif hasattr(control, "options") and control.options:
            values = list(control._options_values)[:5] + [control.value]
        else:
            values = [not control.value, control.value]
        moves += [(name, v) for v in values]
    return moves[:limit]


def fresh_diagram(cls, state: dict):
    """A new diagram drawn at ``state`` (controls its constructor does not take are set after)."""
    import inspect

    params = inspect.signature(cls.__init__).parameters
    takes_all = any(p.kind is p.VAR_KEYWORD for p in params.values())
    first = {k: v for k, v in state.items() if takes_all or k in params}
    fresh = cls(**first)
    rest = {k: v for k, v in state.items() if k not in first}
    if rest:
        fresh.set(**rest)
    return fresh


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_picture_after_any_walk_equals_a_fresh_drawing_of_the_same_state(cls):
    """The cached backgrounds and halves never leave stale pixels: after each change the live picture is
    byte-identical to a new diagram's picture of the same state (a student found "ront of thigh" on
    the condition explorer's B side after changing A: a label reaching over the split was cut)."""
    d = cls()
    d.widget
    problems = []
    for name, value in walk(d) + [(n, v) for n, v in walk(d)[::-1]]:
        d.controls[name].value = value
        fresh = fresh_diagram(cls, d.state())
        if fresh.state() == d.state() and fresh.png != d.png:
            problems.append(f"after {name}={value!r}: state {d.state()}")
    assert not problems, f"{cls.__name__}: stale pixels\n" + "\n".join(problems[:5])


def test_the_condition_explorer_halves_never_reach_over_their_split():
    """Each half is cached on its own; a label reaching over the split forces a fresh draw on every step
    (the split once sat 9 px inside B's labels, and a step of A cost 5x its floor)."""
    from iliopsoas.figures.condition_explorer import CONDITIONS, ConditionExplorer

    d = ConditionExplorer()
    d.widget
    for key in CONDITIONS:
        for detail in (False, True):
            d.set(a=key, b=key, detail=detail)
    assert d._spill_cache and not any(d._spill_cache.values()), [k for k, v in d._spill_cache.items() if v]
