"""Relative effects as natural frequencies: what a published ratio means for 100 people.

A trial reports a **relative** effect (a risk ratio, rate ratio, hazard ratio or
odds ratio, with its 95 % confidence interval).  What a coach or an athlete
needs is the **absolute** effect: out of 100 players, how many are injured
without the programme, how many with it, and how many are spared.  That
depends on how common the injury is to begin with (the baseline risk), so the
same ratio means little for a rare injury and a lot for a common one.

    natural_frequency(baseline_per_100, ratio, low, high, measure="risk_ratio", per=100) -> NaturalFrequency
    risk_with(p0, ratio, measure) -> float      the risk with the programme, given the risk p0 without it (0-1)
    apportion({key: value}, total=100) -> {key: int}   whole icons that add up to ``total`` (largest remainder)
    load_effects() -> dict[str, ProgrammeEffect]        assets/prevention-effects.yml, validated
    effect(programme_id) -> ProgrammeEffect             (KeyError naming the programmes)

Conversions (all standard epidemiology):

- risk ratio: p1 = p0 × RR.
- rate ratio and hazard ratio: treated as a risk ratio, p1 = p0 × ratio.  This is
  an approximation that is close when the outcome is not very common over the
  period (say under 20-30 %); the lesson says so where it uses one.
- odds ratio: p1 = OR·p0 / (1 − p0 + OR·p0) (exact for the given baseline).

Numbers only: no matplotlib or widgets.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from .datafile import DataFileError, load_checked

MEASURES = {
    "risk_ratio": ("RR", "risk ratio"),
    "rate_ratio": ("IRR", "rate ratio"),
    "hazard_ratio": ("HR", "hazard ratio"),
    "odds_ratio": ("OR", "odds ratio"),
}
FILE = "prevention-effects.yml"


def risk_with(p0: float, ratio: float, measure: str = "risk_ratio") -> float:
    """Risk (0-1) with the programme, from the risk ``p0`` (0-1) without it and a published ratio.

    ``ValueError`` for a risk outside 0-1, a ratio that is not positive, or an unknown measure.
    """
    if not 0 <= p0 <= 1:
        raise ValueError(f"baseline risk must be between 0 and 1, not {p0}")
    if not ratio > 0:
        raise ValueError(f"a ratio must be positive, not {ratio}")
    if measure in ("risk_ratio", "rate_ratio", "hazard_ratio"):
        return min(1.0, p0 * ratio)
    if measure == "odds_ratio":
        return ratio * p0 / (1 - p0 + ratio * p0)
    raise ValueError(f"unknown measure {measure!r}; choose one of: {', '.join(MEASURES)}")


@dataclass(frozen=True)
class NaturalFrequency:
    """Expected numbers per ``per`` people, without and with the programme (floats, not rounded)."""

    per: int
    without: float
    with_: float
    with_low: float        # with the programme, at the favourable end of the ratio's CI
    with_high: float       # ... at the unfavourable end
    ratio: float
    ratio_low: float
    ratio_high: float
    measure: str

    @property
    def fewer(self) -> float:
        """Absolute difference per ``per`` people (positive: fewer injured with the programme)."""
        return self.without - self.with_

    @property
    def fewer_ci(self) -> tuple[float, float]:
        """(least, most) fewer per ``per`` within the CI; the least is negative when the CI includes harm."""
        return self.without - self.with_high, self.without - self.with_low

    @property
    def relative_reduction_pct(self) -> float:
        """1 − risk with / risk without, in % (for an odds ratio this is computed on risks, not odds)."""
        return 100 * (1 - self.with_ / self.without) if self.without else 0.0

    @property
    def relative_reduction_ci_pct(self) -> tuple[float, float]:
        if not self.without:
            return 0.0, 0.0
        return 100 * (1 - self.with_high / self.without), 100 * (1 - self.with_low / self.without)

    @property
    def ci_includes_no_effect(self) -> bool:
        return self.ratio_low <= 1 <= self.ratio_high

    @property
    def number_needed(self) -> float | None:
        """How many people follow the programme to spare one (the number needed to treat); None if no benefit."""
        return self.per / self.fewer if self.fewer > 0 else None

    @property
    def number_needed_ci(self) -> tuple[float, float | None] | None:
        """(best, worst) NNT across the CI; worst is None (unbounded) when the CI includes no effect or harm."""
        least, most = self.fewer_ci
        if most <= 0:
            return None
        return self.per / most, (self.per / least if least > 0 else None)


def natural_frequency(baseline_per_100: float, ratio: float, low: float, high: float,
                      measure: str = "risk_ratio", per: int = 100) -> NaturalFrequency:
    """Expected numbers per ``per`` people without and with the programme.

    ``baseline_per_100``: people affected per 100 without the programme (0-100);
    ``ratio`` with its 95 % CI ``low``-``high`` (``ValueError`` unless low ≤ ratio ≤ high).
    """
    if not 0 <= baseline_per_100 <= 100:
        raise ValueError(f"baseline must be 0-100 per 100, not {baseline_per_100}")
    if not low <= ratio <= high:
        raise ValueError(f"the CI {low}-{high} must contain the ratio {ratio}")
    p0 = baseline_per_100 / 100
    scale = per
    return NaturalFrequency(
        per=per, without=p0 * scale, with_=risk_with(p0, ratio, measure) * scale,
        with_low=risk_with(p0, low, measure) * scale, with_high=risk_with(p0, high, measure) * scale,
        ratio=ratio, ratio_low=low, ratio_high=high, measure=measure)


def apportion(values: dict, total: int = 100) -> dict:
    """Whole numbers for each key that add up to ``total`` (largest-remainder rounding).

    ``values`` are non-negative and must add up to ``total`` (within 1e-6); ``ValueError`` otherwise.
    Ties go to the earlier key, so the result is stable.
    """
    if any(v < 0 for v in values.values()):
        raise ValueError("values must not be negative")
    if abs(sum(values.values()) - total) > 1e-6:
        raise ValueError(f"values add up to {sum(values.values())}, not {total}")
    floors = {k: math.floor(v + 1e-9) for k, v in values.items()}
    left = total - sum(floors.values())
    order = sorted(values, key=lambda k: (-(values[k] - floors[k]), list(values).index(k)))
    for k in order[:left]:
        floors[k] += 1
    return floors


def round_half_up(x: float) -> int:
    """Round to the nearest whole number, halves up (2.5 -> 3), unlike Python's round (2.5 -> 2)."""
    return int(math.floor(x + 0.5))


