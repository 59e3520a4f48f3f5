"""Every CSV file the course writes (progress exports, gradebook tables): one writer, one reader.

    safe_cell(value)             a text a spreadsheet could run as a formula gets a leading apostrophe
    plain_cell(text)             undoes safe_cell (for reading a CSV the course wrote)
    csv_text(header, rows)       the CSV text: UTF-8 byte-order mark, every text cell made safe
    read_csv_rows(text)          (header, [(line, row dict)]) of such a text, every cell made plain again

**Formula injection.**  Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell
that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or carriage
return, or the full-width forms ``＝ ＋ － ＠``) as a formula, so a student name
like ``=HYPERLINK(...)`` in a hand-in could run in the instructor's spreadsheet.
OWASP's advice ("CSV Injection") is to prefix such cells with an apostrophe,
which spreadsheets show as plain text and hide.  The rule here is applied to
*every* text cell of every CSV the course writes, and it can be undone exactly:
a text is prefixed when it starts with one of those characters, or with an
apostrophe followed by one of them or by another apostrophe; :func:`plain_cell`
removes the prefix only in those cases, so ``plain_cell(safe_cell(x)) == x`` for
every text.  Numbers (``int``, ``float``) are written as numbers.

**Accents.**  Excel reads a CSV without a byte-order mark in the computer's
legacy code page, which garbles "José Álvarez"; with the mark (``\\ufeff``, what
Python's ``utf-8-sig`` writes) every spreadsheet reads it as UTF-8.
"""
from __future__ import annotations

import csv
import io

BOM = "\ufeff"
#: First characters that make a spreadsheet treat a cell as a formula (OWASP "CSV Injection",
#: plus the full-width forms some spreadsheets also accept).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PREFIX = "'"


def _needs_prefix(text: str) -> bool:
    if text[:1] in FORMULA_START:
        return True
    return text[:1] == _PREFIX and (text[1:2] in FORMULA_START or text[1:2] == _PREFIX)


def safe_cell(value):
    """The cell as written: a text a spreadsheet could run as a formula gets a leading apostrophe.

    Non-text values (numbers, None) are returned unchanged.  Reversible with :func:`plain_cell`.
    """
    if isinstance(value, str) and _needs_prefix(value):
        return _PREFIX + value
    return value


def plain_cell(text):
    """The original text of a cell written by :func:`safe_cell` (other values unchanged)."""
    if isinstance(text, str) and text[:1] == _PREFIX and _needs_prefix(text[1:]):
        return text[1:]
    return text


def csv_text(header: list[str], rows, bom: bool = True) -> str:
    """The CSV text of ``rows`` (lists of cells) under ``header``: every text cell made safe,
    ``\\r\\n`` line ends, and a UTF-8 byte-order mark first (``bom=False`` leaves it out)."""
    buf = io.StringIO(newline="")
    # CRLF line ends (RFC 4180, what spreadsheets write): the csv module then quotes any cell holding
    # \r or \n, so a stray carriage return can never break a row
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return (BOM if bom else "") + buf.getvalue()


def read_csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """(header, rows) of a CSV text written by :func:`csv_text` (byte-order mark optional).

    Each row is ``(line, {column: text})``, ``line`` being the file line the row ends on; every
    cell is passed through :func:`plain_cell`.  Raises ``csv.Error`` for malformed CSV.
    """
    if text.startswith(BOM):
        text = text[len(BOM):]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [plain_cell(h) for h in next(reader, [])]
    rows = []
    for cells in reader:
        if not cells:
            continue
        row = {name: plain_cell(cells[i]) if i < len(cells) else None for i, name in enumerate(header)}
        rows.append((reader.line_num, row))
    return header, rows
