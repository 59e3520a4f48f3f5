"""The rehabilitation planner: its data and decision rule (models/rehab.py) and its diagram (figures/rehab_planner.py)."""
from __future__ import annotations

import copy

import pytest

from figure_checks import label_problems
from iliopsoas.figures.rehab_planner import RehabPlanner, rehab_planner
from iliopsoas.models import rehab
from iliopsoas.models.datafile import problems, read_schema, read_yaml
from iliopsoas.models.evidence import LEVELS
from iliopsoas.models.rehab import Observation, assess, load_programmes

ALL_MET = Observation(pain_during=0, settled_next_morning=True, strength_ratio_pct=100, function_passed=True)


def test_three_example_cases_each_a_programme_of_phases():
    cases = load_programmes()
    assert set(cases) == {"runner-tendinopathy", "dancer-snapping", "footballer-strain"}
    assert [len(c.phases) for c in cases.values()] == [4, 3, 4]
    for c in cases.values():
        for p in c.phases:
            assert p.goals and p.exercises and p.criteria
            assert p.criterion("pain_during") is not None, f"{c.id} phase {p.number} has no pain limit"


def test_every_element_says_how_strong_its_evidence_is():
    for c in load_programmes().values():
        for p in c.phases:
            for name, ev in p.evidence_items():
                assert ev.level in LEVELS, name
                assert ev.applies in ("direct", "analogy"), name
                if ev.level != "practitioner":
                    assert ev.sources, f"{name}: a {ev.level} needs a source"
                assert LEVELS[ev.level].symbol in ev.badge


def test_most_doses_are_labelled_practitioner_advice_because_no_trial_tested_them():
    items = [ev for c in load_programmes().values() for p in c.phases for _, ev in p.evidence_items()]
    practitioner = [ev for ev in items if ev.level == "practitioner"]
    assert len(practitioner) > len(items) / 2
    assert not [ev for ev in items if ev.level == "rct" and ev.applies == "direct"], \
        "no randomised trial of an iliopsoas programme exists; a direct RCT here would be an error"


def test_all_criteria_met_moves_on_and_the_last_phase_returns():
    a = assess("runner-tendinopathy", 1, ALL_MET)
    assert a.decision == "progress" and a.met == len(a.results)
    assert "ready to move on to phase 2 (Build strength)" in a.sentence()
    last = assess("runner-tendinopathy", 4, ALL_MET)
    assert last.decision == "return" and "ready to return" in last.sentence()


def test_pain_over_the_limit_or_not_settled_next_morning_eases_the_load():
    # runner phase 2 allows pain up to 4/10 during exercise
    assert assess("runner-tendinopathy", 2, Observation(4, True, 100, True)).decision == "progress"
    assert assess("runner-tendinopathy", 2, Observation(5, True, 100, True)).decision == "ease"
    not_settled = assess("runner-tendinopathy", 2, Observation(1, False, 100, True))
    assert not_settled.decision == "ease" and "Ease the load" in not_settled.sentence()


def test_strength_short_of_the_cut_off_means_stay_and_names_what_is_missing():
    a = assess("runner-tendinopathy", 3, Observation(2, True, 85, True))   # needs >= 90 % in phase 3
    assert a.decision == "stay"
    assert "hip flexion ≥ 90% of the other side" in a.sentence()
    assert assess("runner-tendinopathy", 3, Observation(2, True, 90, True)).decision == "progress"


def test_bad_observations_and_phases_are_clear_errors():
    with pytest.raises(ValueError, match="0-10"):
        Observation(pain_during=11)
    with pytest.raises(ValueError, match="0-150"):
        Observation(strength_ratio_pct=-5)
    with pytest.raises(ValueError, match="phases 1 to 3"):
        assess("dancer-snapping", 4, ALL_MET)
    with pytest.raises(KeyError, match="runner-tendinopathy"):
        rehab.case("swimmer")


