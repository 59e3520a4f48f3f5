"""The red-flag block: one data file, in tiers, rendered the same in every notebook that shows it."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
import yaml

from iliopsoas import redflags
from iliopsoas.sources import load_references

ROOT = Path(__file__).resolve().parent.parent


def test_tiers_are_emergency_then_same_day_then_soon_with_their_flags():
    data = redflags.load_red_flags()
    assert [t["id"] for t in data["tiers"]] == ["emergency", "same-day", "soon"]
    ids = {t["id"]: [f["id"] for f in t["flags"]] for t in data["tiers"]}
    assert ids["emergency"] == ["cauda-equina", "aortic-aneurysm"]
    assert set(ids["same-day"]) == {"fever", "anticoagulant-bleed", "cannot-bear-weight",
                                    "runner-stress-fracture", "adolescent-limp"}
    assert set(ids["soon"]) == {"cancer-history", "weight-loss", "night-pain", "progressive-weakness"}
    cauda = redflags.red_flag("cauda-equina")["sign"].lower()
    for sign in ("bladder", "bowel", "saddle", "both legs", "sexual"):
        assert sign in cauda
    # cauda equina can come without back pain: the flag must not require it
    assert "with or without back pain" in cauda
    fever = redflags.red_flag("fever")["concern"].lower()
    assert "abscess" in fever and "hip joint" in fever
    abscess = [r for r in data["risk_factors"] if r["condition"] == "psoas abscess"][0]
    text = " ".join(abscess["factors"]).lower()
    for factor in ("diabetes", "immune", "injecting drug", "crohn", "operation"):
        assert factor in text


def test_every_cited_key_is_a_reference_and_the_framework_is_cited():
    refs = load_references()
    keys = redflags.red_flag_sources()
    assert keys[0] == "finucane2020"
    assert all(k in refs for k in keys)
    md = redflags.red_flags_markdown()
    assert "(Finucane et al. 2020)" in md


def test_markdown_lists_tiers_in_order_with_symbols_not_colour():
    md = redflags.red_flags_markdown()
    assert md.startswith("<!--RED-FLAGS-->\n### Red flags: see a clinician")
    positions = [md.index(redflags.TIER_SYMBOLS[t]) for t in redflags.TIER_IDS]
    assert positions == sorted(positions)
    only_soon = redflags.red_flags_markdown(tiers=["soon"])
    assert "Emergency" not in only_soon and "Soon" in only_soon
    with pytest.raises(ValueError, match="unknown tier"):
        redflags.red_flags_markdown(tiers=["later"])


def test_validation_names_the_file_the_tier_or_flag_and_the_field():
    data = copy.deepcopy(redflags.load_red_flags())
    data["tiers"][1]["flags"][0]["sign"] = ""
    del data["tiers"][2]["action"]
    data["tiers"][0]["flags"][0]["sources"] = ["nobody1999"]
    problems = redflags.validate(data, "red-flags.yml", load_references())
    assert any('tier "same-day", flag "fever", field "sign"' in p for p in problems), problems
    assert any('tier "soon"' in p and "'action' is a required property" in p for p in problems), problems
    data = copy.deepcopy(redflags.load_red_flags())
    data["tiers"][0]["flags"][0]["sources"] = ["nobody1999"]
    problems = redflags.validate(data, "red-flags.yml", load_references())
    assert problems == ['red-flags.yml: tier "emergency", flag "cauda-equina": field "sources": '
                        "unknown reference 'nobody1999'"]
    data["tiers"] = list(reversed(data["tiers"]))
    data["tiers"][0]["flags"][0]["sources"] = ["finucane2020"]
    assert any("in that order" in p for p in redflags.validate(data))


def test_a_broken_file_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    root = tmp_path / "course"
    (root / "assets").mkdir(parents=True)
    (root / "quizzes").mkdir()
    (root / "assets" / "red-flags.yml").write_text("tiers: [\n  - id: emergency\n", encoding="utf-8")
    monkeypatch.setenv("ILIOPSOAS_COURSE_ROOT", str(root))
    with pytest.raises(redflags.RedFlagError, match=r"red-flags.yml: is not valid YAML at line \d+, column \d+"):
        redflags.load_red_flags()


def test_every_notebook_block_is_the_generated_one():
    expected = redflags.red_flags_markdown()
    found = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and cell.source.lstrip().startswith("<!--RED-FLAGS-->"):
                assert cell.source == expected, f"{path.name}: run python tools/sync_notebooks.py"
                found += 1
    assert found >= 1, "the start notebook shows the red flags"
    start = nbformat.read(ROOT / "notebooks" / "00-start-here.ipynb", as_version=4)
    assert any(c.source.startswith("<!--RED-FLAGS-->") for c in start.cells)


def test_data_file_parses_as_plain_yaml():
    data = yaml.safe_load((ROOT / "assets" / "red-flags.yml").read_text(encoding="utf-8"))
    assert redflags.validate(data, "red-flags.yml", load_references()) == []


def test_every_data_file_reader_names_the_file_and_line_of_bad_yaml(tmp_path):
    """One YAML reader (iliopsoas.yamlfile) for every data file: bad YAML names file, line and column."""
    from iliopsoas.yamlfile import read_yaml

    class MyError(ValueError):
        pass

    bad = tmp_path / "differential.yml"
    bad.write_text("findings:\n  - id: a\n    label: [unclosed\n", encoding="utf-8")
    with pytest.raises(MyError, match=r"^differential\.yml: is not valid YAML at line \d+, column \d+$"):
        read_yaml(bad, error=MyError)
    with pytest.raises(MyError, match=r"^missing\.yml: cannot be read \("):
        read_yaml(tmp_path / "missing.yml", error=MyError)
    (tmp_path / "latin1.yml").write_bytes("name: Hölmich\n".encode("latin-1"))
    with pytest.raises(MyError, match=r"^latin1\.yml: cannot be read \("):
        read_yaml(tmp_path / "latin1.yml", error=MyError)
    good = tmp_path / "good.yml"
    good.write_text("tiers: [emergency]\n", encoding="utf-8")
    assert read_yaml(good, error=MyError) == {"tiers": ["emergency"]}
