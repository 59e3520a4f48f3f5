"""deploy/: the Zero to JupyterHub values, the image build and the capacity figures agree.

The memory sizes come from the benchmark's capacity figures (deploy/capacity.yml, written by
``python3 course.py bench --update-readme``), the image from deploy/build-image.sh (repo2docker).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def values() -> dict:
    return yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text(encoding="utf-8"))


def capacity() -> dict:
    return yaml.safe_load((DEPLOY / "capacity.yml").read_text(encoding="utf-8"))


def megabytes(quantity: str) -> int:
    m = re.fullmatch(r"(\d+)M", str(quantity))
    assert m, f"{quantity!r}: write memory sizes as whole megabytes, e.g. 512M"
    return int(m.group(1))


def test_values_parse_and_use_the_memory_sizes_the_benchmark_measured():
    v, cap = values(), capacity()
    memory = v["singleuser"]["memory"]
    assert memory["guarantee"] == cap["kubernetes"]["memory_guarantee"]
    assert memory["limit"] == cap["kubernetes"]["memory_limit"]
    # the guarantee holds one student with a lesson running (RSS: nothing is shared between pods)
    assert megabytes(memory["guarantee"]) >= cap["per_student_mb"]["rss"]
    assert megabytes(memory["limit"]) > megabytes(memory["guarantee"])
    kernel = cap["per_student_mb"]["rss"] - cap["server_alone_mb"]["rss"]
    assert megabytes(memory["limit"]) >= cap["server_alone_mb"]["rss"] + \
        cap["assumptions"]["kernels_in_the_limit"] * kernel


def test_values_use_the_image_build_image_sh_builds():
    script = (DEPLOY / "build-image.sh").read_text(encoding="utf-8")
    image = re.search(r'^IMAGE="\$\{IMAGE:-([^}]+)\}"', script, re.M).group(1)
    assert values()["singleuser"]["image"]["name"] == image
    tag = str(values()["singleuser"]["image"]["tag"])
    assert tag and tag != "latest"
    # built by repo2docker with the course outside the home folder (z2jh mounts a volume over the home)
    assert re.search(r"repo2docker .*--target-repo-dir \"\$TARGET_REPO_DIR\"", script)
    assert 'TARGET_REPO_DIR="/srv/iliopsoas-course"' in script
    assert (DEPLOY / "build-image.sh").stat().st_mode & 0o111


def test_values_cull_idle_servers_open_jupyterlab_and_keep_homes():
    v = values()
    assert v["cull"]["enabled"] is True and 0 < v["cull"]["timeout"] <= 4 * 3600 and v["cull"]["every"] > 0
    assert v["cull"].get("users") is False
    assert v["singleuser"]["defaultUrl"] == "/lab"
    assert v["singleuser"]["storage"]["type"] == "dynamic"  # progress lives in the home: it must persist


def test_the_image_can_follow_hub_links():
    post_build = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert re.search(r"pip install .*nbgitpuller", post_build)
    assert re.search(r"pip install .*-e \.", post_build)


def test_repo2docker_accepts_the_build_with_the_course_outside_home(tmp_path):
    exe = Path(sys.executable).parent / "repo2docker"
    assert exe.exists(), "repo2docker is a test dependency (requirements-dev.txt)"
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for rel in files + ["environment.yml", "postBuild"]:
        if (ROOT / rel).is_file():
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, tmp_path / rel)
    out = subprocess.run([str(exe), "--no-build", "--debug", "--user-name", "jovyan", "--target-repo-dir",
                          "/srv/iliopsoas-course", "--image-name", "test/iliopsoas:check", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    plan = out.stdout + out.stderr
    assert out.returncode == 0, plan[-2000:]
    assert "./postBuild" in plan and "Building conda environment for python=3.11" in plan
    # repo2docker's base environment brings the server Zero to JupyterHub starts (jupyterhub-singleuser)
    import repo2docker

    base = Path(repo2docker.__file__).parent / "buildpacks" / "conda" / "environment.yml"
    assert "jupyterhub-singleuser" in base.read_text(encoding="utf-8")


def test_capacity_figures_are_complete_and_consistent():
    cap = capacity()
    assert set(cap["students_per_machine"]) == {8, 16, 32}
    per, reserve = cap["per_student_mb"]["pss"], cap["assumptions"]["reserve_mb_for_the_system"]
    for gb, n in cap["students_per_machine"].items():
        assert n == int((gb * 1024 - reserve - cap["hub_and_proxy_mb"]["pss"]) // per)
    assert cap["measured"]["date"] and "CPUs" in cap["measured"]["machine"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"16 GB: {cap['students_per_machine'][16]}" in readme  # the performance table's row
    assert f"about {cap['students_per_machine'][16]} students" in readme  # "For instructors"
