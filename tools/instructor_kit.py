#!/usr/bin/env python3
"""Write the instructor kit (docs/instructors/), or check that it is current.

    python tools/instructor_kit.py           # rewrite docs/instructors/NN-slug.md and README.md
    python tools/instructor_kit.py --check   # exit 1 and list what is out of date or inconsistent

One teaching plan per ready lesson, ``docs/instructors/NN-slug.md``, put together
from the course's own data, never retyped:

- the lesson's title, minutes and summary: ``assets/course.yml``;
- its learning objectives and which misconceptions its questions detect:
  ``quizzes/NN-slug.yml`` (and the clinical cases a notebook shows, ``quizzes/cases/``);
- each misconception's belief, correction and classroom move (``teach``):
  ``quizzes/misconceptions.yml``;
- the numbered sections (``## N. Title``), their objectives, the quiz questions
  and the figure and diagram calls in each: ``notebooks/NN-slug.ipynb``;
- the hand-written part, minutes per section, what to project and where to pause
  and what to ask: ``docs/instructors/plans/NN-slug.yml`` (docs/lesson-template.md).

The check fails when a ready lesson has no plan, a plan's sections are not the
notebook's numbered sections in order, the minutes do not add up to the
lesson's minutes in the course map, a plan projects a figure its section does
not show, a misconception the lesson's questions detect has no ``teach`` line,
or a generated file differs from what the data gives.  A notebook without
numbered sections (the start notebook) is planned by its ``##`` headings.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
KIT = Path("docs") / "instructors"
PLANS = KIT / "plans"
PLAN_SCHEMA = KIT / "plan-schema.json"
NUMBERED = re.compile(r"^##\s+(\d+)\.\s+(.+?)\s*$")
HEADING2 = re.compile(r"^##\s+(?!#)(.+?)\s*$")
OBJECTIVE_LINE = re.compile(r"^\*Objective:\s*`?([\w-]+)`?\s*\*\s*$", re.M)
#: Level-2 headings of every lesson's frame (template), not teaching sections.
FRAME = {"Overview", "Learning objectives", "Key points", "What's next", "References"}


# --------------------------------------------------------------------------- reading the course

def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def figure_functions(root: Path = ROOT) -> set[str]:
    """Names the notebooks may call that draw a figure or diagram (exported from ``iliopsoas.figures``).

    Read from the package's lazy export table in ``iliopsoas/__init__.py`` (its source, so a
    course copy's own package is read, and nothing is imported).
    """
    source = (root / "iliopsoas" / "__init__.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in targets):
                exports = ast.literal_eval(node.value)
                return {name for name, module in exports.items() if module.startswith("iliopsoas.figures")}
    raise RuntimeError("iliopsoas/__init__.py has no _EXPORTS table")


@dataclass
class Call:
    """One call of a course function in a code cell."""

    name: str
    source: str
    args: list = field(default_factory=list)      # literal positional arguments (None where not literal)
    kwargs: dict = field(default_factory=dict)    # literal keyword arguments


def calls_in(code: str) -> list[Call]:
    """The calls of plain names in ``code`` (``show_quiz(...)``, ``pain_map()``), in source order."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            def lit(v):
                try:
                    return ast.literal_eval(v)
                except ValueError:
                    return None
            out.append(((node.lineno, node.col_offset),
                        Call(node.func.id, " ".join(ast.get_source_segment(code, node).split()),
                             [lit(a) for a in node.args],
                             {k.arg: lit(k.value) for k in node.keywords if k.arg})))
    return [call for _, call in sorted(out, key=lambda item: item[0])]


@dataclass
class Section:
    """A teaching section of a notebook: ``## N. Title`` (key N) or, without numbers, ``## Title`` (key Title)."""

    key: object
    title: str
    objectives: list = field(default_factory=list)
    figures: list = field(default_factory=list)      # [(function name, call source or "in case <id>")]
    questions: list = field(default_factory=list)    # question ids shown in the section
    cases: list = field(default_factory=list)        # clinical case ids shown in the section

    @property
    def label(self) -> str:
        return f"{self.key}. {self.title}" if isinstance(self.key, int) else self.title

    def figure_names(self) -> set[str]:
        return {name for name, _ in self.figures}


