"""Where it hurts: a body map of where iliopsoas problems are felt.

Two schematic silhouettes (front and back) drawn from the point lists in
``assets/pain-regions.yml``, with the areas each condition is felt in shaded
on the person's right side.  Main areas and areas pain "may spread" to differ
in hatching and outline (not only in colour) and every shaded area is
labelled.  The readout always ends with the reminder that where pain is felt
does not tell its cause.

Public API::

    PainMap(condition=None)          # Diagram, name "pain-map"
    pain_map(condition=None)         # the widget (``.show()``)
    (condition and region keys: iliopsoas.models.pain_regions.CONDITIONS / REGIONS)
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch, PathPatch, Polygon
from matplotlib.path import Path as MplPath

from . import style
from ..models.pain_regions import ALL, ALL_LABEL, CONDITIONS, REGIONS, check_condition, region_data, regions_for
from ..sources import load_references
from .base import Diagram, encode_png
from .style import OKABE_ITO as OI

_DATA = region_data()

FIGSIZE = (6.7, 5.05)
FRONT_X, BACK_X = -33.0, 33.0   # where the two silhouettes stand
LABEL_X = 62.0                  # label columns at -LABEL_X (front) and +LABEL_X (back)
XLIM = 131.0                    # wide enough for the longest label beside its column
LABEL_SIZE = 9
LEVEL_STYLE = {
    "main": dict(face=OI["vermillion"], face_alpha=0.55, edge="#7A2E00", ls="-", lw=1.6, hatch="////",
                 hatchcolor="#7A2E00"),
    "may_spread": dict(face=OI["orange"], face_alpha=0.35, edge="#7A5500", ls="--", lw=1.4, hatch="..",
                       hatchcolor="#7A5500"),
}
REMINDER = ("Where pain is felt does not tell you its cause: many other problems (the hip joint, a hernia, "
            "the lower back, kidneys, bowel or pelvic organs) hurt in the same places. Check the red flags "
            "in the start notebook (00 Start here) and see a clinician about pain that persists.")


def _caption() -> str:
    refs = load_references()
    parts = []
    for key, cond in _DATA["conditions"].items():
        shorts = [refs.get(s, {}).get("short", s) for s in cond["sources"]]
        parts.append(f"{cond['name']}: {', '.join(shorts)}")
    return ("Schematic body outlines drawn by the course; shaded areas are typical, not exact, and shown on the "
            "right side only. Sources: " + "; ".join(parts) + ".")


def _names(keys) -> str:
    names = [_DATA["regions"][k]["phrase"] for k in keys]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _place(points, view: str) -> np.ndarray:
    """Body coordinates (u, y) to picture coordinates; regions lie on the person's right."""
    pts = np.asarray(points, dtype=float)
    if view == "front":   # person's right is on the viewer's left
        return np.column_stack([FRONT_X - pts[:, 0], pts[:, 1]])
    return np.column_stack([BACK_X + pts[:, 0], pts[:, 1]])


def _silhouette(half) -> np.ndarray:
    half = np.asarray(half, dtype=float)
    other = half[::-1].copy()
    other[:, 0] *= -1
    return np.vstack([half, other[1:-1]])


