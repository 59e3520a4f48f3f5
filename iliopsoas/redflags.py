"""The course's red flags, in tiers: one data file, rendered the same everywhere.

``assets/red-flags.yml`` holds three tiers (emergency, same day, soon), each
with what to do and its flags (the sign in plain words, what a clinician
would want to rule out, sources), plus risk factors.  Notebooks show it in a
generated ``<!--RED-FLAGS-->`` Markdown cell (tools/sync_notebooks.py writes
it from :func:`red_flags_markdown`), so no lesson can drift from another; the
lessons' explorers and clinical cases read the same flags by id.

    load_red_flags() -> dict                 # validated; RedFlagError names file, tier/flag and field
    red_flags_markdown(tiers=None) -> str    # the block (all tiers, or those ids in that order)
    red_flag(flag_id) -> dict                # one flag, with its tier id under "tier"
    red_flag_sources() -> list[str]          # reference keys cited by the block
"""
from __future__ import annotations


from .paths import asset_file
from .yamlfile import load_validated

FILE = "red-flags.yml"
TIER_IDS = ("emergency", "same-day", "soon")
#: A symbol per tier, so urgency is never shown by colour alone.  Plain symbols that DejaVu Sans and
#: the common system fonts hold (emoji showed as empty boxes in a browser without an emoji font).
TIER_SYMBOLS = {"emergency": "‼", "same-day": "⚠", "soon": "◷"}

_SCHEMA = {
    "type": "object",
    "required": ["framework", "intro", "caveat", "tiers", "risk_factors"],
    "additionalProperties": False,
    "properties": {
        "framework": {"type": "string"},
        "intro": {"type": "string", "minLength": 20},
        "caveat": {"type": "string", "minLength": 20},
        "tiers": {
            "type": "array", "minItems": 3, "maxItems": 3,
            "items": {
                "type": "object", "required": ["id", "heading", "action", "flags"], "additionalProperties": False,
                "properties": {
                    "id": {"enum": list(TIER_IDS)},
                    "heading": {"type": "string", "minLength": 5},
                    "action": {"type": "string", "minLength": 10},
                    "flags": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["id", "name", "sign", "concern", "sources"],
                        "additionalProperties": False,
                        "properties": {
                            "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                            # what a reader sees wherever the flag is named in a few words (the
                            # sorter, the summaries, the condition explorer): never the file's id
                            "name": {"type": "string", "minLength": 5, "maxLength": 50, "pattern": "^[^,;]+$"},   # listed with commas
                            "sign": {"type": "string", "minLength": 10},
                            "concern": {"type": "string", "minLength": 5},
                            "sources": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                        }}},
                },
            },
        },
        "risk_factors": {"type": "array", "items": {
            "type": "object", "required": ["condition", "factors", "sources"], "additionalProperties": False,
            "properties": {
                "condition": {"type": "string"},
                "factors": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "sources": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            }}},
    },
}


class RedFlagError(ValueError):
    """The red-flag file is missing or wrong; the message names the file, the tier or flag, and the field."""


def _where(data, path) -> str:
    """'tier "same-day", flag "fever", field "sign"' for a jsonschema error path."""
    parts, node, parent_key = [], data, None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(step, int):
            label = {"tiers": "tier", "flags": "flag", "risk_factors": "risk factors"}.get(parent_key, "item")
            ident = node.get("id") or node.get("condition") if isinstance(node, dict) else None
            parts.append(f'{label} "{ident}"' if ident else f"{label} {step + 1}")
        elif step not in ("tiers", "flags", "risk_factors"):
            parts.append(f'field "{step}"')
        parent_key = step
    return ", ".join(parts) or "top level"


