"""Test accuracy: from sensitivity and specificity to a post-test probability.

The numbers behind lesson 04's test-accuracy explorer (no drawing here).  All
probabilities are proportions from 0 to 1 (the lesson shows them as %).

    likelihood_ratios(sensitivity, specificity) -> (LR+, LR-)
    post_test_probability(pre_test, likelihood_ratio) -> float
    natural_frequencies(pre_test, sensitivity, specificity, n=100) -> NaturalFrequencies
    evaluate(test, pre_test) -> Evaluation     # both results, with a range from the CIs
    load_tests() -> dict[id, DiagnosticTest]; load_scenarios() -> dict[id, Scenario]

The arithmetic is Bayes' rule in its odds form, as in any evidence-based
medicine text: post-test odds = pre-test odds x likelihood ratio, with
LR+ = sensitivity / (1 - specificity) and LR- = (1 - sensitivity) / specificity.
Tests and their published 95 % confidence intervals come from
``assets/test-accuracy.yml`` (each entry names its source).

Bad input raises :class:`AccuracyInputError` (a ``ValueError``) with a
sentence a student can act on, never a bare arithmetic error.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from ..paths import asset_file
from ..yamlfile import load_validated

FILE = "test-accuracy.yml"


class AccuracyInputError(ValueError):
    """A probability, sensitivity or specificity the explorer cannot use; the message says why."""


class TestAccuracyDataError(ValueError):
    """``assets/test-accuracy.yml`` is missing or wrong; the message names the file, entry and field."""


# ---------------------------------------------------------------------------- checks
def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AccuracyInputError(f"{name} must be a number between 0 and 1 (for example 0.3 for 30 %), "
                                 f"not {value!r}.")
    value = float(value)
    if math.isnan(value):
        raise AccuracyInputError(f"{name} must be a number between 0 and 1, not NaN.")
    return value


def check_probability(value, name: str = "The pre-test probability") -> float:
    """``value`` as a float strictly between 0 and 1, else :class:`AccuracyInputError`.

    0 and 1 are refused: a probability of exactly 0 or 1 means certainty, and no
    test result can change a certainty (its odds are 0 or infinite).
    """
    value = _number(value, name)
    if value > 1 and value <= 100:
        raise AccuracyInputError(f"{name} must be between 0 and 1; {value:g} looks like a percentage: "
                                 f"use {value / 100:g} for {value:g} %.")
    if not 0 < value < 1:
        raise AccuracyInputError(f"{name} must be more than 0 and less than 1 (got {value:g}): at exactly 0 or 1 "
                                 f"you would already be certain, and no test could change that.")
    return value


def check_accuracy(sensitivity, specificity) -> tuple[float, float]:
    """Sensitivity and specificity as floats, each in (0, 1]; and not both uninformative.

    Raises :class:`AccuracyInputError`: a sensitivity or specificity of 0 makes a
    likelihood ratio infinite or undefined; outside 0–1 is not a proportion; a
    test with sensitivity + specificity = 1 carries no information (LR+ = LR- = 1)
    and is allowed, but a test with both at 0 is not.
    """
    out = []
    for value, name in ((sensitivity, "Sensitivity"), (specificity, "Specificity")):
        value = _number(value, name)
        if value > 1 and value <= 100:
            raise AccuracyInputError(f"{name} must be between 0 and 1; {value:g} looks like a percentage: "
                                     f"use {value / 100:g}.")
        if not 0 < value <= 1:
            raise AccuracyInputError(
                f"{name} must be more than 0 and at most 1 (got {value:g}). A {name.lower()} of 0 would make "
                f"a likelihood ratio infinite or undefined: such a test is always wrong in one direction.")
        out.append(value)
    return out[0], out[1]


# ---------------------------------------------------------------------------- arithmetic
def likelihood_ratios(sensitivity: float, specificity: float) -> tuple[float, float]:
    """(LR+, LR-) of a test.

    LR+ = sensitivity / (1 - specificity): how much more often a positive result
    occurs in people with the condition than without it (``math.inf`` when
    specificity is 1).  LR- = (1 - sensitivity) / specificity.
    """
    sensitivity, specificity = check_accuracy(sensitivity, specificity)
    lr_pos = math.inf if specificity == 1 else sensitivity / (1 - specificity)
    return lr_pos, (1 - sensitivity) / specificity


def odds(probability: float) -> float:
    """p / (1 - p) for 0 < p < 1."""
    probability = check_probability(probability, "The probability")
    return probability / (1 - probability)


def probability_from_odds(value: float) -> float:
    """o / (1 + o); ``math.inf`` gives 1."""
    if value < 0 or math.isnan(value):
        raise AccuracyInputError(f"odds cannot be negative or NaN (got {value!r})")
    return 1.0 if math.isinf(value) else value / (1 + value)


def post_test_probability(pre_test: float, likelihood_ratio: float) -> float:
    """Probability after a result with this likelihood ratio: Bayes' rule in odds form."""
    pre_test = check_probability(pre_test)
    if isinstance(likelihood_ratio, bool) or not isinstance(likelihood_ratio, (int, float)) \
            or math.isnan(likelihood_ratio) or likelihood_ratio < 0:
        raise AccuracyInputError(f"A likelihood ratio must be a number of 0 or more, not {likelihood_ratio!r}.")
    if math.isinf(likelihood_ratio):
        return 1.0
    return probability_from_odds(odds(pre_test) * likelihood_ratio)


