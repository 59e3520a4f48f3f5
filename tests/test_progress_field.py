"""The progress store in the field: no home folder, a read-only home or progress file, a damaged
file's warning given once, and answers brought back (``restore``) without duplicates.

Permission cases run as an unprivileged user (tests/system_users.py): root ignores permissions.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest

from iliopsoas.progress import store as progress
from iliopsoas.progress.store import (ExportError, NoHomeError, ProgressError, ProgressStore, export_json,
                                      get_store, merge_attempts, read_attempts_file, read_export)
from system_users import python, shared_tmp_dir

ROOT = Path(__file__).resolve().parent.parent
NB = "00-start-here"
START_IDS = ["start-what-course-does", "start-answer-steps", "start-which-muscles", "start-origins",
             "start-insertion", "start-lumbar-count"]


@pytest.fixture
def shared(tmp_path):
    """A folder the restricted user can read (and, where a test says so, write)."""
    folder = shared_tmp_dir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def fill(path: Path, n: int = 6) -> ProgressStore:
    store = ProgressStore(path)
    for qid in START_IDS[:n]:
        store.record(NB, qid, 0, True, 1.0, [])
    return store


# --------------------------------------------------------------------------- 1. no home folder

NO_HOME_PROBE = textwrap.dedent("""
    import json, os, sys
    os.chdir(sys.argv[1] if len(sys.argv) > 1 else "/")
    from iliopsoas.progress.store import get_store, default_path, NoHomeError
    out = {}
    try:
        default_path()
        out["default_path"] = "no error"
    except NoHomeError as exc:
        out["default_path"] = str(exc)
    store = get_store()
    out["in_memory"] = store.in_memory
    out["warnings"] = store.warnings
    out["attempt"] = store.record("00-start-here", "start-insertion", 0, True, 1.0).attempt
    from iliopsoas import show_progress
    board = show_progress()
    out["board_warnings"] = board.warnings
    out["board_text"] = board.text()
    from iliopsoas import show_quiz
    quiz = show_quiz("00-start-here")
    out["quiz"] = type(quiz).__name__
    print(json.dumps(out))
