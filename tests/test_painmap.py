"""The "where it hurts" body map: data, shading per condition, readout and alt text."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iliopsoas.figures.painmap import REMINDER, PainMap, pain_map
from iliopsoas.models import pain_regions as painmap
from iliopsoas.models.pain_regions import ALL, CONDITIONS, REGIONS, regions_for

ROOT = Path(__file__).resolve().parent.parent

# What the course promises about each condition (checked against the sources in the data).
EXPECTED = {
    "bursitis_tendinopathy": {"groin": "main", "front_of_hip": "main", "front_of_thigh": "may_spread"},
    "snapping_hip": {"groin": "main", "front_of_hip": "main"},
    "psoas_syndrome": {"lower_back": "main", "buttock": "main", "groin": "main", "front_of_hip": "main",
                       "front_of_thigh": "may_spread"},
    "strain": {"groin": "main", "front_of_hip": "main"},
}
EXPECTED_SOURCES = {"bursitis_tendinopathy": {"anderson2016", "lifshitz2020"}, "snapping_hip": {"walker2021"},
                    "psoas_syndrome": {"tufo2012"}, "strain": {"serner2018"}}


def shaded(d: PainMap) -> dict[str, str]:
    """{region: level} of the region patches that are visible now."""
    out = {}
    for region, by_level in d.region_artists.items():
        on = [level for level, patch in by_level.items() if patch.get_visible()]
        assert len(on) <= 1, f"{region} is drawn at two levels at once"
        if on:
            out[region] = on[0]
    return out


def test_data_loads_with_sources_that_exist_in_the_references():
    data = painmap.load_regions()
    refs = yaml.safe_load((ROOT / "assets" / "references.yml").read_text(encoding="utf-8"))
    assert set(data["sources"]) <= set(refs)
    assert set(REGIONS) == {"lower_back", "buttock", "groin", "front_of_hip", "front_of_thigh"}
    for key, cond in data["conditions"].items():
        assert cond["sources"] and set(cond["sources"]) <= set(refs), key
        assert set(cond["sources"]) == EXPECTED_SOURCES[key]
        assert cond["regions"] == EXPECTED[key]
    assert {r["view"] for r in data["regions"].values()} == {"front", "back"}
    assert data["regions"]["lower_back"]["view"] == "back" and data["regions"]["groin"]["view"] == "front"


@pytest.mark.parametrize("condition", list(EXPECTED))
def test_each_condition_shades_exactly_its_regions(condition):
    d = PainMap(condition=condition)
    assert shaded(d) == EXPECTED[condition]
    for region, label in d.region_labels.items():
        assert label.get_visible() == (region in EXPECTED[condition])
    main = d.region_artists["groin"]["main"]
    assert main.get_facecolor()[3] > 0.3      # really shaded, not transparent


def test_all_conditions_shade_the_union_at_the_strongest_level():
    d = PainMap()
    assert d.state()["condition"] == ALL
    assert shaded(d) == {"lower_back": "main", "buttock": "main", "groin": "main", "front_of_hip": "main",
                         "front_of_thigh": "may_spread"}
    assert regions_for(None) == shaded(d)


def test_main_and_spread_areas_differ_in_hatching_outline_and_label():
    d = PainMap(condition="psoas_syndrome")
    main, spread = d.region_artists["groin"]["main"], d.region_artists["front_of_thigh"]["may_spread"]
    assert main.get_hatch() and spread.get_hatch() and main.get_hatch() != spread.get_hatch()
    assert main.get_linestyle() != spread.get_linestyle()
    assert d.region_labels["front_of_thigh"].get_text() == "Front of thigh (may spread)"
    assert d.region_labels["groin"].get_text() == "Groin"


def test_choosing_a_condition_changes_the_picture_and_the_readout():
    d = PainMap()
    png_all, text_all = d.png, d.readout(d.state())
    png = d.set(condition="snapping_hip")
    text = d.readout(d.state())
    assert png != png_all and text != text_all
    assert text.startswith("Internal snapping hip: mainly the groin and the front of the hip.")
    assert "click or snap" in text
    marker = d._feature[1]
    assert marker.get_visible() and "click or snap" in marker.get_text()
    d.set(condition="strain")
    assert not marker.get_visible()
    assert d.set(condition="snapping_hip") == png          # the cached picture is the same picture


def test_cached_picture_equals_a_fresh_map():
    d = PainMap()
    for condition in ["strain", "psoas_syndrome", ALL, "strain"]:
        d.set(condition=condition)
    assert d.png == PainMap(condition="strain").png


def test_readout_lists_the_regions_in_words_and_ends_with_the_reminder():
    d = PainMap(condition="psoas_syndrome")
    text = d.readout(d.state())
    for phrase in ("lower back", "buttock", "groin", "front of the hip", "may spread to the front of the thigh"):
        assert phrase in text
    assert text.endswith(REMINDER)
    assert "does not tell you its cause" in REMINDER and "red flags" in REMINDER and "start notebook" in REMINDER
    all_text = PainMap().readout({"condition": ALL})
    assert "groin: all four conditions" in all_text and "buttock: psoas syndrome" in all_text


def test_unknown_condition_is_a_value_error_listing_the_choices():
    with pytest.raises(ValueError, match="psoas_syndrome"):
        PainMap(condition="flu")
    with pytest.raises(ValueError, match="snapping_hip"):
        pain_map("sciatica")
    d = PainMap()
    with pytest.raises(ValueError, match="bursitis_tendinopathy"):
        d.set(condition="arthritis")


def test_condition_can_be_given_by_display_name():
    assert PainMap(condition="Iliopsoas strain").state()["condition"] == "strain"


def test_alt_text_names_the_shaded_regions():
    d = PainMap(condition="bursitis_tendinopathy")
    alt = d.alt(d.state())
    assert "front and back" in alt and "right side" in alt
    assert "the groin and the front of the hip" in alt and "may spread: the front of the thigh" in alt
    assert "buttock" not in alt


def test_controls_caption_and_static_version():
    d = PainMap()
    assert list(d.controls) == ["condition"]
    options = d.controls["condition"].options
    assert options[0] == ("All conditions", ALL)
    assert [v for _, v in options[1:]] == list(CONDITIONS)
    assert d.name == "pain-map"
    for short in ("Anderson 2016", "Lifshitz et al. 2020", "Walker et al. 2021", "Tufo", "Serner et al. 2018"):
        assert short in d.caption
    bundle = pain_map("strain")._repr_mimebundle_()
    assert "iliopsoas-diagram-pain-map" in bundle["text/html"] and "Iliopsoas strain" in bundle["text/plain"]


def test_sweep_cycles_through_every_condition():
    d = PainMap()
    states = d.sweep_states(50)
    assert {s["condition"] for s in states} == {ALL, *CONDITIONS}
    pngs = {d.set(**s) for s in states[:5]}
    assert len(pngs) == 5
