#!/usr/bin/env python3
"""Build the course website with Jupyter Book 1 (Sphinx, myst-nb, sphinx-book-theme).

    python website/build_site.py [--output _site] [--hub-url URL]     # or: python3 course.py site

The stored notebooks are never executed: the site shows the outputs saved in
them (figures as their PNG with alt text, every quiz as its static HTML with
the answers folded away; the empty progress table becomes a note).  Steps:

1. **Stage** a book in ``_build/site/src``: copies of the ready lessons
   (``assets/course.yml``), ``docs/glossary.md``, the authoring guide (the other
   ``docs/*.md``), the instructor kit (``docs/instructors/*.md``, when present),
   a home page with the course map and a references page made from
   ``assets/references.yml``; the table of contents is written from the same
   lists, so a lesson that becomes ready appears without an edit here.
   Links are rewritten for the web (see :meth:`Linker.rewrite`): JupyterLab's
   heading anchors (``01-anatomy.ipynb#2.-Origins,-insertion...``) become the
   site's, glossary terms become Sphinx labels, and links to repository files
   that are not pages (a question bank, a folder) lead to the repository.
2. **Build** with ``jupyter-book build -W -n --keep-going``: any Sphinx warning,
   a broken cross-reference among them, fails the build.
3. **Copy** the HTML to ``_site/`` with MathJax from npm (``website/node_modules``)
   in ``_static/mathjax``, and **check** the result (website/site_linkcheck.py): every
   internal link and anchor resolves, and no page loads anything from another host.

Needs the packages of requirements-site.txt and ``npm ci`` run in website/
(course.py does both on first use).
"""
from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import site_linkcheck as linkcheck  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HUB_ENV = "ILIOPSOAS_HUB_URL"
BINDER_BADGE = re.compile(
    r"\((?P<url>(?P<binder>https://[^/\s)]+)/v2/gh/(?P<org>[\w.-]+)/(?P<repo>[\w.-]+)/(?P<ref>[\w./-]+)"
    r"\?urlpath=(?P<urlpath>[^)\s]+))\)")
MATHJAX_PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "sre", "ui"]


class SiteError(RuntimeError):
    """The site cannot be built: a sentence saying what is wrong."""


# --------------------------------------------------------------------------- what the site holds

@dataclass
class Page:
    """One page of the site: its source in the repository and its place in the staged book."""

    source: str   # repository path, e.g. "notebooks/01-anatomy.ipynb"
    title: str = ""

    @property
    def docname(self) -> str:
        return posixpath.splitext(self.source)[0]


@dataclass
class Site:
    """The pages of the site, by heading, and the settings read from the repository."""

    root: Path
    title: str
    repository: str          # https://github.com/org/repo
    binder: str              # https://mybinder.org
    binder_ref: str          # the git ref of the README's Binder badge (HEAD)
    branch: str              # for links to repository files
    hub_url: str
    lessons: list[Page] = field(default_factory=list)
    reference: list[Page] = field(default_factory=list)
    authoring: list[Page] = field(default_factory=list)
    instructors: list[Page] = field(default_factory=list)
    home_template: str = ""

    @property
    def parts(self) -> list[tuple[str, list[Page]]]:
        return [(caption, pages) for caption, pages in (
            ("Lessons", self.lessons), ("Reference", self.reference),
            ("Authoring guide", self.authoring), ("Instructor kit", self.instructors)) if pages]

    @property
    def pages(self) -> list[Page]:
        return [p for _caption, pages in self.parts for p in pages]

    @property
    def sources(self) -> set[str]:
        return {p.source for p in self.pages} | {"index.md"}

    def binder_url(self, relpath: str = "notebooks/00-start-here.ipynb") -> str:
        org_repo = urlsplit(self.repository).path.strip("/")
        return f"{self.binder}/v2/gh/{org_repo}/{self.binder_ref}?urlpath=lab/tree/{relpath}"

    @property
    def pages_url(self) -> str:
        """Where GitHub Pages publishes the site: https://<org>.github.io/<repo>/."""
        org, repo = urlsplit(self.repository).path.strip("/").split("/")[:2]
        return f"https://{org.lower()}.github.io/{repo}/"


def read_binder_badge(root: Path) -> dict:
    """The README's Binder badge: binder host, org, repo and git ref (SiteError if there is none)."""
    readme = (root / "README.md").read_text(encoding="utf-8")
    m = BINDER_BADGE.search(readme)
    if not m:
        raise SiteError("README.md has no Binder badge (https://mybinder.org/v2/gh/ORG/REPO/REF?urlpath=...); "
                        "the site reads the repository and the Binder link from it")
    return m.groupdict()


