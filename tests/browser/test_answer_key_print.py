"""The answer key printed by Chromium: each lesson on a new page, no question split across pages.

Uses the session's Chromium (conftest.py ``browser_context``); the PDF's text is read with pypdf.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_printed_key_never_splits_a_question_across_pages(browser_context, tmp_path):
    """Chromium prints the whole course's key to A4; every question starts and ends on one page, every
    clinical case starts a page and none of its parts is split."""
    import pypdf

    from iliopsoas.api import marker_figure
    from iliopsoas.quiz import answer_key as ak
    from iliopsoas.quiz.banks import load_course
    from iliopsoas.quiz.cases import cases_for

    course = load_course(ROOT)
    course_cases = cases_for(None, ROOT)
    key = ak.build_key(course, label_figure=marker_figure)
    (tmp_path / "key.html").write_text(ak.answer_key_html(key), encoding="utf-8")
    page = browser_context.new_page()
    try:
        page.goto((tmp_path / "key.html").as_uri())
        page.emulate_media(media="print")
        page.pdf(path=str(tmp_path / "key.pdf"), format="A4", print_background=True,
                 margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
    finally:
        page.close()
    pages = [pg.extract_text() for pg in pypdf.PdfReader(str(tmp_path / "key.pdf")).pages]
    squash = [re.sub(r"\W+", "", unicodedata.normalize("NFKC", t)) for t in pages]  # ligatures like "ﬂ"
    numbers = ak._numbering(key)
    checked = cases = 0
    for lesson in key.lessons:
        starts = [i for i, t in enumerate(squash) if re.sub(r"\W+", "", f"{lesson.slug} · {lesson.title}") in t]
        assert starts, f"{lesson.slug} not found in the PDF"
        for entry in lesson.entries:
            head = re.sub(r"\W+", "", f"{numbers[entry.anchor]} {entry.title}")
            tail = re.sub(r"\W+", "", unicodedata.normalize("NFKC", entry.explanation))[-60:]
            where_head = [i for i, t in enumerate(squash) if head in t]
            assert where_head, f"{entry.title} not found in the PDF"
            first = where_head[-1]  # the contents list names the number too; the question comes later
            if entry.extra:
                # a clinical case's tree is longer than a page: it starts a page of its own and its
                # summary (the explanation) ends within the next pages, before any other entry
                assert squash[first].startswith(head), f"{entry.title} does not start a page"
                ends = [j for j in range(first, len(squash)) if tail in squash[j]]
                assert ends, f"{entry.title}: its summary is not in the PDF after its heading"
                assert ends[0] - first <= 6, f"{entry.title} runs over {ends[0] - first + 1} pages"
                cases += 1
            else:
                assert tail in squash[first], f"{entry.title} is split across pages {first + 1} and after"
            checked += 1
    assert cases == len(course_cases), "every clinical case is in the printed key"
    assert checked == sum(len(b.questions) for b in course.banks.values()) + cases
    assert len(pages) > len(key.lessons), "each lesson starts a page"
