"""Every notebook has the course's shape, and its stored outputs are sound.

The shape (see docs/lesson-template.md): one title, generated navigation at
top and bottom, objectives from the question bank, numbered sections each tied
to an objective, quizzes placed after the sections they test, key points,
what's next, generated references.  nbval runs the notebooks; these tests read
them.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_notebooks  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.stem.startswith("00-")]
DIAGRAM_CALLS = {"hip_flexion_explorer", "psoas_paradox_explorer", "thomas_test_simulator",
                 "anatomy_explorer", "pain_map", "test_accuracy_explorer", "differential_sorter",
                 "snapping_hip_model", "condition_explorer", "rehab_planner", "prevention_effect"}
COURSE = yaml.safe_load((ROOT / "assets" / "course.yml").read_text(encoding="utf-8"))


def ids(paths):
    return [p.stem for p in paths]


def load(path):
    return nbformat.read(path, as_version=4)


def bank(slug):
    return yaml.safe_load((ROOT / "quizzes" / f"{slug}.yml").read_text(encoding="utf-8"))


def markdown(nb):
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def quiz_calls(nb):
    """Yield (cell index, notebook slug, ids or None) for every show_quiz call."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_quiz":
                slug = ast.literal_eval(node.args[0])
                chosen = None
                for kw in node.keywords:
                    if kw.arg == "ids":
                        chosen = ast.literal_eval(kw.value)
                yield i, slug, chosen


