"""How strong is the evidence? Levels of evidence, and the treatment evidence table of lesson 05.

The **levels** are the course's own short ladder for a single source, from a
systematic review to practitioner advice that no trial has tested.  They are
used by the evidence table and by the rehabilitation planner
(:mod:`iliopsoas.models.rehab`), so both speak the same language.  A second
axis says whether the source studied an iliopsoas problem (``direct``) or is
borrowed from another condition or from healthy people (``analogy``): the
course's evidence-language note asks for both to be said.

The **treatment evidence table** is ``assets/treatment-evidence.yml`` (schema
``assets/treatment-evidence.schema.json``): one row per study or review, with
design, sample size (``n`` and what was counted), outcome, result, follow-up,
level, whether it applies directly, and its references.

    LEVELS                      {key: Level(label, short, rank, symbol)}; rank 1 = strongest design
    APPLIES                     {"direct": ..., "analogy": ...}
    CATEGORIES                  {key: label} of the table's treatment groups
    level(key) -> Level         (KeyError naming the keys)
    load_evidence() -> tuple[EvidenceRow, ...]      (DataFileError naming file, entry and field)
    select(category=None, applies=None, sort="level") -> list[EvidenceRow]
    SORTS                       {key: label} of the sort orders
    describe_selection(rows, total, category, applies, sort) -> str   (the table's readout sentence)

A level describes the **design**, not the truth of a result: a systematic
review that pools case series is still built on case series, which the rows'
``note`` says where it matters.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .datafile import DataFileError, load_checked


@dataclass(frozen=True)
class Level:
    """One rung of the course's evidence ladder."""

    key: str
    label: str      # "Randomised controlled trial"
    short: str      # "RCT"
    rank: int       # 1 = strongest design for a question about treatment effects
    symbol: str     # a text symbol, so a level is never shown by colour alone


LEVELS: dict[str, Level] = {lv.key: lv for lv in (
    Level("systematic-review", "Systematic review or meta-analysis", "Review", 1, "◆"),
    Level("rct", "Randomised controlled trial", "RCT", 2, "■"),
    Level("cohort", "Cohort or comparative study", "Cohort", 3, "▲"),
    Level("cross-sectional", "Cross-sectional study or survey", "Survey", 4, "▼"),
    Level("case-series", "Case series or case report", "Cases", 5, "●"),
    Level("consensus", "Expert consensus or narrative review", "Opinion", 6, "○"),
    Level("practitioner", "Practitioner advice, not tested in trials", "Advice", 7, "◇"),
)}

APPLIES = {
    "direct": "studied in iliopsoas problems",
    "analogy": "borrowed from another condition or from healthy people",
}

CATEGORIES = {
    "early-care": "Rest, ice and the first days",
    "medication": "Pain relief and NSAIDs",
    "exercise": "Exercise therapy",
    "stretching-manual": "Stretching and manual therapy",
    "injection": "Injection",
    "surgery": "Surgery",
    "after-arthroplasty": "After hip replacement",
    "return-to-sport": "Return to sport",
}

SORTS = {
    "level": "strongest design first",
    "n": "largest sample first",
    "year": "newest first",
    "treatment": "treatment, A to Z",
}

FILE = "treatment-evidence.yml"
LABELS = {"studies": "study"}


def level(key: str) -> Level:
    """The :class:`Level` for ``key``; ``KeyError`` listing the valid keys."""
    try:
        return LEVELS[key]
    except KeyError:
        raise KeyError(f"unknown evidence level {key!r}; choose one of: {', '.join(LEVELS)}") from None


@dataclass(frozen=True)
class EvidenceRow:
    """One study or review in the treatment evidence table."""

    id: str
    treatment: str
    category: str
    population: str
    design: str
    level: str
    n: int
    n_unit: str
    outcome: str
    result: str
    follow_up: str
    applies: str
    year: int
    sources: tuple[str, ...]
    note: str = ""

    @property
    def level_info(self) -> Level:
        return LEVELS[self.level]

    @property
    def sample(self) -> str:
        """'68 athletes'."""
        return f"{self.n} {self.n_unit}"


def check(data, references: dict | None = None, name: str = FILE) -> list[str]:
    """Problems the schema cannot see: unique ids and references that exist (each names file, study, field)."""
    found, seen = [], set()
    for row in data["studies"]:
        where = f'{name}: study "{row["id"]}"'
        if row["id"] in seen:
            found.append(f'{where}: field "id": used twice')
        seen.add(row["id"])
        if references is not None:
            for key in row["sources"]:
                if key not in references:
                    found.append(f'{where}: field "sources": unknown reference {key!r}')
    return found


@functools.lru_cache(maxsize=1)
def load_evidence() -> tuple[EvidenceRow, ...]:
    """Every row of ``assets/treatment-evidence.yml``, validated; :class:`DataFileError` if anything is wrong."""
    from ..sources import load_references

    data = load_checked(FILE, labels=LABELS)
    found = check(data, load_references() or None)
    if found:
        raise DataFileError("\n".join(found))
    return tuple(EvidenceRow(**{**row, "sources": tuple(row["sources"])}) for row in data["studies"])


def _sort_key(sort: str):
    if sort == "level":
        return lambda r: (LEVELS[r.level].rank, -r.n, r.treatment.lower())
    if sort == "n":
        return lambda r: (-r.n, LEVELS[r.level].rank)
    if sort == "year":
        return lambda r: (-r.year, LEVELS[r.level].rank)
    if sort == "treatment":
        return lambda r: (r.treatment.lower(), LEVELS[r.level].rank)
    raise ValueError(f"unknown sort {sort!r}; choose one of: {', '.join(SORTS)}")


def select(category: str | None = None, applies: str | None = None, sort: str = "level") -> list[EvidenceRow]:
    """Rows of one category (None or "all": every category) and directness (None or "all": both), sorted.

    ``ValueError`` names the valid categories, directness values or sorts.
    """
    if category not in (None, "all") and category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; choose 'all' or one of: {', '.join(CATEGORIES)}")
    if applies not in (None, "all") and applies not in APPLIES:
        raise ValueError(f"unknown value {applies!r} for applies; choose 'all' or one of: {', '.join(APPLIES)}")
    rows = [r for r in load_evidence()
            if category in (None, "all", r.category) and applies in (None, "all", r.applies)]
    return sorted(rows, key=_sort_key(sort))


def describe_selection(rows, total: int, category=None, applies=None, sort: str = "level") -> str:
    """The sentence under the table: what is shown, how it is sorted, and what the levels found say."""
    what = "all treatments" if category in (None, "all") else CATEGORIES[category].lower()
    scope = {None: "", "all": "", "direct": ", only studies of iliopsoas problems",
             "analogy": ", only evidence borrowed from other conditions"}[applies]
    head = f"Showing {len(rows)} of {total} studies ({what}{scope}), {SORTS[sort]}."
    if not rows:
        return head + " No study in the table matches: that is itself a finding about the evidence."
    direct_trials = [r for r in rows if r.applies == "direct" and r.level == "rct"]
    best = min(rows, key=lambda r: LEVELS[r.level].rank)
    tail = f" Strongest design shown: {LEVELS[best.level].label.lower()} ({best.treatment})."
    if not direct_trials:
        tail += " None of these is a randomised trial in people with an iliopsoas problem."
    return head + tail


__all__ = ["APPLIES", "CATEGORIES", "LEVELS", "SORTS", "EvidenceRow", "Level", "describe_selection", "level",
           "load_evidence", "select"]
