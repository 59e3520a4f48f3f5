"""Internal snapping hip: a teaching model of the iliopsoas tendon catching and snapping.

**A teaching model, not a measurement.**  It shows what a "snap" is (a tendon
held back by a catch, then let go all at once) with geometry from two of the
course's data files; what real snapping hips do was found with dynamic
ultrasound (see ``LIMITATIONS``).

How it works, step by step:

1. **The movement.**  The hip goes in a straight line (in joint angles) from the
   position that provokes the snap, 90° flexion with 45° abduction and 45°
   external rotation (FABER), to 10° extension with 10° adduction and 10°
   internal rotation (``START_POSE``, ``END_POSE``).  ``progress_pct`` runs from
   0 (start) to 100 (end).  The end position is a teaching choice.
2. **Where the tendon wants to be.**  With the Gait2392 geometry
   (``assets/opensim-gait2392-iliopsoas.json``; Delp et al. 1990) the lesser
   trochanter is carried through that movement (rotations applied as in the
   Gait2392 hip joint: flexion about z, then adduction about x, then rotation
   about y, each about the femur's turned axes).  The tendon's straight line runs
   from the muscles' origins (psoas and iliacus P1, averaged with their maximum
   forces as weights) to the insertion (the P5 points, averaged the same way).
   Where that line crosses the level of the pelvic brim (the height of psoas's
   brim via point P2) gives its side-to-side position: ``free_line_mm``, in mm
   lateral (+) or medial (-) of the most anterior point of the femoral head,
   which seen from the front lies straight in front of the hip centre.
3. **The catch.**  Bone outline from the course's landmark data
   (``assets/anatomy-landmarks.yml``, after Gray 1918): femoral head radius
   23 mm, iliopubic (iliopectineal) eminence 19 mm medial of the hip centre.
   In a hip that **catches**, the tendon is held at the top of the femoral head
   (u = 0) until its straight line has moved ``CATCH_MM`` (4 mm, set by hand:
   no study measured it) further medially; then it jumps to its line in one
   step: the snap.  In a hip that **glides**, the tendon simply follows its line.

Coordinates: ``u`` in mm across the hip, + lateral; ``depth`` in mm forwards
(anterior) from the hip centre.

Use::

    from iliopsoas.models.snapping import SnappingHipModel
    m = SnappingHipModel()            # catch_mm=4; SnappingHipModel(catch_mm=0) glides
    m.state(50)                       # SnapState at 50 % of the movement
    m.snap_progress_pct               # where the snap happens (None when it glides)
    m.free_line_mm([0, 50, 100])      # array, mm
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .landmarks import landmark_data
from .muscle_path import load_data

#: Hip position at the start and end of the movement: (flexion, abduction, external rotation), degrees.
#: Start: the FABER position that provokes an internal snap (Walker et al. 2021). End: a teaching choice.
START_POSE = (90.0, 45.0, 45.0)
END_POSE = (-10.0, -10.0, -10.0)
#: How far (mm) the tendon's straight line must pass the top of the femoral head before a
#: catching tendon lets go.  Set by hand to make the snap visible; no study measured it.
CATCH_MM = 4.0
#: For this many percent of the movement after the snap the state is reported as "snap".
SNAP_WINDOW_PCT = 4.0
#: Radius of the iliopsoas tendon drawn in the section, mm (schematic).
TENDON_RADIUS_MM = 4.0
PHASES = ("sliding", "caught", "snap", "settled", "gliding")

LIMITATIONS = [
    "A teaching model: the catch (4 mm) and the end position are chosen by hand, not measured.",
    "The tendon is a straight line from origin to insertion; the real tendon wraps over the pelvic brim "
    "and the femoral head, and its path differs from person to person.",
    "It shows one mechanism, a catch on the front of the femoral head. Dynamic ultrasound of 18 snapping "
    "hips found the tendon most often flipping around the iliacus muscle and striking the pubic bone "
    "(14 hips), less often two tendon bands flipping over each other (3) or a cyst beside the labrum (1) "
    "(Deslandes et al. 2008).",
    "In this generic geometry the tendon's line never reaches the iliopectineal eminence, which textbook "
    "accounts name as the bump it snaps over; a modelling study of 40 000 virtual hips linked large "
    "tendon movement to femoral shapes that place the lesser trochanter more medially "
    "(Audenaert et al. 2020).",
    "Snapping alone is not a disease: most snapping hips in dancers did not stop them dancing "
    "(Winston et al. 2007).",
]


@dataclass(frozen=True)
class Pose:
    """Hip position in degrees: flexion (+) / extension (-), abduction (+) / adduction (-),
    external (+) / internal (-) rotation."""

    flexion_deg: float
    abduction_deg: float
    external_rotation_deg: float


@dataclass(frozen=True)
class SnapState:
    """What the model shows at one point of the movement.

    ``free_mm``: where the tendon's straight line crosses the brim level (mm, + lateral of the
    top of the femoral head); ``tendon_mm``: where the tendon is; ``deflection_mm`` = free -
    tendon (how far the catch holds it off its line); ``phase``: one of ``PHASES``;
    ``jump_mm``: size of the snap (0 if there is none).
    """

    progress_pct: float
    pose: Pose
    free_mm: float
    tendon_mm: float
    deflection_mm: float
    phase: str
    jump_mm: float


def _rz(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _rx(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _ry(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


@functools.lru_cache(maxsize=1)
def geometry() -> dict:
    """Numbers the model takes from the data files (metres in the Gait2392 pelvis frame; mm for bone).

    ``hip_centre_m``, ``origin_m`` and ``insertion_femur_m`` (force-weighted means of psoas and
    iliacus P1 and P5), ``brim_level_m`` (y of psoas's brim via point P2), ``weights`` (the two
    maximum isometric forces, N), ``head_radius_mm`` and ``eminence_mm`` (u of the iliopubic
    eminence) from the anterior view of the landmark data.
    """
    g = load_data()["gait2392"]
    pts, weights = {}, {}
    for muscle in ("psoas_r", "iliacus_r"):
        spec = g["muscles"][muscle]
        weights[muscle] = float(spec["max_isometric_force"])
        pts[muscle] = {p["name"].split("-")[-1]: np.array(p["location"], dtype=float) for p in spec["path_points"]}
    total = sum(weights.values())
    origin = sum(weights[m] * pts[m]["P1"] for m in weights) / total
    insertion = sum(weights[m] * pts[m]["P5"] for m in weights) / total
    view = landmark_data()["views"]["anterior"]
    marks = view["landmarks"]
    radius_cm = next(s["circle"]["r"] for s in view["structures"]["femur"]["shapes"] if "circle" in s)
    return {
        "hip_centre_m": np.array(g["hip_joint_centre_in_pelvis_frame_m"], dtype=float),
        "origin_m": origin,
        "insertion_femur_m": insertion,
        "brim_level_m": float(pts["psoas_r"]["P2"][1]),
        "weights": weights,
        "head_radius_mm": 10.0 * float(radius_cm),
        # landmark x grows laterally on the side they are given for; u is + lateral
        "eminence_mm": 10.0 * (float(marks["iliopubic_eminence"][0]) - float(marks["hip_centre"][0])),
    }


def pose_at(progress_pct) -> Pose:
    """The hip position at ``progress_pct`` (0-100) of the movement (linear in each angle).

    Raises ``ValueError`` outside 0-100."""
    p = float(progress_pct)
    if not 0.0 <= p <= 100.0:
        raise ValueError(f"progress_pct must be between 0 and 100, not {progress_pct!r}")
    t = p / 100.0
    return Pose(*(a + (b - a) * t for a, b in zip(START_POSE, END_POSE)))


def femur_rotation(pose: Pose) -> np.ndarray:
    """3x3 rotation of the femur frame into the pelvis frame (Gait2392 order: flexion, adduction, rotation)."""
    return (_rz(np.radians(pose.flexion_deg))
            @ _rx(np.radians(-pose.abduction_deg))           # + adduction about x (anterior)
            @ _ry(np.radians(-pose.external_rotation_deg)))  # + internal rotation about y (up)


def lesser_trochanter_m(pose: Pose) -> np.ndarray:
    """The insertion (force-weighted P5) in the pelvis frame, metres, at ``pose``."""
    geo = geometry()
    return geo["hip_centre_m"] + femur_rotation(pose) @ geo["insertion_femur_m"]


def free_line_at(pose: Pose) -> float:
    """Where the straight origin-insertion line crosses the brim level: mm lateral (+) of the hip centre."""
    geo = geometry()
    a, b = geo["origin_m"], lesser_trochanter_m(pose)
    t = (geo["brim_level_m"] - a[1]) / (b[1] - a[1])
    z = a[2] + t * (b[2] - a[2])
    return 1000.0 * (z - geo["hip_centre_m"][2])


class SnappingHipModel:
    """The teaching model (see the module docstring).  ``catch_mm=0`` is a hip that glides."""

    def __init__(self, catch_mm: float = CATCH_MM):
        if catch_mm < 0:
            raise ValueError(f"catch_mm must be 0 or more, not {catch_mm!r}")
        self.catch_mm = float(catch_mm)
        self._grid = np.linspace(0.0, 100.0, 401)
        self._free = np.array([free_line_at(pose_at(p)) for p in self._grid])
        if np.any(np.diff(self._free) >= 0):
            raise ValueError("the tendon's line must move medially throughout the movement")
        self.snap_progress_pct = self._crossing(-self.catch_mm) if self.catch_mm > 0 else None
        self.apex_progress_pct = self._crossing(0.0)

    def _crossing(self, level: float) -> float | None:
        """Progress (%) at which the free line reaches ``level`` mm (None if it never does), by bisection."""
        f = self._free
        if not f[-1] <= level <= f[0]:
            return None
        i = int(np.searchsorted(-f, -level))          # f decreases: first grid point at or below level
        lo, hi = self._grid[max(i - 1, 0)], self._grid[i]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if free_line_at(pose_at(mid)) > level:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def free_line_mm(self, progress_pct):
        """The tendon's straight-line position (mm, + lateral of the top of the femoral head); float or array."""
        p = np.asarray(progress_pct, dtype=float)
        if np.any((p < 0) | (p > 100)):
            raise ValueError("progress_pct must be between 0 and 100")
        out = np.array([free_line_at(pose_at(x)) for x in np.atleast_1d(p)])
        return float(out[0]) if p.ndim == 0 else out

    def state(self, progress_pct) -> SnapState:
        """The model at ``progress_pct`` (0-100)."""
        pose = pose_at(progress_pct)
        p = float(progress_pct)
        free = free_line_at(pose)
        jump = 0.0
        if free >= 0.0:
            tendon, phase = free, "sliding"
        elif self.snap_progress_pct is None:
            tendon, phase = free, "gliding"
        elif p < self.snap_progress_pct:
            tendon, phase = 0.0, "caught"
        else:
            tendon = free
            phase = "snap" if p <= self.snap_progress_pct + SNAP_WINDOW_PCT else "settled"
            jump = self.catch_mm
        return SnapState(p, pose, free, tendon, free - tendon, phase, jump)

    def path(self, n: int = 201) -> dict[str, np.ndarray]:
        """The whole movement for plotting: ``progress_pct``, ``free_mm`` and ``tendon_mm`` (n points each).

        At the snap the tendon curve has two points at the same progress (before and after the jump)."""
        grid = np.linspace(0.0, 100.0, n)
        if self.snap_progress_pct is not None:
            grid = np.sort(np.append(grid, [self.snap_progress_pct] * 2))
        free = self.free_line_mm(grid)
        tendon = np.where(free >= 0, free, free if self.snap_progress_pct is None else 0.0)
        if self.snap_progress_pct is not None:
            after = grid > self.snap_progress_pct
            tendon = np.where(after, free, tendon)
            k = int(np.searchsorted(grid, self.snap_progress_pct)) + 1  # second copy: after the jump
            tendon[k] = free[k]
        return {"progress_pct": grid, "free_mm": free, "tendon_mm": tendon}


