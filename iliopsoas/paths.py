"""Where the course's files live.

The course's data (``quizzes/``, ``assets/``, ``notebooks/``) is read from the
copy of the course the student is working in, which is not always the folder
the package was installed from.  :func:`course_root` looks, in this order:

1. ``ILIOPSOAS_COURSE_ROOT``, when set (it must hold a course);
2. the folder of the notebook the kernel was started for (Jupyter Server sets
   ``JPY_SESSION_NAME`` to the notebook's path) and the folders above it;
3. the current working directory and the folders above it (a kernel starts in
   its notebook's folder; a script or ``python -m iliopsoas`` runs where it is
   typed);
4. the folder the package is installed from (``pip install -e .``).

So on a JupyterHub where the package is installed once for everyone and each
student pulls their own copy of the course (nbgitpuller), each student's
notebooks read *their* copy's questions and data, and an instructor's later
correction reaches them with the next pull.  On a laptop (``course.py lab``) and
on Binder the notebook's course and the installed one are the same folder.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "ILIOPSOAS_COURSE_ROOT"
SESSION_ENV = "JPY_SESSION_NAME"


def _looks_like_root(path: Path) -> bool:
    return (path / "quizzes").is_dir() and (path / "assets").is_dir()


def _is_course(path: Path) -> bool:
    """``path`` holds this course: quizzes/ and assets/ with the course map and the misconceptions."""
    return _looks_like_root(path) and (path / "assets" / "course.yml").is_file() \
        and (path / "quizzes" / "misconceptions.yml").is_file()


def _course_above(start: Path) -> Path | None:
    """The first folder from ``start`` upwards that holds the course, or None."""
    for folder in (start, *start.parents):
        try:
            if _is_course(folder):
                return folder
        except OSError:  # a folder we may not look into
            return None
    return None


def package_root() -> Path:
    """The folder the package was installed from (its parent folder)."""
    return Path(__file__).resolve().parent.parent


def _notebook_folder() -> Path | None:
    """The folder of the notebook this kernel serves, from ``JPY_SESSION_NAME``, if it is a real path."""
    name = os.environ.get(SESSION_ENV)
    if not name:
        return None
    path = Path(name).expanduser()
    if not path.is_absolute():
        return None  # older servers pass a path relative to their root: the working directory covers it
    return path.parent


def course_root() -> Path:
    """Return the folder that holds ``quizzes/``, ``assets/`` and ``notebooks/``.

    The search order is in the module's docstring: ``ILIOPSOAS_COURSE_ROOT``,
    the notebook's own course, the working directory's course, the installed
    package's folder.  Raises ``FileNotFoundError`` (a sentence naming what to
    do) when none holds the course, or when ``ILIOPSOAS_COURSE_ROOT`` points at a
    folder without ``quizzes/`` and ``assets/``.
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        root = Path(env).expanduser().resolve()
        if not _looks_like_root(root):
            raise FileNotFoundError(
                f"{ROOT_ENV}={env} does not hold the course's quizzes/ and assets/ folders"
            )
        return root
    starts = []
    notebook = _notebook_folder()
    if notebook is not None:
        starts.append(notebook)
    try:
        starts.append(Path.cwd())
    except OSError:  # the working directory was deleted
        pass
    for start in starts:
        found = _course_above(start.resolve())
        if found is not None:
            return found
    here = package_root()
    if _looks_like_root(here):
        return here
    raise FileNotFoundError(
        "Could not find the course files (quizzes/ and assets/). Open the notebooks from a copy of "
        "the course, install the package with 'pip install -e .' from the course folder, or set "
        f"{ROOT_ENV}."
    )


def assets_dir() -> Path:
    return course_root() / "assets"


def quizzes_dir() -> Path:
    return course_root() / "quizzes"


def notebooks_dir() -> Path:
    return course_root() / "notebooks"


def asset_file(name: str) -> Path:
    """A data file of ``assets/``: the course copy's own if it has one, else the one
    shipped next to the package (a course copy may carry only some of the data)."""
    try:
        path = assets_dir() / name
        if path.is_file():
            return path
    except FileNotFoundError:
        pass
    return package_root() / "assets" / name
