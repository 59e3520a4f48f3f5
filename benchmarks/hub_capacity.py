"""Capacity of one machine for a class on JupyterHub (part of ``python3 course.py bench``).

A real JupyterHub on 127.0.0.1 (tools/hubdriver.py: DummyAuthenticator, a local process spawner,
configurable-http-proxy), the course published as a git repository and opened by each student
with the instructor's nbgitpuller link for one lesson.  Measured:

- **Login → lesson running**, for one student alone and then for the rest of the class at once
  (a class arriving together): log in on the hub's page, start the server, follow the link (the
  pull), open the lesson (a kernel), run every code cell of the lesson.
- **Memory per student**: PSS and RSS of the student's process tree (single-user server and the
  lesson's kernel) after the lesson ran, and of the server alone before the kernel started; the
  hub and its proxy.  PSS shares each shared page between the processes that map it, so students'
  PSS add up to what one machine holds; RSS is what a container's memory limit sees (nothing is
  shared between pods), so the Kubernetes sizes come from RSS.

Derived: how many students one machine of 8, 16 or 32 GB holds by memory (the memory minus
``RESERVE_MB`` for the operating system, minus the hub and proxy, divided by one student's PSS),
and the Zero to JupyterHub memory guarantee (one student with one lesson, RSS) and limit (the
server and ``KERNELS_IN_LIMIT`` lesson kernels).  ``--update-readme`` writes them to
``deploy/capacity.yml`` and into ``deploy/z2jh-values.yaml`` (the one place the test compares).
"""
from __future__ import annotations

import math
import re
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
CAPACITY = ROOT / "deploy" / "capacity.yml"
VALUES = ROOT / "deploy" / "z2jh-values.yaml"
LESSON = "02-function"
CLASS_SIZE = 5
RESERVE_MB = 1024           # left to the operating system and page cache (an assumption, stated in the README)
MACHINES_GB = (8, 16, 32)
KERNELS_IN_LIMIT = 3        # the limit lets a student keep three lessons open at once
VALUES_MARK = "# from deploy/capacity.yml"


