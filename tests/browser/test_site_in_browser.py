"""The course website in a real browser: every page, offline, links, accessibility.

The site is built from the repository (``website/build_site.py``, the code behind
``python3 course.py site``) into a temporary folder, with a hub address so that
the hub button can be checked, and served on 127.0.0.1.  Chromium can resolve
no other host, and every request to one is aborted and counted.  Starting from
the home page, every internal link is followed: each page must load (HTTP 200,
no JavaScript error), each link must lead to a file of the site and each
``#anchor`` to an element of its page, and axe-core (npm, injected from
website/node_modules) must find no serious or critical violation on any page,
in the site's light and dark themes.  Then what the lessons show: quizzes as
self-check blocks with the answer folded away, figures as pictures with alt
text, a Binder (and hub) launch button; and maths typeset by the site's own
MathJax (a small book with formulas, built the same way).
"""
from __future__ import annotations

from contextlib import nullcontext

import json
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "website"))
sys.path.insert(0, str(ROOT / "tools"))
import build_site as site_build  # noqa: E402
import sitedriver  # noqa: E402

AXE = ROOT / "website" / "node_modules" / "axe-core" / "axe.min.js"
HUB = "https://hub.example.edu"
NPM_HINT = "website/node_modules is missing: run `python3 course.py site` (or `npm ci` in website/) first."


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not AXE.is_file() or not (site_build.mathjax_dir() / "tex-chtml.js").is_file():
        pytest.fail(NPM_HINT, pytrace=False)
    tmp = tmp_path_factory.mktemp("website")
    try:
        summary = site_build.build(ROOT, tmp / "site", hub_url=HUB, work=tmp / "work", quiet=True)
    except site_build.SiteError as exc:
        pytest.fail(str(exc), pytrace=False)
    return Path(summary["output"]), summary


@pytest.fixture(scope="module")
def browsed(built, chromium, playwright_session):
    """Crawl the whole site once (links, anchors, axe in both themes); keep what the lesson pages show."""

    site, summary = built
    shown = {}

    def look(page, path):
        if path.startswith("notebooks/"):
            shown[path] = page.evaluate(LESSON_JS)

    with sitedriver.serve(site) as base, nullcontext(playwright_session) as pw:
        browser, context, guard = sitedriver.offline_context(pw, base, chromium)
        try:
            result = sitedriver.crawl(context, base, axe_js=AXE, also=sitedriver.site_pages(site), on_page=look)
            quiz = quiz_interaction(context, base, summary)
        finally:
            browser.close()
    return {"result": result, "guard": guard, "shown": shown, "summary": summary, "quiz": quiz}


LESSON_JS = """() => {
  const main = document.querySelector('main') || document.body;
  const quizzes = [...main.querySelectorAll('.iliopsoas-quiz')];
  const details = [...main.querySelectorAll('details.iliopsoas-answer-block')];
  const cases = [...main.querySelectorAll('.iliopsoas-case.iliopsoas-static')];
  const launch = [...document.querySelectorAll('a[href]')].map(a => a.href)
      .filter(h => h.includes('/v2/gh/') || h.includes('/hub/user-redirect/'));
  return {
    quizzes: quizzes.length,
    static_quizzes: quizzes.filter(q => q.classList.contains('iliopsoas-static')).length,
    questions: main.querySelectorAll('.iliopsoas-question').length,
    answer_blocks: details.filter(d => !d.closest('.iliopsoas-case')).length,
    cases: cases.length,
    case_blocks: cases.filter(c => c.querySelectorAll('details.iliopsoas-answer-block').length === 1).length,
    open_blocks: details.filter(d => d.open).length,
    visible_answers: [...main.querySelectorAll('.iliopsoas-answer')].filter(a => a.checkVisibility()).length,
    widgets: main.querySelectorAll('.jupyter-widgets, script[type="application/vnd.jupyter.widget-view+json"]').length,
    dead_widget_text: /Loading widget|Error displaying widget|VBox\\(/.test(main.innerText),
    figures: [...main.querySelectorAll('.iliopsoas-figure img')].map(i => ({
        alt: i.getAttribute('alt') || '', width: i.naturalWidth, data: i.src.startsWith('data:image/png')})),
    images_without_alt: [...main.querySelectorAll('img')].filter(i => !i.hasAttribute('alt')).length,
    launch: launch,
  };
}"""


