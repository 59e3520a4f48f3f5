"""Text labels in the figures never overlap, never leave their axes and never sit on the drawing.

Every ``Diagram`` subclass in ``iliopsoas.figures`` (found by walking the package, so a new
lesson's diagram is checked without being listed here) is moved through its control states:
every option of every menu, both values of a checkbox, every step of a slider (a sample of at
most ``MAX_STEPS`` + 1 steps, always with both extremes, when several sliders would make too many
combinations).  In each state the label checks of ``tests/label_layout.py`` run on matplotlib's own
text extents.  The numbered-marker figures of every label question in the banks are checked too.
"""
from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import label_layout  # noqa: E402
from labdriver import diagram_classes  # noqa: E402

CLASSES, IMPORT_FAILURES = diagram_classes()
MAX_STATES = 400     # combinations of control values checked per diagram
MAX_STEPS = 150      # slider steps checked when a diagram has one slider (fewer when it has several)
MAX_SAMPLED = 150    # states sampled when the combinations cannot be walked (many checkboxes)


def slider_values(control, steps: int) -> list:
    """Every step of a slider, or ``steps`` + 1 evenly spread steps; both extremes always."""
    lo, hi, step = control.min, control.max, control.step or 1
    n = int(round((hi - lo) / step))
    picks = range(n + 1) if n <= steps else sorted({round(i * n / steps) for i in range(steps + 1)})
    values = [min(hi, lo + i * step) for i in picks]
    if type(control).__name__ == "IntSlider":
        values = [int(v) for v in values]
    return values


def control_values(control, steps: int = MAX_STEPS) -> list:
    """The values a student can give one control."""
    kind = type(control).__name__
    if kind in ("IntSlider", "FloatSlider"):
        return slider_values(control, steps)
    if getattr(control, "options", None):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    if kind in ("Checkbox", "ToggleButton"):
        return [False, True]
    raise AssertionError(f"control {kind} is not walked by this test: teach control_values about it")


