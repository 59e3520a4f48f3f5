"""The course map: lessons in order, with titles, time estimates and status.

Read from ``assets/course.yml``.  Used by the start notebook, the navigation
generator (``tools/sync_notebooks.py``) and the README's table of contents.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

import yaml

from .paths import assets_dir, notebooks_dir


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course map."""

    slug: str
    title: str
    minutes: int
    summary: str
    status: str  # "ready" or "planned"

    @property
    def number(self) -> str:
        return self.slug.split("-", 1)[0]

    @property
    def filename(self) -> str:
        return f"{self.slug}.ipynb"

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    @property
    def label(self) -> str:
        return f"{self.number} · {self.title}"


@lru_cache(maxsize=1)
def load_lessons() -> tuple[Lesson, ...]:
    """Return every lesson of ``assets/course.yml`` in course order."""
    path = assets_dir() / "course.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lessons = []
    for entry in data["lessons"]:
        lessons.append(
            Lesson(
                slug=entry["slug"],
                title=entry["title"],
                minutes=int(entry["minutes"]),
                summary=entry["summary"],
                status=entry.get("status", "planned"),
            )
        )
    return tuple(lessons)


def ready_lessons() -> list[Lesson]:
    """Lessons whose notebook exists and is marked ready."""
    return [les for les in load_lessons() if les.ready and (notebooks_dir() / les.filename).exists()]


def course_map_markdown(link_prefix: str = "") -> str:
    """The course map as a Markdown table (used in the README)."""
    rows = ["| # | Lesson | Time | What you learn |", "|---|---|---|---|"]
    for les in load_lessons():
        name = f"[{les.title}]({link_prefix}{les.filename})" if les.ready else f"{les.title} *(coming soon)*"
        rows.append(f"| {les.number} | {name} | {les.minutes} min | {les.summary} |")
    total = sum(les.minutes for les in load_lessons())
    ready = sum(les.minutes for les in load_lessons() if les.ready)
    rows.append("")
    rows.append(f"Ready now: about {ready} minutes of the {total} planned.")
    return "\n".join(rows)


class _HTML:
    """Display helper: HTML with a plain-text fallback."""

    def __init__(self, html_text: str, text: str):
        self._html = html_text
        self._text = text

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return self._text


def course_map() -> _HTML:
    """Show the course map as a table with links to the lessons that are ready."""
    rows = []
    for les in load_lessons():
        title = html.escape(les.title)
        if les.ready:
            title = f'<a href="{html.escape(les.filename)}">{title}</a>'
        else:
            title += " <em>(coming soon)</em>"
        rows.append(
            f"<tr><td>{les.number}</td><td>{title}</td><td>{les.minutes}&nbsp;min</td>"
            f"<td>{html.escape(les.summary)}</td></tr>"
        )
    from .display import plain_table_cells

    table = plain_table_cells(
        '<table class="iliopsoas-course-map"><thead><tr><th>#</th><th>Lesson</th>'
        "<th>Time</th><th>What you learn</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    return _HTML(table, course_map_markdown())


def objectives_markdown(notebook: str) -> str:
    """The learning objectives of a notebook's question bank, as Markdown."""
    path = assets_dir().parent / "quizzes" / f"{notebook}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = ["## Learning objectives", "", "By the end of this lesson you should be able to:", ""]
    for obj in data.get("objectives", []):
        lines.append(f"- {obj['text']} *(objective `{obj['id']}`)*")
    return "\n".join(lines)


def show_objectives(notebook: str) -> _HTML:
    """Show a notebook's learning objectives (from its question bank)."""
    from .markdown import render_markdown

    md = objectives_markdown(notebook)
    return _HTML(render_markdown(md), md)
