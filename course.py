#!/usr/bin/env python3
"""Set up the course and open it, or run every test: the README's two commands.

    python3 course.py lab             # set up (first time) and open the course in JupyterLab
    python3 course.py test            # set up (first time) and run every test
    python3 course.py bench           # set up and print the benchmark table
    python3 course.py fresh 01-anatomy   # a fresh copy of a lesson (yours is kept aside; progress is not touched)
    python3 course.py student-version [--output DIR]   # lessons without answers, for graded use
    python3 course.py site [--hub-url URL]   # build the course website into _site/

Setting up means a virtual environment in .venv with the course's packages and its helper
package.  `lab` installs only what a student needs (requirements.txt); `test`, `bench` and
`setup` add the test tools (requirements-dev.txt).  Each is redone only when its requirements
change (one stamp file per kind in .venv).  `lab` also writes the course's JupyterLab settings
into .venv (never into your own Jupyter settings): no news prompt, the course's kernel started
without asking.  For the tests, Debian's chromium for the browser tests (installed with apt-get
when running as root or with password-less sudo) and what the hub tests need: JupyterHub and
nbgitpuller in .venv (requirements-hub.txt) and configurable-http-proxy from npm in .hub/
(Node.js and npm from apt-get the same way when missing).  `lab` installs none of the test
tools' hub parts.  The website's tools are installed only by `site` and `test`, on first use:
its Python packages (requirements-site.txt) into .venv and its npm packages (MathJax,
axe-core) into website/node_modules; `lab` never installs them.
Needs Python 3.10 or newer; works on Linux, macOS and Windows.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
# What each kind of environment installs, and the files whose change makes it reinstall.
KINDS = {
    "student": {"requirements": "requirements.txt", "inputs": ["requirements.txt", "pyproject.toml"],
                "what": "JupyterLab and the course's packages"},
    "test": {"requirements": "requirements-dev.txt",
             "inputs": ["requirements.txt", "requirements-dev.txt", "pyproject.toml"],
             "what": "the course's packages and the test tools"},
}
# JupyterLab settings of the course's own JupyterLab, written into .venv (lab/settings/overrides.json
# changes JupyterLab's defaults for this environment only; a user's own choices still win).
LAB_OVERRIDES = {
    # no "Would you like to get notified about official Jupyter news?" prompt, no update check
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # start the notebook's kernel (or the default one) without a Select Kernel dialog
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True,
                                               # a protected (read-only) text cell opens no editor
                                               "showEditorForReadOnlyMarkdown": False},
}
# The website's tools: Python packages into .venv, npm packages into website/node_modules.
SITE_STAMP = VENV / ".course-site-installed"
SITE_INPUTS = ["requirements-site.txt", "website/package.json", "website/package-lock.json"]
WEBSITE = ROOT / "website"
NODE_MODULES = WEBSITE / "node_modules"
NPM_FILES = ["mathjax/es5/tex-chtml.js", "axe-core/axe.min.js"]


def say(msg: str) -> None:
    print(f"[course] {msg}", flush=True)


def run(cmd: list, cwd: Path = ROOT, **kw) -> None:
    say(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, cwd=cwd, **kw)


def stamp(kind: str) -> Path:
    return VENV / f".course-installed-{kind}"


def requirements_digest(kind: str | list[str]) -> str:
    """Digest of the files whose change makes an environment reinstall: a kind of KINDS, or a list of files."""
    h = hashlib.sha256()
    for name in (KINDS[kind]["inputs"] if isinstance(kind, str) else kind):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def is_current(kind: str) -> bool:
    """The environment has everything ``kind`` needs (a test environment has all a student needs)."""
    if not PY.exists():
        return False
    kinds = [kind] + (["test"] if kind == "student" else [])
    return any(stamp(k).exists() and stamp(k).read_text() == requirements_digest(k) for k in kinds)


def create_venv() -> None:
    """Create .venv; without ensurepip (Debian's python3 without python3-venv), bootstrap pip from PyPI."""
    try:
        run([sys.executable, "-m", "venv", VENV])
        return
    except subprocess.CalledProcessError:
        shutil.rmtree(VENV, ignore_errors=True)
        say("'python3 -m venv' could not install pip (on Debian/Ubuntu the python3-venv package")
        say("provides it). Creating the environment without pip and fetching pip from PyPI instead.")
    run([sys.executable, "-m", "venv", "--without-pip", VENV])
    bootstrap_pip()


def bootstrap_pip() -> None:
    """Install pip into .venv from its wheel on PyPI (a pip wheel can run itself)."""
    import tempfile
    import urllib.request

    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as resp:
        release = json.load(resp)
    wheel = next(f for f in release["urls"] if f["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        say(f"downloading {wheel['filename']}")
        with urllib.request.urlopen(wheel["url"], timeout=120) as resp:
            data = resp.read()
        if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
            sys.exit("The pip wheel downloaded from PyPI does not match its checksum; try again.")
        path.write_bytes(data)
        run([PY, f"{path}/pip", "install", "--quiet", "--no-index", path])


def pip_install(args: list, what: str) -> None:
    """Run ``pip install`` and say what it is doing, one short line per step (its full output is
    shown only if it fails)."""
    cmd = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", *args]
    say(f"installing {what}: {' '.join(str(a) for a in args)}")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace", env=dict(os.environ, PYTHONUNBUFFERED="1"))
    lines, collected = [], 0
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        text = line.strip()
        if text.startswith("Collecting "):
            collected += 1
            if collected == 1 or collected % 10 == 0:
                say(f"  {collected} packages found so far ({text.split()[1]}), {time.monotonic() - start:.0f} s")
        elif text.startswith("Installing collected packages"):
            say(f"  unpacking {text.count(',') + 1} packages into .venv (the longest step)")
        elif text.startswith("Successfully installed"):
            say(f"  done in {time.monotonic() - start:.0f} s")
    if proc.wait():
        print("\n".join(lines[-60:]), file=sys.stderr)
        raise subprocess.CalledProcessError(proc.returncode, cmd)


def setup(kind: str = "test") -> None:
    """Create .venv and install what ``kind`` ("student" or "test") needs, unless it is current."""
    if sys.version_info < (3, 10):
        sys.exit("The course needs Python 3.10 or newer; this is " + sys.version.split()[0])
    if is_current(kind):
        install_jupyter_config()
        return
    first = not PY.exists()
    say(("Setting up the course in .venv (first run: a few minutes; later runs start at once). "
         if first else "The course's requirements changed: updating .venv. ") + f"Installing {KINDS[kind]['what']}.")
    if first:
        create_venv()
    pip_install(["--upgrade", "pip"], "the newest pip")
    pip_install(["-r", KINDS[kind]["requirements"], "-e", "."], KINDS[kind]["what"])
    stamp(kind).write_text(requirements_digest(kind))
    if kind == "test":   # everything a student needs is in there too
        stamp("student").write_text(requirements_digest("student"))
    install_jupyter_config()
    say("environment ready in .venv")


def install_jupyter_config() -> None:
    """Copy the course's Jupyter settings (jupyter-config/*.json) into .venv/etc/jupyter.

    pyproject.toml installs them with a normal install, but an editable install (pip install -e)
    leaves data files out.  jupyter_nbconvert_config.json makes `jupyter nbconvert --execute`
    keep the static version of quizzes and diagrams (README, For instructors).
    """
    target = VENV / "etc" / "jupyter"
    for src in sorted((ROOT / "jupyter-config").glob("*.json")):
        dst = target / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def write_lab_settings(prefix: Path | None = None) -> Path:
    """Write the course's JupyterLab settings (LAB_OVERRIDES) into an environment's
    ``share/jupyter/lab/settings/overrides.json`` (default: .venv), keeping other settings there."""
    path = Path(prefix or VENV) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        current = {}
    for plugin, values in LAB_OVERRIDES.items():
        current[plugin] = {**current.get(plugin, {}), **values}
    text = json.dumps(current, indent=2, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


START = "notebooks/00-start-here.ipynb"
LAB_HELP = f"""usage: python3 course.py lab [JupyterLab options, e.g. --no-browser --port 8890]

Sets up .venv with what a student needs (first run only), writes the course's JupyterLab settings into it,
and opens {START} in JupyterLab.  The link JupyterLab prints opens that notebook too."""


def lab(extra: list[str]) -> int:
    if {"-h", "--help"} & set(extra):     # say what it does before installing anything
        print(LAB_HELP)
        return 0
    setup("student")
    write_lab_settings()
    # LabApp.default_url (JupyterLab overrides ServerApp.default_url with /lab): the link JupyterLab
    # prints (with --no-browser, on a remote machine) opens the start notebook as well, not the Launcher
    # in the repository's root
    cmd = [BIN / "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", f"--LabApp.default_url=/lab/tree/{START}",
           START]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    say("starting JupyterLab (stop it with Ctrl+C in this window)")
    return subprocess.call([str(c) for c in cmd + extra], cwd=ROOT, env=lab_env())


def lab_env() -> dict:
    """JupyterLab's environment: a terminal opened inside it finds the course's python first, so
    `python -m iliopsoas ...` from the README works there as written, and Jupyter looks in .venv
    before your own folders (the course's kernel and settings win over ones installed elsewhere)."""
    return dict(os.environ, VIRTUAL_ENV=str(VENV), PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""),
                JUPYTER_PREFER_ENV_PATH="1")


def find_chromium() -> str | None:
    """The Chromium the browser tests drive ($CHROMIUM, or one on PATH)."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def setup_chromium() -> None:
    """Install Debian's chromium for the browser tests when we may (root or password-less sudo)."""
    if find_chromium() or not shutil.which("apt-get"):
        return
    prefix = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo") or subprocess.call(["sudo", "-n", "true"], stderr=subprocess.DEVNULL):
            say("Chromium is missing: the browser tests will fail until you run "
                "'sudo apt-get install chromium'.")
            return
        prefix = ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        run(prefix + ["apt-get", "update", "-q"], env=env)
        run(prefix + ["apt-get", "install", "-y", "-q", "chromium"], env=env)
    except subprocess.CalledProcessError:
        say("Installing chromium failed: the browser tests will say how to install it.")


HUB_DIR = ROOT / ".hub"
HUB_STAMP = VENV / ".course-hub-installed"
PROXY_PACKAGE = "configurable-http-proxy@5"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"


def apt_install(packages: list[str], why: str) -> bool:
    """Install Debian packages when we may (root or password-less sudo); False (with a note) otherwise."""
    if not shutil.which("apt-get"):
        say(f"{', '.join(packages)} missing and no apt-get here: {why}")
        return False
    prefix = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo") or subprocess.call(["sudo", "-n", "true"], stderr=subprocess.DEVNULL):
            say(f"{', '.join(packages)} missing: {why} ('sudo apt-get install {' '.join(packages)}')")
            return False
        prefix = ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        run(prefix + ["apt-get", "update", "-q"], env=env)
        run(prefix + ["apt-get", "install", "-y", "-q", *packages], env=env)
        return True
    except subprocess.CalledProcessError:
        say(f"Installing {', '.join(packages)} failed: {why}")
        return False


def setup_hub() -> None:
    """The hub tests' tools: JupyterHub and nbgitpuller in .venv, configurable-http-proxy (npm) in .hub/."""
    digest = hashlib.sha256((ROOT / "requirements-hub.txt").read_bytes() + PROXY_PACKAGE.encode()).hexdigest()
    if HUB_STAMP.exists() and HUB_STAMP.read_text() == digest and PROXY.exists():
        return
    run([PY, "-m", "pip", "install", "--quiet", "-r", "requirements-hub.txt"])
    if not PROXY.exists():
        why = "the hub tests will fail until configurable-http-proxy can be installed with npm"
        if shutil.which("npm") or apt_install(["nodejs", "npm"], why):
            try:
                run(["npm", "install", "--prefix", HUB_DIR, "--no-audit", "--no-fund", "--loglevel=error",
                     PROXY_PACKAGE])
            except (subprocess.CalledProcessError, OSError):
                say(f"npm could not install {PROXY_PACKAGE}: {why}")
    if PROXY.exists():
        HUB_STAMP.write_text(digest)
        say("hub test tools ready (.venv and .hub/)")


def setup_site() -> bool:
    """Install what the website needs, unless it is already current; False (with a message) without npm.

    Python packages of requirements-site.txt into .venv, and `npm ci` of
    website/package-lock.json (MathJax, axe-core) into website/node_modules.
    """
    digest = requirements_digest(SITE_INPUTS)
    npm_ready = all((NODE_MODULES / name).is_file() for name in NPM_FILES)
    if SITE_STAMP.exists() and SITE_STAMP.read_text() == digest and npm_ready:
        return True
    run([PY, "-m", "pip", "install", "--quiet", "-r", "requirements-site.txt"])
    npm = shutil.which("npm") or install_npm()
    if not npm:
        say("npm is missing: the website needs it for MathJax and axe-core. Install Node.js "
            "(Debian/Ubuntu: 'sudo apt-get install npm'; elsewhere: https://nodejs.org), then run this again.")
        return False
    run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEBSITE)
    SITE_STAMP.write_text(digest)
    say("website tools ready (.venv and website/node_modules)")
    return True


def install_npm() -> str | None:
    """Install Debian's npm (with Node.js) when we may (root or password-less sudo); its path or None."""
    if apt_install(["nodejs", "npm"], "the website needs npm for MathJax and axe-core"):
        return shutil.which("npm")
    return None


def site(extra: list[str]) -> int:
    """Build the course website into _site/ (website/build_site.py; options: --output DIR, --hub-url URL)."""
    setup()
    if not setup_site():
        return 1
    return subprocess.call([str(PY), "website/build_site.py", *extra], cwd=ROOT)


def test(extra: list[str]) -> int:
    setup("test")
    setup_chromium()
    setup_hub()
    setup_site()  # without npm the website's tests fail and say why
    return subprocess.call([str(PY), "-m", "pytest", *extra], cwd=ROOT)


def bench(extra: list[str]) -> int:
    setup("test")
    setup_hub()
    return subprocess.call([str(PY), "benchmarks/run.py", *extra], cwd=ROOT)


def student_version(extra: list[str]) -> int:
    """Copies of the lessons whose static quizzes carry no answers (default folder: student-version/)."""
    setup()
    if not any(a in ("--output", "-o") or a.startswith("--output=") for a in extra):
        extra = ["--output", str(ROOT / "student-version"), *extra]
    return subprocess.call([str(PY), "-m", "iliopsoas.quiz.student_version", *extra], cwd=ROOT)


def fresh(names: list[str]) -> int:
    """Replace lessons by a fresh copy from the course's git history; the student's copy is kept in
    notebooks/my-copies/.  Progress is not touched: it is stored outside the notebooks."""
    notebooks = ROOT / "notebooks"
    known = sorted(p.stem for p in notebooks.glob("*.ipynb"))
    if not names:
        print("Which lesson? For example:  python3 course.py fresh 01-anatomy   (or: all)\n"
              "Lessons: " + ", ".join(known))
        return 2
    wanted = known if names == ["all"] else names
    unknown = [n for n in wanted if n.removesuffix(".ipynb") not in known]
    if unknown:
        print(f"No lesson called {', '.join(unknown)}. Lessons: {', '.join(known)}")
        return 1
    if not shutil.which("git") or subprocess.call(["git", "rev-parse", "--git-dir"], cwd=ROOT,
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        print("This copy of the course is not a git clone, so there is no fresh copy to take the lesson from:\n"
              "download the course again (or, on Binder, start a new session) and open the lesson there.\n"
              "Your progress is not in the notebooks, so nothing is lost.")
        return 1
    stamp_ = time.strftime("%Y%m%d-%H%M%S")
    for name in (n.removesuffix(".ipynb") for n in wanted):
        rel = f"notebooks/{name}.ipynb"
        pristine = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True)
        if pristine.returncode:
            print(f"{rel}: not in the course's git history ({pristine.stderr.decode(errors='replace').strip()})")
            return 1
        path = ROOT / rel
        if path.exists() and path.read_bytes() == pristine.stdout:
            say(f"{rel} is already the course's copy")
            continue
        if path.exists():
            keep = notebooks / "my-copies" / f"{name}-{stamp_}.ipynb"
            keep.parent.mkdir(exist_ok=True)
            shutil.copy2(path, keep)
            say(f"your copy of {name} is kept as {keep.relative_to(ROOT)}")
        path.write_bytes(pristine.stdout)
        say(f"{rel} is a fresh copy (close and reopen it in JupyterLab, choosing 'Revert' if asked)")
    say("your answers and progress are unchanged: they are saved outside the notebooks")
    return 0


def lab_settings(extra: list[str]) -> int:
    """Write the course's JupyterLab settings into an environment (default .venv; Binder's postBuild
    passes --prefix of its conda environment)."""
    prefix = Path(extra[extra.index("--prefix") + 1]) if "--prefix" in extra else VENV
    say(f"JupyterLab settings written to {write_lab_settings(prefix)}")
    return 0


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "bench": bench, "fresh": fresh, "lab-settings": lab_settings,
                "setup": lambda extra: (setup("student" if "--student" in extra else "test"), 0)[1],
                "student-version": student_version, "site": site}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
