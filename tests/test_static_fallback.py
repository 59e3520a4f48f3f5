"""A quiz in a notebook that is executed and converted to HTML (as GitHub,
nbviewer and nbconvert show it) appears as static questions, not "VBox(...)"."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent


def test_executed_quiz_converts_to_static_html(tmp_path, monkeypatch):
    monkeypatch.setenv("ILIOPSOAS_PROGRESS", str(tmp_path / "progress.sqlite3"))
    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Quiz"),
                nbformat.v4.new_code_cell('from iliopsoas import show_quiz\nshow_quiz("00-start-here")')]
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}, store_widget_state=False)
    client.execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    data = outputs[0]["data"]
    assert "text/html" in data and "VBox(" not in data["text/plain"]

    html, _ = HTMLExporter().from_notebook_node(nb)
    bank = yaml.safe_load((ROOT / "quizzes" / "00-start-here.yml").read_text(encoding="utf-8"))
    first = bank["questions"][0]
    assert "What can this course do for you?" in first["prompt"]
    assert "What can this course do for you?" in html
    for q in bank["questions"]:
        assert f"iliopsoas-q-{q['id']}" in html
    assert "Show answer" in html
    assert "VBox(" not in html
    assert "Traceback" not in html


def test_course_tables_are_left_aligned_in_jupyterlab():
    """JupyterLab right-aligns table cells in HTML output; course tables style every cell."""
    from iliopsoas import course_map
    from iliopsoas.progress.dashboard import show_progress
    from iliopsoas.progress.store import ProgressStore

    for html in (course_map()._repr_html_(), show_progress(store=ProgressStore(None))._repr_mimebundle_()["text/html"]):
        cells = re.findall(r"<t[dh][\s>][^>]*>?", html)
        assert cells
        assert all("text-align:left" in c for c in cells), [c for c in cells if "text-align:left" not in c][:3]


def test_jupyter_nbconvert_execute_of_a_lesson_keeps_the_static_version(tmp_path):
    """How instructors make handouts: `jupyter nbconvert --to html --execute`, a real run.

    nbconvert shows a widget view only when the notebook saved the widget's state, which
    --execute does by default; the page then needs scripts from a CDN and shows no question text
    outside them.  The course's jupyter_nbconvert_config.json (installed into the environment's
    etc/jupyter) turns that off, so each output's static text/html is used, as in the stored notebook.
    """
    import os
    import subprocess
    import sys
    from html.parser import HTMLParser

    jupyter = Path(sys.executable).parent / "jupyter"
    env = dict(os.environ, ILIOPSOAS_PROGRESS=str(tmp_path / "progress.sqlite3"))
    result = subprocess.run([str(jupyter), "nbconvert", "--to", "html", "--execute",
                             str(ROOT / "notebooks" / "00-start-here.ipynb"), "--output-dir", str(tmp_path)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tmp_path / "00-start-here.html").read_text(encoding="utf-8")

    class Visible(HTMLParser):
        """The text a reader sees with scripts off: everything outside <script> and <style>."""

        def __init__(self):
            super().__init__()
            self.skip, self.parts = 0, []

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style") and self.skip > 0

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    reader = Visible()
    reader.feed(page)
    visible = " ".join(" ".join(reader.parts).split())
    bank = yaml.safe_load((ROOT / "quizzes" / "00-start-here.yml").read_text(encoding="utf-8"))
    for q in bank["questions"]:
        assert f"iliopsoas-q-{q['id']}" in page
        first_words = " ".join(re.sub(r"[*_`]", "", q["prompt"]).split()[:6])
        assert first_words in visible, f"{q['id']}: question text not readable without scripts"
    assert "Where you left off" in visible, "the progress table is there as text too"
    assert "application/vnd.jupyter.widget-view+json" not in page
    assert "unpkg.com" not in page and "@jupyter-widgets/html-manager" not in page, "no widget scripts from a CDN"
    assert "VBox(" not in page and "Traceback" not in page
