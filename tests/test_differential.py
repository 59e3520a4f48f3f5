"""Differential sorter (lesson 04): its data file, the status rules, red flags by id from
assets/red-flags.yml, errors that name file/entry/field, and the diagram's words."""
from __future__ import annotations

import pytest
import yaml

from iliopsoas.models import differential as dd


def good_data():
    from iliopsoas.paths import asset_file

    return yaml.safe_load(asset_file(dd.FILE).read_text(encoding="utf-8"))


def flag_ids():
    from iliopsoas.redflags import load_red_flags

    return {f["id"] for t in load_red_flags()["tiers"] for f in t["flags"]}


def test_shipped_file_is_valid_with_a_source_on_every_link():
    from iliopsoas.sources import load_references

    data = good_data()
    assert dd.validate(data, references=load_references(), red_flag_ids=flag_ids()) == []
    loaded = dd.load_differential()
    assert [c.id for c in loaded.group("doha")] == ["adductor", "iliopsoas", "inguinal", "pubic", "hip", "other"]
    mimics = {c.id for c in loaded.group("mimic")}
    assert {"stress-fracture", "scfe", "hernia", "abscess", "aneurysm", "malignancy", "kidney-stone",
            "cauda-equina"} <= mimics
    for finding in loaded.findings.values():
        for link in finding.links:
            assert link.sources and len(link.why) > 20


def test_every_category_but_other_can_be_moved_by_some_finding():
    loaded = dd.load_differential()
    reachable = {link.to for f in loaded.findings.values() for link in f.links}
    assert set(loaded.categories) - reachable == {"other"}


@pytest.mark.parametrize("effects, status", [
    ([], "open"), (["for"], "for"), (["against"], "against"), (["for", "against"], "mixed"),
    (["for", "alarm"], "alarm"), (["against", "alarm", "for"], "alarm"),
])
def test_status_rules(effects, status):
    assert dd.status_for(effects) == status


def test_nothing_ticked_leaves_everything_open_and_no_flags():
    res = dd.sort_findings([])
    assert {c.status for c in res.categories} == {"open"}
    assert res.red_flags == ()
    assert "still open" in dd.summary(res)


def test_findings_move_categories_with_their_reasons():
    res = dd.sort_findings(["iliopsoas-tender", "fadir-negative"])
    assert res.status_of("iliopsoas") == "for"
    assert res.status_of("hip") == "against"
    assert res.status_of("adductor") == "open"
    hip = next(c for c in res.categories if c.category.id == "hip")
    assert hip.reasons[0].finding == "fadir-negative" and "reiman2020" in hip.reasons[0].sources
    res = dd.sort_findings(["iliopsoas-tender", "no-palpation-pain"])
    assert res.status_of("iliopsoas") == "mixed"


def test_red_flags_come_from_the_shared_file_by_id_and_tier():
    from iliopsoas.redflags import red_flag

    res = dd.sort_findings(["cancer", "bladder-saddle", "fever"])
    assert [f.id for f in res.red_flags][0] == "cauda-equina"      # emergency first
    assert {f.id for f in res.red_flags} == {"cauda-equina", "fever", "cancer-history", "weight-loss", "night-pain"}
    for f in res.red_flags:
        assert f.tier == red_flag(f.id)["tier"]
        assert f.sign == " ".join(red_flag(f.id)["sign"].split())
    assert res.status_of("abscess") == "alarm" and res.status_of("cauda-equina") == "alarm"
    assert res.status_of("other") == "alarm"   # the Doha heading that holds the mimics


def test_the_summary_names_red_flags_in_words_grouped_by_urgency():
    res = dd.sort_findings(["cancer", "bladder-saddle", "fever", "running-worse"])
    said = dd.summary(res)
    assert ("Red flags: emergency, now — Bladder or bowel changes (cauda equina); same day — Groin pain in a "
            "distance runner, Fever or feeling unwell with the pain; soon, within days — Past cancer and new pain, "
            "Weight loss without a reason, Night pain not eased by rest.") in said, said
    # each flag by the name its file gives a reader, never its id with the hyphens taken out
    assert not [f.id for f in res.red_flags if f.id.replace("-", " ") in said and f.id.replace("-", " ") not in f.name.lower()], said
    ids = {f.id for f in res.red_flags}
    assert not [i for i in ids if "-" in i and i in said], f"file ids shown to the student: {said}"


