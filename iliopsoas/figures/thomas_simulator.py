"""The modified Thomas test simulator: the hanging leg of :mod:`iliopsoas.models.thomas`, drawn.

A side view and a view from above of a person lying on the table, with the
tested leg hanging, redrawn as the tightness slider moves.  The angles and
the findings come from :func:`~iliopsoas.models.thomas.thomas_position` and
:func:`~iliopsoas.models.thomas.leg_points`; this module only draws.

Use::

    from iliopsoas.figures.thomas_simulator import thomas_test_simulator
    thomas_test_simulator(condition="normal", severity=0)   # interactive diagram (name "thomas-test")
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, Polygon, Rectangle

from ..models.thomas import (ABDUCTION_NORM_SENTENCE, CHECKS, CONDITIONS, NORM_ABDUCTION_DEG, NORM_HIP_DEG,
                             NORM_KNEE_DEG, SEVERITIES, HIP_XY, KNEE_NORM_SENTENCE, SHANK_M, THIGH_M, ThomasReading,
                             check_check, check_condition, check_severity, leg_points, signed_deg, thomas_position,
                             unit_vector)
from . import style
from .base import Diagram
from .style import BONE_EDGE, GRID, OKABE_ITO, TEXT

# ---------------------------------------------------------------------- drawing helpers
SKIN = "#F3DCC8"
SKIN_EDGE = "#7A5C48"
HELD = "#E6D3C4"
TABLE = "#C9C9C9"
HIP_COLOUR = OKABE_ITO["blue"]
KNEE_COLOUR = OKABE_ITO["vermillion"]
ABD_COLOUR = OKABE_ITO["bluish_green"]
POSITIVE_COLOUR = OKABE_ITO["vermillion"]

SIDE_XLIM, SIDE_YLIM = (-1.0, 1.33), (-0.66, 0.74)
TOP_XLIM, TOP_YLIM = (-0.45, 0.84), (-0.47, 0.17)


def _capsule(p0, p1, r0: float, r1: float, n: int = 10) -> np.ndarray:
    """Outline of a tapered capsule from p0 (radius r0) to p1 (radius r1)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    angle = np.degrees(np.arctan2(*(p1 - p0)[::-1]))
    end1 = [p1 + r1 * unit_vector(angle + a) for a in np.linspace(-90, 90, n)]
    end0 = [p0 + r0 * unit_vector(angle + a) for a in np.linspace(90, 270, n)]
    return np.array(end1 + end0)


def _arc(centre, radius: float, a0: float, a1: float, n: int = 30) -> np.ndarray:
    a = np.radians(np.linspace(a0, a1, n))
    return np.column_stack([centre[0] + radius * np.cos(a), centre[1] + radius * np.sin(a)])


def _foot(points: dict) -> np.ndarray:
    ankle, heel, toe = points["ankle"], points["heel"], points["toe"]
    along = (toe - heel) / np.linalg.norm(toe - heel)
    up = np.array([-along[1], along[0]])
    return np.array([heel - 0.03 * up, heel + 0.035 * up, ankle + 0.045 * up, toe + 0.02 * up, toe - 0.015 * up])


