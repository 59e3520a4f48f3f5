"""yamlfile.load_validated: the one cached, validated reader behind red flags, the differential,
test accuracy and conditions (four copies of it were merged into one)."""
from __future__ import annotations

import os
import time

import pytest

from iliopsoas.yamlfile import load_validated


class ShelfError(ValueError):
    pass


CALLS = []


def check(data):
    CALLS.append("check")
    return [] if isinstance(data, dict) and "items" in data else ["shelf.yml: field \"items\": is missing"]


def build(data):
    return tuple(data["items"])


def test_valid_file_is_built_once_per_version(tmp_path):
    path = tmp_path / "shelf.yml"
    path.write_text("items: [a, b]\n", encoding="utf-8")
    CALLS.clear()
    assert load_validated(path, "shelf.yml", ShelfError, check, build) == ("a", "b")
    assert load_validated(path, "shelf.yml", ShelfError, check, build) == ("a", "b")
    assert CALLS == ["check"], "read and checked once while the file is unchanged"
    path.write_text("items: [c]\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert load_validated(path, "shelf.yml", ShelfError, check, build) == ("c",), "an edited file is read again"


def test_problems_missing_file_and_bad_yaml_raise_the_callers_error(tmp_path):
    path = tmp_path / "shelf.yml"
    path.write_text("things: []\n", encoding="utf-8")
    with pytest.raises(ShelfError, match='shelf.yml: field "items": is missing'):
        load_validated(path, "shelf.yml", ShelfError, check, build)
    with pytest.raises(ShelfError, match=r"shelf.yml: not found in .*"):
        load_validated(tmp_path / "gone.yml", "shelf.yml", ShelfError, check)
    bad = tmp_path / "bad.yml"
    bad.write_text("items: [a\n", encoding="utf-8")
    with pytest.raises(ShelfError, match=r"bad.yml: is not valid YAML at line \d+, column \d+"):
        load_validated(bad, "bad.yml", ShelfError, check)