def notebook_sections(path: Path, bank: dict | None, figures: set[str], root: Path = ROOT) -> list[Section]:
    """The notebook's teaching sections with what each shows (see :class:`Section`).

    The numbered ``## N. Title`` sections when the notebook has any; otherwise every
    ``##`` section except the lesson frame (Overview, Learning objectives, Key points,
    What's next, References).
    """
    nb = nbformat.read(path, as_version=4)
    blocks: list[tuple[str, list]] = []   # (level-2 heading, cells under it)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = HEADING2.match(line)
                if m:
                    blocks.append((m.group(1), []))
        if blocks:
            blocks[-1][1].append(cell)
    numbered = [b for b in blocks if NUMBERED.match("## " + b[0])]
    chosen = numbered if numbered else [b for b in blocks if b[0] not in FRAME]
    all_ids = [q["id"] for q in (bank or {}).get("questions", [])]
    sections = []
    for heading, cells in chosen:
        m = NUMBERED.match("## " + heading)
        sec = Section(int(m.group(1)), m.group(2)) if m else Section(heading, heading)
        for cell in cells:
            if cell.cell_type == "markdown":
                sec.objectives += [o for o in OBJECTIVE_LINE.findall(cell.source) if o not in sec.objectives]
                continue
            for call in calls_in(cell.source):
                if call.name in figures:
                    sec.figures.append((call.name, call.source))
                elif call.name == "show_quiz":
                    ids = call.kwargs.get("ids")
                    sec.questions += list(ids) if isinstance(ids, (list, tuple)) else all_ids
                elif call.name == "show_case" and len(call.args) >= 2 and isinstance(call.args[1], str):
                    sec.cases.append(call.args[1])
                    for name in case_figures(root, call.args[1]) & figures:
                        sec.figures.append((name, f"in case `{call.args[1]}`"))
        sections.append(sec)
    return sections


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def case_file(root: Path, case_id: str) -> Path:
    return root / "quizzes" / "cases" / f"{case_id}.yml"


def case_figures(root: Path, case_id: str) -> set[str]:
    """Figure functions a clinical case's steps show (``figure: {name: pain_map}``)."""
    path = case_file(root, case_id)
    if not path.is_file():
        return set()
    out = set()
    for node in _walk(read_yaml(path)):
        fig = node.get("figure")
        if isinstance(fig, dict) and isinstance(fig.get("name"), str):
            out.add(fig["name"])
        elif isinstance(fig, str):
            out.add(fig)
    return out


def tags_in(node) -> list[str]:
    """Every ``misconception: <tag>`` anywhere in a question (or a case), in order, once each."""
    tags = []
    for d in _walk(node):
        tag = d.get("misconception")
        if isinstance(tag, str) and tag not in tags:
            tags.append(tag)
    return tags


# --------------------------------------------------------------------------- one lesson

@dataclass
class LessonKit:
    slug: str
    title: str
    number: str
    minutes: int
    summary: str
    objectives: list          # [{id, text}]
    sections: list            # [Section]
    plan: dict | None
    question_tags: dict       # question id (or "case <id>") -> [tags]
    misconceptions: dict      # tag -> {belief, correction, teach}
    problems: list            # sentences

    def tags(self) -> list[str]:
        out = []
        for tags in self.question_tags.values():
            out += [t for t in tags if t not in out]
        return out


def plan_problems(plan, schema: dict, where: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(plan), key=lambda e: list(e.path)):
        at = "/".join(str(p) for p in err.path)
        out.append(f"{where}: {at + ': ' if at else ''}{err.message}")
    return out