def validate(data, name: str = FILE, references: dict | None = None) -> list[str]:
    """Problems with parsed red-flag data (empty if none): each names the file, tier/flag and field."""
    from jsonschema import Draft202012Validator

    problems = [f"{name}: {_where(data, list(e.absolute_path))}: {e.message}"
                for e in sorted(Draft202012Validator(_SCHEMA).iter_errors(data), key=lambda e: list(e.path))]
    if problems:
        return problems
    if [t["id"] for t in data["tiers"]] != list(TIER_IDS):
        problems.append(f"{name}: top level: tiers must be {', '.join(TIER_IDS)} in that order")
    seen = set()
    for tier in data["tiers"]:
        for flag in tier["flags"]:
            if flag["id"] in seen:
                problems.append(f'{name}: flag "{flag["id"]}": field "id": used twice')
            seen.add(flag["id"])
    if references is not None:
        cited = [("framework", "top level", [data["framework"]])]
        cited += [("sources", f'tier "{t["id"]}", flag "{f["id"]}"', f["sources"])
                  for t in data["tiers"] for f in t["flags"]]
        cited += [("sources", f'risk factors of "{r["condition"]}"', r["sources"]) for r in data["risk_factors"]]
        for fld, where, keys in cited:
            for key in keys:
                if key not in references:
                    problems.append(f'{name}: {where}: field "{fld}": unknown reference {key!r}')
    return problems


def _check(data) -> list[str]:
    from .sources import load_references

    return validate(data, FILE, load_references() or None)


def load_red_flags() -> dict:
    """The validated red-flag data (see the module docstring); raises :class:`RedFlagError`."""
    return load_validated(asset_file(FILE), FILE, RedFlagError, _check)


def red_flag(flag_id: str) -> dict:
    """One flag (``id``, ``sign``, ``concern``, ``sources``, ``tier``); ``KeyError`` naming the known ids."""
    data = load_red_flags()
    for tier in data["tiers"]:
        for flag in tier["flags"]:
            if flag["id"] == flag_id:
                return dict(flag, tier=tier["id"])
    known = [f["id"] for t in data["tiers"] for f in t["flags"]]
    raise KeyError(f"unknown red flag {flag_id!r}; known: {', '.join(known)}")


def red_flag_sources(tiers=None) -> list[str]:
    """Reference keys the block cites (framework first), each once."""
    data = load_red_flags()
    keys = [data["framework"]]
    for tier in data["tiers"]:
        if tiers is None or tier["id"] in tiers:
            keys += [k for f in tier["flags"] for k in f["sources"]]
    keys += [k for r in data["risk_factors"] for k in r["sources"]]
    return list(dict.fromkeys(keys))


def _cite(keys, refs) -> str:
    return "; ".join(dict.fromkeys(refs.get(k, {}).get("short", k) for k in keys))


def red_flags_markdown(tiers=None, marker: str = "<!--RED-FLAGS-->") -> str:
    """The red-flag block as Markdown (the generated notebook cell, ``marker`` first).

    ``tiers``: None for all, or a list of tier ids (``"emergency"``, ``"same-day"``, ``"soon"``).
    Raises :class:`RedFlagError` for a bad file, ``ValueError`` for an unknown tier id.
    """
    from .sources import load_references

    data = load_red_flags()
    refs = load_references()
    wanted = list(TIER_IDS) if tiers is None else list(tiers)
    unknown = [t for t in wanted if t not in TIER_IDS]
    if unknown:
        raise ValueError(f"unknown tier(s) {unknown}; choose from {', '.join(TIER_IDS)}")
    lines = [marker, "### Red flags: see a clinician", "", data["intro"].strip(), ""]
    for tier in data["tiers"]:
        if tier["id"] not in wanted:
            continue
        lines += [f"**{TIER_SYMBOLS[tier['id']]} {tier['heading']}.** {tier['action'].strip()}", ""]
        for flag in tier["flags"]:
            lines.append(f"- {flag['sign'].strip()} *A clinician would want to rule out {flag['concern'].strip()}* "
                         f"({_cite(flag['sources'], refs)}).")
        lines.append("")
    for risk in data["risk_factors"]:
        lines.append(f"**Who is more at risk of a {risk['condition']}:** " + "; ".join(risk["factors"]) +
                     f" ({_cite(risk['sources'], refs)}).")
        lines.append("")
    lines.append(f"*{data['caveat'].strip()}*")
    return "\n".join(lines)
