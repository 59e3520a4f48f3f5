"""Anatomy landmark data: the structures the course draws and where they are.

Reads ``assets/anatomy-landmarks.yml`` (schematic proportions after Gray's
Anatomy, 1918, in centimetres): for each structure its name, label, kind,
the views that draw it, a teaching sentence (``fact``) and its sources; for
each view the landmark points and shapes.  No drawing here: the figures in
:mod:`iliopsoas.figures.anatomy` draw from it, and the question banks check
label questions' structure names against ``STRUCTURES``.

    STRUCTURES          {key: display name}
    STRUCTURE_VIEWS     {key: ("anterior", "side")}
    structure_info(key) -> dict (raises ValueError naming the valid keys)
    load_landmarks() -> dict (the parsed file)
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ..paths import asset_file

LANDMARKS_FILE = "anatomy-landmarks.yml"
VIEWS = ("anterior", "side")
VIEW_NAMES = {"anterior": "Front (anterior) view", "side": "Side view (right side)"}

# ---------------------------------------------------------------------- data
def _data_path() -> Path:
    """The data file in the course's assets folder (see paths.course_root)."""
    return asset_file(LANDMARKS_FILE)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "structures" not in data or "views" not in data:
        raise ValueError(f"{path}: expected 'structures' and 'views' mappings")
    for key, info in data["structures"].items():
        for view in info.get("views", []):
            if view not in data["views"]:
                raise ValueError(f"{path}: structure {key!r} lists unknown view {view!r}")
            if key not in data["views"][view].get("structures", {}):
                raise ValueError(f"{path}: structure {key!r} is listed in view {view!r} "
                                 "but has no geometry there")
    return data


def load_landmarks() -> dict:
    """The parsed landmark data (source, method, structures, views)."""
    return _load(str(_data_path()))


_DATA = load_landmarks()
STRUCTURES: dict[str, str] = {k: v["name"] for k, v in _DATA["structures"].items()}
STRUCTURE_VIEWS: dict[str, tuple[str, ...]] = {k: tuple(v["views"]) for k, v in _DATA["structures"].items()}
MUSCLES = ("psoas_major", "psoas_minor", "iliacus")


def landmark_data() -> dict:
    """The parsed landmark file (loaded once)."""
    return _DATA


def structure_info(key: str) -> dict:
    """Name, label, kind, views, teaching sentence (``fact``) and sources of a structure."""
    check_structure(key)
    return dict(_DATA["structures"][key])


# ---------------------------------------------------------------------- checks
def check_view(view) -> str:
    """``view`` if it is one of ``VIEWS``; ``ValueError`` listing them otherwise."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    return view


def check_structure(key) -> str:
    """``key`` if it is a structure key; ``ValueError`` listing them otherwise."""
    if key not in STRUCTURES:
        raise ValueError(f"unknown structure {key!r}; choose one of: {', '.join(STRUCTURES)}")
    return key


def highlight_list(highlight) -> list[str]:
    """Structure keys to highlight from None / "none" / a key / a list of keys; ``ValueError`` for unknown keys."""
    if highlight is None or highlight == "none":
        return []
    keys = [highlight] if isinstance(highlight, str) else list(highlight)
    for k in keys:
        if k not in STRUCTURES:
            raise ValueError(f"unknown highlight {k!r}; choose 'none' or one of: {', '.join(STRUCTURES)}")
    return keys
