"""Student versions of the lessons: copies whose static quizzes carry no answers.

The notebooks are stored with their outputs, so GitHub, nbviewer and a file handed
out show a static version of every quiz; by default (*self-check*) each static
question ends with a collapsed *Show answer* block.  For graded use an instructor
hands out copies without those blocks::

    python3 course.py student-version --output handout/          # from the course folder
    python -m iliopsoas.quiz.student_version --output handout/   # the same, in the course's Python

Every ``notebooks/NN-slug.ipynb`` is copied to ``DIR/NN-slug.ipynb`` with each quiz
output's answer blocks (answer, explanation, sources) removed; the questions, their
choices and pictures stay.  Nothing else changes: running a copy in JupyterLab gives
the same live quizzes (self-check, with feedback) as the course.  To make a handout by
executing a lesson yourself (``jupyter nbconvert --execute``), set
``ILIOPSOAS_STUDENT_VERSION=1`` first: quizzes then leave the answers out of their
static version.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

#: A static question's answer block (widgets.QuestionView.static_html).
ANSWER_BLOCK = re.compile(r'<details class="iliopsoas-answer-block">.*?</details>'
                          r"|<details><summary>Show answer</summary>.*?</details>", re.S)
#: What must not remain in a student version's quiz outputs.
ANSWER_MARKERS = ("iliopsoas-answer", "iliopsoas-explanation", "<summary>Show answer</summary>")


class StudentVersionError(RuntimeError):
    """A notebook cannot be made into a student version (the message names it and why)."""


def strip_answers(html: str) -> tuple[str, int]:
    """(``html`` without its static answer blocks, how many were removed)."""
    return ANSWER_BLOCK.subn("", html)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def student_notebook(nb: dict, name: str = "notebook") -> tuple[dict, int]:
    """A copy of a notebook (its JSON as a dict) without answers in its quiz outputs; and how many
    answer blocks were removed.  Raises :class:`StudentVersionError` if an answer would remain."""
    nb = json.loads(json.dumps(nb))
    removed = 0
    for number, cell in enumerate(nb.get("cells", []), start=1):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data") or {}
            if "text/html" not in data:
                continue
            html = _text(data["text/html"])
            if "iliopsoas-quiz" not in html and "iliopsoas-case" not in html:  # quizzes and clinical cases
                continue
            html, n = strip_answers(html)
            removed += n
            left = [m for m in ANSWER_MARKERS if m in html]
            if left:
                raise StudentVersionError(f"{name}, cell {number}: a quiz output still holds answers "
                                          f"({', '.join(left)}) after the answer blocks were removed")
            data["text/html"] = html
    return nb, removed


def write_student_version(output: Path, notebooks: Path | None = None) -> list[tuple[Path, int]]:
    """Write the student version of every lesson into ``output``; return (file, answer blocks removed)."""
    from ..paths import notebooks_dir

    source = Path(notebooks) if notebooks is not None else notebooks_dir()
    output = Path(output)
    paths = sorted(source.glob("[0-9][0-9]-*.ipynb"))
    if not paths:
        raise StudentVersionError(f"there are no lesson notebooks (NN-slug.ipynb) in {source}")
    if output.resolve() == source.resolve():
        raise StudentVersionError("the output folder must not be the course's notebooks/ folder "
                                  "(the course itself keeps its answers)")
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StudentVersionError(f"{path} cannot be read: {exc}") from exc
        copy, removed = student_notebook(nb, path.name)
        target = output / path.name
        target.write_text(json.dumps(copy, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append((target, removed))
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m iliopsoas.quiz.student_version",
        description="Copy the lessons without the answers in their static quizzes (for graded use).")
    parser.add_argument("--output", "-o", required=True, help="folder to write the copies into")
    parser.add_argument("--notebooks", help="the lessons' folder (default: the course's notebooks/)")
    args = parser.parse_args(argv)
    try:
        written = write_student_version(Path(args.output), args.notebooks and Path(args.notebooks))
    except StudentVersionError as exc:
        print(f"student-version: {exc}", file=sys.stderr)
        return 1
    for path, removed in written:
        print(f"{path}  ({removed} answer{'s' if removed != 1 else ''} removed)")
    print(f"{len(written)} notebook{'s' if len(written) != 1 else ''} written without answers to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
