"""The progress store: numbering, persistence, concurrency, crashes, damaged and unwritable files."""
from __future__ import annotations

import json
import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from collections import defaultdict
from pathlib import Path

import pytest

from iliopsoas.progress import store as progress
from iliopsoas.progress.store import (SCHEMA_VERSION, ExportError, ProgressError, ProgressStore, export_csv,
                                export_json, get_store, read_export)

NB = "90-progress"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "progress.sqlite3"


def rows(path):
    """Every row of the attempts table, read with plain sqlite3 (not through the store)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT notebook, question_id, attempt, answer, correct, score, timestamp, "
                            "misconceptions FROM attempts ORDER BY id").fetchall()
    finally:
        conn.close()


def quick_check(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


# --------------------------------------------------------------------------- basics

def test_attempts_are_numbered_per_notebook_and_question(path):
    store = ProgressStore(path)
    numbers = [store.record(NB, "q1", 0, False, 0.0, []).attempt,
               store.record(NB, "q1", 1, True, 1.0, []).attempt,
               store.record(NB, "q2", 1, True, 1.0, []).attempt,
               store.record("91-other", "q1", 1, True, 1.0, []).attempt,
               store.record(NB, "q1", 2, False, 0.0, []).attempt]
    assert numbers == [1, 2, 1, 1, 3]
    assert [a.attempt for a in store.attempts(notebook=NB, question_id="q1")] == [1, 2, 3]


def test_every_field_of_an_attempt_is_saved(path):
    store = ProgressStore(path)
    answer = {"Psoas major": "Spine", "Iliacus": "Pelvis", "nested": [1, 2.5, None, "é"]}
    back = store.record(NB, "q-match", answer, False, 0.5, ["psoas-minor-always-present", "rotation-settled"])
    (saved,) = ProgressStore(path).attempts()
    assert saved == back
    assert saved.answer == answer and saved.correct is False and saved.score == 0.5
    assert saved.misconceptions == ["psoas-minor-always-present", "rotation-settled"]
    assert saved.timestamp.endswith("+00:00") and saved.timestamp[10] == "T", "ISO 8601 in UTC"
    (row,) = rows(path)
    assert json.loads(row[3]) == answer, "the answer is stored as JSON"
    assert row[4] == 0 and row[5] == 0.5


def test_progress_survives_a_new_store_on_the_same_file(path):
    """A kernel restart is a new store object on the same file."""
    first = ProgressStore(path)
    first.record(NB, "q1", 3, False, 0.0, ["rotation-settled"])
    first.record(NB, "q1", 5, True, 1.0, [])
    del first
    second = ProgressStore(path)
    assert second.warnings == []
    assert [(a.answer, a.attempt) for a in second.attempts()] == [(3, 1), (5, 2)]
    assert second.record(NB, "q1", 5, True, 1.0, []).attempt == 3


def test_the_schema_version_is_recorded(path):
    ProgressStore(path).record(NB, "q1", 1, True, 1.0, [])
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert conn.execute("PRAGMA application_id").fetchone()[0] == progress.APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_a_file_from_a_newer_course_version_is_left_untouched(path):
    ProgressStore(path).record(NB, "q1", 1, True, 1.0, [])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    store = ProgressStore(path)
    assert store.in_memory
    assert "newer version" in store.warnings[0] and str(path) in store.warnings[0]
    store.record(NB, "q1", 1, True, 1.0, [])
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.corrupt-*")), "a newer file is not damaged: never moved aside"


def test_summary_counts_the_latest_attempt_of_each_question(path):
    store = ProgressStore(path)
    store.record(NB, "q1", 0, False, 0.0, ["psoas-minor-always-present"])
    store.record(NB, "q1", 1, True, 1.0, [])                       # fixed: its misconception goes
    store.record(NB, "q2", 1, True, 1.0, [])
    store.record(NB, "q2", 0, False, 0.0, ["inserts-greater-trochanter"])  # right, then wrong
    store.record(NB, "q3", 0, False, 0.5, ["rotation-settled", "inserts-greater-trochanter"])
    s = store.summary()[NB]
    assert (s.answered, s.correct, s.attempts) == (3, 1, 5)
    assert s.misconceptions == {"inserts-greater-trochanter": 2, "rotation-settled": 1}
    assert s.last_activity == store.attempts()[-1].timestamp


def test_reset_deletes_one_notebook_after_writing_a_backup(path):
    store = ProgressStore(path)
    store.record(NB, "q1", 0, False, 0.0, ["rotation-settled"])
    store.record(NB, "q1", 1, True, 1.0, [])
    store.record("91-other", "q9", "x", True, 1.0, [])
    result = store.reset(NB)
    assert result.deleted == 2
    assert result.backup.parent == path.parent and result.backup.name.startswith("progress-backup-")
    backup = read_export(result.backup)
    assert [(a["question_id"], a["answer"], a["attempt"]) for a in backup.attempts] == [("q1", 0, 1), ("q1", 1, 2)]
    assert [a.notebook for a in store.attempts()] == ["91-other"]
    assert store.record(NB, "q1", 1, True, 1.0, []).attempt == 1, "numbering starts again after a reset"
    assert store.reset(NB).deleted == 1 and store.reset(None).deleted == 1
    assert store.attempts() == []
    assert store.reset(None) == progress.ResetResult(0, None), "nothing to delete: no backup"


def test_reset_deletes_nothing_when_no_backup_can_be_written(path, monkeypatch):
    store = ProgressStore(path)
    store.record(NB, "q1", 0, False, 0.0, [])

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress, "_write_new", no_space)
    with pytest.raises(ProgressError, match="nothing was deleted"):
        store.reset()
    assert len(store.attempts()) == 1


def test_exports_round_trip_through_json_and_csv(path, tmp_path):
    store = ProgressStore(path)
    store.record(NB, "q1", {"a": [1, "b, \"c\""]}, False, 0.25, ["rotation-settled", "psoas-causes-lordosis"])
    store.record(NB, "q1", "12 mm", True, 1.0, [])
    doc = store.export("Ada Lovelace")
    assert doc["format_version"] == 2 and doc["student"] == "Ada Lovelace" and doc["course"]
    assert str(path) not in json.dumps(doc), "the store's path is not part of an export"
    (tmp_path / "e.json").write_text(export_json(doc), encoding="utf-8")
    (tmp_path / "e.csv").write_text(export_csv(doc), encoding="utf-8")
    from_json, from_csv = read_export(tmp_path / "e.json"), read_export(tmp_path / "e.csv")
    expected = [a.to_dict() for a in store.attempts()]
    assert from_json.attempts == expected
    assert from_csv.attempts == expected
    assert from_json.student == from_csv.student == "Ada Lovelace"


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON (line 1"),
    ('{"format": "iliopsoas-progress", "format_version": 7, "student": "A", "exported_at": "t", '
     '"attempts": []}', "format version 7 is not supported"),
    ('{"format": "iliopsoas-progress", "format_version": 1, "exported_at": "t", "attempts": []}',
     "missing field 'student'"),
    ('{"format": "iliopsoas-progress", "format_version": 1, "student": "A", "exported_at": "t", '
     '"attempts": [{"notebook": "n"}]}', "attempt #1 is missing 'question_id'"),
    ('{"answers": []}', "not an iliopsoas progress export"),
])
def test_a_bad_export_is_named_with_its_problem(tmp_path, content, problem):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError) as info:
        read_export(bad)
    assert str(bad) in str(info.value) and problem in str(info.value)


# --------------------------------------------------------------------------- concurrency

def _write_many(path: str, worker: int, count: int, questions: int, barrier) -> None:
    """One process (think: one kernel) answering `count` times, as fast as it can."""
    store = ProgressStore(path)
    if store.warnings or store.in_memory:
        raise SystemExit(f"worker {worker}: {store.warnings}")
    barrier.wait(timeout=300)
    for i in range(count):
        store.record(NB, f"q{(worker + i) % questions}", {"worker": worker, "i": i}, i % 2 == 0,
                     1.0 if i % 2 == 0 else 0.0, [])


def test_eight_processes_recording_at_once_lose_nothing(path):
    workers, count, questions = 8, 200, 5
    ProgressStore(path)  # created first, so the workers race on writes, not on creation
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers)
    procs = [ctx.Process(target=_write_many, args=(str(path), w, count, questions, barrier))
             for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
    assert [p.exitcode for p in procs] == [0] * workers
    saved = rows(path)
    assert len(saved) == workers * count
    answers = {(json.loads(r[3])["worker"], json.loads(r[3])["i"]) for r in saved}
    assert answers == {(w, i) for w in range(workers) for i in range(count)}, "every answer is there once"
    numbers = defaultdict(list)
    for r in saved:
        numbers[r[1]].append(r[2])
    assert len(numbers) == questions
    for qid, got in numbers.items():
        assert sorted(got) == list(range(1, len(got) + 1)), f"{qid}: attempt numbers 1..N, no duplicates"
    assert quick_check(path) == "ok"


WRITER = textwrap.dedent("""
    import sys
    from iliopsoas.progress.store import ProgressStore
    store = ProgressStore(sys.argv[1])
    i = 0
    while True:
        a = store.record("90-kill", f"q{i % 3}", {"i": i, "pad": "x" * 300}, True, 1.0, ["rotation-settled"])
        print(i, a.attempt, flush=True)
        i += 1
