"""Hip-flexion explorer: move the hip and watch psoas and iliacus lengthen, shorten and change leverage.

``hip_flexion_explorer(angle=0)`` shows one figure with three panels:

(a) a side view of the right hip (anterior to the right): a schematic pelvis
    drawn in the Gait2392 pelvis frame, the femur swinging about the hip
    centre, and the psoas and iliacus paths through their via points;
(b) musculotendon length and (c) hip-flexion moment arm against hip angle,
    from the course's Gait2392 model (:mod:`iliopsoas.models.muscle_path`, solid)
    with the Rajagopal et al. 2016 model's curves (dashed) for comparison.

The figure is built once; a slider step moves the femur, the muscle paths and
the markers on the curves (all blitted, see :mod:`iliopsoas.figures.base`).
"""
from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch, Polygon
from matplotlib.text import Annotation

from . import style
from .base import Diagram
from ..models.muscle_path import (HIP_FLEXION_RANGE_DEG, UNRELIABLE_ABOVE_DEG, VIA_POINT_SWITCH_DEG,
                           load_hip_model, reference_curve)
from .style import BONE, BONE_EDGE, GRID, OKABE_ITO, TEXT, style_axes

MUSCLE_NAMES = ("psoas", "iliacus")
COLOURS = {"psoas": OKABE_ITO["vermillion"], "iliacus": OKABE_ITO["blue"]}
# In the side view the two paths differ by line style and marker as well as colour.
PATH_STYLES = {"psoas": "-", "iliacus": (0, (5, 1.5, 1, 1.5))}
MARKERS = {"psoas": "o", "iliacus": "s"}
REFERENCE_LABEL = "Rajagopal 2016 (wrapping)"

FEMUR_LENGTH_M = 0.40
LESSER_TROCHANTER_FEMUR_M = (-0.021, -0.061)    # between the psoas and iliacus insertions (P5)

# A schematic right hemipelvis seen from the side, in the Gait2392 pelvis frame (m; x anterior,
# y superior; origin between the anterior superior iliac spines, hip centre at (-0.0707, -0.0661)).
PELVIS_OUTLINE_M = [
    (0.000, 0.000),      # ASIS
    (-0.006, -0.016), (-0.011, -0.032),   # AIIS
    (-0.021, -0.048), (-0.031, -0.061),   # iliopubic eminence
    (-0.018, -0.070), (0.001, -0.077),    # superior pubic ramus to the pubic tubercle
    (0.005, -0.098), (-0.004, -0.114),    # symphysis
    (-0.030, -0.134), (-0.066, -0.146),   # inferior pubic and ischial rami
    (-0.092, -0.156), (-0.114, -0.152), (-0.126, -0.132),  # ischial tuberosity
    (-0.121, -0.110), (-0.133, -0.092),   # lesser sciatic notch, ischial spine
    (-0.118, -0.062), (-0.121, -0.032),   # greater sciatic notch
    (-0.141, -0.012), (-0.151, 0.012),    # PIIS, PSIS
    (-0.143, 0.041), (-0.120, 0.064), (-0.088, 0.076),    # iliac crest
    (-0.055, 0.068), (-0.028, 0.047), (-0.010, 0.023),
]
SACRUM_OUTLINE_M = [
    (-0.090, 0.073), (-0.128, 0.082), (-0.150, 0.052), (-0.164, 0.010), (-0.166, -0.035),
    (-0.156, -0.072), (-0.137, -0.097), (-0.134, -0.070), (-0.129, -0.030), (-0.117, 0.012),
    (-0.104, 0.046),
]
PELVIC_BRIM_M = [(-0.092, 0.071), (-0.070, 0.035), (-0.047, -0.010), (-0.033, -0.045), (-0.020, -0.072)]
OBTURATOR_FORAMEN = dict(xy=(-0.045, -0.112), width=0.046, height=0.024, angle=-15)
LUMBAR_BODIES = [((-0.106, 0.099), -6), ((-0.104, 0.131), -2)]   # (centre, tilt in degrees) of L5 and L4

SIDE_XLIM = (-0.185, 0.125)
SIDE_YLIM = (-0.225, 0.155)
FEMUR_HALF_BAND_M = 0.0125   # half the femur's drawn width (15.5 pt) plus a margin, in metres
LABEL_GAP_M = 0.005
FEMUR_LABEL_M = 0.132          # where the word "femur" sits along the bone, beyond the angle arc