def test_unknown_finding_lists_the_known_ones():
    with pytest.raises(dd.FindingError, match="fever"):
        dd.sort_findings(["fevre"])


def test_errors_name_file_entry_and_field():
    data = good_data()
    data["findings"][0]["links"][0]["to"] = "psoas-syndrome"
    data["findings"][3]["red_flags"] = ["fevers"]
    data["findings"][4]["links"][0]["sources"] = ["nobody2099"]
    data["findings"][5]["label"] = "x" * 60
    problems = dd.validate(data, references={"serner2018": {}}, red_flag_ids=flag_ids())
    text = "\n".join(problems)
    assert 'differential.yml: finding "cancer", field "label"' in text   # schema error first, alone
    data["findings"][5]["label"] = "short"
    problems = "\n".join(dd.validate(data, references={"serner2018": {}, "serner2015": {}},
                                     red_flag_ids=flag_ids()))
    assert ('differential.yml: finding "change-direction", link 1: field "to": unknown category '
            "'psoas-syndrome'") in problems
    assert 'finding "fever": field "red_flags": \'fevers\' is not a red flag' in problems
    assert 'finding "anticoagulant", link 1: field "sources": unknown reference \'nobody2099\'' in problems
    data = good_data()
    data["categories"][1]["group"] = "muscle"
    data["findings"][2]["links"][0]["effect"] = "maybe"
    problems = "\n".join(dd.validate(data))
    assert 'category "iliopsoas", field "group"' in problems
    assert 'finding "running-worse", link 1, field "effect"' in problems


def test_a_broken_file_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "differential.yml").write_text("categories: [\n", encoding="utf-8")
    monkeypatch.setattr(dd, "asset_file", lambda name: tmp_path / name)
    with pytest.raises(dd.DifferentialDataError, match=r"differential.yml: is not valid YAML at line"):
        dd.load_differential()
    from iliopsoas.figures.differential_sorter import differential_sorter

    shown = differential_sorter()
    assert "not valid YAML" in shown.text()


def test_sorter_diagram_words_and_reasoning_follow_the_ticks():
    from iliopsoas.figures.differential_sorter import DifferentialSorter, differential_sorter

    d = DifferentialSorter()
    before = d.png
    d.set(fever=True, psoas_sign=True)
    assert d.png != before
    assert "Psoas abscess" in d.readout(d.state()) and "Red flags: same day — Fever or feeling unwell with the pain." in d.readout(d.state())
    reasons = d.reasoning_html(d.state())
    assert "Wagner, McKinney &amp; Carpenter 1996" in reasons and "SAME DAY" in reasons
    assert "Red flags raised: Fever or feeling unwell with the pain (same day)" in d.alt(d.state())
    assert "Unknown finding" in differential_sorter(["fevre"]).text()
    assert "Why: the reasoning" in differential_sorter(["fever"]).static_html()


def test_the_live_sorter_shows_its_reasoning_and_the_findings_under_their_headings():
    """Whatever the base layout (a laptop arrangement once dropped it), the live widget holds the
    reasoning panel, refreshed by a tick, and the findings under History and Examination."""
    import ipywidgets as w

    from iliopsoas.figures.differential_sorter import DifferentialSorter

    sorter = DifferentialSorter()
    box = sorter.widget

    def walk(node):
        yield node
        for child in getattr(node, "children", ()):
            yield from walk(child)

    nodes = list(walk(box))
    assert sorter._reasoning in nodes
    assert "Tick findings to see the reasoning" in sorter._reasoning.value
    headings = [n.value for n in nodes if isinstance(n, w.HTML) and n.value in ("<strong>History</strong>",
                                                                              "<strong>Examination</strong>")]
    assert headings == ["<strong>History</strong>", "<strong>Examination</strong>"]
    assert all(c in nodes for c in sorter.controls.values())
    first = next(iter(sorter.controls.values()))
    first.value = True
    assert "Why: the reasoning" in sorter._reasoning.value