def discover(root: Path = ROOT, hub_url: str | None = None) -> Site:
    """Every page of the site, from assets/course.yml and the docs folders."""
    root = Path(root)
    config = yaml.safe_load((HERE / "config.yml").read_text(encoding="utf-8")) or {}
    course = yaml.safe_load((root / "assets" / "course.yml").read_text(encoding="utf-8"))
    badge = read_binder_badge(root)
    if hub_url is None:
        hub_url = os.environ.get(HUB_ENV) or config.get("hub_url") or ""
    site = Site(root=root, title=course["title"],
                repository=f"https://github.com/{badge['org']}/{badge['repo']}", binder=badge["binder"],
                binder_ref=badge["ref"], branch=str(config.get("branch", "main")), hub_url=hub_url.strip(),
                home_template=(HERE / config.get("home", "home.md")).read_text(encoding="utf-8"))
    for lesson in course["lessons"]:
        path = root / "notebooks" / f"{lesson['slug']}.ipynb"
        if lesson.get("status") == "ready" and path.is_file():
            site.lessons.append(Page(f"notebooks/{lesson['slug']}.ipynb",
                                     f"{lesson['slug'][:2]} · {lesson['title']}"))
    docs = root / "docs"
    if (docs / "glossary.md").is_file():
        site.reference.append(Page("docs/glossary.md", "Glossary"))
    site.reference.append(Page("references.md", "References"))
    skip = set(config.get("not_in_authoring_guide", []))
    for path in sorted(docs.glob("*.md")):
        if path.name not in skip:
            site.authoring.append(Page(f"docs/{path.name}", markdown_title(path)))
    kit = docs / "instructors"
    if kit.is_dir():
        pages = sorted(kit.glob("*.md"), key=lambda p: (p.name.lower() != "readme.md", p.name))
        site.instructors = [Page(f"docs/instructors/{p.name}", markdown_title(p)) for p in pages]
    return site


def markdown_title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


# --------------------------------------------------------------------------- headings and anchors

def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)


def _inline_text(token) -> str:
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "math_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out).strip()


def headings(markdown_text: str) -> list[str]:
    """The plain text of every heading of a Markdown text, in order."""
    tokens = _markdown().parse(markdown_text)
    return [_inline_text(tokens[i + 1]) for i, tok in enumerate(tokens) if tok.type == "heading_open"]


def lab_anchor(text: str) -> str:
    """The id JupyterLab gives a heading (its text, spaces as hyphens)."""
    return text.replace(" ", "-")


def myst_slug(text: str) -> str:
    """The anchor MyST resolves ``page.md#slug`` links with (myst_heading_anchors)."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    return default_slugify(text)


def html_id(text: str) -> str:
    """The id docutils gives a section with this title in the built HTML."""
    from docutils.nodes import make_id

    return make_id(text)


def page_headings(root: Path, source: str) -> list[str]:
    path = root / source
    if source.endswith(".ipynb"):
        nb = nbformat.read(path, as_version=4)
        return headings("\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    if path.is_file():
        return headings(path.read_text(encoding="utf-8"))
    return []


# --------------------------------------------------------------------------- links

@dataclass
class Linker:
    """Rewrites the links of one staged page for the website."""

    site: Site
    page: str                     # repository path of the page the link is on
    glossary_terms: set[str]
    _headings: dict = field(default_factory=dict)

    def headings_of(self, source: str) -> list[str]:
        if source not in self._headings:
            self._headings[source] = page_headings(self.site.root, source)
        return self._headings[source]

    def fragment(self, target: str, frag: str, raw_html: bool) -> str:
        """A heading anchor of ``target`` as the site names it (JupyterLab's form is translated)."""
        for text in self.headings_of(target):
            if frag in (lab_anchor(text), myst_slug(text), html_id(text)):
                return html_id(text) if raw_html else myst_slug(text)
        return frag  # unknown: left as it is, so that the link check names it

    def rewrite(self, href: str, raw_html: bool = False) -> str:
        """The link ``href`` of this page as the website needs it.

        - to a page of the site: kept (``.ipynb``/``.md`` become ``.html`` in raw HTML), with
          JupyterLab heading anchors turned into the site's;
        - to a glossary term (``glossary.md#term``): the term's label (``#glossary-term``);
        - to ``assets/references.yml``: the references page;
        - to another file or folder of the repository: that file on the repository's website;
        - external links, in-page anchors and links to nothing are left as they are.
        """
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            return href
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), unquote(parts.path)))
        frag = unquote(parts.fragment)
        here = posixpath.dirname(self.page) or "."
        if target == "assets/references.yml":
            target = "references.md"
        if target in self.site.sources:
            if target == "docs/glossary.md" and frag in self.glossary_terms and not raw_html:
                return f"#glossary-{frag}"
            if frag:
                frag = self.fragment(target, frag, raw_html)
            rel = posixpath.relpath(target, here)
            if raw_html:
                rel = posixpath.splitext(rel)[0] + ".html"
            return rel + (f"#{frag}" if frag else "")
        path = self.site.root / target
        if target.startswith("..") or not path.exists():
            return href
        kind = "tree" if path.is_dir() else "blob"
        url = f"{self.site.repository}/{kind}/{self.site.branch}/{target}"
        return url + (f"#{parts.fragment}" if parts.fragment else "")


