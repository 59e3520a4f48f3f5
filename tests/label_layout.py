"""Where a figure's text labels are, from matplotlib's own extents, and what is wrong with them.

Used by ``tests/test_label_layout.py`` on every ``Diagram`` subclass in every
control state, and on the marker figures of the label questions.  Everything
is measured in display pixels, after one draw of the figure (which fixes axes
positions and tick labels); later states are measured with the same renderer
without drawing again (diagrams keep fixed axis limits).

A *label* is any visible, non-empty piece of text: ``ax.texts`` (annotations
included), words drawn as mathtext markers (a ``Line2D`` whose marker is
``"$...$"``) or as one outline (``FastText``, with ``label_text``), axes titles,
axis and tick labels, legends (one box each), and figure-level texts and legends.  A rotated label is its rotated rectangle.

Problems reported (each one sentence naming the labels):

- **overlap**: two labels overlap (one label drawn twice at one place, as a
  highlight copy over the original, counts once);
- **outside**: a label in an axes runs outside that axes (titles, axis and
  tick labels, figure texts: outside the figure);
- **crossing**: two leader lines (annotation arrows) cross, or a leader line
  runs across the shape of another labelled structure drawn in front of the
  one it points at (it would read as pointing there; shapes carry the gid
  ``structure:<key>`` or ``region:<key>:…``, labels ``label:<key>``,
  ``region-label:<key>`` or ``marker:<n>:<key>``), unless that shape touches
  its own tip (a muscle lying on another is reached across the one in front);
- **on the drawing**: a drawn edge or line runs through a label or it sits on
  a marker (a label with an opaque background box or a halo may sit on what is
  drawn below it, not under what is drawn above it), or a label lies under an
  opaque shape drawn above it (hidden).  Animated artists count as drawn last:
  a Diagram blits them over its still background whatever their zorder.  A label inside a thick line (a bone
  drawn as a band) is inside a shape, not crossed by it.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path as MplPath
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Affine2D, Bbox

TOLERANCE_PX = 1.0       # labels may touch; an overlap must exceed this
TIP_PX = 10.0            # shapes this close to a leader's tip are what it reaches across to
OPAQUE = 0.8             # a background box at least this opaque hides what is under the text
HALO_PT = 2.0            # a white stroke at least this wide (points) keeps lines off the glyphs


@dataclass
class Label:
    text: str
    bbox: Bbox                      # axis-aligned box, display pixels
    artist: object
    ax: object | None               # the axes it belongs to (None: figure level)
    kind: str                       # text, annotation, marker-text, title, axis-label, tick, legend
    zorder: float
    boxed: bool = False             # opaque background box or halo: may sit on a drawing
    outline: MplPath | None = None  # rotated rectangle of a rotated label (else the bbox)
    leader: tuple | None = None     # ((x0, y0), (x1, y1)) of its arrow, display pixels
    own: list = field(default_factory=list)   # artists that belong to the label (its arrow)

    def name(self) -> str:
        words = " ".join(self.text.replace("\\mathrm", "").replace("{", "").replace("}", "").split())
        return f"{self.kind} {words[:60]!r}"

    def polygon(self, inset: float = 0.0) -> np.ndarray:
        """Corners of the label (its rotated rectangle if rotated), moved ``inset`` px inwards."""
        if self.outline is not None:
            pts = self.outline.vertices[:4]
            centre = pts.mean(axis=0)
            out = []
            for p in pts:
                d = centre - p
                n = np.hypot(*d)
                out.append(p + (d / n) * min(inset * 1.42, n) if n else p)
            return np.array(out)
        b = self.bbox
        x0, y0, x1, y1 = b.x0 + inset, b.y0 + inset, b.x1 - inset, b.y1 - inset
        return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])

    def path(self, inset: float = 0.0) -> MplPath:
        pts = self.polygon(inset)
        return MplPath(np.vstack([pts, pts[:1]]), closed=True)


# --------------------------------------------------------------------------- collecting labels

ANIMATED = 1000.0   # added to the zorder of animated artists: a Diagram blits them over its cached background


def drawing_order(artist) -> float:
    """When an artist is drawn: its zorder, after every still artist if it is animated (blitted)."""
    return artist.get_zorder() + (ANIMATED if artist.get_animated() else 0.0)


def _alpha(artist, colour) -> float:
    """Opacity of a colour as drawn (patches and collections already fold the artist's alpha in)."""
    rgba = to_rgba(colour)
    if isinstance(artist, (Patch, Collection)):
        return rgba[3]
    a = artist.get_alpha()
    return rgba[3] * (1.0 if a is None else a)


def _halo(artist) -> bool:
    for effect in artist.get_path_effects() or []:
        gc = getattr(effect, "_gc", {}) or {}
        if type(effect).__name__ == "withStroke" and gc.get("linewidth", 0) >= HALO_PT:
            return True
    return False


def _boxed(t: Text) -> bool:
    patch = t.get_bbox_patch()
    if patch is not None and patch.get_visible() and _alpha(patch, patch.get_facecolor()) >= OPAQUE:
        return True
    return _halo(t)


def _text_bbox(t: Text, renderer) -> Bbox:
    bbox = Text.get_window_extent(t, renderer)  # the text only (an Annotation's own extent adds its arrow)
    patch = t.get_bbox_patch()
    if patch is not None and patch.get_visible():
        t.update_bbox_position_size(renderer)
        bbox = Bbox.union([bbox, patch.get_window_extent(renderer)])
    return bbox


def _rotated_outline(t: Text, bbox: Bbox, renderer) -> MplPath | None:
    angle = t.get_rotation() % 180
    if angle < 0.5 or abs(angle - 90) < 0.5 or angle > 179.5:
        return None
    flat = Text(0, 0, t.get_text(), fontproperties=t.get_fontproperties(), linespacing=t.get_linespacing(),
                figure=t.get_figure())
    ext = flat.get_window_extent(renderer)
    w, h = ext.width, ext.height
    cx, cy = bbox.x0 + bbox.width / 2, bbox.y0 + bbox.height / 2
    corners = np.array([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)])
    pts = Affine2D().rotate_deg(t.get_rotation()).translate(cx, cy).transform(corners)
    return MplPath(np.vstack([pts, pts[:1]]), closed=True)


