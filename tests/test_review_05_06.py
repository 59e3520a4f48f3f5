"""The lecturer's corrections to lessons 05 (Treatment) and 06 (Prevention) stay corrected.

Each test reads the course's own files and fails if a mistake the review found comes back: a reference
entry with a field written twice (a merge left Heino 1990 with Deslandes 2008's DOI, and Walczak 2017
with Youdas 1996's), a cohort's side-to-side difference taught as a loss over time, an injection's
anaesthetic response taught as a validated test, red flags retyped in a lesson's prose, or a quiz key
that a published pooling could contest.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import evidence_language as ev  # noqa: E402

SHARED_FILES = ["assets/references.yml", "assets/glossary.yml", "quizzes/misconceptions.yml",
                "assets/treatment-evidence.yml", "assets/rehab-programmes.yml", "assets/prevention-effects.yml"]


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a mapping with the same key twice (PyYAML silently keeps the last)."""


def _no_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {dupes}", node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


@pytest.mark.parametrize("rel", SHARED_FILES)
def test_shared_data_files_have_no_key_written_twice(rel):
    yaml.load((ROOT / rel).read_text(encoding="utf-8"), Loader=_StrictLoader)


def test_the_strict_loader_can_fail():
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("a:\n  doi: 1\n  doi: 2\n", Loader=_StrictLoader)


def test_references_damaged_by_the_merge_point_to_their_own_papers():
    refs = ev.load_references(ROOT)
    assert refs["heino1990"]["doi"] == "10.2519/jospt.1990.12.6.243"
    assert "25 healthy adults" in refs["heino1990"]["about"]
    assert refs["walczak2017"]["doi"] == "10.1177/2325967117707498"
    assert "28 patients" in refs["walczak2017"]["about"]
    assert refs["piechota2016"]["doi"] == "10.15557/JoU.2016.0030"
    assert refs["youdas1996"]["doi"] == "10.1093/ptj/76.10.1066"
    assert refs["agten2015"]["doi"] == "10.1007/s00330-014-3453-x"


def _prose(slug):
    nb = nbformat.read(ROOT / "notebooks" / f"{slug}.ipynb", as_version=4)
    return " ".join(c.source for c in nb.cells
                    if c.cell_type == "markdown" and not c.source.lstrip().startswith(ev.GENERATED))


def _bank(slug):
    data = yaml.safe_load((ROOT / "quizzes" / f"{slug}.yml").read_text(encoding="utf-8"))
    return {q["id"]: q for q in data["questions"]}


def test_brandenburg_is_a_side_to_side_difference_measured_once():
    lesson = _prose("05-treatment")
    assert "had fallen by 25%" not in lesson
    assert "25% smaller on MRI than that of the other side" in lesson and "measured only once" in lesson
    q = _bank("05-treatment")["treat-tenotomy-harmless"]
    assert "than 18 controls had lost" not in q["explanation"]
    rows = {r["id"]: r for r in yaml.safe_load(
        (ROOT / "assets" / "treatment-evidence.yml").read_text(encoding="utf-8"))["studies"]}
    assert rows["release-strength-cohort"]["result"].startswith("Operated side against the other side")


def test_the_injection_is_not_taught_as_a_validated_diagnostic_test():
    text = _prose("05-treatment") + " ".join(str(v) for v in _bank("05-treatment")["treat-injection-duration"].values())
    assert "works as a diagnostic test" not in text and "serves as a diagnostic test" not in text
    assert "not a validated test" in text


@pytest.mark.parametrize("slug", ["05-treatment", "06-prevention"])
def test_red_flags_are_shown_from_the_shared_file_not_retyped(slug):
    nb = nbformat.read(ROOT / "notebooks" / f"{slug}.ipynb", as_version=4)
    assert any(c.cell_type == "markdown" and c.source.startswith("<!--RED-FLAGS-->") for c in nb.cells)
    prose = _prose(slug).lower()
    for retyped in ("fever with hip or back pain", "a leg that gives way or feels numb",
                    "pain at night or at rest", "on blood thinners"):
        assert retyped not in prose, retyped


def test_the_fifa_groin_question_keys_an_answer_no_pooling_contests():
    q = _bank("06-prevention")["prev-fifa-groin"]
    assert q["answer"] is False and "as firmly shown" in q["prompt"]
    assert "(lesson 03)" in str(_bank("06-prevention")["prev-red-flags-which"])


def test_serner_times_carry_their_mri_grades():
    q = _bank("05-treatment")["treat-rts-order"]
    assert "got most back" not in q["explanation"]
    assert "grade 0 to 2" in q["explanation"] and "78 days" in q["explanation"]
