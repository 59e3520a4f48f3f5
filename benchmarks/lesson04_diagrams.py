#!/usr/bin/env python3
"""Lesson 04's diagrams against the diagram targets: ``python benchmarks/lesson04_diagrams.py``.

For each diagram, shown as a live widget (so the observers fire as in a notebook), over 40 steps of
``sweep_states`` (steps that change nothing move back instead): median time of ``d.set(**state)``
(update), of ``d.naive_png(state)`` (rebuild the figure, as a naive ``interact`` callback would) and
of encoding a PNG of the same size from the unchanged canvas (the floor), interleaved so machine load
affects all three alike.  Targets: naive / update >= 3, update / floor <= 2.  A measurement, not a test.
"""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from iliopsoas.figures.base import encode_png  # noqa: E402
from iliopsoas.figures.differential_sorter import DifferentialSorter  # noqa: E402
from iliopsoas.figures.test_accuracy_explorer import TestAccuracyExplorer  # noqa: E402


def measure(cls, n=40):
    d = cls()
    d.widget  # noqa: B018 - build the live widget: control changes now redraw through the observers
    states = d.sweep_states(n)
    upd, naive, floor = [], [], []
    prev = d.state()
    for i, st in enumerate(states):
        if st == prev:
            st = states[i - 1] if i else states[-1]
        t = time.perf_counter()
        d.set(**st)
        upd.append(time.perf_counter() - t)
        t = time.perf_counter()
        d.naive_png(st)
        naive.append(time.perf_counter() - t)
        t = time.perf_counter()
        encode_png(d.figure.canvas)
        floor.append(time.perf_counter() - t)
        prev = st
    u, nv, fl = (statistics.median(x) * 1000 for x in (upd, naive, floor))
    w, h = d.figure.canvas.get_width_height()
    ok = "✓" if nv / u >= 3 and u / fl <= 2 else "✗"
    print(f"{ok} {cls.__name__:22s} {w}x{h} px  update {u:6.1f} ms  naive {nv:6.1f} ms  floor {fl:6.1f} ms  "
          f"naive/update {nv / u:5.1f}x  update/floor {u / fl:4.2f}x")


if __name__ == "__main__":
    for cls in (TestAccuracyExplorer, DifferentialSorter):
        measure(cls)
