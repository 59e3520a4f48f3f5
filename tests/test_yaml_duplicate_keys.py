"""No YAML data file may repeat a key inside one mapping.

PyYAML keeps the *last* value of a repeated key without a warning.  Merging several helpers' appends to
the shared files (assets/references.yml above all) once left three references with a second `about:` and
`doi:` belonging to another paper, so Heino 1990 was cited with the DOI of an ultrasound study of snapping
tendons and Walczak 2017 with Youdas 1996's description.  This test reads every data file the course loads
and names the file, line and key of each repeat.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = sorted(
    [*ROOT.glob("assets/*.yml"), *ROOT.glob("quizzes/*.yml"), *ROOT.glob("quizzes/cases/*.yml"),
     *ROOT.glob("docs/instructors/plans/*.yml")]
)


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that records every key repeated within one mapping."""

    repeats: list[str]


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            loader.repeats.append(
                f"line {key_node.start_mark.line + 1}: key {key!r} repeats the one on line {seen[key]}"
            )
        else:
            seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def repeated_keys(text: str) -> list[str]:
    """Every repeated key in a YAML document, as 'line N: key ...' strings (empty if none)."""
    loader = _StrictLoader(text)
    loader.repeats = []
    try:
        loader.get_single_data()
    finally:
        loader.dispose()
    return loader.repeats


def test_the_checker_finds_a_repeated_key():
    text = "a:\n  short: A\n  doi: 1\n  doi: 2\nb:\n  short: B\n"
    assert repeated_keys(text) == ["line 4: key 'doi' repeats the one on line 3"]
    assert repeated_keys("a: 1\na: 2\n") == ["line 2: key 'a' repeats the one on line 1"]
    assert repeated_keys("a:\n  doi: 1\nb:\n  doi: 2\n") == []


def test_there_are_data_files_to_check():
    names = {p.name for p in DATA_FILES}
    assert {"references.yml", "glossary.yml", "misconceptions.yml", "red-flags.yml"} <= names


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_key_repeats_within_a_mapping(path: Path):
    repeats = repeated_keys(path.read_text(encoding="utf-8"))
    assert not repeats, f"{path.relative_to(ROOT)}: " + "; ".join(repeats)
