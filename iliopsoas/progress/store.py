"""The progress store: every checked answer, in one small SQLite file.

``get_store()`` returns the process-wide :class:`ProgressStore`.  Its file is
``$ILIOPSOAS_PROGRESS`` or, when that is not set,
``platformdirs.user_data_dir("iliopsoas-course")/progress.sqlite3``
(``~/.local/share/iliopsoas-course/progress.sqlite3`` on Linux).  The store is
embedded (stdlib ``sqlite3``, no server) and holds one table, ``attempts``:
notebook, question id, answer (JSON), correct, score, attempt number,
ISO-8601 UTC timestamp, misconception tags (JSON list) and the kind of record
(``"answer"``: a checked answer; ``"answer-shown"``: the student asked to see
the answer; ``"decision"``: a step of a clinical case).

Reliability choices
-------------------
* **One transaction per answer.**  ``record`` runs ``BEGIN IMMEDIATE`` (the
  write lock is taken at once), reads the highest attempt number of that
  notebook + question, inserts the next one and commits.  Two kernels (two
  processes) answering at the same moment are serialised by SQLite's file
  lock, so they never get the same number, and a ``UNIQUE (notebook,
  question_id, attempt)`` constraint makes a duplicate impossible anyway.
  The busy timeout (30 s) makes the second writer wait instead of failing.
* **Rollback journal (``journal_mode=DELETE``), not WAL.**  WAL needs shared
  memory (the ``-shm`` file, memory-mapped by every connection) and all
  processes on one host; SQLite's documentation says it does not work over a
  network file system, which is exactly where home directories live on many
  JupyterHubs.  WAL also leaves recent commits in a ``-wal`` sibling, so a
  student who copies just ``progress.sqlite3`` could lose answers.  The
  rollback journal only needs POSIX file locks, keeps every committed answer
  in the one file, and a crash mid-write (kernel killed) is undone from the
  hot journal the next time the file is opened.  Its cost, writers blocking
  readers for the few milliseconds of a commit, does not matter at the pace
  a person answers questions.  ``synchronous=FULL`` (the default for this
  mode) makes every commit durable.  (The README still tells hub admins to
  point ``ILIOPSOAS_PROGRESS`` at a local disk: file locking over NFS is only
  as good as the server's lock daemon.)
* **A fresh connection per operation** for file stores.  A store therefore
  notices a file deleted or replaced while a notebook is open (``record``
  raises :class:`ProgressError` instead of writing into a deleted file), and
  no lock outlives an operation.
* **Schema version** in ``PRAGMA user_version`` (and an ``application_id``),
  so a later version can migrate, and a file from a newer version is left
  alone (not "repaired").

When something is wrong the quizzes must keep working:

* a **damaged file** (not a database, fails ``PRAGMA quick_check``, or holds
  other tables) is renamed to ``progress.sqlite3.corrupt-<UTC time>`` (with
  its ``-journal``/``-wal``/``-shm`` siblings), never deleted, and a fresh
  store is started;
* an **unwritable location** (read-only folder, the path is a folder, its
  parent is a file, permission denied) falls back to an in-memory store;

and in both cases a sentence for the student is added to
``store.warnings`` (shown by the quiz and the dashboard; never
``warnings.warn``, which would print to stderr in a notebook).  A store that
fails *during* a session (disk full, file deleted) raises
:class:`ProgressError` from ``record`` with a clear message: nothing is
dropped silently.

Exports (``python -m iliopsoas progress export``) and the backups written
before a reset share one format, read back by :func:`read_export`.
"""
from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from ..csvfiles import csv_text, read_csv_rows

ENV_VAR = "ILIOPSOAS_PROGRESS"
APP_NAME = "iliopsoas-course"
FILE_NAME = "progress.sqlite3"
SCHEMA_VERSION = 2          # 1: no `kind` column (every row an answer); migrated on open
APPLICATION_ID = 0x696C7073  # "ilps"
BUSY_TIMEOUT_S = 30.0
SQLITE_HEADER = b"SQLite format 3\x00"

EXPORT_FORMAT = "iliopsoas-progress"
EXPORT_VERSION = 2          # 1: attempts without `kind`; still read
READABLE_EXPORT_VERSIONS = (1, 2)
#: Kinds of record: a checked answer, "show me the answer", a decision in a clinical case.
KINDS = ("answer", "answer-shown", "decision")
CSV_FIELDS = ["format_version", "course", "student", "exported_at", "notebook", "question_id",
              "attempt", "correct", "score", "timestamp", "answer", "misconceptions", "kind"]
ATTEMPT_FIELDS = ["notebook", "question_id", "answer", "correct", "score", "attempt",
                  "timestamp", "misconceptions", "kind"]
DEFAULT_COURSE_TITLE = "The iliopsoas course"

_COLUMNS = {"id", "notebook", "question_id", "attempt", "answer", "correct", "score",
            "timestamp", "misconceptions"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id             INTEGER PRIMARY KEY,
    notebook       TEXT    NOT NULL,
    question_id    TEXT    NOT NULL,
    attempt        INTEGER NOT NULL CHECK (attempt >= 1),
    answer         TEXT    NOT NULL,                  -- JSON
    correct        INTEGER NOT NULL CHECK (correct IN (0, 1)),
    score          REAL    NOT NULL CHECK (score >= 0 AND score <= 1),
    timestamp      TEXT    NOT NULL,                  -- ISO 8601, UTC
    misconceptions TEXT    NOT NULL DEFAULT '[]',     -- JSON list of tags
    kind           TEXT    NOT NULL DEFAULT 'answer', -- see KINDS (added in schema 2)
    UNIQUE (notebook, question_id, attempt)
);
"""
_CORRUPT_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


class ProgressError(RuntimeError):
    """The store cannot do what was asked; the message says why and what to do."""


class NoHomeError(ProgressError):
    """No progress file can be chosen: no ``ILIOPSOAS_PROGRESS`` and no home folder."""


class ExportError(ValueError):
    """An export file cannot be read; ``str()`` names the file and the problem."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


# --------------------------------------------------------------------------- values