def quiz_interaction(context, base, summary) -> dict:
    """Open the first answer of the first lesson with a quiz, with the keyboard: is the answer then shown?"""
    page = context.new_page()
    out = {}
    for path in summary["content_pages"]:
        if not path.startswith("notebooks/"):
            continue
        page.goto(base + path)
        summary_el = page.locator("details.iliopsoas-answer-block > summary").first
        if not summary_el.count():
            continue
        answer = page.locator("details.iliopsoas-answer-block .iliopsoas-answer").first
        out["page"] = path
        # checkVisibility(): the content of a closed <details> is laid out but not rendered
        out["visible_before"] = answer.evaluate("e => e.checkVisibility()")
        summary_el.focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(200)
        out["visible_after"] = answer.evaluate("e => e.checkVisibility()")
        out["text"] = answer.inner_text()[:80]
        break
    page.close()
    return out


def stored_outputs(path: Path) -> dict:
    """What a notebook's stored outputs hold: quizzes, questions, figures (by their HTML classes)."""
    nb = nbformat.read(path, as_version=4)
    html = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    return {"quizzes": html.count('class="iliopsoas-quiz'), "questions": html.count('class="iliopsoas-question '),
            "cases": html.count('class="iliopsoas-case iliopsoas-static'),
            "figures": len(re.findall(r'<figure class="iliopsoas-figure', html))}


# --------------------------------------------------------------------------- every page

def test_every_page_of_the_site_loads_offline(browsed):
    result, guard, summary = browsed["result"], browsed["guard"], browsed["summary"]
    not_reached = sorted(set(summary["content_pages"]) - set(result.linked))
    assert not not_reached, f"pages of the table of contents that no link leads to: {not_reached}"
    assert set(result.pages) >= set(summary["content_pages"]) | {"search.html"}
    bad = {p: s for p, s in result.pages.items() if s != 200}
    assert not bad, f"pages that did not load: {bad}"
    assert not result.errors, "JavaScript errors:\n" + "\n".join(result.errors)
    assert guard.external == [], (f"{len(guard.external)} requests to other hosts:\n"
                                  + "\n".join(f"{p} -> {u}" for p, u in guard.external[:20]))
    assert guard.local > len(result.pages), "the site's own files were requested through the guard"
    print(f"\nsite: {len(result.pages)} pages, {guard.local} local requests, 0 external")


def test_no_internal_link_of_the_site_is_broken(browsed):
    result = browsed["result"]
    assert result.links > 100, f"only {result.links} internal links were found: is the crawl reading the pages?"
    assert not result.broken, "broken internal links:\n" + "\n".join(result.broken)


def test_axe_finds_no_serious_or_critical_violation_on_any_page_in_either_theme(browsed):
    result = browsed["result"]
    assert {theme for _page, theme in result.axe} == set(sitedriver.THEMES)
    assert len(result.axe) == 2 * len(result.pages), "axe ran on every page in both themes"
    serious = result.serious()
    counts = result.counts()
    print(f"\naxe-core on {len(result.pages)} pages x {len(sitedriver.THEMES)} themes: {counts or 'no violations'}")
    assert not serious, "axe-core found:\n" + "\n".join(serious)


def test_the_guard_counts_and_stops_requests_to_other_hosts(built, chromium, playwright_session):
    """The 0 above is a measurement: a page that asks another host for something is counted."""

    site, _summary = built
    with sitedriver.serve(site) as base, nullcontext(playwright_session) as pw:
        browser, context, guard = sitedriver.offline_context(pw, base, chromium)
        try:
            page = context.new_page()
            page.goto(base + "index.html")
            status = page.evaluate("""() => fetch('https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js')
                                      .then(r => 'answered ' + r.status, e => 'failed')""")
        finally:
            browser.close()
    assert status == "failed"
    assert [u for _p, u in guard.external] == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"]


# --------------------------------------------------------------------------- what the lessons show

def lesson_pages(summary) -> list[str]:
    return [p for p in summary["content_pages"] if p.startswith("notebooks/")]


def test_quizzes_are_self_check_blocks_that_work_without_a_kernel(browsed):
    shown = browsed["shown"]
    lessons = lesson_pages(browsed["summary"])
    assert lessons
    total = cases = 0
    for path in lessons:
        stored = stored_outputs(ROOT / path.replace(".html", ".ipynb"))
        got = shown[path]
        assert got["widgets"] == 0 and not got["dead_widget_text"], f"{path} shows a live widget that cannot run"
        assert got["quizzes"] == got["static_quizzes"] == stored["quizzes"], (path, got, stored)
        assert got["questions"] == stored["questions"], (path, got, stored)
        assert got["answer_blocks"] == got["questions"], f"{path}: every question has a folded answer"
        assert got["cases"] == stored["cases"], f"{path}: a clinical case is missing from the page"
        assert got["case_blocks"] == got["cases"], f"{path}: every clinical case folds its best path away"
        assert got["open_blocks"] == 0 and got["visible_answers"] == 0, f"{path}: an answer is shown unasked"
        total += got["questions"]
        cases += got["cases"]
    assert total > 0, "no lesson shows a question"
    assert cases > 0, "no lesson shows a clinical case"
    quiz = browsed["quiz"]
    assert quiz.get("visible_before") is False and quiz.get("visible_after") is True, (
        f"Show answer (Enter on its summary) did not reveal the answer: {quiz}")