def say(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring

def login_to_lesson(hub, name: str, link: str, lesson: str) -> dict:
    """One student from the login page to every cell of ``lesson`` run; times (s) and memory (MB)."""
    import nbformat
    from hubdriver import tree_memory

    student = hub.student(name)
    t0 = time.perf_counter()
    student.login()
    t_login = time.perf_counter()
    hub.start_servers([name])
    t_spawn = time.perf_counter()
    server = tree_memory(hub.server_pid(name))
    student.open_link(link)
    t_pull = time.perf_counter()
    path = f"iliopsoas-course/notebooks/{lesson}.ipynb"
    kernel = student.kernel(path)
    t_kernel = time.perf_counter()
    nb = nbformat.read(student.home / path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            kernel.run(cell.source, timeout=600)
    t_done = time.perf_counter()
    kernel.ws.close()
    return {"name": name, "login_s": t_login - t0, "spawn_s": t_spawn - t_login, "pull_s": t_pull - t_spawn,
            "kernel_s": t_kernel - t_pull, "lesson_s": t_done - t_kernel, "total_s": t_done - t0,
            "server": server}


def measure(class_size: int = CLASS_SIZE, lesson: str = LESSON) -> dict:
    """Run the class and return the raw numbers (see the module docstring)."""
    import hubdriver
    from iliopsoas.hub import hub_link

    missing = hubdriver.missing_tools()
    if missing:
        raise hubdriver.HubError(f"missing {', '.join(missing)}")
    work = Path(tempfile.mkdtemp(prefix="iliopsoas-hub-bench-"))
    hub = None
    try:
        bare = hubdriver.course_repo(work / "origin.git", ROOT, work=work / "instructor")
        env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": str(bare),
               "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        hub = hubdriver.ClassHub(work, environment=env).start()
        link = hub_link(hub.url, notebook=lesson, repo=bare.as_uri(), root=ROOT).url
        names = [f"student{i}" for i in range(1, class_size + 1)]
        hub.add_students(names)
        say(f"hub: one student alone, login to {lesson} running")
        alone = login_to_lesson(hub, names[0], link, lesson)
        say(f"hub: {class_size - 1} students at once")
        with ThreadPoolExecutor(max_workers=max(1, class_size - 1)) as pool:
            together = list(pool.map(lambda n: login_to_lesson(hub, n, link, lesson), names[1:]))
        students = []
        for run in [alone, *together]:
            mem = hubdriver.tree_memory(hub.server_pid(run["name"]))
            students.append({**run, "pss_mb": mem["pss_mb"], "rss_mb": mem["rss_mb"],
                             "processes": mem["processes"]})
        server_pids = {hub.server_pid(n) for n in names}
        overhead = hub_overhead(hub, server_pids)
        import psutil

        return {"lesson": lesson, "class_size": class_size, "alone": alone, "together": together,
                "machine_memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                "students": students, "hub_and_proxy": overhead, "error": None}
    finally:
        if hub is not None:
            hub.stop()
        shutil.rmtree(work, ignore_errors=True)


def hub_overhead(hub, server_pids: set) -> dict:
    """PSS and RSS (MB) of the hub and the proxy: the hub's process tree without the students' servers."""
    import psutil

    inside = set()
    for pid in server_pids:
        try:
            top = psutil.Process(pid)
            inside |= {top.pid, *(c.pid for c in top.children(recursive=True))}
        except psutil.NoSuchProcess:
            pass
    pss = rss = 0
    for proc in hub.processes():
        if proc.pid in inside:
            continue
        try:
            info = proc.memory_full_info()
            pss += getattr(info, "pss", info.rss)
            rss += info.rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return {"pss_mb": pss / 2**20, "rss_mb": rss / 2**20}


# --------------------------------------------------------------------------- deriving

def round_up(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)


def capacity(hub: dict) -> dict:
    """What the raw numbers mean for a class (pure: numbers in, numbers out)."""
    students = hub["students"]
    per_pss = statistics.median(s["pss_mb"] for s in students)
    per_rss = statistics.median(s["rss_mb"] for s in students)
    server_rss = statistics.median(s["server"]["rss_mb"] for s in students)
    server_pss = statistics.median(s["server"]["pss_mb"] for s in students)
    kernel_rss = max(per_rss - server_rss, 0.0)
    overhead = hub["hub_and_proxy"]["pss_mb"]
    machines = {gb: max(0, int((gb * 1024 - RESERVE_MB - overhead) // per_pss)) for gb in MACHINES_GB}
    together = [s["total_s"] for s in hub["together"]] or [hub["alone"]["total_s"]]
    return {
        "per_student_mb": {"pss": round(per_pss), "rss": round(per_rss)},
        "server_alone_mb": {"pss": round(server_pss), "rss": round(server_rss)},
        "hub_and_proxy_mb": {"pss": round(overhead)},
        "login_to_lesson_s": {"alone": round(hub["alone"]["total_s"], 1),
                              "class_median": round(statistics.median(together), 1),
                              "class_slowest": round(max(together), 1)},
        "students_per_machine": machines,
        "kubernetes": {"memory_guarantee": f"{round_up(per_rss, 64)}M",
                       "memory_limit": f"{round_up(server_rss + KERNELS_IN_LIMIT * kernel_rss, 128)}M"},
    }


# --------------------------------------------------------------------------- reporting

def fmt(x, unit):
    return "–" if x is None else f"{x:.0f} {unit}" if unit == "MB" else f"{x:.1f} {unit}"


def table_rows(hub: dict | None) -> list[tuple]:
    """Rows for the benchmark's table (What, Measured, Baseline, Ratio, Target, Met)."""
    if not hub:
        return []
    if hub.get("error"):
        return [("A class on JupyterHub", f"not measured: {hub['error']}", "", "", "", "–")]
    cap = capacity(hub)
    n, lesson = hub["class_size"], hub["lesson"]
    per, server = cap["per_student_mb"], cap["server_alone_mb"]
    together = len(hub["together"])
    login = cap["login_to_lesson_s"]
    machines = cap["students_per_machine"]
    return [
        (f"JupyterHub: memory per student (server + `{lesson}` kernel after the lesson ran, PSS, "
         f"median of {n})", fmt(per["pss"], "MB"), f"server alone {fmt(server['pss'], 'MB')}", "", "", ""),
        ("JupyterHub: the same in RSS (what a container limit sees)", fmt(per["rss"], "MB"),
         f"server alone {fmt(server['rss'], 'MB')}", "", "", ""),
        ("JupyterHub: hub + configurable-http-proxy (PSS)", fmt(cap["hub_and_proxy_mb"]["pss"], "MB"), "", "", "", ""),
        (f"JupyterHub: login → `{lesson}` running, one student alone", fmt(login["alone"], "s"), "", "", "", ""),
        (f"JupyterHub: login → `{lesson}` running, {together} students at once (median; slowest)",
         f"{fmt(login['class_median'], 's')}; {fmt(login['class_slowest'], 's')}", "", "", "", ""),
        (f"JupyterHub: students one machine holds by memory ({RESERVE_MB // 1024} GB kept for the system)",
         ", ".join(f"{gb} GB: {machines[gb]}" for gb in MACHINES_GB), "", "", "", ""),
    ]


def readme_note(hub: dict | None) -> str:
    if not hub or hub.get("error"):
        return ""
    return (f" *JupyterHub*: a real hub on this machine (tools/hubdriver.py), {hub['class_size']} students "
            f"each following the nbgitpuller link of `{hub['lesson']}` and running every cell; students per "
            f"machine = (memory − {RESERVE_MB} MB for the system − hub and proxy) ÷ one student's PSS, by memory "
            "only (a class starting together also shares the CPUs: see the login times); the Kubernetes sizes "
            "in `deploy/` come from the RSS figures (`deploy/capacity.yml`).")


def capacity_document(results: dict) -> str:
    hub = results["hub"]
    m = results.get("machine", {})
    cap = capacity(hub)
    doc = {
        "measured": {"date": m.get("date"), "machine": f"{m.get('platform')}, {m.get('cpus')} CPUs, "
                                                       f"{hub.get('machine_memory_gb', '?')} GB memory",
                     "python": m.get("python"), "lesson": hub["lesson"], "class_size": hub["class_size"],
                     "how": "python3 course.py bench --update-readme (benchmarks/hub_capacity.py)"},
        **cap,
        "assumptions": {"reserve_mb_for_the_system": RESERVE_MB, "kernels_in_the_limit": KERNELS_IN_LIMIT},
    }
    return ("# Capacity of one machine for a class on JupyterHub: written by the benchmark, read by\n"
            "# tests/test_deploy.py (deploy/z2jh-values.yaml must use these Kubernetes sizes) and quoted in the README.\n"
            + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


INSTRUCTORS_MARK = "- **How many students one machine holds.**"


def instructors_paragraph(results: dict) -> str:
    """The README's "For instructors" bullet on class size, from one run (one line)."""
    hub, m = results["hub"], results.get("machine", {})
    cap = capacity(hub)
    per, machines, login = cap["per_student_mb"], cap["students_per_machine"], cap["login_to_lesson_s"]
    together = len(hub["together"]) or 1
    return (f"{INSTRUCTORS_MARK} On the JupyterHub of the tests, one student with a lesson running (their server "
            f"and the lesson's kernel) takes {per['pss']} MB (PSS), the hub and its proxy "
            f"{cap['hub_and_proxy_mb']['pss']} MB: one 16 GB machine holds about {machines[16]} students at once by "
            f"memory (8 GB: {machines[8]}, 32 GB: {machines[32]}), keeping {RESERVE_MB} MB for the system. Measured "
            f"on {m.get('date', '?')} on {m.get('platform', '?')}, {m.get('cpus', '?')} CPUs, "
            f"{hub.get('machine_memory_gb', '?')} GB memory (`python3 course.py bench`; the figures are in "
            "`deploy/capacity.yml` and the performance table below). A class that starts together also shares the "
            f"processors: there, {together} students at once needed {login['class_slowest']:.0f} s from login to a "
            f"fully run lesson against {login['alone']:.0f} s for one alone.")


def patch_readme(text: str, results: dict) -> str:
    """README text with its class-size bullet (the line starting with INSTRUCTORS_MARK) rewritten."""
    pattern = re.compile("^" + re.escape(INSTRUCTORS_MARK) + ".*$", re.M)
    text, n = pattern.subn(lambda _: instructors_paragraph(results), text)
    if n != 1:
        raise ValueError(f"README.md needs exactly one line starting with {INSTRUCTORS_MARK!r}")
    return text


def patch_values(text: str, cap: dict) -> str:
    """deploy/z2jh-values.yaml with its memory guarantee and limit set from the capacity figures."""
    k8s = cap["kubernetes"]
    for key, value in (("guarantee", k8s["memory_guarantee"]), ("limit", k8s["memory_limit"])):
        pattern = re.compile(rf"^(\s+{key}:\s*)\S+(\s+{re.escape(VALUES_MARK)})$", re.M)
        text, n = pattern.subn(rf"\g<1>{value}\g<2>", text)
        if n != 1:
            raise ValueError(f"deploy/z2jh-values.yaml needs exactly one '{key}: ... {VALUES_MARK}' line")
    return text


def write_capacity(results: dict, capacity_path: Path = CAPACITY, values_path: Path = VALUES) -> None:
    """Write deploy/capacity.yml and the memory sizes of deploy/z2jh-values.yaml from one run."""
    capacity_path.write_text(capacity_document(results), encoding="utf-8")
    values_path.write_text(patch_values(values_path.read_text(encoding="utf-8"), capacity(results["hub"])),
                           encoding="utf-8")