def icon_counts(nf: NaturalFrequency) -> dict:
    """Whole icons for a 100-icon picture of ``nf``.

    Returns ``{"without": {"injured", "not_injured"}, "with": {"injured", "spared", "not_injured", "extra"},
    "band": (first, stop)}``: ``band`` is the range of icon positions between the CI's two ends (positions count
    from 0 in fill order, injured first), so the icons inside it may or may not be injured.
    ``extra`` counts icons injured with the programme but not without it (when the point estimate shows harm).
    """
    if nf.per != 100:
        raise ValueError("icon_counts draws 100 icons; use per=100")
    without = round_half_up(nf.without)
    injured_with = round_half_up(nf.with_)
    spared = max(0, without - injured_with)
    extra = max(0, injured_with - without)
    with_counts = {"injured": injured_with - extra, "extra": extra, "spared": spared,
                   "not_injured": 100 - injured_with - spared}
    band = (round_half_up(nf.with_low), max(round_half_up(nf.with_high), round_half_up(nf.with_low)))
    return {"without": {"injured": without, "not_injured": 100 - without}, "with": with_counts, "band": band}


@dataclass(frozen=True)
class ProgrammeEffect:
    """One published effect, with the baseline it is applied to (assets/prevention-effects.yml)."""

    id: str
    name: str
    outcome: str            # "players with a groin injury"
    period: str             # "in one season" / "in an average week"
    population: str
    measure: str
    estimate: float
    low: float
    high: float
    baseline_per_100: float
    baseline_from: str      # where the baseline comes from, in words
    sources: tuple[str, ...]
    note: str = ""

    @property
    def ratio_text(self) -> str:
        """'OR 0.59 (95% CI 0.40 to 0.86)'."""
        return f"{MEASURES[self.measure][0]} {self.estimate:.2f} (95% CI {self.low:.2f} to {self.high:.2f})"

    def frequency(self, baseline_per_100: float | None = None) -> NaturalFrequency:
        base = self.baseline_per_100 if baseline_per_100 is None else baseline_per_100
        return natural_frequency(base, self.estimate, self.low, self.high, self.measure)


def check(data, references: dict | None = None, name: str = FILE) -> list[str]:
    """Problems the schema cannot see: CI around the estimate, unique ids, known references."""
    found, seen = [], set()
    for p in data["programmes"]:
        where = f'{name}: programme "{p["id"]}"'
        if p["id"] in seen:
            found.append(f'{where}: field "id": used twice')
        seen.add(p["id"])
        if not p["low"] <= p["estimate"] <= p["high"]:
            found.append(f'{where}: field "estimate": {p["estimate"]} is outside its CI {p["low"]} to {p["high"]}')
        for key in p["sources"]:
            if references is not None and key not in references:
                found.append(f'{where}: field "sources": unknown reference {key!r}')
    return found


@functools.lru_cache(maxsize=1)
def load_effects() -> dict[str, ProgrammeEffect]:
    """Every programme of ``assets/prevention-effects.yml``, validated; :class:`DataFileError` if wrong."""
    from ..sources import load_references

    data = load_checked(FILE, labels={"programmes": "programme"})
    found = check(data, load_references() or None)
    if found:
        raise DataFileError("\n".join(found))
    return {p["id"]: ProgrammeEffect(**{**p, "sources": tuple(p["sources"])}) for p in data["programmes"]}


def effect(programme_id: str) -> ProgrammeEffect:
    """One programme's effect; ``KeyError`` listing the programme ids."""
    effects = load_effects()
    try:
        return effects[programme_id]
    except KeyError:
        raise KeyError(f"unknown programme {programme_id!r}; choose one of: {', '.join(effects)}") from None


__all__ = ["MEASURES", "NaturalFrequency", "ProgrammeEffect", "apportion", "effect", "icon_counts",
           "load_effects", "natural_frequency", "risk_with", "round_half_up"]
