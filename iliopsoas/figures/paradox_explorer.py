"""The psoas-paradox explorer: the lumbar model of :mod:`iliopsoas.models.lumbar`, drawn.

A side view of L1–L5 on the sacrum with the psoas fascicles, and bar charts of
the moment, compression and shear at each lumbar joint, redrawn as the
lordosis slider moves.  All numbers come from
:class:`~iliopsoas.models.lumbar.LumbarPsoasModel`; this module only draws.

Use::

    from iliopsoas.figures.paradox_explorer import psoas_paradox_explorer
    psoas_paradox_explorer(lordosis=45)        # interactive diagram (Diagram name "psoas-paradox")
"""
from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Polygon

from ..models.lumbar import (BACK_EXTENSOR_LEVER_M, LEVELS, SACRAL_SLOPE_DEG, VERTEBRAE, JointLoad,
                             LumbarPsoasModel, describe, format_nm, forward_of, level_label, rotate)
from . import style
from .base import Diagram
from .style import BONE, BONE_EDGE, GRID, OKABE_ITO, TEXT, style_axes

# ---------------------------------------------------------------------- the explorer
FLEX_COLOUR = OKABE_ITO["bluish_green"]
EXTEND_COLOUR = OKABE_ITO["orange"]
BODY_FASCICLE_COLOUR = OKABE_ITO["vermillion"]
TP_FASCICLE_COLOUR = OKABE_ITO["reddish_purple"]
COMPRESSION_COLOUR = OKABE_ITO["blue"]
SHEAR_COLOUR = OKABE_ITO["sky_blue"]
DISC_COLOUR = "#E6E9F2"

CM = 100.0                                  # the side view is drawn in centimetres
SIDE_XLIM = (-10.0, 20.0)
SIDE_YLIM = (-11.6, 23.4)
MOMENT_YLIM = (-24.0, 34.0)
FORCE_YLIM = (0.0, 2700.0)
NEEDED_CLEARANCE_N = 110.0             # half a diamond marker's height on the force axis, and a gap
ARROW_RADIUS_CM = 3.4
ARROW_HALF_ANGLE_DEG = 26.0
LABEL_OFFSET_CM = 4.2
#: arc3 "rad" that makes the arrow follow its circle: sagitta / chord of the arc.
ARC_RAD = (1 - np.cos(np.radians(ARROW_HALF_ANGLE_DEG))) / (2 * np.sin(np.radians(ARROW_HALF_ANGLE_DEG)))


