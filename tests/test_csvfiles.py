"""One CSV writer for the whole course: formula-safe cells that read back exactly, and a byte-order mark."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest

from iliopsoas.csvfiles import BOM, FORMULA_START, csv_text, plain_cell, read_csv_rows, safe_cell

ROOT = Path(__file__).resolve().parent.parent

TRICKY = ["=1+1", "+1", "-1", "@x", "\t=1", "\r=1", "\n=1", "＝1", "＋1", "－1", "＠x",
          "'", "''", "'=1", "''=1", "'abc", "abc'", "a=b", "", " =1", "José Álvarez", "-", "=", "'-",
          "Ann; Ben", 'say "hi"', "line\nbreak", "1,5"]


@pytest.mark.parametrize("text", TRICKY)
def test_safe_cell_is_undone_exactly_by_plain_cell(text):
    assert plain_cell(safe_cell(text)) == text


@pytest.mark.parametrize("text", TRICKY)
def test_no_written_cell_starts_like_a_formula(text):
    assert not str(safe_cell(text)).startswith(FORMULA_START)


def test_numbers_stay_numbers():
    assert safe_cell(-5) == -5 and safe_cell(0.5) == 0.5 and safe_cell(None) is None
    text = csv_text(["a", "b"], [[-5, 0.25]])
    assert text == BOM + "a,b\r\n-5,0.25\r\n"


def test_csv_text_has_a_bom_and_reads_back_every_cell():
    rows = [[t, i] for i, t in enumerate(TRICKY)]
    text = csv_text(["text", "n"], rows)
    assert text.startswith(BOM) and not csv_text(["x"], [], bom=False).startswith(BOM)
    raw = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert all(not cell.startswith(FORMULA_START) for row in raw for cell in row)
    header, back = read_csv_rows(text)
    assert header == ["text", "n"]
    assert [row["text"] for _line, row in back] == TRICKY
    assert [line for line, _row in back][:2] == [2, 3], "file line numbers, for messages"


def _csv_writers(path: Path) -> list[str]:
    """Uses of the csv module's writers (csv.writer, csv.DictWriter) in a source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and \
                isinstance(node.value, ast.Name) and node.value.id == "csv":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            found += [f"{path.relative_to(ROOT)}:{node.lineno}" for a in node.names
                      if a.name in ("writer", "DictWriter")]
    return found


def test_every_csv_the_course_writes_goes_through_csvfiles():
    """How the other members of the kind are found: any CSV writer outside csvfiles.py fails here."""
    sources = [p for p in (ROOT / "iliopsoas").rglob("*.py")] + list((ROOT / "tools").glob("*.py"))
    writers = [w for p in sources if p.name != "csvfiles.py" for w in _csv_writers(p)]
    assert writers == [], f"write CSV with iliopsoas.csvfiles.csv_text, not the csv module: {writers}"
    assert _csv_writers(ROOT / "iliopsoas" / "csvfiles.py"), "the check can see a writer"
