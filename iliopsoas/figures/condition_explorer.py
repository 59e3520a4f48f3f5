"""Condition explorer: two iliopsoas conditions (or look-alikes) side by side.

``condition_explorer(a="bursitis", b="abscess")`` shows two body maps (front
and back, drawn with the pain map's outlines and shading:
:func:`iliopsoas.figures.painmap.draw_body`) with where each condition is felt,
and under them a table that puts the two side by side: typical person, onset,
what the person notices, course, key finding, how sure we are, red flags (by
id from ``assets/red-flags.yml``) and sources.  Data: ``assets/conditions.yml``
through :mod:`iliopsoas.models.conditions`.

Meaning never rests on colour alone: main areas and areas pain may spread to
differ in hatching and outline (as on the pain map) and every shaded area is
labelled; red-flag tiers carry a symbol and their name.

Speed: each half of the picture is drawn once per condition and then restored
from a cache, so changing a condition costs little more than encoding the PNG.

Public API::

    ConditionExplorer(a=..., b=...)        # Diagram, name "condition-explorer"
    condition_explorer(a=..., b=...)       # the widget (``.show()``)
    (condition ids: iliopsoas.models.conditions.CONDITIONS)
"""
from __future__ import annotations

import html

from matplotlib.transforms import Bbox

from . import style
from .base import Diagram, encode_png
from .painmap import draw_body, level_legend_handles, region_anchor
from ..display import CELL_STYLE, static_figure_html
from ..models.conditions import CONDITIONS, FIELD_NAMES, KINDS, condition
from ..models.pain_regions import REGIONS
from ..redflags import TIER_SYMBOLS, load_red_flags, red_flag
from ..sources import short_citations

XLIM = (0.0, 446.0)             # cm of the body maps' coordinate system
YLIM = (50.0, 184.0)
SIDES = {"a": {"front": 80.0, "back": 140.0, "title_x": 110.0},
         "b": {"front": 296.0, "back": 356.0, "title_x": 326.0}}
LABEL_GAP = 34.0                # label column distance from a body's midline (cm)
LABEL_MIN_DY = 8.0              # labels at least this far apart vertically (cm)
SPLIT_X = 215.5                 # the two halves meet here, in the gap between A's labels and B's (cached apart)
LABEL = dict(fontsize=8.5, color=style.TEXT)
ROWS = ("person", "onset", "key_finding", "certainty")        # always shown
DETAIL_ROWS = ("notices", "course")                           # shown with "More detail"
DEFAULT_A, DEFAULT_B = "bursitis", "abscess"


def _short(region: str) -> str:
    return REGIONS[region].split(" (")[0]


def _tier_names() -> dict[str, str]:
    return {t["id"]: t["heading"].split(":")[0] for t in load_red_flags()["tiers"]}


def _check(value, which: str) -> str:
    if value not in CONDITIONS:
        raise ValueError(f"{which} must be one of: {', '.join(CONDITIONS)}; not {value!r}")
    return value


def _caption() -> str:
    return ("Pain-map outlines, person's right side; facts from the sources named in the table; red flags from the "
            "course's list (Finucane et al. 2020 framework). Typical patterns, not a diagnosis.")


