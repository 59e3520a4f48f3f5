"""Anatomy figures: drawn from landmark data, labelled, highlightable, and the explorer."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from iliopsoas.models.landmarks import landmark_data
import yaml
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.text import Annotation, Text

from iliopsoas.figures import anatomy
from iliopsoas.figures.anatomy import AnatomyExplorer, anatomy_explorer, anatomy_figure, draw_anatomy, marker_figure
from iliopsoas.models import landmarks
from iliopsoas.models.landmarks import STRUCTURE_VIEWS, STRUCTURES
from iliopsoas.quiz import banks

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_KEYS = {"psoas_major", "psoas_minor", "iliacus", "common_tendon", "lesser_trochanter",
                 "greater_trochanter", "iliopsoas_bursa", "femoral_nerve", "lumbar_vertebrae", "sacrum",
                 "iliac_crest", "iliac_fossa", "asis", "aiis", "pelvic_brim", "inguinal_ligament",
                 "hip_joint", "femur"}


def references() -> dict:
    return yaml.safe_load((ROOT / "assets" / "references.yml").read_text(encoding="utf-8"))


def labels_of(ax) -> dict[str, Annotation]:
    return {t.get_gid().split(":", 1)[1]: t for t in ax.texts
            if isinstance(t, Annotation) and (t.get_gid() or "").startswith("label:")}


def lies_on(point, artists, tol=0.6) -> bool:
    """Whether a data point is inside one of the patches or within ``tol`` cm of one of the lines."""
    p = np.asarray(point, dtype=float)
    for a in artists:
        if isinstance(a, PathPatch) and a.get_path().contains_point(p):
            return True
        if isinstance(a, Line2D) and a.get_gid() != "fibre":
            xy = a.get_xydata()
            for q0, q1 in zip(xy[:-1], xy[1:]):
                d = q1 - q0
                t = np.clip(np.dot(p - q0, d) / max(np.dot(d, d), 1e-12), 0, 1)
                if np.hypot(*(q0 + t * d - p)) <= tol:
                    return True
    return False


def structure_patches(arts):
    return [a for a in arts if isinstance(a, PathPatch)]


# ---------------------------------------------------------------------- data
def test_landmark_data_loads_with_its_citation_and_method():
    data = landmarks.load_landmarks()
    refs = references()
    assert data["source"] == "gray1918" and "gray1918" in refs
    assert data["units"] == "cm"
    assert "schematic" in data["method"].lower() and "centimetres" in data["method"]
    for key, info in data["structures"].items():
        assert set(info["sources"]) <= set(refs), key
        assert info["fact"].strip() and info["name"] == STRUCTURES[key]


def test_structure_keys_are_exactly_the_contract_keys():
    assert set(STRUCTURES) == CONTRACT_KEYS
    assert STRUCTURES["psoas_major"] == "Psoas major"
    assert STRUCTURES["asis"] == "Anterior superior iliac spine (ASIS)"
    assert all(set(views) <= {"anterior", "side"} and views for views in STRUCTURE_VIEWS.values())


def test_known_structures_of_the_banks_are_the_anatomy_keys():
    assert banks.known_structures() == set(STRUCTURES)


def test_outlines_are_built_from_named_landmarks():
    data = landmarks.load_landmarks()
    geo = data["views"]["anterior"]["structures"]
    assert "L3.tp_tip" in str(geo["psoas_major"]["shapes"])      # psoas from the transverse processes
    assert "crest_top" in str(geo["iliacus"]["shapes"])          # iliacus from the iliac crest
    assert "asis" in str(geo["inguinal_ligament"]["shapes"]) and "pubic_tubercle" in str(
        geo["inguinal_ligament"]["shapes"])
    marks = anatomy._landmarks("anterior")
    # moving a landmark moves the drawn ligament
    arts = draw_anatomy(view="anterior", labels=False)
    ends = {tuple(np.round(a.get_xydata()[0], 3)) for a in arts["inguinal_ligament"]}
    assert tuple(np.round(marks["asis"], 3)) in ends


# ---------------------------------------------------------------------- drawing
@pytest.mark.parametrize("view", ["anterior", "side"])
def test_every_structure_is_drawn_in_the_views_the_data_lists(view):
    arts = draw_anatomy(view=view)
    expected = {k for k, views in STRUCTURE_VIEWS.items() if view in views}
    assert set(arts) == expected
    ax = next(iter(arts.values()))[0].axes
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for key in expected:
        assert arts[key], key
        assert all(a.get_visible() for a in arts[key]), key
        for a in arts[key]:
            if isinstance(a, PathPatch):
                ext = a.get_path().get_extents()
                assert x0 <= ext.x0 and ext.x1 <= x1 and y0 <= ext.y0 and ext.y1 <= y1, key


@pytest.mark.parametrize("view", ["anterior", "side"])
def test_every_label_is_present_and_points_at_its_structure(view):
    arts = draw_anatomy(view=view)
    ax = next(iter(arts.values()))[0].axes
    labels = labels_of(ax)
    assert set(labels) == set(arts)
    for key, ann in labels.items():
        assert ann.get_text().replace("\n", " ") == STRUCTURES[key] or (
            ann.get_text().replace("\n", " ").startswith(STRUCTURES[key].split(" (")[0])), key
        assert lies_on(ann.xy, arts[key]), f"{key}: label arrow ends at {ann.xy}, not on the structure"
        assert ann.get_fontsize() >= 8


@pytest.mark.parametrize("view", ["anterior", "side"])
def test_labels_do_not_overlap_each_other_or_cover_any_structure(view):
    arts = draw_anatomy(view=view)
    ax = next(iter(arts.values()))[0].axes
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # the text boxes only (an Annotation's own extent includes its arrow)
    boxes = {k: Text.get_window_extent(a, renderer) for k, a in labels_of(ax).items()}
    keys = list(boxes)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            assert not boxes[a].overlaps(boxes[b]), f"labels {a} and {b} overlap"
    inside = {k for k, geo in landmark_data()["views"][view]["structures"].items()
              if geo.get("label", {}).get("inside")}   # labelled on the structure itself, by design
    for key, artists in arts.items():
        for artist in structure_patches(artists):
            ext = artist.get_window_extent(renderer)
            for lab, box in boxes.items():
                if lab == key and key in inside:
                    continue
                assert not box.overlaps(ext), f"label {lab} covers {key}"
    assert all(box.x0 >= 0 and box.x1 <= fig.bbox.width for box in boxes.values())


def test_highlight_thickens_hatches_and_bolds_only_that_structure():
    plain = draw_anatomy(view="anterior")
    lit = draw_anatomy(view="anterior", highlight="iliacus")
    p0, p1 = structure_patches(plain["iliacus"])[0], structure_patches(lit["iliacus"])[0]
    assert p0.get_linewidth() < 2 and p0.get_hatch() != anatomy.HIGHLIGHT_HATCH
    assert p1.get_linewidth() == anatomy.HIGHLIGHT_LW and p1.get_hatch() == anatomy.HIGHLIGHT_HATCH
    psoas = structure_patches(lit["psoas_major"])[0]
    assert psoas.get_hatch() != anatomy.HIGHLIGHT_HATCH and psoas.get_alpha() == anatomy.MUTED_ALPHA
    labels = labels_of(p1.axes)
    assert labels["iliacus"].get_fontweight() == "bold"
    assert labels["psoas_major"].get_fontweight() == "normal"
    nerve = [a for a in lit["femoral_nerve"] if isinstance(a, Line2D)]
    assert all(a.get_alpha() == pytest.approx(0.35) for a in nerve)


def test_highlighting_a_line_structure_makes_it_thicker():
    plain = draw_anatomy(view="side", labels=False)["inguinal_ligament"][0]
    lit = draw_anatomy(view="side", labels=False, highlight="inguinal_ligament")["inguinal_ligament"][0]
    assert lit.get_linewidth() >= 2 * plain.get_linewidth() - 1e-9
    assert lit.get_path_effects()


def test_highlight_accepts_a_list_of_structures():
    arts = draw_anatomy(view="side", highlight=["asis", "aiis"])
    for key in ("asis", "aiis"):
        assert structure_patches(arts[key])[0].get_hatch() == anatomy.HIGHLIGHT_HATCH
    assert structure_patches(arts["sacrum"])[0].get_hatch() != anatomy.HIGHLIGHT_HATCH


def test_psoas_minor_switch_removes_it_from_the_figure():
    with_minor = draw_anatomy(view="anterior")
    without = draw_anatomy(view="anterior", psoas_minor=False)
    assert with_minor["psoas_minor"]
    assert "psoas_minor" not in without
    ax = next(iter(without.values()))[0].axes
    assert "psoas_minor" not in labels_of(ax)
    assert not any("Psoas minor" in t.get_text() for t in ax.texts)
    assert anatomy_figure(psoas_minor=False).png != anatomy_figure().png


def test_figure_has_alt_text_and_caption_that_name_the_highlight():
    fd = anatomy_figure(view="side", highlight="common_tendon")
    assert fd.png.startswith(b"\x89PNG")
    assert "Highlighted: Common (iliopsoas) tendon" in fd.alt
    assert "side view" in fd.alt and "front of the body on the right" in fd.alt
    assert "Gray 1918" in fd.caption and "Lifshitz" in fd.caption and "schematic" in fd.caption.lower()
    assert 'alt="' in fd._repr_html_()
    no_minor = anatomy_figure(psoas_minor=False, labels=False)
    assert "Psoas minor is left out" in no_minor.alt and "Labelled" not in no_minor.alt


def test_figures_use_readable_text_and_an_opaque_white_background():
    fd = anatomy_figure(view="anterior", highlight="psoas_major")
    fig = fd.figure
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    sizes = [t.get_fontsize() for ax in fig.axes for t in ax.texts]
    assert sizes and min(sizes) >= 8


# ---------------------------------------------------------------------- marker figures
def test_marker_figure_numbers_each_structure_without_naming_it():
    keys = ["psoas_major", "lesser_trochanter", "iliopsoas_bursa", "inguinal_ligament"]
    fd = marker_figure("anterior", keys)
    ax = fd.figure.axes[0]
    markers = sorted((t for t in ax.texts if (t.get_gid() or "").startswith("marker:")),
                     key=lambda t: int(t.get_text()))
    assert [m.get_text() for m in markers] == ["1", "2", "3", "4"]
    arts = ax._iliopsoas_scene.artists
    for marker, key in zip(markers, keys):
        assert marker.get_gid() == f"marker:{marker.get_text()}:{key}"
        assert lies_on(marker.xy, arts[key]), key
    assert not labels_of(ax)
    assert "4 numbered markers" in fd.alt
    low = fd.alt.lower()
    for name in STRUCTURES.values():
        assert name.lower() not in low
    for word in ("psoas", "iliacus", "trochanter", "bursa", "ligament", "nerve", "tendon"):
        assert word not in low


def test_marker_figure_works_for_every_structure_in_the_side_view():
    fd = marker_figure("side", list(STRUCTURES))
    ax = fd.figure.axes[0]
    fd.figure.canvas.draw()
    renderer = fd.figure.canvas.get_renderer()
    markers = [t for t in ax.texts if (t.get_gid() or "").startswith("marker:")]
    assert len(markers) == len(STRUCTURES)
    boxes = [m.get_bbox_patch().get_window_extent(renderer) for m in markers]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1:])


def test_marker_figure_rejects_bad_requests():
    with pytest.raises(ValueError, match="psoas_major"):
        marker_figure("anterior", ["psoas"])
    with pytest.raises(ValueError, match="anterior, side"):
        marker_figure("top", ["psoas_major"])
    with pytest.raises(ValueError, match="twice"):
        marker_figure("side", ["femur", "femur"])


# ---------------------------------------------------------------------- errors
def test_bad_arguments_are_value_errors_naming_the_choices():
    with pytest.raises(ValueError, match="anterior, side"):
        draw_anatomy(view="posterior")
    with pytest.raises(ValueError, match="psoas_major"):
        anatomy_figure(highlight="psoas")
    with pytest.raises(ValueError, match="anterior, side"):
        AnatomyExplorer(view="back")
    with pytest.raises(ValueError, match="'none'"):
        anatomy_explorer(highlight="quadriceps")
    d = AnatomyExplorer()
    with pytest.raises(ValueError, match="iliacus"):
        d.set(highlight="glutes")


# ---------------------------------------------------------------------- explorer
def test_explorer_controls_follow_the_contract():
    d = AnatomyExplorer()
    assert list(d.controls) == ["view", "highlight", "psoas_minor"]
    assert [v for _, v in d.controls["view"].options] == ["anterior", "side"]
    options = d.controls["highlight"].options
    assert options[0] == ("none", "none")
    assert [label for label, _ in options[1:]] == list(STRUCTURES.values())
    assert d.controls["psoas_minor"].description == "Psoas minor present"
    assert d.name == "anatomy" and "Gray 1918" in d.caption


def test_explorer_set_changes_the_picture_and_the_readout():
    d = AnatomyExplorer()
    png0, text0 = d.png, d.readout(d.state())
    assert "Nothing highlighted" in text0 and "Psoas minor is shown" in text0
    png1 = d.set(highlight="psoas_major")
    text1 = d.readout(d.state())
    assert png1 != png0
    assert "Highlighted: Psoas major" in text1 and "T12" in text1 and "lesser trochanter" in text1
    assert "Highlighted: Psoas major" in d.alt(d.state())
    png2 = d.set(view="side")
    assert png2 != png1 and d.readout(d.state()).startswith("Side view")
    d.set(psoas_minor=False)
    assert "Psoas minor is hidden" in d.readout(d.state())
    scene = d.scenes["side"]
    assert not any(a.get_visible() for a in scene.artists["psoas_minor"])
    assert not scene.labels["psoas_minor"].get_visible()
    d.set(highlight="psoas_minor")
    assert "switched off" in d.readout(d.state())
    assert not any(c.get_visible() for c in d.overlays["side"]["psoas_minor"])


def test_explorer_highlight_draws_a_hatched_overlay_and_bold_label():
    d = AnatomyExplorer(highlight="iliacus")
    copies = d.overlays["anterior"]["iliacus"]
    patches = [c for c in copies if isinstance(c, PathPatch)]
    assert patches and all(c.get_visible() for c in copies)
    assert all(p.get_hatch() == anatomy.HIGHLIGHT_HATCH and p.get_linewidth() == anatomy.HIGHLIGHT_LW
               for p in patches)
    label = [c for c in copies if isinstance(c, Annotation)][0]
    assert label.get_text() == "Iliacus" and label.get_fontweight() == "bold"
    assert d.veils["anterior"].get_visible() and not d.veils["side"].get_visible()
    others = [c for k, cs in d.overlays["anterior"].items() if k != "iliacus" for c in cs]
    assert not any(c.get_visible() for c in others)


def test_explorer_picture_equals_a_fresh_explorer_in_the_same_state():
    d = AnatomyExplorer()
    d.set(view="side")
    d.set(highlight="iliacus")
    d.set(psoas_minor=False)
    d.set(view="anterior")
    d.set(view="side")
    fresh = AnatomyExplorer(view="side", highlight="iliacus", psoas_minor=False)
    assert d.png == fresh.png


def test_explorer_sweep_visits_both_views():
    d = AnatomyExplorer()
    states = d.sweep_states(50)
    assert len(states) == 50 and {s["view"] for s in states} == {"anterior", "side"}
    pngs = {d.set(**s) for s in states[:4]}
    assert len(pngs) == 2 and d.updates == 4
    assert d.naive_png(states[1]).startswith(b"\x89PNG")


def test_anatomy_explorer_shows_a_widget_with_a_static_version():
    shown = anatomy_explorer(view="side", highlight="femoral_nerve")
    bundle = shown._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Highlighted: Femoral nerve" in bundle["text/html"]
    assert "Highlighted: Femoral nerve" in bundle["text/plain"]
    assert "iliopsoas-diagram-anatomy" in bundle["text/html"]


def test_explorer_texts_are_readable():
    d = AnatomyExplorer()
    sizes = [t.get_fontsize() for ax in d.figure.axes for t in ax.texts if isinstance(t, Text)]
    assert min(sizes) >= 8