class PsoasParadoxExplorer(Diagram):
    """Lumbar lordosis slider: psoas's moment, compression and shear at each lumbar joint."""

    name = "psoas-paradox"
    title = "The psoas paradox: flexor, extensor, or compressor of the lumbar spine?"
    figsize = (8.6, 4.4)
    caption = (
        "Simplified teaching model, not a measurement: this course's own model (course models 2026). Side view "
        "of L1–L5 on the sacrum (front to the right): rigid vertebral bodies 3.5 cm deep and 2.7 cm high on 1 cm "
        "discs, the lordosis shared 8/12/18/26/36 % from L1–L2 to L5–S1, each joint turning about an axis in the "
        "back half of its disc. Each vertebra gives a psoas fascicle from its body (solid) and one from its "
        "transverse process, 2 cm behind the body's centre (dashed); all pull straight towards one pulley on the "
        "pelvic brim beside the sacrum (course models 2026). Both psoas muscles together, each at most 1113 N (the OpenSim Gait2392 "
        "value; Delp et al. 1990), shared 14–26 % from L1 to L5 as the muscle's cross-section grows downwards "
        "(Reid et al. 1994). Left out: sideways forces, other muscles, ligaments, body weight, force–length "
        "effects. The pulley was placed by hand so that at a typical lordosis the model gives the sign pattern "
        "that Bogduk, Pearcy & Hadfield 1992 calculated in their own model (small moments, extension at the "
        "upper joints and flexion at the lower ones, with large compression and shear); so this model "
        "illustrates that result and cannot confirm it, and its numbers are its own."
    )

    def __init__(self, **initial):
        self._model_cache: dict = {}
        super().__init__(**initial)

    # ------------------------------------------------------------------ model access
    def model(self, state: dict) -> LumbarPsoasModel:
        key = (int(round(state["lordosis"])), int(round(state.get("activation", 100))))
        if key not in self._model_cache:
            if len(self._model_cache) > 256:
                self._model_cache.clear()
            self._model_cache[key] = LumbarPsoasModel(key[0], key[1] / 100.0)
        return self._model_cache[key]

    # ------------------------------------------------------------------ build
    def build(self, fig):
        grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.12], height_ratios=[1, 1], left=0.01, right=0.985,
                                bottom=0.085, top=0.93, wspace=0.16, hspace=0.42)
        self.ax_side = fig.add_subplot(grid[:, 0])
        self.ax_moment = fig.add_subplot(grid[0, 1])
        self.ax_force = fig.add_subplot(grid[1, 1])
        self._build_side_view(self.ax_side)
        self._build_moment_panel(self.ax_moment)
        self._build_force_panel(self.ax_force)
        # labels of one colour and halo drawn together: the vertebrae's names (over the fascicles), and
        # last the joints' and the discs' numbers
        self.names = style.FastTextGroup(self.vertebra_labels)
        self.labels = style.FastTextGroup(self.joint_labels + self.compression_texts)
        fig.add_artist(self.names)
        fig.add_artist(self.labels)
        self.animated = [self.discs, self.bodies, self.tp_lines, self.body_fascicles,
                         self.tp_fascicles, self.body_dots, self.tp_dots, self.axis_dots, self.names,
                         *self.arrows,
                         self.moment_bars.collection,
                         self.compression_bars.collection, self.shear_bars.collection,
                         self.needed_markers, self.labels]

    def _build_side_view(self, ax):
        style.schematic_axes(ax, SIDE_XLIM, SIDE_YLIM, "(a) Side view: lumbar spine on the sacrum")
        g = LumbarPsoasModel(45).geometry()
        slope = np.radians(SACRAL_SLOPE_DEG)
        n = np.array([np.sin(slope), np.cos(slope)])
        t = forward_of(n)
        # Sacrum (fixed), in its own frame (along the S1 endplate, along its normal): the S1 endplate, the
        # concave front down to the coccyx, and the back of the sacrum behind the sacral canal.
        pts = [(-0.0175, 0.0), (0.0175, 0.0), (0.0178, -0.025), (0.015, -0.05), (0.010, -0.075), (0.002, -0.10),
               (-0.004, -0.115), (-0.018, -0.095), (-0.030, -0.07), (-0.040, -0.04), (-0.043, -0.012),
               (-0.032, 0.004)]
        sacrum = np.array([CM * (a * t + b * n) for a, b in pts])
        ax.add_patch(Polygon(sacrum, closed=True, facecolor="#ECE8DF", edgecolor=BONE_EDGE, linewidth=1.1, zorder=1))
        label = CM * (-0.012 * t - 0.05 * n)
        ax.text(label[0], label[1], "sacrum", ha="center", va="center", fontsize=8, color=TEXT,
                rotation=90 - SACRAL_SLOPE_DEG, zorder=1.1)
        # Pelvic brim: the pulley and the muscle's onward course (schematic, towards the groin).
        pulley = CM * g.pulley
        brim = np.array([pulley + [-1.2, 1.6], pulley, pulley + [1.6, -2.4], pulley + [4.0, -4.8],
                         pulley + [7.0, -6.6]])
        ax.plot(brim[:, 0], brim[:, 1], color=BONE_EDGE, linewidth=1.0, linestyle=(0, (3, 2)), zorder=1.2)
        onward = np.array([pulley, pulley + [2.2, -3.4], pulley + [4.6, -5.6], pulley + [6.2, -7.4]])
        ax.plot(onward[:, 0], onward[:, 1], color=BODY_FASCICLE_COLOUR, linewidth=4.0, alpha=0.35,
                solid_capstyle="round", zorder=1.3)
        ax.annotate("", xy=(onward[-1, 0] + 0.6, onward[-1, 1] - 0.9), xytext=onward[-1],
                    arrowprops=dict(arrowstyle="-|>", color=BODY_FASCICLE_COLOUR, linewidth=1.4, alpha=0.7))
        ax.text(onward[-1, 0] + 1.0, onward[-1, 1] + 0.2, "on over the pelvic brim\nto the lesser trochanter",
                ha="left", va="center", fontsize=8, color=TEXT)
        ax.plot([pulley[0]], [pulley[1]], marker="o", markersize=9, color="white", markeredgecolor=TEXT,
                markeredgewidth=1.6, zorder=6)
        ax.text(pulley[0] + 2.0, pulley[1] - 0.4, "pulley: pelvic brim\nbeside the sacrum", ha="left",
                va="top", fontsize=8, color=TEXT, zorder=6,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])

        # Moving parts: discs, bodies, transverse processes, fascicles, axes, labels, moment arrows.
        # Discs and vertebral bodies: one PolyCollection each (one artist to blit instead of five).
        from matplotlib.collections import PolyCollection

        self.discs = ax.add_collection(PolyCollection([np.zeros((4, 2))] * len(LEVELS), facecolors=DISC_COLOUR,
                                                      edgecolors=BONE_EDGE, linewidths=0.8, zorder=2))
        self.bodies = ax.add_collection(PolyCollection([np.zeros((4, 2))] * len(VERTEBRAE), facecolors=BONE,
                                                       edgecolors=BONE_EDGE, linewidths=1.1, zorder=2.1))
        (self.tp_lines,) = ax.plot([], [], color=BONE_EDGE, linewidth=3.2, solid_capstyle="round", zorder=2.2)
        (self.body_fascicles,) = ax.plot([], [], color=BODY_FASCICLE_COLOUR, linewidth=1.7, zorder=3)
        (self.tp_fascicles,) = ax.plot([], [], color=TP_FASCICLE_COLOUR, linewidth=1.7, linestyle=(0, (4, 2)),
                                       zorder=3)
        (self.body_dots,) = ax.plot([], [], linestyle="none", marker="o", markersize=4.5,
                                    color=BODY_FASCICLE_COLOUR, zorder=3.2)
        (self.tp_dots,) = ax.plot([], [], linestyle="none", marker="s", markersize=4.5, color=TP_FASCICLE_COLOUR,
                                  zorder=3.2)
        (self.axis_dots,) = ax.plot([], [], linestyle="none", marker="o", markersize=5.5, color="white",
                                    markeredgecolor=TEXT, markeredgewidth=1.4, zorder=4)
        # Vertebra names: FastText (one cached outline per name; moved, never re-laid out), drawn over the
        # fascicles that cross the bodies, with a halo of the bone's colour.
        self.vertebra_labels = [style.fast_text(ax, 0, 0, name, ha="center", va="center", fontsize=8.5, color=TEXT,
                                                halo=BONE, halo_width=2.5, zorder=3.15)
                                for name in VERTEBRAE]
        self.arrows = []
        for _ in LEVELS:
            arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>,head_length=5,head_width=3.2",
                                    connectionstyle="arc3,rad=0.4", linewidth=1.8, color=FLEX_COLOUR, zorder=4.5,
                                    shrinkA=0, shrinkB=0)
            ax.add_patch(arrow)
            self.arrows.append(arrow)
        # Each joint's label, two lines: its name, then "flexes"/"extends" and the moment.  One FastText
        # per joint (a single path, much cheaper to redraw than Text).
        self.joint_labels = [style.fast_text(ax, 0, 0, "", ha="left", va="center", fontsize=8, color=TEXT,
                                             zorder=5, linespacing=1.25) for _ in LEVELS]
        # Legend for the side view (line styles and markers, never colour alone).
        handles = [Line2D([], [], color=BODY_FASCICLE_COLOUR, linewidth=1.7, marker="o", markersize=4.5,
                          label="fascicle from vertebral body/disc"),
                   Line2D([], [], color=TP_FASCICLE_COLOUR, linewidth=1.7, linestyle=(0, (4, 2)), marker="s",
                          markersize=4.5, label="fascicle from transverse process"),
                   Line2D([], [], color="white", marker="o", markeredgecolor=TEXT, markeredgewidth=1.4,
                          linestyle="none", markersize=5.5, label="joint's axis of rotation")]
        ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=True, framealpha=0.95, edgecolor=GRID,
                  borderaxespad=0.2, handlelength=2.2)
        right, top = SIDE_XLIM[1] - 0.6, SIDE_YLIM[1] - 1.6
        ax.annotate("", xy=(right, top), xytext=(right - 5.0, top),
                    arrowprops=dict(arrowstyle="->", color=TEXT, linewidth=1.0))
        ax.text(right - 2.5, top + 0.4, "front", ha="center", va="bottom", fontsize=8, color=TEXT)
        ax.plot([right - 5.0, right], [top - 2.4] * 2, color=TEXT, linewidth=1.6, solid_capstyle="butt")
        ax.text(right - 2.5, top - 2.0, "5 cm", ha="center", va="bottom", fontsize=8, color=TEXT)

    def _build_moment_panel(self, ax):
        style_axes(ax, grid=False)
        x = np.arange(len(LEVELS))
        ax.axhspan(0, MOMENT_YLIM[1], facecolor="#F1F8F5", zorder=0)
        ax.axhspan(MOMENT_YLIM[0], 0, facecolor="#FDF5E6", zorder=0)
        ax.axhline(0, color=TEXT, linewidth=0.9, zorder=1)
        ax.set_xlim(-0.6, len(LEVELS) - 0.4)
        ax.set_ylim(*MOMENT_YLIM)
        ax.set_xticks(x, [level_label(level) for level in LEVELS], fontsize=9)
        ax.set_ylabel("Moment (N·m)", fontsize=9)
        ax.set_title("(b) Moment at each joint", fontsize=10, color=TEXT, loc="left")
        ax.text(-0.5, MOMENT_YLIM[1] * 0.93, "↑ flexion (bends forward)", ha="left", va="top", fontsize=8,
                color=TEXT)
        ax.text(-0.5, MOMENT_YLIM[0] * 0.93, "↓ extension (arches back)", ha="left", va="bottom", fontsize=8,
                color=TEXT)
        self.moment_bars = _Bars(ax, x, 0.56, FLEX_COLOUR)

    def _build_force_panel(self, ax):
        style_axes(ax, grid=True)
        ax.grid(axis="x", visible=False)
        x = np.arange(len(LEVELS))
        ax.set_xlim(-0.6, len(LEVELS) - 0.4)
        ax.set_ylim(*FORCE_YLIM)
        ax.set_xticks(x, [level_label(level) for level in LEVELS], fontsize=9)
        ax.set_ylabel("Force (N)", fontsize=9)
        ax.set_title("(c) Compression and shear on each disc", fontsize=10, color=TEXT, loc="left")
        w = 0.34
        self.compression_bars = _Bars(ax, x - w / 2, w, COMPRESSION_COLOUR)
        self.shear_bars = _Bars(ax, x + w / 2, w, SHEAR_COLOUR, linestyle=(0, (3, 1.5)))
        ax.bar([0], [0], width=0, color=COMPRESSION_COLOUR, edgecolor=TEXT, linewidth=0.8, label="compression")
        ax.bar([0], [0], width=0, color=SHEAR_COLOUR, edgecolor=TEXT, linewidth=0.8, linestyle=(0, (3, 1.5)),
               label="shear (along the disc, either way)")
        self.compression_texts = [style.fast_text(ax, i - w / 2, 0, "", ha="center", va="bottom", fontsize=8,
                                                  color=TEXT, zorder=3) for i in x]
        self._needed_x = x - w / 2
        (self.needed_markers,) = ax.plot([], [], linestyle="none", marker="D", markersize=6, color=TEXT,
                                         markerfacecolor="white", markeredgewidth=1.4, zorder=4,
                                         label="force a back muscle (5 cm lever)\nneeds for the same moment")
        ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.95, edgecolor=GRID, borderaxespad=0.3)

    # ------------------------------------------------------------------ controls and state
    def make_controls(self):
        import ipywidgets as w
        lo, hi = 10, 70
        return {
            "lordosis": w.IntSlider(value=45, min=lo, max=hi, step=1, description="Lumbar lordosis (°)",
                                    continuous_update=True, style={"description_width": "initial"},
                                    layout={"width": "380px"}),
            "activation": w.IntSlider(value=100, min=0, max=100, step=5, description="Psoas effort (%)",
                                      continuous_update=True, style={"description_width": "initial"},
                                      layout={"width": "320px"}),
        }

    def update(self, state):
        model = self.model(state)
        g = model.geometry()
        loads = model.joint_loads()
        self.discs.set_verts(CM * g.discs)
        self.bodies.set_verts(CM * g.bodies)
        for label, centre in zip(self.vertebra_labels, g.body_centres):
            label.set_position((CM * centre[0], CM * centre[1]))
        self.tp_lines.set_data(*_segments(CM * g.tp_roots, CM * g.tp_origins))
        pulleys = np.repeat(CM * g.pulley[None, :], len(VERTEBRAE), axis=0)
        self.body_fascicles.set_data(*_segments(CM * g.body_origins, pulleys))
        self.tp_fascicles.set_data(*_segments(CM * g.tp_origins, pulleys))
        self.body_dots.set_data(CM * g.body_origins[:, 0], CM * g.body_origins[:, 1])
        self.tp_dots.set_data(CM * g.tp_origins[:, 0], CM * g.tp_origins[:, 1])
        self.axis_dots.set_data(CM * g.axes[:, 0], CM * g.axes[:, 1])
        for j, load in enumerate(loads):
            self._update_joint_marker(j, load, CM * g.axes[j], g.joint_forwards[j])
        moments = np.array([x.moment_nm for x in loads])
        self.moment_bars.set_heights(moments, [FLEX_COLOUR if m >= 0 else EXTEND_COLOUR for m in moments])
        compression = np.array([x.compression_n for x in loads])
        self.compression_bars.set_heights(compression)
        self.shear_bars.set_heights(np.abs([x.shear_n for x in loads]))
        needed = np.abs(moments) / BACK_EXTENSOR_LEVER_M
        for text, value, need in zip(self.compression_texts, compression, needed):
            text.set_text(f"{value:.0f}")
            # above the bar and the diamond on it
            text.set_position((text.get_position()[0], max(value + 30, need + NEEDED_CLEARANCE_N)))
        self.needed_markers.set_data(self._needed_x, needed)
        return None

    def _update_joint_marker(self, j: int, load: JointLoad, axis_cm: np.ndarray, forward: np.ndarray) -> None:
        arrow, label = self.arrows[j], self.joint_labels[j]
        x0, y0 = axis_cm + LABEL_OFFSET_CM * forward
        label.set_position((x0, y0 - 0.1))
        flexion = load.moment_nm > 0
        if load.action == "hardly turns":
            arrow.set_visible(False)
            label.set_text(f"{level_label(load.level)}\n≈ 0 N·m")
            return
        label.set_text(f"{level_label(load.level)}\n{'flexes' if flexion else 'extends'} "
                       f"{format_nm(load.moment_nm)} N·m")
        # The arc lies in front of the axis.  Flexion turns the upper vertebra clockwise (front to the right):
        # its front goes down, so the arrow on the front of the circle runs downwards; extension runs upwards.
        upper = axis_cm + ARROW_RADIUS_CM * rotate(forward, ARROW_HALF_ANGLE_DEG)
        lower = axis_cm + ARROW_RADIUS_CM * rotate(forward, -ARROW_HALF_ANGLE_DEG)
        start, end = (upper, lower) if flexion else (lower, upper)
        dx, dy = end - start
        mid = (start + end) / 2
        bulge = np.sign((mid - axis_cm) @ np.array([dy, -dx])) or 1.0
        arrow.set_positions(tuple(start), tuple(end))
        arrow.set_connectionstyle(f"arc3,rad={ARC_RAD * bulge:.3f}")
        arrow.set_color(FLEX_COLOUR if flexion else EXTEND_COLOUR)
        arrow.set_visible(True)

    def joint_label(self, j: int) -> str:
        """The words shown beside joint j, e.g. "L1–L2 extends 0.7 N·m" (for tests and the alt text)."""
        return " ".join(self.joint_labels[j].get_text().split())

    # ------------------------------------------------------------------ words
    def readout(self, state):
        return describe(self.model(state))

    def alt(self, state):
        model = self.model(state)
        loads = model.joint_loads()
        actions = "; ".join(f"{level_label(x.level)} {x.action} {format_nm(x.moment_nm)} N·m" for x in loads)
        comp = ", ".join(f"{x.compression_n:.0f}" for x in loads)
        return (f"Three panels. Left: side view, front to the right, of the five lumbar vertebrae on the sacrum with "
                f"{model.lordosis_deg:.0f}° of lordosis; ten psoas fascicle lines (solid from the vertebral bodies, "
                "dashed from the transverse processes behind them) run down and forward to a pulley on the pelvic "
                f"brim; in front of each joint a curved arrow and a label say what psoas does to it: {actions}. "
                "Top right: bar chart of these moments, flexion upwards and extension downwards, on a scale of "
                f"−24 to +34 N·m. Bottom right: compression on each disc from L1–L2 to L5–S1 ({comp} N) with "
                "shear bars beside them, and diamonds showing the much smaller force a back muscle with a 5 cm "
                "lever would need to make the same moment.")