def test_the_course_has_its_first_three_notebooks():
    assert ids(NOTEBOOKS)[:3] == ["00-start-here", "01-anatomy", "02-function"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_is_named_and_listed_in_the_course_map(path):
    assert re.fullmatch(r"\d\d-[a-z0-9-]+", path.stem)
    ready = {les["slug"] for les in COURSE["lessons"] if les["status"] == "ready"}
    assert path.stem in ready
    assert (ROOT / "quizzes" / f"{path.stem}.yml").is_file(), "every notebook has a question bank"


def test_every_ready_lesson_in_the_course_map_has_a_notebook():
    for les in COURSE["lessons"]:
        if les["status"] == "ready":
            assert (ROOT / "notebooks" / f"{les['slug']}.ipynb").is_file(), les["slug"]


def test_generated_parts_are_current():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_notebooks.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_has_one_title_and_navigation_at_top_and_bottom(path):
    nb = load(path)
    titles = [line for src in markdown(nb) for line in src.splitlines() if re.match(r"# \S", line)]
    assert len(titles) == 1, titles
    assert nb.cells[0].source.startswith(sync_notebooks.NAV)
    assert nb.cells[-1].source.startswith(sync_notebooks.NAV)
    assert nb.cells[1].source.startswith("# "), "the title comes right after the navigation"
    assert "[Contents](00-start-here.ipynb#Course-map)" in nb.cells[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_has_objectives_time_and_references(path):
    nb = load(path)
    text = "\n".join(markdown(nb))
    objectives = bank(path.stem)["objectives"]
    assert 1 <= len(objectives) <= 6
    for obj in objectives:
        assert f"`{obj['id']}`" in text
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", text)
    assert "| Concepts | Importance | Notes |" in text
    assert "## References" in text


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_has_three_to_six_objectives_each_assessed_twice(path):
    data = bank(path.stem)
    objectives = [o["id"] for o in data["objectives"]]
    assert 3 <= len(objectives) <= 6
    for obj in objectives:
        count = sum(q["objective"] == obj for q in data["questions"])
        assert count >= 2, f"objective {obj} is assessed by {count} question(s)"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_question_bank_is_big_and_varied(path):
    questions = bank(path.stem)["questions"]
    assert len(questions) >= 12
    assert len({q["type"] for q in questions}) >= 5
    assert any(c.get("misconception") for q in questions for c in q.get("choices", [])) or any(
        q.get("misconception") for q in questions)


def sections(nb):
    """Return [(cell index, number, objective id)] for every '## N. Title' section."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        m = re.match(r"## (\d+)\. \S", cell.source)
        if m:
            obj = re.search(r"^\*Objectives?: `?([a-z0-9-]+)`?", cell.source, re.M)
            found.append((i, int(m.group(1)), obj.group(1) if obj else None))
    return found


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_sections_are_numbered_and_tied_to_objectives(path):
    nb = load(path)
    secs = sections(nb)
    assert [n for _, n, _ in secs] == list(range(1, len(secs) + 1)), "sections numbered 1, 2, 3, ..."
    objectives = {o["id"] for o in bank(path.stem)["objectives"]}
    for _, n, obj in secs:
        assert obj in objectives, f"section {n} names objective {obj!r}, not one of {sorted(objectives)}"
    assert {obj for _, _, obj in secs} == objectives, "every objective has a section"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_question_is_shown_exactly_once(path):
    nb = load(path)
    all_ids = [q["id"] for q in bank(path.stem)["questions"]]
    shown = []
    for _, slug, chosen in quiz_calls(nb):
        assert slug == path.stem, "a notebook shows its own question bank"
        shown += chosen if chosen is not None else all_ids
    assert sorted(shown) == sorted(all_ids)


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_quizzes_follow_the_sections_they_test(path):
    nb = load(path)
    secs = sections(nb)
    questions = {q["id"]: q for q in bank(path.stem)["questions"]}
    calls = list(quiz_calls(nb))
    assert len(calls) >= 3, "quiz cells are spread through the lesson"
    key_points = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Key points"))
    assert sum(i < key_points for i, _, _ in calls) >= 3, "not all quizzes at the end"
    for i, _, chosen in calls:
        assert "Check your understanding" in nb.cells[i - 1].source
        taught_before = {obj for j, _, obj in secs if j < i}
        for qid in chosen or questions:
            assert questions[qid]["objective"] in taught_before, (
                f"question {qid} is shown before its objective's section")


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_ends_with_key_points_and_whats_next(path):
    heads = [c.source.splitlines()[0] for c in load(path).cells if c.cell_type == "markdown" and c.source]
    assert "## Key points" in heads
    assert "## What's next" in heads
    assert heads.index("## Key points") < heads.index("## What's next")


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_has_an_interactive_diagram_and_links_the_red_flags(path):
    nb = load(path)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert any(f"{name}(" in code for name in DIAGRAM_CALLS)
    assert "00-start-here.ipynb#Red-flags" in "\n".join(markdown(nb))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_code_cells_are_short_sentences(path):
    for cell in load(path).cells:
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert 1 <= len(lines) <= 3, cell.source
        for line in lines:
            assert len(line) <= 100, line
            assert not line.lstrip().startswith("#"), "prose belongs in Markdown"
            if line.startswith(("import ", "from ")):
                assert line.startswith("from iliopsoas import"), line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_code_cell_first_imports_what_it_uses(path):
    """So that each cell works alone after a kernel restart (tools/sync_notebooks.py writes the line)."""
    import iliopsoas

    known = set(iliopsoas.__all__)
    cells = [c for c in load(path).cells if c.cell_type == "code"]
    assert cells
    for cell in cells:
        tree = ast.parse(cell.source)
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in known}
        first = cell.source.splitlines()[0]
        assert used, f"a cell that uses nothing from the course: {cell.source!r}"
        assert first == "from iliopsoas import " + ", ".join(sorted(used)), cell.source
        imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert len(imports) == 1 and len(tree.body) > 1, f"one import line, then the call: {cell.source!r}"


def test_the_sync_script_gives_every_cell_its_import_line():
    cell = sync_notebooks.cell_with_imports
    known = {"show_quiz", "anatomy_figure", "pain_map"}
    assert cell('show_quiz("01-anatomy")', known) == 'from iliopsoas import show_quiz\nshow_quiz("01-anatomy")'
    assert cell("from iliopsoas import pain_map\nanatomy_figure()\npain_map()", known) == \
        "from iliopsoas import anatomy_figure, pain_map\nanatomy_figure()\npain_map()"
    assert cell("from iliopsoas import (show_quiz,\n    pain_map)", known) == "", "an import-only cell goes"
    assert cell("x = (", known) is None, "a cell that does not parse is left alone"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from iliopsoas import show_quiz"),
                                         nbformat.v4.new_markdown_cell("text"),
                                         nbformat.v4.new_code_cell('show_quiz("00-start-here")')])
    problems = sync_notebooks.ensure_imports(nb, "x.ipynb")
    assert len(problems) == 2 and [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[1].source == 'from iliopsoas import show_quiz\nshow_quiz("00-start-here")'
    assert sync_notebooks.ensure_imports(nb, "x.ipynb") == [], "running it again changes nothing"
    long = ('show_quiz("02-function", ids=["func-spans-label", "func-fixed-end", "func-situp-curlup",\n'
            '                              "func-front-of-hip", "func-rotation-sources",\n'
            '                              "func-rotation-settled"])')
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(long)])
    sync_notebooks.ensure_imports(nb, "x.ipynb")
    lines = nb.cells[0].source.splitlines()
    assert lines[0] == "from iliopsoas import show_quiz" and len(lines) == 3 and max(map(len, lines)) <= 100
    assert ast.dump(ast.parse(nb.cells[0].source).body[1]) == ast.dump(ast.parse(long).body[0])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_every_code_cell_runs_alone_in_a_fresh_kernel(path, tmp_path, monkeypatch):
    """What a student does after a kernel restart: run one cell, any cell, and nothing else."""
    from nbclient import NotebookClient

    monkeypatch.setenv("ILIOPSOAS_PROGRESS", str(tmp_path / "progress.sqlite3"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    sources = [c.source for c in load(path).cells if c.cell_type == "code"]
    assert sources
    for source in reversed(sources):  # last first: no cell may lean on one above it
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        outputs = nb.cells[0].outputs
        assert outputs, f"{source!r} showed nothing"
        for out in outputs:
            assert out.output_type != "error", f"{source!r}: {out.get('ename')}: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), f"{source!r}: {out.text}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_citations_in_the_prose_are_references(path):
    refs = sync_notebooks.load_references()
    _, unknown = sync_notebooks.cited_keys(sync_notebooks.prose_of(load(path)), refs)
    assert unknown == []


def test_start_notebook_has_disclaimer_red_flags_course_map_and_progress():
    nb = load(ROOT / "notebooks" / "00-start-here.ipynb")
    text = "\n".join(markdown(nb))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "## Education, not diagnosis" in text
    assert "### Red flags: see a clinician" in text
    assert "## Course map" in text and "course_map()" in code
    assert "show_progress()" in code
    types = {q["type"] for q in bank("00-start-here")["questions"]}
    assert len(types) >= 4, types


GLOSSARY_LINK = re.compile(r"\]\(\.\./docs/glossary\.md#([a-z0-9-]+)\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_glossary_links_point_at_entries(path):
    glossary = yaml.safe_load((ROOT / "assets" / "glossary.yml").read_text(encoding="utf-8"))
    for slug in GLOSSARY_LINK.findall("\n".join(markdown(load(path)))):
        assert slug in glossary, f"glossary has no entry {slug!r}"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lesson_adds_its_terms_to_the_glossary(path):
    glossary = yaml.safe_load((ROOT / "assets" / "glossary.yml").read_text(encoding="utf-8"))
    mine = [slug for slug, e in glossary.items() if e.get("lesson") == path.stem]
    assert len(mine) >= 5
    linked = set(GLOSSARY_LINK.findall("\n".join(markdown(load(path)))))
    assert set(mine) <= linked, f"terms introduced but never linked: {sorted(set(mine) - linked)}"


def test_glossary_entries_are_complete():
    refs = sync_notebooks.load_references()
    glossary = yaml.safe_load((ROOT / "assets" / "glossary.yml").read_text(encoding="utf-8"))
    for slug, entry in glossary.items():
        assert slug == sync_notebooks.slugify(slug)
        assert entry["term"] and entry["definition"]
        assert (ROOT / "notebooks" / f"{entry['lesson']}.ipynb").exists(), slug
        for key in entry.get("sources", []):
            assert key in refs, f"glossary {slug}: unknown source {key}"


# Stored outputs: what GitHub, nbviewer and a student who has not run the notebook see.

@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_stored_outputs_are_fresh_and_clean(path):
    nb = load(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.get("outputs"), f"cell {cell.source!r} has no stored output: run tools/execute_notebooks.py"
        for out in cell.outputs:
            assert out.output_type != "error", out
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
            data = out.get("data", {})
            assert "application/vnd.jupyter.widget-view+json" not in data
            assert "VBox(" not in str(data.get("text/plain", ""))
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_stored_quiz_outputs_show_the_current_questions(path):
    nb = load(path)
    questions = {q["id"]: q for q in bank(path.stem)["questions"]}
    for i, _, chosen in quiz_calls(nb):
        html = "".join(out.get("data", {}).get("text/html", "") for out in nb.cells[i].outputs)
        assert html, "a quiz cell stores a static HTML version"
        for qid in chosen or questions:
            assert f"iliopsoas-q-{qid}" in html, f"stored quiz output is stale for {qid}: re-execute"
        # numbered by place in the bank (one "Question 5" per lesson, never a second "Question 1")
        place = {qid: n for n, qid in enumerate(questions, start=1)}
        shown = [int(n) for n in re.findall(r"<strong>Question (\d+)\.</strong>", html)]
        assert shown == [place[qid] for qid in (chosen or questions)], "stale question numbers: re-execute"