""")


def test_no_home_folder_gives_memory_and_one_clear_message_everywhere(shared):
    """A numeric user with no HOME (docker --user): quizzes, show_progress() and the store all fall
    back to memory with the same message naming ILIOPSOAS_PROGRESS, and nothing raises."""
    env = {"ILIOPSOAS_COURSE_ROOT": str(ROOT), "ILIOPSOAS_PROGRESS": None}
    result = python(NO_HOME_PROBE, env=env, no_home=True, cwd=shared)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert "set the environment variable ILIOPSOAS_PROGRESS" in out["default_path"]
    assert out["in_memory"] is True and out["attempt"] == 1
    (warning,) = out["warnings"]
    assert "will not be saved" in warning and "ILIOPSOAS_PROGRESS=" in warning and "no home folder" in warning
    assert out["board_warnings"] == out["warnings"], "the dashboard shows the same message"
    assert out["quiz"] == "Quiz"


def test_a_read_only_home_is_never_suggested(shared):
    """HOME exists but cannot be written: the advice names a file elsewhere, never inside HOME."""
    home = shared / "home"
    home.mkdir()
    home.chmod(0o555)
    code = textwrap.dedent("""
        import json
        from iliopsoas.progress.store import get_store, suggested_path
        store = get_store()
        print(json.dumps({"memory": store.in_memory, "warnings": store.warnings,
                          "suggested": str(suggested_path())}))
    """)
    result = python(code, env={"HOME": str(home), "ILIOPSOAS_COURSE_ROOT": str(ROOT), "ILIOPSOAS_PROGRESS": None},
                    cwd=home)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["memory"] is True
    (warning,) = out["warnings"]
    advice = warning.split("To fix it,", 1)[1]
    assert "ILIOPSOAS_PROGRESS=" in advice
    assert str(home) not in advice, "the advice must not name a file inside the read-only home"
    assert not out["suggested"].startswith(str(home))


def test_a_progress_file_in_a_folder_the_user_cannot_enter_falls_back_with_advice(shared):
    locked = shared / "locked"
    locked.mkdir()
    locked.chmod(0o000)  # the restricted user may not enter it
    target = locked / "progress.sqlite3"
    code = textwrap.dedent("""
        import json
        from iliopsoas.progress.store import get_store
        store = get_store()
        print(json.dumps({"memory": store.in_memory, "warnings": store.warnings}))
    """)
    try:
        result = python(code, env={"ILIOPSOAS_PROGRESS": str(target), "ILIOPSOAS_COURSE_ROOT": str(ROOT)},
                        cwd=shared)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["memory"] is True
    (warning,) = out["warnings"]
    assert str(target) in warning and "cannot be reached" in warning and "ILIOPSOAS_PROGRESS=" in warning


def test_default_path_without_a_home_raises_no_home_error(monkeypatch):
    import pwd

    monkeypatch.delenv("ILIOPSOAS_PROGRESS", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)

    def no_entry(uid):
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    with pytest.raises(NoHomeError, match="ILIOPSOAS_PROGRESS"):
        progress.default_path()
    monkeypatch.setenv("ILIOPSOAS_PROGRESS", "~/progress.sqlite3")
    with pytest.raises(NoHomeError, match="starts with ~"):
        progress.default_path()
    store = ProgressStore("~/progress.sqlite3")
    assert store.in_memory and "starts with ~" in store.warnings[0] and "ILIOPSOAS_PROGRESS" in store.warnings[0]
    with pytest.raises(NoHomeError):
        ProgressStore("~/progress.sqlite3", readonly=True)
    assert all(isinstance(d, Path) for d in ProgressStore(None).backup_dirs()), "backups still find a folder"
    monkeypatch.setattr(progress, "_STORE", None)
    monkeypatch.delenv("ILIOPSOAS_PROGRESS")
    store = get_store()
    assert store.in_memory and "ILIOPSOAS_PROGRESS" in store.warnings[0]
    assert get_store() is store, "one store (and one warning) per kernel"


# --------------------------------------------------------------------------- 2. a read-only progress file

READ_ONLY_PROBE = textwrap.dedent("""
    import json, sys
    from iliopsoas.progress.store import ProgressStore
    from iliopsoas.quiz.widgets import Quiz, show_quiz
    store = ProgressStore(sys.argv[1])
    out = {"readonly": store.readonly, "reason": store.read_only_reason, "memory": store.in_memory,
           "path": str(store.path), "saved": len(store.attempts()), "warnings": store.warnings}
    quiz = show_quiz("00-start-here", store=store)
    out["score"] = quiz.score.value
    out["new"] = store.record("00-start-here", "start-insertion", 1, False, 0.0).attempt
    out["after"] = len(store.attempts())
    try:
        store.reset()
        out["reset"] = "deleted"
    except Exception as exc:
        out["reset"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out))