@dataclass(frozen=True)
class Attempt:
    """One checked answer."""

    notebook: str
    question_id: str
    answer: object          # JSON value
    correct: bool
    score: float            # 0 to 1
    attempt: int            # 1, 2, ... per notebook + question
    timestamp: str          # ISO 8601, UTC
    misconceptions: list = field(default_factory=list)
    kind: str = "answer"    # one of KINDS

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class NotebookSummary:
    """What the store knows about one notebook (the latest attempt of each question counts)."""

    notebook: str
    answered: int = 0            # questions with at least one attempt
    correct: int = 0             # questions whose latest attempt is right
    attempts: int = 0            # attempts in all
    last_activity: str | None = None
    misconceptions: Counter = field(default_factory=Counter)  # tags of the latest wrong answers
    latest: dict = field(default_factory=dict)                # question id -> latest Attempt


@dataclass(frozen=True)
class RestoreResult:
    """What ``restore`` added, what it found already there, and where the copy made first went."""

    added: int
    duplicates: int
    backup: Path | None


@dataclass(frozen=True)
class ResetResult:
    """What ``reset`` deleted and where the copy of it went."""

    deleted: int
    backup: Path | None


@dataclass
class Export:
    """One student's export (or a backup), as read by :func:`read_export`."""

    path: str
    format_version: int
    course: str
    student: str | None
    exported_at: str
    attempts: list[dict]
    notes: list[str] = field(default_factory=list)   # what could not be read (damaged progress files)


def now_iso() -> str:
    """The current time, ISO 8601 in UTC (milliseconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")


def default_path() -> Path:
    """``$ILIOPSOAS_PROGRESS`` (absolute), else the user data folder's progress.sqlite3.

    Raises :class:`NoHomeError` (a :class:`ProgressError` whose message says to set
    ``ILIOPSOAS_PROGRESS``) when neither is known: no ``HOME`` and no home folder in the
    user database, as in a container started with ``docker --user <number>``.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        try:
            return Path(env).expanduser().absolute()
        except RuntimeError as exc:  # "~/..." with no home folder
            raise NoHomeError(no_home_message(f"{ENV_VAR}={env} starts with ~, but {exc}")) from exc
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / FILE_NAME
    except (RuntimeError, KeyError) as exc:  # platformdirs: "could not determine the home directory"
        raise NoHomeError(no_home_message()) from exc


