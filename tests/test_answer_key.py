"""The instructor's answer key as a handout: contents by lesson and objective, every choice with its
feedback and misconception, label figures, full references, the same content in HTML and Markdown,
print-friendly pages (checked by printing to PDF in Chromium), and an extension point for cases."""
from __future__ import annotations

import base64
import html
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from iliopsoas.quiz import answer_key as ak
from test_banks import good_bank, make_course, question, write_bank

ROOT = Path(__file__).resolve().parent.parent
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


class FakeFigure:
    png = PNG
    alt = "Schematic front view with 2 numbered markers"
    caption = "Drawn from the course's landmarks."


def fake_figure(view, structures):
    assert view == "anterior" and structures == ["psoas_major", "iliacus"]
    return FakeFigure()


def bank_with_label() -> dict:
    data = good_bank()
    question(data, "t-single")["choices"][0]["feedback"] = "Yes, **A** is right."
    question(data, "t-single")["choices"][1]["feedback"] = "B is the common slip."
    data["objectives"].append({"id": "t-obj-two", "text": "Label things."})
    data["questions"].append({
        "id": "t-label", "type": "label", "objective": "t-obj-two", "sources": ["gray1918", "course-guide"],
        "prompt": "Name them.", "explanation": "Because they are there.", "figure": "anterior",
        "markers": [{"structure": "psoas_major", "answer": "Psoas major", "feedback": "The long one."},
                    {"structure": "iliacus", "answer": "Iliacus"}],
        "distractors": ["Sartorius"]})
    return data


@pytest.fixture
def course(tmp_path, monkeypatch):
    from iliopsoas.quiz.banks import load_course

    root = make_course(tmp_path, monkeypatch)
    write_bank(root, bank_with_label())
    return load_course()


