"""The course website's build (website/build_site.py), without a browser.

What pages the site has (generated from assets/course.yml and the docs
folders), how links are rewritten for the web, the built-HTML link check,
the hub button, the GitHub Pages workflow, and which course.py command
installs the site's tools (``site`` and ``test`` do; a student's ``lab`` never).
The site itself is built and browsed in tests/browser/test_site.py.
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "website"))
import build_site as site_build  # noqa: E402
import course_site  # noqa: E402
import site_linkcheck as linkcheck  # noqa: E402


def ready_lessons(root: Path = ROOT) -> list[str]:
    course = yaml.safe_load((root / "assets" / "course.yml").read_text(encoding="utf-8"))
    return [f"notebooks/{les['slug']}.ipynb" for les in course["lessons"]
            if les.get("status") == "ready" and (root / "notebooks" / f"{les['slug']}.ipynb").is_file()]


# --------------------------------------------------------------------------- pages and table of contents

def test_the_pages_come_from_the_course_map_and_the_docs_folders():
    site = site_build.discover(ROOT)
    assert [p.source for p in site.lessons] == ready_lessons()
    assert [p.source for p in site.reference] == ["docs/glossary.md", "references.md"]
    skip = set(yaml.safe_load((ROOT / "website" / "config.yml").read_text())["not_in_authoring_guide"])
    assert [p.source for p in site.authoring] == [f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md"))
                                                  if p.name not in skip]
    kit = sorted((ROOT / "docs" / "instructors").glob("*.md")) if (ROOT / "docs" / "instructors").is_dir() else []
    assert sorted(p.source for p in site.instructors) == [f"docs/instructors/{p.name}" for p in kit]
    toc = site_build.toc_yaml(site)
    captions = [part["caption"] for part in toc["parts"]]
    assert captions[:3] == ["Lessons", "Reference", "Authoring guide"]
    assert ("Instructor kit" in captions) == bool(kit)
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert sorted(files) == sorted(p.docname for p in site.pages)


def copy_course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    for name in ("README.md",):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)
    for folder in ("assets", "docs", "notebooks"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def test_a_lesson_that_becomes_ready_and_an_instructor_kit_appear_without_an_edit(tmp_path):
    root = copy_course(tmp_path)
    course = yaml.safe_load((root / "assets" / "course.yml").read_text(encoding="utf-8"))
    planned = next((les for les in course["lessons"] if les.get("status") != "ready"
                    and not (root / "notebooks" / f"{les['slug']}.ipynb").exists()), None)
    if planned is None:  # every lesson of the course is written: plan one more in the copy
        planned = {**course["lessons"][-1], "number": 8, "slug": "08-extra", "title": "An extra lesson"}
        course["lessons"].append(planned)
    planned["status"] = "ready"
    (root / "assets" / "course.yml").write_text(yaml.safe_dump(course, sort_keys=False), encoding="utf-8")
    shutil.copy2(ROOT / "notebooks" / "00-start-here.ipynb", root / "notebooks" / f"{planned['slug']}.ipynb")
    kit = root / "docs" / "instructors"
    if kit.exists():
        shutil.rmtree(kit)
    kit.mkdir()
    (kit / "README.md").write_text("# Instructor kit\n\nPlans.\n", encoding="utf-8")
    (kit / "01-anatomy.md").write_text("# Teaching plan: 01\n\n[Bank](../../quizzes/01-anatomy.yml)\n",
                                       encoding="utf-8")
    site = site_build.discover(root)
    assert f"notebooks/{planned['slug']}.ipynb" in [p.source for p in site.lessons]
    toc = site_build.toc_yaml(site)
    kit_part = next(part for part in toc["parts"] if part["caption"] == "Instructor kit")
    assert kit_part["chapters"] == [{"file": "docs/instructors/README"}, {"file": "docs/instructors/01-anatomy"}]
    home = site_build.home_markdown(site)
    assert f"[{planned['title']}](notebooks/{planned['slug']}.ipynb)" in home
    assert "[Teaching plan: 01](docs/instructors/01-anatomy.md)" in home


def test_the_references_page_has_every_reference_with_a_label():
    refs = site_build.load_references(ROOT)
    text = site_build.references_markdown(refs)
    for key, entry in refs.items():
        assert f"(ref-{key})=\n**{entry['short']}**." in text
    lesson_refs = "- **Gray 1918**. Gray H (1918).\n- **Nobody 1900**. Unknown."
    linked = site_build.link_reference_list(lesson_refs, refs)
    assert "[**Gray 1918**](#ref-gray1918)" in linked and "- **Nobody 1900**." in linked


# --------------------------------------------------------------------------- links

@pytest.fixture(scope="module")
def site():
    return site_build.discover(ROOT)


def linker(site, page):
    return site_build.Linker(site, page, site_build.glossary_terms(ROOT))


def test_jupyterlab_heading_anchors_become_the_sites(site):
    lessons = [p.source for p in site.lessons]
    assert "notebooks/01-anatomy.ipynb" in lessons
    link = linker(site, "notebooks/02-function.ipynb")
    heading = next(h for h in site_build.page_headings(ROOT, "notebooks/01-anatomy.ipynb") if h.startswith("2. "))
    lab = site_build.lab_anchor(heading)
    assert "," in lab or ":" in lab or "." in lab  # JupyterLab keeps punctuation; the site's anchors do not
    assert link.rewrite(f"01-anatomy.ipynb#{lab}") == f"01-anatomy.ipynb#{site_build.myst_slug(heading)}"
    assert link.rewrite(f"01-anatomy.ipynb#{lab}", raw_html=True) == f"01-anatomy.html#{site_build.html_id(heading)}"
    assert link.rewrite("00-start-here.ipynb#Course-map", raw_html=True) == "00-start-here.html#course-map"
    assert link.rewrite("01-anatomy.ipynb#No-such-heading") == "01-anatomy.ipynb#No-such-heading"  # left for the check


def test_glossary_references_and_repository_links(site):
    link = linker(site, "notebooks/01-anatomy.ipynb")
    assert link.rewrite("../docs/glossary.md#bursa") == "#glossary-bursa"
    assert link.rewrite("../docs/glossary.md#bursa", raw_html=True) == "../docs/glossary.html#bursa"
    assert link.rewrite("../docs/glossary.md") == "../docs/glossary.md"
    assert link.rewrite("../assets/references.yml") == "../references.md"
    assert link.rewrite("../iliopsoas/models/") == f"{site.repository}/tree/{site.branch}/iliopsoas/models"
    assert link.rewrite("../quizzes/01-anatomy.yml") == f"{site.repository}/blob/{site.branch}/quizzes/01-anatomy.yml"
    assert link.rewrite("https://doi.org/10.1/x") == "https://doi.org/10.1/x"
    assert link.rewrite("#local") == "#local"
    assert link.rewrite("../nowhere.md") == "../nowhere.md"  # a broken link stays broken: the build names it
    deep = linker(site, "docs/instructors/01-anatomy.md")
    assert deep.rewrite("../../notebooks/01-anatomy.ipynb") == "../../notebooks/01-anatomy.ipynb"
    assert deep.rewrite("../lesson-template.md") == "../lesson-template.md"


def test_markdown_links_are_rewritten_outside_code_only(site):
    text = ("See the [bursa](../docs/glossary.md#bursa) and <a href=\"01-anatomy.ipynb\">lesson 01</a>.\n\n"
            "```markdown\n[bursa](../docs/glossary.md#bursa)\n```\n")
    out = site_build.rewrite_markdown(text, linker(site, "notebooks/02-function.ipynb"))
    assert "[bursa](#glossary-bursa)" in out
    assert '<a href="01-anatomy.html">' in out
    assert "```markdown\n[bursa](../docs/glossary.md#bursa)\n```" in out


def test_staged_lessons_show_outputs_not_code_and_no_live_widgets(site, tmp_path):
    import nbformat

    refs = site_build.load_references(ROOT)
    page = site.lessons[0]
    nb = nbformat.read(ROOT / page.source, as_version=4)
    nb.cells[-1] = nbformat.v4.new_code_cell("show_quiz('x')", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": '<a href="01-anatomy.ipynb">x</a>', "text/plain": "Quiz",
                              site_build.WIDGET_VIEW: {"model_id": "abc", "version_major": 2}})])
    root = tmp_path / "root"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    nbformat.write(nb, root / page.source)
    site.root, saved = root, site.root
    try:
        site_build.stage_notebook(site, page, tmp_path / "out", refs, site_build.glossary_terms(ROOT))
    finally:
        site.root = saved
    staged = nbformat.read(tmp_path / "out" / page.source, as_version=4)
    code = [c for c in staged.cells if c.cell_type == "code"]
    assert code and all({"remove-input", "remove-cell"} & set(c.metadata["tags"]) for c in code)
    last = code[-1]
    assert "remove-input" in last.metadata["tags"]
    assert site_build.WIDGET_VIEW not in last.outputs[0]["data"]
    assert last.outputs[0]["data"]["text/html"] == '<a href="01-anatomy.html">x</a>'
    assert not any(c.source.lstrip().startswith("<!--NAVIGATION-->") for c in staged.cells)


# --------------------------------------------------------------------------- the built-HTML check

def test_linkcheck_finds_broken_links_missing_anchors_and_other_hosts(tmp_path):
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "_static").mkdir()
    (site / "_static" / "ok.css").write_text("body { background: url(missing.png); }")
    (site / "docs" / "a.html").write_text('<h1 id="top">A</h1><a name="old"></a>')
    (site / "index.html").write_text(
        '<link rel="stylesheet" href="_static/ok.css">'
        '<script src="https://cdn.example.org/x.js"></script>'
        '<img src="//cdn.example.org/y.png" alt="y">'
        '<a href="docs/a.html#top">ok</a> <a href="docs/a.html#old">ok</a> <a href="https://doi.org/1">ext</a>'
        '<a href="docs/a.html#nope">bad anchor</a> <a href="docs/b.html">missing</a> <a href="#here">self</a>'
        '<p id="here" style="background:url(https://x.example.org/bg.png)">x</p>')
    problems = linkcheck.check_site(site)
    text = "\n".join(problems)
    assert "cdn.example.org/x.js from another host" in text
    assert "//cdn.example.org/y.png from another host" in text
    assert "x.example.org/bg.png from another host" in text
    assert "no element with id 'nope'" in text
    assert "docs/b.html does not exist" in text
    assert "url(missing.png) does not exist" in text
    assert len(problems) == 6, text
    (site / "index.html").write_text('<a href="docs/a.html#top">ok</a> <a href="https://doi.org/1">ext</a>')
    (site / "_static" / "ok.css").write_text("body { color: red; }")
    assert linkcheck.check_site(site) == []


# --------------------------------------------------------------------------- launch buttons

class _App:
    class config:
        course_hub_url = ""
        course_repository = "https://github.com/some-org/some-course"
        course_branch = "main"


def launch_context():
    return {"header_buttons": [{"type": "group", "label": "launch-buttons", "buttons": [{"text": "Binder"}]}]}


def test_the_hub_button_appears_only_on_lessons_and_only_with_a_hub():
    app = _App()
    ctx = launch_context()
    course_site.add_hub_button(app, "notebooks/01-anatomy", "page.html", ctx, None)
    assert [b["text"] for b in ctx["header_buttons"][0]["buttons"]] == ["Binder"]
    app.config.course_hub_url = "https://hub.example.edu/"
    course_site.add_hub_button(app, "docs/glossary", "page.html", ctx, None)
    assert len(ctx["header_buttons"][0]["buttons"]) == 1
    course_site.add_hub_button(app, "notebooks/01-anatomy", "page.html", ctx, None)
    hub = ctx["header_buttons"][0]["buttons"][-1]
    assert hub["text"] == "JupyterHub"
    parts = urlsplit(hub["url"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://hub.example.edu/hub/user-redirect/git-pull"
    query = parse_qs(parts.query)
    assert query["repo"] == ["https://github.com/some-org/some-course"] and query["branch"] == ["main"]
    assert query["urlpath"][0].endswith("/notebooks/01-anatomy.ipynb")


def test_the_hub_url_comes_from_the_option_the_environment_or_the_config(monkeypatch):
    monkeypatch.delenv(site_build.HUB_ENV, raising=False)
    assert site_build.discover(ROOT).hub_url == (yaml.safe_load((ROOT / "website" / "config.yml").read_text())
                                                 .get("hub_url") or "")
    monkeypatch.setenv(site_build.HUB_ENV, "https://env.example.edu")
    assert site_build.discover(ROOT).hub_url == "https://env.example.edu"
    assert site_build.discover(ROOT, hub_url="https://option.example.edu").hub_url == "https://option.example.edu"
    config = site_build.config_yaml(site_build.discover(ROOT))
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["sphinx"]["config"]["course_hub_url"] == "https://env.example.edu"
    assert config["sphinx"]["config"]["mathjax_path"] == "mathjax/tex-chtml.js"


# --------------------------------------------------------------------------- publishing

def test_the_pages_workflow_builds_with_the_readme_command_and_publishes_site():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", [])]
    runs = [s.get("run", "") for s in steps]
    assert "python3 course.py site" in runs
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact")]
    assert upload and upload[0]["with"]["path"] == "_site"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in steps)
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    build_steps = workflow["jobs"]["build"]["steps"]
    assert any(str(s.get("uses", "")).startswith("actions/setup-node") for s in build_steps)


def test_the_readme_says_where_the_site_is_and_how_to_build_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    site = site_build.discover(ROOT)
    assert site.pages_url in readme
    assert "python3 course.py site" in readme
    for path in ("website/", "requirements-site.txt", ".github/workflows/pages.yml", "tools/sitedriver.py"):
        assert f"`{path}`" in readme, f"the README's layout table does not list {path}"


def test_site_outputs_and_npm_packages_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for entry in ("_site/", "_build/", "website/node_modules/"):
        assert entry in ignored


def test_the_students_environment_does_not_carry_the_site_tools():
    student = (ROOT / "requirements.txt").read_text() + (ROOT / "environment.yml").read_text()
    for name in ("jupyter-book", "sphinx", "myst"):
        assert name not in student.lower()


# --------------------------------------------------------------------------- who installs what

def load_course_py(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("course_cli_under_test", ROOT / "course.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    venv = tmp_path / ".venv"
    bin_ = venv / "bin"
    monkeypatch.setattr(mod, "VENV", venv)
    monkeypatch.setattr(mod, "BIN", bin_)
    monkeypatch.setattr(mod, "PY", bin_ / "python")
    monkeypatch.setattr(mod, "SITE_STAMP", venv / ".course-site-installed")
    monkeypatch.setattr(mod, "NODE_MODULES", tmp_path / "node_modules")
    calls = []

    def fake_create_venv():
        bin_.mkdir(parents=True)
        (bin_ / "python").write_text("")

    def fake_run(cmd, cwd=mod.ROOT, **kw):
        calls.append(" ".join(str(c) for c in cmd))
        if "ci" in [str(c) for c in cmd]:  # npm ci
            for name in mod.NPM_FILES:
                (mod.NODE_MODULES / name).parent.mkdir(parents=True, exist_ok=True)
                (mod.NODE_MODULES / name).write_text("")

    monkeypatch.setattr(mod, "create_venv", fake_create_venv)
    monkeypatch.setattr(mod, "run", fake_run)
    monkeypatch.setattr(mod, "pip_install", lambda args, what: calls.append(
        "pip install " + " ".join(str(a) for a in args)))
    monkeypatch.setattr(mod, "setup_chromium", lambda: None)
    monkeypatch.setattr(mod.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(mod.subprocess, "call", lambda cmd, **kw: calls.append(
        "CALL " + " ".join(str(c) for c in cmd)) or 0)
    return mod, calls


def site_installs(calls):
    """The site's installs among course.py's commands (the hub tests' proxy from npm is not one)."""
    return [c for c in calls if ("requirements-site.txt" in c or " ci " in f" {c} " or "npm" in c)
            and "configurable-http-proxy" not in c]


def test_a_students_lab_installs_none_of_the_site_tools(monkeypatch, tmp_path):
    mod, calls = load_course_py(monkeypatch, tmp_path)
    assert mod.lab([]) == 0
    assert any("requirements.txt" in c for c in calls), calls  # the course itself was installed
    assert any(c.startswith("CALL") and "jupyter" in c and " lab" in c for c in calls), calls
    assert site_installs(calls) == [], calls
    assert not mod.SITE_STAMP.exists()


def test_site_and_test_install_the_site_tools_once(monkeypatch, tmp_path):
    mod, calls = load_course_py(monkeypatch, tmp_path)
    assert mod.site([]) == 0
    installs = site_installs(calls)
    assert any("pip install" in c and "requirements-site.txt" in c for c in installs), calls
    assert any(c.endswith("ci --no-audit --no-fund --loglevel=error") and "npm" in c for c in installs), calls
    assert calls[-1].startswith("CALL") and "website/build_site.py" in calls[-1]
    calls.clear()
    assert mod.site(["--hub-url", "https://hub.example.edu"]) == 0
    assert site_installs(calls) == [], "installed again although nothing changed"
    assert calls[-1].endswith("website/build_site.py --hub-url https://hub.example.edu")
    calls.clear()
    assert mod.test(["-q"]) == 0
    assert site_installs(calls) == [] and calls[-1].endswith("-m pytest -q")
    mod.SITE_STAMP.write_text("old")
    calls.clear()
    assert mod.test(["-q"]) == 0
    assert any("requirements-site.txt" in c for c in calls), "a changed requirements file is installed again"


def test_site_without_npm_says_what_to_install(monkeypatch, tmp_path, capsys):
    mod, calls = load_course_py(monkeypatch, tmp_path)
    monkeypatch.setattr(mod.shutil, "which", lambda name: None if name == "npm" else f"/usr/bin/{name}")
    assert mod.site([]) == 1
    assert "npm is missing" in capsys.readouterr().out
    if mod.os.geteuid() == 0:  # as root, Debian's npm was asked for first
        assert any("apt-get install -y -q" in c and c.endswith(" npm") for c in calls), calls
    assert not any("website/build_site.py" in c for c in calls)