def _flexion_words(angle: float) -> str:
    if angle > 0:
        return "flexion"
    if angle < 0:
        return "extension"
    return "standing upright, neutral"


class HipFlexionExplorer(Diagram):
    """Psoas and iliacus length and moment arm against hip flexion, with a side view of the hip."""

    name = "hip-flexion"
    title = "Hip flexion: psoas and iliacus length and leverage"
    figsize = (9.5, 4.2)
    caption = (
        "(a) Side view of a right hip, front to the right: schematic pelvis and femur with psoas and iliacus "
        "drawn as straight lines through the via points of the OpenSim Gait2392 model. (b) Musculotendon length "
        "and (c) hip-flexion moment arm (−dL/dθ) against hip angle: solid lines are the course's own computation "
        "from the Gait2392 geometry (Delp et al. 1990; OpenSim model by DG Thelen, A Seth, FC Anderson, SL Delp; "
        "CC BY 3.0); the course's own check finds it within 0.001 mm of OpenSim's values (course models 2026). "
        "Dashed lines are moment arms and lengths computed "
        "from the Rajagopal et al. 2016 model (derived numbers only), whose paths wrap over the pelvic brim. "
        "Limitations: straight lines without wrapping surfaces, hip flexion only and generic adult male geometry, "
        "so the curves step at 45° where a via point drops out and are unreliable beyond about 90°."
    )

    def __init__(self, **initial):
        if "angle" in initial:   # the slider would silently clamp a wrong angle; say so instead
            lo, hi = HIP_FLEXION_RANGE_DEG
            angle = initial["angle"]
            if not isinstance(angle, (int, float)) or not lo <= angle <= hi:
                raise ValueError(f"angle must be a hip angle from {lo:g}° (extension) to {hi:g}° (flexion), "
                                 f"not {angle!r}")
        self.model = load_hip_model()
        self.muscles = {name: self.model.muscles[name] for name in MUSCLE_NAMES}
        p, i = self.muscles["psoas"], self.muscles["iliacus"]
        arms = np.concatenate([m.moment_arm_mm(np.arange(-30, 91)) for m in (p, i)])
        self._summary = {   # numbers quoted in the alt text, from the model itself
            "length_start": f"about {p.length_mm(-30):.0f} (psoas) and {i.length_mm(-30):.0f} mm (iliacus)",
            "length_90": f"about {p.length_mm(90):.0f} and {i.length_mm(90):.0f} mm",
            "arm_range": f"between about {arms.min():.0f} and {arms.max():.0f} mm",
        }
        super().__init__(**initial)

    # ------------------------------------------------------------------ build
    def build(self, fig):
        side = fig.add_gridspec(1, 1, left=0.005, right=0.33, bottom=0.06, top=0.93)
        plots = fig.add_gridspec(1, 2, left=0.405, right=0.985, bottom=0.125, top=0.78, wspace=0.30)
        self.ax_side = fig.add_subplot(side[0, 0])
        self.ax_length = fig.add_subplot(plots[0, 0])
        self.ax_arm = fig.add_subplot(plots[0, 1])
        self._build_side_view(self.ax_side)
        self._build_curves()
        # Drawn in this order on every update (their z-orders give the same order in a full redraw).
        self.animated = [self.femur, self.lesser_trochanter, self.angle_arc, *self.paths.values(),
                         self.lt_label, self.femur_label, self.angle_text, self.ref_label,
                         *self.length_cursor, *self.arm_cursor, *self.curve_labels]
        self._measure_labels(fig)

    def _build_side_view(self, ax):
        style.schematic_axes(ax, SIDE_XLIM, SIDE_YLIM, "(a) Side view of the right hip")
        hip = self.model.hip_centre_m[:2]

        # Lumbar stub and sacrum behind the hip bone (the sacrum is medial, so lighter).
        for (cx, cy), tilt in LUMBAR_BODIES:
            body = FancyBboxPatch((cx - 0.021, cy - 0.012), 0.042, 0.024, boxstyle="round,pad=0,rounding_size=0.005",
                                  facecolor="#ECE8DF", edgecolor=BONE_EDGE, linewidth=0.9, zorder=1)
            body.set_transform(_rotation_about(ax, tilt, (cx, cy)))
            ax.add_patch(body)
        ax.text(-0.131, 0.118, "lumbar\nspine", ha="right", va="center", fontsize=8, color=TEXT)
        ax.add_patch(Polygon(SACRUM_OUTLINE_M, closed=True, facecolor="#ECE8DF", edgecolor=BONE_EDGE,
                             linewidth=0.9, zorder=1))
        ax.text(-0.169, -0.025, "sacrum", ha="right", va="center", rotation=90, fontsize=8, color=TEXT)

        # Hip bone (ilium, ischium, pubis) with the obturator foramen and the acetabulum.
        ax.add_patch(Polygon(PELVIS_OUTLINE_M, closed=True, facecolor=BONE, edgecolor=BONE_EDGE,
                             linewidth=1.2, zorder=2, joinstyle="round"))
        ax.add_patch(Ellipse(**OBTURATOR_FORAMEN, facecolor="white", edgecolor=BONE_EDGE, linewidth=0.9, zorder=2))
        brim = np.array(PELVIC_BRIM_M)
        ax.plot(brim[:, 0], brim[:, 1], color=BONE_EDGE, linewidth=0.9, linestyle=(0, (3, 2)), zorder=2)
        ax.add_patch(Circle(hip, 0.031, facecolor="#C9C2B2", edgecolor=BONE_EDGE, linewidth=1.0, zorder=2))
        ax.text(0.006, 0.004, "ASIS", ha="left", va="bottom", fontsize=8, color=TEXT)
        ax.text(-0.024, 0.052, "iliac crest", ha="left", va="bottom", fontsize=8, color=TEXT)

        # Reference femur at 0° (standing), then the moving femur.
        down = self.model.femur_to_pelvis([(0, 0), (0, -FEMUR_LENGTH_M)], 0)
        ax.plot(down[:, 0], down[:, 1], color=GRID, linewidth=1.2, linestyle=(0, (4, 3)), zorder=1.5)
        # Beside the reference line's foot; hidden while the femur passes over it (see update).
        # Labels that move or change on every step are FastText (one path each: cheap to redraw).
        self.ref_label = style.fast_text(ax, hip[0] - 0.006, SIDE_YLIM[0] + 0.004, "0° (standing)", ha="right",
                                         va="bottom", fontsize=8, color="#555555", zorder=4.6)
        (self.femur,) = ax.plot([], [], color=BONE, linewidth=13, solid_capstyle="round", zorder=3,
                                path_effects=[patheffects.Stroke(linewidth=15.5, foreground=BONE_EDGE),
                                              patheffects.Normal()])
        (self.lesser_trochanter,) = ax.plot([], [], marker="o", markersize=7.5, color=BONE,
                                            markeredgecolor=BONE_EDGE, markeredgewidth=1.0, linestyle="none",
                                            zorder=3.1)
        # Placed in update() where it is clear of the femur and the other labels; a white halo keeps
        # the muscle lines under it readable.
        self.lt_label = style.fast_text(ax, 0, 0, "lesser\ntrochanter", ha="center", va="center", fontsize=8,
                                        color=TEXT, zorder=4.6, halo="white", linespacing=1.1)
        self.femur_label = style.fast_text(ax, 0, 0, "femur", ha="center", va="center", fontsize=8, color=TEXT,
                                           zorder=4.6)
        ax.add_patch(Circle(hip, 0.0235, facecolor=BONE, edgecolor=BONE_EDGE, linewidth=1.0, zorder=2.9))
        self.hip_label = ax.text(hip[0] - 0.037, hip[1] + 0.016, "hip\njoint", ha="right", va="center", fontsize=8,
                                 color=TEXT, zorder=2.95,
                                 path_effects=[patheffects.withStroke(linewidth=3, foreground=BONE)])
        (self.angle_arc,) = ax.plot([], [], color=TEXT, linewidth=1.0, zorder=3.4)
        self.angle_text = style.fast_text(ax, 0, 0, "", ha="center", va="center", fontsize=9, color=TEXT,
                                          zorder=4.6)

        # Muscle paths through their via points; direct labels at their pelvic ends.
        self.paths = {}
        for z, name in enumerate(MUSCLE_NAMES):
            (line,) = ax.plot([], [], color=COLOURS[name], linestyle=PATH_STYLES[name], linewidth=3.0,
                              marker=MARKERS[name], markersize=4.5, markerfacecolor="white",
                              markeredgecolor=COLOURS[name], markeredgewidth=1.3, solid_capstyle="round",
                              zorder=4 + z / 10, label=name)
            self.paths[name] = line
        p_origin = self.muscles["psoas"].path(0)[0]
        i_origin = self.muscles["iliacus"].path(0)[0]
        halo = [patheffects.withStroke(linewidth=3, foreground="white")]
        ax.text(p_origin[0] + 0.004, p_origin[1] + 0.010, "psoas", ha="left", va="bottom", fontsize=9,
                fontweight="bold", color=COLOURS["psoas"], zorder=2.95, path_effects=halo)
        ax.text(i_origin[0] - 0.010, i_origin[1], "iliacus", ha="right", va="center", fontsize=9,
                fontweight="bold", color=COLOURS["iliacus"], zorder=2.95, path_effects=halo)
        # Orientation, top right: the femur (at most 120° of flexion) never reaches this corner.
        arrow_y = SIDE_YLIM[1] - 0.012
        ax.annotate("front", xy=(SIDE_XLIM[1] - 0.005, arrow_y), xytext=(SIDE_XLIM[1] - 0.07, arrow_y),
                    ha="right", va="center", fontsize=8, color=TEXT,
                    arrowprops=dict(arrowstyle="->", color=TEXT, linewidth=1.0))

    def _build_curves(self):
        lo, hi = HIP_FLEXION_RANGE_DEG
        grid = np.linspace(lo, hi, int(round((hi - lo) * 4)) + 1)   # 0.25° steps, shows the step at 45°
        self.length_cursor, self.arm_cursor = [], []
        for ax, key, ylabel, title, ylim in (
                (self.ax_length, "length_mm", "Musculotendon length (mm)", "(b) Length", (120, 295)),
                (self.ax_arm, "moment_arm_mm", "Hip-flexion moment arm (mm)", "(c) Moment arm", (-45, 66))):
            style_axes(ax, grid=True)
            ax.set_xlim(lo, hi)
            ax.set_ylim(*ylim)
            ax.set_xticks(np.arange(-30, 121, 30))
            ax.set_xlabel("Hip angle (°): − extension, + flexion", fontsize=9)
            ax.set_ylabel(ylabel, fontsize=9)
            ax.set_title(title, fontsize=10, color=TEXT, loc="left")
            ax.axvspan(UNRELIABLE_ABOVE_DEG, hi, facecolor="#EDEDED", edgecolor="#9A9A9A", hatch="//",
                       linewidth=0, zorder=0.5, label="no wrapping: unreliable")
            # The band and the 45° line are named in the legend: the moving cursor would cross any
            # text inside the plot.
            ax.axvline(VIA_POINT_SWITCH_DEG, color="#555555", linewidth=0.9, linestyle=":", zorder=1)
            if key == "moment_arm_mm":
                ax.axhline(0, color=TEXT, linewidth=0.8, zorder=1)
            for name in MUSCLE_NAMES:
                muscle = self.muscles[name]
                values = muscle.length_mm(grid) if key == "length_mm" else muscle.moment_arm_mm(grid)
                ax.plot(grid, values, color=COLOURS[name], linewidth=2.0, zorder=3, label=f"{name} (Gait2392)")
                ref = reference_curve("rajagopal2016", name)
                ax.plot(ref["angle_deg"], ref[key], color=COLOURS[name], linewidth=1.4, linestyle="--", zorder=2.5,
                        label=f"{name}: {REFERENCE_LABEL}")
            cursor = [ax.axvline(0, color=TEXT, linewidth=1.2, zorder=4)]
            for name in MUSCLE_NAMES:
                (dot,) = ax.plot([], [], marker=MARKERS[name], markersize=7, linestyle="none", color=COLOURS[name],
                                 markeredgecolor="white", markeredgewidth=1.0, zorder=5, clip_on=False)
                cursor.append(dot)
            (self.length_cursor if key == "length_mm" else self.arm_cursor).extend(cursor)
        # Direct labels for the muscles (length panel): at whichever end of the curves the cursor is
        # not (see update), so the cursor never runs through them.
        self.curve_labels = [style.fast_text(self.ax_length, 0, 0, name, color=COLOURS[name], fontsize=9,
                                             fontweight="bold", va=va, halo="white", zorder=6)
                             for name, va in (("psoas", "bottom"), ("iliacus", "top"))]
        # One legend for line styles, markers, the 45° line and the shaded band, above the plots where
        # the moving cursor never crosses it.
        from matplotlib.patches import Patch
        handles = [Line2D([], [], color=TEXT, linewidth=2.0, label="Gait2392 (this model)"),
                   Line2D([], [], color=TEXT, linewidth=1.4, linestyle="--", label=REFERENCE_LABEL),
                   Line2D([], [], color="#555555", linewidth=0.9, linestyle=":",
                          label=f"via point switch at {VIA_POINT_SWITCH_DEG:.0f}°"),
                   Line2D([], [], color=COLOURS["psoas"], marker="o", linestyle="none", label="psoas"),
                   Line2D([], [], color=COLOURS["iliacus"], marker="s", linestyle="none", label="iliacus"),
                   Patch(facecolor="#EDEDED", edgecolor="#9A9A9A", hatch="//", linewidth=0,
                         label=f"beyond {UNRELIABLE_ABOVE_DEG:.0f}°: no wrapping, unreliable")]
        box_b, box_c = self.ax_length.get_position(), self.ax_arm.get_position()
        centre = (box_b.x0 + box_c.x1) / 2
        self.ax_length.figure.legend(handles=handles, loc="upper center", bbox_to_anchor=(centre, 1.0),
                                     ncol=2, fontsize=8, frameon=False, handlelength=2.2, columnspacing=1.4,
                                     borderaxespad=0.2, labelspacing=0.3)

    def _measure_labels(self, fig) -> None:
        """Sizes of the side view's labels in metres (for placing the moving ones clear of the rest)."""
        ax = self.ax_side
        ax.apply_aspect()
        renderer = fig.canvas.get_renderer()
        to_data = ax.transData.inverted()

        def box(text):
            ext = text.get_window_extent(renderer)
            (x0, y0), (x1, y1) = to_data.transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
            return np.array([x0, y0, x1, y1])

        for t in ax.texts:
            if isinstance(t, Annotation):
                t.update_positions(renderer)
        self._fixed_boxes = [box(t) for t in ax.texts if t.get_text().strip()]
        self._ref_box = box(self.ref_label)
        lt = box(self.lt_label)
        self._lt_size = (lt[2] - lt[0], lt[3] - lt[1])

    def _place_lesser_trochanter_label(self, lt: np.ndarray, femur: np.ndarray, back: np.ndarray) -> None:
        """Put the label beside the lesser trochanter, on the first side (starting behind the femur)
        where it stays in the axes and clear of the femur and the other labels."""
        w, h = self._lt_size
        avoid = self._fixed_boxes + ([self._ref_box] if self.ref_label.get_visible() else [])
        start = np.degrees(np.arctan2(back[1], back[0]))
        first = None
        for turn in (0, 45, -45, 90, -90, 135, -135, 180):
            u = unit(start + turn)
            # the box's centre, far enough along u that its nearest side is LABEL_GAP_M from the trochanter
            reach = LABEL_GAP_M + min(abs(w / 2 / u[0]) if abs(u[0]) > 1e-9 else np.inf,
                                      abs(h / 2 / u[1]) if abs(u[1]) > 1e-9 else np.inf)
            c = lt + reach * u
            b = np.array([c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2])
            inside = (b[0] >= SIDE_XLIM[0] and b[2] <= SIDE_XLIM[1] and b[1] >= SIDE_YLIM[0]
                      and b[3] <= SIDE_YLIM[1])
            if not inside:
                continue
            first = first if first is not None else c
            if box_segment_distance(b, femur[0], femur[1]) > FEMUR_HALF_BAND_M and not any(
                    boxes_overlap(b, other) for other in avoid):
                first = c
                break
        self.lt_label.set_position(tuple(first if first is not None else lt))

    # ------------------------------------------------------------------ controls and state
    def make_controls(self):
        import ipywidgets as w
        lo, hi = HIP_FLEXION_RANGE_DEG
        return {"angle": w.IntSlider(value=0, min=int(lo), max=int(hi), step=1, description="Hip flexion (°)",
                                     continuous_update=True, style={"description_width": "initial"},
                                     layout={"width": "420px"})}

    def values(self, angle: float) -> dict:
        """Lengths and moment arms (mm) of both muscles at one angle (computed once per angle: the
        update, the readout and the alt text all ask)."""
        cache = self.__dict__.setdefault("_values_cache", {})
        key = float(angle)
        if key not in cache:
            if len(cache) > 1024:
                cache.clear()
            cache[key] = {name: (m.length_mm(angle), m.moment_arm_mm(angle)) for name, m in self.muscles.items()}
        return cache[key]

    def update(self, state):
        angle = float(state["angle"])
        femur = self.model.femur_to_pelvis([(0, 0), (0, -FEMUR_LENGTH_M), LESSER_TROCHANTER_FEMUR_M], angle)
        self.femur.set_data(femur[:2, 0], femur[:2, 1])
        self.lesser_trochanter.set_data([femur[2, 0]], [femur[2, 1]])
        hip = self.model.hip_centre_m
        # "0° (standing)" is shown while the femur is clear of it.
        self.ref_label.set_visible(box_segment_distance(self._ref_box, femur[0], femur[1]) > FEMUR_HALF_BAND_M)
        # The trochanter's label: behind the femur (its posterior side) when there is room.
        back = self.model.femur_to_pelvis([(-1.0, 0.0)], angle)[0] - hip
        self._place_lesser_trochanter_label(femur[2, :2], femur[:2, :2], back[:2])
        label = self.model.femur_to_pelvis([(0.0, -FEMUR_LABEL_M)], angle)[0]
        self.femur_label.set_position((label[0], label[1]))
        self.femur_label.set_rotation(angle + 90 if angle <= 0 else angle - 90)
        arc = np.radians(np.linspace(-90, -90 + angle, 40))
        r = 0.095
        self.angle_arc.set_data(hip[0] + r * np.cos(arc), hip[1] + r * np.sin(arc))
        mid = np.radians(-90 + angle / 2)
        if abs(angle) < 30:   # a narrow arc: the number goes just beyond the femur, off the bone and its label
            mid = np.radians(-90 + angle + (14 if angle > 0 else -14))
        self.angle_text.set_position((hip[0] + (r + 0.02) * np.cos(mid), hip[1] + (r + 0.02) * np.sin(mid)))
        self.angle_text.set_text(f"+{angle:.0f}°" if angle > 0 else f"{_signed(int(round(angle)))}°")
        for name, line in self.paths.items():
            pts = self.muscles[name].path(angle)
            line.set_data(pts[:, 0], pts[:, 1])
        values = self.values(angle)
        for cursor, index in ((self.length_cursor, 0), (self.arm_cursor, 1)):
            cursor[0].set_xdata([angle, angle])
            for dot, name in zip(cursor[1:], MUSCLE_NAMES):
                dot.set_data([angle], [values[name][index]])
        # The curves' names sit at the end of the curves away from the cursor.
        lo, hi = HIP_FLEXION_RANGE_DEG
        at = lo + 3 if angle > (lo + hi) / 2 else hi - 3
        ends = self.values(at)
        for text, name, offset in zip(self.curve_labels, MUSCLE_NAMES, (5, -5)):
            text.set_position((at, ends[name][0] + offset))
            text.set_horizontalalignment("left" if at < angle else "right")
        return None

    # ------------------------------------------------------------------ words
    def readout(self, state):
        angle = int(round(state["angle"]))
        v = self.values(angle)
        (lp, ap), (li, ai) = v["psoas"], v["iliacus"]
        head = f"Hip at {_signed(angle)}° ({_flexion_words(angle)}): psoas {lp:.0f} mm, iliacus {li:.0f} mm long"
        arms = f"moment arms {_signed(round(ap))} and {_signed(round(ai))} mm"
        if angle == 0:
            text = (f"{head}; {arms}. Extend the hip (negative angles) and both muscles get longer; "
                    "flex it and they get shorter.")
        else:
            z = self.values(0)
            dp, di = lp - z["psoas"][0], li - z["iliacus"][0]
            if angle < 0:
                text = (f"{head} — {dp:.0f} and {di:.0f} mm longer than standing upright (0°); {arms}. "
                        "Extending the hip stretches the hip flexors: the basis of the Thomas test and of "
                        "hip-flexor stretches.")
            else:
                text = f"{head} — {-dp:.0f} and {-di:.0f} mm shorter than standing upright (0°); {arms}."
        if abs(angle - VIA_POINT_SWITCH_DEG) <= 2:
            text += (" Just above 45° the model drops a via point at the pelvic brim, so its moment-arm curve "
                     "steps there (a real muscle wraps smoothly).")
        if angle > UNRELIABLE_ABOVE_DEG:
            rp = np.interp(angle, *_ref("psoas"))
            ri = np.interp(angle, *_ref("iliacus"))
            text += (" Beyond 90° this model is unreliable: without wrapping surfaces the straight line from the "
                     "pelvic brim to the femur swings towards and then past the hip centre, so the moment arm "
                     "shrinks and can turn negative, an artefact; the wrapping Rajagopal 2016 model still gives "
                     f"{rp:.0f} and {ri:.0f} mm.")
        return text

    def alt(self, state):
        angle = int(round(state["angle"]))
        v = self.values(angle)
        (lp, ap), (li, ai) = v["psoas"], v["iliacus"]
        if angle > 0:
            pose = f"the femur swung {angle}° forward (hip flexion)"
        elif angle < 0:
            pose = f"the femur swung {-angle}° backward (hip extension)"
        else:
            pose = "the femur hanging straight down (standing, 0°)"
        text = (f"Three panels. Left: side view of a right hip, front to the right, with {pose}; psoas "
                "(orange-red solid line, round via points) runs from the lumbar region and iliacus (blue dash-dot "
                "line, square via points) from the inside of the iliac crest, both in front of the hip joint, "
                "to the lesser trochanter of the femur. Middle: muscle length against hip angle, falling steadily "
                f"from {self._summary['length_start']} at −30° to {self._summary['length_90']} at 90°; "
                f"markers at {_signed(angle)}° show {lp:.0f} mm (psoas) and {li:.0f} mm (iliacus). Right: hip-flexion "
                f"moment arm against hip angle, {self._summary['arm_range']} from −30° to 90° with a small step at "
                f"45°; markers show {_signed(round(ap))} and {_signed(round(ai))} mm. "
                "Dashed curves: the Rajagopal 2016 model for "
                "comparison. The region beyond 90° is shaded and labelled unreliable, where this model's moment "
                "arms fall below zero.")
        return text


