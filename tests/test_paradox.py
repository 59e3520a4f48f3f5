"""The psoas-paradox teaching model and its explorer (iliopsoas/models/lumbar.py, iliopsoas/figures/paradox_explorer.py)."""
from __future__ import annotations

import numpy as np
import pytest

from iliopsoas.figures.paradox_explorer import PsoasParadoxExplorer
from iliopsoas.models.lumbar import (ASSUMPTIONS, BACK_EXTENSOR_LEVER_M, LEVELS, TRANSVERSE_PROCESS_BEHIND_M,
                                     LumbarPsoasModel, describe)

TYPICAL_LORDOSIS = (40, 45, 50, 55, 60)
SLIDER_RANGE = range(10, 71, 5)


def loads(lordosis, activation=1.0):
    return LumbarPsoasModel(lordosis, activation).joint_loads()


def moments(lordosis):
    return np.array([x.moment_nm for x in loads(lordosis)])


@pytest.mark.parametrize("lordosis", TYPICAL_LORDOSIS)
def test_psoas_extends_upper_and_flexes_lower_lumbar_joints(lordosis):
    # Bogduk, Pearcy & Hadfield 1992: tends to extend the upper lumbar segments and flex the lower ones.
    m = moments(lordosis)
    assert m[0] < 0 and m[1] < 0, f"L1-L2 and L2-L3 should extend at {lordosis}°: {m}"
    assert m[-1] > 0, f"L5-S1 should flex at {lordosis}°: {m}"


@pytest.mark.parametrize("lordosis", TYPICAL_LORDOSIS)
def test_moments_are_small_at_typical_lordosis(lordosis):
    assert np.all(np.abs(moments(lordosis)) < 20.0)


def test_moments_stay_small_across_the_whole_slider_range():
    for lordosis in SLIDER_RANGE:
        assert np.all(np.abs(moments(lordosis)) < 30.0), lordosis


@pytest.mark.parametrize("lordosis", TYPICAL_LORDOSIS)
def test_compression_dwarfs_the_moments_at_every_level(lordosis):
    for load in loads(lordosis):
        # effective lever arm |M| / C of about 1 cm at most (under 1 cm around 45°), against about 5 cm
        # for the back extensors
        assert load.lever_arm_mm < (10.0 if lordosis <= 50 else 12.5), load
        # the force a 5 cm lever would need for this moment is a small fraction of the compression
        assert abs(load.moment_nm) / BACK_EXTENSOR_LEVER_M < 0.25 * load.compression_n, load


def test_effective_lever_arm_stays_far_below_the_back_extensors_in_any_posture():
    for lordosis in SLIDER_RANGE:
        worst = max(x.lever_arm_mm for x in loads(lordosis))
        assert worst < 0.4 * BACK_EXTENSOR_LEVER_M * 1000, (lordosis, worst)


def test_compression_is_large_and_grows_towards_the_lower_levels():
    for lordosis in SLIDER_RANGE:
        c = np.array([x.compression_n for x in loads(lordosis)])
        assert np.all(np.diff(c) > 0), (lordosis, c)       # more fascicles cross the lower joints
        assert c[-1] > 1500, (lordosis, c)                  # "severe" at L5-S1 at maximal effort


def test_shear_at_the_lumbosacral_joint_is_substantial():
    for lordosis in TYPICAL_LORDOSIS:
        l5s1 = loads(lordosis)[-1]
        assert l5s1.shear_n > 300 and l5s1.shear_n > 0.2 * l5s1.compression_n


def test_flattening_the_spine_turns_mid_level_extension_into_flexion():
    flat, typical, arched = moments(20), moments(45), moments(65)
    assert flat[2] > 0, "L3-L4 should flex in a flattened spine"
    assert typical[2] < 0 and arched[2] < typical[2], "L3-L4 should extend more as the lordosis deepens"
    # the mid-level moments fall steadily (towards extension) as the lordosis grows
    for level in (1, 2, 3):
        series = [moments(lordosis)[level] for lordosis in SLIDER_RANGE]
        assert np.all(np.diff(series) < 0), (LEVELS[level], series)


def test_flat_spine_is_flexed_everywhere_and_deeply_arched_spine_extended_everywhere():
    assert all(x.action == "flexes" for x in loads(10))
    assert all(x.action == "extends" for x in loads(60)[:-1])
    assert all(x.action == "extends" for x in loads(70))


def test_activation_scales_every_load_linearly():
    full, half = loads(45, 1.0), loads(45, 0.5)
    for a, b in zip(full, half):
        assert b.moment_nm == pytest.approx(a.moment_nm / 2)
        assert b.compression_n == pytest.approx(a.compression_n / 2)
        assert b.shear_n == pytest.approx(a.shear_n / 2)
    assert all(x.compression_n == 0 and x.moment_nm == 0 for x in loads(45, 0.0))


def test_joint_loads_are_listed_top_to_bottom_with_the_contract_names():
    assert [x.level for x in loads(45)] == ["L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]


def test_geometry_stays_within_anatomical_ranges():
    model = LumbarPsoasModel(45)
    g = model.geometry()
    angles = model.segment_angles_deg
    assert sum(angles) == pytest.approx(45)
    assert all(b > a for a, b in zip(angles, angles[1:])), "lordosis should grow towards L5-S1"
    depth = np.linalg.norm(g.bodies[:, 1] - g.bodies[:, 0], axis=1)
    height = np.linalg.norm(g.bodies[:, 3] - g.bodies[:, 0], axis=1)
    assert np.allclose(depth, 0.035) and np.allclose(height, 0.027)
    assert 0.015 <= TRANSVERSE_PROCESS_BEHIND_M <= 0.025
    for i in range(5):
        forward = g.bodies[i, 1] - g.bodies[i, 0]
        assert (g.tp_origins[i] - g.body_centres[i]) @ forward < 0, "transverse processes lie behind the bodies"
    # the pulley is in front of and below the lumbosacral joint in the sacrum's own frame
    s1_forward = g.s1_endplate[1] - g.s1_endplate[0]
    s1_up = np.array([-s1_forward[1], s1_forward[0]])
    assert g.pulley @ s1_forward > 0 and g.pulley @ s1_up < 0


def test_invalid_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="lordosis_deg"):
        LumbarPsoasModel(120)
    with pytest.raises(ValueError, match="activation"):
        LumbarPsoasModel(45, activation=1.5)