def lesson_kit(root: Path, lesson: dict, misconceptions: dict, figures: set[str], schema: dict) -> LessonKit:
    slug = lesson["slug"]
    plan_path = root / PLANS / f"{slug}.yml"
    plan_rel = plan_path.relative_to(root).as_posix()
    bank_path = root / "quizzes" / f"{slug}.yml"
    bank = read_yaml(bank_path) if bank_path.is_file() else None
    sections = notebook_sections(root / "notebooks" / f"{slug}.ipynb", bank, figures, root)
    problems = []
    plan = None
    if not plan_path.is_file():
        problems.append(f"{plan_rel}: missing: lesson {slug} is ready (assets/course.yml) but has no teaching plan "
                        "(format: docs/lesson-template.md, 'Evidence language, layout and teaching plans')")
    else:
        plan = read_yaml(plan_path)
        schema_problems = plan_problems(plan, schema, plan_rel)
        problems += schema_problems
        if schema_problems:
            plan = None
    question_tags = {}
    for q in (bank or {}).get("questions", []):
        question_tags[q["id"]] = tags_in(q)
    for sec in sections:
        for case_id in sec.cases:
            path = case_file(root, case_id)
            if path.is_file():
                question_tags[f"case {case_id}"] = tags_in(read_yaml(path))
    kit = LessonKit(slug=slug, title=lesson["title"], number=slug.split("-", 1)[0], minutes=int(lesson["minutes"]),
                    summary=lesson.get("summary", ""), objectives=list((bank or {}).get("objectives", [])),
                    sections=sections, plan=plan, question_tags=question_tags, misconceptions=misconceptions,
                    problems=problems)
    for tag in kit.tags():
        entry = misconceptions.get(tag)
        used_by = [q for q, tags in question_tags.items() if tag in tags]
        if entry is None:
            problems.append(f"quizzes/misconceptions.yml: {tag!r} (used by {', '.join(used_by)} of {slug}) is not defined")
        elif not str(entry.get("teach") or "").strip():
            problems.append(f"quizzes/misconceptions.yml: {tag!r} has no 'teach' line (a classroom move), and "
                            f"{slug}'s questions detect it ({', '.join(used_by)})")
    if plan is not None:
        if plan.get("lesson") != slug:
            problems.append(f"{plan_rel}: 'lesson' is {plan.get('lesson')!r}, expected {slug!r}")
        want = [s.key for s in sections]
        got = [entry["section"] for entry in plan["sections"]]
        if got != want:
            problems.append(f"{plan_rel}: sections {got} do not match the notebook's "
                            f"{'numbered ' if want and isinstance(want[0], int) else ''}sections {want} "
                            f"(notebooks/{slug}.ipynb), one entry each, in order")
        total = sum(entry["minutes"] for entry in plan["sections"])
        if total != kit.minutes:
            problems.append(f"{plan_rel}: the sections' minutes add up to {total}, but the lesson takes "
                            f"{kit.minutes} minutes in assets/course.yml")
        by_key = {s.key: s for s in sections}
        for entry in plan["sections"]:
            project = entry.get("project")
            sec = by_key.get(entry["section"])
            if project is None or sec is None:
                continue
            if project not in figures:
                problems.append(f"{plan_rel}: section {entry['section']}: project {project!r} is not a figure or "
                                f"diagram of the course ({', '.join(sorted(figures))})")
            elif project not in sec.figure_names():
                shown = ", ".join(sorted(sec.figure_names())) or "none"
                problems.append(f"{plan_rel}: section {entry['section']}: project {project!r} is not shown in that "
                                f"section of the notebook (it shows: {shown})")
    return kit


# --------------------------------------------------------------------------- writing

