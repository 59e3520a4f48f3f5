"""Read a course data file from ``assets/`` and check it against its JSON Schema.

The lessons' data (treatment evidence, rehabilitation programmes, prevention
effects) live in YAML files under ``assets/`` with a schema next to them
(``assets/<name>.schema.json``).  This module loads both and turns every
schema error into one sentence that names the **file**, the **entry** (by its
``id`` where it has one) and the **field**, for example::

    rehab-programmes.yml: case "runner-tendinopathy", phase 2, exercise "band-hip-flexion", field "load": is missing

    load_checked(name, schema_name=None, labels=None) -> dict   # raises DataFileError
    problems(data, schema, name, labels=None) -> list[str]      # the same sentences, without raising

Numbers only: no matplotlib or widgets (see docs/CONTRACTS.md, "Layout and layers").
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from ..paths import asset_file
from ..yamlfile import read_yaml as _read_yaml


class DataFileError(ValueError):
    """A data file is missing, unreadable or wrong; the message names the file, the entry and the field."""


def _label(parent_key, node, index: int, labels: dict) -> str:
    """'case "runner"' for an item of a list under ``parent_key`` (``labels`` maps list keys to words)."""
    word = labels.get(parent_key, "item")
    ident = node.get("id") if isinstance(node, dict) else None
    return f'{word} "{ident}"' if isinstance(ident, str) else f"{word} {index + 1}"


def where(data, path, labels: dict | None = None) -> str:
    """A readable location for a jsonschema error path: 'case "x", phase 2, field "goals"'."""
    labels = labels or {}
    parts, node, parent_key = [], data, None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            parts.append(f'field "{step}"')
            break
        if isinstance(step, int):
            parts.append(_label(parent_key, node, step, labels))
        elif step not in labels:
            parts.append(f'field "{step}"')
        parent_key = step
    return ", ".join(parts) or "top level"


def problems(data, schema: dict, name: str, labels: dict | None = None) -> list[str]:
    """Every schema error in ``data`` as '<name>: <where>: <message>' (empty list if none)."""
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    out = []
    for err in errors:
        path = list(err.absolute_path)
        if err.validator == "required":       # the missing field is named in the message, not the path
            missing = err.message.split("'")[1] if "'" in err.message else "?"
            place = where(data, path, labels)
            place = f'field "{missing}"' if place == "top level" else f'{place}, field "{missing}"'
            out.append(f"{name}: {place}: is missing")
        else:
            out.append(f"{name}: {where(data, path, labels)}: {err.message}")
    return out


def read_yaml(name: str):
    """Parse ``assets/<name>``; :class:`DataFileError` for a missing file or bad YAML (with the line)."""
    return _read_yaml(asset_file(name), name, DataFileError)


@functools.lru_cache(maxsize=16)
def read_schema(schema_name: str) -> dict:
    """The JSON Schema ``assets/<schema_name>`` (parsed once)."""
    path = asset_file(schema_name)
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{schema_name}: cannot be read as JSON ({exc})") from exc


def load_checked(name: str, schema_name: str | None = None, labels: dict | None = None):
    """Parse ``assets/<name>`` and validate it against ``assets/<name without .yml>.schema.json``.

    Raises :class:`DataFileError` listing every problem, one per line.
    """
    schema_name = schema_name or name.rsplit(".", 1)[0] + ".schema.json"
    data = read_yaml(name)
    found = problems(data, read_schema(schema_name), name, labels)
    if found:
        raise DataFileError("\n".join(found))
    return data


__all__ = ["DataFileError", "load_checked", "problems", "read_schema", "read_yaml", "where"]