""")

INSIDE_TRANSACTION = textwrap.dedent("""
    import json, sqlite3, sys
    from iliopsoas.progress.store import ProgressStore
    store = ProgressStore(sys.argv[1])
    for i in range(20):
        store.record("90-kill", f"q{i % 3}", {"i": i}, True, 1.0, [])
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA cache_size = 2")  # dirty pages spill into the file before the commit
    conn.execute("BEGIN IMMEDIATE")
    for n in range(1, 501):
        conn.execute("INSERT INTO attempts (notebook, question_id, attempt, answer, correct, score, timestamp) "
                     "VALUES ('90-kill', 'never-committed', ?, ?, 1, 1.0, 't')", (n, json.dumps("y" * 500)))
    print("inside", flush=True)
    sys.stdin.read()
""")


def test_a_writer_killed_while_answering_leaves_every_committed_answer(path):
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    committed = []
    try:
        for line in proc.stdout:
            committed.append(tuple(map(int, line.split())))
            if len(committed) == 150:
                break
        proc.kill()  # SIGKILL mid-way: it keeps writing until this moment
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == (-signal.SIGKILL if hasattr(signal, "SIGKILL") else 1)
    assert len(committed) == 150
    assert quick_check(path) == "ok"
    store = ProgressStore(path)
    assert store.warnings == [] and not store.in_memory, "a killed writer does not damage the file"
    saved = store.attempts(notebook="90-kill")
    indices = [a.answer["i"] for a in saved]
    assert indices == list(range(len(saved))) and len(saved) >= 150, "no committed answer is missing"
    assert all(a.answer["pad"] == "x" * 300 and a.misconceptions == ["rotation-settled"] for a in saved)
    by_i = {a.answer["i"]: a.attempt for a in saved}
    assert all(by_i[i] == number for i, number in committed), "attempt numbers as the writer reported"
    assert store.record("90-kill", "q0", 1, True, 1.0, []).attempt == 1 + sum(1 for i in indices if i % 3 == 0)


def test_a_writer_killed_inside_a_transaction_is_rolled_back_on_the_next_open(path):
    proc = subprocess.Popen([sys.executable, "-c", INSIDE_TRANSACTION, str(path)],
                            stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "inside"
        assert Path(f"{path}-journal").exists(), "a hot journal: the crash happens mid-write"
        proc.kill()  # SIGKILL: no chance to roll back or close anything
    finally:
        proc.kill()
        proc.wait()
    store = ProgressStore(path)
    assert store.warnings == []
    saved = store.attempts()
    assert [a.answer["i"] for a in saved] == list(range(20))
    assert not any(a.question_id == "never-committed" for a in saved)
    assert quick_check(path) == "ok"
    assert not Path(f"{path}-journal").exists()


def test_get_store_is_shared_and_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("ILIOPSOAS_PROGRESS", str(tmp_path / "a.sqlite3"))
    a = get_store()
    assert get_store() is a and a.path == tmp_path / "a.sqlite3"
    monkeypatch.setenv("ILIOPSOAS_PROGRESS", str(tmp_path / "b.sqlite3"))
    b = get_store()
    assert b is not a and b.path == tmp_path / "b.sqlite3"


def test_the_default_location_is_the_user_data_folder(monkeypatch):
    import platformdirs

    monkeypatch.delenv("ILIOPSOAS_PROGRESS", raising=False)
    expected = Path(platformdirs.user_data_dir("iliopsoas-course", appauthor=False)) / "progress.sqlite3"
    assert progress.default_path() == expected


# --------------------------------------------------------------------------- damaged files

def make_not_a_database(path):
    path.write_bytes(b"This is not a database, just some bytes.\n" * 50)


def make_failing_quick_check(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO t (v) VALUES (?)", [("v" * 60,) for _ in range(2000)])
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096 * 4 + 100: 4096 * 4 + 4000] = b"A" * 3900  # scribble over a b-tree page
    path.write_bytes(bytes(data))


def make_wrong_tables(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage, reason", [
    (make_not_a_database, "not an SQLite database"),
    (make_failing_quick_check, "integrity check"),
    (make_wrong_tables, "not a progress store"),
])
def test_a_corrupt_file_is_moved_aside_and_a_fresh_store_started(path, damage, reason):
    damage(path)
    journal = Path(f"{path}-journal")
    if damage is make_not_a_database:
        journal.write_bytes(b"a stray journal")
    original = path.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store = ProgressStore(path)
    assert caught == [], "no Python warnings (they would show as stderr in a notebook)"
    (moved,) = path.parent.glob("progress.sqlite3.corrupt-*[0-9]")
    assert moved.read_bytes() == original, "the damaged file is kept as it was"
    if damage is make_not_a_database:
        assert Path(f"{moved}-journal").read_bytes() == b"a stray journal", "its journal moves with it"
    assert not journal.exists()
    (warning,) = store.warnings
    assert str(path) in warning and str(moved) in warning and reason in warning
    assert "not deleted" in warning
    assert store.path == path and not store.in_memory
    assert store.record(NB, "q1", 1, True, 1.0, []).attempt == 1
    assert len(rows(path)) == 1 and quick_check(path) == "ok"


def _root_ignores_permissions(folder: Path) -> bool:
    probe = folder / "probe"
    try:
        probe.write_text("x")
    except PermissionError:
        return False
    probe.unlink()
    return True


@pytest.mark.parametrize("case", ["parent-is-a-file", "path-is-a-folder", "read-only-folder"])
def test_an_unwritable_location_falls_back_to_memory_with_a_warning(tmp_path, case):
    if case == "parent-is-a-file":
        (tmp_path / "notes.txt").write_text("a file, not a folder")
        target = tmp_path / "notes.txt" / "progress.sqlite3"
    elif case == "path-is-a-folder":
        target = tmp_path / "progress.sqlite3"
        target.mkdir()
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        target = folder / "progress.sqlite3"
        if _root_ignores_permissions(folder):
            # root ignores chmod; /proc is a read-only location even for root
            folder.chmod(0o755)
            target = Path("/proc/iliopsoas-course/progress.sqlite3")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store = ProgressStore(target)
    assert caught == []
    assert store.in_memory and store.path is None
    (warning,) = store.warnings
    assert "will not be saved" in warning and str(target) in warning and "ILIOPSOAS_PROGRESS" in warning
    assert [store.record(NB, "q1", i, True, 1.0, []).attempt for i in range(3)] == [1, 2, 3]
    assert len(store.attempts()) == 3
    assert sorted(p.name for p in tmp_path.rglob("*")) == before, "nothing was written anywhere"
    if case == "read-only-folder":
        (tmp_path / "locked").chmod(0o755)


def test_a_file_deleted_mid_session_makes_record_fail_clearly(path):
    store = ProgressStore(path)
    store.record(NB, "q1", 1, True, 1.0, [])
    path.unlink()
    with pytest.raises(ProgressError) as info:
        store.record(NB, "q1", 2, True, 1.0, [])
    message = str(info.value)
    assert str(path) in message and "no longer exists" in message and "not saved" in message
    assert not path.exists(), "no new empty file is created behind the student's back"


def test_a_file_damaged_mid_session_makes_record_fail_clearly(path):
    store = ProgressStore(path)
    store.record(NB, "q1", 1, True, 1.0, [])
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(ProgressError, match="not saved"):
        store.record(NB, "q1", 2, True, 1.0, [])


# --------------------------------------------------------------------------- quizzes keep working

def _answer_warm_up(monkeypatch, store_path):
    from iliopsoas.quiz.widgets import Quiz, show_quiz

    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)
    monkeypatch.setenv("ILIOPSOAS_PROGRESS", str(store_path))
    qz = show_quiz("00-start-here")
    assert isinstance(qz, Quiz), qz
    view = qz.views["start-which-muscles"]
    radio = view.inputs[0]
    radio.value = dict(radio.options)["Psoas major and iliacus"]
    view.check_button.click()
    return qz, view


def test_a_quiz_grades_and_warns_with_a_corrupt_store_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    make_not_a_database(path)
    qz, view = _answer_warm_up(monkeypatch, path)
    assert "✓ Correct" in view.feedback.value
    assert "iliopsoas-warning" in qz.notice.value and 'role="alert"' in qz.notice.value
    assert "was damaged" in qz.notice.value and ".corrupt-" in qz.notice.value, "shown once, above the questions"
    assert "was damaged" not in view.feedback.value, "never repeated in an answer's feedback"
    assert "(attempt 1)" in view.feedback.value
    assert [a.question_id for a in ProgressStore(path).attempts()] == ["start-which-muscles"], \
        "the answer went to the fresh store"
    assert "1 / 6" in qz.score.value


def test_a_quiz_grades_and_warns_with_an_unwritable_store_path(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    qz, view = _answer_warm_up(monkeypatch, tmp_path / "file" / "progress.sqlite3")
    assert "✓ Correct" in view.feedback.value
    assert "will not be saved" in qz.notice.value and "ILIOPSOAS_PROGRESS" in qz.notice.value
    assert "will not be saved" not in view.feedback.value
    view.check_button.click()
    assert "1 / 6" in qz.score.value, "the in-memory store still counts this session's answers"


def test_a_quiz_says_an_answer_was_not_saved_when_the_file_vanishes(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    qz, view = _answer_warm_up(monkeypatch, path)
    assert "iliopsoas-warning" not in view.feedback.value, "a healthy store adds no note"
    path.unlink()
    radio = view.inputs[0]
    radio.value = dict(radio.options)["Iliacus and rectus femoris"]
    view.check_button.click()
    assert "✗ Not quite" in view.feedback.value
    assert "could not be saved" in view.feedback.value and "no longer exists" in view.feedback.value


# --------------------------------------------------------------------------- schema 2: kinds of record

V1_SCHEMA = """
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, notebook TEXT NOT NULL, question_id TEXT NOT NULL,
    attempt INTEGER NOT NULL CHECK (attempt >= 1), answer TEXT NOT NULL,
    correct INTEGER NOT NULL CHECK (correct IN (0, 1)), score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    timestamp TEXT NOT NULL, misconceptions TEXT NOT NULL DEFAULT '[]', UNIQUE (notebook, question_id, attempt));
