"""Where the course's files live.

The package is installed in editable mode next to its course files
(``quizzes/``, ``assets/``, ``notebooks/``).  ``ILIOPSOAS_COURSE_ROOT`` points
elsewhere when needed (for example a copy of the course on a JupyterHub).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "ILIOPSOAS_COURSE_ROOT"


def _looks_like_root(path: Path) -> bool:
    return (path / "quizzes").is_dir() and (path / "assets").is_dir()


def course_root() -> Path:
    """Return the folder that holds ``quizzes/``, ``assets/`` and ``notebooks/``."""
    env = os.environ.get(ROOT_ENV)
    if env:
        root = Path(env).expanduser().resolve()
        if not _looks_like_root(root):
            raise FileNotFoundError(
                f"{ROOT_ENV}={env} does not hold the course's quizzes/ and assets/ folders"
            )
        return root
    here = Path(__file__).resolve().parent.parent
    if _looks_like_root(here):
        return here
    for parent in [Path.cwd(), *Path.cwd().parents]:
        if _looks_like_root(parent):
            return parent
    raise FileNotFoundError(
        "Could not find the course files (quizzes/ and assets/). Install the package "
        f"with 'pip install -e .' from the course folder, or set {ROOT_ENV}."
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
    return Path(__file__).resolve().parent.parent / "assets" / name