#: Depths (mm, forwards of the hip centre) of the schematic bone beside the femoral head.
RIM_DEPTH_MM = 15.0        # the rim of the hip socket, lateral to the head
EMINENCE_DEPTH_MM = 13.0   # the top of the iliopectineal eminence
RAMUS_DEPTH_MM = 8.0       # the superior pubic ramus, medial to the eminence


def surface_mm(u_mm) -> np.ndarray:
    """Depth (mm, forwards from the hip centre) of the bone surface under the tendon at ``u_mm``.

    The front of the femoral head (a circle of the landmark radius); laterally the rim of the
    hip socket (``RIM_DEPTH_MM``); medially the pubic bone with the iliopubic eminence (a rounded
    ridge at the landmark position, ``EMINENCE_DEPTH_MM`` high, then the superior pubic ramus at
    ``RAMUS_DEPTH_MM``).  Schematic shapes placed on the landmark positions.
    """
    geo = geometry()
    u = np.asarray(u_mm, dtype=float)
    r = geo["head_radius_mm"]
    head = np.sqrt(np.clip(r * r - u * u, 0.0, None))
    e = geo["eminence_mm"]
    ridge = EMINENCE_DEPTH_MM * np.exp(-0.5 * ((u - e) / 4.0) ** 2)
    ramus = np.where(u < e, RAMUS_DEPTH_MM, RAMUS_DEPTH_MM * np.exp(-0.5 * ((u - e) / 5.0) ** 2))
    rim = np.where(u > 0, RIM_DEPTH_MM, 0.0)
    return np.maximum.reduce([head, ridge, ramus, rim])


