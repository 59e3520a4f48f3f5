"""The class of the hub tests: its students, what they answer, and the steps several tests build on.

The class: the course as it is in this checkout, published as a bare git repository
(``file://``) with an instructor's clone beside it; a JupyterHub on 127.0.0.1; five
students, each logged in, with their own server and home folder.  The steps that
several tests build on (pulling the course, answering questions) run once, the
first time a test needs them, so each test can also run alone.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import hubdriver  # noqa: E402

STUDENTS = ["ada", "ben", "chloe", "dev", "eva"]
LESSON = "01-anatomy"
FOLDER = "iliopsoas-course"
NOTEBOOK = f"{FOLDER}/notebooks/{LESSON}.ipynb"
ANSWER_TYPES = ("single", "truefalse")


def cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ILIOPSOAS_")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "iliopsoas", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=timeout)


class Klass:
    """The class of the hub tests (see the module docstring); tests/hub/conftest.py starts and stops it."""

    def __init__(self, work: Path):
        self.work = work
        self.bare = work / "origin.git"
        self.instructor = work / "instructor"
        self.hub: hubdriver.ClassHub | None = None
        self.students: dict[str, hubdriver.Student] = {}
        self.kernels: dict[str, hubdriver.Kernel] = {}
        self.link = ""
        self.link_stderr = ""
        self.pulls: dict[str, dict] = {}
        self.plans: dict[str, list] = {}
        self.reports: dict[str, dict] = {}
        self.timings: dict[str, float] = {}

    # -- set-up
    def start(self) -> None:
        t0 = time.perf_counter()
        hubdriver.course_repo(self.bare, ROOT, work=self.instructor)
        # the bare repository belongs to the instructor (root, here); students' git must be told it is safe
        env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": str(self.bare),
               "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        self.hub = hubdriver.ClassHub(self.work, environment=env).start()
        self.timings["hub start"] = time.perf_counter() - t0
        self.hub.add_students(STUDENTS)
        self.timings["servers"] = max(self.hub.start_servers(STUDENTS).values())
        for name in STUDENTS:
            self.students[name] = self.hub.student(name)
            self.students[name].login()
        # the instructor prints the link in their checkout: the repository comes from its git remote
        out = cli("hub-link", "--hub", self.hub.url, "--notebook", LESSON, cwd=self.instructor)
        assert out.returncode == 0, out.stderr
        self.link, self.link_stderr = out.stdout.strip(), out.stderr

    def stop(self) -> list[str]:
        for kernel in self.kernels.values():
            kernel.ws.close()
        return self.hub.stop() if self.hub else []

    # -- steps several tests build on (each runs once)
    def pulled(self) -> dict[str, dict]:
        if not self.pulls:
            for name, student in self.students.items():
                self.pulls[name] = student.open_link(self.link)
        return self.pulls

    def kernel(self, name: str) -> hubdriver.Kernel:
        self.pulled()
        if name not in self.kernels:
            self.kernels[name] = self.students[name].kernel(NOTEBOOK)
        return self.kernels[name]

    def bank(self, slug: str) -> dict:
        return yaml.safe_load((self.instructor / "quizzes" / f"{slug}.yml").read_text(encoding="utf-8"))

    def answer_plans(self) -> dict[str, list]:
        """What each student answers: [notebook, question id, answer, right?, misconceptions] (all different)."""
        if self.plans:
            return self.plans
        questions = [(slug, q) for slug in ("00-start-here", LESSON) for q in self.bank(slug)["questions"]
                     if q["type"] in ANSWER_TYPES]
        for i, name in enumerate(STUDENTS):
            plan = []
            for j, (slug, q) in enumerate(questions[: 4 + i]):
                right = (i + j) % 3 != 0
                plan.append([slug, q["id"], *answer(q, right)])
            self.plans[name] = plan
        return self.plans

    def answered(self) -> dict[str, dict]:
        """Each student answers their plan in their own kernel, through the quiz widgets' Check button."""
        if not self.reports:
            for name, plan in self.answer_plans().items():
                code = ANSWER_CODE.replace("PLAN", repr(json.dumps([[p[0], p[1], p[2]] for p in plan])))
                self.reports[name] = json.loads(self.kernel(name).run(code, timeout=300).strip().splitlines()[-1])
        return self.reports


ANSWER_CODE = '''
import json
from iliopsoas import show_quiz
from iliopsoas.paths import course_root
from iliopsoas.progress.store import default_path, get_store
for notebook, qid, value in json.loads(PLAN):
    quiz = show_quiz(notebook, ids=[qid])
    view = quiz.views[qid]
    view.inputs[0].value = value
    view.check_button.click()
print(json.dumps({"progress": str(default_path()), "root": str(course_root()),
                  "attempts": [[a.notebook, a.question_id, a.correct] for a in get_store().attempts()]}))
'''


def answer(q: dict, right: bool) -> tuple:
    """(value a student picks, right?, misconception tags a wrong pick records) for a single/truefalse question."""
    if q["type"] == "truefalse":
        value = q["answer"] if right else not q["answer"]
        return value, right, [] if right or not q.get("misconception") else [q["misconception"]]
    choices = q["choices"]
    if right:
        return next(i for i, c in enumerate(choices) if c.get("correct")), True, []
    wrong = [i for i, c in enumerate(choices) if not c.get("correct")]
    tagged = [i for i in wrong if choices[i].get("misconception")]
    pick = (tagged or wrong)[0]
    return pick, False, [choices[pick]["misconception"]] if choices[pick].get("misconception") else []


def class_processes(work: Path) -> list:
    """Processes still alive that belong to the class (their command line or environment names its folder)."""
    import psutil

    alive = []
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            text = " ".join(proc.info["cmdline"] or []) + " " + (proc.info["cwd"] or "")
            if str(work) in text and proc.pid != os.getpid():
                alive.append(f"{proc.pid}: {text[:160]}")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return alive


def files_named(top: Path, pattern: str, skip=(".venv", ".hub", ".git", "node_modules")) -> list[Path]:
    """Files under ``top`` matching ``pattern``, not looking inside environments and git folders."""
    out = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in skip]
        out += [Path(folder) / f for f in files if Path(f).match(pattern)]
    return sorted(out)
