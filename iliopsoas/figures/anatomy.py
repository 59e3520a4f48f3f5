"""Anatomy figures of the iliopsoas, drawn by code from landmark data.

Every bone, muscle, tendon, bursa, nerve and ligament is an outline or a path
built from the landmark coordinates in ``assets/anatomy-landmarks.yml``
(schematic proportions after Gray's Anatomy, 1918, in centimetres).  Nothing
is placed by hand per figure: the front and side views, the labelled figures,
the numbered-marker figures of the label questions and the explorer all draw
from the same data.

Public API (see docs/CONTRACTS.md, "Diagrams API")::

    (structure keys and views: iliopsoas.models.landmarks.STRUCTURES / STRUCTURE_VIEWS)
    draw_anatomy(ax=None, view="anterior", highlight=None, psoas_minor=True, labels=True)
    anatomy_figure(view="anterior", highlight=None, psoas_minor=True, labels=True) -> FigureDisplay
    marker_figure(view, structures) -> FigureDisplay
    AnatomyExplorer(view=..., highlight=..., psoas_minor=...)   # Diagram, name "anatomy"
    anatomy_explorer(view="anterior", highlight=None, psoas_minor=True)

The highlight never rests on colour alone: the highlighted structure gets a
strong colour, a thick black outline and cross-hatching, its label turns bold,
and everything else is muted.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from . import style
from ..models.landmarks import (STRUCTURE_VIEWS, STRUCTURES, VIEW_NAMES, VIEWS, check_structure,
                                check_view, highlight_list, landmark_data)
from ..sources import short_citations
from .base import Diagram, encode_png
from .style import OKABE_ITO as OI

_DATA = landmark_data()

FIGSIZE = (6.0, 5.7)          # inches; both views share it
LABEL_SIZE = 9                # points (never below 8)
TAG_SIZE = 8
MUTED_ALPHA = 0.3
MUTED_TEXT = "#8C8C8C"
HIGHLIGHT_BONE = OI["blue"]
HIGHLIGHT_HATCH = "xx"
HIGHLIGHT_LW = 3.0


# ---------------------------------------------------------------------- geometry
def _vertebra_landmarks(view: str, vdata: dict) -> dict:
    marks = {}
    for level, v in vdata.items():
        cx, cy = v["centre"]
        w, h = v["size"]
        if view == "anterior":
            marks[f"{level}.side"] = (cx + w / 2, cy)
            marks[f"{level}.tp_tip"] = (cx + v["tp"], cy + 0.3)
        else:
            a = math.radians(v.get("angle", 0.0))
            rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])

            def at(u, w_, rot=rot, cx=cx, cy=cy):
                p = rot @ np.array([u, w_])
                return (cx + p[0], cy + p[1])

            marks[f"{level}.ant"] = at(w / 2, 0)
            marks[f"{level}.post"] = at(-w / 2, 0)
            marks[f"{level}.tp"] = at(-w / 2 - 1.0, 0.45)
    return marks


def _landmarks(view: str) -> dict:
    vdata = _DATA["views"][view]
    marks = {k: tuple(v) for k, v in vdata.get("landmarks", {}).items()}
    marks.update(_vertebra_landmarks(view, vdata.get("vertebrae", {})))
    return marks


def _point(p, marks) -> tuple[float, float]:
    if isinstance(p, str):
        if p not in marks:
            raise KeyError(f"unknown landmark {p!r}")
        return marks[p]
    if isinstance(p, (list, tuple)) and p and isinstance(p[0], str):
        x, y = _point(p[0], marks)
        return (x + p[1], y + p[2])
    return (float(p[0]), float(p[1]))


def _catmull_rom(pts: np.ndarray, closed: bool, n: int = 10) -> np.ndarray:
    """A smooth curve through the points (centripetal Catmull-Rom)."""
    if len(pts) < 3:
        return pts
    if closed:
        ext = np.vstack([pts[-1], pts, pts[0], pts[1]])
    else:
        ext = np.vstack([2 * pts[0] - pts[1], pts, 2 * pts[-1] - pts[-2]])
    out = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]

        def tj(ti, a, b):
            return ti + max(np.hypot(*(b - a)), 1e-6) ** 0.5

        t0 = 0.0
        t1 = tj(t0, p0, p1)
        t2 = tj(t1, p1, p2)
        t3 = tj(t2, p2, p3)
        t = np.linspace(t1, t2, n, endpoint=False)[:, None]
        a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        out.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
    curve = np.vstack(out)
    if not closed:
        curve = np.vstack([curve, pts[-1]])
    return curve


def _ellipse_points(cx, cy, width, height, angle=0.0, n=48) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    a = math.radians(angle)
    x, y = width / 2 * np.cos(t), height / 2 * np.sin(t)
    return np.column_stack([cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)])


def _rounded_rect(cx, cy, w, h, angle=0.0, r=0.45, n=5) -> np.ndarray:
    r = min(r, w / 2, h / 2)
    pts = []
    for (sx, sy, start) in ((1, 1, 0), (-1, 1, 90), (-1, -1, 180), (1, -1, 270)):
        ox, oy = sx * (w / 2 - r), sy * (h / 2 - r)
        for k in range(n + 1):
            t = math.radians(start + 90 * k / n)
            pts.append((ox + r * math.cos(t), oy + r * math.sin(t)))
    pts = np.array(pts)
    a = math.radians(angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return pts @ rot.T + np.array([cx, cy])


def _shape_points(shape: dict, marks: dict) -> tuple[np.ndarray, bool]:
    """(points, closed) of one shape."""
    if "circle" in shape:
        c = _point(shape["circle"]["centre"], marks)
        r = shape["circle"]["r"]
        return _ellipse_points(c[0], c[1], 2 * r, 2 * r, 0, 64), True
    if "ellipse" in shape:
        e = shape["ellipse"]
        c = _point(e["centre"], marks)
        return _ellipse_points(c[0], c[1], e["width"], e["height"], e.get("angle", 0)), True
    closed = "outline" in shape
    raw = shape["outline"] if closed else shape["line"]
    pts = np.array([_point(p, marks) for p in raw], dtype=float)
    if closed and shape.get("symmetric"):
        mirrored = pts[::-1].copy()
        mirrored[:, 0] *= -1
        if abs(pts[0, 0]) < 1e-9:
            mirrored = mirrored[:-1]
        if abs(pts[-1, 0]) < 1e-9:
            mirrored = mirrored[1:]
        pts = np.vstack([pts, mirrored])
    if shape.get("smooth", False):
        pts = _catmull_rom(pts, closed)
    return pts, closed


def _mirror(pts: np.ndarray) -> np.ndarray:
    out = pts.copy()
    out[:, 0] *= -1
    return out


# ---------------------------------------------------------------------- styles
def _darker(hex_colour: str, f: float = 0.6) -> tuple:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(hex_colour)
    return (r * f, g * f, b * f)


STYLES = {
    "bone": dict(face=style.BONE, edge=style.BONE_EDGE, lw=1.1, alpha=1.0, hatch="", strong=HIGHLIGHT_BONE),
    "bony_point": dict(face="#CFC8B8", edge=style.BONE_EDGE, lw=1.0, alpha=1.0, hatch="", strong=HIGHLIGHT_BONE),
    "bone_area": dict(face="#C9C1AF", edge=style.BONE_EDGE, lw=0.8, alpha=1.0, hatch="", ls=":",
                      strong=HIGHLIGHT_BONE),
    "bone_line": dict(edge="#4A443C", lw=2.4, ls="-", strong=HIGHLIGHT_BONE),
    "joint": dict(face="#DCE9F3", edge="#4F7391", lw=1.2, face_alpha=0.35, hatch="", ls="--", strong=HIGHLIGHT_BONE),
    "muscle": dict(lw=1.0, face_alpha=0.82),
    "tendon": dict(face="#F3F0E8", edge="#5E5E5E", lw=1.0, alpha=1.0, hatch="||||", strong="#F3F0E8"),
    "bursa": dict(face=OI["sky_blue"], edge=OI["blue"], lw=1.3, face_alpha=0.75, hatch="ooo", ls="--",
                  strong=OI["sky_blue"]),
    "nerve": dict(edge=OI["yellow"], lw=2.6, ls="-", strong=OI["yellow"]),
    "ligament": dict(edge=OI["blue"], lw=2.6, ls="-", strong=OI["blue"]),
}
MUSCLE_STYLES = {
    "psoas_major": dict(face=OI["vermillion"], hatch="///", strong=OI["vermillion"]),
    "iliacus": dict(face=OI["orange"], hatch="\\\\\\", strong=OI["orange"]),
    "psoas_minor": dict(face=OI["reddish_purple"], hatch="...", strong=OI["reddish_purple"]),
}
ZORDER = {"bone": 1.0, "bone_area": 1.3, "joint": 1.6, "bony_point": 1.8, "bone_line": 2.2,
          "iliacus": 3.0, "psoas_major": 3.4, "common_tendon": 3.6, "iliopsoas_bursa": 3.8,
          "psoas_minor": 4.0, "femoral_nerve": 4.4, "inguinal_ligament": 4.8}
Z_STRUCT_ORDER = {"sacrum": 1.05, "lumbar_vertebrae": 1.1, "femur": 1.5, "hip_joint": 1.6,
                  "greater_trochanter": 1.8, "lesser_trochanter": 1.8}


def _style(key: str) -> dict:
    kind = _DATA["structures"][key]["kind"]
    st = dict(STYLES[kind])
    if kind == "muscle":
        st.update(MUSCLE_STYLES[key])
        st["edge"] = _darker(st["face"], 0.55)
    st["kind"] = kind
    return st


def _zorder(key: str, view: str) -> float:
    z = _DATA["views"][view]["structures"][key].get("z")
    if z is not None:
        return float(z)
    if key in Z_STRUCT_ORDER:
        return Z_STRUCT_ORDER[key]
    return ZORDER.get(key, ZORDER.get(_DATA["structures"][key]["kind"], 2.0))


def _set_hatchcolor(patch, colour) -> None:
    if hasattr(patch, "set_hatchcolor"):
        patch.set_hatchcolor(colour)


NERVE_EFFECTS = [patheffects.Stroke(linewidth=4.6, foreground="#333333"), patheffects.Normal()]
ROOT_EFFECTS = [patheffects.Stroke(linewidth=2.8, foreground="#333333"), patheffects.Normal()]


def _patch(ax, pts, st, z, holes=()):
    verts = [pts]
    for h in holes:
        verts.append(h[::-1])
    path = MplPath.make_compound_path(*[MplPath(np.vstack([v, v[:1]]), closed=True) for v in verts])
    face = st.get("face", "none")
    if st.get("face_alpha") is not None and face != "none":  # see-through fill, opaque outline
        face = to_rgba(face, st["face_alpha"])
    p = PathPatch(path, facecolor=face, edgecolor=st.get("edge", "black"),
                  linewidth=st.get("lw", 1.0), linestyle=st.get("ls", "-"), hatch=st.get("hatch") or None,
                  alpha=st.get("alpha"), zorder=z, joinstyle="round")
    if st.get("hatch"):
        _set_hatchcolor(p, _darker(st["face"], 0.62) if isinstance(st.get("face"), str) else "#555555")
    ax.add_patch(p)
    return p


def _line(ax, pts, st, z, dotted=False):
    """An open path; ``dotted`` marks a part hidden inside another structure (nerve roots in psoas)."""
    (ln,) = ax.plot(pts[:, 0], pts[:, 1], color=st["edge"], linewidth=st["lw"] * (0.6 if dotted else 1),
                    linestyle=(0, (2.5, 1.6)) if dotted else st.get("ls", "-"), zorder=z,
                    solid_capstyle="round", dash_capstyle="butt")
    if st["kind"] == "nerve":
        ln.set_path_effects(ROOT_EFFECTS if dotted else NERVE_EFFECTS)
    return ln


# ---------------------------------------------------------------------- the scene
class _Scene:
    """All artists of one view in one axes: structures, labels, markers."""

    def __init__(self, ax, view: str, psoas_minor: bool = True, labels: bool = True,
                 keep_minor: bool = False):
        self.ax, self.view = ax, check_view(view)
        self.vdata = _DATA["views"][view]
        self.marks = _landmarks(view)
        self.artists: dict[str, list] = {}
        self.labels: dict[str, object] = {}
        self.anchors: dict[str, tuple[float, float]] = {}
        self.keys = [k for k in STRUCTURES if view in STRUCTURE_VIEWS[k]]
        if not psoas_minor and not keep_minor:
            self.keys = [k for k in self.keys if k != "psoas_minor"]
        ax.set_xlim(*self.vdata["xlim"])
        ax.set_ylim(*self.vdata["ylim"])
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        ax.set_facecolor(style.BACKGROUND)
        self.background = []
        for name, geo in self.vdata.get("background", {}).items():
            st = dict(STYLES["bone"], kind="bone")
            if self.vdata.get("see_through"):
                st.update(face_alpha=0.55, alpha=None)
            for shape in geo["shapes"]:
                pts, _ = _shape_points(shape, self.marks)
                holes = [_shape_points(h, self.marks)[0] for h in shape.get("holes", [])]
                self.background.append(_patch(ax, pts, st, 0.9, holes))
                if geo.get("mirror"):
                    self.background.append(_patch(ax, _mirror(pts), st, 0.9, [_mirror(h) for h in holes]))
        for key in self.keys:
            self.artists[key] = self._draw_structure(key)
            self.anchors[key] = self._anchor(key)
        self._draw_extras()
        if labels:
            self._draw_labels()
        if not psoas_minor and "psoas_minor" in self.artists:
            for a in self.artists["psoas_minor"] + ([self.labels["psoas_minor"]] if "psoas_minor" in self.labels else []):
                a.set_visible(False)

    # -- structures
    def _draw_structure(self, key: str) -> list:
        ax, geo = self.ax, self.vdata["structures"][key]
        st, z = _style(key), _zorder(key, self.view)
        if self.vdata.get("see_through") and st["kind"] in ("bone", "bony_point"):
            st.update(face_alpha=0.8, alpha=None)
        mirror = geo.get("mirror", False)
        out = []
        for shape in geo.get("shapes", []):
            if shape.get("vertebrae"):
                out += self._draw_vertebrae(st, z)
                continue
            pts, closed = _shape_points(shape, self.marks)
            holes = [_shape_points(h, self.marks)[0] for h in shape.get("holes", [])]
            copies = [(pts, holes)] + ([(_mirror(pts), [_mirror(h) for h in holes])] if mirror else [])
            sst = dict(st, ls=shape["ls"]) if "ls" in shape else st
            for p, hs in copies:
                if closed and st["kind"] not in ("nerve", "ligament", "bone_line"):
                    out.append(_patch(ax, p, sst, z, hs))
                    out[-1].set_gid(f"structure:{key}")
                else:
                    out.append(_line(ax, p, sst, z, dotted=shape.get("style") == "root"))
                    out[-1].set_gid(f"structure:{key}")
        # non-highlightable details (drawn in the structure's own colours)
        detail_st = {"kind": "detail", "edge": st.get("edge", style.BONE_EDGE), "lw": 0.8}
        for extra in ("details", "rim"):
            for shape in geo.get(extra, []):
                pts, _ = _shape_points(shape, self.marks)
                lw = 2.2 if extra == "rim" else 0.8
                for p in [pts] + ([_mirror(pts)] if mirror else []):
                    (ln,) = ax.plot(p[:, 0], p[:, 1], color=detail_st["edge"], lw=lw, zorder=z + 0.05,
                                    solid_capstyle="round")
                    out.append(ln)
        for fibre in geo.get("fibres", []):
            pts = _catmull_rom(np.array([_point(p, self.marks) for p in fibre], dtype=float), False)
            (ln,) = ax.plot(pts[:, 0], pts[:, 1], color=st.get("edge", "k"), lw=0.6, alpha=0.6, zorder=z + 0.01)
            ln.set_gid("fibre")
            out.append(ln)
        return out

    def _draw_vertebrae(self, st, z) -> list:
        ax, out = self.ax, []
        levels = self.vdata["vertebrae"]
        disc_st = dict(st, face="#EEF1F4", edge="#8A9099", lw=0.8)
        names = list(levels)
        for i, (level, v) in enumerate(levels.items()):
            cx, cy = v["centre"]
            w, h = v["size"]
            ang = v.get("angle", 0.0)
            if self.view == "anterior":
                tp_h = 1.2 if level == "L5" else 0.85
                for sx in (1, -1):
                    tp = _rounded_rect(cx + sx * (v["tp"] + w / 2 - 0.6) / 2, cy + 0.3, v["tp"] - w / 2 + 0.6,
                                       tp_h, 8 * sx if level == "L5" else 0, r=0.35)
                    out.append(_patch(ax, tp, st, z - 0.02))
                out.append(_patch(ax, _rounded_rect(cx, cy, w, h, ang, r=0.5), st, z))
            else:
                out += self._side_vertebra(v, st, z)
            if i + 1 < len(names):  # disc between this level and the next one down
                nxt = levels[names[i + 1]]
                (x1, y1), (x2, y2) = v["centre"], nxt["centre"]
                dh = math.hypot(x1 - x2, y1 - y2) - (h + nxt["size"][1]) / 2
                a = (ang + nxt.get("angle", 0.0)) / 2
                dw = (w + nxt["size"][0]) / 2 - 0.3
                out.append(_patch(ax, _rounded_rect((x1 + x2) / 2, (y1 + y2) / 2, dw, dh + 0.3, a, r=0.3),
                                  disc_st, z - 0.01))
            if not v.get("tag", True):   # a level whose name would be hidden in this view
                continue
            tx, ty = cx, cy
            if self.view == "side":  # in the uncovered back half of the body
                tx, ty = cx - 0.75 * math.cos(math.radians(ang)), cy - 0.75 * math.sin(math.radians(ang))
            t = ax.text(tx, ty, level, ha="center", va="center", fontsize=TAG_SIZE, color="#3A352E",
                        zorder=z + 0.1, rotation=ang if self.view == "side" else 0)
            t.set_gid("tag")
            out.append(t)
        return out

    def _side_vertebra(self, v, st, z) -> list:
        cx, cy = v["centre"]
        w, h = v["size"]
        a = math.radians(v.get("angle", 0.0))
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        post = np.array([(-w / 2 + 0.1, h / 2 - 0.35), (-w / 2 - 1.4, h / 2 - 0.2), (-w / 2 - 2.0, h / 2 + 0.25),
                         (-w / 2 - 2.6, h / 2 + 0.1), (-w / 2 - 3.2, 0.7), (-w / 2 - 4.7, 0.75),
                         (-w / 2 - 5.1, 0.2), (-w / 2 - 5.0, -0.6), (-w / 2 - 3.4, -0.8),
                         (-w / 2 - 2.9, -h / 2 - 0.5), (-w / 2 - 2.2, -h / 2 - 0.4), (-w / 2 - 1.6, -0.2),
                         (-w / 2 + 0.1, -0.1)])
        post = post @ rot.T + np.array([cx, cy])
        tp = _ellipse_points(-w / 2 - 1.0, 0.45, 1.1, 0.8, 0, 24) @ rot.T + np.array([cx, cy])
        return [_patch(self.ax, post, st, z - 0.03),
                _patch(self.ax, tp, dict(st, face="#C7BFAE"), z - 0.02),
                _patch(self.ax, _rounded_rect(cx, cy, w, h, v.get("angle", 0.0), r=0.5), st, z)]

    def _anchor(self, key: str) -> tuple[float, float]:
        geo = self.vdata["structures"][key]
        lab = geo.get("label", {})
        x, y = _point(lab["at"], self.marks) if "at" in lab else (0.0, 0.0)
        if geo.get("mirror") and lab.get("side") == "left" and self.view == "anterior":
            x = -x
        return (x, y)

    def _draw_extras(self) -> None:
        ax = self.ax
        ax.text(0.5, 0.995, VIEW_NAMES[self.view], transform=ax.transAxes, ha="center", va="top",
                fontsize=10, fontweight="bold", color=style.TEXT)
        for item in self.vdata.get("orientation", []):
            ax.text(*item["at"], item["text"], ha="center", va="center", fontsize=TAG_SIZE,
                    color="#555555", style="italic", zorder=5)

    # -- labels
    def _data_per_point(self) -> float:
        """Data units per typographic point (the axes box is fixed by aspect and limits)."""
        fig, pos = self.ax.figure, self.ax.get_position()
        ylo, yhi = self.vdata["ylim"]
        xlo, xhi = self.vdata["xlim"]
        w_in, h_in = fig.get_size_inches() * np.array([pos.width, pos.height])
        return max((yhi - ylo) / (h_in * 72), (xhi - xlo) / (w_in * 72))

    def _columns(self, keys, heights_of) -> dict:
        """{key: (side, y)}: label positions in two columns, spread so no two overlap, in an order
        whose leader lines do not cross (top to bottom by anchor height, then any two leaders that
        would cross swap places)."""
        ylo, yhi = self.vdata["ylim"]
        gap = 0.5 * LABEL_SIZE * 1.25 * self._data_per_point()
        out = {}
        for side in ("left", "right"):
            items = [k for k in keys if self.vdata["structures"][k].get("label", {}).get("side") == side
                     and not self._inside(k)]
            items.sort(key=lambda k: -self.anchors[k][1])
            x = self.vdata["label_x"][side]
            for _ in range(len(items) ** 2 + 1):
                ys = _spread([self.anchors[k][1] for k in items], [heights_of(k) for k in items],
                             ylo + 1.5, yhi - 3.0, gap=gap)
                pair = next(((i, j) for i in range(len(items)) for j in range(i + 1, len(items))
                             if _segments_cross((x, ys[i]), self.anchors[items[i]],
                                                (x, ys[j]), self.anchors[items[j]])), None)
                if pair is None:
                    break
                i, j = pair
                items[i], items[j] = items[j], items[i]
            out.update({k: (side, y) for k, y in zip(items, ys)})
        return out

    def _inside(self, key: str) -> bool:
        """Whether the view labels this structure on itself (``label: {inside: true}``): for a large,
        plain structure that a leader from either column could only reach across other labelled ones."""
        return bool(self.vdata["structures"][key].get("label", {}).get("inside"))

    def _draw_labels(self) -> None:
        """Labels with leader arrows in two columns beside the drawing, never overlapping
        (or, for ``inside`` labels, on the structure itself)."""
        ax, cols = self.ax, self.vdata["label_x"]
        line_h = LABEL_SIZE * 1.25 * self._data_per_point()
        texts = {k: _DATA["structures"][k]["label"] for k in self.keys}
        for k in (k for k in self.keys if self._inside(k)):
            ann = ax.annotate(texts[k], xy=self.anchors[k], xytext=self.anchors[k], ha="center", va="center",
                              fontsize=LABEL_SIZE, color=style.TEXT, zorder=8, linespacing=1.1,
                              bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9))
            ann.set_gid(f"label:{k}")
            self.labels[k] = ann
        places = self._columns(self.keys, lambda k: (texts[k].count("\n") + 1) * line_h)
        for k, (side, y) in places.items():
            ann = ax.annotate(
                texts[k], xy=self.anchors[k], xytext=(cols[side], y), ha="right" if side == "left" else "left",
                va="center", fontsize=LABEL_SIZE, color=style.TEXT, zorder=8, linespacing=1.1,
                arrowprops=dict(arrowstyle="-|>", color="#333333", lw=0.8, mutation_scale=7,
                                shrinkA=3, shrinkB=0.5,
                                # leaves the label from the side facing the drawing, never across a neighbour
                                relpos=(1.0, 0.5) if side == "left" else (0.0, 0.5)),
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.9))
            ann.set_gid(f"label:{k}")
            self.labels[k] = ann

    def draw_markers(self, keys: list[str]) -> list:
        """Numbered circles 1…n with leader arrows to ``keys`` (no names), in the label columns."""
        ax, cols = self.ax, self.vdata["label_x"]
        size = 2.4 * LABEL_SIZE * self._data_per_point()
        places = self._columns(keys, lambda k: size)
        out = []
        for i, k in enumerate(keys, start=1):
            inside = self._inside(k)
            if inside:   # the number on the structure itself, like its name in the labelled figure
                x, y = self.anchors[k]
            else:
                side, y = places[k]
                x = cols[side] - (size / 2 if side == "left" else -size / 2)
            arrow = dict(arrowstyle="-|>", color="black", lw=1.1, mutation_scale=8, shrinkA=0, shrinkB=0.5)
            ann = ax.annotate(
                str(i), xy=self.anchors[k], xytext=(x, y), ha="center", va="center", fontsize=LABEL_SIZE + 1,
                fontweight="bold", color="black", zorder=20, arrowprops=None if inside else arrow,
                bbox=dict(boxstyle="circle,pad=0.3", facecolor="white", edgecolor="black", linewidth=1.5))
            ann.set_gid(f"marker:{i}:{k}")
            out.append(ann)
        return out

    # -- highlighting
    def restyle_highlight(self, keys: list[str]) -> None:
        """Static highlight: restyle the structures' own artists and mute the rest."""
        if not keys:
            return
        for a in self.background:
            _apply_muted(a)
        for key, arts in self.artists.items():
            if key in keys:
                for a in arts:
                    _apply_strong(a, key)
                if key in self.labels:
                    _bold_label(self.labels[key])
            else:
                for a in arts:
                    _apply_muted(a)
                if key in self.labels:
                    self.labels[key].set_color(MUTED_TEXT)
                    if self.labels[key].arrow_patch is not None:
                        self.labels[key].arrow_patch.set_color(MUTED_TEXT)


