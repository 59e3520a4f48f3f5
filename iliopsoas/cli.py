"""The command line: ``python -m iliopsoas ...`` (or ``iliopsoas ...``).

    python -m iliopsoas validate
    python -m iliopsoas answer-key [--format md|html] [--notebook SLUG ...] [--output FILE]
    python -m iliopsoas progress export --student NAME [--format json|csv] [--output FILE]
    python -m iliopsoas progress where
    python -m iliopsoas progress reset [--notebook SLUG] --yes
    python -m iliopsoas gradebook EXPORT... --output grades.csv \\
        [--objectives objectives.csv] [--misconceptions misconceptions.csv]

Every mistake gets a message and a non-zero exit status, never a traceback:
1 for "the banks have problems" / "refused" / "no progress file", 2 for bad
input (bad arguments, bad export files, unknown notebooks, files that cannot
be written), 3 for an unexpected failure (``ILIOPSOAS_DEBUG=1`` shows its
traceback).

Two exports for the same student (names compared ignoring case and spaces):
if one holds every attempt of the other (the student exported twice), the
larger one is used and a note says so; otherwise the gradebook refuses (exit
2) naming both files, because two different people with one name, or one
person's two computers, cannot be told apart safely.
"""
from __future__ import annotations

import argparse
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


def _write_output(text: str, output: str | None, what: str, encoding: str = "utf-8") -> None:
    """Write to a file or to stdout; a file that cannot be written is a CliError."""
    if output in (None, "-"):
        _out(text)
        return
    path = Path(output).expanduser()
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


# --------------------------------------------------------------------------- validate

def cmd_validate(args) -> int:
    from .quiz.banks import bank_paths, check_course

    root = _course_root()
    course, errors = check_course(root)
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
         "no problems.\n")
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
    try:
        text = render_answer_key(course, fmt=args.format, notebooks=args.notebook or None)
    except KeyError as exc:
        raise CliError(str(exc.args[0]) if exc.args else str(exc)) from exc
    _write_output(text, args.output, "the answer key")
    return 0


# --------------------------------------------------------------------------- progress

def _format_from(args, default="json") -> str:
    if args.format:
        return args.format
    if args.output and args.output.lower().endswith(".csv"):
        return "csv"
    return default


def cmd_progress_export(args) -> int:
    from .progress.store import ProgressError, ProgressStore, default_path, export_csv, export_json

    student = args.student.strip()
    if not student:
        raise CliError("--student needs your name (for example --student \"Ada Lovelace\")")
    try:
        store = ProgressStore(default_path(), readonly=True)
        doc = store.export(student)
    except ProgressError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from exc
    fmt = _format_from(args)
    text = export_json(doc) if fmt == "json" else export_csv(doc)
    n = len(doc["attempts"])
    if n == 0:
        _note(f"Note: {store.path} holds no answers yet, so the export is empty.")
    _write_output(text, args.output, f"{n} answer{'s' if n != 1 else ''} ({fmt.upper()})")
    return 0


def cmd_progress_where(args) -> int:
    from .progress.store import default_path

    path = default_path()
    _out(f"{path}\n")
    if not path.exists():
        _note("(No progress saved there yet: the file is created when you check your first answer.)")
    return 0


def cmd_progress_reset(args) -> int:
    from .progress.store import ProgressError, ProgressStore, default_path

    path = default_path()
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
             f"Backup: {result.backup}\n")
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
    try:
        students, notes = merge_students(exports)
    except GradebookError as exc:
        raise CliError(str(exc)) from exc
    for note in notes:
        _note(note)
    course, errors = check_course(_course_root())
    if errors:
        _note(f"Warning: the question banks have {len(errors)} problem(s) (run python -m iliopsoas validate); "
              "questions of banks with problems are left out.")
    tables = gradebook_tables(students, course)
    outputs = [("grades", args.output), ("objectives", args.objectives), ("misconceptions", args.misconceptions)]
    for table, output in outputs:
        if output:
            header, rows = tables[table]
            # with a byte-order mark, so that spreadsheets read accented names as UTF-8
            _write_output(csv_text(header, rows), output, f"{table} ({len(rows)} rows)", "utf-8-sig")
    n = len(students)
    _note(f"Read {len(exports)} export{'s' if len(exports) != 1 else ''} ({n} student{'s' if n != 1 else ''}).")
    return 0


# --------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m iliopsoas",
                     description="Tools for the iliopsoas course: check the question banks, print the "
                                 "answer key, export or reset saved progress, build a gradebook.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check every question bank; list each problem")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("answer-key", help="the instructor answer key (Markdown or HTML)")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("--notebook", action="append", metavar="SLUG",
                   help="only this notebook's questions (repeat for more), e.g. 01-anatomy")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of the screen")
    p.set_defaults(func=cmd_answer_key)

    p = sub.add_parser("progress", help="your saved progress: export, where, reset")
    psub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    psub.required = True
    e = psub.add_parser("export", help="one file with all your answers, to hand in")
    e.add_argument("--student", required=True, metavar="NAME", help="your name, as your instructor knows it")
    e.add_argument("--format", choices=("json", "csv"),
                   help="json (default) or csv (default when --output ends in .csv)")
    e.add_argument("--output", metavar="FILE", help="write to FILE instead of the screen")
    e.set_defaults(func=cmd_progress_export)
    w = psub.add_parser("where", help="print where your progress file is")
    w.set_defaults(func=cmd_progress_where)
    r = psub.add_parser("reset", help="delete saved answers (after writing a backup)")
    r.add_argument("--notebook", metavar="SLUG", help="only this notebook (default: everything)")
    r.add_argument("--yes", action="store_true", help="really delete (required)")
    r.set_defaults(func=cmd_progress_reset)

    g = sub.add_parser("gradebook", help="merge students' exports into CSV tables")
    g.add_argument("exports", nargs="+", metavar="EXPORT", help="export files (JSON or CSV)")
    g.add_argument("--output", required=True, metavar="grades.csv",
                   help="one row per student and question")
    g.add_argument("--objectives", metavar="objectives.csv", help="a score per student and objective")
    g.add_argument("--misconceptions", metavar="misconceptions.csv",
                   help="how many students hold each misconception")
    g.set_defaults(func=cmd_gradebook)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 when all went well)."""
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