def tendon_centre_mm(u_mm: float, radius_mm: float = TENDON_RADIUS_MM) -> tuple[float, float]:
    """(u, depth) of the centre of a round tendon of ``radius_mm`` resting on the surface at ``u_mm``."""
    xs = np.linspace(-radius_mm, radius_mm, 41)
    depth = np.max(surface_mm(u_mm + xs) + np.sqrt(np.clip(radius_mm ** 2 - xs ** 2, 0.0, None)))
    return float(u_mm), float(depth)


def describe(state: SnapState, geo: dict | None = None) -> str:
    """The readout sentence(s) for ``state`` (plain text, units a physiotherapy student uses)."""
    geo = geo or geometry()
    pose = state.pose
    flex = (f"flexed {pose.flexion_deg:.0f}°" if pose.flexion_deg >= 0.5
            else f"extended {-pose.flexion_deg:.0f}°" if pose.flexion_deg <= -0.5 else "straight (0°)")
    abd = (f"abducted {pose.abduction_deg:.0f}°" if pose.abduction_deg >= 0.5
           else f"adducted {-pose.abduction_deg:.0f}°" if pose.abduction_deg <= -0.5 else "not abducted")
    rot = (f"turned out {pose.external_rotation_deg:.0f}°" if pose.external_rotation_deg >= 0.5
           else f"turned in {-pose.external_rotation_deg:.0f}°" if pose.external_rotation_deg <= -0.5
           else "not rotated")
    where = f"{state.progress_pct:.0f} % of the way: hip {flex}, {abd}, {rot}."
    to_eminence = state.tendon_mm - geo["eminence_mm"]
    if state.phase == "sliding":
        what = ("The tendon slides inwards over the front of the femoral head; it lies "
                + (f"{_side(state.tendon_mm)} its top." if abs(state.tendon_mm) >= 0.5 else "right on its top."))
    elif state.phase == "caught":
        what = (f"Caught: the tendon is held on the top of the femoral head while its straight line has moved "
                f"{abs(state.deflection_mm):.1f} mm further in, so tension builds.")
    elif state.phase == "snap":
        what = (f"Snap! The tendon has jumped {state.jump_mm:.0f} mm inwards in one go and knocks against the "
                "bone: this sudden jump is the clunk a person can feel or hear.")
    elif state.phase == "gliding":
        what = (f"The tendon glides smoothly past the top of the femoral head, now {_side(state.tendon_mm)} it: "
                "nothing catches, so nothing snaps.")
    else:
        what = (f"After the snap the tendon follows its line again: {_side(state.tendon_mm)} the top of the "
                f"femoral head, {to_eminence:.0f} mm from the iliopectineal eminence.")
    return f"{where} {what}"


def _side(mm: float) -> str:
    """'6 mm outside (lateral of)' or '6 mm inside (medial of)'."""
    return f"{abs(mm):.0f} mm {'outside (lateral of)' if mm >= 0 else 'inside (medial of)'}"