"""


def make_v1_store(path):
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute(f"PRAGMA application_id = {progress.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO attempts (notebook, question_id, attempt, answer, correct, score, timestamp, "
                 "misconceptions) VALUES (?, 'q1', 1, '\"12 mm\"', 1, 1.0, '2026-11-20T10:00:00.000+00:00', '[]')",
                 (NB,))
    conn.commit()
    conn.close()


def test_a_schema_1_file_is_read_only_as_is_and_migrated_when_opened_for_writing(path):
    make_v1_store(path)
    ro = ProgressStore(path, readonly=True)
    assert [(a.question_id, a.kind) for a in ro.attempts()] == [("q1", "answer")]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1, "read-only must not migrate"
    store = ProgressStore(path)
    assert store.warnings == [] and not store.in_memory, "an older store is migrated, not moved aside"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
    assert [a.kind for a in store.attempts()] == ["answer"]
    assert store.record(NB, "q1", "13 mm", False, 0.0, []).attempt == 2


def test_answer_shown_is_a_record_of_its_own_kind_that_never_counts_as_an_answer(path):
    store = ProgressStore(path)
    store.record(NB, "q1", "1", False, 0.0, ["tag"])
    shown = store.record_answer_shown(NB, "q1")
    assert (shown.kind, shown.attempt, shown.correct, shown.answer) == ("answer-shown", 2, False, None)
    s = store.summary()[NB]
    assert (s.answered, s.correct, s.attempts) == (1, 0, 1)
    assert s.latest["q1"].kind == "answer" and s.latest["q1"].attempt == 1
    with pytest.raises(ValueError, match="kind must be one of"):
        store.record(NB, "q1", 1, True, 1.0, [], kind="guess")


def test_exports_keep_the_kind_and_version_1_exports_still_read(path, tmp_path):
    store = ProgressStore(path)
    store.record(NB, "q1", "1", False, 0.0, [])
    store.record_answer_shown(NB, "q1")
    doc = store.export("Ada")
    for text, name in ((export_json(doc), "ada.json"), (export_csv(doc), "ada.csv")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert [a["kind"] for a in read_export(tmp_path / name).attempts] == ["answer", "answer-shown"]
    old = {"format": "iliopsoas-progress", "format_version": 1, "course": "c", "student": "Bo",
           "exported_at": "t", "attempts": [{"notebook": NB, "question_id": "q1", "answer": 1, "correct": True,
                                             "score": 1.0, "attempt": 1, "timestamp": "2026-11-20T10:00:00+00:00",
                                             "misconceptions": []}]}
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    assert read_export(tmp_path / "old.json").attempts[0]["kind"] == "answer"
    header = "format_version,course,student,exported_at,notebook,question_id,attempt,correct,score,timestamp,answer,misconceptions\n"
    (tmp_path / "old.csv").write_text(header + f'1,c,Bo,t,{NB},q1,1,1,1.0,2026-11-20T10:00:00+00:00,"1",\n', encoding="utf-8")
    exp = read_export(tmp_path / "old.csv")
    assert exp.format_version == 1 and exp.attempts[0]["kind"] == "answer"