def test_assumptions_and_docstring_call_it_a_simplified_teaching_model():
    import iliopsoas.models.lumbar as lumbar

    assert "simplified teaching model" in LumbarPsoasModel.__doc__.lower()
    doc = lumbar.__doc__
    assert "not a measurement" in doc and "chosen by hand so that the model reproduces the pattern" in doc
    assert "29 N·m" in doc and "Andersson et al. 1995" in doc and "Penning 2000" in doc
    assert any("pulley" in s for s in lumbar.CHOSEN_TO_MATCH)
    assert any("cannot confirm" in s.lower() for s in lumbar.CANNOT_SHOW)
    assert ASSUMPTIONS and all(s.endswith(".") for s in ASSUMPTIONS)
    assert any("1113 N" in s for s in ASSUMPTIONS)


def test_readout_gives_the_numbers_in_a_teaching_sentence():
    text = describe(LumbarPsoasModel(45))
    assert text.startswith("In this teaching model, at 45° of lordosis with both psoas muscles pulling as hard")
    assert "extend L1–L2" in text and "flex L5–S1" in text
    assert "N (L1–L2)" in text and "N (L5–S1)" in text
    assert "presses the spine together" in text and "Bogduk" in text and "tuned to reproduce" in text
    assert "paradox comes from" not in text and "measured" not in text
    assert "looks like a spine flexor" in describe(LumbarPsoasModel(15))
    assert "looks like an extensor" in describe(LumbarPsoasModel(65))
    assert "looks like" not in describe(LumbarPsoasModel(45))


# ---------------------------------------------------------------------------- the explorer
def bar_heights(bars):
    return np.array([path.vertices[2, 1] for path in bars.collection.get_paths()])


def test_first_control_is_the_lordosis_slider():
    d = PsoasParadoxExplorer()
    name, control = next(iter(d.controls.items()))
    assert name == "lordosis" and type(control).__name__ == "IntSlider"
    assert control.description == "Lumbar lordosis (°)" and (control.min, control.max) == (10, 70)
    assert d.name == "psoas-paradox"


def test_slider_change_updates_bars_arrows_and_readout():
    d = PsoasParadoxExplorer(lordosis=45)
    d.widget
    before_png, before_text = d._image.value, d._readout.value
    before_arrow = d.arrows[2].get_facecolor()
    d.controls["lordosis"].value = 15
    expected = LumbarPsoasModel(15).joint_loads()
    assert np.allclose(bar_heights(d.moment_bars), [x.moment_nm for x in expected])
    assert np.allclose(bar_heights(d.compression_bars), [x.compression_n for x in expected])
    assert d.arrows[2].get_facecolor() != before_arrow          # L3-L4 turned from extension to flexion
    assert d.joint_label(2).startswith("L3–L4 flexes") and d.joint_label(2).endswith("N·m")
    assert d._image.value != before_png and d._readout.value != before_text
    assert "at 15° of lordosis" in d._readout.value


def test_moving_artists_are_blitted_and_the_picture_equals_a_fresh_render():
    d = PsoasParadoxExplorer()
    assert d.body_fascicles in d.animated and d.moment_bars.collection in d.animated
    png = d.set(lordosis=62, activation=80)
    assert png == PsoasParadoxExplorer(lordosis=62, activation=80).png


def test_alt_text_and_caption_describe_the_figure_and_its_sources():
    d = PsoasParadoxExplorer(lordosis=45)
    alt = d.alt(d.state())
    assert "45° of lordosis" in alt and "L1–L2 extends" in alt and "L5–S1 flexes" in alt
    assert "compression" in alt
    assert d.caption.startswith("Simplified teaching model")
    assert "Bogduk, Pearcy & Hadfield 1992" in d.caption and "1113 N" in d.caption
    assert "placed by hand" in d.caption and "cannot confirm" in d.caption and "course models 2026" in d.caption
    bundle = d.show()._repr_mimebundle_()
    assert "alt=" in bundle["text/html"] and "Simplified teaching model" in bundle["text/html"]


def test_a_joint_that_hardly_turns_says_so_in_words_and_hides_its_arrow():
    d = PsoasParadoxExplorer(lordosis=20)
    assert LumbarPsoasModel(20).joint_loads()[0].action == "hardly turns"
    assert d.joint_label(0) == "L1–L2 ≈ 0 N·m"
    assert not d.arrows[0].get_visible() and d.arrows[4].get_visible()


def test_the_largest_moment_the_docstring_explains_is_the_models_own():
    # The module docstring explains "about 29 N·m at L5–S1 in a flattened spine (10°), 2150 N × about 13 mm".
    l5s1 = LumbarPsoasModel(10).joint_loads()[-1]
    assert l5s1.moment_nm == pytest.approx(29, abs=1) and l5s1.compression_n == pytest.approx(2150, abs=30)
    assert l5s1.lever_arm_mm == pytest.approx(13, abs=1)
    biggest = max(abs(x.moment_nm) for lordosis in SLIDER_RANGE for x in loads(lordosis))
    assert biggest == pytest.approx(abs(l5s1.moment_nm))