class PainMap(Diagram):
    """Front and back body outlines with the areas where iliopsoas problems are felt."""

    name = "pain-map"
    title = "Where it hurts"
    caption = _caption()
    figsize = FIGSIZE

    def __init__(self, condition=None):
        self._condition0 = check_condition(condition)
        super().__init__(condition=self._condition0)

    # -- build once
    def build(self, fig) -> None:
        ax = self.ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(-XLIM, XLIM)
        ax.set_ylim(-14, 185)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        outline = _silhouette(_DATA["silhouette"]["outline"])
        for view, cx in (("front", FRONT_X), ("back", BACK_X)):
            body = Polygon(np.column_stack([cx + outline[:, 0], outline[:, 1]]), closed=True,
                           facecolor="#EFEDE8", edgecolor="#555555", linewidth=1.3, zorder=1)
            body.set_gid(f"silhouette:{view}")
            ax.add_patch(body)
            for line in _DATA["silhouette"]["details"][view]:
                for side in (1, -1):
                    pts = np.asarray(line, dtype=float) * [side, 1] + [cx, 0]
                    if len(pts) == 2 and np.allclose(pts[0], pts[1]):
                        ax.plot(*pts[0], marker="o", markersize=2.5, color="#8A8A8A", zorder=2)
                    else:
                        ax.plot(pts[:, 0], pts[:, 1], color="#9A9A9A", lw=0.9, zorder=2,
                                ls=(0, (4, 2)) if view == "back" and line[0][0] == 0 else "-")
            ax.text(cx, 176.5, "Front" if view == "front" else "Back", ha="center", va="bottom",
                    fontsize=11, fontweight="bold", color=style.TEXT)
            right_x = cx - 24 if view == "front" else cx + 24
            left_x = cx + 24 if view == "front" else cx - 24
            for x, word in ((right_x, "right"), (left_x, "left")):
                ax.text(x, 160, word, ha="center", va="center", fontsize=8, style="italic", color="#555555")
        # shaded regions: one patch per region and level, switched on and off (animated)
        self.region_artists: dict[str, dict[str, PathPatch]] = {}
        self.region_labels = {}
        for key, region in _DATA["regions"].items():
            pts = _place(region["outline"], region["view"])
            self.region_artists[key] = {}
            for level, st in LEVEL_STYLE.items():
                path = MplPath(np.vstack([pts, pts[:1]]), closed=True)
                p = PathPatch(path, facecolor=to_rgba(st["face"], st["face_alpha"]), edgecolor=st["edge"],
                              linestyle=st["ls"], linewidth=st["lw"], hatch=st["hatch"], zorder=3,
                              visible=False)
                if hasattr(p, "set_hatchcolor"):
                    p.set_hatchcolor(st["hatchcolor"])
                p.set_gid(f"region:{key}:{level}")
                ax.add_patch(p)
                self.region_artists[key][level] = p
        self._build_labels()
        self._feature = None
        self._shown = None
        self._backgrounds = {}
        for key, cond in _DATA["conditions"].items():
            if "feature" in cond:
                f = cond["feature"]
                region = _DATA["regions"][f["region"]]
                (x, y), = _place([f["at"]], region["view"])
                marker = ax.annotate(f"✱ {f['text']}", xy=(x, y - 3), xytext=(x + 8, y + 16), ha="center",
                                     va="bottom", fontsize=9, fontstyle="italic", color="black", zorder=6,
                                     arrowprops=dict(arrowstyle="-|>", color="black", lw=0.9, mutation_scale=8),
                                     bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="black",
                                               linewidth=0.8),
                                     visible=False)
                marker.set_gid(f"feature:{key}")
                self._feature = (key, marker)
        # legend: meaning never rests on colour alone
        handles = [Patch(facecolor=to_rgba(st["face"], st["face_alpha"]), edgecolor=st["edge"], hatch=st["hatch"],
                         linestyle=st["ls"], linewidth=st["lw"],
                         label="Main area of pain" if level == "main" else "Pain may spread here")
                   for level, st in LEVEL_STYLE.items()]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False,
                  fontsize=9, handlelength=2.6, handleheight=1.5)

    def _build_labels(self) -> None:
        ax = self.ax
        spots = {"front": [], "back": []}
        for key, region in _DATA["regions"].items():
            spots[region["view"]].append(key)
        for view, keys in spots.items():
            middle = [k for k in keys if _DATA["regions"][k].get("label_side") == "middle"]
            keys = [k for k in keys if k not in middle]
            keys.sort(key=lambda k: -_DATA["regions"][k]["label_at"][1])
            ys = [_DATA["regions"][k]["label_at"][1] for k in keys]
            for i in range(1, len(ys)):  # at least 9 units (two lines of text) apart
                ys[i] = min(ys[i], ys[i - 1] - 9)
            places = {k: (-LABEL_X if view == "front" else LABEL_X, y, "right" if view == "front" else "left")
                      for k, y in zip(keys, ys)}
            # "middle": between the two figures, for a region the outer column cannot reach cleanly
            places.update({k: ((FRONT_X + BACK_X) / 2, _DATA["regions"][k]["label_at"][1], "center")
                           for k in middle})
            for key, (x, y, ha) in places.items():
                (ax_, ay), = _place([_DATA["regions"][key]["label_at"]], view)
                ann = ax.annotate(REGIONS[key], xy=(ax_, ay), xytext=(x, y), fontsize=LABEL_SIZE,
                                  ha=ha, va="center", color=style.TEXT,
                                  zorder=7, arrowprops=dict(arrowstyle="-|>", color="#333333", lw=0.9,
                                                            mutation_scale=8, shrinkA=3, shrinkB=0),
                                  visible=False)
                ann.set_gid(f"region-label:{key}")
                self.region_labels[key] = ann

    def make_controls(self) -> dict:
        import ipywidgets as w

        options = [(ALL_LABEL, ALL)] + [(name, key) for key, name in CONDITIONS.items()]
        return {"condition": w.Dropdown(options=options, value=ALL, description="Condition",
                                        style={"description_width": "initial"})}

    def set(self, **values) -> bytes:
        if "condition" in values:
            values["condition"] = check_condition(values["condition"])
        return super().set(**values)

    # -- update the existing artists
    def update(self, state: dict):
        shaded = regions_for(state["condition"])
        for key, by_level in self.region_artists.items():
            for level, patch in by_level.items():
                patch.set_visible(shaded.get(key) == level)
            label = self.region_labels[key]
            label.set_visible(key in shaded)
            spread = shaded.get(key) == "may_spread"
            label.set_text(REGIONS[key] + (" (may spread)" if spread else ""))
            label.set_fontstyle("italic" if spread else "normal")
        if self._feature is not None:
            key, marker = self._feature
            marker.set_visible(state["condition"] in (ALL, key))
        changed = self._shown != state["condition"]
        self._shown = state["condition"]
        return True if changed else None

    def render(self) -> bytes:
        """PNG of the figure; each condition's picture is drawn once and then restored from a cache."""
        canvas = self.figure.canvas
        cached = self._backgrounds.get(self._shown)
        if cached is None:
            canvas.draw()
            self._backgrounds[self._shown] = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(cached)
        return encode_png(canvas)

    def readout(self, state: dict) -> str:
        condition = check_condition(state["condition"])
        shaded = regions_for(condition)
        main = [r for r, lvl in shaded.items() if lvl == "main"]
        spread = [r for r, lvl in shaded.items() if lvl == "may_spread"]
        if condition == ALL:
            bits = []
            for region, level in shaded.items():
                conds = [c["name"] for c in _DATA["conditions"].values() if region in c["regions"]]
                who = "all four conditions" if len(conds) == len(CONDITIONS) else " and ".join(conds)
                bits.append(f"{REGIONS[region].lower()}{' (may spread)' if level == 'may_spread' else ''}: {who}")
            text = "All conditions together. " + "; ".join(bits).capitalize() + "."
        else:
            cond = _DATA["conditions"][condition]
            text = f"{cond['name']}: mainly {_names(main)}"
            text += f"; it may spread to {_names(spread)}." if spread else "."
            text += f" Typically {' '.join(cond['note'].split())}."
        return f"{text} {REMINDER}"

    def alt(self, state: dict) -> str:
        condition = check_condition(state["condition"])
        shaded = regions_for(condition)
        who = "any of four iliopsoas problems" if condition == ALL else CONDITIONS[condition].lower()
        main = [r for r, lvl in shaded.items() if lvl == "main"]
        spread = [r for r, lvl in shaded.items() if lvl == "may_spread"]
        text = (f"Two schematic body outlines, front and back, with hatched areas on the person's right side "
                f"where pain from {who} is usually felt: {_names(main)}")
        if spread:
            text += f", and a dotted, dashed-edged area where it may spread: {_names(spread)}"
        return text + "."