def _bold_label(ann) -> None:
    ann.set_fontweight("bold")
    ann.set_color("black")
    if ann.arrow_patch is not None:
        ann.arrow_patch.set_color("black")
        ann.arrow_patch.set_linewidth(1.4)
    box = ann.get_bbox_patch()
    if box is not None:
        box.set_edgecolor("black")
        box.set_linewidth(1.0)
        box.set_alpha(1.0)


def _segments_cross(p1, p2, q1, q2) -> bool:
    """The segments p1–p2 and q1–q2 cross (touching ends do not count)."""
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = p1, p2, q1, q2
    d = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if abs(d) < 1e-12:
        return False
    t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / d
    u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / d
    return 1e-6 < t < 1 - 1e-6 and 1e-6 < u < 1 - 1e-6


def _spread(targets, heights, lo, hi, gap) -> list[float]:
    """Centres near ``targets`` (sorted top to bottom) with no two boxes overlapping."""
    n = len(targets)
    ys = [min(hi - heights[i] / 2, max(lo + heights[i] / 2, t)) for i, t in enumerate(targets)]
    for _ in range(50):
        moved = False
        for i in range(1, n):  # push down
            need = (heights[i - 1] + heights[i]) / 2 + gap
            if ys[i - 1] - ys[i] < need:
                ys[i] = ys[i - 1] - need
                moved = True
        if n and ys[-1] - heights[-1] / 2 < lo:  # pushed off the bottom: push back up
            ys[-1] = lo + heights[-1] / 2
            for i in range(n - 2, -1, -1):
                need = (heights[i] + heights[i + 1]) / 2 + gap
                if ys[i] - ys[i + 1] < need:
                    ys[i] = ys[i + 1] + need
            moved = True
        if not moved:
            break
    return ys