_MD_LINK = re.compile(r"(\]\()(<[^>]*>|[^)\s]+)")
_HTML_HREF = re.compile(r"""(\bhref=)(["'])(.*?)\2""")


def rewrite_markdown(text: str, linker: Linker) -> str:
    """Rewrite the link targets of Markdown ``text`` (not inside code blocks)."""
    tokens = _markdown().parse(text)
    code_lines = set()
    for tok in tokens:
        if tok.type in ("fence", "code_block") and tok.map:
            code_lines.update(range(*tok.map))
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i in code_lines:
            continue
        line = _MD_LINK.sub(lambda m: m.group(1) + _md_target(m.group(2), linker), line)
        line = _HTML_HREF.sub(lambda m: f"{m.group(1)}{m.group(2)}{linker.rewrite(m.group(3), raw_html=True)}"
                              f"{m.group(2)}", line)
        lines[i] = line
    return "\n".join(lines)


def _md_target(target: str, linker: Linker) -> str:
    if target.startswith("<") and target.endswith(">"):
        return "<" + linker.rewrite(target[1:-1]) + ">"
    return linker.rewrite(target)


def rewrite_html(text: str, linker: Linker) -> str:
    return _HTML_HREF.sub(lambda m: f"{m.group(1)}{m.group(2)}{linker.rewrite(m.group(3), raw_html=True)}"
                          f"{m.group(2)}", text)


# --------------------------------------------------------------------------- staging

