"""Test-accuracy model (lesson 04): likelihood ratios and Bayes against hand-computed values,
the published post-test figures it must reproduce, its data file, and clear messages for bad input."""
from __future__ import annotations

import math

import pytest
import yaml

from iliopsoas.models import test_accuracy as ta
from iliopsoas.models.test_accuracy import AccuracyInputError


def test_likelihood_ratios_by_hand():
    # sensitivity 0.9, specificity 0.8: LR+ = 0.9 / 0.2 = 4.5; LR- = 0.1 / 0.8 = 0.125
    lr_pos, lr_neg = ta.likelihood_ratios(0.9, 0.8)
    assert lr_pos == pytest.approx(4.5)
    assert lr_neg == pytest.approx(0.125)


def test_post_test_probability_by_hand():
    # pre-test 0.25 -> odds 1/3; x 4.5 = 1.5 -> probability 1.5 / 2.5 = 0.6
    assert ta.post_test_probability(0.25, 4.5) == pytest.approx(0.6)
    # pre-test 0.25, LR- 0.125: odds 1/3 x 0.125 = 1/24 -> 1/25 = 0.04
    assert ta.post_test_probability(0.25, 0.125) == pytest.approx(0.04)
    # LR 1 changes nothing; an infinite LR gives certainty
    assert ta.post_test_probability(0.37, 1.0) == pytest.approx(0.37)
    assert ta.post_test_probability(0.37, math.inf) == 1.0


def test_odds_round_trip():
    for p in (0.01, 0.2, 0.5, 0.9, 0.999):
        assert ta.probability_from_odds(ta.odds(p)) == pytest.approx(p)
    assert ta.odds(0.8) == pytest.approx(4.0)


def test_vigotsky_thomas_test_figures_give_a_positive_lr_below_one():
    # Vigotsky 2016: sensitivity 31.82 % (7 of 22), specificity 57.14 % (4 of 7).
    test = ta.get_test("thomas-unmeasured-pelvis")
    assert test.sensitivity == pytest.approx(7 / 22, abs=1e-4)
    assert test.specificity == pytest.approx(4 / 7, abs=1e-4)
    lr_pos, lr_neg = test.likelihood_ratios
    assert lr_pos == pytest.approx((7 / 22) / (3 / 7), rel=1e-3)  # 0.742
    assert lr_neg == pytest.approx((15 / 22) / (4 / 7), rel=1e-3)  # 1.193
    assert lr_pos < 1 < lr_neg  # a "positive" result lowers the probability of a deficit


def test_reproduces_zhang_2022_published_post_test_probabilities():
    # Zhang et al. 2022 report, from a 50 % pre-test probability: MRI raises it to 0.78 and lowers it to 0.21;
    # MR arthrography to 0.74 and 0.14.
    mri = ta.evaluate(ta.get_test("mri-labral-tear"), 0.5)
    mra = ta.evaluate(ta.get_test("mra-labral-tear"), 0.5)
    assert round(mri.post_positive, 2) == 0.78 and round(mri.post_negative, 2) == 0.21
    assert round(mra.post_positive, 2) == 0.74 and round(mra.post_negative, 2) == 0.14


def test_ranges_from_the_confidence_intervals_contain_the_point_estimate_and_are_hand_checkable():
    test = ta.get_test("mri-labral-tear")
    ev = ta.evaluate(test, 0.5)
    lo, hi = ev.post_positive_range
    assert lo <= ev.post_positive <= hi
    lo, hi = ev.post_negative_range
    assert lo <= ev.post_negative <= hi
    # the widest LR+ comes from the highest sensitivity and specificity: 0.94 / (1 - 0.84) = 5.875
    assert ev.lr_positive_range[1] == pytest.approx(0.94 / 0.16)
    # the smallest LR- from the same corner: 0.06 / 0.84
    assert ev.lr_negative_range[0] == pytest.approx(0.06 / 0.84)
    assert ev.post_positive_range[1] == pytest.approx(5.875 / 6.875)


def test_natural_frequencies_by_hand():
    nf = ta.natural_frequencies(0.3, 0.8, 0.9, 100)
    assert (nf.with_condition, nf.without) == (30, 70)
    assert (nf.true_pos, nf.false_neg, nf.false_pos, nf.true_neg) == (24, 6, 7, 63)
    assert nf.positives == 31 and nf.negatives == 69