def _apply_strong(a, key: str) -> None:
    st = _style(key)
    if isinstance(a, Text):
        a.set_fontweight("bold")
        # a halo keeps a vertebra's name readable on the hatched, outlined highlight
        a.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])
        return
    if isinstance(a, Line2D):
        if a.get_gid() == "fibre":
            a.set_alpha(0.9)
            return
        a.set_color(st.get("strong", st.get("edge")))
        a.set_linewidth(max(2 * (a.get_linewidth() or 1), 4.5))
        a.set_alpha(1.0)
        a.set_path_effects([patheffects.Stroke(linewidth=a.get_linewidth() + 2.6, foreground="black"),
                            patheffects.Normal()])
        return
    face = st.get("strong", HIGHLIGHT_BONE)
    a.set_alpha(None)
    # bones and joints stay slightly see-through, so a muscle crossing in front still shows
    a.set_facecolor(to_rgba(face, 0.8 if face == HIGHLIGHT_BONE else 1.0))
    a.set_edgecolor("black")
    a.set_linewidth(HIGHLIGHT_LW)
    a.set_linestyle("-")
    a.set_hatch(HIGHLIGHT_HATCH)
    _set_hatchcolor(a, "white" if face == HIGHLIGHT_BONE else "#222222")


def _apply_muted(a) -> None:
    if isinstance(a, Text):
        a.set_alpha(0.5)
        return
    if isinstance(a, Line2D):
        a.set_path_effects([])
        a.set_alpha(0.35)
        return
    a.set_alpha(MUTED_ALPHA)