def is_marker_text(line) -> bool:
    marker = line.get_marker()
    return isinstance(marker, str) and marker.startswith("$") and marker.endswith("$") and len(marker) > 2


@functools.lru_cache(maxsize=None)
def _marker_extent(marker: str) -> Bbox:
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform()).get_extents()


def _marker_text_boxes(line: Line2D, renderer) -> list[Bbox]:
    """Boxes of a word drawn as a mathtext marker, at each of the line's points."""
    ext = _marker_extent(line.get_marker())
    scale = line.get_markersize() * renderer.points_to_pixels(1.0)
    return [Bbox.from_extents(px + ext.x0 * scale, py + ext.y0 * scale, px + ext.x1 * scale, py + ext.y1 * scale)
            for px, py in _points(line)]


def _points(line: Line2D) -> np.ndarray:
    x, y = line.get_xdata(orig=False), line.get_ydata(orig=False)
    if not len(x):
        return np.empty((0, 2))
    pts = line.get_transform().transform(np.column_stack([np.asarray(x, float), np.asarray(y, float)]))
    return pts[np.isfinite(pts).all(axis=1)]


def _annotation_leader(ann: Annotation, renderer, bbox: Bbox):
    """(start, end) of an annotation's arrow as drawn (after clipping by the text's box), in pixels."""
    if ann.arrow_patch is None or not ann.arrow_patch.get_visible():
        return None
    try:
        drawn = ann.arrow_patch._get_path_in_displaycoord()
        paths = drawn[0] if isinstance(drawn, tuple) else drawn
        line = (paths if isinstance(paths, list) else [paths])[0]
        pts = line.vertices[np.isfinite(line.vertices).all(axis=1)]
        if len(pts) >= 2 and np.hypot(*(pts[-1] - pts[0])) > 0.5:
            return (tuple(pts[0]), tuple(pts[-1]))
    except Exception:  # noqa: BLE001 - fall back to the straight line from the box's edge
        pass
    target = np.asarray(ann._get_xy(renderer, ann.xy, ann.xycoords), float)
    centre = np.array([bbox.x0 + bbox.width / 2, bbox.y0 + bbox.height / 2])
    d = target - centre
    t = min(abs((bbox.width / 2) / d[0]) if d[0] else np.inf, abs((bbox.height / 2) / d[1]) if d[1] else np.inf, 1.0)
    return (tuple(centre + t * d), tuple(target))


