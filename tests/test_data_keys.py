"""No data file repeats a key inside one mapping.

YAML loaders (PyYAML's ``safe_load`` included) keep the *last* value of a repeated key without a
warning. A merge that appends a line to the wrong entry therefore silently replaces that entry's
fields: in lesson 03 the Heino 1990 reference showed Deslandes 2008's description and DOI, and
Piechota 2016 showed Youdas 1996's, both printed in the notebook's reference list.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = sorted(
    [*ROOT.glob("assets/*.yml"), *ROOT.glob("quizzes/*.yml"), *ROOT.glob("quizzes/cases/*.yml")]
)


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that records every key repeated within one mapping."""

    def __init__(self, stream):
        super().__init__(stream)
        self.repeated: list[str] = []


def _construct_mapping(loader: _StrictLoader, node, deep=False):
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            loader.repeated.append(f"key {key!r} on line {line} repeats line {seen[key]}")
        else:
            seen[key] = line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def repeated_keys(text: str) -> list[str]:
    """Every repeated key in the YAML ``text``, as 'key ... on line N repeats line M'."""
    loader = _StrictLoader(text)
    try:
        loader.get_single_data()
    finally:
        loader.dispose()
    return loader.repeated


def test_the_checker_finds_a_repeated_key():
    text = "a:\n  short: A\n  doi: 1\n  doi: 2\nb:\n  short: B\n"
    assert repeated_keys(text) == ["key 'doi' on line 4 repeats line 3"]
    assert repeated_keys("a:\n  short: A\nb:\n  short: B\n") == []


def test_data_files_are_found():
    names = {p.name for p in DATA_FILES}
    assert {"references.yml", "glossary.yml", "misconceptions.yml", "conditions.yml"} <= names


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_repeated_keys(path):
    problems = repeated_keys(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)