@pytest.mark.parametrize("bad, words", [
    (0, "more than 0"), (1, "less than 1"), (-0.2, "more than 0"), (1.5, "looks like a percentage"),
    (150, "less than 1"), (55, "use 0.55"), ("half", "must be a number"), (float("nan"), "NaN"), (True, "must be a number"),
])
def test_bad_probabilities_get_a_sentence(bad, words):
    with pytest.raises(AccuracyInputError, match=words):
        ta.check_probability(bad)


@pytest.mark.parametrize("se, sp, words", [
    (0, 0.5, "Sensitivity must be more than 0"), (0.5, 0, "Specificity must be more than 0"),
    (1.2, 0.5, "looks like a percentage"), (0.5, -1, "Specificity must be more than 0"),
    (None, 0.5, "Sensitivity must be a number"),
])
def test_bad_accuracy_gets_a_sentence(se, sp, words):
    with pytest.raises(AccuracyInputError, match=words):
        ta.likelihood_ratios(se, sp)


def test_unknown_test_lists_the_known_ones():
    with pytest.raises(AccuracyInputError, match="mri-labral-tear"):
        ta.get_test("x-ray")


def test_describe_change_words():
    assert ta.describe_change(0.5, 0.78) == "raises it from 50 % to 78 %"
    assert ta.describe_change(0.5, 0.21) == "lowers it from 50 % to 21 %"
    assert ta.describe_change(0.1, 0.102) == "leaves it at about 10 %"


# ------------------------------------------------------------------ the data file
def good_data():
    from iliopsoas.paths import asset_file

    return yaml.safe_load(asset_file(ta.FILE).read_text(encoding="utf-8"))


def test_the_shipped_file_is_valid_and_every_source_resolves():
    from iliopsoas.sources import load_references

    assert ta.validate(good_data(), references=load_references()) == []
    for test in ta.load_tests().values():
        assert test.sources and test.sample


def test_errors_name_file_entry_and_field():
    data = good_data()
    data["tests"][1]["sensitivity"]["value"] = 1.4
    data["tests"][2]["specificity"]["ci"] = [0.9, 0.95]   # value 0.69 outside
    del data["tests"][0]["sample"]
    data["scenarios"][0]["probability"] = 1.0
    problems = ta.validate(data, references={"zhang2022": {}, "vigotsky2016": {}})
    text = "\n".join(problems)
    assert 'test-accuracy.yml: test "mri-labral-tear", field "sensitivity", field "value"' in text
    assert 'test "thomas-unmeasured-pelvis"' in text and "'sample' is a required property" in text
    assert 'scenario "even-odds", field "probability"' in text
    data = good_data()
    data["tests"][2]["specificity"]["ci"] = [0.9, 0.95]
    data["tests"][0]["sources"] = ["nobody2099"]
    problems = ta.validate(data, references={"zhang2022": {}, "vigotsky2016": {}})
    assert any('test "mra-labral-tear": field "specificity": the value 0.69 is outside' in p for p in problems)
    assert any('test "thomas-unmeasured-pelvis": field "sources": unknown reference \'nobody2099\'' in p
               for p in problems)


def test_explorer_function_turns_bad_input_into_a_message_not_a_traceback():
    from iliopsoas.figures.test_accuracy_explorer import InputMessage, test_accuracy_explorer

    for kwargs, words in (({"pre_test": 1.5}, "percentage"), ({"pre_test": 0}, "more than 0"),
                          ({"sensitivity": 0, "specificity": 0.5}, "Sensitivity must be more than 0"),
                          ({"sensitivity": 0.8}, "both"), ({"test": "x-ray"}, "Unknown test")):
        shown = test_accuracy_explorer(**kwargs)
        assert isinstance(shown, InputMessage), kwargs
        assert words in shown.text() and words in shown.static_html()


def test_explorer_readout_follows_the_model():
    from iliopsoas.figures.test_accuracy_explorer import TestAccuracyExplorer

    d = TestAccuracyExplorer(pre_test=50, test="mri-labral-tear")
    text = d.readout(d.state())
    assert "raises it from 50 % to 78 %" in text and "lowers it from 50 % to 21 %" in text
    d.set(test="thomas-unmeasured-pelvis", pre_test=76)
    assert "LR+ is below 1" in d.readout(d.state())
    custom = TestAccuracyExplorer(custom=(0.9, 0.8), pre_test=25, test="custom")
    assert "raises it from 25 % to 60 %" in custom.readout(custom.state())