def collect(fig, renderer) -> list[Label]:
    """Every visible label of ``fig`` (see the module docstring), in display pixels."""
    labels: list[Label] = []

    def add_text(t, ax, kind):
        if not t.get_visible() or not t.get_text().strip():
            return
        if isinstance(t, Annotation):
            t.update_positions(renderer)   # an annotation never drawn yet has no display position
        bbox = _text_bbox(t, renderer)
        if bbox.width <= 0 or bbox.height <= 0:
            return
        lab = Label(t.get_text(), bbox, t, ax, kind, drawing_order(t), boxed=_boxed(t),
                    outline=_rotated_outline(t, bbox, renderer))
        if isinstance(t, Annotation):
            lab.leader = _annotation_leader(t, renderer, bbox)
            if t.arrow_patch is not None:
                lab.own.append(t.arrow_patch)
        labels.append(lab)

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for t in ax.texts:
            add_text(t, ax, "annotation" if isinstance(t, Annotation) else "text")
        for artist in ax.get_children():   # text drawn as one outline (iliopsoas.figures.style.FastText)
            words = getattr(artist, "label_text", None)
            if artist.get_visible() and words and words.strip():
                corners = np.asarray(artist.label_corners())
                box = Bbox.from_extents(*corners.min(axis=0), *corners.max(axis=0))
                rotated = abs(corners[1, 1] - corners[0, 1]) > 0.5
                outline = MplPath(np.vstack([corners, corners[:1]]), closed=True) if rotated else None
                labels.append(Label(words, box, artist, ax, "text", drawing_order(artist), boxed=_halo(artist),
                                    outline=outline))
        for line in ax.lines:
            if line.get_visible() and is_marker_text(line):
                for bbox in _marker_text_boxes(line, renderer):
                    labels.append(Label(line.get_marker().strip("$"), bbox, line, ax, "marker-text",
                                        drawing_order(line), boxed=_halo(line)))
        for t in (ax.title, ax._left_title, ax._right_title):
            add_text(t, None, "title")
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if not axis.get_visible():
                    continue
                add_text(axis.label, None, "axis-label")
                lo, hi = sorted(axis.get_view_interval())
                for tick in axis.get_major_ticks():
                    if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                        for t in (tick.label1, tick.label2):
                            add_text(t, None, "tick")
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            labels.append(_legend_label(legend, ax, renderer))
    for t in fig.texts:
        add_text(t, None, "text")
    for legend in fig.legends:
        if legend.get_visible():
            labels.append(_legend_label(legend, None, renderer))
    return labels


def _legend_label(legend: Legend, ax, renderer) -> Label:
    frame = legend.get_frame()
    boxed = legend.get_frame_on() and _alpha(frame, frame.get_facecolor()) >= OPAQUE
    words = " / ".join(t.get_text() for t in legend.get_texts())
    return Label(words, legend.get_window_extent(renderer), legend, ax, "legend", drawing_order(legend),
                 boxed=boxed)


# --------------------------------------------------------------------------- what is drawn

@dataclass
class Drawn:
    """One visible shape or line of an axes, in display pixels."""

    artist: object
    paths: list             # [(path, filled)]
    zorder: float
    edge: bool              # its outline (or line) is visible
    opaque: bool            # its face hides what is under it
    covers: bool            # it spans the whole axes (a background or a veil)
    markers: list           # marker boxes (Line2D)
    key: str | None         # the labelled structure it belongs to (gid)
    band: float = 0.0       # a line's drawn width in px (a label may sit inside a thick band)
    exts: list = field(default_factory=list)   # (x0, y0, x1, y1) of each path

    def __post_init__(self):
        self.exts = [(*p.vertices.min(axis=0), *p.vertices.max(axis=0)) for p, _ in self.paths]

    def near(self, box: Bbox, pad: float = 0.0) -> list:
        """The paths whose extents come within ``pad`` px of ``box``."""
        return [pf for pf, (x0, y0, x1, y1) in zip(self.paths, self.exts)
                if x0 <= box.x1 + pad and x1 >= box.x0 - pad and y0 <= box.y1 + pad and y1 >= box.y0 - pad]


