"""The treatment evidence table: its data (models/evidence.py) and its widget (figures/evidence_table.py)."""
from __future__ import annotations

import copy

import pytest

from iliopsoas.figures.evidence_table import EvidenceTable, evidence_table, table_html
from iliopsoas.models import evidence
from iliopsoas.models.datafile import problems, read_schema, read_yaml


def test_every_row_has_a_level_a_sample_and_a_known_source():
    rows = evidence.load_evidence()
    assert len(rows) >= 15
    refs = __import__("iliopsoas.sources", fromlist=["x"]).load_references()
    for r in rows:
        assert r.level in evidence.LEVELS and r.category in evidence.CATEGORIES
        assert r.n >= 1 and r.n_unit
        assert all(k in refs for k in r.sources), r.id


def test_no_randomised_trial_of_an_iliopsoas_treatment_is_claimed():
    rows = evidence.load_evidence()
    assert not [r for r in rows if r.level == "rct" and r.applies == "direct"]
    assert [r for r in rows if r.level == "rct" and r.applies == "analogy"], "the analogies are shown as such"
    assert "None of these is a randomised trial in people with an iliopsoas problem." in \
        evidence.describe_selection(rows, len(rows))


def test_filters_and_sorts():
    surgery = evidence.select("surgery")
    assert surgery and all(r.category == "surgery" for r in surgery)
    ranks = [evidence.LEVELS[r.level].rank for r in evidence.select(sort="level")]
    assert ranks == sorted(ranks)
    sizes = [r.n for r in evidence.select(sort="n")]
    assert sizes == sorted(sizes, reverse=True)
    years = [r.year for r in evidence.select("injection", sort="year")]
    assert years == sorted(years, reverse=True)
    assert all(r.applies == "analogy" for r in evidence.select(applies="analogy"))
    with pytest.raises(ValueError, match="early-care"):
        evidence.select("massage")
    with pytest.raises(ValueError, match="choose one of: level"):
        evidence.select(sort="colour")


def test_schema_errors_name_the_file_the_study_and_the_field():
    data = copy.deepcopy(read_yaml(evidence.FILE))
    data["studies"][3]["level"] = "anecdote"
    del data["studies"][0]["n"]
    found = problems(data, read_schema("treatment-evidence.schema.json"), evidence.FILE, evidence.LABELS)
    assert 'treatment-evidence.yml: study "rice-ankle-review", field "n": is missing' in found
    assert any(f.startswith('treatment-evidence.yml: study "active-training-adductor-rct", field "level"')
               for f in found), found
    dup = copy.deepcopy(read_yaml(evidence.FILE))
    dup["studies"][1]["id"] = dup["studies"][0]["id"]
    dup["studies"][2]["sources"] = ["ghost2001"]
    extra = evidence.check(dup, references={})
    assert 'treatment-evidence.yml: study "rice-ankle-review": field "id": used twice' in extra
    assert any("unknown reference 'ghost2001'" in f for f in extra)


def test_table_html_has_one_row_per_study_and_levels_in_words_and_symbols():
    rows = evidence.select("injection")
    html = table_html(rows)
    assert html.count('class="iliopsoas-evidence-row"') == len(rows)
    assert "● Case series or case report" in html and "49% reported a relevant improvement" in html
    assert "text-align:left" in html


def test_the_widget_filters_and_sorts_and_the_static_version_shows_everything():
    t = evidence_table()
    widget = t.widget
    assert "iliopsoas-evidence" in widget._dom_classes
    all_rows = t._table.value.count("iliopsoas-evidence-row")
    t.controls["category"].value = "surgery"          # what a student's menu choice does
    assert 0 < t._table.value.count("iliopsoas-evidence-row") < all_rows
    assert "(surgery)" in t._readout.value
    t.controls["sort"].value = "n"
    assert t._table.value.index("fractional lengthening") < t._table.value.index("How surgeons now use")
    bundle = EvidenceTable()._repr_mimebundle_()
    assert bundle["text/html"].count("iliopsoas-evidence-row") == len(evidence.load_evidence())
    assert "Static table" in bundle["text/html"]
    assert bundle["text/plain"].startswith("[Evidence table]")


def test_bad_menu_values_are_clear_errors():
    with pytest.raises(ValueError, match="choose 'all' or one of"):
        evidence_table(category="acupuncture")
    with pytest.raises(TypeError, match="no control 'colour'"):
        EvidenceTable().set(colour="red")


def test_the_live_table_says_how_many_rows_its_scroll_box_holds():
    """At 1366x768 the scroll box shows about four rows: the line above it names the count (student trial)."""
    from iliopsoas.figures.evidence_table import EvidenceTable, rows_note

    table = EvidenceTable()
    table.widget
    assert table._table.layout.overflow == "auto scroll"   # x as needed, y: the scroll bar always shown
    everything = len(table.rows())
    assert everything > 4
    assert f"{everything} studies in the table: scroll inside it" in table._rows_note.value
    table.controls["applies"].value = "direct"
    fewer = len(table.rows())
    assert fewer < everything and (f"{fewer} stud" in table._rows_note.value)
    assert rows_note(0) == "No study matches these choices."
    assert rows_note(1) == "1 study in the table."
