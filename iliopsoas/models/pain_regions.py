"""Where iliopsoas problems are felt: the pain-region data, no drawing.

Reads ``assets/pain-regions.yml``: body regions (with their outlines in body
coordinates), and for each condition the regions it is felt in, each "main"
or "may_spread", with its sources.  The body map in
:mod:`iliopsoas.figures.painmap` draws it.

    REGIONS, CONDITIONS     {key: display name}
    regions_for(condition) -> {region: "main" | "may_spread"}   (None or "all": every condition)
    load_regions() -> dict  (the parsed file; ValueError naming file, condition and region if inconsistent)
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ..paths import asset_file

REGIONS_FILE = "pain-regions.yml"
ALL = "all"
ALL_LABEL = "All conditions"
LEVELS = ("main", "may_spread")


def _data_path() -> Path:
    """The data file in the course's assets folder (see paths.course_root)."""
    return asset_file(REGIONS_FILE)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for key, cond in data["conditions"].items():
        for region, level in cond["regions"].items():
            if region not in data["regions"]:
                raise ValueError(f"{path}: condition {key!r} names unknown region {region!r}")
            if level not in LEVELS:
                raise ValueError(f"{path}: condition {key!r}, region {region!r}: level must be one of {LEVELS}")
    return data


def load_regions() -> dict:
    """The parsed pain-region data (silhouette, regions, conditions, sources)."""
    return _load(str(_data_path()))


_DATA = load_regions()
REGIONS: dict[str, str] = {k: v["name"] for k, v in _DATA["regions"].items()}
CONDITIONS: dict[str, str] = {k: v["name"] for k, v in _DATA["conditions"].items()}


def check_condition(condition) -> str:
    """A condition key, or ``ALL`` for None / "all" / its label; ``ValueError`` listing the keys otherwise."""
    if condition is None or condition == ALL or condition == ALL_LABEL:
        return ALL
    if condition in CONDITIONS:
        return condition
    by_name = {v.lower(): k for k, v in CONDITIONS.items()}
    if isinstance(condition, str) and condition.lower() in by_name:
        return by_name[condition.lower()]
    raise ValueError(f"unknown condition {condition!r}; choose None ('{ALL}') or one of: {', '.join(CONDITIONS)}")


def regions_for(condition) -> dict[str, str]:
    """{region: "main" | "may_spread"} for a condition; for all conditions, the strongest level."""
    condition = check_condition(condition)
    if condition != ALL:
        return dict(_DATA["conditions"][condition]["regions"])
    out: dict[str, str] = {}
    for cond in _DATA["conditions"].values():
        for region, level in cond["regions"].items():
            if out.get(region) != "main":
                out[region] = level
    return {r: out[r] for r in REGIONS if r in out}




def region_data() -> dict:
    """The parsed file (loaded once)."""
    return _DATA