def label_key(artist) -> str | None:
    """The structure a label names, from its gid: ``label:K``, ``highlight-label:K``,
    ``region-label:K`` or ``marker:N:K`` give K."""
    parts = (artist.get_gid() or "").split(":")
    if len(parts) >= 2 and parts[0] in ("label", "highlight-label", "region-label", "marker"):
        return parts[-1]
    return None


def shape_key(artist) -> str | None:
    """The structure a drawn shape belongs to, from its gid: ``structure:K`` or ``region:K:level``."""
    parts = (artist.get_gid() or "").split(":")
    if len(parts) >= 2 and parts[0] in ("structure", "region"):
        return parts[1]
    return None


def _display_paths(artist) -> list:
    """(path in display pixels, filled) for each shape an artist draws: plain polylines (curves
    flattened, closing vertices resolved), so that matplotlib's path tests see what is drawn."""
    out = []
    for path, filled in _raw_display_paths(artist):
        for poly in path.to_polygons(closed_only=False):
            bad = ~np.isfinite(poly).all(axis=1)
            pieces = np.split(poly, np.flatnonzero(bad)) if bad.any() else [poly]
            for piece in pieces:
                piece = piece[np.isfinite(piece).all(axis=1)]
                if len(piece) >= 2 and np.ptp(piece, axis=0).max() >= 0.5:   # not a degenerate dot
                    out.append((MplPath(piece), filled))
    return out


def _raw_display_paths(artist) -> list:
    if isinstance(artist, FancyArrowPatch):
        try:
            paths = artist._get_path_in_displaycoord()
        except Exception:  # noqa: BLE001 - an arrow that cannot be laid out is not drawn
            return []
        paths = paths[0] if isinstance(paths, tuple) else paths
        return [(p, False) for p in (paths if isinstance(paths, list) else [paths])]
    if isinstance(artist, Patch):
        return [(artist.get_transform().transform_path(artist.get_path()), bool(artist.get_fill()))]
    if isinstance(artist, Line2D):
        if artist.get_linestyle() in ("None", "none", " ", "") or len(_points(artist)) < 2:
            return []
        return [(artist.get_transform().transform_path(artist.get_path()), False)]
    if isinstance(artist, Collection):
        trans = artist.get_transform()
        return [(trans.transform_path(p), True) for p in artist.get_paths()]
    return []


def _marker_boxes(line: Line2D, renderer) -> list[Bbox]:
    if line.get_marker() in (None, "None", "none", "", " ") or is_marker_text(line):
        return []
    half = line.get_markersize() * renderer.points_to_pixels(1.0) / 2
    return [Bbox.from_extents(px - half, py - half, px + half, py + half) for px, py in _points(line)]


def _edge_visible(artist) -> bool:
    if isinstance(artist, Patch):
        return artist.get_linewidth() > 0 and _alpha(artist, artist.get_edgecolor()) > 0.1
    if isinstance(artist, Collection):
        lws, ecs = artist.get_linewidths(), artist.get_edgecolors()
        return bool(len(ecs)) and max(lws, default=0) > 0 and max(to_rgba(c)[3] for c in ecs) > 0.1
    return True


def _face_opaque(artist) -> bool:
    if isinstance(artist, Patch):
        return artist.get_fill() and _alpha(artist, artist.get_facecolor()) >= 0.5
    if isinstance(artist, Collection):
        fcs = artist.get_facecolors()
        return bool(len(fcs)) and min(to_rgba(c)[3] for c in fcs) >= 0.5
    return False


def _band(artist, renderer) -> float:
    if not isinstance(artist, Line2D):
        return 0.0
    widths = [artist.get_linewidth()] + [getattr(e, "_gc", {}).get("linewidth", 0) or 0
                                          for e in artist.get_path_effects() or []]
    return max(widths) * renderer.points_to_pixels(1.0)


