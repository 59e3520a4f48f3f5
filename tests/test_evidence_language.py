"""Every figure the course states is cited, and every citation resolves to a complete reference.

The detector is tools/evidence_language.py; its rules for authors are in docs/evidence-language.md
("What the test checks").  The first group of tests shows that the detector catches each kind of
uncited figure and leaves alone what is not a figure; the second runs it over the whole course.
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

REFS = ev.load_references(ROOT)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BANKS = sorted((ROOT / "quizzes").glob("[0-9][0-9]-*.yml"))
DATA = ev.data_files(ROOT)


def problems(text, **kw):
    return ev.check_prose(text, "test", REFS, **kw)


# ---------------------------------------------------------------------------- the detector can fail
@pytest.mark.parametrize("sentence, kind", [
    ("Psoas minor is absent in about 40 % of people.", "percentage"),
    ("The tendon had two bands in 64 per cent of hips.", "percentage"),
    ("The norms come from 117 elite athletes.", "count of subjects"),
    ("They modelled its action on X-rays of ten men.", "count of subjects"),
    ("Reid measured fifteen young active men.", "count of subjects"),
    ("In a cohort (n = 54) the test was repeated.", "count of subjects"),
    ("Its cross-section peaks at about 16 cm² at L4/L5.", "measurement"),
    ("Each psoas can pull with 1113 N.", "measurement"),
    ("At full force psoas gives roughly 43 N·m.", "measurement"),
    ("Snapping usually settles within 6–12 months.", "measurement"),
    ("On average the thigh hung 11.9° below the horizontal.", "angle"),
    ("The thigh rests on average about 12° below the table.", "angle"),
    ("The test had a sensitivity of 0.32 and poor agreement.", "accuracy statistic"),
    ("Inter-rater ICC was 0.60 with a goniometer.", "accuracy statistic"),
    ("Sensitivity was only 0.32 without pelvic control.", "accuracy statistic"),
    ("Agreement between raters was poor (kappa 0.39).", "accuracy statistic"),
    ("Pelvic tilt explained the error (r = 0.98).", "accuracy statistic"),
    ("Specificity was wide, 95 % CI 18 to 90.", "confidence interval"),
])
def test_an_uncited_figure_of_each_kind_is_caught(sentence, kind):
    found = problems(sentence)
    assert len(found) == 1 and "without a citation" in found[0].message
    assert kind in found[0].message


@pytest.mark.parametrize("text", [
    "Psoas minor is absent in about 40 % of people (Smith 2020).",            # not a reference
    "In 117 elite athletes the thigh hung low (Harvey 1999).",                # wrong year
])
def test_a_citation_that_matches_no_reference_is_caught(text):
    messages = " ".join(p.message for p in problems(text))
    assert "matches no reference" in messages


def test_a_case_paragraph_is_exempt_but_its_evidence_paragraph_is_not():
    text = ("**Case 5.** A 78-year-old on warfarin has had 2 weeks of groin pain.\n\n"
            "Anchors: 77 % of spontaneous bleeds were in people on anticoagulants.")
    found = problems(text)
    assert len(found) == 1 and "77 %" in found[0].text


def test_a_citation_two_sentences_back_or_in_another_paragraph_does_not_count():
    two_back = "Harvey tested athletes (Harvey 1998). The test is quick. The thigh hung 11.9° below horizontal."
    assert len(problems(two_back)) == 1
    other_paragraph = "Harvey tested athletes (Harvey 1998).\n\nThe thigh hung 11.9° below horizontal."
    assert len(problems(other_paragraph)) == 1
    other_item = "- Harvey tested athletes (Harvey 1998).\n- The thigh hung 11.9° below horizontal."
    assert len(problems(other_item)) == 1


def test_a_model_number_cited_to_a_paper_only_is_caught():
    text = "In the teaching model the compression at L5–S1 is about 2100 N (Bogduk, Pearcy & Hadfield 1992)."
    found = problems(text)
    assert len(found) == 1 and "course-models" in found[0].message
    assert problems(text.replace("1992)", "1992; course models 2026)")) == []


def test_a_bank_question_with_a_figure_and_no_sources_is_caught(tmp_path):
    bank = {"questions": [
        {"id": "q-ok", "sources": ["harvey1998"], "explanation": "In 117 elite athletes the thigh hung low."},
        {"id": "q-none", "sources": [], "explanation": "In 117 elite athletes the thigh hung low."},
        {"id": "q-model", "sources": ["bogduk1992"], "prompt": "In the simulator the moment is 11 N·m."},
        {"id": "q-bad-key", "sources": ["nobody2020"], "explanation": "No figure here."}]}
    (tmp_path / "quizzes").mkdir()
    path = tmp_path / "quizzes" / "09-test.yml"
    path.write_text(yaml.safe_dump(bank), encoding="utf-8")
    found = {p.where.split("'")[1]: p.message for p in ev.bank_problems(path, REFS)}
    assert set(found) == {"q-none", "q-model", "q-bad-key"}


def test_a_data_entry_is_covered_by_its_own_or_an_enclosing_entrys_sources(tmp_path):
    (tmp_path / "assets").mkdir()
    path = tmp_path / "assets" / "thing.yml"
    path.write_text(yaml.safe_dump({
        "covered": {"sources": ["harvey1998"], "note": "The thigh hung 11.9° below horizontal on average.",
                    "inner": {"note": "Seen in 117 elite athletes."}},
        "uncovered": {"note": "It affects 40 % of runners."}}), encoding="utf-8")
    found = ev.data_problems(path, REFS, tmp_path)
    assert [p.where for p in found] == ["assets/thing.yml uncovered/note"]


@pytest.mark.parametrize("text", [
    "**Time:** about 45 minutes (20 reading, 25 on the diagrams and questions).",
    "Lesson 03 covers the conditions; see section 5 of lesson 02.",
    "Six short questions to try the question types.",
    "Psoas major arises from T12 to L5 and the discs between L1 and L5.",
    "Drag the slider to −20°, the thigh behind the body.",
    "**Lower the effort to 50 %.** Every moment halves.",
    "In the psoas-paradox explorer, keep the effort at 100 % and drag the lordosis from 10° to 70°.",
    "Test iliopsoas strength in sitting, with the hip flexed above 90°.",
    "Imagine a study of 10 bodies: each body moves the result by 10 percentage points.",
    "Run `thomas_test_simulator(severity=3)` and compare.",
    "A worked example: $1113\\ \\text{N} \\times 0.0385\\ \\text{m} \\approx 43$.",
    "The norms come from 117 elite athletes (Harvey 1998).",
    "Harvey tested elite athletes (Harvey 1998). On average the thigh hung 11.9° below horizontal.",
    "| Source | Finding |\n|---|---|\n| Cadavers (Skyrme et al. 1999) | no rotation in six cadavers |",
    "Psoas minor is absent in roughly half of people (Bergman et al. (Anatomy Atlases)).",
    "A 14-year-old sprinter limps after a race.",
    "**Case 5: a weak leg.** A 78-year-old on warfarin has had 2 weeks of groin pain and has lost 5 kg.",
])
def test_what_is_not_a_figure_or_is_cited_raises_no_alarm(text):
    assert problems(text) == []


def test_sentences_split_at_full_stops_but_not_after_abbreviations():
    assert ev.split_sentences("Lin et al. 2022 found it. Two bands were common, e.g. in 12 hips. Next.") == [
        "Lin et al. 2022 found it.", "Two bands were common, e.g. in 12 hips.", "Next."]


@pytest.mark.parametrize("entry, missing", [
    ({"short": "X 2020", "citation": "Scoping review of something (2024). J Am Acad Orthop Surg.", "about": "a",
      "doi": "10.5435/x"}, "no authors"),
    ({"short": "X", "citation": "Bergman RA, Afifi AK. Encyclopedia of variation.", "about": "a",
      "url": "https://example.org/x"}, "Authors (year)"),
    ({"short": "X", "citation": "Bergman RA (updated regularly). Anatomy Atlases.", "about": "a",
      "url": "https://example.org/x"}, "no year"),
    ({"short": "X", "citation": "Smith AB (2020).", "about": "a", "doi": "10.1/x"}, "no journal or book"),
    ({"short": "X", "citation": "Smith AB (2020). J Things 1:2.", "about": "a"}, "no doi, pmid or url"),
    ({"short": "X", "citation": "Reid JG (1994). Arch Phys Med Rehabil 75:703.", "about": "a",
      "url": "https://pubmed.ncbi.nlm.nih.gov/?term=Reid+psoas"}, "search page"),
])
def test_an_incomplete_reference_is_caught(entry, missing):
    assert any(missing in p for p in ev.reference_problems("x", entry, ROOT))


# ---------------------------------------------------------------------------- the course
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_in_the_lesson_text_is_cited(path):
    found = ev.notebook_problems(path, REFS)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("path", BANKS, ids=[p.stem for p in BANKS])
def test_every_question_that_states_a_figure_names_its_sources(path):
    found = ev.bank_problems(path, REFS)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("path", DATA, ids=[p.name for p in DATA])
def test_every_figure_in_the_data_files_is_cited(path):
    found = ev.data_problems(path, REFS, ROOT)
    assert not found, "\n".join(map(str, found))


def test_every_cited_key_is_a_reference():
    used = ev.cited_reference_keys(ROOT)
    assert "harvey1998" in used and "finucane2020" in used      # the walk really reads banks and data
    missing = {k: v for k, v in used.items() if k not in REFS}
    assert not missing, missing


@pytest.mark.parametrize("key", sorted(REFS))
def test_every_reference_has_authors_year_journal_and_a_link(key):
    assert ev.reference_problems(key, REFS[key], ROOT) == []


def test_the_course_cites_its_own_models_as_its_own():
    entry = REFS[ev.COURSE_KEY]
    assert "course" in entry["citation"] and "never a published finding" in entry["about"]


def test_the_checker_fails_on_a_lesson_with_an_uncited_figure(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Psoas is active in 80 % of sit-ups.")]
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "09-test.ipynb"
    nbformat.write(nb, path)
    assert len(ev.notebook_problems(path, REFS)) == 1
