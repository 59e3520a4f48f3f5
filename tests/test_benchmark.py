"""The benchmark's table and README writing, on made-up numbers (nothing is timed here)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()

FAKE = {
    "machine": {"date": "2001-02-03", "cpus": 7, "python": "3.99.1", "platform": "Plan9 mips"},
    "notebooks": [
        {"name": "00-start-here", "seconds": 6.0, "peak_mb": 140.0, "error": None},
        {"name": "01-anatomy", "seconds": 12.0, "peak_mb": 260.0, "error": None},
        {"name": "02-function", "seconds": None, "peak_mb": None, "error": "CellExecutionError: boom"},
    ],
    "floor": [{"seconds": 3.0, "peak_mb": 100.0}, {"seconds": 3.0, "peak_mb": 110.0}, {"seconds": 4.0, "peak_mb": 120.0}],
    "diagrams": [
        {"name": "hip-flexion", "class": "HipFlexionExplorer", "steps": 50, "update_ms": 20.0, "naive_ms": 200.0,
         "floor_ms": 15.0, "control": "angle", "error": None},
        {"name": "pain-map", "class": "PainMap", "steps": 50, "update_ms": 150.0, "naive_ms": 300.0, "floor_ms": 40.0,
         "error": None},
        {"name": "thomas-test", "class": "ThomasTestSimulator", "steps": 50, "update_ms": 25.0, "naive_ms": 50.0,
         "floor_ms": 20.0, "control": "severity", "error": None},
        {"name": "anatomy", "class": "AnatomyExplorer", "steps": 50, "update_ms": 45.0, "naive_ms": 900.0,
         "floor_ms": 20.0, "control": "view", "error": None},
        {"name": "paradox", "class": "", "error": "module does not import: ImportError: x"},
    ],
    "screen": [
        {"name": "hip-flexion", "class": "HipFlexionExplorer", "how": "key press on the slider", "keys": 20,
         "screen_ms": 30.0, "naive_screen_ms": 120.0, "floor_screen_ms": 20.0, "uncached_screen_ms": 41.0,
         "error": None},
        {"name": "pain-map", "class": "PainMap", "how": "change of the first menu", "keys": 20,
         "screen_ms": 60.0, "naive_screen_ms": 600.0, "error": None},
        {"name": "thomas-test", "class": "ThomasTestSimulator", "how": "key press on the slider", "keys": 20,
         "screen_ms": 20.0, "naive_screen_ms": 30.0, "error": None},
        {"name": "paradox", "class": "", "error": "TimeoutError: no new picture"},
        {"name": "(round trip)", "class": "", "keys": 20, "round_trip_ms": 14.0, "error": None},
    ],
    "check": {"clicks": 20, "median_ms": 42.0, "error": None},
    "fresh": {"lab_seconds": 95.4, "student_mb": 355.2, "test_seconds": 61.0, "test_mb": 598.7, "commit": "abc",
              "error": None},
    "size": {"student_mb": 321.4, "packages": 88, "missing": [], "venv_mb": 900.0},
}


def rows(table: str) -> dict[str, list[str]]:
    out = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        out[cells[0]] = cells
    return out


def test_table_shows_each_measure_its_baseline_ratio_and_target():
    table = bench.build_table(FAKE)
    assert table.splitlines()[0] == "| What | Measured | Baseline in the same run | Ratio | Target | Met |"
    r = rows(table)
    assert r["Run `00-start-here` headless (fresh kernel)"][1:4] == ["6.0 s", "floor 3.0 s", "2.0×"]
    assert r["Run `02-function` headless"][1] == "failed: CellExecutionError: boom"
    assert r["Run `02-function` headless"][-1] == "✗"
    # the course total is unknown when a notebook failed; the floor still sums every kernel
    assert r["Run the whole course headless (3 notebooks)"][1:3] == ["–", "floor 10.0 s (3 kernels)"]
    assert r["Peak memory, `00-start-here` kernel"][1:] == ["140 MB", "floor 110 MB", "1.3×", "< 250 MB", "✓"]
    assert r["Peak memory, `01-anatomy` kernel"][-1] == "✗"
    hip = r["Diagram `hip-flexion` (HipFlexionExplorer): update in the kernel, median of 50 steps of `angle`"]
    assert hip[1:] == ["20 ms", "naive rebuild 200 ms; floor 15 ms", "10.0× faster; 1.3× floor",
                       "≥ 3× faster and ≤ 2× floor", "✓"]
    assert r["Diagram `pain-map` (PainMap): update in the kernel, median of 50 steps"][-1] == "✗"
    fast_but_close = r["Diagram `thomas-test` (ThomasTestSimulator): update in the kernel, median of 50 steps of "
                       "`severity`"]
    assert fast_but_close[3:] == ["2.0× faster; 1.2× floor", "≥ 3× faster and ≤ 2× floor", "✗"], "only 2× naive"
    over_floor = r["Diagram `anatomy` (AnatomyExplorer): update in the kernel, median of 50 steps of `view`"]
    assert over_floor[3:] == ["20.0× faster; 2.2× floor", "≥ 3× faster and ≤ 2× floor", "✗"], "over 2× its floor"
    assert r["Diagram `paradox`: update in the kernel"][1].startswith("failed: module does not import")
    key = "in JupyterLab (Chromium): key press on the slider → new picture on screen, median of 20"
    assert r[f"Diagram `hip-flexion` (HipFlexionExplorer) {key}"][1:] == [
        "30 ms", "without the cache 41 ms; naive `interact` 120 ms; floor 20 ms", "4.0× faster; 1.5× floor", "≤ 50 ms and ≥ 2× faster", "✓"]
    slow = r["Diagram `pain-map` (PainMap) in JupyterLab (Chromium): change of the first menu → new picture on "
             "screen, median of 20"]
    assert slow[-1] == "✗", "10× faster than naive but over 50 ms"
    assert r[f"Diagram `thomas-test` (ThomasTestSimulator) {key}"][-1] == "✗", "20 ms but only 1.5× naive"
    assert r["Diagram `paradox` in JupyterLab (Chromium): new picture on screen"][1] == (
        "not measured: TimeoutError: no new picture")
    assert r["JupyterLab (Chromium) round trip: key press on a plain slider → the kernel's text answer on screen, "
             "median of 20"][1] == "14 ms"
    assert r["Fresh clone → JupyterLab answering (`python3 course.py lab`; pip's cache warm)"][1] == "95.4 s"
    assert r["Installed size, student environment (.venv after `python3 course.py lab`)"][1] == "355 MB"
    assert r["Installed size, test environment (.venv after `python3 course.py setup`)"][1:4] == [
        "599 MB", "student environment 355 MB", "1.7×"]
    assert r["Adding the test tools (`python3 course.py setup`; pip's cache warm)"][1] == "61.0 s"
    assert r["Check → feedback in JupyterLab (Chromium), median of 20 clicks"][1:] == ["42 ms", "", "", "≤ 100 ms", "✓"]
    size = next(v for k, v in r.items() if k.startswith("Installed size, student environment (88 packages"))
    assert size[1:3] == ["321 MB", "whole .venv with test tools 900 MB"]


def test_whole_course_total_is_the_sum_when_every_notebook_ran():
    fake = dict(FAKE, notebooks=FAKE["notebooks"][:2], floor=FAKE["floor"][:2])
    r = rows(bench.build_table(fake))
    assert r["Run the whole course headless (2 notebooks)"][1:4] == ["18.0 s", "floor 6.0 s (2 kernels)", "3.0×"]


def test_a_missing_browser_is_reported_not_hidden():
    fake = dict(FAKE, check={"error": "no Chromium"})
    r = rows(bench.build_table(fake))
    assert r["Check → feedback in JupyterLab (Chromium)"][1] == "not measured: no Chromium"


def test_readme_block_is_replaced_between_the_markers_only():
    text = "# T\n\n## Performance\n\n<!--BENCHMARK-->\nold table\n<!--/BENCHMARK-->\n\n## Credits\nkeep\n"
    block = bench.readme_block(FAKE)
    new = bench.update_readme(text, block)
    assert new.startswith("# T\n\n## Performance\n\n<!--BENCHMARK-->\n")
    assert new.endswith("<!--/BENCHMARK-->\n\n## Credits\nkeep\n")
    assert "old table" not in new
    assert "Measured on 2001-02-03 on Plan9 mips with 7 CPUs, Python 3.99.1." in new
    assert "`python3 course.py bench`" in new
    assert bench.build_table(FAKE) in new
    assert "under 250 MB" in new and "*Floor*" in new and "at most 2× its floor" in new
    assert "within 50 ms" in new and "pip's download cache" in new
    assert bench.update_readme(new, block) == new  # idempotent


def test_readme_without_markers_is_an_error():
    with pytest.raises(ValueError, match="BENCHMARK"):
        bench.update_readme("# no markers\n", "x")


def test_the_real_readme_has_the_markers():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.index(bench.BEGIN) < text.index(bench.END)


def test_requirement_closure_follows_dependencies(tmp_path):
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("# a comment\npytest>=1\nno-such-package-iliopsoas-test\n", encoding="utf-8")
    found, missing = bench.requirement_closure(reqs)
    assert "pytest" in found and "pluggy" in found and "iniconfig" in found  # pytest's own dependencies
    assert missing == ["no-such-package-iliopsoas-test"]
    assert bench.dist_bytes(found["pluggy"]) > 0


def test_a_saved_run_is_printed_and_written_without_measuring(tmp_path, monkeypatch, capsys):
    import json

    saved = tmp_path / "run.json"
    saved.write_text(json.dumps(FAKE), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("x\n<!--BENCHMARK-->\n<!--/BENCHMARK-->\n", encoding="utf-8")
    monkeypatch.setattr(bench, "README", readme)
    monkeypatch.setattr(bench, "measure_notebooks", lambda *a: pytest.fail("must not measure"))
    assert bench.main(["--from-json", str(saved), "--update-readme"]) == 0
    assert "| Check → feedback in JupyterLab (Chromium), median of 20 clicks | 42 ms |" in capsys.readouterr().out
    assert "Plan9 mips" in readme.read_text(encoding="utf-8")