def drawn(ax, renderer) -> list[Drawn]:
    """Every visible shape and line of ``ax`` (not the axes patch, not words drawn as markers)."""
    out = []
    for artist in list(ax.patches) + list(ax.lines) + list(ax.collections):
        if not artist.get_visible() or artist is ax.patch:
            continue
        if (isinstance(artist, Line2D) and is_marker_text(artist)) or getattr(artist, "label_text", None) is not None:
            continue   # words, checked as labels
        paths = _display_paths(artist)
        markers = _marker_boxes(artist, renderer) if isinstance(artist, Line2D) else []
        if not paths and not markers:
            continue
        box = Bbox.from_extents(*np.min([p.vertices.min(axis=0) for p, _ in paths], axis=0),
                                *np.max([p.vertices.max(axis=0) for p, _ in paths], axis=0)) if paths else None
        covers = box is not None and box.width >= 0.95 * ax.bbox.width and box.height >= 0.9 * ax.bbox.height
        out.append(Drawn(artist, paths, drawing_order(artist), _edge_visible(artist), _face_opaque(artist), covers,
                         markers, shape_key(artist), _band(artist, renderer)))
    return out


def _describe(d: Drawn) -> str:
    artist = d.artist
    gid = artist.get_gid()
    label = artist.get_label() if hasattr(artist, "get_label") else ""
    name = type(artist).__name__
    if gid:
        name += f" {gid!r}"
    elif label and not label.startswith("_"):
        name += f" {label!r}"
    boxes = [p.get_extents() for p, _ in d.paths] + d.markers
    finite = [b for b in boxes if np.isfinite(b.extents).all()]
    return name + (f" ({_fmt(Bbox.union(finite))})" if finite else "")


def _fmt(b: Bbox) -> str:
    return f"x {b.x0:.0f}–{b.x1:.0f}, y {b.y0:.0f}–{b.y1:.0f} px"


# --------------------------------------------------------------------------- checks

def _paths_overlap(a: Label, b: Label) -> bool:
    w = min(a.bbox.x1, b.bbox.x1) - max(a.bbox.x0, b.bbox.x0)
    h = min(a.bbox.y1, b.bbox.y1) - max(a.bbox.y0, b.bbox.y0)
    if w <= TOLERANCE_PX or h <= TOLERANCE_PX:
        return False
    if a.outline is None and b.outline is None:
        return True
    pa, pb = a.path(TOLERANCE_PX / 2), b.path(TOLERANCE_PX / 2)
    return pa.intersects_path(pb, filled=True)


def _same_label(a: Label, b: Label) -> bool:
    """One label drawn twice (e.g. a highlight copy over the original)."""
    if " ".join(a.text.split()) != " ".join(b.text.split()):
        return False
    w = min(a.bbox.x1, b.bbox.x1) - max(a.bbox.x0, b.bbox.x0)
    h = min(a.bbox.y1, b.bbox.y1) - max(a.bbox.y0, b.bbox.y0)
    smaller = min(a.bbox.width * a.bbox.height, b.bbox.width * b.bbox.height)
    return w > 0 and h > 0 and w * h >= 0.5 * smaller


def overlaps(labels: list[Label]) -> list[str]:
    out = []
    if len(labels) < 2:
        return out
    e = np.array([b.bbox.extents for b in labels])           # x0, y0, x1, y1
    w = np.minimum(e[:, None, 2], e[None, :, 2]) - np.maximum(e[:, None, 0], e[None, :, 0])
    h = np.minimum(e[:, None, 3], e[None, :, 3]) - np.maximum(e[:, None, 1], e[None, :, 1])
    for i, j in zip(*np.nonzero(np.triu((w > TOLERANCE_PX) & (h > TOLERANCE_PX), k=1))):
        a, b = labels[i], labels[j]
        if not _same_label(a, b) and _paths_overlap(a, b):
            out.append(f"{a.name()} overlaps {b.name()}")
    return out


