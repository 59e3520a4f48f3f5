"""The modified Thomas test: its model (iliopsoas/models/thomas.py) and simulator (iliopsoas/figures/thomas_simulator.py)."""
from __future__ import annotations

import numpy as np
import pytest

from iliopsoas.figures.thomas_simulator import ThomasTestSimulator, thomas_test_simulator
from iliopsoas.models.thomas import CONDITIONS, leg_points, thomas_position

SCREEN = "screen, not a diagnosis"


def test_normal_reproduces_harveys_norms():
    r = thomas_position("normal", 0)
    assert (r.hip_deg, r.knee_deg, r.abduction_deg) == pytest.approx((-11.9, 52.5, 15.6))
    assert not (r.hip_positive or r.knee_positive or r.abduction_positive)
    for condition in CONDITIONS:                      # severity "none" is the normal leg whatever the condition
        r0 = thomas_position(condition, 0)
        assert (r0.hip_deg, r0.knee_deg, r0.abduction_deg) == pytest.approx((-11.9, 52.5, 15.6))
    assert thomas_position("normal", 3).hip_deg == pytest.approx(-11.9)


def test_tight_iliopsoas_lifts_the_thigh_above_horizontal_as_severity_rises():
    readings = [thomas_position("iliopsoas", s) for s in range(4)]
    hips = [r.hip_deg for r in readings]
    assert all(b > a for a, b in zip(hips, hips[1:]))
    assert hips[0] < 0 and all(h >= 0 for h in hips[1:])
    assert all(r.hip_positive for r in readings[1:])
    assert all(abs(r.knee_deg - 52.5) <= 15 for r in readings)       # the knee stays near the norm
    assert all(not r.knee_positive and not r.abduction_positive for r in readings)


def test_tight_rectus_femoris_stops_the_knee_bending():
    readings = [thomas_position("rectus_femoris", s) for s in range(4)]
    knees = [r.knee_deg for r in readings]
    assert all(b < a for a, b in zip(knees, knees[1:]))
    assert all(r.knee_positive for r in readings[1:]) and not readings[0].knee_positive
    assert all(r.hip_deg < 0 for r in readings)                       # the thigh still hangs below horizontal


def test_tight_tfl_itb_makes_the_thigh_drift_into_abduction():
    readings = [thomas_position("tfl_itb", s) for s in range(4)]
    abds = [r.abduction_deg for r in readings]
    assert all(b > a for a, b in zip(abds, abds[1:]))
    assert all(r.abduction_positive for r in readings[1:])
    assert all(not r.hip_positive and not r.knee_positive for r in readings)


def test_findings_name_the_muscle_and_always_end_with_the_screen_caveat():
    iliopsoas = " ".join(thomas_position("iliopsoas", 2).findings)
    rectus = " ".join(thomas_position("rectus_femoris", 2).findings)
    tfl = " ".join(thomas_position("tfl_itb", 2).findings)
    assert "above horizontal" in iliopsoas and "iliopsoas, look short" in iliopsoas
    assert "will not bend" in rectus and "rectus femoris" in rectus and "crosses both hip and knee" in rectus
    assert "drifts out into abduction" in tfl and "iliotibial band looks tight" in tfl
    normal = " ".join(thomas_position("normal", 0).findings)
    assert "look short" not in normal and "looks tight" not in normal
    for condition in CONDITIONS:
        for severity in range(4):
            findings = thomas_position(condition, severity).findings
            assert SCREEN in findings[-1] and "Peeler" in findings[-1] and "Vigotsky" in findings[-1]
    assert thomas_position("iliopsoas", 1).verdicts == thomas_position("iliopsoas", 1).findings


def test_unknown_condition_is_an_error_listing_the_choices():
    with pytest.raises(ValueError) as err:
        thomas_position("hamstrings", 1)
    assert all(key in str(err.value) for key in CONDITIONS)
    with pytest.raises(ValueError, match="choose one of"):
        thomas_test_simulator(condition="hamstrings")
    with pytest.raises(ValueError, match="severity"):
        thomas_position("iliopsoas", 7)
    assert thomas_position("tight iliopsoas", "moderate") == thomas_position("iliopsoas", 2)


def test_leg_geometry_follows_the_angles():
    pts = leg_points(20, 60)
    thigh = pts["knee"] - pts["hip"]
    shank = pts["ankle"] - pts["knee"]
    assert np.degrees(np.arctan2(thigh[1], thigh[0])) == pytest.approx(20)
    assert np.degrees(np.arctan2(shank[1], shank[0])) == pytest.approx(20 - 60)


# ---------------------------------------------------------------------------- the simulator
def test_controls_are_a_severity_slider_then_a_condition_menu_then_the_examiners_check():
    d = ThomasTestSimulator()
    (first, slider), (second, menu), (third, check) = list(d.controls.items())
    assert first == "severity" and type(slider).__name__ == "IntSlider" and (slider.min, slider.max) == (0, 3)
    assert second == "condition" and type(menu).__name__ == "Dropdown"
    assert [value for _, value in menu.options] == list(CONDITIONS)
    assert third == "check" and type(check).__name__ == "Dropdown"
    assert [value for _, value in check.options] == ["none", "knee_extended", "overflexed"]
    assert d.name == "thomas-test"


