#!/usr/bin/env python3
"""Regenerate the generated parts of the course, or check that they are current.

    python tools/sync_notebooks.py          # rewrite what is out of date
    python tools/sync_notebooks.py --check  # exit 1 and list what is out of date

Generated parts (found again by marker comments, so re-running updates in place):
- every notebook's navigation cells (``<!--NAVIGATION-->``, first and last cell),
- its learning objectives (``<!--OBJECTIVES-->``, from the question bank),
- its references (``<!--REFERENCES-->``, every source cited in its prose, bank and clinical cases),
- the red-flag block (``<!--RED-FLAGS-->``, from assets/red-flags.yml, in every notebook that has the marker),
- ``docs/glossary.md`` from ``assets/glossary.yml``,
- the README's table of contents (between ``<!--TOC-->`` and ``<!--/TOC-->``),
- every code cell's import line (``ensure_imports``): each code cell starts with
  ``from iliopsoas import <what it uses>``, so it works alone after a kernel restart, in any
  order; a cell that only imports from iliopsoas is removed (every cell imports for itself), and a
  ``show_quiz`` cell that the line makes longer than three lines gets its ids refilled.
- every lesson cell protected from accidental deletion and editing (nbformat's ``deletable`` and
  ``editable`` cell metadata, honoured by JupyterLab): a student's own new cells stay editable,
  and a fresh copy of a lesson is one command away (``python3 course.py fresh NN-slug``).
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iliopsoas.course import course_map_markdown, load_lessons, objectives_markdown  # noqa: E402
from iliopsoas.redflags import red_flag_sources, red_flags_markdown  # noqa: E402

NAV = "<!--NAVIGATION-->"
OBJ = "<!--OBJECTIVES-->"
REF = "<!--REFERENCES-->"
RED = "<!--RED-FLAGS-->"
MARKERS = (NAV, OBJ, REF, RED)
CITATION = re.compile(r"\(([^()]*?\b(?:1[89]|20)\d\d[a-z]?)\)")


def load_references() -> dict:
    return yaml.safe_load((ROOT / "assets" / "references.yml").read_text(encoding="utf-8"))


def slugify(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def existing_lessons():
    return [les for les in load_lessons() if les.ready and (ROOT / "notebooks" / les.filename).exists()]


def navigation_markdown(slug: str) -> str:
    lessons = existing_lessons()
    slugs = [les.slug for les in lessons]
    i = slugs.index(slug)
    parts = []
    if i > 0:
        parts.append(f"[← {lessons[i - 1].label}]({lessons[i - 1].filename})")
    parts.append("[Contents](00-start-here.ipynb#Course-map)")
    parts.append("[Glossary](../docs/glossary.md)")
    if i + 1 < len(lessons):
        parts.append(f"[{lessons[i + 1].label} →]({lessons[i + 1].filename})")
    return f"{NAV}\n" + " · ".join(parts)


def prose_of(nb) -> str:
    return "\n".join(
        c.source for c in nb.cells
        if c.cell_type == "markdown" and not c.source.lstrip().startswith(MARKERS)
    )


def cited_keys(prose: str, refs: dict) -> tuple[list[str], list[str]]:
    """Return (keys cited in the prose, citations that match no reference)."""
    by_short = {entry["short"]: key for key, entry in refs.items()}
    keys, unknown = [], []
    for match in CITATION.finditer(prose):
        for part in match.group(1).split(";"):
            part = part.strip()
            if not re.search(r"\b(?:1[89]|20)\d\d", part):
                continue
            key = by_short.get(part)
            if key is None:
                unknown.append(part)
            elif key not in keys:
                keys.append(key)
    return keys, unknown


def bank_sources(slug: str) -> list[str]:
    path = ROOT / "quizzes" / f"{slug}.yml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    keys: list[str] = []
    for q in data.get("questions", []) or []:
        for key in q.get("sources", []) or []:
            if key not in keys:
                keys.append(key)
    return keys


def case_sources(slug: str) -> list[str]:
    """Reference keys cited by the clinical cases of a lesson (quizzes/cases/*.yml with ``notebook: slug``)."""
    keys: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "sources" and isinstance(v, list):
                    keys.extend(x for x in v if isinstance(x, str) and x not in keys)
                else:
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted((ROOT / "quizzes" / "cases").glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue  # the validator reports it
        if isinstance(data, dict) and data.get("notebook") == slug:
            walk(data)
    return keys


def link_of(entry: dict) -> str:
    if entry.get("doi"):
        return f"https://doi.org/{entry['doi']}"
    return entry.get("url", "")


def has_red_flags(nb) -> bool:
    return any(c.cell_type == "markdown" and c.source.lstrip().startswith(RED) for c in nb.cells)


def references_markdown(slug: str, nb, refs: dict) -> str:
    keys, _ = cited_keys(prose_of(nb), refs)
    if has_red_flags(nb):
        keys += [k for k in red_flag_sources() if k not in keys]
    for key in bank_sources(slug) + case_sources(slug):  # clinical cases: lesson 07 (issue 15)
        if key not in keys:
            keys.append(key)
    keys = [k for k in keys if k in refs and k != "course-guide"]
    keys.sort(key=lambda k: refs[k]["short"].lower())
    lines = [REF, "## References", ""]
    for key in keys:
        entry = refs[key]
        link = link_of(entry)
        label = f"doi:{entry['doi']}" if entry.get("doi") else link
        about = f" *{entry['about'].strip()}*" if entry.get("about") else ""
        lines.append(f"- **{entry['short']}**. {entry['citation']}{about} [{label}]({link})")
    if not keys:
        lines.append("This lesson cites no outside sources.")
    return "\n".join(lines)


def generated_cells(slug: str, nb, refs: dict) -> dict[str, str]:
    out = {NAV: navigation_markdown(slug), REF: references_markdown(slug, nb, refs)}
    if has_red_flags(nb):
        out[RED] = red_flags_markdown(marker=RED)
    if (ROOT / "quizzes" / f"{slug}.yml").exists():
        out[OBJ] = f"{OBJ}\n" + objectives_markdown(slug)
    return out


def package_names() -> set[str]:
    """The names a notebook cell may import from the package (``iliopsoas.__all__``)."""
    import iliopsoas

    return set(iliopsoas.__all__)


def _iliopsoas_imports(tree) -> list:
    return [node for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == "iliopsoas" and not node.level]


def import_line(names) -> str:
    return "from iliopsoas import " + ", ".join(sorted(names))


def cell_with_imports(source: str, known: set[str]) -> str | None:
    """The cell's source with ``from iliopsoas import ...`` as its first line, naming every package
    name the cell uses (and any it already imported); "" for a cell that only imports from the
    package (to be removed); None when the cell cannot be parsed (left alone)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    imports = _iliopsoas_imports(tree)
    if imports and len(imports) == len(tree.body):
        return ""
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in known}
    for node in imports:
        used |= {alias.name for alias in node.names if alias.asname is None}
    lines = source.splitlines()
    drop = {n for node in imports for n in range(node.lineno - 1, node.end_lineno)}
    rest = [line for i, line in enumerate(lines) if i not in drop]
    while rest and not rest[0].strip():
        rest.pop(0)
    if not used:
        return "\n".join(rest)
    return "\n".join([import_line(used)] + rest)


MAX_CELL_LINES, MAX_LINE = 3, 100  # docs/lesson-template.md: 1-3 lines of at most 100 characters


def compact_quiz_call(source: str) -> str:
    """A cell ``import line + show_quiz("slug", ids=[...])`` longer than three lines, with the ids
    filled into as few lines of at most 100 characters as they fit (continuation lines indented
    by four spaces); any other cell is returned unchanged."""
    lines = source.splitlines()
    if len(lines) <= MAX_CELL_LINES:
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    body = [node for node in tree.body if not isinstance(node, ast.ImportFrom)]
    if len(body) != 1 or not isinstance(body[0], ast.Expr) or not isinstance(body[0].value, ast.Call):
        return source
    call = body[0].value
    if getattr(call.func, "id", None) != "show_quiz" or len(call.args) != 1 or \
            [k.arg for k in call.keywords] != ["ids"]:
        return source
    try:
        slug, ids = ast.literal_eval(call.args[0]), ast.literal_eval(call.keywords[0].value)
    except ValueError:
        return source
    out, current = [], f'show_quiz("{slug}", ids=['
    for k, qid in enumerate(ids):
        piece = f'"{qid}"' + (", " if k < len(ids) - 1 else "])")
        if len(current) + len(piece.rstrip()) > MAX_LINE and current.strip():
            out.append(current.rstrip())
            current = "    "
        current += piece
    out.append(current.rstrip())
    imports = [line for line in lines if line.startswith("from iliopsoas import")]
    return "\n".join(imports + out)


def ensure_imports(nb, where: str = "") -> list[str]:
    """Make every code cell import what it uses from iliopsoas (first line); remove import-only cells.

    Changes ``nb`` in place; returns one line per change (for ``--check``).
    """
    known = package_names()
    problems, kept = [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            wanted = cell_with_imports(cell.source, known)
            if wanted == "":
                problems.append(f"{where}: cell {i + 1} only imports; every cell imports what it uses, so it goes")
                continue
            if wanted is not None and wanted != cell.source:
                problems.append(f"{where}: cell {i + 1} does not start by importing what it uses")
                cell.source = wanted
            compact = compact_quiz_call(cell.source)
            if compact != cell.source:
                problems.append(f"{where}: cell {i + 1} is longer than {MAX_CELL_LINES} lines; its ids are refilled")
                cell.source = compact
        kept.append(cell)
    nb.cells = kept
    return problems


PROTECTED = {"deletable": False, "editable": False}


def protect_cells(nb) -> int:
    """Mark every cell of a lesson as not deletable and not editable; return how many changed."""
    changed = 0
    for cell in nb.cells:
        if any(cell.metadata.get(k) != v for k, v in PROTECTED.items()):
            cell.metadata.update(PROTECTED)
            changed += 1
    return changed


def sync_notebook(path: Path, refs: dict, check: bool) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    slug = path.stem
    problems = ensure_imports(nb, str(path.relative_to(ROOT)))
    changed = bool(problems)
    wanted = generated_cells(slug, nb, refs)
    unprotected = protect_cells(nb)
    if unprotected:
        problems.append(f"{path.relative_to(ROOT)}: {unprotected} cells not protected (deletable/editable)")
        changed = True
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for marker, text in wanted.items():
            if cell.source.lstrip().startswith(marker) and cell.source != text:
                problems.append(f"{path.relative_to(ROOT)}: {marker} cell is out of date")
                cell.source = text
                changed = True
    if changed and not check:
        nbformat.write(nb, path)
    return problems


def glossary_markdown() -> str:
    path = ROOT / "assets" / "glossary.yml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    refs = load_references()
    lines = [
        "# Glossary",
        "",
        "<!-- Generated from assets/glossary.yml by tools/sync_notebooks.py: edit the YAML, not this file. -->",
        "",
        "Every technical term the lessons introduce, in alphabetical order, with the lesson that introduces it.",
        "",
    ]
    for slug, entry in sorted((entries or {}).items(), key=lambda kv: kv[1]["term"].lower()):
        sources = "; ".join(refs[k]["short"] for k in entry.get("sources", []) if k in refs)
        lesson = entry.get("lesson", "")
        lines.append(f'<a id="{slug}"></a>')
        lines.append(f"**{entry['term']}**: {entry['definition'].strip()}  ")
        meta = f"*Introduced in [{lesson}](../notebooks/{lesson}.ipynb)*" if lesson else ""
        if sources:
            meta += f"{'; ' if meta else ''}*sources: {sources}*"
        lines.append(meta)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def readme_toc() -> str:
    return "<!--TOC-->\n" + course_map_markdown(link_prefix="notebooks/") + "\n<!--/TOC-->"


def sync_text_file(path: Path, new_text: str, check: bool) -> list[str]:
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == new_text:
        return []
    if not check:
        path.write_text(new_text, encoding="utf-8")
    return [f"{path.relative_to(ROOT)} is out of date"]


def sync_readme(check: bool) -> list[str]:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"<!--TOC-->.*?<!--/TOC-->", re.S)
    if not pattern.search(text):
        return ["README.md has no <!--TOC--> ... <!--/TOC--> block"]
    return sync_text_file(path, pattern.sub(lambda _m: readme_toc(), text), check)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report what is out of date")
    args = ap.parse_args(argv)
    refs = load_references()
    problems: list[str] = []
    for les in existing_lessons():
        problems += sync_notebook(ROOT / "notebooks" / les.filename, refs, args.check)
    problems += sync_text_file(ROOT / "docs" / "glossary.md", glossary_markdown(), args.check)
    problems += sync_readme(args.check)
    for p in problems:
        print(p)
    if args.check and problems:
        print("Run: python tools/sync_notebooks.py")
        return 1
    if not args.check:
        print(f"Generated parts are current ({len(problems)} updated).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