def home_folder() -> Path | None:
    """The user's home folder, or None when there is none (no HOME, unknown user)."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError):
        return None
    return home if str(home) not in ("", "~") else None


def _can_write_in(folder: Path) -> bool:
    """True if a file can really be created in folder (a probe file is made and removed)."""
    import tempfile

    try:
        if not folder.is_dir():
            return False
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".iliopsoas-probe-"):
            return True
    except OSError:
        return False


def suggested_path(avoid: Path | None = None) -> Path | None:
    """A progress file in a folder this user can write to, to suggest in advice: the home folder,
    else the current folder, else the temporary folder; None if none is writable.  A folder is
    only suggested after a probe file was really created there, so a read-only home (or the
    folder of ``avoid``, the file that failed) is never suggested."""
    import tempfile

    home = home_folder()
    candidates = [home] if home is not None else []
    try:
        candidates.append(Path.cwd())
    except OSError:  # the current folder was deleted
        pass
    candidates.append(Path(tempfile.gettempdir()))
    for folder in dict.fromkeys(candidates):
        if avoid is not None and folder == avoid.parent:
            continue
        if _can_write_in(folder):
            return folder / "iliopsoas-progress.sqlite3"
    return None


def set_location_advice(avoid: Path | None = None) -> str:
    """The sentence telling the student how to choose a progress file: "set ILIOPSOAS_PROGRESS ..."."""
    import tempfile

    suggestion = suggested_path(avoid)
    if suggestion is None:
        return (f"set the environment variable {ENV_VAR} to a file in a folder you can write to "
                f"(for example {ENV_VAR}=/path/to/iliopsoas-progress.sqlite3)")
    note = ""
    if suggestion.parent == Path(tempfile.gettempdir()):
        note = " (a temporary folder: it may be emptied when the computer restarts)"
    return (f"set the environment variable {ENV_VAR} to a file in a folder you can write to, "
            f"for example {ENV_VAR}={suggestion}{note}")


def no_home_message(detail: str | None = None) -> str:
    """Why no progress file can be chosen when there is no home folder, and what to do."""
    why = detail or ("this user has no home folder (HOME is not set and the system knows none, as in a "
                     "container started with a numeric user)")
    return (f"The course cannot tell where to keep your progress: {why}. To keep your answers, "
            f"{set_location_advice()}, then restart JupyterLab (or run the command again).")


def course_title() -> str:
    """The course title from ``assets/course.yml`` (a default if it cannot be read)."""
    try:
        from ..paths import assets_dir

        data = yaml.safe_load((assets_dir() / "course.yml").read_text(encoding="utf-8"))
        title = data.get("title") if isinstance(data, dict) else None
        return title if isinstance(title, str) and title else DEFAULT_COURSE_TITLE
    except (OSError, ValueError, yaml.YAMLError):
        return DEFAULT_COURSE_TITLE


def _code(exc: BaseException) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


_SELECT = "SELECT notebook, question_id, attempt, answer, correct, score, timestamp, misconceptions, {kind} FROM attempts"


def _row_to_attempt(row) -> Attempt:
    notebook, qid, attempt, answer, correct, score, ts, tags, kind = row
    return Attempt(notebook=notebook, question_id=qid, answer=json.loads(answer), correct=bool(correct),
                   score=float(score), attempt=int(attempt), timestamp=ts, misconceptions=json.loads(tags),
                   kind=kind)


def summarize(attempts) -> dict[str, NotebookSummary]:
    """Per-notebook summaries of attempts (objects or dicts); the highest attempt number is the latest.

    "Answer shown" records count as activity but never as an answer.
    """
    out: dict[str, NotebookSummary] = {}
    for a in attempts:
        a = a if isinstance(a, Attempt) else Attempt(**{k: a[k] for k in ATTEMPT_FIELDS if k in a})
        s = out.setdefault(a.notebook, NotebookSummary(a.notebook))
        if s.last_activity is None or a.timestamp > s.last_activity:
            s.last_activity = a.timestamp
        if a.kind == "answer-shown":
            continue
        s.attempts += 1
        prev = s.latest.get(a.question_id)
        if prev is None or a.attempt >= prev.attempt:
            s.latest[a.question_id] = a
    for s in out.values():
        s.answered = len(s.latest)
        s.correct = sum(1 for a in s.latest.values() if a.correct)
        for a in s.latest.values():
            if not a.correct:
                s.misconceptions.update(dict.fromkeys(a.misconceptions, 1))
    return out


# --------------------------------------------------------------------------- the store

class ProgressStore:
    """Saved answers in one SQLite file (or in memory when the file cannot be used).

    ``ProgressStore(path)`` opens (creating if needed) the file; a damaged file
    is moved aside and an unwritable location falls back to memory, each with
    a sentence in ``warnings``.  ``ProgressStore(None)`` is an in-memory store.
    ``readonly=True`` (used by the command line's export) opens an existing
    file for reading only and raises :class:`ProgressError` instead of
    repairing anything.
    """

    def __init__(self, path=None, readonly: bool = False):
        try:
            self.requested_path: Path | None = Path(path).expanduser().absolute() if path is not None else None
            no_home = None
        except RuntimeError as exc:  # "~/..." and no home folder
            self.requested_path, no_home = None, no_home_message(f"{path} starts with ~, but {exc}")
        self.path: Path | None = None     # the file in use; None when in memory
        self.readonly = readonly           # the file is only read (asked for, or it cannot be written)
        self.read_only_reason: str | None = None  # why a file opened for writing is only read
        self.warnings: list[str] = []
        self._session: sqlite3.Connection | None = None  # this session's answers to a read-only file
        self.moved_aside: list[Path] = []  # where damaged files went
        self._memory: sqlite3.Connection | None = None
        self._empty = False                # a read-only view of an empty (new) file
        self._has_kind = True              # False for a schema-1 file opened read-only (not migrated)
        self._lock = threading.RLock()
        if no_home is not None:
            if readonly:
                raise NoHomeError(no_home)
            self.warnings.append(f"Your progress will not be saved in this session. {no_home}")
            self._open_memory()
        elif self.requested_path is None:
            self._open_memory()
        elif readonly:
            self._open_readonly(self.requested_path)
        else:
            self._open_file(self.requested_path)

    # ------------------------------------------------------------------ opening
    @property
    def in_memory(self) -> bool:
        return self._memory is not None

    @property
    def location(self) -> str:
        """The file path, or a phrase saying progress lives in memory only."""
        return str(self.path) if self.path is not None else "memory (not saved)"

    def _open_memory(self) -> None:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.execute(_SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._memory = conn
        self.path = None

    def _fall_back(self, path: Path, reason: str) -> None:
        if self._open_read_only_with_answers(path, reason):
            return
        self.warnings.append(
            f"Your progress will not be saved in this session: the progress file {path} cannot be "
            f"used ({reason}). Answers are kept only until the kernel stops. To fix it, "
            f"{set_location_advice(avoid=path)}, and restart JupyterLab.")
        self._open_memory()

    def _open_read_only_with_answers(self, path: Path, reason: str) -> bool:
        """A file that can be read but not written: show its answers, keep new ones for this session.

        Returns False (nothing changed) when the file cannot be read as a progress store either.
        """
        try:
            if not path.is_file() or not os.access(path, os.R_OK):
                return False
        except OSError:
            return False
        try:
            self._open_readonly(path)
        except ProgressError:
            self.path, self._empty, self._has_kind = None, False, True
            return False
        if self._empty:  # nothing saved in it: the plain in-memory fall-back says it all
            self.path, self._empty = None, False
            return False
        self.readonly = True
        self.read_only_reason = reason
        self._session = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._session.execute(_SCHEMA)
        self.warnings.append(
            f"Your progress file {path} can be read but not written ({reason}). Your saved answers are "
            "shown, but new answers will not be kept. To keep them, make "
            f"the file and its folder writable, or {set_location_advice(avoid=path)} and bring your saved "
            f"answers along with: python -m iliopsoas progress restore {path} ; then restart JupyterLab.")
        return True

    def _connect(self, path: Path, mode: str = "rw") -> sqlite3.Connection:
        uri = f"{path.as_uri()}?mode={mode}"
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)

    def _open_file(self, path: Path) -> None:
        try:
            os.stat(path)
        except FileNotFoundError:
            pass
        except OSError as exc:  # e.g. a folder on the way that this user may not enter
            return self._fall_back(path, f"it cannot be reached: {exc.strerror or exc}")
        if path.is_dir():
            return self._fall_back(path, "that path is a folder, not a file")
        if path.exists() and not path.is_file():
            return self._fall_back(path, "that path is not a regular file")
        try:
            # a folder the store creates is its owner's only (on a shared machine or a JupyterHub
            # whose homes are readable by others, another student cannot read these answers)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except (FileExistsError, NotADirectoryError):
            blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), path.parent)
            return self._fall_back(path, f"{blocker} is a file, so it cannot hold a folder")
        except OSError as exc:
            return self._fall_back(path, f"its folder cannot be created: {exc.strerror or exc}")
        for _round in range(2):
            problem = self._check_existing(path) if path.exists() else None
            if problem is None:
                break
            kind, reason, identity = problem
            if kind == "unusable":
                return self._fall_back(path, reason)
            if kind == "newer":
                self.warnings.append(reason)
                return self._open_memory()
            try:
                self._move_aside(path, reason, identity)
            except OSError as exc:
                return self._fall_back(path, f"it is damaged ({reason}) and could not be moved aside: "
                                             f"{exc.strerror or exc}")
        else:  # pragma: no cover - a second damaged file appeared under us
            return self._fall_back(path, "it was damaged twice in a row")
        try:
            _create_private(path)
            self._initialize(path)
        except sqlite3.Error as exc:
            return self._fall_back(path, self._reason(exc))
        except OSError as exc:
            return self._fall_back(path, exc.strerror or str(exc))
        self.path = path

    @staticmethod
    def _reason(exc: BaseException) -> str:
        name = _code(exc)
        if name in ("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_READONLY", "SQLITE_AUTH") \
                or name.startswith("SQLITE_READONLY") or name.startswith("SQLITE_CANTOPEN"):
            return f"permission denied or read-only location: {exc}"
        return str(exc)

    def _check_existing(self, path: Path):
        """None if the file is a healthy store; else (kind, reason, identity)."""
        try:
            st = path.stat()
            identity = (st.st_dev, st.st_ino)
            with open(path, "rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            return "unusable", exc.strerror or str(exc), None
        if header and header != SQLITE_HEADER[:len(header)] or 0 < len(header) < 16:
            # checked before SQLite opens it: SQLite would treat a -journal next to a file
            # that is not a database as a hot journal and could delete it
            return "corrupt", "it is not an SQLite database", identity
        try:
            conn = self._connect(path, "rw")
        except sqlite3.Error as exc:
            return "unusable", self._reason(exc), None
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if not rows or rows[0][0] != "ok":
                first = str(rows[0][0]).splitlines()[-1] if rows else "no answer"
                return "corrupt", f"it fails SQLite's integrity check: {first[:200]}", identity
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
            if version > SCHEMA_VERSION and app_id == APPLICATION_ID:
                return ("newer", f"The progress file {path} was written by a newer version of the course "
                        f"(schema {version}; this one knows {SCHEMA_VERSION}), so it was left untouched and "
                        "your answers in this session are kept in memory only. Update the course "
                        "(pip install -e . in its folder) to use it.", identity)
            if version == 0 and not tables:
                return None  # an empty file (for example created by touch): initialised below
            columns = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")} if "attempts" in tables else set()
            if version not in (1, SCHEMA_VERSION) or app_id != APPLICATION_ID or not _COLUMNS <= columns:
                found = ", ".join(sorted(tables)) or "no tables"
                return ("corrupt", f"it is an SQLite database but not a progress store "
                        f"(schema version {version}, tables: {found})", identity)
            return None
        except sqlite3.DatabaseError as exc:
            if _code(exc) in _CORRUPT_CODES or "malformed" in str(exc) or "not a database" in str(exc):
                return "corrupt", str(exc), identity
            return "unusable", self._reason(exc), None
        finally:
            conn.close()

    def _move_aside(self, path: Path, reason: str, identity) -> None:
        stamp = _stamp()
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while any(Path(f"{target}{s}").exists() for s in ("", "-journal", "-wal", "-shm")):
            n += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        try:
            st = path.stat()
            if identity is not None and (st.st_dev, st.st_ino) != identity:
                return  # another kernel already replaced it with a fresh store
            os.replace(path, target)
        except FileNotFoundError:
            return  # another kernel moved it first
        moved = [target]
        for suffix in ("-journal", "-wal", "-shm"):
            sibling = Path(f"{path}{suffix}")
            if sibling.exists():
                try:
                    os.replace(sibling, Path(f"{target}{suffix}"))
                    moved.append(Path(f"{target}{suffix}"))
                except OSError:
                    pass  # the main file is what matters; the sibling stays where it is
        self.moved_aside += moved
        also = (" (with " + ", ".join(p.name for p in moved[1:]) + ")") if len(moved) > 1 else ""
        self.warnings.append(
            f"Your progress file {path} was damaged ({reason}). It was moved to {target}{also}, "
            "not deleted, and a fresh progress file was started. Earlier answers are not shown; to bring "
            f"back what can still be read, run in a terminal: python -m iliopsoas progress restore {target}")

    def _initialize(self, path: Path) -> None:
        conn = self._connect(path, "rwc")
        try:
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version == 0:  # new (another kernel may have initialised it meanwhile)
                    conn.execute(_SCHEMA)
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                elif version == 1:  # schema 1 -> 2: every earlier row was a checked answer
                    conn.execute("ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'answer'")
                # a real write: proves the file and its folder (for the journal) are writable
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()

    def _open_readonly(self, path: Path) -> None:
        if not path.is_file():
            raise ProgressError(f"There is no progress file at {path} (nothing has been saved there yet). "
                                f"If your progress is elsewhere, set {ENV_VAR} to its path.")
        try:
            conn = self._connect(path, "ro")
            try:
                ok = conn.execute("PRAGMA quick_check").fetchone()
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                columns = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise ProgressError(f"The progress file {path} cannot be read: {exc}.") from exc
        if not ok or ok[0] != "ok":
            raise ProgressError(f"The progress file {path} is damaged (it fails SQLite's integrity check). "
                                "Open any course notebook: the file will be moved aside and a fresh one started.")
        if version == 0 and not columns:
            self.path = path  # an empty file: no attempts yet
            self._empty = True
            return
        if version > SCHEMA_VERSION:
            raise ProgressError(f"The progress file {path} was written by a newer version of the course "
                                f"(schema {version}); update the course to read it.")
        if not _COLUMNS <= columns:
            raise ProgressError(f"{path} is not a progress file of this course.")
        self._has_kind = "kind" in columns
        self.path = path

    # ------------------------------------------------------------------ operations
    def _fail(self, exc: BaseException, what: str) -> ProgressError:
        path = self.path
        name = _code(exc)
        if path is not None and not path.exists():
            return ProgressError(
                f"The progress file {path} no longer exists (it was deleted or moved while the course "
                f"was open), so {what}. Restart the kernel to start a new progress file.")
        if name == "SQLITE_FULL" or "disk is full" in str(exc) or getattr(exc, "errno", None) == 28:
            return ProgressError(f"The disk holding {path} is full, so {what}. Free some space and try again.")
        if name == "SQLITE_BUSY" or "locked" in str(exc):
            return ProgressError(f"The progress file {path} stayed locked by another program for "
                                 f"{BUSY_TIMEOUT_S:g} seconds, so {what}. Try again.")
        if name in _CORRUPT_CODES:
            return ProgressError(f"The progress file {path} has been damaged ({exc}), so {what}. Restart the "
                                 "kernel: the damaged file will be moved aside and a fresh one started.")
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
            return ProgressError(f"The progress file {path} can no longer be written ({exc}), so {what}. "
                                 f"Check the folder's permissions, or set {ENV_VAR} to another file.")
        return ProgressError(f"The progress file {self.location} failed ({type(exc).__name__}: {exc}), so {what}.")

    @contextmanager
    def _conn(self, what: str):
        """A connection for one operation (the shared one for an in-memory store)."""
        with self._lock:
            own = None
            if self._memory is not None:
                conn = self._memory
            elif self._empty:
                conn = own = sqlite3.connect(":memory:", isolation_level=None)
                conn.execute(_SCHEMA)
            else:
                try:
                    conn = own = self._connect(self.path, "ro" if self.readonly else "rw")
                except sqlite3.Error as exc:
                    raise self._fail(exc, what) from exc
            try:
                yield conn
            except (sqlite3.Error, OSError) as exc:
                raise self._fail(exc, what) from exc
            finally:
                if own is not None:
                    own.close()

    @contextmanager
    def _transaction(self, what: str):
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back if anything fails)."""
        if self.readonly:
            why = f"cannot be written ({self.read_only_reason})" if self.read_only_reason else "was opened read-only"
            raise ProgressError(f"The progress file {self.path} {why}, so {what}.")
        with self._conn(what) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # the original error is the one to report
                raise

    def record(self, notebook: str, question_id: str, answer, correct: bool, score: float,
               misconceptions=(), kind: str = "answer") -> Attempt:
        """Save one record (by default a checked answer) in its own transaction; return it with its number.

        ``kind`` is one of ``KINDS``: "answer", "answer-shown" (see :meth:`record_answer_shown`) or
        "decision" (a step of a clinical case; ``question_id`` names the case and step).
        Raises :class:`ProgressError` (with a sentence for the student) when it cannot be saved,
        ``ValueError`` for a bad argument.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if not isinstance(notebook, str) or not notebook or not isinstance(question_id, str) or not question_id:
            raise ValueError("notebook and question_id must be non-empty strings")
        score = float(score)
        if math.isnan(score) or not 0.0 <= score <= 1.0:
            raise ValueError(f"score must be between 0 and 1, not {score!r}")
        tags = [str(t) for t in (misconceptions or [])]
        try:
            answer_json = json.dumps(answer, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the answer cannot be saved as JSON: {exc}") from exc
        if self._session is not None:  # a read-only file: this session's answers live in memory
            with self._lock:
                saved = [a.attempt for a in self._file_attempts(notebook, question_id)]
                in_session = self._session.execute(
                    "SELECT COALESCE(MAX(attempt), 0) FROM attempts WHERE notebook = ? AND question_id = ?",
                    (notebook, question_id)).fetchone()[0]
                number = max(saved + [in_session]) + 1
                stamp = now_iso()
                self._session.execute(
                    "INSERT INTO attempts (notebook, question_id, attempt, answer, correct, score, timestamp, "
                    "misconceptions, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (notebook, question_id, number, answer_json, int(bool(correct)), score, stamp,
                     json.dumps(tags), kind))
            return Attempt(notebook, question_id, json.loads(answer_json), bool(correct), score, number, stamp,
                           tags, kind)
        with self._transaction("this answer was not saved") as conn:
            number = conn.execute(
                "SELECT COALESCE(MAX(attempt), 0) + 1 FROM attempts WHERE notebook = ? AND question_id = ?",
                (notebook, question_id)).fetchone()[0]
            stamp = now_iso()
            conn.execute(
                "INSERT INTO attempts (notebook, question_id, attempt, answer, correct, score, timestamp, "
                "misconceptions, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (notebook, question_id, number, answer_json, int(bool(correct)), score, stamp,
                 json.dumps(tags), kind))
        return Attempt(notebook, question_id, json.loads(answer_json), bool(correct), score, number, stamp, tags,
                       kind)

    def record_answer_shown(self, notebook: str, question_id: str) -> Attempt:
        """Save that the student asked to see the answer of a question (kind "answer-shown")."""
        return self.record(notebook, question_id, None, False, 0.0, (), kind="answer-shown")

    def attempts(self, notebook: str | None = None, question_id: str | None = None) -> list[Attempt]:
        """Saved attempts, oldest first, optionally of one notebook and/or question.

        For a file that can only be read (``read_only_reason``), this session's answers follow the saved ones.
        """
        found = self._file_attempts(notebook, question_id)
        if self._session is not None:
            with self._lock:
                rows = self._session.execute(
                    _SELECT.format(kind="kind") + " WHERE (?1 IS NULL OR notebook = ?1) AND "
                    "(?2 IS NULL OR question_id = ?2) ORDER BY id", (notebook, question_id)).fetchall()
            found += [_row_to_attempt(r) for r in rows]
        return found

    def _file_attempts(self, notebook: str | None = None, question_id: str | None = None) -> list[Attempt]:
        sql = (_SELECT.format(kind="kind" if self._has_kind else "'answer'") +
               " WHERE (?1 IS NULL OR notebook = ?1) AND (?2 IS NULL OR question_id = ?2) ORDER BY id")
        with self._conn("the saved answers could not be read") as conn:
            rows = conn.execute(sql, (notebook, question_id)).fetchall()
        return [_row_to_attempt(r) for r in rows]

    def summary(self) -> dict[str, NotebookSummary]:
        """Per notebook: questions answered, latest right, attempts, last activity, misconceptions."""
        return summarize(self.attempts())

    def export(self, student: str | None, notebook: str | None = None, **extra) -> dict:
        """The export document (see :func:`export_document`) of this store's attempts."""
        return export_document(self.attempts(notebook=notebook), student, **extra)

    def reset(self, notebook: str | None = None, backup: bool = True) -> ResetResult:
        """Delete the attempts of one notebook (or all), after writing a JSON backup of them.

        The backup (``progress-backup-<UTC time>.json`` next to the store file,
        in the export format) is written inside the same transaction as the
        delete: if it cannot be written, nothing is deleted.
        """
        what = "nothing was deleted"
        with self._transaction(what) as conn:
            rows = conn.execute(_SELECT.format(kind="kind") + " WHERE (?1 IS NULL OR notebook = ?1) ORDER BY id",
                                (notebook,)).fetchall()
            if not rows:
                return ResetResult(0, None)
            path = None
            if backup:
                doc = export_document([_row_to_attempt(r) for r in rows], None,
                                      backup_of=notebook or "all notebooks")
                path = self._write_backup(doc)
            conn.execute("DELETE FROM attempts WHERE (?1 IS NULL OR notebook = ?1)", (notebook,))
        return ResetResult(len(rows), path)

    def restore(self, attempts) -> RestoreResult:
        """Merge attempts (export dicts, e.g. ``read_attempts_file(path).attempts``) into this file.

        An attempt already saved (same notebook, question, time, answer and kind: see
        :func:`attempt_identity`) is not added twice.  The attempts of each question are then
        numbered again 1, 2, ... in order of time, so an earlier answer brought back counts before
        later ones.  All of it is one transaction, and a JSON backup of what the file held is
        written first (next to it, like a reset's): if the backup cannot be written, nothing changes.
        Raises :class:`ProgressError` when the file cannot be written (nothing is restored then).
        """
        incoming = [a.to_dict() if isinstance(a, Attempt) else dict(a) for a in attempts]
        if self.in_memory:
            raise ProgressError("Your progress is kept in memory only in this session, so nothing was restored. "
                                f"To fix it, {set_location_advice()}.")
        with self._transaction("nothing was restored") as conn:
            rows = conn.execute(_SELECT.format(kind="kind") + " ORDER BY id").fetchall()
            existing = [_row_to_attempt(r).to_dict() for r in rows]
            merged, added, duplicates = merge_attempts(existing, incoming)
            if not added:
                return RestoreResult(0, duplicates, None)
            backup = None
            if existing:
                backup = self._write_backup(export_document(existing, None,
                                                            backup_of="all notebooks, before a restore"))
            touched = sorted({(a["notebook"], a["question_id"]) for a in merged if a.get("_new")})
            for notebook, qid in touched:
                conn.execute("DELETE FROM attempts WHERE notebook = ? AND question_id = ?", (notebook, qid))
                for a in merged:
                    if (a["notebook"], a["question_id"]) != (notebook, qid):
                        continue
                    conn.execute(
                        "INSERT INTO attempts (notebook, question_id, attempt, answer, correct, score, timestamp, "
                        "misconceptions, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (notebook, qid, a["attempt"], json.dumps(a["answer"], ensure_ascii=False),
                         int(bool(a["correct"])), float(a["score"]), a["timestamp"],
                         json.dumps(list(a["misconceptions"])), a.get("kind", "answer")))
        return RestoreResult(added, duplicates, backup)

    def backup_dirs(self) -> list[Path]:
        """Where backups go: next to the store file; else the user data folder, the current folder, tmp."""
        import tempfile

        dirs = [self.path.parent] if self.path is not None else []
        if self.requested_path is not None:
            dirs.append(self.requested_path.parent)
        try:
            import platformdirs

            dirs.append(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))
        except (ImportError, RuntimeError, KeyError):  # no home folder: the other places remain
            pass
        try:
            dirs.append(Path.cwd())
        except OSError:  # the current folder was deleted
            pass
        dirs.append(Path(tempfile.gettempdir()))
        return list(dict.fromkeys(dirs))

    def _write_backup(self, doc: dict) -> Path:
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        problems = []
        for folder in self.backup_dirs():
            try:
                return _write_new(folder, "progress-backup", ".json", text)
            except OSError as exc:
                problems.append(f"{folder}: {exc.strerror or exc}")
        raise ProgressError("A backup of the answers could not be written anywhere ("
                            + "; ".join(problems) + "), so nothing was deleted.")