def test_severity_slider_moves_the_leg_and_the_words():
    d = ThomasTestSimulator(condition="iliopsoas")
    d.widget
    png, text = d._image.value, d._readout.value
    thigh_before = d.thigh.get_xy().copy()
    d.controls["severity"].value = 3
    assert not np.allclose(d.thigh.get_xy(), thigh_before)
    assert d.hip_label.get_text() == "thigh +20°"
    assert d.finding_texts[0].get_text().startswith("positive")
    assert d._image.value != png and d._readout.value != text
    assert "above horizontal" in d._readout.value and SCREEN in d._readout.value


def test_condition_menu_changes_which_sign_is_positive():
    d = ThomasTestSimulator(condition="rectus_femoris", severity=2)
    assert d.finding_texts[1].get_text().startswith("positive") and d.finding_texts[0].get_text().startswith("negative")
    assert "rectus femoris" in d.readout(d.state()) and "Sources disagree on the knee" in d.readout(d.state())
    d.set(condition="tfl_itb")
    assert d.finding_texts[2].get_text().startswith("positive") and d.finding_texts[1].get_text().startswith("negative")
    assert "iliotibial band looks tight" in d.readout(d.state())


def test_raising_severity_from_normal_in_the_live_widget_picks_tight_iliopsoas():
    d = ThomasTestSimulator()
    d.widget
    d.controls["severity"].value = 1
    assert d.controls["condition"].value == "iliopsoas"
    assert "Tight iliopsoas, severity mild" in d._readout.value


def test_programmatic_normal_state_keeps_normal_and_says_why_severity_does_nothing():
    d = ThomasTestSimulator(condition="normal", severity=2)
    assert d.state() == {"severity": 2, "condition": "normal", "check": "none"}
    assert "choose one in the menu" in d.readout(d.state())
    assert d.hip_label.get_text() == "thigh −12°"


def test_picture_is_blitted_and_equals_a_fresh_render():
    d = ThomasTestSimulator()
    assert d.thigh in d.animated and d.ghost in d.animated
    png = d.set(condition="tfl_itb", severity=3)
    assert png == ThomasTestSimulator(condition="tfl_itb", severity=3).png


def test_alt_text_and_caption():
    d = ThomasTestSimulator(condition="iliopsoas", severity=2)
    alt = d.alt(d.state())
    assert "thigh is at +10°" in alt and "knee is flexed" in alt and "Harvey 1998" in alt
    assert "16° outwards" in alt
    assert "screen, not a diagnosis" in d.caption and "Kendall et al. 2005" in d.caption and "Harvey 1998" in d.caption
    assert "117 elite athletes" in d.caption and "not norms for everyone" in d.caption
    assert "Peeler & Anderson 2007" in d.caption and "Clapis, Davis & Davis 2008" in d.caption
    html = d.show()._repr_mimebundle_()["text/html"]
    assert 'alt="Three panels.' in html


def test_a_negative_finding_is_never_ticked():
    # A tick reads as "all is well"; a "no" to "is the thigh held up?" is a negative reading, said in words.
    for condition in CONDITIONS:
        for severity in range(4):
            d = ThomasTestSimulator(condition=condition, severity=severity)
            for text in d.finding_texts:
                assert "✓" not in text.get_text() and "✗" not in text.get_text()
                assert text.get_text().split(":")[0] in ("positive", "negative")


def test_straightening_the_knee_separates_rectus_femoris_from_the_one_joint_flexors():
    rf_free, rf_check = thomas_position("rectus_femoris", 3), thomas_position("rectus_femoris", 3, "knee_extended")
    assert rf_check.hip_deg < rf_free.hip_deg - 5                      # the thigh drops when rectus femoris slackens
    assert "rectus femoris, not the one-joint hip flexors" in rf_check.check_finding
    ip_free, ip_check = thomas_position("iliopsoas", 2), thomas_position("iliopsoas", 2, "knee_extended")
    assert ip_check.hip_deg == ip_free.hip_deg and ip_check.hip_positive     # a one-joint flexor holds it up
    assert "one-joint hip flexors, such as iliopsoas" in ip_check.check_finding
    assert not rf_check.knee_positive and rf_check.knee_deg == 0           # the knee is not read while held straight


def test_over_flexing_the_held_hip_makes_a_false_positive():
    free, error = thomas_position("normal", 0), thomas_position("normal", 0, "overflexed")
    assert not free.hip_positive and error.hip_positive
    assert "false positive" in error.check_finding and "low back is flat" in error.check_finding


def test_the_menus_say_athletes_average_not_normal():
    assert "athletes" in CONDITIONS["normal"] and "normal" not in CONDITIONS["normal"]
    d = ThomasTestSimulator()
    words = d.readout(d.state()) + " " + d.status.get_text()
    assert "117 elite athletes" in words or "athletes' average" in words
    assert "looks normal" not in words and "near the midline" not in words
    assert "Kendall" in words                                              # the abduction reference is named


def test_the_simulator_can_show_each_check_from_the_notebook():
    d = ThomasTestSimulator(condition="rectus_femoris", severity=3, check="knee_extended")
    assert "knee held straight" in d.readout(d.state()) and d.knee_label.get_text() == "knee straight"
    with pytest.raises(ValueError, match="unknown check"):
        thomas_test_simulator(check="wiggle")
