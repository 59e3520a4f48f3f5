"""Internal snapping hip: the teaching model (iliopsoas/models/snapping.py) against hand-computed values,
and its diagram (iliopsoas/figures/snapping_hip.py)."""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from iliopsoas.figures.snapping_hip import SnappingHipDiagram, snapping_hip_model
from iliopsoas.models import snapping
from iliopsoas.models.snapping import (CATCH_MM, Pose, SnappingHipModel, describe, free_line_at, geometry, pose_at,
                                       surface_mm, tendon_centre_mm)
from text_extents import label_problems

# Numbers copied by hand from assets/opensim-gait2392-iliopsoas.json (Gait2392; metres, pelvis frame).
HIP = (-0.0707, -0.0661, 0.0835)
PSOAS_P1, ILIACUS_P1 = (-0.0647, 0.0887, 0.0289), (-0.0674, 0.0365, 0.0854)
PSOAS_P5, ILIACUS_P5 = (-0.0188, -0.0597, 0.0104), (-0.0193, -0.0621, 0.0129)
F_PSOAS, F_ILIACUS = 1113.0, 1073.0
BRIM_Y = -0.057                       # psoas P2, the pelvic-brim via point


def wmean(a, b):
    return tuple((F_PSOAS * x + F_ILIACUS * y) / (F_PSOAS + F_ILIACUS) for x, y in zip(a, b))


ORIGIN, INSERTION = wmean(PSOAS_P1, ILIACUS_P1), wmean(PSOAS_P5, ILIACUS_P5)


def crossing_mm(lt):
    """z of the origin-insertion line at the brim level, mm lateral of the hip centre."""
    t = (BRIM_Y - ORIGIN[1]) / (lt[1] - ORIGIN[1])
    return 1000 * (ORIGIN[2] + t * (lt[2] - ORIGIN[2]) - HIP[2])


def test_geometry_is_read_from_the_data_files():
    geo = geometry()
    assert geo["origin_m"] == pytest.approx(ORIGIN)
    assert geo["insertion_femur_m"] == pytest.approx(INSERTION)
    assert geo["brim_level_m"] == BRIM_Y
    assert geo["head_radius_mm"] == pytest.approx(23.0)            # landmark femoral head, r = 2.3 cm
    assert geo["eminence_mm"] == pytest.approx(-19.0)              # eminence x 7.1 cm, hip centre 9.0 cm


def test_pose_runs_in_equal_steps_from_faber_to_extension():
    assert pose_at(0) == Pose(90.0, 45.0, 45.0)
    assert pose_at(50) == Pose(40.0, 17.5, 17.5)
    assert pose_at(100) == Pose(-10.0, -10.0, -10.0)
    for bad in (-1, 101, 150):
        with pytest.raises(ValueError, match="between 0 and 100"):
            pose_at(bad)


def test_free_line_in_neutral_matches_a_hand_computation():
    lt = tuple(h + i for h, i in zip(HIP, INSERTION))               # no rotation: femur frame = pelvis frame
    assert free_line_at(Pose(0, 0, 0)) == pytest.approx(crossing_mm(lt), abs=1e-9)
    assert free_line_at(Pose(0, 0, 0)) == pytest.approx(-2.55, abs=0.01)


def test_free_line_at_90_degrees_of_flexion_matches_a_hand_computation():
    # a 90° turn about z maps (x, y, z) to (-y, x, z)
    x, y, z = INSERTION
    lt = (HIP[0] - y, HIP[1] + x, HIP[2] + z)
    assert free_line_at(Pose(90, 0, 0)) == pytest.approx(crossing_mm(lt), abs=1e-9)


def test_abduction_and_external_rotation_move_the_line_laterally():
    neutral = free_line_at(Pose(40, 0, 0))
    assert free_line_at(Pose(40, 20, 0)) > neutral + 3          # abduction carries the trochanter outwards
    # 30° of abduction by hand: a rotation of -30° about x (anterior axis)
    x, y, z = INSERTION
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    lt = (HIP[0] + x, HIP[1] + c * y + s * z, HIP[2] - s * y + c * z)
    assert free_line_at(Pose(0, 30, 0)) == pytest.approx(crossing_mm(lt), abs=1e-9)


def test_line_moves_medially_through_the_whole_movement():
    line = SnappingHipModel().free_line_mm(np.linspace(0, 100, 41))
    assert np.all(np.diff(line) < 0)
    assert line[0] == pytest.approx(25.8, abs=0.1) and line[-1] == pytest.approx(-7.2, abs=0.1)


def test_a_catching_tendon_is_held_then_snaps_by_the_catch_distance():
    m = SnappingHipModel()
    apex, snap = m.apex_progress_pct, m.snap_progress_pct
    assert 0 < apex < snap < 100
    assert m.free_line_mm(apex) == pytest.approx(0, abs=1e-6)
    assert m.free_line_mm(snap) == pytest.approx(-CATCH_MM, abs=1e-6)
    before, after = m.state(snap - 0.5), m.state(snap + 0.5)
    assert before.phase == "caught" and before.tendon_mm == 0 and before.deflection_mm < -3.5
    assert after.phase == "snap" and after.tendon_mm == pytest.approx(after.free_mm)
    assert after.jump_mm == CATCH_MM
    assert m.state(10).phase == "sliding" and m.state(10).tendon_mm == pytest.approx(m.state(10).free_mm)
    assert m.state(100).phase == "settled"
    path = m.path(101)
    i = int(np.searchsorted(path["progress_pct"], snap))
    assert path["tendon_mm"][i] == 0 and path["tendon_mm"][i + 1] == pytest.approx(-CATCH_MM)


