"""The package layout: which folder may import which (docs/CONTRACTS.md, "Layers").

Every import in every module of ``iliopsoas`` (also those inside functions)
is read from the source and checked against the layer rules; the models are
also imported in a fresh interpreter to prove they pull in neither
matplotlib nor ipywidgets.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "iliopsoas"

#: The shared base layer: plain helpers every layer may use (no matplotlib, no widgets).
BASE = {"iliopsoas", "iliopsoas.paths", "iliopsoas.display", "iliopsoas.markdown", "iliopsoas.sources",
        "iliopsoas.csvfiles", "iliopsoas.course", "iliopsoas.redflags", "iliopsoas.hub", "iliopsoas.yamlfile"}

#: layer -> (module prefixes it may import from the package, besides the base layer and itself)
RULES = {
    "iliopsoas.models": (),
    "iliopsoas.figures": ("iliopsoas.models",),
    "iliopsoas.quiz": ("iliopsoas.progress.store", "iliopsoas.models.landmarks"),
    "iliopsoas.progress": ("iliopsoas.quiz.banks", "iliopsoas.quiz.widgets", "iliopsoas.quiz.grading",
                           "iliopsoas.quiz.scoring", "iliopsoas.quiz.cases"),
    "base": (),
}
#: Third-party packages a layer must never import.
FORBIDDEN_THIRD_PARTY = {
    "iliopsoas.models": ("matplotlib", "ipywidgets", "IPython", "PIL"),
    "base": ("matplotlib", "ipywidgets"),
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(source: str, name: str, is_package: bool) -> set[str]:
    """Absolute names of every module imported anywhere in ``source`` (module ``name``)."""
    found = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            for alias in node.names:  # "from . import style" imports a module
                found.add(f"{mod}.{alias.name}")
    return found


def layer_of(name: str) -> str | None:
    for layer in RULES:
        if layer != "base" and (name == layer or name.startswith(layer + ".")):
            return layer
    return "base" if name in BASE else None


def violations(name: str, imported: set[str], known_modules: set[str]) -> list[str]:
    """Rule breaks of module ``name`` importing ``imported`` (names of package modules in ``known_modules``)."""
    layer = layer_of(name)
    out = []
    for mod in sorted(imported):
        top = mod.split(".")[0]
        if layer in FORBIDDEN_THIRD_PARTY and top in FORBIDDEN_THIRD_PARTY[layer]:
            out.append(f"{name} imports {mod} ({layer} may not import {top})")
        if top != "iliopsoas" or mod not in known_modules:
            continue  # third party, or "from pkg import name" where name is not a module
        if mod == "iliopsoas.cli" and name != "iliopsoas.__main__":
            out.append(f"{name} imports the command line (only __main__ may)")
        if mod == "iliopsoas.api" and name not in ("iliopsoas", "iliopsoas.cli"):
            out.append(f"{name} imports the notebook API (only the package and the CLI may)")
        if layer is None or mod in BASE or mod == name:
            continue
        own = layer if layer != "base" else None
        allowed = RULES[layer]
        if own and (mod == own or mod.startswith(own + ".")):
            continue
        if any(mod == a or mod.startswith(a + ".") for a in allowed):
            continue
        out.append(f"{name} ({layer}) imports {mod}")
    return out


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_belongs_to_a_layer_or_is_an_entry_point():
    entry = {"iliopsoas.cli", "iliopsoas.__main__", "iliopsoas.api"}
    homeless = [n for n in package_modules() if layer_of(n) is None and n not in entry]
    assert not homeless, f"modules outside the documented layers (add them to docs/CONTRACTS.md): {homeless}"


def test_import_direction_follows_the_layers():
    mods = package_modules()
    known = set(mods)
    problems = []
    for name, path in mods.items():
        problems += violations(name, imports_of(path.read_text(encoding="utf-8"), name,
                                                path.name == "__init__.py"), known)
    assert not problems, "\n".join(problems)


def test_the_checker_catches_a_model_that_draws_and_a_quiz_that_imports_a_figure():
    known = set(package_modules())
    model_src = "import matplotlib.pyplot as plt\nfrom ..figures.base import Diagram\n"
    bad = violations("iliopsoas.models.fake", imports_of(model_src, "iliopsoas.models.fake", False), known)
    assert any("may not import matplotlib" in b for b in bad) and any("iliopsoas.figures.base" in b for b in bad)
    quiz_src = "def f():\n    from ..figures.anatomy import marker_figure\n"
    bad = violations("iliopsoas.quiz.fake", imports_of(quiz_src, "iliopsoas.quiz.fake", False), known)
    assert bad == ["iliopsoas.quiz.fake (iliopsoas.quiz) imports iliopsoas.figures.anatomy"]
    cli_src = "from .cli import main\n"
    assert violations("iliopsoas.course", imports_of(cli_src, "iliopsoas.course", False), known)


def test_models_import_without_matplotlib_or_widgets():
    code = (
        "import importlib, pkgutil, sys\n"
        "import iliopsoas.models as m\n"
        "for info in pkgutil.iter_modules(m.__path__):\n"
        "    importlib.import_module('iliopsoas.models.' + info.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('matplotlib', 'ipywidgets', 'IPython'))\n"
        "print(' '.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"importing iliopsoas.models loaded: {out.stdout.strip()}"


@pytest.mark.parametrize("folder", ["quiz", "progress", "models", "figures"])
def test_each_layer_is_a_package_with_a_docstring(folder):
    init = PACKAGE / folder / "__init__.py"
    assert init.is_file()
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{init} needs a docstring"


def test_readme_layout_table_lists_every_package_folder():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Repository layout", 1)[1].split("\n## ", 1)[0]
    for folder in ["quiz", "progress", "models", "figures"]:
        assert f"`iliopsoas/{folder}/`" in section, f"README's layout table lacks iliopsoas/{folder}/"