def _copy_artist(a, ax):
    """A fresh artist with the same geometry (for the explorer's highlight overlay)."""
    if isinstance(a, Text):
        t = ax.text(*a.get_position(), a.get_text(), ha=a.get_ha(), va=a.get_va(), fontsize=a.get_fontsize(),
                    rotation=a.get_rotation(), color=a.get_color())
        return t
    if isinstance(a, Line2D):
        (ln,) = ax.plot(*a.get_data(), color=a.get_color(), lw=a.get_linewidth(), ls=a.get_linestyle(),
                        solid_capstyle="round")
        ln.set_gid(a.get_gid())
        return ln
    p = PathPatch(a.get_path(), joinstyle="round")
    ax.add_patch(p)
    return p


# ---------------------------------------------------------------------- public figures
def draw_anatomy(ax=None, view: str = "anterior", highlight=None, psoas_minor: bool = True,
                 labels: bool = True) -> dict:
    """Draw one view of the iliopsoas region into ``ax`` and return {structure key: [artists]}.

    ``highlight`` is a structure key or a list of keys: drawn in a strong colour
    with a thick outline and cross-hatching, label in bold, the rest muted.
    ``psoas_minor=False`` leaves psoas minor out (about half of people lack it).
    """
    check_view(view)
    keys = highlight_list(highlight)
    if ax is None:
        ax = style.new_figure(*FIGSIZE).add_axes((0.0, 0.0, 1.0, 1.0))
    scene = _Scene(ax, view, psoas_minor=bool(psoas_minor), labels=labels)
    scene.restyle_highlight([k for k in keys if k in scene.artists])
    ax._iliopsoas_scene = scene
    return scene.artists