@dataclass(frozen=True)
class NaturalFrequencies:
    """What happens to ``n`` people like this patient (a natural-frequency tree).

    ``with_condition`` = true positives + false negatives, ``without`` = false
    positives + true negatives; counts are rounded to whole people, so the
    probabilities computed from them (``ppv``, ``npv_complement``) can differ a
    little from the exact ones.
    """

    n: int
    with_condition: int
    without: int
    true_pos: int
    false_neg: int
    false_pos: int
    true_neg: int

    @property
    def positives(self) -> int:
        return self.true_pos + self.false_pos

    @property
    def negatives(self) -> int:
        return self.false_neg + self.true_neg


def natural_frequencies(pre_test: float, sensitivity: float, specificity: float, n: int = 100) -> NaturalFrequencies:
    """Split ``n`` people by condition and by test result, in whole people.

    Rounding: people with the condition = round(n x pre-test); true positives =
    round(with x sensitivity); true negatives = round(without x specificity).
    """
    pre_test = check_probability(pre_test)
    sensitivity, specificity = check_accuracy(sensitivity, specificity)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise AccuracyInputError(f"The number of people must be a whole number of at least 1, not {n!r}.")
    with_c = int(round(n * pre_test))
    without = n - with_c
    tp = int(round(with_c * sensitivity))
    tn = int(round(without * specificity))
    return NaturalFrequencies(n, with_c, without, tp, with_c - tp, without - tn, tn)


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class DiagnosticTest:
    """One test of ``assets/test-accuracy.yml``: point estimates and 95 % CIs (proportions)."""

    id: str
    name: str
    target: str
    sample: str
    sensitivity: float
    sensitivity_ci: tuple[float, float]
    specificity: float
    specificity_ci: tuple[float, float]
    sources: tuple[str, ...]
    note: str = ""

    @property
    def likelihood_ratios(self) -> tuple[float, float]:
        return likelihood_ratios(self.sensitivity, self.specificity)


@dataclass(frozen=True)
class Scenario:
    id: str
    label: str
    probability: float
    source: str | None


_SCHEMA = {
    "type": "object", "required": ["tests", "scenarios"], "additionalProperties": False,
    "properties": {
        "tests": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "target", "sample", "sensitivity", "specificity", "sources"],
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "name": {"type": "string", "minLength": 3},
                "target": {"type": "string", "minLength": 3},
                "sample": {"type": "string", "minLength": 10},
                "sensitivity": {"$ref": "#/$defs/estimate"},
                "specificity": {"$ref": "#/$defs/estimate"},
                "sources": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "note": {"type": "string"},
            }}},
        "scenarios": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "label", "probability", "source"],
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "label": {"type": "string", "minLength": 5},
                "probability": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                "source": {"type": ["string", "null"]},
            }}},
    },
    "$defs": {"estimate": {
        "type": "object", "additionalProperties": False, "required": ["value", "ci"],
        "properties": {
            "value": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
            "ci": {"type": "array", "minItems": 2, "maxItems": 2,
                   "items": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}},
        }}},
}


def _where(data, path) -> str:
    """'test "mri-labral-tear", field "sensitivity"' for a jsonschema error path."""
    parts, node, parent = [], data, None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int):
            label = {"tests": "test", "scenarios": "scenario"}.get(parent, "item")
            ident = node.get("id") if isinstance(node, dict) else None
            if label in ("test", "scenario"):
                parts.append(f'{label} "{ident}"' if ident else f"{label} {step + 1}")
            else:
                parts.append(f"item {step + 1}")
        elif step not in ("tests", "scenarios"):
            parts.append(f'field "{step}"')
        parent = step
    return ", ".join(parts) or "top level"