def md_cell(text: str) -> str:
    """Text for a Markdown table cell (one line, pipes escaped)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def clock(minute: int) -> str:
    return f"{minute // 60}:{minute % 60:02d}" if minute >= 60 else f"{minute}"


def lesson_markdown(kit: LessonKit) -> str:
    slug = kit.slug
    plan_entries = {e["section"]: e for e in (kit.plan or {}).get("sections", [])}
    objective_text = {o["id"]: o["text"] for o in kit.objectives}
    lines = [
        f"<!-- Generated by tools/instructor_kit.py from assets/course.yml, quizzes/{slug}.yml, "
        f"quizzes/misconceptions.yml, notebooks/{slug}.ipynb and docs/instructors/plans/{slug}.yml. "
        "Do not edit: change those files and run `python tools/instructor_kit.py`. -->",
        f"# Teaching plan: {kit.number} · {kit.title}",
        "",
        f"**Class time:** {kit.minutes} minutes. **Notebook:** "
        f"[`notebooks/{slug}.ipynb`](../../notebooks/{slug}.ipynb). **Questions:** "
        f"{len(kit.question_tags) - sum(1 for q in kit.question_tags if q.startswith('case '))} in "
        f"[`quizzes/{slug}.yml`](../../quizzes/{slug}.yml) "
        f"(answers: `python -m iliopsoas answer-key --notebook {slug}`).",
        "",
        f"{kit.summary}",
        "",
        "**Link for the class** (students open the lesson in their own copy on your JupyterHub):",
        "",
        "```bash",
        f"python -m iliopsoas hub-link --hub https://hub.example.edu --notebook {slug}",
        "```",
        "",
        "## Learning objectives",
        "",
    ]
    lines += [f"- `{o['id']}`: {md_cell(o['text'])}" for o in kit.objectives] or ["- (none in the bank)"]
    lines += ["", "## Timeline", "", "| Minutes | Section | Objective | Project | Questions |", "|---|---|---|---|---|"]
    start = 0
    for sec in kit.sections:
        entry = plan_entries.get(sec.key, {})
        minutes = entry.get("minutes", 0)
        project = f"`{entry['project']}`" if entry.get("project") else ""
        lines.append(f"| {clock(start)}–{clock(start + minutes)} | {md_cell(sec.label)} | "
                     f"{', '.join(f'`{o}`' for o in sec.objectives)} | {project} | {len(sec.questions)} |")
        start += minutes
    lines += ["", "## Section by section", ""]
    start = 0
    for sec in kit.sections:
        entry = plan_entries.get(sec.key, {})
        minutes = entry.get("minutes", 0)
        lines += [f"### {sec.label}", "",
                  f"*{minutes} minute{'s' if minutes != 1 else ''} ({clock(start)}–{clock(start + minutes)} "
                  "into the lesson).*", ""]
        start += minutes
        for obj in sec.objectives:
            lines.append(f"- **Objective** `{obj}`: {md_cell(objective_text.get(obj, '(not in the bank)'))}")
        def shown(figures):
            return "; ".join(f"`{name}` {src}" if src.startswith("in case") else f"`{src}`" for name, src in figures)

        if entry.get("project"):
            lines.append(f"- **Project:** {shown([f for f in sec.figures if f[0] == entry['project']])}")
        if sec.figures:
            lines.append(f"- **Figures and diagrams in the notebook here:** {shown(sec.figures)}")
        if entry.get("pause"):
            lines.append(f"- **Pause and ask:** {md_cell(entry['pause'])}")
        if sec.cases:
            lines.append(f"- **Clinical cases:** {', '.join(f'`{c}`' for c in sec.cases)}")
        if sec.questions:
            lines.append(f"- **Questions ({len(sec.questions)}):** {', '.join(f'`{q}`' for q in sec.questions)}")
        tags = []
        for item in sec.questions + [f"case {c}" for c in sec.cases]:
            tags += [t for t in kit.question_tags.get(item, []) if t not in tags]
        if tags:
            lines.append("- **Misconceptions these detect:** " + ", ".join(f"[`{t}`](#{t})" for t in tags))
        if lines[-1]:
            lines.append("")
    lines += ["## Misconceptions the lesson's questions detect", ""]
    tags = kit.tags()
    if not tags:
        lines += ["None of this lesson's questions is tagged with a misconception.", ""]
    for tag in tags:
        entry = kit.misconceptions.get(tag, {})
        used = [q for q, t in kit.question_tags.items() if tag in t]
        lines += [
            f"### {tag}",
            "",
            f"- **Students may believe:** {md_cell(entry.get('belief', ''))}",
            f"- **Correction:** {md_cell(entry.get('correction', ''))}",
            f"- **In class:** {md_cell(entry.get('teach', ''))}",
            f"- **Detected by:** {', '.join(f'`{q}`' for q in used)}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def index_markdown(kits: list[LessonKit]) -> str:
    total = sum(k.minutes for k in kits)
    lines = [
        "<!-- Generated by tools/instructor_kit.py from the course's data. Do not edit: run "
        "`python tools/instructor_kit.py`. -->",
        "# Instructor kit",
        "",
        "One teaching plan per lesson: timings per section, what to put on the projector, where to pause "
        "and what to ask, the learning objectives, and the misconceptions the lesson's questions detect "
        "with a classroom move for each. The objectives, sections, timings, figures and misconceptions "
        "are generated from the course's data (`assets/course.yml`, the question banks, "
        "`quizzes/misconceptions.yml`, the notebooks); the hand-written part of each plan is "
        "`docs/instructors/plans/NN-slug.yml` (format: [docs/lesson-template.md](../lesson-template.md)). "
        "`tests/test_instructor_kit.py` fails when a plan is missing, its sections or minutes disagree "
        "with the notebook and the course map, or a file here is out of date.",
        "",
        "| # | Lesson | Minutes | Sections | Questions | Misconceptions detected |",
        "|---|---|---|---|---|---|",
    ]
    for k in kits:
        questions = sum(1 for q in k.question_tags if not q.startswith("case "))
        lines.append(f"| {k.number} | [{md_cell(k.title)}]({k.slug}.md) | {k.minutes} | {len(k.sections)} | "
                     f"{questions} | {len(k.tags())} |")
    lines += [
        "",
        f"Together: {total} minutes of class.",
        "",
        "## Before class",
        "",
        "- **A link per lesson.** `python -m iliopsoas hub-link --hub https://your-hub.example.edu --notebook "
        "01-anatomy` prints an nbgitpuller link: each student who opens it gets their own copy of the course "
        "in their home folder and the lesson opens in JupyterLab. Clicking it again later brings your "
        "corrections and keeps the student's work. See the README, *For instructors*.",
        "- **The answer key.** `python -m iliopsoas answer-key --format html --output answer-key.html`.",
        "- **After class.** Students hand in `python -m iliopsoas progress export --student \"Name\" --output "
        "me.json`; `python -m iliopsoas gradebook exports/*.json --output grades.csv --misconceptions "
        "misconceptions.csv` counts how many students hold each misconception, which points at the "
        "*In class* move to repeat next time.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the kit

def ready_lessons(root: Path) -> list[dict]:
    course = read_yaml(root / "assets" / "course.yml")
    return [les for les in course["lessons"]
            if les.get("status") == "ready" and (root / "notebooks" / f"{les['slug']}.ipynb").is_file()]


def build(root: Path = ROOT) -> tuple[dict[Path, str], list[str]]:
    """Every generated file (path relative to ``root`` -> text) and every problem found (sentences)."""
    root = Path(root)
    misconceptions = read_yaml(root / "quizzes" / "misconceptions.yml") or {}
    figures = figure_functions(root)
    schema = json.loads((ROOT / PLAN_SCHEMA).read_text(encoding="utf-8"))
    kits = [lesson_kit(root, les, misconceptions, figures, schema) for les in ready_lessons(root)]
    problems = [p for k in kits for p in k.problems]
    ready = {k.slug for k in kits}
    for path in sorted((root / PLANS).glob("*.yml")):
        if path.stem not in ready:
            problems.append(f"{path.relative_to(root).as_posix()}: no ready lesson {path.stem!r} in assets/course.yml "
                            "(a plan for a planned lesson waits until the lesson is ready)")
    files = {KIT / f"{k.slug}.md": lesson_markdown(k) for k in kits}
    files[KIT / "README.md"] = index_markdown(kits)
    return files, problems


def stale(root: Path, files: dict[Path, str]) -> list[str]:
    """Generated files that are missing or differ, and old generated lesson files no lesson gives."""
    out = []
    for rel, text in files.items():
        path = root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            out.append(f"{rel.as_posix()}: out of date (run python tools/instructor_kit.py)")
    for path in sorted((root / KIT).glob("*.md")):
        if path.relative_to(root) not in files:
            out.append(f"{path.relative_to(root).as_posix()}: no ready lesson gives it (remove it, or run "
                       "python tools/instructor_kit.py)")
    return out


def check(root: Path = ROOT) -> list[str]:
    """Every problem of the kit at ``root``: inconsistent plans and out-of-date generated files."""
    files, problems = build(root)
    return problems + stale(Path(root), files)


def write(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """Write the generated files; returns (files written, problems). Nothing is written when there are problems."""
    root = Path(root)
    files, problems = build(root)
    if problems:
        return [], problems
    written = []
    for rel, text in files.items():
        path = root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(rel.as_posix())
    for path in sorted((root / KIT).glob("*.md")):
        if path.relative_to(root) not in files:
            path.unlink()
            written.append(f"{path.relative_to(root).as_posix()} (removed)")
    return written, []


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only report what is out of date or inconsistent")
    ap.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.check:
        problems = check(args.root)
        for p in problems:
            print(p)
        return 1 if problems else 0
    written, problems = write(args.root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s): nothing written.")
        return 1
    for w in written:
        print(f"wrote {w}")
    if not written:
        print("the instructor kit is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
