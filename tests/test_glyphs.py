"""Every character the course shows is in DejaVu Sans, the font matplotlib ships and Debian's
browsers fall back to.  Emoji (🚨, 📅, ⏱) showed as empty boxes in Chromium on a machine without an
emoji font (a student trial); plain symbols (‼, ⚠, ◷, ⊘) show everywhere and still carry meaning
beside their words."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")) + sorted((ROOT / "quizzes").rglob("*.yml"))
           + sorted((ROOT / "assets").glob("*.yml"))
           # csvfiles.py names the full-width ＝ ＋ － ＠ it neutralises in spreadsheets: never shown
           + sorted(p for p in (ROOT / "iliopsoas").rglob("*.py") if p.name != "csvfiles.py"))


def shown_text(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n".join("".join(cell["source"]) for cell in nb["cells"])
    return path.read_text(encoding="utf-8")


def missing_glyphs(text: str, font: FT2Font) -> set[str]:
    out = set()
    for char in set(text):
        if ord(char) < 128 or unicodedata.category(char) in ("Cc", "Cf", "Mn", "Zs", "Zl", "Zp"):
            continue                        # ASCII, controls, joiners, combining marks, spaces
        if font.get_char_index(ord(char)) == 0:
            out.add(char)
    return out


@pytest.fixture(scope="module")
def dejavu():
    return FT2Font(font_manager.findfont("DejaVu Sans", fallback_to_default=False))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_character_shown_is_in_dejavu_sans(path, dejavu):
    missing = missing_glyphs(shown_text(path), dejavu)
    assert not missing, f"{path.relative_to(ROOT)}: no glyph in DejaVu Sans for " + ", ".join(
        f"{c} (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in sorted(missing))


def test_the_check_finds_an_emoji(dejavu):
    assert missing_glyphs("🚨 Emergency ⚠ same day", dejavu) == {"🚨"}