class ThomasTestSimulator(Diagram):
    """Modified Thomas test: severity slider and condition menu; side view, view from above, findings."""

    name = "thomas-test"
    title = "Modified Thomas test simulator"
    figsize = (9.5, 4.2)
    caption = (
        "Modified Thomas test: lying on the back at the end of a table, the other knee held to the chest just until "
        "the low back is flat, the tested leg hanging. Dashed outline = the average of 117 elite athletes in tennis, "
        "basketball, rowing and running (Harvey 1998): thigh 11.9° below horizontal, knee bent 52.5° (0° = straight "
        "knee), thigh drifting out 15.6°; reference values for that group, not norms for everyone. Kendall's "
        "convention expects about 80° of knee bend and no outward drift (Kendall et al. 2005): sources disagree. "
        "How far each tightness moves the leg, the cut-offs (thigh at or above horizontal; knee more than 10° below "
        "and drift more than 7° above Harvey's means) and the 15° pelvic tilt of the over-flexing error are "
        "teaching assumptions of this simulator, not data (course models 2026). The test is a screen, not a "
        "diagnosis: examiners agreed poorly with pass/fail or goniometer scoring in two studies (Peeler & Anderson "
        "2007; Peeler & Anderson 2008) and well with a set protocol, whether by inclinometer or goniometer, or from "
        "photographs (Clapis, Davis & Davis 2008; Cady, Powis & Hopgood 2022), and it measures hip extension poorly unless pelvic tilt is controlled (Vigotsky et al. 2016)."
    )

    # ------------------------------------------------------------------ build
    def build(self, fig):
        grid = fig.add_gridspec(2, 2, width_ratios=[1.75, 1.0], height_ratios=[0.8, 1.0], left=0.01, right=0.99,
                                bottom=0.02, top=0.93, wspace=0.04, hspace=0.24)
        self.ax_side = fig.add_subplot(grid[:, 0])
        self._still_px = None   # display-space outlines of the side view's fixed drawing (first update)
        self.ax_top = fig.add_subplot(grid[0, 1])
        self.ax_text = fig.add_subplot(grid[1, 1])
        self._build_side(self.ax_side)
        self._build_top(self.ax_top)
        self._build_findings(self.ax_text)
        # The norm ghosts are listed after the legs so that they are drawn on top of them.
        self.animated = [self.thigh, self.shank, self.foot, self.ghost, self.knee_dot, self.thigh_line,
                         self.hip_arc, self.knee_arc, self.hip_label, self.knee_label, self.status,
                         self.top_thigh, self.top_ghost, self.top_knee, self.abd_arc, self.abd_label,
                         *self.finding_texts]

    def _build_side(self, ax):
        style.schematic_axes(ax, SIDE_XLIM, SIDE_YLIM, "(a) Side view of the modified Thomas test")
        # Table (its end at x = 0) with two legs.
        ax.add_patch(Rectangle((-1.0, -0.05), 1.0, 0.05, facecolor=TABLE, edgecolor=BONE_EDGE, linewidth=1.0,
                               zorder=1))
        for x in (-0.9, -0.1):
            ax.add_patch(Rectangle((x - 0.02, SIDE_YLIM[0] - 0.1), 0.04, 0.05 + SIDE_YLIM[0] * -1 + 0.05,
                                   facecolor=TABLE, edgecolor=BONE_EDGE, linewidth=0.8, zorder=0.9))
        ax.plot([0, 0], [-0.05, 0.0], color=BONE_EDGE, linewidth=1.0, zorder=1.1)
        ax.text(-0.5, -0.09, "table", ha="center", va="top", fontsize=8, color=TEXT)
        # Person lying on the back, head to the left; the held (far) leg and arms drawn behind.
        hip = HIP_XY
        held_knee = hip + THIGH_M * unit_vector(125)
        held_ankle = held_knee + SHANK_M * unit_vector(-22)
        held_toe = held_ankle + 0.17 * unit_vector(55)
        shoulder = np.array([-0.60, 0.15])
        elbow = np.array([-0.46, 0.38])
        hand = held_knee + 0.08 * unit_vector(-40)
        held = dict(facecolor=HELD, edgecolor=SKIN_EDGE, linewidth=1.0, zorder=2)
        ax.add_patch(Polygon(_capsule(hip, held_knee, 0.075, 0.055), closed=True, **held))
        ax.add_patch(Polygon(_capsule(held_knee, held_ankle, 0.05, 0.035), closed=True, **held))
        ax.add_patch(Polygon(_capsule(held_ankle, held_toe, 0.03, 0.02), closed=True, **held))
        body = dict(facecolor=SKIN, edgecolor=SKIN_EDGE, linewidth=1.1)
        ax.add_patch(Polygon(_capsule((-0.66, 0.115), (-0.03, 0.105), 0.11, 0.10), closed=True, zorder=3, **body))
        ax.add_patch(Circle((-0.86, 0.13), 0.095, zorder=3, **body))
        ax.add_patch(Polygon(_capsule((-0.78, 0.12), (-0.66, 0.12), 0.045, 0.05), closed=True, zorder=2.9, **body))
        ax.add_patch(Polygon(_capsule(shoulder, elbow, 0.04, 0.035), closed=True, zorder=3.1, **body))
        ax.add_patch(Polygon(_capsule(elbow, hand, 0.035, 0.03), closed=True, zorder=3.1, **body))
        ax.text(-0.62, 0.50, "other knee held\nto the chest", ha="right", va="center", fontsize=8, color=TEXT)
        # Between the shoulder and the held thigh, where no limb crosses the trunk.
        ax.text(-0.36, 0.09, "trunk flat\non the table", ha="center", va="center", fontsize=8, color=TEXT,
                zorder=3.2, linespacing=1.1)
        # Horizontal reference through the hip, and the norm ghost (Harvey 1998), both fixed.
        ax.plot([hip[0], hip[0] + 0.95], [hip[1]] * 2, color="#555555", linewidth=1.0, linestyle=(0, (1, 2)),
                zorder=1.5)
        ghost = leg_points(NORM_HIP_DEG, NORM_KNEE_DEG)
        gx = [ghost["hip"][0], ghost["knee"][0], ghost["ankle"][0], ghost["toe"][0]]
        gy = [ghost["hip"][1], ghost["knee"][1], ghost["ankle"][1], ghost["toe"][1]]
        (self.ghost,) = ax.plot(gx, gy, color=TEXT, linewidth=1.6, linestyle=(0, (4, 2.5)), zorder=5)
        from matplotlib.lines import Line2D
        ax.legend(handles=[Line2D([], [], color=TEXT, linewidth=1.6, linestyle=(0, (4, 2.5)),
                                  label="average of 117 elite athletes (Harvey 1998)"),
                           Line2D([], [], color="#555555", linewidth=1.0, linestyle=(0, (1, 2)),
                                  label="horizontal through the hip")],
                  loc="upper right", fontsize=8, frameon=True, framealpha=0.95, edgecolor=GRID, handlelength=2.6)
        # The tested leg (moves), knee marker, thigh line continued, angle arcs and labels.
        leg = dict(facecolor=SKIN, edgecolor=SKIN_EDGE, linewidth=1.2, zorder=4)
        self.thigh = ax.add_patch(Polygon(np.zeros((3, 2)), closed=True, **leg))
        self.shank = ax.add_patch(Polygon(np.zeros((3, 2)), closed=True, **leg))
        self.foot = ax.add_patch(Polygon(np.zeros((3, 2)), closed=True, **leg))
        (self.knee_dot,) = ax.plot([], [], marker="o", markersize=5, color=TEXT, linestyle="none", zorder=6)
        (self.thigh_line,) = ax.plot([], [], color=KNEE_COLOUR, linewidth=1.0, linestyle=(0, (2, 2)), zorder=5.5)
        (self.hip_arc,) = ax.plot([], [], color=HIP_COLOUR, linewidth=2.0, zorder=6)
        (self.knee_arc,) = ax.plot([], [], color=KNEE_COLOUR, linewidth=2.0, zorder=6)
        # Labels that change on every step are FastText (one path each, much cheaper to redraw than Text).
        self.hip_label = style.fast_text(ax, 0, 0, "", ha="left", va="bottom", fontsize=9, color=HIP_COLOUR,
                                         zorder=7, fontweight="bold")
        self.knee_label = style.fast_text(ax, 0, 0, "", ha="left", va="bottom", fontsize=9, color=KNEE_COLOUR,
                                          zorder=7, fontweight="bold", halo="white")
        ax.plot([hip[0]], [hip[1]], marker="o", markersize=5, color=TEXT, zorder=6)

    # Where the thigh's angle label may go, tried in order: (direction from the hip in degrees, as a
    # function of the thigh's angle; distance in m; alignment).  The first that clears the leg, the
    # arcs, the thigh's continued line and the knee's label is used.
    THIGH_LABEL_PLACES = (
        (lambda h: max(h, 0.0) + 17, 0.34, "left", "bottom"),     # just above the thigh, by its arc
        (lambda h: h + 50, 0.40, "left", "bottom"),               # higher above a raised thigh
        (lambda h: h + 60, 0.40, "center", "bottom"),
        (lambda h: h + 70, 0.40, "left", "bottom"),
        (lambda h: h + 80, 0.40, "left", "bottom"),
        (lambda h: h + 32, 0.34, "right", "bottom"),              # above and behind a raised thigh
        (lambda h: h / 2, 0.40, "left", "center"),                # inside the angle under a raised thigh
        (lambda h: max(h, 0.0) + 12, 0.62, "left", "bottom"),     # further out, above the knee
        (lambda h: -38, 0.30, "left", "top"),                     # under the horizontal and the ghost
        (lambda h: h - 70, 0.30, "center", "top"),                # under the hip
    )

    def _place_thigh_label(self, hip_deg: float, hip, knee, ext, ankle, arc) -> None:
        """Put the thigh's label at the first of THIGH_LABEL_PLACES clear of the drawing (a few
        point-in-box tests: far cheaper than a draw)."""
        ax, label = self.ax_side, self.hip_label
        ax.apply_aspect()   # before the first draw too: the place must depend on the state alone, not on history
        to_px = ax.transData.transform
        px_per_m = abs(to_px((1.0, 0.0))[0] - to_px((0.0, 0.0))[0])
        t = np.linspace(0.0, 1.0, 24)[:, None]
        blocks = [(hip + t * (knee - hip), 0.08), (knee + t * (ankle - knee), 0.055), (knee + t * (ext - knee), 0.01),
                  (arc, 0.01)]
        knee_box = self.knee_label.label_corners() if self.knee_label.get_text() else None
        if self._still_px is None:   # the drawing that never moves (the other leg, the trunk, the table)
            from matplotlib.path import Path as MplPath

            moving = {id(a) for a in (self.thigh, self.shank, self.foot, self.knee_dot, self.thigh_line, self.hip_arc,
                                      self.knee_arc)}
            self._still_px = [MplPath(p.get_verts()) for p in ax.patches if id(p) not in moving]
            self._still_points = []   # the fixed lines (the athletes' dashed leg, the horizontal), densely sampled
            for line in ax.lines:
                xy = line.get_xydata()
                if id(line) in moving or len(xy) < 2:
                    continue
                xy = to_px(xy)
                self._still_points.append(np.concatenate([a + t * (b - a) for a, b in zip(xy[:-1], xy[1:])]))
            legend = ax.get_legend()
            self._legend_px = legend.get_window_extent(self.figure.canvas.get_renderer()) if legend else None
        for direction, distance, ha, va in self.THIGH_LABEL_PLACES:
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            label.set_position(tuple(hip + distance * unit_vector(direction(hip_deg))))
            corners = label.label_corners()
            (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
            clear = True
            for points, radius in blocks:
                pad = radius * px_per_m + 2
                p = to_px(points)
                if np.any((p[:, 0] > x0 - pad) & (p[:, 0] < x1 + pad) & (p[:, 1] > y0 - pad) & (p[:, 1] < y1 + pad)):
                    clear = False
                    break
            if clear:
                from matplotlib.transforms import Bbox

                box = Bbox([[x0, y0], [x1, y1]])
                clear = not any(path.intersects_bbox(box, filled=True) for path in self._still_px)
                clear = clear and not any(np.any((p[:, 0] > box.x0) & (p[:, 0] < box.x1) & (p[:, 1] > box.y0)
                                                 & (p[:, 1] < box.y1)) for p in self._still_points)
                clear = clear and (self._legend_px is None or not self._legend_px.overlaps(box))
            if clear and knee_box is not None:
                (k0, l0), (k1, l1) = knee_box.min(axis=0), knee_box.max(axis=0)
                clear = x1 + 2 < k0 or k1 + 2 < x0 or y1 + 2 < l0 or l1 + 2 < y0
            if clear:
                return
        first = self.THIGH_LABEL_PLACES[0]
        label.set_horizontalalignment(first[2])
        label.set_verticalalignment(first[3])
        label.set_position(tuple(hip + first[1] * unit_vector(first[0](hip_deg))))

    def _build_top(self, ax):
        # Limits leave room for the thigh at the widest abduction the model gives (about 40°).
        style.schematic_axes(ax, TOP_XLIM, TOP_YLIM, "(b) View from above: does the thigh drift out?")
        body = dict(facecolor=SKIN, edgecolor=SKIN_EDGE, linewidth=1.0)
        ax.add_patch(Polygon(_capsule((-0.40, 0.0), (-0.05, 0.0), 0.15, 0.15), closed=True, zorder=2, **body))
        ax.text(-0.24, 0.0, "pelvis and trunk", ha="center", va="center", fontsize=8, color=TEXT, zorder=3)
        hip = np.array([0.0, -0.085])
        ax.plot([hip[0], 0.6], [hip[1], hip[1]], color="#555555", linewidth=1.0, linestyle=(0, (1, 2)), zorder=1.5)
        ax.text(0.6, hip[1] + 0.012, "straight on", ha="right", va="bottom", fontsize=8, color="#444444")
        ghost_end = hip + (THIGH_M + 0.09) * unit_vector(-NORM_ABDUCTION_DEG)
        (self.top_ghost,) = ax.plot([hip[0], ghost_end[0]], [hip[1], ghost_end[1]], color=TEXT, linewidth=1.6,
                                    linestyle=(0, (4, 2.5)), zorder=5)
        # Beyond the ghost's end, out of the thigh's reach at any angle.
        norm_at = hip + (THIGH_M + 0.105) * unit_vector(-NORM_ABDUCTION_DEG)
        ax.text(norm_at[0], norm_at[1], f"athletes {NORM_ABDUCTION_DEG:.0f}°", ha="left", va="center", fontsize=8,
                color=TEXT)
        self.top_hip = hip
        self.top_thigh = ax.add_patch(Polygon(np.zeros((3, 2)), closed=True, facecolor=SKIN, edgecolor=SKIN_EDGE,
                                              linewidth=1.1, zorder=4))
        (self.top_knee,) = ax.plot([], [], marker="o", markersize=5, color=TEXT, linestyle="none", zorder=6)
        (self.abd_arc,) = ax.plot([], [], color=ABD_COLOUR, linewidth=2.0, zorder=6)
        self.abd_label = style.fast_text(ax, -0.43, -0.28, "", ha="left", va="center", fontsize=9,
                                         color=ABD_COLOUR, fontweight="bold", zorder=7)
        # Bottom left: the thigh swings out to the right of the hip, never here.
        ax.text(TOP_XLIM[0] + 0.02, TOP_YLIM[0] + 0.02, "right leg; outwards (lateral) ↓", ha="left", va="bottom",
                fontsize=8, color="#444444")
        ax.plot([hip[0]], [hip[1]], marker="o", markersize=4, color=TEXT, zorder=6)

    def _build_findings(self, ax):
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title("(c) What the position suggests", fontsize=10, color=TEXT, loc="left")
        self.status = style.fast_text(ax, 0.02, 0.99, "", ha="left", va="top", fontsize=9, color=TEXT,
                                      fontweight="bold")
        # Each question is fixed; only its short answer changes (cheap to redraw): "positive" in bold colour or
        # "negative" in plain text, so the answer never rests on colour alone (and a "no" is never ticked).
        questions = ("Thigh stays at or above horizontal?\n→ hip flexors incl. iliopsoas short",
                     "Knee won't bend (10° under athletes)?\n→ rectus femoris short",
                     "Thigh drifts out (7° over athletes)?\n→ TFL / iliotibial band tight")
        self.finding_texts = []
        for y, question in zip((0.78, 0.555, 0.33), questions):   # under a status of up to two lines
            ax.text(0.02, y, question, ha="left", va="top", fontsize=8, color=TEXT, linespacing=1.25)
            self.finding_texts.append(style.fast_text(ax, 0.98, y, "", ha="right", va="top", fontsize=8.5,
                                                      color=TEXT))
        ax.text(0.02, 0.0, "A screen, not a diagnosis: reliability depends on the\nmethod; poor validity unless the pelvis "
                "is controlled.", ha="left", va="bottom", fontsize=8, color=TEXT, style="italic")

    # ------------------------------------------------------------------ controls and state
    def make_controls(self):
        import ipywidgets as w
        severity = w.IntSlider(value=0, min=0, max=3, step=1, description="Severity (0 none – 3 marked)",
                               readout=True, continuous_update=True, style={"description_width": "initial"},
                               layout={"width": "360px"})
        condition = w.Dropdown(options=[(label, key) for key, label in CONDITIONS.items()], value="normal",
                               description="Condition", style={"description_width": "initial"},
                               layout={"width": "320px"})
        check = w.Dropdown(options=[(label, key) for key, label in CHECKS.items()], value="none",
                           description="Examiner's check", style={"description_width": "initial"},
                           layout={"width": "360px"})

        def raise_from_normal(change):
            # In the live widget, raising the severity while "normal" is chosen picks the course's muscle,
            # so that the leg visibly responds; programmatic states are left as given.
            if getattr(self, "_widget", None) is not None and change["new"] > 0 and condition.value == "normal":
                condition.value = "iliopsoas"

        severity.observe(raise_from_normal, "value")
        return {"severity": severity, "condition": condition, "check": check}

    def settle(self, state: dict) -> dict:
        """Raising the severity above 0 with "normal" chosen picks iliopsoas (``raise_from_normal``)."""
        if state["severity"] > 0 and state["condition"] == "normal":
            return {**state, "condition": "iliopsoas"}
        return state

    def reading(self, state: dict) -> ThomasReading:
        return thomas_position(state["condition"], int(state["severity"]), state.get("check", "none"))

    def update(self, state):
        r = self.reading(state)
        pts = leg_points(r.hip_deg, r.knee_deg)
        hip, knee, ankle = pts["hip"], pts["knee"], pts["ankle"]
        self.thigh.set_xy(_capsule(hip, knee, 0.075, 0.052))
        self.shank.set_xy(_capsule(knee, ankle, 0.05, 0.033))
        self.foot.set_xy(_foot(pts))
        self.knee_dot.set_data([knee[0]], [knee[1]])
        ext = knee + 0.24 * unit_vector(r.hip_deg)
        self.thigh_line.set_data([knee[0], ext[0]], [knee[1], ext[1]])
        arc = _arc(hip, 0.3, 0, r.hip_deg)
        self.hip_arc.set_data(arc[:, 0], arc[:, 1])
        karc = _arc(knee, 0.15, r.hip_deg - r.knee_deg, r.hip_deg)
        self.knee_arc.set_data(karc[:, 0], karc[:, 1])
        # The label sits inside the knee's angle when it is wide enough, else just above the thigh's continued line.
        if r.knee_deg >= 35:
            self.knee_label.set_position(tuple(knee + 0.2 * unit_vector(r.hip_deg - r.knee_deg / 2)))
            self.knee_label.set_verticalalignment("center")
        else:
            self.knee_label.set_position(tuple(knee + 0.2 * unit_vector(r.hip_deg + 24)))
            self.knee_label.set_verticalalignment("bottom")
        self.knee_label.set_text("knee straight" if r.check == "knee_extended" else f"knee {r.knee_deg:.0f}°")
        self.hip_label.set_text(f"thigh {signed_deg(r.hip_deg)}")
        self._place_thigh_label(r.hip_deg, hip, knee, ext, ankle, arc)
        words = CONDITIONS[r.condition]
        if r.condition == "normal":
            status = "No tightness: the athletes' average leg"
            if int(state["severity"]) > 0:
                status += "\n(severity needs a tight muscle)"
        elif r.severity == 0:
            status = f"{words[0].upper() + words[1:]}, severity none:\nthe athletes' average"
        else:
            status = f"{words[0].upper() + words[1:]}, {SEVERITIES[r.severity]}"
        self.status.set_text(status)
        # View from above.
        h = self.top_hip
        tk = h + THIGH_M * unit_vector(-r.abduction_deg)
        self.top_thigh.set_xy(_capsule(h, tk, 0.075, 0.052))
        self.top_knee.set_data([tk[0]], [tk[1]])
        aarc = _arc(h, 0.2, -r.abduction_deg, 0)
        self.abd_arc.set_data(aarc[:, 0], aarc[:, 1])
        self.abd_label.set_text(f"abduction {r.abduction_deg:.0f}°")
        # Answers to the three questions: "positive" in bold colour, "negative" in plain text (never colour alone).
        knee_value = None if r.check == "knee_extended" else f"{r.knee_deg:.0f}°"
        answers = ((r.hip_positive, signed_deg(r.hip_deg)), (r.knee_positive, knee_value),
                   (r.abduction_positive, f"{r.abduction_deg:.0f}°"))
        for text, (positive, value) in zip(self.finding_texts, answers):
            text.set_text("not read" if value is None else f"{'positive' if positive else 'negative'}: {value}")
            text.set_color(POSITIVE_COLOUR if positive else TEXT)
            text.set_fontweight("bold" if positive else "normal")
        return None

    # ------------------------------------------------------------------ words
    def readout(self, state):
        r = self.reading(state)
        knee = "knee held straight" if r.check == "knee_extended" else f"knee bent {r.knee_deg:.0f}°"
        head = (f"{CONDITIONS[r.condition][0].upper() + CONDITIONS[r.condition][1:]}"
                + ("" if r.condition == "normal" else f", severity {SEVERITIES[r.severity]}")
                + f": thigh {signed_deg(r.hip_deg)} to horizontal, {knee}, thigh drifting out "
                  f"{r.abduction_deg:.0f}°.")
        parts = [head]
        if r.check_finding:
            parts.append(r.check_finding)
        parts += list(r.findings[:3])
        if r.check != "knee_extended" and (r.knee_positive or r.condition in ("normal", "rectus_femoris")):
            parts.append(KNEE_NORM_SENTENCE)
        if r.condition in ("normal", "tfl_itb"):
            parts.append(ABDUCTION_NORM_SENTENCE)
        if r.condition == "normal" and int(state["severity"]) > 0:
            parts.append("Severity only applies to a tight muscle: choose one in the menu.")
        parts.append(r.findings[-1])
        return " ".join(parts)

    def _readout_html(self, state: dict) -> str:
        """The readout in a box of at most five lines that scrolls (keyboard too: it takes focus), so
        that the controls, the picture and the start of the readout fit a laptop screen together."""
        return ('<div class="iliopsoas-readout-scroll" tabindex="0" role="region" aria-label="What the position '
                'shows" style="max-height: 7.2em; overflow-y: auto;">' + super()._readout_html(state) + "</div>")

    def alt(self, state):
        r = self.reading(state)
        return (f"Three panels. (a) Side view of a person lying on their back at the end of a table, the other knee "
                f"held to the chest, the tested leg hanging over the edge: the thigh is at {signed_deg(r.hip_deg)} to the "
                f"dotted horizontal line and the knee is flexed {r.knee_deg:.0f}°, with angle arcs and labels; a "
                f"dashed outline shows the average of 117 elite athletes from Harvey 1998 (thigh −12°, knee 52°). "
                f"(b) View from above: the thigh drifts {r.abduction_deg:.0f}° outwards from straight on, against "
                f"the athletes' dashed average of 16°. "
                f"(c) Findings: " + "; ".join(s.rstrip(".") for s in r.findings[:3]) + ".")


def thomas_test_simulator(condition: str = "normal", severity: int = 0, check: str = "none"):
    """Show the modified Thomas test simulator (severity slider 0–3, condition menu, examiner's-check menu).

    ``check``: "none", "knee_extended" (the examiner straightens the knee) or "overflexed" (the other knee
    pulled too far to the chest); ``ValueError`` for unknown values.
    """
    return ThomasTestSimulator(condition=check_condition(condition), severity=check_severity(severity),
                               check=check_check(check)).show()


__all__ = ["ThomasTestSimulator", "thomas_test_simulator"]
