#!/usr/bin/env python3
"""Execute the notebooks in fresh kernels and store their outputs.

    python tools/execute_notebooks.py                 # every notebook
    python tools/execute_notebooks.py 01-anatomy      # some of them

Outputs are stored so that GitHub, nbviewer and nbconvert show the figures and
the static HTML version of every quiz.  Live widget views are removed from the
stored outputs (their state is not saved, so JupyterLab could only show
"Error displaying widget" for them before the notebook is run); the static
``text/html`` and ``text/plain`` versions they carry are kept.  A temporary,
empty progress store is used, so no one's answers end up in the repository.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip_live_widgets(nb) -> None:
    """Drop widget views (keeping their static fallbacks) and any saved widget state."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                if set(data) <= {"text/plain"} and "VBox(" in str(data.get("text/plain", "")):
                    continue
            kept.append(out)
        cell.outputs = kept
    nb.metadata.pop("widgets", None)


def strip_run_metadata(nb) -> None:
    """Drop the run times nbclient used to store in each code cell's metadata (``execution``).

    With outputs that do not change from run to run, re-executing a corrected lesson then
    changes only the cells that were corrected, so the correction merges cleanly into the
    copies students have saved on a JupyterHub (nbgitpuller merges, keeping the student's
    side where both changed the same lines).
    """
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.pop("execution", None)


def execute(path: Path, timeout: int = 300) -> None:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        env_before = os.environ.get("ILIOPSOAS_PROGRESS")
        os.environ["ILIOPSOAS_PROGRESS"] = str(Path(tmp) / "progress.sqlite3")
        os.environ.setdefault("MPLCONFIGDIR", str(Path(tmp) / "mpl"))
        try:
            client = NotebookClient(
                nb, timeout=timeout, kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
                store_widget_state=False,
                record_timing=False,  # no run times in the cells' metadata (see strip_run_metadata)
            )
            client.execute()
        finally:
            if env_before is None:
                os.environ.pop("ILIOPSOAS_PROGRESS", None)
            else:
                os.environ["ILIOPSOAS_PROGRESS"] = env_before
    strip_live_widgets(nb)
    strip_run_metadata(nb)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    names = argv or [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))]
    for name in names:
        path = ROOT / "notebooks" / (name if name.endswith(".ipynb") else f"{name}.ipynb")
        print(f"executing {path.relative_to(ROOT)}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
