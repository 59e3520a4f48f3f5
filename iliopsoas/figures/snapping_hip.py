"""Internal snapping hip: move the hip from FABER to extension and watch the tendon catch and snap.

``snapping_hip_model(progress=0, hip="catches")`` shows one figure with three panels:

(a) a front view of the hip region drawn from the course's landmark data
    (:func:`iliopsoas.figures.anatomy.draw_anatomy`, muted), with the
    iliopsoas tendon drawn from the pelvic brim across the front of the femoral
    head towards the lesser trochanter, and the level of the section in (b);
(b) a schematic section across the front of the hip joint (front up, lateral to
    the right, as in a): the femoral head, the pubic bone with the iliopectineal
    eminence, the round tendon and the iliacus beside it;
(c) the tendon's side-to-side position against the movement: its straight line
    (dashed) and where the model puts the tendon (solid; flat while caught, a
    vertical jump at the snap).

Every number comes from :mod:`iliopsoas.models.snapping` (a teaching model:
Gait2392 geometry for the movement, landmark data for the bone, a catch set by
hand).  The slider moves the hip; the second control switches between a hip
whose tendon catches and one whose tendon glides.  Meaning never rests on
colour alone: the tendon is a filled circle, its straight line dashed, the
catch an arrow and the snap a starburst with the word "snap".

Public API::

    SnappingHipModel -> see iliopsoas.models.snapping
    SnappingHipDiagram(progress=0, hip="catches")     # Diagram, name "snapping-hip"
    snapping_hip_model(progress=0, hip="catches")     # the widget (``.show()``)
"""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, Polygon

from . import style
from .anatomy import draw_anatomy
from .base import Diagram
from ..models.landmarks import landmark_data
from ..models.snapping import (CATCH_MM, END_POSE, LIMITATIONS, START_POSE, TENDON_RADIUS_MM, SnappingHipModel,
                               describe, geometry, lesser_trochanter_m, surface_mm, tendon_centre_mm)
from .style import BONE, BONE_EDGE, OKABE_ITO as OI, TEXT, style_axes

HIPS = {"catches": "Tendon catches (snapping hip)", "glides": "Tendon glides (no snap)"}
TENDON = OI["vermillion"]
TENDON_EDGE = "#6B2400"
LINE_COLOUR = OI["blue"]
ILIACUS = OI["sky_blue"]
LABEL = dict(fontsize=8.5, color=TEXT)
SECTION_ULIM = (-36.0, 44.0)    # mm, lateral +
SECTION_DLIM = (-12.0, 50.0)     # mm, forwards
FRONT_XLIM = (4.4, 18.4)        # cm, landmark coordinates (the person's left hip, lateral to the right)
FRONT_YLIM = (-7.0, 11.6)
LABEL_X = 14.2                  # label column of panel a (cm), clear of the drawing
SLICE_ABOVE_CENTRE_CM = 1.0     # where section b is drawn in a (schematic)
PULL_SCALE = 3.0                # the pull arrow in b is drawn this many times the deflection


def _caption() -> str:
    return (
        "Teaching model, not a measurement. (a) Front view of the left hip from the course's landmark data (after "
        "Gray 1918); (b) section across the front of the hip at the dashed line; (c) the tendon's side-to-side "
        "position. The tendon's straight line follows the OpenSim Gait2392 geometry (Delp et al. 1990) from 90° "
        "flexion, 45° abduction and 45° external rotation to 10° extension, adduction and internal rotation; the "
        f"{CATCH_MM:.0f} mm catch is set by hand. Ultrasound of 18 snapping hips found other mechanisms more often "
        "(Deslandes et al. 2008)."
    )