def load_references(root: Path) -> dict:
    data = yaml.safe_load((root / "assets" / "references.yml").read_text(encoding="utf-8")) or {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def glossary_terms(root: Path) -> set[str]:
    path = root / "docs" / "glossary.md"
    if not path.is_file():
        return set()
    return set(re.findall(r'<a id="([^"]+)"></a>', path.read_text(encoding="utf-8")))


def reference_link(entry: dict) -> str:
    if entry.get("doi"):
        return f"[doi:{entry['doi']}](https://doi.org/{entry['doi']})"
    if entry.get("url"):
        return f"<{entry['url']}>"
    return ""


def references_markdown(refs: dict) -> str:
    """The references page: every entry of assets/references.yml, by its short citation, each with a label."""
    lines = ["# References", "",
             "Every source the course cites, in alphabetical order of the short form the lessons use. "
             "Each entry says what kind of evidence it is, in the course's own words.", ""]
    for key, entry in sorted(refs.items(), key=lambda kv: (str(kv[1].get("short", kv[0])).lower(), kv[0])):
        short = entry.get("short", key)
        citation = str(entry.get("citation", "")).strip()
        about = str(entry.get("about", "")).strip()
        text = f"**{short}**. {citation}"
        if about:
            text += f" *{about}*"
        link = reference_link(entry)
        if link:
            text += f" {link}"
        lines += [f"(ref-{key})=", text, ""]
    return "\n".join(lines)


def link_reference_list(text: str, refs: dict) -> str:
    """In a lesson's generated References cell, link each entry's short citation to the references page."""
    by_short = {str(v.get("short")): k for k, v in refs.items()}

    def link(m):
        key = by_short.get(m.group(2))
        return f"{m.group(1)}[**{m.group(2)}**](#ref-{key})" if key else m.group(0)

    return re.sub(r"^(\s*- )\*\*(.+?)\*\*", link, text, flags=re.M)


def label_glossary(text: str) -> str:
    """Give every glossary term a Sphinx label (``glossary-<id>``) beside its HTML anchor."""
    return re.sub(r'^<a id="([^"]+)"></a>', lambda m: f"(glossary-{m.group(1)})=\n{m.group(0)}", text, flags=re.M)


PROGRESS_NOTE = ('<p class="iliopsoas-progress-site-note"><em>Your own table goes here: run this notebook in '
                 "Jupyter (the rocket button at the top of the page opens it on Binder) and it shows the questions "
                 "you have answered in each lesson and where to go next. This website saves nothing.</em></p>")


def site_output(html_text: str) -> str:
    """An output as the website shows it: the progress dashboard, empty here, becomes a note."""
    if 'class="iliopsoas-progress iliopsoas-static"' in html_text:
        return PROGRESS_NOTE
    return html_text


def stage_notebook(site: Site, page: Page, out: Path, refs: dict, terms: set[str]) -> None:
    nb = nbformat.read(site.root / page.source, as_version=4)
    linker = Linker(site, page.source, terms)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if cell.source.lstrip().startswith("<!--NAVIGATION-->"):
                continue  # the site has its own navigation (sidebar, previous and next)
            cell.source = rewrite_markdown(cell.source, linker)
            if cell.source.lstrip().startswith("<!--REFERENCES-->"):
                cell.source = link_reference_list(cell.source, refs)
        elif cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                data = output.get("data")
                if data is not None:
                    data.pop(WIDGET_VIEW, None)  # a live widget cannot run here: its static HTML is shown
                    if "text/html" in data:
                        data["text/html"] = rewrite_html(site_output(str(data["text/html"])), linker)
                outputs.append(output)
            cell.outputs = outputs
            tags = set(cell.metadata.get("tags", []))
            # The one-line calls are for Jupyter; the site shows what they display.
            tags.add("remove-input" if outputs else "remove-cell")
            cell.metadata["tags"] = sorted(tags)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    path = out / page.source
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def stage_markdown(site: Site, page: Page, out: Path, refs: dict, terms: set[str]) -> None:
    text = (site.root / page.source).read_text(encoding="utf-8")
    if page.source == "docs/glossary.md":
        text = label_glossary(text)
    text = rewrite_markdown(text, Linker(site, page.source, terms))
    path = out / page.source
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def course_map_markdown(site: Site) -> str:
    course = yaml.safe_load((site.root / "assets" / "course.yml").read_text(encoding="utf-8"))
    ready = {p.source for p in site.lessons}
    rows = ["| # | Lesson | Time | What you learn |", "|---|---|---|---|"]
    total = done = 0
    for lesson in course["lessons"]:
        source = f"notebooks/{lesson['slug']}.ipynb"
        minutes = int(lesson["minutes"])
        total += minutes
        if source in ready:
            done += minutes
            name = f"[{lesson['title']}]({source})"
        else:
            name = f"{lesson['title']} *(coming soon)*"
        rows.append(f"| {lesson['slug'][:2]} | {name} | {minutes} min | {lesson['summary']} |")
    rows += ["", f"Ready now: about {done} minutes of the {total} planned."]
    return "\n".join(rows)


def home_markdown(site: Site) -> str:
    also = []
    for caption, pages in site.parts[1:]:
        links = ", ".join(f"[{p.title}]({p.source})" for p in pages)
        also.append(f"- **{caption}**: {links}")
    start = site.lessons[0].source if site.lessons else "references.md"
    return site.home_template.format(title=site.title, course_map=course_map_markdown(site), start=start,
                                     binder_url=site.binder_url(), repository=site.repository,
                                     also="\n".join(also))


def toc_yaml(site: Site) -> dict:
    # One flat list per heading: a nested entry gets the theme's expand toggle, a <summary>
    # without a name (axe-core: summary-name, serious).
    parts = [{"caption": caption, "chapters": [{"file": p.docname} for p in pages]} for caption, pages in site.parts]
    return {"format": "jb-book", "root": "index", "parts": parts}


def config_yaml(site: Site) -> dict:
    return {
        "title": site.title,
        "author": "The iliopsoas course authors",
        "copyright": "2026",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence", "html_image"]},
        "html": {
            "use_repository_button": True, "use_issues_button": False, "use_edit_page_button": False,
            "use_download_button": False, "use_fullscreen_button": False, "home_page_in_navbar": True,
            "comments": {"hypothesis": False, "utterances": False},
            "extra_footer": ("Course text and question banks: CC BY 4.0; code: MIT. "
                             "Education, not diagnosis: the course is not medical advice."),
        },
        "repository": {"url": site.repository, "branch": site.binder_ref, "path_to_book": ""},
        "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": site.binder,
                           "jupyterhub_url": "", "thebe": False, "colab_url": ""},
        "sphinx": {
            "local_extensions": {"course_site": str(HERE)},
            "config": {
                "nitpicky": True,
                "myst_heading_anchors": 6,
                "mathjax_path": "mathjax/tex-chtml.js",
                "nb_ipywidgets_js": {},
                "html_static_path": [str(HERE / "static")],
                "html_css_files": ["course-site.css"],
                "templates_path": [str(HERE / "templates")],
                "language": "en",
                "course_hub_url": site.hub_url,
                "course_repository": site.repository,
                "course_branch": site.branch,
            },
        },
    }


