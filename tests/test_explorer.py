"""The hip-flexion explorer: the picture, the numbers and the words follow the slider."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from iliopsoas.figures.hip_flexion_explorer import REFERENCE_LABEL, HipFlexionExplorer, hip_flexion_explorer
from iliopsoas.models.muscle_path import load_hip_model

MODEL = load_hip_model()
READOUT = re.compile(r"Hip at (−?\d+)° \((extension|flexion|standing upright, neutral)\): psoas (\d+) mm, "
                     r"iliacus (\d+) mm long.*moment arms (−?\d+) and (−?\d+) mm")


@pytest.fixture(scope="module")
def explorer():
    return HipFlexionExplorer()


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_slider_change_moves_the_femur_the_muscle_paths_and_the_readout():
    d = HipFlexionExplorer()
    d.widget                                        # shown, so the slider's observer redraws
    before = d._image.value
    d.controls["angle"].value = 60                  # what a student's slider move does
    assert d._image.value != before and d.updates == 1
    assert "Hip at 60° (flexion)" in d._readout.value
    for name in ("psoas", "iliacus"):
        path = MODEL.muscles[name].path(60)
        x, y = d.paths[name].get_data()
        assert np.allclose(x, path[:, 0]) and np.allclose(y, path[:, 1])
        assert len(x) == 4                          # the 45° via point has dropped out
    hip = MODEL.hip_centre_m
    x, y = d.femur.get_data()
    assert np.allclose([x[0], y[0]], hip[:2])
    # flexion swings the knee end forward (+x) and up
    assert np.allclose([x[1], y[1]], [hip[0] + 0.4 * np.sin(np.radians(60)), hip[1] - 0.4 * np.cos(np.radians(60))])
    assert "60°" in d._readout.value and not d._image.tooltip


def test_extension_swings_the_femur_backward(explorer):
    explorer.set(angle=-20)
    x, _ = explorer.femur.get_data()
    assert x[1] < MODEL.hip_centre_m[0] - 0.1


@pytest.mark.parametrize("angle", [-30, -20, 0, 45, 60, 90, 110, 120])
def test_readout_numbers_agree_with_the_model(explorer, angle):
    explorer.set(angle=angle)
    match = READOUT.search(explorer.readout(explorer.state()))
    assert match, explorer.readout(explorer.state())
    shown_angle = int(match.group(1).replace("−", "-"))
    assert shown_angle == angle
    psoas, iliacus = MODEL.muscles["psoas"], MODEL.muscles["iliacus"]
    assert int(match.group(3)) == round(psoas.length_mm(angle))
    assert int(match.group(4)) == round(iliacus.length_mm(angle))
    assert int(match.group(5).replace("−", "-")) == round(psoas.moment_arm_mm(angle))
    assert int(match.group(6).replace("−", "-")) == round(iliacus.moment_arm_mm(angle))


def test_readout_says_the_muscles_lengthen_as_the_hip_extends(explorer):
    text = explorer.readout({"angle": -20})
    assert text.startswith("Hip at −20° (extension): psoas 274 mm, iliacus 220 mm long — 13 and 13 mm longer "
                           "than standing upright (0°); moment arms 33 and 34 mm.")
    assert "Thomas test" in text
    assert "shorter than standing upright" in explorer.readout({"angle": 60})
    assert "standing upright, neutral" in explorer.readout({"angle": 0})


def test_readout_warns_in_the_unreliable_zone_and_at_the_switch(explorer):
    assert "unreliable" in explorer.readout({"angle": 110}) and "artefact" in explorer.readout({"angle": 110})
    assert "unreliable" not in explorer.readout({"angle": 80})
    assert "45°" in explorer.readout({"angle": 45}) and "45°" not in explorer.readout({"angle": 30})


def test_cursor_on_both_plots_moves_to_the_angle(explorer):
    explorer.set(angle=75)
    for cursor, key in ((explorer.length_cursor, "length_mm"), (explorer.arm_cursor, "moment_arm_mm")):
        assert list(cursor[0].get_xdata()) == [75, 75]
        for dot, name in zip(cursor[1:], ("psoas", "iliacus")):
            x, y = dot.get_data()
            muscle = MODEL.muscles[name]
            expected = muscle.length_mm(75) if key == "length_mm" else muscle.moment_arm_mm(75)
            assert x[0] == 75 and y[0] == pytest.approx(expected)


def test_figure_has_the_expected_artists_and_labels(explorer):
    psoas, iliacus = explorer.paths["psoas"], explorer.paths["iliacus"]
    assert psoas.get_label() == "psoas" and iliacus.get_label() == "iliacus"
    assert psoas.get_color() != iliacus.get_color()
    assert psoas.get_linestyle() != iliacus.get_linestyle() and psoas.get_marker() != iliacus.get_marker()
    for ax in (explorer.ax_length, explorer.ax_arm):
        rajagopal = [line for line in ax.get_lines() if REFERENCE_LABEL in line.get_label()]
        assert len(rajagopal) == 2 and all(line.get_linestyle() == "--" for line in rajagopal)
        gait = [line for line in ax.get_lines() if "(Gait2392)" in line.get_label()]
        assert len(gait) == 2 and all(line.get_linestyle() == "-" for line in gait)
        zone = [p for p in ax.patches if p.get_label() == "no wrapping: unreliable"]
        assert len(zone) == 1
        assert (zone[0].get_x(), zone[0].get_x() + zone[0].get_width()) == (90, 120)   # 90°…120° shaded
        assert zone[0].get_hatch() == "//"                                              # not colour alone
        assert "(mm)" in ax.get_ylabel() and "(°)" in ax.get_xlabel()
        assert any(isinstance(line, Line2D) and list(line.get_xdata()) == [45, 45] for line in ax.get_lines())
    # The shaded band and the 45° line are named in the legend (text inside the plots would be
    # crossed by the moving cursor).
    legend = [t.get_text() for t in explorer.figure.legends[0].get_texts()]
    assert REFERENCE_LABEL in legend and "psoas" in legend and "iliacus" in legend
    assert "beyond 90°: no wrapping, unreliable" in legend and "via point switch at 45°" in legend
    # moving labels are FastText (one outline each) rather than Text
    side_texts = [t.get_text() for t in explorer.ax_side.texts] + [
        a.get_text() for a in explorer.ax_side.get_children() if hasattr(a, "label_text")]
    for word in ("psoas", "iliacus", "lesser\ntrochanter", "femur", "ASIS", "hip\njoint", "sacrum"):
        assert word in side_texts, word
    moving = {id(a) for a in explorer.animated}
    assert {id(explorer.femur), id(psoas), id(iliacus), *(id(c) for c in explorer.length_cursor)} <= moving


def test_every_text_is_at_least_8_points_and_the_background_is_white(explorer):
    texts = [a for a in explorer.figure.findobj(lambda a: isinstance(a, Text) or hasattr(a, "label_text"))
             if a.get_text().strip()]
    assert len(texts) > 20
    assert min(t.get_fontsize() for t in texts) >= 8
    assert explorer.figure.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert _pixels(explorer.png)[2, 2].tolist() == [255, 255, 255]


def test_alt_text_describes_each_state(explorer):
    flexed, extended = explorer.alt({"angle": 60}), explorer.alt({"angle": -20})
    assert flexed != extended
    assert "60° forward (hip flexion)" in flexed and "217 mm (psoas)" in flexed
    assert "20° backward (hip extension)" in extended and "274 mm (psoas)" in extended
    assert "Rajagopal 2016" in flexed and "unreliable" in flexed


@pytest.mark.parametrize("angle", [-30, 45, 110])
def test_blitted_picture_equals_a_fresh_full_render(explorer, angle):
    blitted = explorer.set(angle=angle)
    assert blitted == HipFlexionExplorer(angle=angle).png
    full = _pixels(explorer.naive_png({"angle": angle}))          # whole figure redrawn by savefig
    assert np.array_equal(_pixels(blitted), full)


def test_updates_reuse_the_same_artists_and_keep_the_background(explorer):
    explorer.set(angle=0)
    artists = len(explorer.figure.findobj())
    background = explorer._background
    for state in explorer.sweep_states(12):
        explorer.set(**state)
    assert len(explorer.figure.findobj()) == artists
    assert explorer._background is background


def test_slider_covers_the_hip_range_in_degrees(explorer):
    slider = explorer.controls["angle"]
    assert type(slider).__name__ == "IntSlider"
    assert (slider.min, slider.max) == (-30, 120)
    assert slider.description == "Hip flexion (°)" and slider.continuous_update


def test_caption_names_the_sources_and_the_limitations():
    caption = HipFlexionExplorer.caption
    for phrase in ("Gait2392", "Delp et al. 1990", "Thelen", "CC BY 3.0", "Rajagopal et al. 2016",
                   "derived numbers only", "wrapping", "unreliable beyond about 90°"):
        assert phrase in caption, phrase


def test_hip_flexion_explorer_shows_a_widget_with_a_static_version():
    import iliopsoas

    shown = iliopsoas.hip_flexion_explorer(angle=-15)
    bundle = shown._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Hip at −15° (extension)" in bundle["text/html"] and 'alt="Three panels.' in bundle["text/html"]
    assert "iliopsoas-diagram-hip-flexion" in shown.widget._dom_classes
    assert hip_flexion_explorer is iliopsoas.hip_flexion_explorer


@pytest.mark.parametrize("bad", [150, -45, "flexed"])
def test_an_impossible_starting_angle_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="angle must be a hip angle from -30° .* to 120°"):
        HipFlexionExplorer(angle=bad)