def unit(degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    return np.array([np.cos(a), np.sin(a)])


def boxes_overlap(a, b) -> bool:
    """Two boxes (x0, y0, x1, y1) overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def box_segment_distance(box, p, q) -> float:
    """Shortest distance between a box (x0, y0, x1, y1) and the segment p–q (0 if they meet)."""
    p, q = np.asarray(p, float)[:2], np.asarray(q, float)[:2]
    x0, y0, x1, y1 = box
    ts = np.linspace(0.0, 1.0, 65)
    pts = p + ts[:, None] * (q - p)
    dx = np.maximum(np.maximum(x0 - pts[:, 0], 0), pts[:, 0] - x1)
    dy = np.maximum(np.maximum(y0 - pts[:, 1], 0), pts[:, 1] - y1)
    return float(np.sqrt(dx ** 2 + dy ** 2).min())


def _signed(angle: int) -> str:
    return f"−{-angle}" if angle < 0 else f"{angle}"


_REF_CACHE: dict = {}


def _ref(name: str):
    if name not in _REF_CACHE:
        ref = reference_curve("rajagopal2016", name)
        _REF_CACHE[name] = (ref["angle_deg"], ref["moment_arm_mm"])
    return _REF_CACHE[name]


def _rotation_about(ax, degrees: float, centre):
    from matplotlib.transforms import Affine2D
    return Affine2D().rotate_deg_around(centre[0], centre[1], degrees) + ax.transData


def hip_flexion_explorer(angle: int = 0):
    """Show the hip-flexion explorer (slider: hip angle from −30° extension to 120° flexion)."""
    return HipFlexionExplorer(angle=angle).show()


__all__ = ["HipFlexionExplorer", "hip_flexion_explorer"]