def stage(site: Site, out: Path) -> None:
    """Write the book's sources (pages, _toc.yml, _config.yml) into ``out`` (emptied first)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    refs = load_references(site.root)
    terms = glossary_terms(site.root)
    for page in site.pages:
        if page.source == "references.md":
            (out / "references.md").write_text(references_markdown(refs), encoding="utf-8")
        elif page.source.endswith(".ipynb"):
            stage_notebook(site, page, out, refs, terms)
        else:
            stage_markdown(site, page, out, refs, terms)
    home = home_markdown(site)
    (out / "index.md").write_text(rewrite_markdown(home, Linker(site, "index.md", terms)), encoding="utf-8")
    (out / "_toc.yml").write_text(yaml.safe_dump(toc_yaml(site), sort_keys=False), encoding="utf-8")
    (out / "_config.yml").write_text(yaml.safe_dump(config_yaml(site), sort_keys=False), encoding="utf-8")


# --------------------------------------------------------------------------- build

def mathjax_dir(root: Path = ROOT) -> Path:
    return HERE / "node_modules" / "mathjax" / "es5"


def copy_mathjax(dest: Path) -> None:
    src = mathjax_dir()
    if not (src / "tex-chtml.js").is_file():
        raise SiteError(f"MathJax is missing ({src}); run `npm ci` in website/ (python3 course.py site does)")
    for part in MATHJAX_PARTS:
        s, d = src / part, dest / part
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copy2(s, d)


def jupyter_book() -> list[str]:
    exe = Path(sys.executable).with_name("jupyter-book")
    if not exe.exists():
        raise SiteError("jupyter-book is not installed in this environment; "
                        "pip install -r requirements-site.txt (python3 course.py site does)")
    return [str(exe)]


def build(root: Path = ROOT, output: Path | None = None, hub_url: str | None = None,
          work: Path | None = None, quiet: bool = False) -> dict:
    """Stage, build and check the site into ``output`` (default ``_site``); returns a summary.

    Raises SiteError when the build has warnings or the built site has a broken
    link or a request to another host.
    """
    root = Path(root)
    output = Path(output or root / "_site")
    work = Path(work or root / "_build" / "site")
    start = time.monotonic()
    site = discover(root, hub_url)
    src = work / "src"
    stage(site, src)
    cmd = jupyter_book() + ["build", str(src), "--path-output", str(work), "--builder", "html",
                            "-W", "-n", "--keep-going", "--all"]
    if quiet:
        cmd.append("-q")
    html = work / "_build" / "html"
    if html.exists():
        shutil.rmtree(html)
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    if proc.returncode != 0 or warnings:
        detail = "\n".join(warnings) or log[-4000:]
        raise SiteError(f"the site build failed (jupyter-book exit {proc.returncode}):\n{detail}")
    copy_mathjax(html / "_static" / "mathjax")
    for extra in (".doctrees", ".buildinfo"):
        target = html / extra
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for template in (html / "_static").glob("*macros.html"):
        template.unlink()  # the themes' Jinja macros, copied as static files: not pages
    (html / ".nojekyll").write_text("")  # GitHub Pages serves _static/ as it is
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(html, output)
    problems = linkcheck.check_site(output)
    if problems:
        raise SiteError("the built site has broken links or requests to other hosts:\n" + "\n".join(problems))
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    summary = {"output": str(output), "seconds": round(time.monotonic() - start, 1), "pages": len(pages),
               "content_pages": [p.docname + ".html" for p in site.pages] + ["index.html"],
               "hub_url": site.hub_url}
    (work / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", "-o", type=Path, default=ROOT / "_site", help="folder for the site (_site)")
    parser.add_argument("--hub-url", default=None,
                        help=f"a JupyterHub to offer on each lesson page (default: ${HUB_ENV}, else website/config.yml)")
    args = parser.parse_args(argv)
    try:
        summary = build(ROOT, args.output, args.hub_url)
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    print(f"site: {summary['pages']} pages in {summary['output']} ({summary['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
