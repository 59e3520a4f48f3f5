"""Read one YAML data file with an error that names the file and, for bad YAML, the line.

Every course data file (red flags, conditions, the differential, test accuracy,
the lessons' tables) is read through :func:`read_yaml`, so a student or author
who breaks one meets the same kind of message::

    differential.yml: is not valid YAML at line 12, column 5

Base layer: no matplotlib, no widgets (see docs/CONTRACTS.md, "Layout and layers").
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml


def read_yaml(path: str | Path, name: str | None = None, error: type[Exception] = ValueError):
    """Parse the YAML file at ``path``; the parsed data (any YAML value, ``None`` for an empty file).

    ``name`` is how messages call the file (default: its file name). Raises ``error`` (a
    ``ValueError`` subclass of the caller's, so callers keep their own exception types) with
    ``"<name>: cannot be read (<reason>)"`` for a missing or unreadable file, and
    ``"<name>: is not valid YAML at line L, column C"`` (1-based) for a syntax error.
    """
    name = name or Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise error(f"{name}: cannot be read ({reason})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{name}: is not valid YAML{at}") from exc


def load_validated(path: str | Path, name: str, error: type[Exception], check, build=None):
    """A data file read, checked and built once per version of the file.

    ``check(data) -> list[str]`` returns the problems (sentences naming the file, the entry and the
    field); ``build(data)`` (optional) turns valid data into the caller's objects, which are
    returned.  The result is cached by path and modification time, so an author who edits the file
    sees the change at the next call.  ``check`` and ``build`` must be module-level functions (they
    are part of the cache key).  Raises ``error`` with ``"<name>: not found in <folder>"`` for a
    missing file, :func:`read_yaml`'s messages for an unreadable file or bad YAML, and every
    problem of ``check``, one per line.
    """
    path = Path(path)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise error(f"{name}: not found in {path.parent}") from exc
    return _load_validated(str(path), mtime, name, error, check, build)


@functools.lru_cache(maxsize=32)
def _load_validated(path: str, mtime: float, name: str, error, check, build):
    data = read_yaml(path, name, error)
    problems = check(data)
    if problems:
        raise error("\n".join(problems))
    return build(data) if build is not None else data


__all__ = ["load_validated", "read_yaml"]
