"""The course's references (``assets/references.yml``) for captions and readouts.

    load_references() -> {key: {short, citation, about, doi|url}}
    short_citations(["gray1918", "bogduk1992"]) -> "Gray 1918; Bogduk, Pearcy & Hadfield 1992"

A missing or unreadable file gives ``{}`` (captions then show the keys): a
figure never fails because of its caption.
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from .paths import asset_file


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def load_references() -> dict:
    """{key: entry} from ``assets/references.yml``; ``{}`` if it cannot be read."""
    path = asset_file("references.yml")
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    return _load(str(path), mtime)


def short_citations(keys, sep: str = "; ") -> str:
    """The ``short`` texts of these reference keys, each once, joined by ``sep`` (unknown keys as themselves)."""
    refs = load_references()
    out = []
    for k in keys:
        entry = refs.get(k)
        short = entry.get("short", k) if isinstance(entry, dict) else k
        if short not in out:
            out.append(short)
    return sep.join(out)
