"""The instructor's answer key: every question with its answer, explanation,
the misconceptions its wrong answers point to, and its sources.

``render_answer_key(fmt="md")`` returns Markdown; ``fmt="html"`` renders that
Markdown safely (raw HTML escaped, maths kept for MathJax).
"""
from __future__ import annotations

from .banks import load_course
from ..markdown import render_markdown
from .widgets import answer_text


def distractor_tags(question: dict) -> list[str]:
    """Misconception tags carried by the question's wrong answers, in file order."""
    tags = [c["misconception"] for c in question.get("choices") or [] if c.get("misconception")]
    if question.get("misconception"):
        tags.append(question["misconception"])
    return list(dict.fromkeys(tags))


def citation_line(keys: list[str], references: dict) -> str:
    """'Gray 1918; Lifshitz et al. 2020' with links to DOI/URL (Markdown)."""
    parts = []
    for key in keys:
        ref = references.get(key, {})
        url = f"https://doi.org/{ref['doi']}" if ref.get("doi") else ref.get("url")
        short = ref.get("short", key)
        parts.append(f"[{short}]({url})" if url else short)
    return "; ".join(parts)


def question_markdown(number: int, q: dict, course) -> list[str]:
    """The answer-key entry of one question, as Markdown lines."""
    lines = [f"### {number}. `{q['id']}` ({q['type']}, objective `{q['objective']}`)", "",
             q["prompt"].strip(), "", "**Answer:**", "", answer_text(q), "",
             "**Explanation:** " + q["explanation"].strip(), ""]
    tags = distractor_tags(q)
    if tags:
        lines.append("**Misconceptions behind wrong answers:**")
        lines.append("")
        for tag in tags:
            belief = course.misconceptions.get(tag, {}).get("belief", "")
            lines.append(f"- `{tag}`: {belief}")
        lines.append("")
    lines += [f"**Sources:** {citation_line(q['sources'], course.references)}", ""]
    return lines


def answer_key_markdown(course, notebooks=None) -> str:
    """The answer key of the chosen notebooks (all by default) as Markdown."""
    chosen = list(notebooks) if notebooks else list(course.banks)
    unknown = [n for n in chosen if n not in course.banks]
    if unknown:
        raise KeyError(f"no question bank for {', '.join(unknown)}; known: {', '.join(course.banks)}")
    lines = ["# Answer key (for instructors)", ""]
    for name in chosen:
        bank = course.banks[name]
        lines += [f"## {name}: {bank.title}", "", "**Objectives:**", ""]
        lines += [f"- `{o['id']}`: {o['text']}" for o in bank.objectives]
        lines.append("")
        for number, q in enumerate(bank.questions, start=1):
            lines += question_markdown(number, q, course)
    return "\n".join(lines).rstrip() + "\n"


def render_answer_key(course=None, fmt: str = "md", notebooks=None) -> str:
    """The instructor answer key as Markdown (``fmt="md"``) or an HTML page (``fmt="html"``)."""
    if fmt not in ("md", "html"):
        raise ValueError(f"fmt must be 'md' or 'html', not {fmt!r}")
    course = course if course is not None else load_course()
    text = answer_key_markdown(course, notebooks)
    if fmt == "md":
        return text
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Answer key</title></head><body>\n" + render_markdown(text) + "</body></html>\n")