def _list_names(keys) -> str:
    names = [STRUCTURES[k] for k in keys]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _alt(view: str, highlight: list[str], psoas_minor: bool, labels: bool) -> str:
    desc = _DATA["views"][view]["description"].strip()
    parts = [f"Schematic {desc}."]
    if view == "anterior":
        parts.append("Psoas major runs down beside the lumbar vertebrae, over the pelvic brim, under the "
                     "inguinal ligament and in front of the hip joint to the lesser trochanter; iliacus fills "
                     "the iliac fossa and joins it in the common tendon; the femoral nerve runs in the groove "
                     "between them.")
    else:
        parts.append("Psoas major runs down in front of the lumbar spine, forward along the pelvic "
                     "brim, in front of the hip joint and back to the lesser trochanter; iliacus fans across "
                     "the iliac fossa to the same tendon; the iliopsoas bursa lies between the tendon and the "
                     "hip joint.")
    parts.append("Psoas minor is shown on the front of psoas major." if psoas_minor
                 else "Psoas minor is left out (it is absent in roughly half of people).")
    if highlight:
        parts.append(f"Highlighted: {_list_names(highlight)} (strong colour, thick outline and cross-hatching; "
                     "everything else is muted).")
    if labels:
        shown = [k for k in STRUCTURES if view in STRUCTURE_VIEWS[k] and (psoas_minor or k != "psoas_minor")]
        parts.append(f"Labelled: {_list_names(shown)}.")
    return " ".join(parts)