class _Bars:
    """A row of bars drawn as one PolyCollection (one artist: much faster to blit than a Rectangle per bar)."""

    def __init__(self, ax, x, width, colour, linestyle="solid"):
        from matplotlib.collections import PolyCollection

        self.left = np.asarray(x, dtype=float) - width / 2
        self.right = self.left + width
        self.heights = np.zeros(len(self.left))
        self.collection = PolyCollection(self._verts(), facecolors=colour, edgecolors=TEXT, linewidths=0.8,
                                         linestyles=[linestyle], zorder=2)
        ax.add_collection(self.collection)

    def _verts(self):
        return [[(lo, 0.0), (hi, 0.0), (hi, h), (lo, h)] for lo, hi, h in zip(self.left, self.right, self.heights)]

    def set_heights(self, heights, colours=None) -> None:
        self.heights = np.asarray(heights, dtype=float)
        self.collection.set_verts(self._verts())
        if colours is not None:
            self.collection.set_facecolors(colours)


def _segments(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y arrays of separate line segments joined by NaN gaps (one Line2D for many lines)."""
    n = len(starts)
    xs = np.full(3 * n, np.nan)
    ys = np.full(3 * n, np.nan)
    xs[0::3], ys[0::3] = starts[:, 0], starts[:, 1]
    xs[1::3], ys[1::3] = ends[:, 0], ends[:, 1]
    return xs, ys


def psoas_paradox_explorer(lordosis: int = 45, activation: int = 100):
    """Show the psoas-paradox explorer (sliders: lumbar lordosis 10–70°, psoas effort 0–100 %)."""
    return PsoasParadoxExplorer(lordosis=lordosis, activation=activation).show()


__all__ = ["PsoasParadoxExplorer", "psoas_paradox_explorer"]
