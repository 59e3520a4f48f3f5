"""The two commands, the Binder spec and CI stay in step with each other."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib", "pyyaml": "pyyaml"}
CONDA_ONLY = {"python", "pip"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_requirements() -> dict[str, str]:
    reqs = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            reqs[norm(req.name)] = str(req.specifier)
    return reqs


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    reqs = {}
    for dep in env["dependencies"]:
        assert isinstance(dep, str), "environment.yml: install pip packages in postBuild, not a pip: section"
        name = re.split(r"[<>=!\s]", dep, maxsplit=1)[0]
        if name in CONDA_ONLY:
            continue
        spec = dep[len(name):].strip()
        reqs[norm(CONDA_TO_PYPI.get(name, name))] = str(Requirement(f"x{spec}").specifier)
    return reqs


def test_environment_yml_installs_the_same_packages_as_requirements_txt():
    assert conda_requirements() == pip_requirements()


def test_environment_yml_uses_conda_forge_and_a_supported_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert python and re.match(r"python[=><]+3\.(1[0-9])", python[0])


def test_package_dependencies_are_all_in_requirements_txt():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package = {norm(Requirement(r).name) for r in meta["project"]["dependencies"]}
    reqs = pip_requirements()
    for name in sorted(package):
        assert name in reqs, f"pyproject.toml needs {name}, requirements.txt does not list it"


def test_postbuild_installs_the_helper_package():
    text = (ROOT / "postBuild").read_text()
    assert re.search(r"pip install .*-e \.", text)
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_binder_build_plan_uses_environment_yml_and_runs_postbuild(tmp_path):
    exe = Path(sys.executable).parent / "repo2docker"
    assert exe.exists(), "repo2docker is a test dependency (requirements-dev.txt)"
    # A clean copy of the tracked files, as Binder would clone them.
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for rel in files + ["environment.yml", "postBuild"]:
        src = ROOT / rel
        if src.is_file():
            dst = tmp_path / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    out = subprocess.run([str(exe), "--no-build", "--debug", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    plan = out.stdout + out.stderr
    assert out.returncode == 0, plan[-2000:]
    assert "Building conda environment for python=3.11" in plan
    assert re.search(r'env update .*--file "environment\.yml"', plan)
    assert "./postBuild" in plan


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_binder_badge_opens_the_start_notebook_in_jupyterlab():
    match = re.search(r"\[!\[Binder\]\([^)]*\)\]\((https://mybinder\.org/v2/gh/[^)]+)\)", readme())
    assert match, "README needs a Binder badge"
    query = parse_qs(urlparse(match.group(1)).query)
    urlpath = query["urlpath"][0]
    assert urlpath.startswith("lab/tree/")
    assert (ROOT / urlpath.removeprefix("lab/tree/")).is_file()


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", readme(), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_gives_exactly_two_setup_commands():
    commands = readme_commands()
    assert commands == ["python3 course.py lab", "python3 course.py test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    last = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last.strip() == readme_commands()[1]
    assert "apt-get install -y -q chromium" in ci


def test_course_script_without_a_command_prints_usage_and_fails():
    out = subprocess.run([sys.executable, str(ROOT / "course.py")], capture_output=True, text=True)
    assert out.returncode == 2
    assert "python3 course.py lab" in out.stdout


@pytest.mark.parametrize("name", ["lab", "test", "bench"])
def test_course_script_knows_each_readme_command(name):
    source = (ROOT / "course.py").read_text()
    assert f'"{name}": {name}' in source


def test_course_lab_command_serves_the_whole_course_with_the_start_notebook(tmp_path):
    """The README's first command starts JupyterLab on the course folder (not notebooks/),
    so the lessons' links to ../docs/glossary.md work, and it names the start notebook."""
    import json
    import os
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"), JUPYTER_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "lab", "--no-browser", f"--port={port}",
                             "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=t"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline, last = time.time() + 120, None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/api/contents/docs/glossary.md?token=t", timeout=5) as r:
                    glossary = json.load(r)
                break
            except OSError as exc:
                last = exc
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer: {last}")
        assert glossary["name"] == "glossary.md"
        with urllib.request.urlopen(f"{base}/api/contents/notebooks?token=t", timeout=5) as r:
            names = {c["name"] for c in json.load(r)["content"]}
        assert "00-start-here.ipynb" in names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode(errors="replace")
    assert "Serving notebooks from local directory: " + str(ROOT) in out


def test_a_terminal_inside_jupyterlab_finds_the_course_python():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    course_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_script)
    env = course_script.lab_env()
    found = shutil.which("python", path=env["PATH"])
    assert found and Path(found).parent == course_script.BIN
    out = subprocess.run([found, "-m", "iliopsoas", "progress", "where"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.strip(), out.stderr
