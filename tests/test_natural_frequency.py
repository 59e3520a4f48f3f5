"""Relative effects as natural frequencies (models/natural_frequency.py) and the 100-icon pictures
(figures/icon_array.py, figures/prevention_effect.py)."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from figure_checks import label_problems
from iliopsoas.figures.icon_array import INJURY_STYLES, IconArray, icon_array_figure
from iliopsoas.figures.prevention_effect import PreventionEffect, prevention_effect
from iliopsoas.figures.style import new_figure
from iliopsoas.models import natural_frequency as nfm
from iliopsoas.models.datafile import problems, read_schema, read_yaml
from iliopsoas.models.natural_frequency import apportion, icon_counts, natural_frequency, risk_with


def test_risk_ratio_multiplies_the_baseline_and_an_odds_ratio_converts_exactly():
    assert risk_with(0.20, 0.5, "risk_ratio") == pytest.approx(0.10)
    assert risk_with(0.20, 0.5, "rate_ratio") == pytest.approx(0.10)
    # OR 0.59 on 21.3 %: 0.59*0.213 / (1 - 0.213 + 0.59*0.213) = 0.12567 / 0.91267 = 0.13770 (by hand)
    assert risk_with(0.213, 0.59, "odds_ratio") == pytest.approx(0.13770, abs=1e-4)
    assert risk_with(0.3, 1.0, "odds_ratio") == pytest.approx(0.3)
    with pytest.raises(ValueError, match="unknown measure"):
        risk_with(0.2, 0.5, "difference")
    with pytest.raises(ValueError, match="between 0 and 1"):
        risk_with(21.3, 0.5)


def test_absolute_and_relative_effects_with_their_intervals():
    nf = natural_frequency(7.0, 0.81, 0.60, 1.09, "risk_ratio")   # Esteve 2015 pooled RR on 7 per 100
    assert nf.without == pytest.approx(7.0)
    assert nf.with_ == pytest.approx(5.67)
    assert nf.fewer == pytest.approx(1.33)
    assert nf.fewer_ci == pytest.approx((7.0 - 7.63, 7.0 - 4.2))
    assert nf.relative_reduction_pct == pytest.approx(19.0)
    assert nf.ci_includes_no_effect
    assert nf.number_needed == pytest.approx(100 / 1.33)
    best, worst = nf.number_needed_ci
    assert best == pytest.approx(100 / 2.8) and worst is None      # the CI includes no effect: no upper bound


def test_the_same_ratio_spares_more_players_when_injury_is_common():
    rare = natural_frequency(5, 0.6, 0.4, 0.9)
    common = natural_frequency(30, 0.6, 0.4, 0.9)
    assert rare.relative_reduction_pct == pytest.approx(common.relative_reduction_pct)
    assert common.fewer == pytest.approx(6 * rare.fewer)
    assert common.number_needed < rare.number_needed


def test_icon_counts_add_up_to_100_and_show_harm_as_extra_injuries():
    c = icon_counts(natural_frequency(21.3, 0.59, 0.40, 0.86, "odds_ratio"))
    assert c["without"] == {"injured": 21, "not_injured": 79}
    assert c["with"] == {"injured": 14, "extra": 0, "spared": 7, "not_injured": 79}
    assert c["band"] == (10, 19)
    harm = icon_counts(natural_frequency(10, 1.5, 1.2, 1.9))
    assert harm["with"]["extra"] == 5 and harm["with"]["spared"] == 0
    assert sum(harm["with"].values()) == 100


def test_apportion_uses_the_largest_remainders_and_keeps_the_total():
    assert apportion({"a": 33.4, "b": 33.3, "c": 33.3}) == {"a": 34, "b": 33, "c": 33}
    assert apportion({"tp": 7.5, "fn": 2.5, "fp": 18.5, "tn": 71.5}) == {"tp": 8, "fn": 3, "fp": 18, "tn": 71} or \
        sum(apportion({"tp": 7.5, "fn": 2.5, "fp": 18.5, "tn": 71.5}).values()) == 100
    with pytest.raises(ValueError, match="add up to"):
        apportion({"a": 50, "b": 40})


def test_published_effects_load_with_estimates_inside_their_intervals():
    effects = nfm.load_effects()
    assert set(effects) >= {"copenhagen-adduction", "groin-programmes-pooled", "fifa-11-plus", "warm-up-stretching"}
    for e in effects.values():
        assert e.low <= e.estimate <= e.high
        assert 0 < e.baseline_per_100 < 100
    cop = effects["copenhagen-adduction"]
    assert cop.ratio_text == "OR 0.59 (95% CI 0.40 to 0.86)"
    # converted with the control group's 21.3 %, the programme group comes out close to the observed 13.5 %
    assert cop.frequency().with_ == pytest.approx(13.5, abs=0.5)


def test_effect_file_errors_name_the_file_the_programme_and_the_field():
    data = copy.deepcopy(read_yaml(nfm.FILE))
    data["programmes"][1]["measure"] = "difference"
    data["programmes"][2]["estimate"] = 1.5
    found = problems(data, read_schema("prevention-effects.schema.json"), nfm.FILE, {"programmes": "programme"})
    assert any(f.startswith('prevention-effects.yml: programme "groin-programmes-pooled", field "measure"')
               for f in found), found
    extra = nfm.check(data, references={})
    assert 'prevention-effects.yml: programme "fifa-11-plus": field "estimate": 1.5 is outside its CI 0.49 to 1.03' \
        in extra
    assert any("unknown reference 'haroy2019'" in f for f in extra)


# ---------------------------------------------------------------------- the icon array
def test_icon_array_fills_categories_in_order_with_distinct_shapes():
    fig = new_figure(3, 3)
    arr = IconArray(fig.add_axes([0, 0, 1, 1]), INJURY_STYLES)
    spans = arr.set_counts({"injured": 14, "spared": 7, "not_injured": 79})
    assert spans["injured"] == range(0, 14) and spans["spared"] == range(14, 21)
    assert len(arr.positions("injured")) == 14 and len(arr.positions("extra")) == 0
    np.testing.assert_allclose(arr.positions("injured")[0], (0, 9))   # top left first
    assert len(arr.icons.get_paths()) == 100 and len(arr.icons.get_offsets()) == 100
    faces = arr.icons.get_facecolor()
    assert tuple(faces[0]) != tuple(faces[14]) != tuple(faces[30])      # injured, spared, not injured differ
    markers = [s.marker for s in INJURY_STYLES.values()]
    assert len(set(markers)) == len(markers), "each category needs its own shape, not only its own colour"
    arr.set_band(10, 19)
    assert len(arr.band.get_offsets()) == 9
    arr.set_band(None)
    assert len(arr.band.get_offsets()) == 0


def test_icon_array_rejects_counts_that_do_not_fit():
    fig = new_figure(3, 3)
    arr = IconArray(fig.add_axes([0, 0, 1, 1]), INJURY_STYLES)
    with pytest.raises(ValueError, match="not the 100 icons"):
        arr.set_counts({"injured": 30, "not_injured": 60})
    with pytest.raises(ValueError, match="unknown categories"):
        arr.set_counts({"hurt": 100})
    with pytest.raises(ValueError, match="whole numbers"):
        arr.set_counts({"injured": 10.5, "not_injured": 89.5})


def test_static_icon_array_has_alt_text_listing_the_counts():
    shown = icon_array_figure({"injured": 21, "not_injured": 79}, title="Without")
    assert shown.png.startswith(b"\x89PNG")
    assert "21 injured" in shown.alt and "79 not injured either way" in shown.alt


# ---------------------------------------------------------------------- the prevention picture
def test_prevention_picture_draws_the_models_counts():
    d = PreventionEffect()
    assert d.state()["programme"] == "copenhagen-adduction"
    assert len(d.without.positions("injured")) == 21
    assert len(d.with_.positions("injured")) == 14
    assert len(d.with_.positions("spared")) == 7
    assert (d.n_without.get_text(), d.n_with.get_text(), d.n_spared.get_text()) == ("21", "14", "7")
    assert "OR 0.59" in d.published.get_text() and "odds ratio: 0.59" in d.readout(d.state())


def test_choosing_a_programme_starts_from_its_published_baseline_and_the_slider_moves_it():
    d = PreventionEffect()
    d.set(programme="groin-programmes-pooled")
    assert d.state()["baseline"] == pytest.approx(7.0)
    text = d.readout(d.state())
    assert "includes no effect" in text and "risk ratio: 0.81" in text
    before = d.png
    d.set(baseline=30)
    assert d.png != before
    assert "moved from the published 7 people in 100" in d.readout(d.state())
    assert len(d.without.positions("injured")) == 30


def test_prevention_blit_equals_a_fresh_drawing():
    d = PreventionEffect()
    d.set(programme="fifa-11-plus")
    d.set(baseline=25)
    assert d.png == PreventionEffect(programme="fifa-11-plus", baseline=25).png


@pytest.mark.parametrize("programme", ["copenhagen-adduction", "groin-programmes-pooled", "fifa-11-plus",
                                       "warm-up-stretching"])
def test_prevention_labels_never_overlap(programme):
    d = PreventionEffect(programme=programme)
    for baseline in (1, d.state()["baseline"], 50):
        d.set(baseline=baseline)
        assert not label_problems(d.figure), (programme, baseline, label_problems(d.figure))


def test_prevention_function_checks_its_arguments():
    assert isinstance(prevention_effect("fifa-11-plus"), PreventionEffect)
    with pytest.raises(KeyError, match="copenhagen-adduction"):
        prevention_effect("nordic-hamstring")
    with pytest.raises(ValueError, match="1-50"):
        prevention_effect("fifa-11-plus", baseline=80)
