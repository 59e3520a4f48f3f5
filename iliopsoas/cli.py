"""The command line: ``python -m iliopsoas ...`` (or ``iliopsoas ...``).

    python -m iliopsoas validate
    python -m iliopsoas answer-key [--format md|html] [--notebook SLUG ...] [--output FILE]
    python -m iliopsoas progress export --student NAME [--format json|csv] [--output FILE]
    python -m iliopsoas progress where
    python -m iliopsoas progress reset [--notebook SLUG] --yes
    python -m iliopsoas progress restore FILE
    python -m iliopsoas gradebook EXPORT... --output grades.csv [--totals totals.csv] \\
        [--objectives objectives.csv] [--misconceptions misconceptions.csv] [--merge]
    python -m iliopsoas hub-link --hub https://hub.example.edu [--branch main] [--notebook 01-anatomy] [--repo URL]

Every mistake gets a message and a non-zero exit status, never a traceback:
1 for "the banks have problems" / "refused" / "no progress file" / "no home
folder: set ILIOPSOAS_PROGRESS", 2 for bad input (bad arguments, bad export
files, unknown notebooks, a --format that contradicts the --output file's
extension, files that cannot be written), 3 for an unexpected failure
(``ILIOPSOAS_DEBUG=1`` shows its traceback).

Two exports for the same student (names compared after Unicode normalisation,
ignoring case and spaces): if one holds every attempt of the other (the student
exported twice), the larger one is used and a note says so; otherwise the
gradebook refuses (exit 2) naming both files, because two different people with
one name cannot be told apart safely, unless ``--merge`` says they are one
person's exports (their attempts are joined, duplicates dropped).
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A message for the user and an exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: usage + message, exit 2, no traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


# --------------------------------------------------------------------------- helpers

def _out(text: str) -> None:
    """Print to stdout, even where the console cannot encode every character."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.buffer.write(text.encode(sys.stdout.encoding or "utf-8", "replace"))
    sys.stdout.flush()


def _note(text: str) -> None:
    print(text, file=sys.stderr)


def _user_path(text) -> Path:
    """A path given on the command line, with ~ expanded; "~" without a home folder is a CliError."""
    try:
        return Path(text).expanduser()
    except RuntimeError as exc:
        raise CliError(f"{text} starts with ~, but there is no home folder ({exc}); give the full path.") from exc


def _write_output(text: str, output: str | None, what: str, encoding: str = "utf-8") -> None:
    """Write to a file or to stdout; a file that cannot be written is a CliError."""
    if output in (None, "-"):
        _out(text)
        return
    path = _user_path(output)
    try:
        path.write_text(text, encoding=encoding, newline="")
    except OSError as exc:
        raise CliError(f"cannot write {what} to {path}: {exc.strerror or exc}") from exc
    _note(f"Wrote {what} to {path}")


def _course_root():
    from .paths import course_root

    try:
        return course_root()
    except FileNotFoundError as exc:
        raise CliError(str(exc)) from exc


def _progress_path() -> Path:
    """The progress file; no home folder (and no ILIOPSOAS_PROGRESS) is a CliError saying what to set."""
    from .progress.store import NoHomeError, default_path

    try:
        return default_path()
    except NoHomeError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from exc


#: File extensions that name a format (an --output ending in one of them must match --format).
FORMAT_OF_EXTENSION = {".json": "json", ".csv": "csv", ".md": "md", ".markdown": "md", ".html": "html",
                       ".htm": "html", ".xlsx": "xlsx", ".xls": "xls", ".ods": "ods", ".pdf": "pdf",
                       ".sqlite3": "sqlite", ".ipynb": "ipynb", ".yml": "yaml", ".yaml": "yaml"}


