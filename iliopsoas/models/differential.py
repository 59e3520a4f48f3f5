"""The differential sorter's reasoning: findings -> which categories stay plausible, and why.

Numbers and words only (no drawing).  The data, with a source on every link,
are in ``assets/differential.yml``; red flags are read by id from
``assets/red-flags.yml`` through :mod:`iliopsoas.redflags`, so the sorter and
the red-flag block of every notebook cannot drift apart.

    load_differential() -> Differential          # validated; DifferentialDataError names file, entry, field
    sort_findings(finding_ids) -> SortResult      # per category: status, reasons for and against
    STATUSES                                      # status -> (symbol, words), meaning never by colour alone

A *teaching* tool: it shows how each finding moves a clinician's thinking
(more plausible, less likely, must be ruled out first).  It never diagnoses,
and a category with no finding for or against is "still open", not excluded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..paths import asset_file
from ..yamlfile import load_validated

FILE = "differential.yml"
GROUPS = ("doha", "mimic")
PARTS = ("history", "examination")
EFFECTS = ("for", "against", "alarm")
#: Status of a category after the ticked findings, in order of urgency: (symbol, words).
STATUSES = {
    "alarm": ("!", "rule out first"),
    "mixed": ("±", "findings for and against"),
    "for": ("▲", "more plausible"),
    "against": ("▼", "less likely (not excluded)"),
    "open": ("○", "still open"),
}
LABEL_MAX = 38
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
                "twenty", "twenty-one", "twenty-two", "twenty-three", "twenty-four", "twenty-five")
#: The Doha heading whose status follows the mimics (see sort_findings).
OTHER = "other"


class DifferentialDataError(ValueError):
    """``assets/differential.yml`` is missing or wrong; the message names the file, the entry and the field."""


class FindingError(ValueError):
    """A finding id the sorter does not know; the message lists the known ones."""


_SCHEMA = {
    "type": "object", "required": ["categories", "findings"], "additionalProperties": False,
    "properties": {
        "categories": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "group", "name", "about", "sources"],
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "group": {"enum": list(GROUPS)},
                "name": {"type": "string", "minLength": 3},
                "about": {"type": "string", "minLength": 10},
                "sources": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            }}},
        "findings": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "part", "label", "text", "links"],
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "part": {"enum": list(PARTS)},
                "label": {"type": "string", "minLength": 3, "maxLength": LABEL_MAX},
                "text": {"type": "string", "minLength": 10},
                "red_flags": {"type": "array", "items": {"type": "string"}},
                "links": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "additionalProperties": False, "required": ["to", "effect", "why", "sources"],
                    "properties": {
                        "to": {"type": "string"},
                        "effect": {"enum": list(EFFECTS)},
                        "why": {"type": "string", "minLength": 20},
                        "sources": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                    }}},
            }}},
    },
}


def _where(data, path) -> str:
    """'finding "fever", link 1, field "sources"' for a jsonschema error path."""
    parts, node, parent = [], data, None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int):
            if parent in ("categories", "findings"):
                label = "category" if parent == "categories" else "finding"
                ident = node.get("id") if isinstance(node, dict) else None
                parts.append(f'{label} "{ident}"' if ident else f"{label} {step + 1}")
            elif parent == "links":
                parts.append(f"link {step + 1}")
            else:
                parts.append(f"item {step + 1}")
        elif step not in ("categories", "findings", "links"):
            parts.append(f'field "{step}"')
        parent = step
    return ", ".join(parts) or "top level"


def validate(data, name: str = FILE, references: dict | None = None, red_flag_ids=None) -> list[str]:
    """Problems with parsed sorter data (empty if none), each naming the file, the entry and the field.

    Checks the schema, then: ids unique, every link's ``to`` a category, every
    source a reference (when ``references`` is given), every red flag an id of
    ``assets/red-flags.yml`` (when ``red_flag_ids`` is given).
    """
    from jsonschema import Draft202012Validator

    problems = [f"{name}: {_where(data, list(e.absolute_path))}: {e.message}"
                for e in sorted(Draft202012Validator(_SCHEMA).iter_errors(data), key=lambda e: list(e.path))]
    if problems:
        return problems
    categories = {c["id"] for c in data["categories"]}
    seen: set[str] = set()
    for kind, entries in (("category", data["categories"]), ("finding", data["findings"])):
        for entry in entries:
            if entry["id"] in seen:
                problems.append(f'{name}: {kind} "{entry["id"]}": field "id": used twice')
            seen.add(entry["id"])

    def check_sources(where, keys):
        if references is not None:
            for key in keys:
                if key not in references:
                    problems.append(f'{name}: {where}: field "sources": unknown reference {key!r}')

    for c in data["categories"]:
        check_sources(f'category "{c["id"]}"', c["sources"])
    for f in data["findings"]:
        where = f'finding "{f["id"]}"'
        if red_flag_ids is not None:
            for flag in f.get("red_flags", []):
                if flag not in red_flag_ids:
                    problems.append(f'{name}: {where}: field "red_flags": {flag!r} is not a red flag in '
                                    f"red-flags.yml (known: {', '.join(sorted(red_flag_ids))})")
        targets = set()
        for i, link in enumerate(f["links"], 1):
            if link["to"] not in categories:
                problems.append(f'{name}: {where}, link {i}: field "to": unknown category {link["to"]!r}')
            if link["to"] in targets:
                problems.append(f'{name}: {where}, link {i}: field "to": {link["to"]!r} is linked twice')
            targets.add(link["to"])
            check_sources(f"{where}, link {i}", link["sources"])
    return problems


@dataclass(frozen=True)
class Category:
    id: str
    group: str
    name: str
    about: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    to: str
    effect: str
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    id: str
    part: str
    label: str
    text: str
    red_flags: tuple[str, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Differential:
    categories: dict  # id -> Category, file order
    findings: dict    # id -> Finding, file order

    def group(self, name: str) -> list[Category]:
        return [c for c in self.categories.values() if c.group == name]


def _check(data) -> list[str]:
    from ..redflags import load_red_flags
    from ..sources import load_references

    flags = {f["id"] for t in load_red_flags()["tiers"] for f in t["flags"]}
    return validate(data, FILE, load_references() or None, flags)


def _build(data) -> Differential:
    cats = {c["id"]: Category(c["id"], c["group"], c["name"], " ".join(c["about"].split()), tuple(c["sources"]))
            for c in data["categories"]}
    finds = {}
    for f in data["findings"]:
        links = tuple(Link(x["to"], x["effect"], " ".join(x["why"].split()), tuple(x["sources"])) for x in f["links"])
        finds[f["id"]] = Finding(f["id"], f["part"], f["label"], " ".join(f["text"].split()),
                                 tuple(f.get("red_flags", [])), links)
    return Differential(cats, finds)


def load_differential() -> Differential:
    """The validated sorter data; raises :class:`DifferentialDataError`."""
    return load_validated(asset_file(FILE), FILE, DifferentialDataError, _check, _build)


@dataclass(frozen=True)
class Reason:
    finding: str       # finding id
    effect: str        # for / against / alarm
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CategoryResult:
    category: Category
    status: str                        # a key of STATUSES
    reasons: tuple[Reason, ...] = ()

    @property
    def symbol(self) -> str:
        return STATUSES[self.status][0]

    @property
    def words(self) -> str:
        return STATUSES[self.status][1]


@dataclass(frozen=True)
class FlagResult:
    id: str
    tier: str          # emergency / same-day / soon
    sign: str
    concern: str
    findings: tuple[str, ...]   # the ticked findings that raised it
    name: str = ""     # a few words for a reader (assets/red-flags.yml "name"); never the file's id


@dataclass(frozen=True)
class SortResult:
    findings: tuple[str, ...]                  # ticked finding ids, in file order
    categories: tuple[CategoryResult, ...]     # every category, in file order
    red_flags: tuple[FlagResult, ...] = field(default_factory=tuple)   # most urgent tier first

    def by_status(self, status: str) -> list[CategoryResult]:
        return [c for c in self.categories if c.status == status]

    def status_of(self, category_id: str) -> str:
        return next(c.status for c in self.categories if c.category.id == category_id)


def status_for(effects) -> str:
    """The status of a category given the effects of its ticked links (see the module docstring)."""
    effects = set(effects)
    if "alarm" in effects:
        return "alarm"
    if {"for", "against"} <= effects:
        return "mixed"
    if "for" in effects:
        return "for"
    if "against" in effects:
        return "against"
    return "open"


def sort_findings(finding_ids) -> SortResult:
    """Sort the categories for a set of ticked findings (ids of ``assets/differential.yml``).

    Raises :class:`FindingError` (naming the known ids) for an unknown finding.
    """
    from ..redflags import TIER_IDS, red_flag

    data = load_differential()
    if isinstance(finding_ids, str):
        finding_ids = [finding_ids]
    ticked = set(finding_ids)
    unknown = sorted(ticked - set(data.findings))
    if unknown:
        raise FindingError(f"Unknown finding(s) {', '.join(map(repr, unknown))}; "
                           f"known: {', '.join(data.findings)}.")
    order = [fid for fid in data.findings if fid in ticked]
    reasons: dict[str, list[Reason]] = {cid: [] for cid in data.categories}
    flags: dict[str, list[str]] = {}
    for fid in order:
        finding = data.findings[fid]
        for link in finding.links:
            reasons[link.to].append(Reason(fid, link.effect, link.why, link.sources))
        for flag in finding.red_flags:
            flags.setdefault(flag, []).append(fid)
    results = [CategoryResult(cat, status_for(r.effect for r in reasons[cid]), tuple(reasons[cid]))
               for cid, cat in data.categories.items()]
    # The Doha heading "other causes" holds the mimics: it is as urgent as the most urgent of them.
    mimic_statuses = {r.status for r in results if r.category.group == "mimic"}
    for i, r in enumerate(results):
        if r.category.id == OTHER and not r.reasons:
            for status in ("alarm", "for"):
                if status in mimic_statuses:
                    results[i] = CategoryResult(r.category, status, ())
                    break
    results = tuple(results)
    flag_results = []
    for flag_id, fids in flags.items():
        flag = red_flag(flag_id)
        flag_results.append(FlagResult(flag_id, flag["tier"], " ".join(flag["sign"].split()),
                                       " ".join(flag["concern"].split()), tuple(fids), flag["name"]))
    flag_results.sort(key=lambda f: TIER_IDS.index(f.tier))
    return SortResult(tuple(order), results, tuple(flag_results))


def summary(result: SortResult) -> str:
    """One or two plain sentences: what is flagged, what is more plausible, what is less likely."""
    if not result.findings:
        return ("No findings ticked: every category is still open. Tick what the history and the examination "
                "showed.")
    count = len(result.findings)
    words = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)
    parts = [f"{words[0].upper() + words[1:]} finding{'s' if count != 1 else ''} ticked."]
    names = lambda items: ", ".join(c.category.name for c in items)  # noqa: E731
    if result.red_flags:
        # In words, grouped by urgency like panel (c) of the sorter (never the file's ids).
        tiers = {"emergency": "emergency, now", "same-day": "same day", "soon": "soon, within days"}
        groups = [(tiers[t], [f.name for f in result.red_flags if f.tier == t]) for t in tiers]
        parts.append("Red flags: " + "; ".join(f"{label} — {', '.join(ids)}" for label, ids in groups if ids) + ".")
    for status, words in (("alarm", "Rule out first"), ("mixed", "For and against"),
                          ("for", "More plausible"), ("against", "Less likely, not excluded")):
        # "Other causes" only mirrors the mimics (see sort_findings): name the mimics themselves.
        items = [c for c in result.by_status(status) if c.category.id != OTHER or c.reasons]
        if items:
            parts.append(f"{words}: {names(items)}.")
    if not result.by_status("alarm") and not result.red_flags:
        parts.append("Nothing ticked is a red flag, but the list is not a diagnosis.")
    return " ".join(parts)


__all__ = ["DifferentialDataError", "FindingError", "Differential", "Category", "Finding", "Link",
           "SortResult", "CategoryResult", "FlagResult", "Reason", "STATUSES", "load_differential",
           "sort_findings", "status_for", "summary", "validate"]