def outside(labels: list[Label], fig) -> list[str]:
    out = []
    for lab in labels:
        box = lab.ax.bbox if lab.ax is not None else fig.bbox
        where = "its axes" if lab.ax is not None else "the figure"
        pts = lab.polygon()
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        t = TOLERANCE_PX
        if x0 < box.x0 - t or y0 < box.y0 - t or x1 > box.x1 + t or y1 > box.y1 + t:
            out.append(f"{lab.name()} runs outside {where} (label {_fmt(Bbox.from_extents(x0, y0, x1, y1))}, "
                       f"{where} {_fmt(box)})")
    return out


def _segments_cross(p1, p2, q1, q2, margin: float = 2.0) -> bool:
    p1, p2, q1, q2 = (np.asarray(v, float) for v in (p1, p2, q1, q2))
    r, s = p2 - p1, q2 - q1
    denom = r[0] * s[1] - r[1] * s[0]
    if abs(denom) < 1e-9:
        return False
    qp = q1 - p1
    t = (qp[0] * s[1] - qp[1] * s[0]) / denom
    u = (qp[0] * r[1] - qp[1] * r[0]) / denom
    lp, lq = np.hypot(*r), np.hypot(*s)
    return margin / lp < t < 1 - margin / lp and margin / lq < u < 1 - margin / lq


def crossings(labels: list[Label], shapes: dict) -> list[str]:
    """Leader lines that cross each other, or run across another labelled structure's shape."""
    out = []
    led = [lab for lab in labels if lab.leader and lab.ax is not None]
    for a, b in itertools.combinations(led, 2):
        if a.ax is b.ax and _segments_cross(*a.leader, *b.leader):
            out.append(f"the leader lines of {a.name()} and {b.name()} cross")
    for lab in led:
        key = label_key(lab.artist)
        if key is None:
            continue
        named = {label_key(o.artist) for o in led if o.ax is lab.ax} - {None}
        targets = [(d.key, p, d.zorder) for d in shapes[lab.ax] if d.key in named and not d.covers
                   for p, f in d.paths if f]
        own_z = max([d.zorder for d in shapes[lab.ax] if d.key == key], default=-np.inf)
        (x0, y0), (x1, y1) = lab.leader
        length = float(np.hypot(x1 - x0, y1 - y0))
        if length < 1:
            continue
        cut = max(0.0, 1 - 3.0 / length)   # the arrow's tip may touch what it points at
        seg = MplPath([(x0, y0), (x0 + cut * (x1 - x0), y0 + cut * (y1 - y0))])
        near = Bbox.from_extents(x1 - TIP_PX, y1 - TIP_PX, x1 + TIP_PX, y1 + TIP_PX)
        own = [(p, f) for d in shapes[lab.ax] if d.key == key for p, f in d.paths]
        if own and not any((f and p.contains_point((x1, y1))) or _distance_to_polyline(
                np.array([(x1, y1)]), p.vertices)[0] <= TIP_PX / 2 for p, f in own):
            out.append(f"the leader line of {lab.name()} does not reach {key!r}")
        covering = sorted({k for k, p, z in targets if k != key and z > own_z and p.contains_point((x1, y1))})
        for other in covering:
            out.append(f"the leader line of {lab.name()} points at a spot covered by {other!r}, "
                       "which has its own label")
        at_tip = {k for k, p, _ in targets if p.intersects_bbox(near, filled=True)}
        # Only shapes drawn in front of the one it points at: a line over what lies behind its
        # target reads as reaching past it; a line over something in front reads as pointing there.
        for other in sorted({k for k, p, z in targets if k != key and k not in at_tip and z > own_z
                             and seg.intersects_path(p, filled=True)}):
            out.append(f"the leader line of {lab.name()} runs across {other!r}, which has its own label")
    return out