""")


@pytest.mark.parametrize("case", ["file-read-only", "folder-read-only"])
def test_a_read_only_file_shows_its_answers_and_says_new_ones_are_not_kept(shared, case):
    folder = shared / "data"
    folder.mkdir()
    path = folder / "progress.sqlite3"
    fill(path)
    before = path.read_bytes()
    path.chmod(0o444 if case == "file-read-only" else 0o644)
    folder.chmod(0o555 if case == "folder-read-only" else 0o777)
    script = shared / "probe.py"
    script.write_text(READ_ONLY_PROBE, encoding="utf-8")
    try:
        result = python(f"import runpy, sys; sys.argv = ['probe', {str(path)!r}]; runpy.run_path({str(script)!r})",
                        env={"ILIOPSOAS_COURSE_ROOT": str(ROOT)})
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["readonly"] is True and out["memory"] is False and out["path"] == str(path)
    assert out["reason"], "the store says why it cannot write"
    assert out["saved"] == 6, "the saved answers are read, not an empty memory store"
    assert "6 / 6" in out["score"], out["score"]
    (warning,) = out["warnings"]
    assert str(path) in warning and "saved answers are shown" in warning and "will not be kept" in warning
    assert out["new"] == 2 and out["after"] == 7, "a direct record is kept in memory after the saved ones"
    assert out["reset"].startswith("ProgressError") and "nothing was deleted" in out["reset"]
    assert path.read_bytes() == before, "the file is left exactly as it was"


def test_a_store_that_cannot_write_falls_back_to_reading_in_process(tmp_path, monkeypatch):
    """The same behaviour without changing user: the first write is refused as by a read-only file."""
    path = tmp_path / "progress.sqlite3"
    fill(path, 3)

    def refuse(self, _path):
        exc = sqlite3.OperationalError("attempt to write a readonly database")
        exc.sqlite_errorname = "SQLITE_READONLY"
        raise exc

    monkeypatch.setattr(ProgressStore, "_initialize", refuse)
    store = ProgressStore(path)
    assert store.readonly and store.path == path and not store.in_memory
    assert "readonly" in store.read_only_reason or "read-only" in store.read_only_reason
    assert [a.question_id for a in store.attempts()] == START_IDS[:3]
    assert store.record(NB, START_IDS[0], 5, True, 1.0).attempt == 2
    assert len(ProgressStore(path, readonly=True).attempts()) == 3, "nothing written to the file"


def test_an_empty_read_only_file_is_a_plain_memory_fall_back(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"")

    def refuse(self, _path):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(ProgressStore, "_initialize", refuse)
    store = ProgressStore(path)
    assert store.in_memory and not store.readonly and "will not be saved" in store.warnings[0]


# --------------------------------------------------------------------------- 3. warnings once, restore

def test_a_damaged_files_warning_names_the_restore_command_and_is_shown_once(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"not a database" * 100)
    store = ProgressStore(path)
    (warning,) = store.warnings
    (moved,) = store.moved_aside
    assert f"python -m iliopsoas progress restore {moved}" in warning
    from iliopsoas.quiz.widgets import show_quiz

    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)
    first, second = show_quiz(NB, store=store), show_quiz("01-anatomy", store=store)
    assert warning in first.notice.value, "the first quiz shows it where the student looks"
    assert warning not in second.notice.value, "and no other quiz repeats it"
    view = next(iter(first.views.values()))
    assert warning not in view.feedback.value


def attempt(qid, when, answer=0, correct=True, kind="answer", n=1):
    return {"notebook": NB, "question_id": qid, "answer": answer, "correct": correct, "score": float(correct),
            "attempt": n, "timestamp": when, "misconceptions": [], "kind": kind}


def test_merge_attempts_drops_duplicates_and_numbers_again_by_time():
    mine = [attempt("start-insertion", "2026-11-20T10:00:00.000+00:00", 1, False, n=1),
            attempt("start-insertion", "2026-11-22T10:00:00.000+00:00", 2, True, n=2)]
    theirs = [attempt("start-insertion", "2026-11-20T10:00:00Z", 1, False, n=7),     # same instant, other spelling
              attempt("start-insertion", "2026-11-21T10:00:00.000+00:00", 3, False, n=1),
              attempt("start-insertion", "2026-11-21T10:00:00.000+00:00", 3, False, n=1),  # twice in one file
              attempt("start-insertion", "2026-11-21T10:00:00.000+00:00", 3, False, kind="answer-shown")]
    merged, added, duplicates = merge_attempts(mine, theirs)
    assert (added, duplicates) == (2, 2)
    assert [(a["attempt"], a["answer"], a["kind"]) for a in merged] == [
        (1, 1, "answer"), (2, 3, "answer"), (3, 3, "answer-shown"), (4, 2, "answer")]
    assert [a.get("_new", False) for a in merged] == [False, True, True, False]


def test_restore_from_a_reset_backup_merges_without_duplicates_after_a_backup(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = fill(path, 4)
    result = store.reset()
    assert result.deleted == 4 and result.backup.exists()
    store.record(NB, START_IDS[0], 1, False, 0.0)          # answered again after the reset
    restored = store.restore(read_attempts_file(result.backup).attempts)
    assert (restored.added, restored.duplicates) == (4, 0)
    assert restored.backup is not None and read_export(restored.backup).attempts[0]["answer"] == 1
    again = store.restore(read_attempts_file(result.backup).attempts)
    assert (again.added, again.duplicates, again.backup) == (0, 4, None), "restoring twice adds nothing"
    got = [(a.question_id, a.attempt, a.answer) for a in store.attempts(question_id=START_IDS[0])]
    assert sorted(got, key=lambda t: t[1]) == [(START_IDS[0], 1, 0), (START_IDS[0], 2, 1)], \
        "the older, restored answer comes first; numbers follow time"
    assert len(store.attempts()) == 5


def test_restore_is_one_transaction_nothing_changes_if_the_backup_fails(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    store = fill(path, 2)
    doc = store.export("Ann")
    store.reset(backup=False)
    store.record(NB, START_IDS[5], 0, True, 1.0)

    def no_backup(self, _doc):
        raise ProgressError("A backup of the answers could not be written anywhere, so nothing was restored.")

    monkeypatch.setattr(ProgressStore, "_write_backup", no_backup)
    with pytest.raises(ProgressError, match="nothing was restored"):
        store.restore(doc["attempts"])
    assert [a.question_id for a in store.attempts()] == [START_IDS[5]]


def test_a_moved_aside_damaged_file_can_be_read_back(tmp_path):
    """Rows of a store with a scribbled page are read from both ends; the rest is named as lost."""
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore(path)
    for i in range(400):
        store.record(NB, f"q-{i}", "x" * 200, i % 2 == 0, 1.0 if i % 2 == 0 else 0.0)
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle + 20: middle + 3000] = b"\xff" * 2980
    path.write_bytes(bytes(data))
    fresh = ProgressStore(path)
    (moved,) = fresh.moved_aside[:1]
    got = read_attempts_file(moved)
    assert 0 < len(got.attempts) < 400
    assert got.notes and "damaged" in got.notes[0]
    assert fresh.restore(got.attempts).added == len(got.attempts)


def test_restore_sources_that_are_not_answers_are_named(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(ExportError, match="notes.txt"):
        read_attempts_file(tmp_path / "notes.txt")
    conn = sqlite3.connect(tmp_path / "other.sqlite3")
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(ExportError, match="not a progress file"):
        read_attempts_file(tmp_path / "other.sqlite3")
    with pytest.raises(ExportError, match="cannot be read"):
        read_attempts_file(tmp_path / "missing.json")
    with pytest.raises(ProgressError, match="memory"):
        ProgressStore(None).restore([attempt("start-insertion", "2026-11-20T10:00:00Z")])


def test_an_export_is_refused_when_a_progress_file_is_given_instead(tmp_path):
    fill(tmp_path / "progress.sqlite3", 1)
    with pytest.raises(ExportError, match="is a progress file"):
        read_export(tmp_path / "progress.sqlite3")


# --------------------------------------------------------------------------- 11. ids in exports

def test_the_export_id_rules_are_the_question_banks_rules():
    schema = json.loads((ROOT / "quizzes" / "schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["notebook"]["pattern"] == progress.NOTEBOOK_PATTERN.pattern
    assert schema["$defs"]["question"]["properties"]["id"]["pattern"] == progress.ID_PATTERN.pattern
    assert schema["$defs"]["choice"]["properties"]["misconception"]["pattern"] == progress.ID_PATTERN.pattern


@pytest.mark.parametrize("field, value, named", [
    ("question_id", "=1+1", "'question_id' '=1+1'"),
    ("question_id", "@SUM(A1)", "'question_id'"),
    ("notebook", "=cmd|' /C calc'!A0", "'notebook'"),
    ("misconceptions", ["-2+3"], "'misconceptions' holds '-2+3'"),
    ("misconceptions", ["ok-tag", "+bad"], "'misconceptions' holds '+bad'"),
    ("timestamp", "yesterday", "'timestamp' 'yesterday'"),
])
def test_an_export_with_ids_unlike_the_banks_is_refused_naming_file_and_field(tmp_path, field, value, named):
    good = attempt("start-insertion", "2026-11-20T10:00:00.000+00:00")
    bad = dict(good, **{field: value})
    doc = {"format": "iliopsoas-progress", "format_version": 2, "course": "c", "student": "Ann",
           "exported_at": "2026-11-25T12:00:00Z", "attempts": [good, bad]}
    path = tmp_path / "hand-edited.json"
    path.write_text(export_json(doc), encoding="utf-8")
    with pytest.raises(ExportError) as info:
        read_export(path)
    assert str(path) in str(info.value) and "attempt #2" in str(info.value) and named in str(info.value)


def test_case_decisions_may_name_a_case_and_its_step(tmp_path):
    doc = {"format": "iliopsoas-progress", "format_version": 2, "course": "c", "student": "Ann",
           "exported_at": "2026-11-25T12:00:00Z",
           "attempts": [attempt("case-runner/step-2", "2026-11-20T10:00:00Z", kind="decision")]}
    path = tmp_path / "cases.json"
    path.write_text(export_json(doc), encoding="utf-8")
    assert read_export(path).attempts[0]["question_id"] == "case-runner/step-2"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