class ConditionExplorer(Diagram):
    """Two conditions side by side: where they are felt, and who, how, what to look for and red flags."""

    name = "condition-explorer"
    title = "Compare two conditions"
    figsize = (8.0, 8.0 * (YLIM[1] - YLIM[0]) / (XLIM[1] - XLIM[0]))   # equal aspect, no spare margins
    caption = _caption()

    def __init__(self, a: str = DEFAULT_A, b: str = DEFAULT_B):
        self._tiers = _tier_names()
        super().__init__(a=_check(a, "a"), b=_check(b, "b"))

    # ------------------------------------------------------------------ build
    def build(self, fig) -> None:
        ax = self.ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(*XLIM)
        ax.set_ylim(*YLIM)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        self.side_artists: dict[str, list] = {}
        self.patches: dict[str, dict] = {}
        self.labels: dict[str, dict] = {}
        self.headings: dict[str, tuple] = {}
        for side, pos in SIDES.items():
            patches = {}
            for view in ("front", "back"):
                patches.update(draw_body(ax, pos[view], view))
                front = view == "front"
                ax.text(pos[view] + (-11.0 if front else 11.0), 165.0, view, ha="right" if front else "left",
                        va="center", fontsize=8, style="italic", color="#555555")
            self.patches[side] = patches
            self.labels[side] = self._build_labels(ax, side, pos)
            name = ax.text(pos["title_x"], 182.5, "", ha="center", va="top", fontsize=9.5, fontweight="bold",
                           color=style.TEXT)
            self.headings[side] = (name,)
            arts = [p for lv in patches.values() for p in lv.values()]
            arts += list(self.labels[side].values()) + [name]
            self.side_artists[side] = arts
        ax.legend(handles=level_legend_handles(0.8), loc="upper center", bbox_to_anchor=(0.5, 0.86), ncol=1,
                  frameon=False, fontsize=8.5, handlelength=2.2, handleheight=1.3)
        self.animated = self.side_artists["a"] + self.side_artists["b"]
        self._shown = {"a": None, "b": None}
        self._bg = None
        self._side_cache: dict = {}
        self._spill_cache: dict = {}

    def _build_labels(self, ax, side: str, pos: dict) -> dict:
        out = {}
        for view in ("front", "back"):
            keys = [k for k in REGIONS if self._view_of(k) == view]
            keys.sort(key=lambda k: -region_anchor(k, 0)[1])
            ys = [region_anchor(k, 0)[1] for k in keys]
            for i in range(1, len(ys)):
                ys[i] = min(ys[i], ys[i - 1] - LABEL_MIN_DY)
            for key, y in zip(keys, ys):
                cx = pos[view]
                x = cx - LABEL_GAP if view == "front" else cx + LABEL_GAP
                ann = ax.annotate(_short(key), xy=region_anchor(key, cx), xytext=(x, y),
                                  ha="right" if view == "front" else "left", va="center", zorder=7,
                                  arrowprops=dict(arrowstyle="-", color="#333333", lw=0.8, shrinkA=2, shrinkB=0),
                                  visible=False, **LABEL)
                ann.set_gid(f"region-label:{side}:{key}")
                out[key] = ann
        return out

    @staticmethod
    def _view_of(region: str) -> str:
        from ..models.pain_regions import region_data
        return region_data()["regions"][region]["view"]

    # ------------------------------------------------------------------ controls and state
    def make_controls(self) -> dict:
        import ipywidgets as w

        options = [(name, key) for key, name in CONDITIONS.items()]
        common = dict(style={"description_width": "initial"}, layout={"width": "330px"})
        return {"a": w.Dropdown(options=options, value=DEFAULT_A, description="A", **common),
                "b": w.Dropdown(options=options, value=DEFAULT_B, description="B", **common),
                "detail": w.Checkbox(value=False, description="More detail", indent=False,
                                     layout={"width": "130px"})}

    def set(self, **values) -> bytes:
        for key in ("a", "b"):
            if key in values:
                _check(values[key], key)
        return super().set(**values)

    def update(self, state: dict):
        for side in ("a", "b"):
            c = condition(state[side])
            for region, levels in self.patches[side].items():
                for level, patch in levels.items():
                    patch.set_visible(c.pain.get(region) == level)
            for region, label in self.labels[side].items():
                label.set_visible(region in c.pain)
                spread = c.pain.get(region) == "may_spread"
                label.set_text(_short(region) + ("\n(may spread)" if spread else ""))
                label.set_fontstyle("italic" if spread else "normal")
            self.headings[side][0].set_text(f"{side.upper()} · {c.name}")
            self._shown[side] = c.id
        return None

    def render(self) -> bytes:
        """The still parts once; each half drawn once per condition, then restored from a cache."""
        canvas = self.figure.canvas
        if self._bg is None:
            canvas.draw()   # everything except the animated (per-condition) artists
            self._bg = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._bg)
        width, height = canvas.get_width_height()
        split = self.ax.transData.transform((SPLIT_X, YLIM[0]))[0]
        boxes = {"a": Bbox([[0, 0], [split, height]]), "b": Bbox([[split, 0], [width, height]])}
        # A half whose labels reach across the split ("Front of thigh (may spread)" on B) cannot be
        # restored from a copy of its own half: it is drawn afresh, after the other half, every time.
        spills = {side: self._spills(side, boxes[side]) for side in ("a", "b")}
        for side in sorted(("a", "b"), key=spills.get):
            key = (side, self._shown[side])
            cached = None if spills[side] else self._side_cache.get(key)
            if cached is None:
                for artist in self.side_artists[side]:
                    if artist.get_visible():
                        self.figure.draw_artist(artist)
                if not spills[side]:
                    self._side_cache[key] = canvas.copy_from_bbox(boxes[side])
            else:
                canvas.restore_region(cached)
        return encode_png(canvas)

    def _spills(self, side: str, box) -> bool:
        """Whether any visible artist of ``side`` (as shown now) reaches outside its half (cached per condition)."""
        key = (side, self._shown[side])
        if key not in self._spill_cache:
            renderer = self.figure.canvas.get_renderer()
            self._spill_cache[key] = any(
                not (box.x0 - 0.5 <= e.x0 and e.x1 <= box.x1 + 0.5)
                for e in (a.get_window_extent(renderer) for a in self.side_artists[side] if a.get_visible()))
        return self._spill_cache[key]

    # ------------------------------------------------------------------ words
    def _flags(self, c) -> list[tuple[str, str, str]]:
        """[(tier id, tier name, flag name)] for the condition's red flags, most urgent first."""
        order = list(TIER_SYMBOLS)
        flags = [red_flag(f) for f in c.red_flags]
        flags.sort(key=lambda f: order.index(f["tier"]))
        return [(f["tier"], self._tiers[f["tier"]], f["name"]) for f in flags]

    def _flag_text(self, c) -> str:
        flags = self._flags(c)
        if not flags:
            return "None specific to it; the full list in Start here still applies."
        return "; ".join(f"{TIER_SYMBOLS[t]} {tier}: {name}" for t, tier, name in flags)

    def _where(self, c) -> str:
        main = [_short(r).lower() for r in c.regions("main")]
        spread = [_short(r).lower() for r in c.regions("may_spread")]
        text = "mainly " + _join(main)
        return text + (f", may spread to the {_join(spread)}" if spread else "")

    def readout(self, state: dict) -> str:
        parts = []
        for side in ("a", "b"):
            c = condition(state[side])
            parts.append(f"{side.upper()}: {c.name} ({KINDS[c.kind].lower()}): felt {self._where(c)}. "
                         f"Typical person: {c.person} Onset: {c.onset} Key finding: {c.key_finding} "
                         f"Red flags: {self._flag_text(c)}")
        return " ".join(parts) + " A typical pattern, not a diagnosis."

    def alt(self, state: dict) -> str:
        bits = []
        for side in ("a", "b"):
            c = condition(state[side])
            bits.append(f"{side.upper()}, {c.name}: shaded {self._where(c)}")
        return ("Two pairs of schematic body outlines, front and back, with hatched areas on the person's right "
                "side where each condition is usually felt. " + "; ".join(bits) + ".")

    def table_html(self, state: dict) -> str:
        """The side-by-side table (HTML), shown under the picture."""
        cs = {side: condition(state[side]) for side in ("a", "b")}
        e = html.escape
        cell = f' style="{CELL_STYLE};border-top:1px solid rgba(128,128,128,0.35)"'
        head = (f'<tr><th{cell}></th>' + "".join(
            f'<th scope="col"{cell}>{side.upper()} · {e(c.name)}<br><em style="font-weight:normal">'
            f"{e(KINDS[c.kind])}</em></th>" for side, c in cs.items()) + "</tr>")
        fields = list(ROWS[:2]) + (list(DETAIL_ROWS) if state.get("detail") else []) + list(ROWS[2:])
        rows = [(FIELD_NAMES[f], {s: getattr(c, f) for s, c in cs.items()}) for f in fields]
        rows += [("Red flags", {s: self._flag_text(c) for s, c in cs.items()})]
        rows = [(label, {s: (f"{v[s]} Sources: {short_citations(cs[s].sources)}." if label == FIELD_NAMES["certainty"]
                             else v[s]) for s in v}) for label, v in rows]
        body = "".join(f'<tr><th scope="row"{cell}>{e(label)}</th>'
                       + "".join(f"<td{cell}>{e(v[s])}</td>" for s in ("a", "b")) + "</tr>"
                       for label, v in rows)
        return ('<table class="iliopsoas-compare" style="border-collapse:collapse;width:100%;'
                'table-layout:fixed;font-size:88%;line-height:1.35">'
                '<colgroup><col style="width:17%"><col style="width:41.5%"><col style="width:41.5%"></colgroup>'
                f"<thead>{head}</thead><tbody>{body}</tbody></table>")

    def _readout_html(self, state: dict) -> str:
        return f'<div aria-live="polite">{self.table_html(state)}</div>'

    def static_html(self) -> str:
        state = self.state()
        return (f'<div class="iliopsoas-diagram iliopsoas-diagram-{self.name}"><h4>{html.escape(self.title)}</h4>'
                + static_figure_html(self.png, self.alt(state), self.caption)
                + self.table_html(dict(state, detail=True)) + "</div>")


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def condition_explorer(a: str = DEFAULT_A, b: str = DEFAULT_B):
    """The condition explorer: compare two conditions (ids of ``iliopsoas.models.conditions.CONDITIONS``).

    Raises ``ValueError`` naming the valid ids for an unknown condition."""
    return ConditionExplorer(a=a, b=b).show()