def _caption(extra_keys=()) -> str:
    keys = [_DATA["source"], "bogduk2005", "lifshitz2020", "bergman-psoas-minor", "souza2014"]
    for k in extra_keys:
        keys += _DATA["structures"][k]["sources"]
    return ("Schematic drawing made by the course from landmark positions, with proportions after Gray's Anatomy "
            "(1918, public domain); not to exact scale. "
            f"Sources: {short_citations(keys)}.")


def anatomy_figure(view: str = "anterior", highlight=None, psoas_minor: bool = True,
                   labels: bool = True) -> style.FigureDisplay:
    """A labelled anatomy figure as a ``FigureDisplay`` (PNG, alt text, caption with sources)."""
    check_view(view)
    keys = highlight_list(highlight)
    fig = style.new_figure(*FIGSIZE)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    draw_anatomy(ax, view, keys, psoas_minor, labels)
    return style.show_figure(fig, _alt(view, keys, psoas_minor, labels), _caption(keys))


def marker_figure(view: str, structures) -> style.FigureDisplay:
    """The view with numbered markers 1…n on ``structures`` and no names (label questions)."""
    check_view(view)
    structures = list(structures)
    if not structures:
        raise ValueError("marker_figure needs at least one structure")
    if len(set(structures)) != len(structures):
        raise ValueError(f"a structure is listed twice in {structures}; each marker needs its own structure")
    for k in structures:
        check_structure(k)
        if view not in STRUCTURE_VIEWS[k]:
            raise ValueError(f"structure {k!r} is not drawn in the {view} view; it is shown in: "
                             f"{', '.join(STRUCTURE_VIEWS[k])}")
    fig = style.new_figure(*FIGSIZE)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    draw_anatomy(ax, view, None, True, labels=False)
    ax._iliopsoas_scene.draw_markers(structures)
    n = len(structures)
    which = "1" if n == 1 else f"1 to {n}"
    word = "marker" if n == 1 else "markers"
    desc = ("front view of the lower back, pelvis and upper thighs" if view == "anterior"
            else "side view of the lower back, pelvis and upper thigh, front of the body to the right")
    alt = (f"Schematic {desc}, unlabelled, with {n} numbered {word} ({which}): white circles beside the "
           "drawing, each with an arrow pointing to one structure to name.")
    scene = ax._iliopsoas_scene
    on_it = [str(i) for i, k in enumerate(structures, start=1) if scene._inside(k)]
    if on_it:
        alt += (f" Marker{'s' if len(on_it) > 1 else ''} {', '.join(on_it)} "
                f"{'sit' if len(on_it) > 1 else 'sits'} on the structure itself, without an arrow.")
    # Cropped to the drawing: the picture sits beside the question's menus on a laptop screen.
    return style.show_figure(fig, alt, _caption(), crop=True)


