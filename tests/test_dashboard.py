"""The "where you left off" dashboard: counts, latest attempts, misconceptions, reset with confirmation."""
from __future__ import annotations

import re

import pytest
import yaml

from iliopsoas.progress.dashboard import ProgressDashboard, show_progress
from iliopsoas.progress.store import ProgressStore, read_export

START = "00-start-here"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def real_course(monkeypatch):
    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(path):
    return ProgressStore(path)


def bank_size(slug=START) -> int:
    from iliopsoas.paths import quizzes_dir

    return len(yaml.safe_load((quizzes_dir() / f"{slug}.yml").read_text(encoding="utf-8"))["questions"])


def row_cells(html: str, slug=START) -> dict:
    """What the browser test reads: the data attributes of one lesson's row."""
    match = re.search(rf'<tr class="[^"]*iliopsoas-progress-row-{slug}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row for {slug}"
    row = match.group(1)

    def attr(cls, name):
        m = re.search(rf'class="{cls}"[^>]*\b{name}="([^"]*)"', row)
        return m.group(1) if m else None

    return {"answered": int(attr("iliopsoas-progress-answered", "data-answered")),
            "total": int(attr("iliopsoas-progress-answered", "data-total")),
            "right": int(attr("iliopsoas-progress-right", "data-right")),
            "misconceptions": int(attr("iliopsoas-progress-misconceptions", "data-count")),
            "html": row}


def test_counts_answered_total_and_right_per_lesson(store):
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    store.record(START, "start-insertion", True, False, 0.0, ["inserts-greater-trochanter"])
    store.record(START, "start-lumbar-count", "5", True, 1.0, [])
    store.record(START, "start-lumbar-count", "5", True, 1.0, [])  # two attempts, one question
    store.record(START, "no-longer-in-the-bank", 1, True, 1.0, [])
    dash = show_progress(store)
    cells = row_cells(dash.table.value)
    assert cells["answered"] == 3 and cells["total"] == bank_size() and cells["right"] == 2
    assert f"3 / {bank_size()}" in cells["html"]
    (row,) = [r for r in dash.rows if r.slug == START]
    assert row.attempts == 5 and row.last_activity == store.attempts()[-1].timestamp
    assert "not started" not in cells["html"]


def test_an_empty_store_shows_zero_and_not_started(store):
    dash = show_progress(store)
    cells = row_cells(dash.table.value)
    assert (cells["answered"], cells["right"], cells["misconceptions"]) == (0, 0, 0)
    assert "not started" in cells["html"]


def test_right_and_points_follow_the_one_scoring_rule(store):
    """iliopsoas/quiz/scoring.py: right once without seeing the answer is right (1 point on the
    first try, 0.5 after more tries); the answer shown first scores 0."""
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    store.record(START, "start-which-muscles", 1, False, 0.0, ["psoas-minor-always-present"])
    store.record(START, "start-insertion", True, False, 0.0, ["inserts-greater-trochanter"])
    store.record(START, "start-insertion", False, True, 1.0, [])
    store.record(START, "start-lumbar-count", "4", False, 0.0, [])
    store.record_answer_shown(START, "start-lumbar-count")
    store.record(START, "start-lumbar-count", "5", True, 1.0, [])
    cells = row_cells(show_progress(store).table.value)
    assert cells["answered"] == 3 and cells["right"] == 2
    assert 'data-credit="1.5"' in cells["html"] and 'data-shown="1"' in cells["html"]
    assert "1.5 of " in cells["html"] and "1 answer shown" in cells["html"]


def test_misconceptions_appear_with_belief_and_correction_and_disappear_when_fixed(store):
    beliefs = yaml.safe_load(open_misconceptions())
    store.record(START, "start-which-muscles", 1, False, 0.0, ["psoas-minor-always-present"])
    store.record(START, "start-insertion", True, False, 0.0, ["inserts-greater-trochanter"])
    dash = show_progress(store)
    cells = row_cells(dash.table.value)
    assert cells["misconceptions"] == 2
    for tag in ("psoas-minor-always-present", "inserts-greater-trochanter"):
        assert f"iliopsoas-misconception-{tag}" in cells["html"]
        assert escape(beliefs[tag]["belief"]) in cells["html"]
        assert escape(beliefs[tag]["correction"]) in cells["html"]
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    dash.refresh_button.click()
    cells = row_cells(dash.table.value)
    assert cells["misconceptions"] == 1
    assert "iliopsoas-misconception-psoas-minor-always-present" not in cells["html"]
    assert "iliopsoas-misconception-inserts-greater-trochanter" in cells["html"]
    store.record(START, "start-insertion", False, True, 1.0, [])
    dash.refresh()
    cells = row_cells(dash.table.value)
    assert cells["misconceptions"] == 0 and "iliopsoas-misconception-" not in cells["html"]


def open_misconceptions():
    from iliopsoas.paths import quizzes_dir

    return (quizzes_dir() / "misconceptions.yml").read_text(encoding="utf-8")


def escape(text):
    import html

    return html.escape(text)


def test_reset_needs_confirmation_and_cancel_deletes_nothing(store):
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    dash = show_progress(store)
    dash.scope.value = START
    assert dash.confirm_box.layout.display == "none"
    dash.reset_button.click()
    assert dash.confirm_box.layout.display != "none", "the confirmation step is shown"
    assert dash.confirm_button.description == "Yes, delete my answers for 00 · Start here"
    assert "Delete 1 saved answer" in dash.confirm_text.value
    assert dash.reset_button.disabled and dash.scope.disabled
    assert len(store.attempts()) == 1, "Reset… alone deletes nothing"
    dash.cancel_button.click()
    assert dash.confirm_box.layout.display == "none" and not dash.reset_button.disabled
    dash.refresh_button.click()
    assert dash.scope.value == START, "Refresh keeps the chosen lesson"
    assert "Nothing was deleted" in dash.message.value
    assert len(store.attempts()) == 1
    assert dash.confirm_reset() is None, "confirming without asking first does nothing"
    assert len(store.attempts()) == 1


def test_reset_of_one_lesson_writes_a_backup_first_and_says_where(store, path):
    store.record(START, "start-which-muscles", 1, False, 0.0, ["psoas-minor-always-present"])
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    store.record("01-anatomy", "anat-something", 2, True, 1.0, [])
    dash = show_progress(store)
    dash.scope.value = START
    dash.reset_button.click()
    dash.confirm_button.click()
    (backup,) = path.parent.glob("progress-backup-*.json")
    assert str(backup) in dash.message.value and "Deleted 2 saved answers" in dash.message.value
    saved = read_export(backup)
    assert [(a["question_id"], a["answer"], a["correct"]) for a in saved.attempts] == [
        ("start-which-muscles", 1, False), ("start-which-muscles", 0, True)]
    assert [a.notebook for a in store.attempts()] == ["01-anatomy"], "other lessons are kept"
    assert row_cells(dash.table.value)["answered"] == 0, "the table is refreshed"
    assert dash.confirm_box.layout.display == "none"


def test_reset_of_everything_backs_up_every_lesson(store, path):
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    store.record("01-anatomy", "anat-something", 2, True, 1.0, [])
    dash = show_progress(store)
    assert dash.scope.value == "" and dash.scope.options[0] == ("Everything", ""), "the menu shows Everything"
    dash.reset_button.click()
    assert dash.confirm_button.description == "Yes, delete my answers for all lessons"
    result = dash.confirm_reset()
    assert result.deleted == 2 and store.attempts() == []
    assert {a["notebook"] for a in read_export(result.backup).attempts} == {START, "01-anatomy"}


def test_reset_with_nothing_saved_asks_nothing(store):
    dash = show_progress(store)
    assert dash.ask_reset() == 0
    assert dash.confirm_box.layout.display == "none"
    assert "nothing to reset" in dash.message.value


def test_static_html_has_the_table_and_plain_text_is_short(store):
    store.record(START, "start-which-muscles", 0, True, 1.0, [])
    dash = show_progress(store)
    bundle = dash._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle[WIDGET_VIEW]["model_id"] == dash.widget.model_id
    html = bundle["text/html"]
    assert '<table class="iliopsoas-progress-table"' in html and "iliopsoas-progress iliopsoas-static" in html
    assert row_cells(html)["answered"] == 1
    text = bundle["text/plain"]
    assert "VBox" not in text and "1 of" in text and len(text) < 200
    assert "VBox(" not in repr(dash)


def test_widgets_carry_the_dom_classes(store):
    dash = show_progress(store)
    assert "iliopsoas-progress" in dash.widget._dom_classes
    assert "iliopsoas-progress-refresh" in dash.refresh_button._dom_classes
    assert "iliopsoas-progress-reset" in dash.reset_button._dom_classes
    assert dash.reset_button.description == "Reset…"
    assert "iliopsoas-progress-confirm" in dash.confirm_button._dom_classes
    assert "iliopsoas-progress-cancel" in dash.cancel_button._dom_classes
    assert dash.scope.description, "the lesson chooser has a name for screen readers"


def test_store_warnings_are_shown_visibly(tmp_path, monkeypatch):
    bad = tmp_path / "progress.sqlite3"
    bad.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("ILIOPSOAS_PROGRESS", str(bad))
    dash = show_progress()
    assert isinstance(dash, ProgressDashboard)
    assert 'role="alert"' in dash.notice.value and "was damaged" in dash.notice.value
    assert str(bad) in dash.notice.value
    assert "was damaged" in dash.static_html()
