"""The hub rows of the benchmark and the capacity they give, on made-up numbers (nothing is timed here)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import hub_capacity as hc  # noqa: E402


def student(name, pss, rss, server_pss=100.0, server_rss=120.0, total=30.0):
    return {"name": name, "pss_mb": pss, "rss_mb": rss, "processes": 2, "total_s": total,
            "server": {"pss_mb": server_pss, "rss_mb": server_rss}}


FAKE = {
    "lesson": "02-function", "class_size": 3, "machine_memory_gb": 15.6, "error": None,
    "alone": {"total_s": 20.0},
    "together": [{"total_s": 50.0}, {"total_s": 70.0}],
    "students": [student("s1", 240.0, 300.0), student("s2", 250.0, 310.0), student("s3", 260.0, 320.0)],
    "hub_and_proxy": {"pss_mb": 150.0, "rss_mb": 180.0},
}


def test_capacity_from_the_median_student():
    cap = hc.capacity(FAKE)
    assert cap["per_student_mb"] == {"pss": 250, "rss": 310}
    assert cap["server_alone_mb"] == {"pss": 100, "rss": 120}
    # (16 GB - 1024 MB system - 150 MB hub) / 250 MB = 60.9 -> 60 students
    assert cap["students_per_machine"] == {8: 28, 16: 60, 32: 126}
    assert cap["login_to_lesson_s"] == {"alone": 20.0, "class_median": 60.0, "class_slowest": 70.0}
    # guarantee: one student's RSS rounded up to 64 MB; limit: server + 3 kernels of (310 - 120) MB, to 128 MB
    assert cap["kubernetes"] == {"memory_guarantee": "320M", "memory_limit": "768M"}


def test_table_rows_state_the_figures_and_the_machine_sizes():
    rows = {r[0]: r for r in hc.table_rows(FAKE)}
    assert len(rows) == 6 and all(len(r) == 6 for r in rows.values())
    per = next(r for k, r in rows.items() if k.startswith("JupyterHub: memory per student"))
    assert per[1] == "250 MB" and per[2] == "server alone 100 MB" and "median of 3" in per[0]
    machines = next(r for k, r in rows.items() if "students one machine holds" in k)
    assert machines[1] == "8 GB: 28, 16 GB: 60, 32 GB: 126"
    together = next(r for k, r in rows.items() if "2 students at once" in k)
    assert together[1] == "60.0 s; 70.0 s"
    assert hc.table_rows(None) == []
    failed = hc.table_rows({"error": "HubError: missing configurable-http-proxy"})
    assert failed[0][1] == "not measured: HubError: missing configurable-http-proxy"
    assert hc.readme_note({"error": "x"}) == "" and "1024 MB for the system" in hc.readme_note(FAKE)


VALUES = """singleuser:
  memory:
    guarantee: 1M  # from deploy/capacity.yml
    limit: 2M  # from deploy/capacity.yml
  cpu:
    guarantee: 0.05
    limit: 1
"""


def test_writing_the_capacity_file_and_the_values_sizes(tmp_path):
    cap_path, values_path = tmp_path / "capacity.yml", tmp_path / "values.yaml"
    values_path.write_text(VALUES, encoding="utf-8")
    results = {"machine": {"date": "2001-02-03", "platform": "Plan9 mips", "cpus": 7, "python": "3.99"},
               "hub": FAKE}
    hc.write_capacity(results, cap_path, values_path)
    doc = yaml.safe_load(cap_path.read_text(encoding="utf-8"))
    assert doc["measured"]["machine"] == "Plan9 mips, 7 CPUs, 15.6 GB memory"
    assert doc["kubernetes"] == {"memory_guarantee": "320M", "memory_limit": "768M"}
    values = yaml.safe_load(values_path.read_text(encoding="utf-8"))
    assert values["singleuser"]["memory"] == {"guarantee": "320M", "limit": "768M"}
    assert values["singleuser"]["cpu"] == {"guarantee": 0.05, "limit": 1}  # only the marked lines change


def test_values_without_the_marked_lines_are_refused():
    with pytest.raises(ValueError, match="guarantee"):
        hc.patch_values("singleuser:\n  memory:\n    guarantee: 1M\n", hc.capacity(FAKE))


def test_the_readme_class_size_for_instructors_follows_the_run():
    """The benchmark rewrote the table and deploy/capacity.yml but not the instructors' sentence, so the
    README said 68 students where the new run gave 67 (tests/test_deploy.py caught it)."""
    results = {"machine": {"date": "2001-02-03", "platform": "Plan9 mips", "cpus": 7, "python": "3.99"},
               "hub": FAKE}
    readme = "# Course\n\n- **How many students one machine holds.** old words, 68 students.\n- next bullet\n"
    text = hc.patch_readme(readme, results)
    line = [t for t in text.splitlines() if t.startswith(hc.INSTRUCTORS_MARK)]
    assert len(line) == 1 and "old words" not in text and "- next bullet" in text
    cap = hc.capacity(FAKE)
    assert f"about {cap['students_per_machine'][16]} students" in line[0]
    assert "250 MB (PSS)" in line[0] and "2001-02-03" in line[0] and "70 s" in line[0]
    with pytest.raises(ValueError, match="exactly one line"):
        hc.patch_readme("# no such bullet\n", results)
