"""Lesson 03's conditions: the data file and its checks (iliopsoas/models/conditions.py), and the condition
explorer that shows two of them side by side (iliopsoas/figures/condition_explorer.py)."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from iliopsoas.figures.condition_explorer import ConditionExplorer, condition_explorer
from iliopsoas.models import conditions as cmod
from iliopsoas.models.conditions import CONDITIONS, ConditionsError, condition, load_conditions, validate
from iliopsoas.models.pain_regions import REGIONS
from iliopsoas.redflags import load_red_flags
from text_extents import label_problems

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "assets" / "conditions.yml"
FLAG_IDS = {f["id"] for t in load_red_flags()["tiers"] for f in t["flags"]}


def raw():
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------- the data
def test_the_lesson_covers_the_conditions_the_issue_names():
    assert {"iliopsoas_related_groin_pain", "bursitis", "tendinopathy", "snapping_hip", "strain",
            "avulsion_adolescent", "avulsion_adult", "impingement_after_replacement", "labral_impingement",
            "haematoma", "abscess", "psoas_syndrome"} <= set(CONDITIONS)


def test_every_condition_is_complete_and_points_at_things_that_exist():
    refs = yaml.safe_load((ROOT / "assets" / "references.yml").read_text(encoding="utf-8"))
    for key, c in load_conditions().items():
        assert c.pain and set(c.pain) <= set(REGIONS), key
        assert set(c.red_flags) <= FLAG_IDS, key
        assert c.sources and set(c.sources) <= set(refs), key
        assert c.kind in cmod.KINDS
    assert condition("psoas_syndrome").kind == "label"
    assert {condition(k).kind for k in ("abscess", "haematoma", "avulsion_adult")} == {"serious"}


def test_serious_conditions_carry_their_red_flags():
    assert "fever" in condition("abscess").red_flags
    assert "anticoagulant-bleed" in condition("haematoma").red_flags
    assert {"cancer-history", "night-pain"} <= set(condition("avulsion_adult").red_flags)
    assert "adolescent-limp" in condition("avulsion_adolescent").red_flags


def test_the_course_file_is_valid():
    assert validate(raw()) == []


def write(tmp_path, data, name="conditions.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["conditions"]["bursitis"].pop("onset"),
     'conditions.yml: condition "bursitis", field "onset": missing (required)'),
    (lambda d: d["conditions"]["abscess"].__setitem__("kind", "scary"),
     'conditions.yml: condition "abscess", field "kind": \'scary\' is not one of'),
    (lambda d: d["conditions"]["strain"]["pain"].__setitem__("knee", "main"),
     'conditions.yml: condition "strain", field "pain": unknown region \'knee\''),
    (lambda d: d["conditions"]["strain"]["pain"].__setitem__("groin", "everywhere"),
     'conditions.yml: condition "strain", field "pain", key "groin": \'everywhere\' is not one of'),
    (lambda d: d["conditions"]["haematoma"]["red_flags"].append("bleeding"),
     'conditions.yml: condition "haematoma", field "red_flags": unknown red flag \'bleeding\''),
    (lambda d: d["conditions"]["haematoma"].__setitem__("sources", ["nobody2099"]),
     'conditions.yml: condition "haematoma", field "sources": unknown reference \'nobody2099\''),
    (lambda d: d["conditions"]["tendinopathy"].__setitem__("course", "x" * 400),
     'conditions.yml: condition "tendinopathy", field "course": '),
    (lambda d: d["conditions"].__setitem__("Bad id", d["conditions"]["bursitis"]),
     'conditions.yml: condition "Bad id": ids are lower-case letters, digits and _'),
])
def test_a_bad_file_names_the_file_the_condition_and_the_field(tmp_path, change, expected):
    data = raw()
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(ConditionsError) as info:
        load_conditions(path)
    assert expected in str(info.value), str(info.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    data = raw()
    data["conditions"]["bursitis"].pop("onset")
    data["conditions"]["strain"]["red_flags"] = ["nope"]
    data["conditions"]["abscess"]["pain"] = {"elbow": "main"}
    problems = validate(data)
    assert len(problems) == 3 and all(p.startswith("conditions.yml: condition ") for p in problems)


def test_broken_yaml_and_a_missing_file_are_clear_errors(tmp_path):
    bad = tmp_path / "conditions.yml"
    bad.write_text("conditions:\n  bursitis: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConditionsError, match=r"conditions.yml: is not valid YAML at line \d+"):
        load_conditions(bad)
    with pytest.raises(ConditionsError, match="conditions.yml: not found"):
        load_conditions(tmp_path / "nowhere" / "conditions.yml")
    with pytest.raises(KeyError, match="bursitis"):
        condition("gout")


# ---------------------------------------------------------------------- the explorer
def shaded(d, side):
    out = {}
    for region, levels in d.patches[side].items():
        on = [lv for lv, p in levels.items() if p.get_visible()]
        assert len(on) <= 1
        if on:
            out[region] = on[0]
    return out


@pytest.mark.parametrize("key", list(CONDITIONS))
def test_each_condition_shades_exactly_its_regions_on_either_side(key):
    d = ConditionExplorer(a=key, b="abscess")
    assert shaded(d, "a") == condition(key).pain
    assert {r for r, lab in d.labels["a"].items() if lab.get_visible()} == set(condition(key).pain)
    d.set(a="bursitis", b=key)
    assert shaded(d, "b") == condition(key).pain
    assert d.headings["b"][0].get_text() == f"B · {condition(key).name}"


def test_the_table_puts_both_conditions_side_by_side_with_their_red_flags():
    d = ConditionExplorer(a="haematoma", b="abscess")
    table = d.table_html(d.state())
    for text in ("A · Iliopsoas haematoma", "B · Psoas abscess", "Typical person", "Key finding",
                 "How sure we are", "Red flags", "⚠ Same day: Pain with the hip held bent on blood thinners",
                 "⚠ Same day: Fever or feeling unwell with the pain",
                 "Decker et al. 2022", "Wong, Ho &amp; Lam 2013"):
        assert text in table, text
    assert "None specific" in d.table_html({"a": "tendinopathy", "b": "bursitis"})
    html = d._readout_html(d.state())
    assert 'aria-live="polite"' in html and "not a diagnosis" in d.caption


def test_choosing_a_condition_changes_picture_readout_and_table():
    d = ConditionExplorer()
    png, text = d.png, d.readout(d.state())
    d.set(a="psoas_syndrome")
    assert d.png != png and d.readout(d.state()) != text
    assert "lower back" in d.readout(d.state()) and "Bladder or bowel changes (cauda equina)" in d.readout(d.state())


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_cached_halves_give_the_same_picture_as_a_fresh_explorer():
    d = ConditionExplorer()
    for a, b in [("strain", "abscess"), ("psoas_syndrome", "strain"), ("bursitis", "psoas_syndrome"),
                 ("strain", "snapping_hip")]:
        d.set(a=a, b=b)
    assert np.array_equal(pixels(d.png), pixels(ConditionExplorer(a="strain", b="snapping_hip").png))
    diff = np.abs(pixels(d.png) - pixels(d.naive_png(d.state()))).sum(axis=-1)
    assert (diff > 60).mean() < 0.002


def test_no_label_overlaps_another_or_the_drawing_for_any_condition():
    d = ConditionExplorer()
    problems = []
    for key in CONDITIONS:
        d.set(a=key, b="abscess")
        problems += label_problems(d.figure, f"A={key}")
        d.set(a="bursitis", b=key)
        problems += label_problems(d.figure, f"B={key}")
    longest = max(CONDITIONS, key=lambda k: len(CONDITIONS[k]))
    d.set(a=longest, b=longest)
    problems += label_problems(d.figure, "longest names")
    assert not problems, "\n".join(sorted(set(problems)))


def test_unknown_conditions_are_value_errors_naming_the_choices():
    with pytest.raises(ValueError, match="bursitis"):
        ConditionExplorer(a="gout")
    with pytest.raises(ValueError, match="abscess"):
        condition_explorer(b="flu")
    d = ConditionExplorer()
    with pytest.raises(ValueError, match="haematoma"):
        d.set(a="sprain")


def test_static_version_carries_picture_alt_and_table():
    bundle = condition_explorer("snapping_hip", "strain")._repr_mimebundle_()
    assert "iliopsoas-diagram-condition-explorer" in bundle["text/html"]
    assert "<table" in bundle["text/html"] and "Internal snapping hip" in bundle["text/html"]
    assert "Iliacus or psoas strain" in bundle["text/plain"]
    d = ConditionExplorer()
    assert "assets/" not in d.readout(d.state()) and "Two pairs of schematic body outlines" in d.alt(d.state())


def test_caption_names_sources_not_file_paths():
    d = ConditionExplorer()
    assert "assets/" not in d.caption and "Finucane et al. 2020" in d.caption and "not a diagnosis" in d.caption


def test_more_detail_adds_rows_to_the_table_but_not_to_the_picture():
    d = ConditionExplorer(a="snapping_hip", b="strain")
    png, short = d.png, d.table_html(d.state())
    assert "What the person notices" not in short and "Course over time" not in short
    d.set(detail=True)
    full = d.table_html(d.state())
    assert "What the person notices" in full and "Course over time" in full and d.png == png
    assert "Course over time" in d.static_html()