def test_a_gliding_tendon_never_snaps():
    m = SnappingHipModel(catch_mm=0)
    assert m.snap_progress_pct is None
    phases = {m.state(p).phase for p in range(0, 101, 5)}
    assert phases == {"sliding", "gliding"}
    assert all(m.state(p).jump_mm == 0 and m.state(p).deflection_mm == 0 for p in range(0, 101, 5))
    with pytest.raises(ValueError):
        SnappingHipModel(catch_mm=-1)


def test_bone_surface_and_tendon_position_by_hand():
    assert surface_mm(0) == pytest.approx(23.0)                   # top of the femoral head
    assert surface_mm(-19) == pytest.approx(13.0)                 # eminence: head there is sqrt(23²-19²) = 12.96
    assert surface_mm(30) == pytest.approx(snapping.RIM_DEPTH_MM)
    assert surface_mm(-33) == pytest.approx(snapping.RAMUS_DEPTH_MM)
    assert tendon_centre_mm(0) == pytest.approx((0.0, 27.0))      # resting on the top: 23 + 4 mm


def test_readout_says_what_happens_in_words_and_units():
    m = SnappingHipModel()
    assert describe(m.state(0)).startswith("0 % of the way: hip flexed 90°, abducted 45°, turned out 45°.")
    assert "26 mm outside (lateral of) its top" in describe(m.state(0))
    assert "Caught" in describe(m.state(80)) and "tension builds" in describe(m.state(80))
    assert "Snap!" in describe(m.state(m.snap_progress_pct + 1))
    assert "extended 10°, adducted 10°, turned in 10°" in describe(m.state(100))
    assert "12 mm from the iliopectineal eminence" in describe(m.state(100))
    glide = SnappingHipModel(0)
    assert "nothing snaps" in describe(glide.state(95))


def test_limitations_say_it_is_a_teaching_model_and_cite_the_ultrasound_study():
    text = " ".join(snapping.LIMITATIONS)
    assert "teaching model" in text and "Deslandes et al. 2008" in text and "14" in text


# ---------------------------------------------------------------------- the diagram
def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_moving_the_slider_changes_picture_and_readout():
    d = SnappingHipDiagram()
    png0, text0 = d.png, d.readout(d.state())
    png = d.set(progress=88)
    assert png != png0 and d.readout(d.state()) != text0
    assert "Snap!" in d.readout(d.state())
    assert d.snap_star.get_visible() and d.snap_word.get_visible()
    d.set(progress=50)
    assert not d.snap_star.get_visible()


def test_catching_and_gliding_hips_differ_after_the_apex_only():
    d = SnappingHipDiagram(progress=30)
    assert "slides inwards" in d.readout(d.state())
    p30 = d.png
    assert d.set(hip="glides") == p30 or "slides inwards" in d.readout(d.state())
    d.set(progress=80)
    assert "glides smoothly" in d.readout(d.state())
    d.set(hip="catches")
    assert "Caught" in d.readout(d.state()) and d.catch_arrow.get_visible()


def test_blitted_picture_matches_a_full_redraw():
    d = SnappingHipDiagram()
    for state in ({"progress": 40}, {"progress": 88}, {"hip": "glides"}, {"progress": 100}):
        d.set(**state)
    diff = np.abs(pixels(d.png) - pixels(d.naive_png(d.state()))).sum(axis=-1)
    assert (diff > 60).mean() < 0.002


@pytest.mark.parametrize("hip", ["catches", "glides"])
def test_no_label_overlaps_another_or_the_drawing_in_any_state(hip):
    d = SnappingHipDiagram(hip=hip)
    problems = []
    snap = d.models["catches"].snap_progress_pct
    for progress in sorted(set(range(0, 101, 4)) | {int(snap) + 1, 100}):
        d.set(progress=progress)
        problems += label_problems(d.figure, f"{hip} {progress} %")
    assert not problems, "\n".join(sorted(set(p.split(": ", 1)[1] for p in problems)))


def test_bad_values_are_value_errors():
    with pytest.raises(ValueError, match="catches"):
        SnappingHipDiagram(hip="sometimes")
    with pytest.raises(ValueError, match="percentage"):
        snapping_hip_model(progress=140)
    d = SnappingHipDiagram()
    with pytest.raises(ValueError, match="glides"):
        d.set(hip="wobbles")


def test_caption_alt_and_static_version_name_model_and_sources():
    d = SnappingHipDiagram(progress=88)
    assert d.caption.startswith("Teaching model, not a measurement.")
    for source in ("Delp et al. 1990", "Deslandes et al. 2008", "Gray 1918"):
        assert source in d.caption
    assert "assets/" not in d.caption and "assets/" not in d.readout(d.state())
    alt = d.alt(d.state())
    assert "snapping hip" in alt and "Snap!" in alt
    bundle = snapping_hip_model(progress=88)._repr_mimebundle_()
    assert "iliopsoas-diagram-snapping-hip" in bundle["text/html"] and "Snap!" in bundle["text/plain"]