def control_states(diagram) -> list[dict]:
    """Every combination of control values (sliders sampled more coarsely until at most MAX_STATES).

    When even the coarsest sampling gives more (many checkboxes: 2**n combinations), a fixed
    sample of MAX_SAMPLED states: the first value of every control, every value of each control
    with the others at their first, the last value of every control at once, and the rest drawn
    at random (seeded, so every run checks the same states)."""
    names = list(diagram.controls)
    steps = MAX_STEPS
    while True:
        values = [control_values(diagram.controls[n], steps) for n in names]
        total = int(np.prod([len(v) for v in values], dtype=float))
        if total <= MAX_STATES or steps <= 2:
            break
        steps = max(2, steps // 2)
    if total <= MAX_STATES:
        return [dict(zip(names, combo)) for combo in itertools.product(*values)]
    first = [v[0] for v in values]
    picked = [tuple(first), tuple(v[-1] for v in values)]
    for i, options in enumerate(values):
        picked += [tuple(first[:i] + [value] + first[i + 1:]) for value in options[1:]]
    rng = np.random.default_rng(10)
    while len(set(picked)) < MAX_SAMPLED:
        picked.append(tuple(options[rng.integers(len(options))] for options in values))
    return [dict(zip(names, combo)) for combo in dict.fromkeys(picked)]


def show_state(diagram, state: dict) -> None:
    """Set the controls as a student would, then update the figure (no picture is encoded)."""
    for name, value in state.items():
        diagram.controls[name].value = value
    diagram.update(diagram.state())


def walk(diagram) -> dict[str, list]:
    """{problem (without pixel positions): [its first full wording, the states it is seen in]}."""
    fig = diagram.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found: dict[str, list] = {}
    for state in control_states(diagram):
        show_state(diagram, state)
        for problem in label_layout.problems(fig, renderer):
            key = re.sub(r" \((?:label )?x [^)]*\)", "", problem)
            found.setdefault(key, [problem, []])[1].append(state)
    return found


def report(found: dict) -> str:
    lines = []
    for wording, states in found.values():
        more = f" and {len(states) - 1} more states" if len(states) > 1 else ""
        lines.append(f"- {wording}   [state {states[0]}{more}]")
    return "\n".join(lines)


def test_every_figure_module_imports_and_defines_diagrams():
    assert not IMPORT_FAILURES, IMPORT_FAILURES
    assert CLASSES, "no Diagram subclass found in iliopsoas.figures"


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_labels_stay_clear_in_every_control_state(cls):
    diagram = cls()
    found = walk(diagram)
    assert not found, f"{cls.__name__} ({len(control_states(diagram))} states checked):\n{report(found)}"


def label_questions() -> list[tuple[str, dict]]:
    out = []
    for path in sorted((ROOT / "quizzes").glob("[0-9][0-9]-*.yml")):
        bank = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out += [(path.stem, q) for q in bank.get("questions", []) or [] if q.get("type") == "label"]
    return out


LABEL_QUESTIONS = label_questions()


@pytest.mark.parametrize("question", [q for _, q in LABEL_QUESTIONS], ids=[q["id"] for _, q in LABEL_QUESTIONS])
def test_label_question_markers_stay_clear(question):
    from iliopsoas.figures.anatomy import marker_figure

    shown = marker_figure(question["figure"], [m["structure"] for m in question["markers"]])
    fig = shown.figure
    fig.canvas.draw()
    problems = label_layout.problems(fig)
    assert not problems, f"{question['id']}:\n" + "\n".join(f"- {p}" for p in problems)


# --------------------------------------------------------------------------- the checks can fail

def figure(width=4.0, height=3.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(width, height), dpi=96)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_axis_off()
    return fig, ax


def problems_of(fig) -> list[str]:
    fig.canvas.draw()
    return label_layout.problems(fig)


def test_checker_finds_two_overlapping_labels():
    fig, ax = figure()
    ax.text(2, 5, "first label")
    ax.text(2.5, 5.1, "second label")
    assert any("overlaps" in p for p in problems_of(fig))


def test_checker_finds_a_label_running_outside_its_axes():
    fig, ax = figure()
    ax.text(9.5, 5, "too far right")
    assert any("runs outside its axes" in p for p in problems_of(fig))


def test_checker_finds_crossing_leader_lines():
    fig, ax = figure()
    ax.annotate("top", xy=(8, 2), xytext=(1, 8), arrowprops=dict(arrowstyle="-"))
    ax.annotate("bottom", xy=(8, 8), xytext=(1, 2), arrowprops=dict(arrowstyle="-"))
    assert any("leader lines" in p and "cross" in p for p in problems_of(fig))


def test_checker_finds_a_leader_running_across_another_labelled_shape():
    from matplotlib.patches import Rectangle

    fig, ax = figure()
    ax.add_patch(Rectangle((4, 4), 2, 2, gid="structure:box", zorder=2))   # in front of "far"
    ax.add_patch(Rectangle((8, 4.5), 1, 1, gid="structure:far", zorder=1))
    ax.annotate("Box", xy=(5, 5.5), xytext=(5, 9), arrowprops=dict(arrowstyle="-"), gid="label:box")
    ax.annotate("Far", xy=(8.5, 5), xytext=(1, 5), arrowprops=dict(arrowstyle="-"), gid="label:far")
    found = problems_of(fig)
    assert any("'Far' runs across 'box'" in p for p in found), found


def test_checker_finds_a_label_hidden_under_a_shape_and_one_crossed_by_a_line():
    from matplotlib.patches import Rectangle

    fig, ax = figure()
    ax.text(1, 1, "hidden", zorder=2)
    ax.add_patch(Rectangle((0.5, 0.5), 4, 2, facecolor="tan", zorder=3))
    ax.text(6, 6, "crossed")
    ax.plot([5.5, 9.5], [6.2, 6.5], color="black")
    found = problems_of(fig)
    assert any("'hidden' is hidden under Rectangle" in p for p in found), found
    assert any("'crossed' has Line2D" in p for p in found), found


def test_checker_accepts_labels_inside_one_shape_in_a_box_or_inside_a_thick_band():
    from matplotlib.patches import Rectangle

    fig, ax = figure()
    ax.add_patch(Rectangle((0.5, 0.5), 5, 3, facecolor="tan", edgecolor="black", zorder=1))
    ax.text(1, 1.5, "inside", zorder=2)
    ax.plot([0.5, 9.5], [8, 8], color="black", zorder=1)
    ax.text(6, 7.9, "boxed", bbox=dict(facecolor="white", edgecolor="none"), zorder=2)
    ax.plot([6, 9.5], [5, 5], color="grey", linewidth=20, zorder=1)
    ax.text(6.2, 5, "band", va="center", fontsize=8, zorder=2)
    assert problems_of(fig) == []


def test_checker_uses_the_rotated_outline_of_a_rotated_label():
    fig, ax = figure()
    ax.text(5, 5, "a long rotated label", rotation=45, ha="center", va="center")
    ax.text(6.4, 3.7, "x")   # inside the rotated label's box corner, clear of its letters' band
    assert not any("overlaps" in p for p in problems_of(fig))


def test_control_states_cover_every_option_and_both_slider_extremes():
    import ipywidgets as w

    class Fake:
        controls = {"a": w.IntSlider(min=-30, max=120, step=5), "b": w.Dropdown(options=[("x", 1), ("y", 2)]),
                    "c": w.Checkbox()}

    states = control_states(Fake())
    assert {s["b"] for s in states} == {1, 2} and {s["c"] for s in states} == {False, True}
    angles = {s["a"] for s in states}
    assert -30 in angles and 120 in angles and len(angles) == 31


def test_control_states_sample_many_checkboxes_with_each_one_alone_and_all_at_once():
    import ipywidgets as w

    class Fake:
        controls = {f"c{i}": w.Checkbox() for i in range(20)}   # 2**20 combinations

    states = control_states(Fake())
    assert len(states) == MAX_SAMPLED
    assert {tuple(s.values()) for s in states} >= {(False,) * 20, (True,) * 20}
    for i in range(20):
        assert any(s[f"c{i}"] and sum(s.values()) == 1 for s in states), f"c{i} alone"
    assert states == control_states(Fake()), "the same sample every run"
