"""CSV files the course writes for spreadsheets (exports, gradebooks).

    safe_cell(value)            text a spreadsheet would run as a formula gets a leading apostrophe
    csv_text(header, rows)      the CSV text (rows of cells, every text cell made safe)
"""
from __future__ import annotations

import csv
import io


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()