def _create_private(path: Path) -> None:
    """Create ``path`` as an empty file only its owner may read and write, unless it exists.

    SQLite treats an empty file as an empty database and gives its journal the
    database file's permissions, so no answer is ever in a file others can read.
    """
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def _write_new(folder: Path, stem: str, ext: str, text: str) -> Path:
    """Write text to a new file ``<stem>-<UTC time>[-n]<ext>`` in folder (never overwrites)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _stamp()
    for n in range(1, 1000):
        path = folder / (f"{stem}-{stamp}{ext}" if n == 1 else f"{stem}-{stamp}-{n}{ext}")
        try:
            with open(path, "x", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"too many backups in {folder} this second")


# --------------------------------------------------------------------------- process-wide store

_STORE: ProgressStore | None = None
_STORE_PATH: Path | str | None = None
_STORE_LOCK = threading.Lock()


_NO_HOME = "<no home folder>"  # the key of the in-memory store used when there is no home folder


def get_store() -> ProgressStore:
    """The process-wide store (re-opened if ``$ILIOPSOAS_PROGRESS`` now names another file).

    Never raises for where the file is: with no home folder and no ``ILIOPSOAS_PROGRESS`` it is
    an in-memory store whose warning says to set ``ILIOPSOAS_PROGRESS`` (see :func:`default_path`).
    """
    global _STORE, _STORE_PATH
    try:
        path, problem = default_path(), None
    except NoHomeError as exc:
        path, problem = _NO_HOME, exc
    with _STORE_LOCK:
        if _STORE is None or _STORE_PATH != path:
            if problem is None:
                _STORE = ProgressStore(path)
            else:
                _STORE = ProgressStore(None)
                _STORE.warnings.append(f"Your progress will not be saved in this session. {problem}")
            _STORE_PATH = path
        return _STORE


# --------------------------------------------------------------------------- exports

def export_document(attempts, student: str | None, course: str | None = None,
                    exported_at: str | None = None, **extra) -> dict:
    """The export format: one JSON document to hand in (the store's path is not included)."""
    doc = {"format": EXPORT_FORMAT, "format_version": EXPORT_VERSION,
           "course": course if course is not None else course_title(),
           "student": student, "exported_at": exported_at or now_iso()}
    doc.update(extra)
    doc["attempts"] = [a.to_dict() if isinstance(a, Attempt) else dict(a) for a in attempts]
    return doc


def export_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def export_csv(doc: dict) -> str:
    """The export as CSV: one row per attempt, each with the student and the format version.

    Written by the course's one CSV writer (:func:`iliopsoas.csvfiles.csv_text`): a UTF-8
    byte-order mark first, and every text cell that a spreadsheet could run as a formula (a
    student name like ``=HYPERLINK(...)``) prefixed with an apostrophe; :func:`read_export` undoes it.
    """
    rows = [[doc["format_version"], doc["course"], doc["student"] or "", doc["exported_at"], a["notebook"],
             a["question_id"], a["attempt"], 1 if a["correct"] else 0, repr(float(a["score"])), a["timestamp"],
             json.dumps(a["answer"], ensure_ascii=False), ";".join(a["misconceptions"]), a.get("kind", "answer")]
            for a in doc["attempts"]]
    return csv_text(CSV_FIELDS, rows)


# Ids in exports must look like the question banks' ids (quizzes/schema.json; a test checks they agree):
# anything else (a hand-edited "=1+1") is refused before it can reach an instructor's spreadsheet.
NOTEBOOK_PATTERN = re.compile(r"^[0-9][0-9]-[a-z0-9]+(-[a-z0-9]+)*$")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: A decision of a clinical case names the case and its step: ids joined by "/" or ":" ("case-ana/step-2").
DECISION_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*([/:][a-z0-9]+(-[a-z0-9]+)*)*$")
_ID_RULE = "lower-case letters, digits and hyphens, as in the question banks"


def parse_time(stamp: str) -> datetime:
    """An ISO-8601 time (``Z`` or an offset; no zone is taken as UTC) as an aware datetime; ValueError if not."""
    when = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _check_attempt(a, where: str) -> dict:
    """Validate one attempt mapping of an export; return it normalised."""
    if not isinstance(a, dict):
        raise ValueError(f"{where} is not a mapping")
    a = dict(a)
    a.setdefault("kind", "answer")  # exports of format version 1 have no kind: every row was an answer
    missing = [k for k in ATTEMPT_FIELDS if k not in a]
    if missing:
        raise ValueError(f"{where} is missing {', '.join(repr(k) for k in missing)}")
    for key in ("notebook", "question_id", "timestamp"):
        if not isinstance(a[key], str) or not a[key]:
            raise ValueError(f"{where}: {key!r} must be a non-empty text")
    if not isinstance(a["correct"], bool):
        raise ValueError(f"{where}: 'correct' must be true or false, not {a['correct']!r}")
    if isinstance(a["score"], bool) or not isinstance(a["score"], (int, float)) or not 0 <= a["score"] <= 1:
        raise ValueError(f"{where}: 'score' must be a number from 0 to 1, not {a['score']!r}")
    if isinstance(a["attempt"], bool) or not isinstance(a["attempt"], int) or a["attempt"] < 1:
        raise ValueError(f"{where}: 'attempt' must be a whole number from 1, not {a['attempt']!r}")
    if not isinstance(a["misconceptions"], list) or not all(isinstance(t, str) for t in a["misconceptions"]):
        raise ValueError(f"{where}: 'misconceptions' must be a list of tags")
    if a["kind"] not in KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, not {a['kind']!r}")
    if not NOTEBOOK_PATTERN.match(a["notebook"]):
        raise ValueError(f"{where}: 'notebook' {a['notebook']!r} is not a lesson name (like 01-anatomy)")
    id_pattern = DECISION_ID_PATTERN if a["kind"] == "decision" else ID_PATTERN
    if not id_pattern.match(a["question_id"]):
        raise ValueError(f"{where}: 'question_id' {a['question_id']!r} is not a question id ({_ID_RULE})")
    for tag in a["misconceptions"]:
        if not ID_PATTERN.match(tag):
            raise ValueError(f"{where}: 'misconceptions' holds {tag!r}, not a misconception tag ({_ID_RULE})")
    try:
        parse_time(a["timestamp"])
    except ValueError:
        raise ValueError(f"{where}: 'timestamp' {a['timestamp']!r} is not an ISO 8601 time") from None
    return {k: (float(a[k]) if k == "score" else a[k]) for k in ATTEMPT_FIELDS}


def attempt_identity(a) -> tuple:
    """What makes two records the same attempt: notebook, question, time, answer and kind.

    The time is compared as an instant (``...Z`` and ``...+00:00`` are the same); the answer as
    canonical JSON (key order does not matter).  Attempt numbers do not count: two copies of one
    answer can be numbered differently in two files.
    """
    get = (lambda k, d=None: a.get(k, d)) if isinstance(a, dict) else (lambda k, d=None: getattr(a, k, d))
    try:
        when = parse_time(get("timestamp")).isoformat()
    except (ValueError, AttributeError):
        when = str(get("timestamp"))
    return (get("notebook"), get("question_id"), when,
            json.dumps(get("answer"), sort_keys=True, ensure_ascii=False), get("kind", "answer") or "answer")


def merge_attempts(existing, incoming) -> tuple[list[dict], int, int]:
    """Union of two lists of attempt dicts, duplicates dropped, numbered again by time.

    Returns (merged, added, duplicates): ``merged`` holds every attempt of ``existing`` and each
    attempt of ``incoming`` not already there (by :func:`attempt_identity`; repeats inside
    ``incoming`` count once), ordered per notebook + question by time (ties keep the order of
    ``existing`` then ``incoming``) and numbered 1, 2, ...; the added ones carry ``"_new": True``.
    ``added`` + ``duplicates`` == ``len(incoming)``.
    """
    seen, merged = set(), []
    for a in existing:
        seen.add(attempt_identity(a))
        merged.append(dict(a))
    added = duplicates = 0
    for a in incoming:
        key = attempt_identity(a)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        merged.append(dict(a, _new=True))
        added += 1
    by_question: dict[tuple, list[tuple]] = {}
    for order, a in enumerate(merged):
        try:
            when = parse_time(a["timestamp"])
        except (ValueError, AttributeError):
            when = datetime.max.replace(tzinfo=timezone.utc)
        by_question.setdefault((a["notebook"], a["question_id"]), []).append((when, order, a))
    out = []
    for items in by_question.values():
        items.sort(key=lambda t: (t[0], t[1]))
        for number, (_when, _order, a) in enumerate(items, start=1):
            a["attempt"] = number
            out.append(a)
    out.sort(key=lambda a: (a["notebook"], a["question_id"], a["attempt"]))
    return out, added, duplicates


def _parse_json(text: str, path) -> Export:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise ExportError(path, "not an iliopsoas progress export (its \"format\" should be "
                                f"{EXPORT_FORMAT!r}); make one with: python -m iliopsoas progress export")
    version = doc.get("format_version")
    if version not in READABLE_EXPORT_VERSIONS:
        raise ExportError(path, f"format version {version!r} is not supported (this course reads versions "
                                f"{' and '.join(map(str, READABLE_EXPORT_VERSIONS))})")
    missing = [k for k in ("student", "exported_at", "attempts") if k not in doc]
    if missing:
        raise ExportError(path, f"missing field{'s' if len(missing) > 1 else ''} "
                                f"{', '.join(repr(k) for k in missing)}")
    if not isinstance(doc["attempts"], list):
        raise ExportError(path, "'attempts' must be a list")
    try:
        attempts = [_check_attempt(a, f"attempt #{i}") for i, a in enumerate(doc["attempts"], start=1)]
    except ValueError as exc:
        raise ExportError(path, str(exc)) from exc
    student = doc["student"]
    if student is not None and not isinstance(student, str):
        raise ExportError(path, "'student' must be a text")
    return Export(str(path), version, str(doc.get("course") or ""), student, str(doc["exported_at"]), attempts)


def _parse_csv(text: str, path) -> Export:
    import csv

    try:
        header, table = read_csv_rows(text)
    except csv.Error as exc:
        raise ExportError(path, f"not a readable CSV file ({exc})") from exc
    missing = [c for c in CSV_FIELDS if c not in header and c != "kind"]  # version 1 has no kind
    if missing:
        raise ExportError(path, "not an iliopsoas progress export: the CSV header lacks "
                                f"{', '.join(missing)}")
    attempts, students, versions, courses, times = [], set(), set(), set(), set()
    for line, row in table:
        where = f"line {line}"
        try:
            versions.add(int(row["format_version"]))
            students.add(row["student"])
            courses.add(row["course"])
            times.add(row["exported_at"])
            if row["correct"] not in ("0", "1"):
                raise ValueError(f"'correct' must be 0 or 1, not {row['correct']!r}")
            if any(row[c] is None for c in CSV_FIELDS if c != "kind"):
                raise ValueError("has fewer cells than the header")
            tags = [t for t in (row["misconceptions"] or "").split(";") if t]
            attempt = {"notebook": row["notebook"], "question_id": row["question_id"],
                       "answer": json.loads(row["answer"]), "correct": row["correct"] == "1",
                       "score": float(row["score"]), "attempt": int(row["attempt"]),
                       "timestamp": row["timestamp"], "misconceptions": tags,
                       "kind": row.get("kind") or "answer"}
            attempts.append(_check_attempt(attempt, where))
        except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
            msg = str(exc) if str(exc).startswith(where) else f"{where}: {exc}"
            raise ExportError(path, msg) from exc
    if versions - set(READABLE_EXPORT_VERSIONS):
        raise ExportError(path, f"format version {sorted(versions - set(READABLE_EXPORT_VERSIONS))[0]} is not "
                                f"supported (this course reads versions "
                                f"{' and '.join(map(str, READABLE_EXPORT_VERSIONS))})")
    if len(students) > 1:
        raise ExportError(path, f"holds several students ({', '.join(sorted(students))}); "
                                "hand in one export per student")
    student = next(iter(students)) if students else None
    return Export(str(path), max(versions) if versions else EXPORT_VERSION, next(iter(courses), ""), student or None,
                  max(times) if times else "", attempts)


def read_export(path) -> Export:
    """Read and check an export (JSON or CSV, told apart by content); raises ExportError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if raw.startswith(SQLITE_HEADER):
        raise ExportError(path, "is a progress file (SQLite), not an export; make an export with: "
                                "python -m iliopsoas progress export --student \"Name\"")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportError(path, "is not a text file (not UTF-8)") from exc
    stripped = text.lstrip()
    if not stripped:
        raise ExportError(path, "is empty")
    if stripped[0] in "{[" or path.suffix.lower() == ".json":
        return _parse_json(text, path)
    return _parse_csv(text, path)


def read_attempts_file(path) -> Export:
    """The attempts of a file ``progress restore`` can bring back; raises ExportError naming the problem.

    Reads an export (JSON or CSV), a backup written before a reset (``progress-backup-*.json``), or
    a progress file itself (SQLite), including one moved aside as damaged
    (``progress.sqlite3.corrupt-*``): every row SQLite can still read is returned, and
    ``Export.notes`` says what could not be read.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if head != SQLITE_HEADER:
        return read_export(path)
    return _read_progress_file(path)


def _read_progress_file(path: Path) -> Export:
    """Every attempt row SQLite can read from a progress file, even a damaged one (read as it is)."""
    uri = f"{path.absolute().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise ExportError(path, f"cannot be opened as a progress file ({exc})") from exc
    notes: list[str] = []
    try:
        try:
            columns = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
        except sqlite3.DatabaseError as exc:
            raise ExportError(path, f"is too damaged to read ({exc})") from exc
        if not _COLUMNS <= columns:
            raise ExportError(path, "is an SQLite file but not a progress file of this course")
        sql = _SELECT.format(kind="kind" if "kind" in columns else "'answer'").replace(
            " FROM attempts", ", id FROM attempts")
        rows: dict[int, tuple] = {}
        damaged = False
        for order in ("ASC", "DESC"):  # from both ends, so rows after a damaged page are found too
            try:
                for row in conn.execute(f"{sql} ORDER BY id {order}"):
                    rows[row[-1]] = row[:-1]
                break
            except sqlite3.DatabaseError:
                damaged = True
        if damaged:
            notes.append(f"{path} is damaged: {len(rows)} saved answer(s) could be read, others may be lost")
    finally:
        conn.close()
    attempts, skipped = [], 0
    for rowid in sorted(rows):
        try:
            attempts.append(_check_attempt(_row_to_attempt(rows[rowid]).to_dict(), f"row {rowid}"))
        except (ValueError, TypeError):  # a damaged row (bad JSON, bad values): skip it, say so
            skipped += 1
    if skipped:
        notes.append(f"{skipped} row(s) of {path} could not be read and were left out")
    return Export(str(path), EXPORT_VERSION, "", None, "", attempts, notes)