def test_figures_are_their_stored_pictures_with_alt_text(browsed):
    shown = browsed["shown"]
    for path in lesson_pages(browsed["summary"]):
        stored = stored_outputs(ROOT / path.replace(".html", ".ipynb"))
        figures = shown[path]["figures"]
        assert len(figures) >= stored["figures"], (path, len(figures), stored)
        for fig in figures:
            assert fig["data"] and fig["width"] > 0, f"{path}: a figure is not a decoded PNG"
            assert len(fig["alt"]) > 40, f"{path}: a figure has no real alt text: {fig['alt']!r}"
        assert shown[path]["images_without_alt"] == 0, f"{path}: images without alt"


def test_each_lesson_page_opens_on_binder_and_on_the_configured_hub(browsed):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\((https://mybinder\.org/v2/gh/[^?)]+)\?urlpath=", readme).group(1)
    for path in lesson_pages(browsed["summary"]):
        notebook = path.replace(".html", ".ipynb")
        launch = browsed["shown"][path]["launch"]
        assert f"{badge}?urlpath=lab/tree/{notebook}" in launch, (path, launch)
        hub = [u for u in launch if u.startswith(HUB)]
        assert len(hub) == 1, (path, launch)
        query = parse_qs(urlsplit(hub[0]).query)
        assert query["urlpath"][0].endswith(f"/{notebook}"), query
        assert query["repo"][0] == site_build.discover(ROOT).repository


# --------------------------------------------------------------------------- maths

MATH_COURSE = {
    "README.md": "# A course\n\n[![Binder](https://mybinder.org/badge_logo.svg)]"
                 "(https://mybinder.org/v2/gh/some-org/some-course/HEAD?urlpath=lab/tree/notebooks/10-maths.ipynb)\n",
    "assets/course.yml": "title: Maths check\nlessons:\n  - slug: 10-maths\n    title: Maths\n    minutes: 5\n"
                         "    summary: Formulas.\n    status: ready\n  - slug: 11-later\n    title: Later\n"
                         "    minutes: 5\n    summary: Not yet.\n    status: planned\n",
    "assets/references.yml": "demo2020:\n  short: Demo 2020\n  citation: Demo A (2020). J Demo 1:1.\n"
                             "  about: A made-up source for this test.\n  doi: 10.0000/demo\n",
}


def test_maths_is_typeset_by_the_sites_own_mathjax(tmp_path, chromium, playwright_session):
    """A small course with formulas, built the same way: MathJax typesets them from the site itself."""

    root = tmp_path / "course"
    for rel, text in MATH_COURSE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(
        "# 10 · Maths\n\nPost-test odds are pre-test odds times the likelihood ratio, "
        "$\\text{odds}_\\text{post} = \\text{odds}_\\text{pre} \\times LR$, and\n\n"
        "$$p = \\frac{\\text{odds}}{1 + \\text{odds}}$$\n\nSee [Demo 2020](../assets/references.yml).")]
    (root / "notebooks").mkdir()
    nbformat.write(nb, root / "notebooks" / "10-maths.ipynb")
    try:
        summary = site_build.build(root, tmp_path / "site", work=tmp_path / "work", quiet=True)
    except site_build.SiteError as exc:
        pytest.fail(str(exc), pytrace=False)
    assert "notebooks/10-maths.html" in summary["content_pages"]
    assert not (tmp_path / "site" / "notebooks" / "11-later.html").exists()
    page_html = (tmp_path / "site" / "notebooks" / "10-maths.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page_html, flags=re.I)
    assert scripts and all(not s.startswith(("http:", "https:", "//")) for s in scripts), scripts
    with sitedriver.serve(tmp_path / "site") as base, nullcontext(playwright_session) as pw:
        browser, context, guard = sitedriver.offline_context(pw, base, chromium)
        try:
            page = context.new_page()
            fonts = []
            page.on("response", lambda r: fonts.append((r.url, r.status)) if ".woff" in r.url else None)
            page.goto(base + "notebooks/10-maths.html")
            page.wait_for_function("() => document.querySelectorAll('mjx-container').length >= 2", timeout=20_000)
            typeset = page.evaluate("() => [...document.querySelectorAll('mjx-container')].map(e => e.textContent)")
            page.wait_for_load_state("networkidle")
        finally:
            browser.close()
    assert len(typeset) >= 2
    assert guard.external == [], guard.external
    assert fonts and all(status == 200 and url.startswith(base) for url, status in fonts), fonts