def validate(data, name: str = FILE, references: dict | None = None) -> list[str]:
    """Problems with parsed test-accuracy data (empty list if none); each names file, entry and field."""
    from jsonschema import Draft202012Validator

    problems = [f"{name}: {_where(data, list(e.absolute_path))}: {e.message}"
                for e in sorted(Draft202012Validator(_SCHEMA).iter_errors(data), key=lambda e: list(e.path))]
    if problems:
        return problems
    seen = set()
    for kind, entries in (("test", data["tests"]), ("scenario", data["scenarios"])):
        for entry in entries:
            where = f'{name}: {kind} "{entry["id"]}"'
            if entry["id"] in seen:
                problems.append(f'{where}: field "id": used twice')
            seen.add(entry["id"])
            for fld in ("sensitivity", "specificity") if kind == "test" else ():
                est = entry[fld]
                lo, hi = est["ci"]
                if not lo <= est["value"] <= hi:
                    problems.append(f'{where}: field "{fld}": the value {est["value"]} is outside its '
                                    f'confidence interval {lo}–{hi}')
            keys = entry["sources"] if kind == "test" else [entry["source"]] if entry["source"] else []
            if references is not None:
                for key in keys:
                    if key not in references:
                        problems.append(f'{where}: field "source{"s" if kind == "test" else ""}": '
                                        f"unknown reference {key!r}")
    return problems


def _check(data) -> list[str]:
    from ..sources import load_references

    return validate(data, FILE, load_references() or None)


def _data() -> dict:
    return load_validated(asset_file(FILE), FILE, TestAccuracyDataError, _check)


def load_tests() -> dict[str, DiagnosticTest]:
    """{id: DiagnosticTest} in file order; raises :class:`TestAccuracyDataError`."""
    out = {}
    for t in _data()["tests"]:
        out[t["id"]] = DiagnosticTest(
            t["id"], t["name"], t["target"], t["sample"], t["sensitivity"]["value"],
            tuple(t["sensitivity"]["ci"]), t["specificity"]["value"], tuple(t["specificity"]["ci"]),
            tuple(t["sources"]), " ".join(t.get("note", "").split()))
    return out


def load_scenarios() -> dict[str, Scenario]:
    """{id: Scenario} in file order."""
    return {s["id"]: Scenario(s["id"], s["label"], s["probability"], s["source"]) for s in _data()["scenarios"]}


def get_test(test_id: str) -> DiagnosticTest:
    """One test by id; :class:`AccuracyInputError` listing the known ids."""
    tests = load_tests()
    if test_id not in tests:
        raise AccuracyInputError(f"Unknown test {test_id!r}; choose one of: {', '.join(tests)}.")
    return tests[test_id]


# ---------------------------------------------------------------------------- one evaluation
@dataclass(frozen=True)
class Evaluation:
    """A test applied at one pre-test probability.

    ``post_positive`` / ``post_negative``: point estimates.  ``*_range``: the
    lowest and highest post-test probability over the four corners of the
    sensitivity and specificity confidence intervals: a plausible range from the
    published uncertainty, not a formal confidence interval (the two intervals
    are treated as independent and the corners as equally likely).
    """

    pre_test: float
    lr_positive: float
    lr_negative: float
    post_positive: float
    post_negative: float
    post_positive_range: tuple[float, float]
    post_negative_range: tuple[float, float]
    lr_positive_range: tuple[float, float]
    lr_negative_range: tuple[float, float]


def evaluate(test: DiagnosticTest, pre_test: float) -> Evaluation:
    """Post-test probabilities after a positive and a negative result, with ranges from the CIs."""
    pre_test = check_probability(pre_test)
    lr_pos, lr_neg = likelihood_ratios(test.sensitivity, test.specificity)
    corners = [likelihood_ratios(se, sp) for se, sp in itertools.product(test.sensitivity_ci, test.specificity_ci)]
    pos = [post_test_probability(pre_test, c[0]) for c in corners]
    neg = [post_test_probability(pre_test, c[1]) for c in corners]
    return Evaluation(pre_test, lr_pos, lr_neg, post_test_probability(pre_test, lr_pos),
                      post_test_probability(pre_test, lr_neg), (min(pos), max(pos)), (min(neg), max(neg)),
                      (min(c[0] for c in corners), max(c[0] for c in corners)),
                      (min(c[1] for c in corners), max(c[1] for c in corners)))


def describe_change(pre_test: float, post: float) -> str:
    """'raises it from 30 % to 45 %' / 'lowers it ...' / 'leaves it at ...' (for readouts)."""
    a, b = round(pre_test * 100), round(post * 100)
    if a == b:
        return f"leaves it at about {a} %"
    return f"{'raises' if b > a else 'lowers'} it from {a} % to {b} %"


__all__ = ["AccuracyInputError", "TestAccuracyDataError", "DiagnosticTest", "Scenario", "Evaluation",
           "NaturalFrequencies", "check_probability", "check_accuracy", "likelihood_ratios", "odds",
           "probability_from_odds", "post_test_probability", "natural_frequencies", "load_tests",
           "load_scenarios", "get_test", "evaluate", "describe_change", "validate"]
