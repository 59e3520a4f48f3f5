"""Helpers for the interactive iliopsoas course.

Notebooks use a handful of short calls, for example::

    from iliopsoas import show_quiz, hip_flexion_explorer
    show_quiz("01-anatomy", ids=["anat-parts-which-muscles"])

Nothing is imported or drawn until a name is used, so ``import iliopsoas`` is fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "show_quiz": "iliopsoas.api",
    "show_case": "iliopsoas.api",
    "show_progress": "iliopsoas.progress.dashboard",
    "anatomy_figure": "iliopsoas.figures.anatomy",
    "anatomy_explorer": "iliopsoas.figures.anatomy",
    "pain_map": "iliopsoas.figures.painmap",
    "hip_flexion_explorer": "iliopsoas.figures.hip_flexion_explorer",
    "psoas_paradox_explorer": "iliopsoas.figures.paradox_explorer",
    "thomas_test_simulator": "iliopsoas.figures.thomas_simulator",
    "test_accuracy_explorer": "iliopsoas.figures.test_accuracy_explorer",
    "differential_sorter": "iliopsoas.figures.differential_sorter",
    "snapping_hip_model": "iliopsoas.figures.snapping_hip",
    "condition_explorer": "iliopsoas.figures.condition_explorer",
    "rehab_planner": "iliopsoas.figures.rehab_planner",
    "evidence_table": "iliopsoas.figures.evidence_table",
    "prevention_effect": "iliopsoas.figures.prevention_effect",
    "icon_array_figure": "iliopsoas.figures.icon_array",
    "course_map": "iliopsoas.course",
    "show_objectives": "iliopsoas.course",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(_EXPORTS[name])
        return getattr(module, name)
    raise AttributeError(f"module 'iliopsoas' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