def pain_map(condition=None):
    """The interactive pain map: choose a condition to see where it is usually felt."""
    return PainMap(condition=condition).show()


# ---------------------------------------------------------------------- for other diagrams
def draw_body(ax, cx: float, view: str) -> dict[str, dict[str, PathPatch]]:
    """Draw one body outline of the pain map into ``ax`` and return its region patches, hidden.

    ``view`` is ``"front"`` or ``"back"``; the outline stands at x = ``cx`` (coordinates in cm of a
    170 cm adult, as in ``assets/pain-regions.yml``; regions lie on the person's right).  Returns
    {region: {"main": patch, "may_spread": patch}} for the regions drawn in this view, styled exactly
    as on the pain map (hatching and outline differ by level, not only colour); the caller shows the
    ones it needs.  Used by lesson 03's condition explorer.
    """
    if view not in ("front", "back"):
        raise ValueError(f"view must be 'front' or 'back', not {view!r}")
    outline = _silhouette(_DATA["silhouette"]["outline"])
    ax.add_patch(Polygon(np.column_stack([cx + outline[:, 0], outline[:, 1]]), closed=True,
                         facecolor="#EFEDE8", edgecolor="#555555", linewidth=1.1, zorder=1))
    for line in _DATA["silhouette"]["details"][view]:
        for side in (1, -1):
            pts = np.asarray(line, dtype=float) * [side, 1] + [cx, 0]
            if len(pts) == 2 and np.allclose(pts[0], pts[1]):
                ax.plot(*pts[0], marker="o", markersize=2, color="#8A8A8A", zorder=2)
            else:
                ax.plot(pts[:, 0], pts[:, 1], color="#9A9A9A", lw=0.8, zorder=2,
                        ls=(0, (4, 2)) if view == "back" and line[0][0] == 0 else "-")
    out: dict[str, dict[str, PathPatch]] = {}
    sign = -1.0 if view == "front" else 1.0   # the person's right: viewer's left in front, right behind
    for key, region in _DATA["regions"].items():
        if region["view"] != view:
            continue
        pts = np.asarray(region["outline"], dtype=float)
        pts = np.column_stack([cx + sign * pts[:, 0], pts[:, 1]])
        out[key] = {}
        for level, st in LEVEL_STYLE.items():
            p = PathPatch(MplPath(np.vstack([pts, pts[:1]]), closed=True),
                          facecolor=to_rgba(st["face"], st["face_alpha"]), edgecolor=st["edge"],
                          linestyle=st["ls"], linewidth=st["lw"] * 0.8, hatch=st["hatch"], zorder=3, visible=False)
            if hasattr(p, "set_hatchcolor"):
                p.set_hatchcolor(st["hatchcolor"])
            p.set_gid(f"region:{key}:{level}")
            ax.add_patch(p)
            out[key][level] = p
    return out


def region_anchor(region: str, cx: float) -> tuple[float, float]:
    """Where a label's leader line should point for ``region`` on a body drawn at x = ``cx`` (see draw_body)."""
    r = _DATA["regions"][region]
    u, y = r["label_at"]
    return (cx - u if r["view"] == "front" else cx + u), y


def level_legend_handles(scale: float = 1.0) -> list:
    """Legend handles for the two levels of shading ("Main area of pain", "Pain may spread here")."""
    return [Patch(facecolor=to_rgba(st["face"], st["face_alpha"]), edgecolor=st["edge"], hatch=st["hatch"],
                  linestyle=st["ls"], linewidth=st["lw"] * scale,
                  label="Main area of pain" if level == "main" else "Pain may spread here")
            for level, st in LEVEL_STYLE.items()]