def test_schema_errors_name_the_file_the_entry_and_the_field():
    data = copy.deepcopy(read_yaml(rehab.FILE))
    del data["cases"][0]["phases"][0]["exercises"][0]["load"]
    data["cases"][1]["phases"][1]["criteria"][0]["text"] = "x" * 80
    found = problems(data, read_schema("rehab-programmes.schema.json"), rehab.FILE, rehab.LABELS)
    assert ('rehab-programmes.yml: case "runner-tendinopathy", phase 1, exercise "seated-isometric-hold", '
            'field "load": is missing') in found
    assert any(f.startswith('rehab-programmes.yml: case "dancer-snapping", phase 2, criterion 1, field "text"')
               for f in found), found


def test_checks_beyond_the_schema_name_the_item():
    data = copy.deepcopy(read_yaml(rehab.FILE))
    crit = data["cases"][0]["phases"][1]["criteria"][2]          # strength_ratio of runner phase 2
    del crit["threshold"]
    data["cases"][0]["phases"][0]["exercises"][2]["evidence"]["sources"] = ["nobody2099"]
    data["cases"][2]["phases"][0]["exercises"][0]["evidence"]["sources"] = []   # a review with no source
    found = rehab.check(data, references={"silbernagel2007": {}, "rauseo2017": {}})
    assert ('rehab-programmes.yml: case "runner-tendinopathy", phase 2, criterion "strength_ratio": '
            'field "threshold" is missing') in found
    assert any("exercise \"relative-rest\": field \"evidence.sources\": unknown reference 'nobody2099'" in f
               for f in found)
    assert any('case "footballer-strain", phase 1, exercise "ice-if-wanted": field "evidence.sources": '
               "a systematic-review needs a source" in f for f in found)


# ---------------------------------------------------------------------- the diagram
def test_planner_shows_the_phase_and_its_decision_and_redraws_on_every_control():
    d = RehabPlanner()
    first = d.png
    assert "phase 1 of 4" in d.readout(d.state())
    d.set(phase=2)
    assert d.png != first and "phase 2 of 4 (Build strength)" in d.readout(d.state())
    before = d.png
    d.set(pain=8)
    assert d.png != before and "Ease the load" in d.readout(d.state())
    d.set(case="dancer-snapping")
    assert d.controls["phase"].max == 3


def test_blitted_planner_equals_a_fresh_full_drawing():
    d = RehabPlanner()
    d.set(phase=3, pain=5, strength=95)
    d.set(phase=1)                      # visit another card, then come back to the cached one
    d.set(phase=3)
    fresh = RehabPlanner(phase=3, pain=5, strength=95)
    assert d.png == fresh.png


def test_phase_cards_are_cached_so_revisits_do_not_redraw_everything():
    d = RehabPlanner()
    for phase in (2, 3, 2, 3, 1):
        d.set(phase=phase)
    assert len(d._backgrounds) == 3
    calls = []
    original = d.figure.canvas.draw
    d.figure.canvas.draw = lambda *a, **k: calls.append(1) or original(*a, **k)
    d.set(phase=2)
    d.set(pain=6)
    assert calls == [], "a cached phase card was drawn again"


@pytest.mark.parametrize("case_id", ["runner-tendinopathy", "dancer-snapping", "footballer-strain"])
def test_no_label_overlaps_another_or_leaves_the_figure_in_any_phase(case_id):
    d = RehabPlanner(case=case_id)
    for phase in range(1, len(rehab.case(case_id).phases) + 1):
        for obs in ({"pain": 0, "strength": 110, "morning": True, "function": True},
                    {"pain": 10, "strength": 50, "morning": False, "function": False}):
            d.set(phase=phase, **obs)
            assert not label_problems(d.figure), (case_id, phase, obs, label_problems(d.figure))


def test_public_function_checks_its_arguments():
    assert isinstance(rehab_planner("footballer-strain", 2), RehabPlanner)
    with pytest.raises(ValueError, match="phases 1 to 3"):
        rehab_planner("dancer-snapping", 4)
    with pytest.raises(KeyError, match="footballer-strain"):
        rehab_planner("tennis")


def test_alt_text_and_readout_name_the_evidence():
    d = RehabPlanner(phase=2)
    state = d.state()
    assert "Case report or series" in d.alt(state) or "case report" in d.alt(state).lower()
    assert "practitioner advice not tested in trials" in d.readout(state)