def _choose_format(fmt: str | None, output: str | None, allowed: tuple[str, ...], default: str) -> str:
    """The format to write: ``--format`` if given, else the one the output file's extension names,
    else ``default``.  A ``--format`` that contradicts the extension (``--format csv --output x.json``),
    or an extension naming a format this command cannot write, is a CliError."""
    named = None
    if output not in (None, "-"):
        named = FORMAT_OF_EXTENSION.get(Path(output).suffix.lower())
    if fmt is None:
        if named is None:
            return default
        if named not in allowed:
            raise CliError(f"--output {output} is a {Path(output).suffix.lower()} file, but this command writes "
                           f"{' or '.join(a.upper() for a in allowed)}; use a file name ending in "
                           f"{' or '.join('.' + a for a in allowed)}")
        return named
    if named is not None and named != fmt:
        raise CliError(f"--format {fmt} does not match --output {output} (a .{Path(output).suffix[1:]} file); "
                       f"use --output {Path(output).with_suffix('.' + fmt).name} or --format "
                       f"{named if named in allowed else ' / '.join(a for a in allowed if a != fmt)}")
    return fmt


def _notebook_slug(name: str) -> str:
    """A --notebook value as a lesson name: 'notebooks/01-anatomy.ipynb' and '01-anatomy.yml' -> '01-anatomy'."""
    stem = Path(name.strip()).name
    for suffix in (".ipynb", ".yml", ".yaml"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem


def _known_notebooks(also=()) -> list[str]:
    """Every lesson name the course knows: question banks, the course map, and ``also``."""
    from .course import load_lessons
    from .quiz.banks import bank_paths

    names = [p.stem for p in bank_paths(_course_root())]
    try:
        names += [lesson.slug for lesson in load_lessons()]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # a broken course map: the banks are enough to name the lessons
    names += list(also)
    return sorted(dict.fromkeys(names))


def _check_notebooks(names, known: list[str], what: str) -> list[str]:
    """The --notebook values as lesson names; an unknown one is a CliError listing the known ones."""
    out, unknown = [], []
    for name in names:
        slug = _notebook_slug(name)
        (out if slug in known else unknown).append(slug)
    if unknown:
        hints = []
        for slug in unknown:
            close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
            hints.append(f"{slug!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise CliError(f"unknown notebook {', '.join(hints)}: {what} knows "
                       f"{', '.join(known) if known else '(none)'}. Nothing was done.")
    return out


# --------------------------------------------------------------------------- validate

def cmd_validate(args) -> int:
    from .quiz.banks import bank_paths, check_course
    from .quiz.cases import check_cases

    root = _course_root()
    course, errors = check_course(root)
    cases, case_errors = check_cases(root)  # the clinical cases (quizzes/cases/), checked the same way
    errors = list(errors) + [e for e in case_errors if e.file.startswith("quizzes/cases/")]
    if errors:
        for err in errors:
            _out(f"{err}\n")
        files = len({e.file for e in errors})
        n = len(errors)
        _out(f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}.\n")
        return EXIT_PROBLEMS
    banks = len(bank_paths(root))
    questions = sum(len(b.questions) for b in course.banks.values())
    _out(f"OK: {banks} bank{'s' if banks != 1 else ''}, {questions} question{'s' if questions != 1 else ''}, "
         f"{len(cases)} clinical case{'s' if len(cases) != 1 else ''}, no problems.\n")
    return 0


# --------------------------------------------------------------------------- answer key

def cmd_answer_key(args) -> int:
    from .quiz.answer_key import render_answer_key
    from .quiz.banks import BankValidationError, load_course

    _course_root()
    try:
        course = load_course()
    except BankValidationError as exc:
        raise CliError(exc.report() + "\nFix them first (python -m iliopsoas validate).", EXIT_PROBLEMS) from exc
    fmt = _choose_format(args.format, args.output, ("md", "html"), "md")
    notebooks = _check_notebooks(args.notebook, list(course.banks), "the answer key") if args.notebook else None
    from .api import marker_figure  # label questions' pictures (the quiz layer does not draw)

    text = render_answer_key(course, fmt=fmt, notebooks=notebooks, label_figure=marker_figure)
    _write_output(text, args.output, "the answer key")
    return 0


# --------------------------------------------------------------------------- progress

def _not_the_store(output: str | None, path: Path) -> None:
    """Refuse to write an output over the progress file itself."""
    if output in (None, "-"):
        return
    try:
        same = _user_path(output).resolve() == path.resolve()
    except OSError:
        same = False
    if same:
        raise CliError(f"--output {output} is your progress file itself; choose another file name. "
                       "Nothing was written.")


def cmd_progress_export(args) -> int:
    from .progress.store import ProgressError, ProgressStore, export_csv, export_json

    student = " ".join(args.student.split())
    if not student:
        raise CliError("--student needs your name (for example --student \"Ada Lovelace\")")
    path = _progress_path()
    _not_the_store(args.output, path)
    fmt = _choose_format(args.format, args.output, ("json", "csv"), "json")
    try:
        store = ProgressStore(path, readonly=True)
        doc = store.export(student)
    except ProgressError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from exc
    text = export_json(doc) if fmt == "json" else _csv_for(export_csv(doc), args.output)
    n = len(doc["attempts"])
    if n == 0:
        _note(f"Note: {store.path} holds no answers yet, so the export is empty.")
    _write_output(text, args.output, f"{n} answer{'s' if n != 1 else ''} ({fmt.upper()})")
    return 0


def _csv_for(text: str, output: str | None) -> str:
    """CSV text as written: with its byte-order mark in a file or a pipe, without it on a terminal."""
    from .csvfiles import BOM

    if output in (None, "-") and sys.stdout.isatty() and text.startswith(BOM):
        return text[len(BOM):]
    return text


def cmd_progress_where(args) -> int:
    path = _progress_path()
    _out(f"{path}\n")
    if not path.exists():
        _note("(No progress saved there yet: the file is created when you check your first answer.)")
    return 0


def cmd_progress_reset(args) -> int:
    from .progress.store import ProgressError, ProgressStore

    path = _progress_path()
    if args.notebook:
        saved = []
        if path.is_file():
            try:
                saved = [a.notebook for a in ProgressStore(path, readonly=True).attempts()]
            except ProgressError:
                saved = []
        (args.notebook,) = _check_notebooks([args.notebook], _known_notebooks(saved), "the course")
    what = f"notebook {args.notebook}" if args.notebook else "every notebook"
    if not path.exists():
        raise CliError(f"There is no progress file at {path}: nothing to reset.", EXIT_PROBLEMS)
    if not args.yes:
        try:
            count = len(ProgressStore(path, readonly=True).attempts(notebook=args.notebook))
        except ProgressError as exc:
            raise CliError(str(exc), EXIT_PROBLEMS) from exc
        raise CliError(f"This would delete {count} saved answer{'s' if count != 1 else ''} of {what} "
                       f"in {path}. Nothing was deleted. Add --yes to do it (a JSON backup is "
                       "written first).", EXIT_PROBLEMS)
    store = ProgressStore(path)
    for warning in store.warnings:
        _note(f"Warning: {warning}")
    if store.in_memory:
        raise CliError(f"The progress file {path} cannot be used, so nothing was deleted.", EXIT_PROBLEMS)
    try:
        result = store.reset(args.notebook)
    except ProgressError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from exc
    if result.deleted == 0:
        _out(f"No saved answers of {what}: nothing was deleted.\n")
    else:
        _out(f"Deleted {result.deleted} saved answer{'s' if result.deleted != 1 else ''} of {what}. "
             f"Backup: {result.backup} (bring it back with: python -m iliopsoas progress restore "
             f"{result.backup})\n")
    return 0


def cmd_progress_restore(args) -> int:
    from .progress.store import ExportError, ProgressError, ProgressStore, read_attempts_file

    path = _progress_path()
    source = _user_path(args.file)
    try:
        if source.resolve() == path.resolve():
            raise CliError(f"{source} is your progress file itself: there is nothing to restore from it.")
    except OSError:
        pass
    try:
        found = read_attempts_file(source)
    except ExportError as exc:
        raise CliError(f"Cannot restore from {exc.path}: {exc.problem}. Nothing was changed.") from exc
    for note in found.notes:
        _note(f"Note: {note}")
    if not found.attempts:
        raise CliError(f"{source} holds no answers: nothing to restore.", EXIT_PROBLEMS)
    store = ProgressStore(path)
    for warning in store.warnings:
        _note(f"Warning: {warning}")
    if store.in_memory or store.readonly:
        raise CliError(f"The progress file {path} cannot be written, so nothing was restored.", EXIT_PROBLEMS)
    try:
        result = store.restore(found.attempts)
    except ProgressError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from exc
    n = len(found.attempts)
    if result.added == 0:
        _out(f"All {n} answer{'s' if n != 1 else ''} in {source} are already in {path}: nothing was added.\n")
        return 0
    already = f" ({result.duplicates} were already there)" if result.duplicates else ""
    backup = f" A copy of the file as it was before: {result.backup}" if result.backup else ""
    _out(f"Restored {result.added} answer{'s' if result.added != 1 else ''} from {source} into {path}"
         f"{already}; each question's attempts are numbered again in order of time.{backup}\n")
    return 0


# --------------------------------------------------------------------------- gradebook

def cmd_gradebook(args) -> int:
    from .csvfiles import csv_text
    from .progress.gradebook import GradebookError, gradebook_tables, merge_students
    from .progress.store import ExportError, read_export
    from .quiz.banks import check_course

    exports, problems = [], []
    for name in args.exports:
        try:
            exports.append(read_export(name))
        except ExportError as exc:
            problems.append(f"{exc.path}: {exc.problem}")
    if problems:
        raise CliError("Cannot read these exports (nothing was written):\n" +
                       "\n".join(f"  {p}" for p in problems))
    outputs = [("grades", args.output), ("totals", args.totals), ("objectives", args.objectives),
               ("misconceptions", args.misconceptions), ("cases", args.cases)]
    for _table, output in outputs:
        if output:
            _choose_format(None, output, ("csv",), "csv")
            for name in args.exports:
                try:
                    if _user_path(output).resolve() == _user_path(name).resolve():
                        raise CliError(f"--output {output} is one of the exports; choose another file name. "
                                       "Nothing was written.")
                except OSError:
                    pass
    try:
        students, notes = merge_students(exports, merge=args.merge)
    except GradebookError as exc:
        raise CliError(str(exc)) from exc
    for note in notes:
        _note(note)
    course, errors = check_course(_course_root())
    if errors:
        _note(f"Warning: the question banks have {len(errors)} problem(s) (run python -m iliopsoas validate); "
              "questions of banks with problems are left out.")
    tables = gradebook_tables(students, course)
    for table, output in outputs:
        if output:
            header, rows = tables[table]
            # the course's one CSV writer: byte-order mark, every text cell safe from formula injection
            _write_output(_csv_for(csv_text(header, rows), output), output, f"{table} ({len(rows)} rows)")
    n = len(students)
    _note(f"Read {len(exports)} export{'s' if len(exports) != 1 else ''} ({n} student{'s' if n != 1 else ''}).")
    return 0


# --------------------------------------------------------------------------- hub link

def cmd_hub_link(args) -> int:
    from .hub import HubLinkError, hub_link

    try:
        link = hub_link(args.hub, notebook=args.notebook, branch=args.branch, repo=args.repo,
                        folder=args.folder, root=_course_root())
    except HubLinkError as exc:
        raise CliError(str(exc)) from exc
    _out(link.url + "\n")
    _note(f"Each student who opens it gets {link.repo} (branch {link.branch}) in ~/{link.folder} "
          f"and JupyterLab opens {link.notebook_path}.")
    return 0


# --------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m iliopsoas",
                     description="Tools for the iliopsoas course: check the question banks, print the "
                                 "answer key, export or reset saved progress, build a gradebook.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check every question bank and clinical case; list each problem")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("answer-key", help="the instructor answer key (Markdown or HTML)")
    p.add_argument("--format", choices=("md", "html"),
                   help="md (default) or html (default when --output ends in .html)")
    p.add_argument("--notebook", action="append", metavar="SLUG",
                   help="only this notebook's questions (repeat for more), e.g. 01-anatomy")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of the screen")
    p.set_defaults(func=cmd_answer_key)

    p = sub.add_parser("progress", help="your saved progress: export, where, reset, restore")
    psub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    psub.required = True
    e = psub.add_parser("export", help="one file with all your answers, to hand in")
    e.add_argument("--student", required=True, metavar="NAME", help="your name, as your instructor knows it")
    e.add_argument("--format", choices=("json", "csv"),
                   help="json (default) or csv (default when --output ends in .csv); must match --output's "
                        "extension")
    e.add_argument("--output", metavar="FILE", help="write to FILE instead of the screen")
    e.set_defaults(func=cmd_progress_export)
    w = psub.add_parser("where", help="print where your progress file is")
    w.set_defaults(func=cmd_progress_where)
    r = psub.add_parser("reset", help="delete saved answers (after writing a backup)")
    r.add_argument("--notebook", metavar="SLUG", help="only this notebook (default: everything)")
    r.add_argument("--yes", action="store_true", help="really delete (required)")
    r.set_defaults(func=cmd_progress_reset)
    s = psub.add_parser("restore", help="bring back answers from a backup, an export or a moved-aside file")
    s.add_argument("file", metavar="FILE", help="a progress-backup-*.json, an export (JSON or CSV), or a "
                                                "progress file (also one moved aside as damaged)")
    s.set_defaults(func=cmd_progress_restore)

    g = sub.add_parser("gradebook", help="merge students' exports into CSV tables")
    g.add_argument("exports", nargs="+", metavar="EXPORT", help="export files (JSON or CSV)")
    g.add_argument("--output", required=True, metavar="grades.csv",
                   help="one row per student and question")
    g.add_argument("--totals", metavar="totals.csv",
                   help="per student: a total per lesson and overall (outcomes, credit, percent)")
    g.add_argument("--objectives", metavar="objectives.csv", help="a score per student and objective")
    g.add_argument("--misconceptions", metavar="misconceptions.csv",
                   help="how many students hold each misconception")
    g.add_argument("--cases", metavar="cases.csv",
                   help="the clinical cases: per student and case, the first finished play-through's safe, "
                        "efficient and diagnosis marks and score, and the latest one's")
    g.add_argument("--merge", action="store_true",
                   help="join two exports of one student that disagree (union of attempts by time, "
                        "duplicates dropped) instead of stopping")
    g.set_defaults(func=cmd_gradebook)

    h = sub.add_parser("hub-link", help="an nbgitpuller link that puts the course in each student's home on a "
                                        "JupyterHub and opens a notebook")
    h.add_argument("--hub", required=True, metavar="URL", help="the hub's address, e.g. https://hub.example.edu")
    h.add_argument("--notebook", default="00-start-here", metavar="SLUG",
                   help="the notebook to open (default 00-start-here), e.g. 01-anatomy")
    h.add_argument("--branch", default="main", help="the branch students get (default main)")
    h.add_argument("--repo", metavar="URL", help="the course's repository (default: this checkout's git remote)")
    h.add_argument("--folder", default="iliopsoas-course", metavar="NAME",
                   help="the folder in each student's home (default iliopsoas-course)")
    h.set_defaults(func=cmd_hub_link)
    return parser


def _quiet_matplotlib_without_a_home() -> None:
    """With no home folder, matplotlib warns on stderr that it made a temporary cache; give it one first."""
    from .progress.store import home_folder

    if "MPLCONFIGDIR" not in os.environ and home_folder() is None:
        import tempfile

        os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="iliopsoas-matplotlib-")


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 when all went well)."""
    _quiet_matplotlib_without_a_home()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"error: {exc.strerror or exc}{f' ({exc.filename})' if exc.filename else ''}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a last resort: a message, not a traceback
        if os.environ.get("ILIOPSOAS_DEBUG"):
            raise
        print(f"error: unexpected problem ({type(exc).__name__}: {exc}). Please report it; run with "
              "ILIOPSOAS_DEBUG=1 to see the details.", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