def visible_text(page: str) -> str:
    """The text of an HTML page (tags dropped, entities decoded, spaces collapsed)."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def md_text(md: str) -> str:
    md = re.sub(r"!\[[^\]]*\]\(data:[^)]*\)", " ", md)
    md = re.sub(r"<a id=\"[^\"]*\"></a>", " ", md)
    md = re.sub(r"\]\([^)]*\)", "]", md)
    return " ".join(re.sub(r"[*`#\[\]]", " ", md).split())


def expected_pieces(data: dict, misconceptions: dict, references: dict) -> list[str]:
    """Every text the key must carry for a bank (plain text, as both renderings show it)."""
    pieces = [data["title"]] + [o["text"] for o in data["objectives"]] + [o["id"] for o in data["objectives"]]
    for q in data["questions"]:
        pieces += [q["id"], q["explanation"].strip()]
        for c in q.get("choices") or []:
            pieces.append(c["text"])
            if c.get("feedback"):
                pieces.append(re.sub(r"[*`]", "", c["feedback"]))
            if c.get("misconception"):
                pieces += [c["misconception"], misconceptions[c["misconception"]]["belief"],
                           misconceptions[c["misconception"]]["correction"]]
        for m in q.get("markers") or []:
            pieces.append(m["answer"])
        pieces += list(q.get("distractors") or [])
        for key in q["sources"]:
            pieces.append(references[key]["short"])
    cited = {k for q in data["questions"] for k in q["sources"]}
    for key in cited:
        ref = references[key]
        pieces.append(" ".join(ref["citation"].split()))
        if ref.get("doi"):
            pieces.append(f"https://doi.org/{ref['doi']}")
        elif str(ref.get("url", "")).startswith("http"):
            pieces.append(ref["url"])
    return pieces


def test_html_and_markdown_carry_the_same_full_content(course):
    data = bank_with_label()
    page = ak.render_answer_key(course, fmt="html", label_figure=fake_figure)
    md = ak.render_answer_key(course, fmt="md", label_figure=fake_figure)
    text_html, text_md = visible_text(page), md_text(md)
    for piece in expected_pieces(data, course.misconceptions, course.references):
        plain = " ".join(piece.split())
        assert plain in text_html, f"HTML key lacks {plain!r}"
        assert plain in text_md, f"Markdown key lacks {plain!r}"


def test_each_choice_carries_its_verdict_feedback_and_misconception(course):
    page = ak.render_answer_key(course, fmt="html", label_figure=fake_figure)
    article = re.search(r'<article class="question" id="q-t-single">(.*?)</article>', page, re.S).group(1)
    items = re.findall(r"<li class=\"(right|wrong)\">(.*?)</li>", article, re.S)
    assert [cls for cls, _ in items] == ["right", "wrong"]
    right, wrong = (visible_text(body) for _, body in items)
    assert right.startswith("✓ Right A. A") and "Yes, A is right." in right and "misconception" not in right
    assert wrong.startswith("✗ Wrong B. B") and "B is the common slip." in wrong
    belief = course.misconceptions["psoas-minor-always-present"]["belief"]
    assert f"Targets misconception psoas-minor-always-present : {belief}" in wrong, \
        "the misconception is tied to the choice that targets it"


def test_contents_by_lesson_and_objective_link_to_anchors_that_exist(course):
    page = ak.render_answer_key(course, fmt="html", label_figure=fake_figure)
    nav = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    assert "t-obj" in nav and "t-obj-two" in nav and "90-test · Test bank" in nav
    targets = re.findall(r'href="#([^"]+)"', page)
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert targets and set(targets) <= ids, sorted(set(targets) - ids)
    assert {"q-t-single", "q-t-label", "obj-t-obj-two", "lesson-90-test", "references", "ref-gray1918"} <= ids
    md = ak.render_answer_key(course, fmt="md", label_figure=fake_figure)
    md_targets = set(re.findall(r"\]\(#([^)]+)\)", md))
    md_ids = set(re.findall(r'<a id="([^"]+)"></a>', md))
    assert md_targets and md_targets <= md_ids, sorted(md_targets - md_ids)


def test_label_questions_embed_their_figure_with_alt_text(course):
    page = ak.render_answer_key(course, fmt="html", label_figure=fake_figure)
    data = base64.b64encode(PNG).decode("ascii")
    assert f'<img src="data:image/png;base64,{data}" alt="{FakeFigure.alt}">' in page
    assert html.escape(FakeFigure.caption) in page
    md = ak.render_answer_key(course, fmt="md", label_figure=fake_figure)
    assert f"![{FakeFigure.alt}](data:image/png;base64,{data})" in md
    without = ak.render_answer_key(course, fmt="html")
    assert "picture is not included" in without


def test_references_are_absolute_links_and_course_files_are_not_links(course):
    page = ak.render_answer_key(course, fmt="html", label_figure=fake_figure)
    hrefs = re.findall(r'href="([^"#][^"]*)"', page)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    assert "In the course folder: notebooks/00-start-here.ipynb" in visible_text(page)
    assert "<script" not in page and "@import" not in page, "self-contained, no scripts"


def test_the_key_has_print_rules(course):
    page = ak.render_answer_key(course, fmt="html")
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert "@media print" in css and "break-inside: avoid" in css and "break-before: page" in css


def test_cases_and_other_items_can_be_added_through_the_extension_point(course):
    def cases(course_, slug):
        return [ak.KeyEntry(anchor="case-runner", title="case-runner", kind="clinical case", objective="t-obj",
                            prompt="A runner with groin pain.", answer="Refer.",
                            choices=[ak.KeyChoice("Step 1", "Ask about red flags", True, "Always first.")],
                            extra=[("What the clinician decides", "Screen, then refer.")]),
                ak.KeyEntry(anchor="case-free", title="case-free", kind="clinical case", objective=None,
                            prompt="Another case.")]

    ak.register_entries(cases)
    try:
        page = ak.render_answer_key(course, fmt="html")
        md = ak.render_answer_key(course, fmt="md")
    finally:
        ak.unregister_entries(cases)
    objective = re.search(r'<section class="objective" id="obj-t-obj">(.*?)</section>', page, re.S).group(1)
    assert 'id="case-runner"' in objective and "Screen, then refer." in objective
    assert "Other items" in page and 'id="case-free"' in page
    assert "What the clinician decides" in md and "Always first." in md
    assert "case-runner" not in ak.render_answer_key(course, fmt="html"), "unregistered again"


def test_the_whole_course_key_from_the_command_line_has_every_question_and_picture(tmp_path):
    out = tmp_path / "key.html"
    result = subprocess.run([sys.executable, "-m", "iliopsoas", "answer-key", "--output", str(out)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>"), "the format comes from the .html extension"
    banks = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "quizzes").glob("[0-9][0-9]-*.yml"))]
    questions = [q for b in banks for q in b["questions"]]
    for q in questions:
        assert f'id="q-{q["id"]}"' in page
    labels = [q for q in questions if q["type"] == "label"]
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', page)
    assert len(images) == len(labels) and all(images)
