"""The conditions of lesson 03's condition explorer: data only, checked.

Reads ``assets/conditions.yml`` (shape: ``assets/conditions.schema.json``, a JSON
Schema checked with jsonschema) and checks what a schema cannot: every pain
region is a region of ``assets/pain-regions.yml`` (the pain map's data), every
red flag an id of ``assets/red-flags.yml`` and every source a key of
``assets/references.yml``.  Every problem names the file, the condition and the
field, for example::

    conditions.yml: condition "bursitis", field "onset": 'Soon' is too short

Use::

    from iliopsoas.models.conditions import load_conditions, condition, CONDITIONS
    CONDITIONS                      # {id: name}, in file order
    condition("abscess")            # Condition (a frozen dataclass); KeyError lists the ids
    load_conditions(path=None)      # {id: Condition}; ConditionsError (a ValueError) if the file is wrong
    validate(data, name="conditions.yml") -> list[str]   # problems of parsed data (empty if none)
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from ..paths import asset_file
from ..redflags import load_red_flags
from ..sources import load_references
from ..yamlfile import load_validated
from .pain_regions import LEVELS, REGIONS

FILE = "conditions.yml"
SCHEMA_FILE = "conditions.schema.json"
KINDS = {"iliopsoas": "Problem of the iliopsoas", "label": "A label, not a diagnosis",
         "serious": "Serious: must not be missed"}
FIELDS = ("person", "onset", "notices", "course", "key_finding", "certainty")
FIELD_NAMES = {"person": "Typical person", "onset": "Onset", "notices": "What the person notices",
               "course": "Course over time", "key_finding": "Key finding", "certainty": "How sure we are"}


class ConditionsError(ValueError):
    """The conditions file is missing or wrong; the message names the file, condition and field."""


@dataclass(frozen=True)
class Condition:
    """One condition (see the header of ``assets/conditions.yml`` for the fields)."""

    id: str
    name: str
    kind: str
    person: str
    onset: str
    notices: str
    course: str
    key_finding: str
    certainty: str
    pain: dict
    red_flags: tuple
    sources: tuple

    def regions(self, level: str | None = None) -> list[str]:
        """Region keys where it is felt (all, or only ``"main"`` / ``"may_spread"``), in pain-map order."""
        return [r for r in REGIONS if r in self.pain and (level is None or self.pain[r] == level)]


def schema() -> dict:
    """The JSON Schema of the file."""
    return json.loads(asset_file(SCHEMA_FILE).read_text(encoding="utf-8"))


def _where(data, path) -> str:
    """'condition "bursitis", field "pain"' for a jsonschema error path."""
    parts = []
    steps = list(path)
    if steps[:1] == ["conditions"]:
        steps = steps[1:]
        if steps:
            parts.append(f'condition "{steps[0]}"')
            steps = steps[1:]
        if steps:
            parts.append(f'field "{steps[0]}"')
            if len(steps) > 1:
                parts.append(f"item {steps[1] + 1}" if isinstance(steps[1], int) else f'key "{steps[1]}"')
    return ", ".join(parts) or "top level"


def validate(data, name: str = FILE, references: dict | None = None, flag_ids=None) -> list[str]:
    """Problems with parsed conditions data (empty if none); each names ``name``, the condition and the field.

    ``references`` (keys of references.yml) and ``flag_ids`` (ids of red-flags.yml) default to the
    course's own files."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(err.absolute_path)
        if err.validator == "required":
            field = err.message.split("'")[1] if "'" in err.message else "?"
            problems.append(f"{name}: {_where(data, path + [field])}: missing (required)")
        elif err.validator == "pattern" and path == ["conditions"]:      # a condition id (propertyNames)
            problems.append(f'{name}: condition "{err.instance}": ids are lower-case letters, digits and _')
        else:
            problems.append(f"{name}: {_where(data, path)}: {err.message}")
    problems = list(dict.fromkeys(problems))
    refs = load_references() if references is None else references
    if flag_ids is None:
        flag_ids = {f["id"] for t in load_red_flags()["tiers"] for f in t["flags"]}
    entries = data.get("conditions") if isinstance(data, dict) else None
    for key, entry in (entries.items() if isinstance(entries, dict) else ()):
        if not isinstance(entry, dict):
            continue
        pain = entry.get("pain") if isinstance(entry.get("pain"), dict) else {}
        for region in pain:
            if region not in REGIONS:
                problems.append(f'{name}: condition "{key}", field "pain": unknown region {region!r} '
                                f"(regions of pain-regions.yml: {', '.join(REGIONS)})")
        flags = entry.get("red_flags") if isinstance(entry.get("red_flags"), list) else []
        for flag in flags:
            if isinstance(flag, str) and flag not in flag_ids:
                problems.append(f'{name}: condition "{key}", field "red_flags": unknown red flag {flag!r} '
                                f"(ids of red-flags.yml: {', '.join(sorted(flag_ids))})")
        sources = entry.get("sources") if isinstance(entry.get("sources"), list) else []
        for source in sources:
            if isinstance(source, str) and source not in refs:
                problems.append(f'{name}: condition "{key}", field "sources": unknown reference {source!r}')
    return problems


def _build(data) -> dict[str, Condition]:
    out = {}
    for key, e in data["conditions"].items():
        out[key] = Condition(id=key, name=e["name"], kind=e["kind"],
                             **{f: " ".join(str(e[f]).split()) for f in FIELDS},
                             pain={r: e["pain"][r] for r in REGIONS if r in e["pain"]},
                             red_flags=tuple(e["red_flags"]), sources=tuple(e["sources"]))
    return out


def _check_default(data) -> list[str]:
    return validate(data, FILE)


def _check_named(data, name: str) -> list[str]:
    return validate(data, name)


def load_conditions(path: str | Path | None = None) -> dict[str, Condition]:
    """{id: Condition} from ``assets/conditions.yml`` (or ``path``); raises :class:`ConditionsError`."""
    p = Path(path) if path is not None else asset_file(FILE)
    check = _check_default if p.name == FILE else functools.partial(_check_named, name=p.name)
    return load_validated(p, p.name, ConditionsError, check, _build)


CONDITIONS: dict[str, str] = {k: c.name for k, c in load_conditions().items()}


def condition(key: str) -> Condition:
    """One condition by id; ``KeyError`` listing the ids."""
    data = load_conditions()
    if key not in data:
        raise KeyError(f"unknown condition {key!r}; choose one of: {', '.join(data)}")
    return data[key]


__all__ = ["CONDITIONS", "Condition", "ConditionsError", "FIELDS", "FIELD_NAMES", "KINDS", "LEVELS",
           "condition", "load_conditions", "schema", "validate"]