class SnappingHipDiagram(Diagram):
    """The internal snapping hip model (see the module docstring)."""

    name = "snapping-hip"
    title = "Internal snapping hip: a teaching model"
    figsize = (9.6, 3.9)
    caption = _caption()

    def __init__(self, progress: int = 0, hip: str = "catches"):
        if hip not in HIPS:
            raise ValueError(f"hip must be one of {', '.join(HIPS)}, not {hip!r}")
        if not isinstance(progress, (int, float)) or not 0 <= progress <= 100:
            raise ValueError(f"progress must be a percentage from 0 (FABER) to 100 (extension), not {progress!r}")
        self.models = {"catches": SnappingHipModel(), "glides": SnappingHipModel(catch_mm=0.0)}
        self.geo = geometry()
        super().__init__(progress=int(round(progress)), hip=hip)

    # ------------------------------------------------------------------ build
    def build(self, fig) -> None:
        self._shown_hip = None      # the curves in c are set by the first update
        self.ax_front = fig.add_axes((0.0, 0.0, 0.285, 0.92))
        self.ax_sec = fig.add_axes((0.285, 0.0, 0.39, 0.92))
        self.ax_plot = fig.add_axes((0.775, 0.15, 0.20, 0.72))
        self._build_front(self.ax_front)
        self._build_section(self.ax_sec)
        self._build_plot(self.ax_plot)
        # blitted in this order (their z-orders give the same order in a full redraw)
        self.animated = [self.front_tendon, self.snap_star, self.iliacus, self.tendon, self.free_mark,
                         self.catch_arrow, self.snap_word, self.now_line, self.now_dot]

    def _build_front(self, ax) -> None:
        arts = draw_anatomy(ax, "anterior", labels=False)
        keep = {"psoas_major", "iliacus", "aiis", "asis"}
        for key, artists in arts.items():
            for a in artists:
                if key not in keep:
                    a.set_visible(False)
                elif key in ("psoas_major", "iliacus"):
                    a.set_alpha(0.35)
        for t in list(ax.texts):
            t.set_visible(False)
        ax.set_xlim(*FRONT_XLIM)
        ax.set_ylim(*FRONT_YLIM)
        marks = landmark_data()["views"]["anterior"]["landmarks"]
        self.hip_xy = np.array(marks["hip_centre"], dtype=float)
        r_cm = self.geo["head_radius_mm"] / 10.0
        self.front_head = Circle(self.hip_xy, r_cm, facecolor=BONE, edgecolor=BONE_EDGE, lw=1.3, zorder=5)
        ax.add_patch(self.front_head)
        self.slice_y = self.hip_xy[1] + SLICE_ABOVE_CENTRE_CM
        ax.plot([self.hip_xy[0] - 4.2, LABEL_X - 0.3], [self.slice_y] * 2, ls=(0, (5, 3)), color="#333333",
                lw=1.0, zorder=8)
        em = np.array(marks["iliopubic_eminence"], dtype=float)
        ax.plot(*em, marker="^", ms=7, color="black", zorder=9)
        self.brim_xy = np.array([self.hip_xy[0] - 0.2, self.hip_xy[1] + 4.3])
        leader = dict(arrowstyle="-", color="#333333", lw=0.8, shrinkA=2, shrinkB=2)
        labels = [("psoas and\niliacus", (10.6, 9.0), 9.6),
                  ("iliopectineal\neminence", tuple(em), 6.6),
                  ("section b", (LABEL_X - 0.3, self.slice_y), self.slice_y),
                  ("femoral head", (self.hip_xy[0] + 1.6, self.hip_xy[1] - 1.4), 0.0)]
        for text, xy, y in labels:
            ax.annotate(text, xy=xy, xytext=(LABEL_X, y), ha="left", va="center", arrowprops=leader, zorder=9,
                        **LABEL)
        ax.set_title("a  Front view (left hip)", fontsize=9.5, fontweight="bold", color=TEXT, loc="left")
        ax.text(FRONT_XLIM[1] - 0.2, FRONT_YLIM[0] + 0.2, "lateral →", ha="right", va="bottom", fontsize=8,
                style="italic", color="#444444", zorder=9)
        # the tendon: brim point (fixed) -> crossing of the section (moves) -> towards the lesser trochanter
        self.front_tendon, = ax.plot([], [], color=TENDON, lw=5.0, solid_capstyle="round", zorder=7)

    def _build_section(self, ax) -> None:
        style.schematic_axes(ax, SECTION_ULIM, SECTION_DLIM)
        u = np.linspace(*SECTION_ULIM, 400)
        depth = surface_mm(u)
        r = self.geo["head_radius_mm"]
        for lo, hi in ((SECTION_ULIM[0], -10.0), (12.0, SECTION_ULIM[1])):   # pubic bone; rim of the socket
            mask = (u >= lo) & (u <= hi)
            pts = np.column_stack([u[mask], np.minimum(depth[mask], 16.0)])
            poly = np.vstack([[pts[0, 0], 0.0], pts, [pts[-1, 0], 0.0]])
            ax.add_patch(Polygon(poly, closed=True, facecolor=BONE, edgecolor=BONE_EDGE, lw=1.3, zorder=2))
        a = np.linspace(0, np.pi, 90)
        ax.add_patch(Polygon(np.column_stack([r * np.cos(a), r * np.sin(a)]), closed=True, facecolor=BONE,
                             edgecolor=BONE_EDGE, lw=1.3, zorder=3))
        e = self.geo["eminence_mm"]
        ax.plot([e], [surface_mm(e)], marker="^", ms=7, color="black", zorder=4)
        leader = dict(arrowstyle="-", color="#333333", lw=0.8, shrinkA=1, shrinkB=1)
        for text, xy, x in (("pubic bone", (-28.0, 4.0), -28.0), ("femoral head", (4.0, 6.0), 4.0),
                            ("rim of the socket", (30.0, 6.0), 30.0)):
            ax.annotate(text, xy=xy, xytext=(x, -7.0), ha="center", va="center", arrowprops=leader, zorder=4,
                        **LABEL)
        ax.annotate("iliopectineal\neminence", xy=(e, surface_mm(e) + 1.2), xytext=(-27.5, 27.0), ha="center",
                    va="bottom", arrowprops=leader, zorder=4, **LABEL)
        ax.set_title("b  Section across the front of the hip", fontsize=9.5, fontweight="bold", color=TEXT,
                     loc="left")
        ax.text(SECTION_ULIM[0] + 1, SECTION_DLIM[1] - 1, "front ↑   ← medial · lateral →", ha="left",
                va="top", fontsize=8, style="italic", color="#444444")
        # moving parts
        self.iliacus = Ellipse((0, 0), 12.0, 8.0, facecolor=ILIACUS, edgecolor="#1F5F80", hatch="///",
                               lw=1.0, alpha=0.9, zorder=5)
        ax.add_patch(self.iliacus)
        self.tendon = Circle((0, 0), TENDON_RADIUS_MM, facecolor=TENDON, edgecolor=TENDON_EDGE, lw=1.5, zorder=6)
        ax.add_patch(self.tendon)
        self.free_mark, = ax.plot([], [], ls=(0, (3, 2)), color=LINE_COLOUR, lw=1.6, zorder=7)
        self.catch_arrow = FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=12, color="black",
                                           lw=1.4, zorder=8)
        ax.add_patch(self.catch_arrow)
        self.snap_star = Polygon(np.zeros((2, 2)), closed=True, facecolor=OI["yellow"], edgecolor="black",
                                 lw=1.2, zorder=4.5)
        ax.add_patch(self.snap_star)
        self.snap_word = ax.text(0, 0, "snap!", ha="center", va="bottom", fontsize=10, fontweight="bold",
                                 color="black", zorder=9)
        # key, inside the panel
        handles = [Line2D([], [], marker="o", ls="none", ms=9, markerfacecolor=TENDON, markeredgecolor=TENDON_EDGE,
                          label="iliopsoas tendon"),
                   Line2D([], [], ls=(0, (3, 2)), color=LINE_COLOUR, lw=1.6, label="its straight line"),
                   Line2D([], [], marker="o", ls="none", ms=9, markerfacecolor=ILIACUS, markeredgecolor="#1F5F80",
                          label="iliacus muscle"),
                   Line2D([], [], marker="<", ls="-", ms=6, color="black", lw=1.4, label="pull while caught")]
        ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                  handlelength=1.6, borderaxespad=0.2)

    def _build_plot(self, ax) -> None:
        style_axes(ax, grid=True)
        ax.set_xlim(0, 100)
        ax.set_ylim(-10, 30)
        ax.set_xlabel("movement (%): FABER → extension", fontsize=8.5)
        ax.set_ylabel("tendon position (mm)\n← medial · lateral →", fontsize=8.5)
        ax.axhline(0, color="#555555", lw=0.9, ls=":", zorder=1)
        ax.text(2, -0.8, "top of femoral head", ha="left", va="top", fontsize=8, color="#333333")
        ax.set_title("c  Tendon position", fontsize=9.5, fontweight="bold", color=TEXT, loc="left")
        self.free_curve, = ax.plot([], [], ls=(0, (3, 2)), color=LINE_COLOUR, lw=1.6, zorder=3)
        self.tendon_curve, = ax.plot([], [], color=TENDON, lw=2.2, zorder=4)
        self.snap_tag = ax.annotate("snap", xy=(0, 0), xytext=(0, 0), ha="right", va="center", fontsize=8.5,
                                    color=TEXT, arrowprops=dict(arrowstyle="-", color="#333333", lw=0.8))
        self.now_line, = ax.plot([], [], marker="^", ms=8, color="black", ls="none", zorder=6, clip_on=False)
        self.now_dot, = ax.plot([], [], marker="o", ms=7, markerfacecolor=TENDON, markeredgecolor="black", zorder=6)

    # ------------------------------------------------------------------ controls and state
    def make_controls(self) -> dict:
        import ipywidgets as w

        slider = w.IntSlider(value=0, min=0, max=100, step=1, description="Movement (%)",
                             continuous_update=True, style={"description_width": "initial"},
                             layout={"width": "340px"})
        hip = w.Dropdown(options=[(label, key) for key, label in HIPS.items()], value="catches",
                         description="Hip", style={"description_width": "initial"})
        return {"progress": slider, "hip": hip}

    def _state(self, state: dict):
        model = self.models[state["hip"]]
        return model, model.state(float(state["progress"]))

    def update(self, state: dict):
        model, s = self._state(state)
        changed = self._shown_hip != state["hip"]
        if changed:
            path = model.path()
            self.free_curve.set_data(path["progress_pct"], path["free_mm"])
            self.tendon_curve.set_data(path["progress_pct"], path["tendon_mm"])
            snap = model.snap_progress_pct
            self.snap_tag.set_visible(snap is not None)
            if snap is not None:
                self.snap_tag.xy = (snap, -model.catch_mm / 2)
                self.snap_tag.set_position((snap - 14, -7.0))
            self._shown_hip = state["hip"]
        # (b) section
        cu, cd = tendon_centre_mm(s.tendon_mm)
        self.tendon.center = (cu, cd)
        self.iliacus.center = (cu + 8.5, cd + 2.5)
        fu, fd = tendon_centre_mm(s.free_mm)
        self.free_mark.set_data([s.free_mm, s.free_mm], [fd - 7, fd + 9])
        caught = s.phase == "caught"
        self.catch_arrow.set_visible(caught and abs(s.deflection_mm) > 0.3)
        if caught:   # the pull of the tendon's line, drawn PULL_SCALE times its length so it can be seen
            start = cu - TENDON_RADIUS_MM - 0.5
            self.catch_arrow.set_positions((start, cd), (start - PULL_SCALE * abs(s.deflection_mm), cd))
        snapping = s.phase == "snap"
        self.snap_star.set_visible(snapping)
        self.snap_word.set_visible(snapping)
        if snapping:
            angles = np.linspace(0, 2 * np.pi, 17)[:-1]
            radii = np.where(np.arange(16) % 2 == 0, 9.0, 5.0)
            self.snap_star.set_xy(np.column_stack([cu + radii * np.cos(angles), cd + radii * np.sin(angles)]))
            self.snap_word.set_position((cu - 8.0, cd + 9.5))
        # (a) front view: brim -> crossing of the section -> towards the lesser trochanter
        cross = (self.hip_xy[0] + s.tendon_mm / 10.0, self.slice_y)
        lt = 100.0 * (lesser_trochanter_m(s.pose) - self.geo["hip_centre_m"])     # cm: x anterior, y up, z lateral
        lt_xy = self.hip_xy + np.array([lt[2], lt[1]])
        self.front_tendon.set_data([self.brim_xy[0], cross[0], lt_xy[0]], [self.brim_xy[1], cross[1], lt_xy[1]])
        # (c) plot
        self.now_line.set_data([s.progress_pct], [-10.0])
        self.now_dot.set_data([s.progress_pct], [s.tendon_mm])
        return True if changed else None

    def readout(self, state: dict) -> str:
        _, s = self._state(state)
        return describe(s, self.geo)

    def alt(self, state: dict) -> str:
        model, s = self._state(state)
        snap = (f"in the catching hip the tendon is held on the top of the femoral head and then jumps "
                f"{model.catch_mm:.0f} mm inwards at {model.snap_progress_pct:.0f} % of the movement"
                if model.snap_progress_pct is not None else "in the gliding hip the tendon moves smoothly")
        return ("Three-panel teaching diagram of the internal snapping hip. a: front view of the left hip with the "
                "iliopsoas tendon crossing the front of the femoral head. b: section across the front of the hip "
                "with the femoral head, the pubic bone and iliopectineal eminence, the round tendon and the "
                "iliacus beside it. c: graph of the tendon's side-to-side position against the movement from "
                f"FABER to extension; {snap}. Now: " + describe(s, self.geo))

    def set(self, **values) -> bytes:
        if "hip" in values and values["hip"] not in HIPS:
            raise ValueError(f"hip must be one of {', '.join(HIPS)}, not {values['hip']!r}")
        return super().set(**values)


def snapping_hip_model(progress: int = 0, hip: str = "catches"):
    """The internal snapping hip teaching model: move the hip from FABER (0 %) to extension (100 %).

    ``hip``: ``"catches"`` (a snapping hip) or ``"glides"``.  Raises ``ValueError`` for other values.
    Numbers: :mod:`iliopsoas.models.snapping` (Gait2392 geometry, landmark data, a catch set by hand).
    """
    return SnappingHipDiagram(progress=progress, hip=hip).show()


__all__ = ["SnappingHipDiagram", "snapping_hip_model", "HIPS", "LIMITATIONS", "START_POSE", "END_POSE"]