def _distance_to_polyline(points: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Distance (px) from each point to the nearest segment of a polyline (NaN vertices break it)."""
    a, b = vertices[:-1], vertices[1:]
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    a, b = a[ok], b[ok]
    if not len(a):
        return np.full(len(points), np.inf)
    ab = b - a
    denom = np.maximum((ab ** 2).sum(axis=1), 1e-12)
    out = []
    for p in points:
        t = np.clip(((p - a) * ab).sum(axis=1) / denom, 0, 1)
        near = a + t[:, None] * ab
        out.append(np.sqrt(((p - near) ** 2).sum(axis=1)).min())
    return np.array(out)


def _crosses(path: MplPath, filled: bool, lab_path: MplPath, corners: np.ndarray) -> bool:
    """A drawn path's edge (or line) runs through the label: crosses its outline or lies inside it."""
    if path.intersects_path(lab_path, filled=False):
        return True
    verts = path.vertices[np.isfinite(path.vertices).all(axis=1)]
    return bool(len(verts)) and bool(lab_path.contains_points(verts).any())


def _contains_label(d: Drawn, corners: np.ndarray, box: Bbox) -> bool:
    if d.band > 0:
        return any((_distance_to_polyline(corners, p.vertices) <= d.band / 2 + 1).all()
                   for p, _ in d.near(box, d.band))
    return d.opaque and any(f and p.contains_points(corners).all() for p, f in d.near(box))


def on_drawing(labels: list[Label], shapes: dict) -> list[str]:
    """Labels crossed by a drawn edge or line or sitting on a marker (unless boxed), or hidden under a shape."""
    out = []
    for lab in labels:
        if lab.ax is None or lab.kind == "legend":
            continue
        if any(_same_label(lab, o) and o.zorder > lab.zorder for o in labels):
            continue   # a copy drawn over it (a highlight) is what is seen; the copy is checked instead
        corners = lab.polygon(2.0)
        lab_path = MplPath(np.vstack([corners, corners[:1]]), closed=True)
        box = Bbox.from_extents(*corners.min(axis=0), *corners.max(axis=0))
        if box.width <= 0 or box.height <= 0:
            continue
        arrows = [Drawn(o.artist.arrow_patch, [(MplPath(o.leader), False)], o.zorder, True, False, False, [], None)
                  for o in labels if o is not lab and o.ax is lab.ax and o.leader]
        # Shapes beneath the label that contain all of it (a bone drawn as a thick band, an opaque
        # fill): what is drawn below them does not show through at the label.
        floor = max([d.zorder for d in shapes[lab.ax] if d.zorder < lab.zorder and not d.covers
                     and _contains_label(d, corners, box)], default=-np.inf)
        for d in shapes[lab.ax] + arrows:
            if d.artist in lab.own or d.artist is lab.artist or d.covers or d.zorder < floor:
                continue
            near = [(p, f) for p, f in d.near(box) if p.intersects_bbox(box, filled=True)]
            if d.zorder > lab.zorder and d.opaque and any(f for _, f in near) and not any(
                    _same_label(lab, o) and o.zorder > d.zorder for o in labels):   # a copy drawn on top
                if any(f and (p.intersects_path(lab_path, filled=True)) for p, f in near):
                    out.append(f"{lab.name()} is hidden under {_describe(d)} (drawn above it)")
                    continue
            if lab.boxed and d.zorder < lab.zorder:
                continue   # its box or halo covers what is drawn below it
            if d.band > 0 and near and all(
                    (_distance_to_polyline(corners, p.vertices) <= d.band / 2 + 1).all() for p, _ in near):
                continue  # the label sits inside a thick band (a bone drawn as a line)
            if any((d.edge or not f) and _crosses(p, f, lab_path, corners) for p, f in near):
                out.append(f"{lab.name()} has {_describe(d)} running through it")
            elif any(lab_path.intersects_bbox(m, filled=True) for m in d.markers):
                out.append(f"{lab.name()} sits on a marker of {_describe(d)}")
    return out


def problems(fig, renderer=None) -> list[str]:
    """Every label problem of ``fig`` as it is now (drawn once already, or ``renderer`` given)."""
    renderer = renderer or fig.canvas.get_renderer()
    for ax in fig.axes:
        if ax.get_visible():
            ax.apply_aspect()   # an axes shown after the first draw gets its final box now
    labels = collect(fig, renderer)
    shapes = {ax: drawn(ax, renderer) for ax in fig.axes if ax.get_visible()}
    return overlaps(labels) + outside(labels, fig) + crossings(labels, shapes) + on_drawing(labels, shapes)