# ---------------------------------------------------------------------- the explorer
class AnatomyExplorer(Diagram):
    """Front and side views of the iliopsoas with a highlight and a psoas-minor switch."""

    name = "anatomy"
    title = "Explore the iliopsoas"
    caption = _caption()
    figsize = FIGSIZE

    def __init__(self, view: str = "anterior", highlight=None, psoas_minor: bool = True):
        check_view(view)
        hl = highlight_list(highlight)
        if len(hl) > 1:
            raise ValueError("the explorer highlights one structure at a time")
        self._backgrounds: dict = {}
        self._shown = None
        super().__init__(view=view, highlight=hl[0] if hl else "none", psoas_minor=bool(psoas_minor))

    def build(self, fig) -> None:
        self.scenes, self.overlays, self.veils = {}, {}, {}
        for view in VIEWS:
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0), label=view)
            scene = _Scene(ax, view, psoas_minor=True, labels=True, keep_minor=True)
            self.scenes[view] = scene
            veil = Rectangle((0, 0), 1, 0.965, transform=ax.transAxes, facecolor="white", alpha=0.62,
                             edgecolor="none", zorder=50, visible=False)
            ax.add_patch(veil)
            self.veils[view] = veil
            self.animated.append(veil)
            self.overlays[view] = {}
            for key, arts in scene.artists.items():
                copies = []
                for a in arts:
                    c = _copy_artist(a, ax)
                    _copy_style(a, c)
                    _apply_strong(c, key)
                    c.set_zorder(60 + a.get_zorder())
                    c.set_visible(False)
                    copies.append(c)
                if key in scene.labels:
                    lab = scene.labels[key]
                    arrow = dict(arrowstyle="-|>", color="black", lw=1.4, mutation_scale=9, shrinkA=3, shrinkB=0.5,
                                 relpos=(1.0, 0.5) if lab.get_ha() == "right" else (0.0, 0.5))
                    c = ax.annotate(lab.get_text(), xy=lab.xy, xytext=lab.xyann, ha=lab.get_ha(), va=lab.get_va(),
                                    fontsize=LABEL_SIZE, fontweight="bold", color=style.TEXT, zorder=80,
                                    linespacing=1.1, arrowprops=arrow if lab.arrow_patch is not None else None,
                                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="black",
                                              linewidth=1.0))
                    c.set_visible(False)
                    c.set_gid(f"highlight-label:{key}")
                    copies.append(c)
                self.overlays[view][key] = copies
                self.animated += copies

    def make_controls(self) -> dict:
        import ipywidgets as w

        return {
            "view": w.Dropdown(options=[("Front (anterior)", "anterior"), ("Side (right side)", "side")],
                               value="anterior", description="View"),
            "highlight": w.Dropdown(options=[("none", "none")] + [(n, k) for k, n in STRUCTURES.items()],
                                    value="none", description="Highlight"),
            "psoas_minor": w.Checkbox(value=True, description="Psoas minor present"),
        }

    def set(self, **values) -> bytes:
        if "view" in values:
            check_view(values["view"])
        if "highlight" in values:
            hl = highlight_list(values["highlight"])
            values["highlight"] = hl[0] if hl else "none"
        return super().set(**values)

    def update(self, state: dict):
        view, minor, hl = state["view"], bool(state["psoas_minor"]), state["highlight"]
        changed = self._shown != (view, minor)
        if changed:
            for v, scene in self.scenes.items():
                scene.ax.set_visible(v == view)
                for a in scene.artists.get("psoas_minor", []) + [scene.labels["psoas_minor"]]:
                    a.set_visible(minor)
            self._shown = (view, minor)
        active = hl if hl != "none" and (minor or hl != "psoas_minor") else None
        for v in VIEWS:
            self.veils[v].set_visible(v == view and active is not None)
            for key, copies in self.overlays[v].items():
                on = v == view and key == active
                for c in copies:
                    c.set_visible(on)
        return True if changed else None

    def render(self) -> bytes:
        """Like ``Diagram.render`` but with one cached background per (view, psoas minor)."""
        canvas = self.figure.canvas
        key = self._shown
        bg = self._backgrounds.get(key)
        if bg is None:
            canvas.draw()
            bg = self._backgrounds[key] = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(bg)
        for artist in self.animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return encode_png(canvas)

    def naive_png(self, state=None) -> bytes:
        state = state or self.state()
        fig = style.new_figure(*self.figsize)
        draw_anatomy(fig.add_axes((0, 0, 1, 1)), state["view"],
                     None if state["highlight"] == "none" else state["highlight"], state["psoas_minor"])
        return style.figure_to_png(fig)

    def readout(self, state: dict) -> str:
        view, minor, hl = state["view"], bool(state["psoas_minor"]), state["highlight"]
        parts = [f"{VIEW_NAMES[view]}."]
        if hl == "none":
            parts.append("Nothing highlighted: choose a structure to see where it is and what it does.")
        elif hl == "psoas_minor" and not minor:
            parts.append("Psoas minor is highlighted but switched off, so there is nothing to show: "
                         "tick 'Psoas minor present'.")
        else:
            fact = " ".join(_DATA["structures"][hl]["fact"].split())
            parts.append(f"Highlighted: {STRUCTURES[hl]}. {fact}")
        parts.append("Psoas minor is shown (present)." if minor
                     else "Psoas minor is hidden (absent, as in roughly half of people).")
        return " ".join(parts)

    def alt(self, state: dict) -> str:
        hl = state["highlight"]
        keys = [] if hl == "none" or (hl == "psoas_minor" and not state["psoas_minor"]) else [hl]
        return _alt(state["view"], keys, bool(state["psoas_minor"]), True)


def _copy_style(src, dst) -> None:
    if isinstance(src, Text) or isinstance(src, Line2D):
        return
    dst.set_facecolor(src.get_facecolor())
    dst.set_edgecolor(src.get_edgecolor())
    dst.set_linewidth(src.get_linewidth())


def anatomy_explorer(view: str = "anterior", highlight=None, psoas_minor: bool = True):
    """The interactive anatomy explorer (front/side view, highlight, psoas minor switch)."""
    return AnatomyExplorer(view=view, highlight=highlight, psoas_minor=psoas_minor).show()
