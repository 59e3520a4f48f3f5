"""A small muscle-path model of psoas and iliacus (OpenSim Gait2392 geometry).

Each muscle is a chain of via points fixed in the pelvis or the femur frame,
joined by straight lines, as in the OpenSim Gait2392 model (Delp et al. 1990;
model by DG Thelen, A Seth, FC Anderson, SL Delp; CC BY 3.0).  The geometry
is read from ``assets/opensim-gait2392-iliopsoas.json``, a copy of the data
with its source, licence, conventions and caveats.

Conventions (those of the data file): metres, x anterior, y superior, z to
the right.  The femur frame's origin is the hip joint centre; hip flexion
rotates the femur about the pelvis z axis through that centre (adduction and
rotation stay at 0).  A ConditionalPathPoint belongs to the path only while
hip flexion lies inside its active range, bounds included and widened by
1e-5 rad, exactly as OpenSim's ``ConditionalPathPoint::isActive`` does.

The moment arm is ``-dL/dtheta`` (theta in radians), the derivative of the
path length computed exactly for the current set of via points, as OpenSim
defines it; it is reported in millimetres.

Use::

    from iliopsoas.models.muscle_path import load_hip_model, reference_curve
    model = load_hip_model()
    psoas = model.muscles["psoas"]
    psoas.length_mm([-20, 0, 60])        # array, mm
    psoas.moment_arm_mm(30)              # float, mm
    psoas.path(60)                       # (n, 3) via points in the pelvis frame, m
    reference_curve("rajagopal2016", "iliacus")["moment_arm_mm"]
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..paths import assets_dir

DATA_FILE = "opensim-gait2392-iliopsoas.json"

#: Range of the Gait2392 hip_flexion_r coordinate, degrees (+ = flexion).
HIP_FLEXION_RANGE_DEG = (-30.0, 120.0)

#: Course names of the muscles and their names in the OpenSim model (right side).
MUSCLES = {"psoas": "psoas_r", "iliacus": "iliacus_r"}

#: Reference data sets in the data file: curve name -> key.
REFERENCE_MODELS = {"gait2392": "gait2392", "rajagopal2016": "rajagopal2016_computed"}

#: OpenSim widens a ConditionalPathPoint's range by this much on both sides (radians).
ACTIVE_RANGE_TOLERANCE_RAD = 1e-5

#: The angle (degrees) at which the conditional via point drops out of both paths
#: (just above 45°: 0.785398 rad + 1e-5 rad).
VIA_POINT_SWITCH_DEG = 45.0

#: Beyond this flexion (degrees) the straight-line paths give an artefactual moment arm.
UNRELIABLE_ABOVE_DEG = 90.0

LIMITATIONS = [
    "The model has no wrapping surfaces: each muscle is a chain of straight lines between via points, "
    "so a via point switches off at 45° of flexion and the moment-arm curve jumps there.",
    "Beyond about 90° of flexion the straight-line path gives a shrinking and then negative moment arm; "
    "this is an artefact of the model, not how the real muscle behaves.",
    "The model attaches psoas to the pelvis, not to the lumbar vertebrae, so it says nothing about "
    "what psoas does to the lumbar spine.",
    "Only one degree of freedom moves: hip flexion and extension; hip adduction and rotation are held at 0.",
    "The geometry is that of a generic adult male model, not scaled to any particular person.",
]


class UnknownMuscleError(KeyError):
    """A muscle or reference-model name the model does not know."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


def _check_name(name, known, what: str) -> str:
    if name not in known:
        raise UnknownMuscleError(
            f"unknown {what} {name!r}: choose one of {', '.join(repr(k) for k in known)}")
    return name


def _angles(theta_deg) -> np.ndarray:
    """Angles as a float array, checked against the hip's range."""
    try:
        theta = np.asarray(theta_deg, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"hip flexion must be a number of degrees or an array of them, not {theta_deg!r}") from None
    lo, hi = HIP_FLEXION_RANGE_DEG
    bad = ~((theta >= lo - 1e-9) & (theta <= hi + 1e-9))  # also catches NaN
    if np.any(bad):
        first = theta[bad].flat[0] if theta.ndim else float(theta)
        raise ValueError(f"hip flexion {first:g}° is outside the model's range "
                         f"({lo:g}° to {hi:g}°, the Gait2392 hip_flexion_r range; + = flexion)")
    return theta


def _rotate_z(points: np.ndarray, theta_rad: np.ndarray) -> np.ndarray:
    """Rotate (…, 3) points about z by theta (broadcast over a leading angle axis)."""
    c, s = np.cos(theta_rad)[:, None], np.sin(theta_rad)[:, None]
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    return np.stack([c * x - s * y, s * x + c * y, np.broadcast_to(z, (len(theta_rad),) + z.shape)], axis=-1)


@dataclass(frozen=True)
class PathPoint:
    """One via point: its OpenSim name, body ('pelvis' or 'femur') and location (m) in that body's frame."""

    name: str
    body: str
    location: tuple[float, float, float]
    active_range_rad: tuple[float, float] | None = None   # only for a ConditionalPathPoint

    @property
    def conditional(self) -> bool:
        return self.active_range_rad is not None

    def is_active(self, theta_deg):
        """True where the point is part of the path.

        As in OpenSim's ``ConditionalPathPoint::isActive``: the coordinate (radians) is compared with
        the range with both bounds included and widened by 1e-5 rad, so the data file's upper bound
        0.785398 rad still counts 45° (0.7853982 rad) as inside.
        """
        theta_rad = np.radians(np.asarray(theta_deg, dtype=float))
        if self.active_range_rad is None:
            return np.ones_like(theta_rad, dtype=bool) if theta_rad.ndim else True
        lo, hi = self.active_range_rad
        active = (theta_rad >= lo - ACTIVE_RANGE_TOLERANCE_RAD) & (theta_rad <= hi + ACTIVE_RANGE_TOLERANCE_RAD)
        return active if theta_rad.ndim else bool(active)


class Muscle:
    """A musculotendon path of straight lines through via points in the pelvis and femur frames."""

    def __init__(self, name: str, opensim_name: str, points: list[PathPoint], hip_centre_m,
                 max_isometric_force_n: float, optimal_fiber_length_m: float,
                 tendon_slack_length_m: float, pennation_angle_deg: float):
        self.name = name
        self.opensim_name = opensim_name
        self.points = tuple(points)
        self.hip_centre_m = np.asarray(hip_centre_m, dtype=float)
        self.max_isometric_force_n = max_isometric_force_n
        self.optimal_fiber_length_m = optimal_fiber_length_m
        self.tendon_slack_length_m = tendon_slack_length_m
        self.pennation_angle_deg = pennation_angle_deg
        self._local = np.array([p.location for p in self.points], dtype=float)      # (n, 3)
        self._on_femur = np.array([p.body == "femur" for p in self.points])         # (n,)

    def __repr__(self) -> str:
        return f"<Muscle {self.name} ({self.opensim_name}), {len(self.points)} via points>"

    # -------------------------------------------------------------- geometry
    def _geometry(self, theta: np.ndarray):
        """Positions, velocities (d/dtheta, per radian) and activity of every point at each angle.

        ``theta`` is a 1-D array of degrees.  Returns arrays (k, n, 3), (k, n, 3), (k, n).
        """
        rad = np.radians(theta)
        femur = _rotate_z(self._local, rad)                                 # (k, n, 3) rotated vectors
        pos = np.where(self._on_femur[None, :, None], self.hip_centre_m + femur, self._local[None])
        # d/dtheta of R(theta) p is z x (R p) = (-y, x, 0); pelvis points do not move.
        vel = np.stack([-femur[..., 1], femur[..., 0], np.zeros_like(femur[..., 0])], axis=-1)
        vel = np.where(self._on_femur[None, :, None], vel, 0.0)
        active = np.stack([np.broadcast_to(p.is_active(theta), theta.shape) for p in self.points], axis=-1)
        return pos, vel, active

    def _length_and_derivative(self, theta: np.ndarray):
        pos, vel, active = self._geometry(theta)
        n = len(self.points)
        length = np.zeros(theta.shape)
        dldt = np.zeros(theta.shape)
        for i in range(n):
            for j in range(i + 1, n):
                # segment i -> j is in the path when both ends are active and every point between is not
                used = active[:, i] & active[:, j] & ~np.any(active[:, i + 1:j], axis=1)
                if not np.any(used):
                    continue
                d = pos[:, j] - pos[:, i]
                seg = np.linalg.norm(d, axis=-1)
                unit = d / seg[:, None]
                rate = np.sum(unit * (vel[:, j] - vel[:, i]), axis=-1)
                length += np.where(used, seg, 0.0)
                dldt += np.where(used, rate, 0.0)
        return length, dldt

    # -------------------------------------------------------------- public
    def length_mm(self, theta_deg):
        """Musculotendon length (mm) at hip flexion ``theta_deg`` (degrees; a number or an array)."""
        theta = _angles(theta_deg)
        length, _ = self._length_and_derivative(theta.reshape(-1))
        out = length * 1000.0
        return float(out[0]) if theta.ndim == 0 else out.reshape(theta.shape)

    def moment_arm_mm(self, theta_deg):
        """Hip-flexion moment arm, ``-dL/dtheta`` with theta in radians, in mm (positive = flexes the hip)."""
        theta = _angles(theta_deg)
        _, dldt = self._length_and_derivative(theta.reshape(-1))
        out = -dldt * 1000.0
        return float(out[0]) if theta.ndim == 0 else out.reshape(theta.shape)

    def active_points(self, theta_deg) -> list[PathPoint]:
        """The via points that make up the path at one hip angle."""
        theta = _angles(theta_deg)
        if theta.ndim != 0:
            raise ValueError("active_points() takes one hip angle, not an array")
        return [p for p in self.points if p.is_active(float(theta))]

    def path(self, theta_deg) -> np.ndarray:
        """The path's active via points at one hip angle: an (n, 3) array in the pelvis frame, metres."""
        theta = _angles(theta_deg)
        if theta.ndim != 0:
            raise ValueError("path() takes one hip angle, not an array")
        pos, _, active = self._geometry(np.atleast_1d(theta))
        return pos[0][active[0]]


class MuscleMap(Mapping):
    """``model.muscles``: a read-only mapping whose unknown keys give a clear error."""

    def __init__(self, muscles: dict[str, Muscle]):
        self._muscles = dict(muscles)

    def __getitem__(self, name: str) -> Muscle:
        _check_name(name, self._muscles, "muscle")
        return self._muscles[name]

    def __iter__(self):
        return iter(self._muscles)

    def __len__(self) -> int:
        return len(self._muscles)

    def __repr__(self) -> str:
        return f"MuscleMap({list(self._muscles)})"


@dataclass(frozen=True)
class HipModel:
    """The hip model: muscles, the hip centre in the pelvis frame, and the data file's provenance."""

    muscles: MuscleMap
    hip_centre_m: np.ndarray
    about: str
    license: str
    conventions: str
    caveats: tuple[str, ...]
    source: dict

    range_deg = HIP_FLEXION_RANGE_DEG

    def femur_to_pelvis(self, points_m, theta_deg) -> np.ndarray:
        """Map (n, 2 or 3) points given in the femur frame into the pelvis frame at one hip angle."""
        theta = _angles(theta_deg)
        if theta.ndim != 0:
            raise ValueError("femur_to_pelvis() takes one hip angle, not an array")
        pts = np.asarray(points_m, dtype=float)
        if pts.shape[-1] == 2:
            pts = np.concatenate([pts, np.zeros(pts.shape[:-1] + (1,))], axis=-1)
        rotated = _rotate_z(pts, np.radians(np.atleast_1d(theta)))[0]
        return rotated + self.hip_centre_m


def data_path() -> Path:
    """Where the model's data file lives (inside the course's assets)."""
    return assets_dir() / DATA_FILE


@lru_cache(maxsize=4)
def _load_data(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_data(path: str | Path | None = None) -> dict:
    """The data file as a dict (cached; do not modify it)."""
    return _load_data(str(path or data_path()))


def load_hip_model(path: str | Path | None = None) -> HipModel:
    """Build the Gait2392 psoas and iliacus model from ``assets/opensim-gait2392-iliopsoas.json``."""
    data = load_data(path)
    g = data["gait2392"]
    centre = np.array(g["hip_joint_centre_in_pelvis_frame_m"], dtype=float)
    muscles = {}
    for name, osim in MUSCLES.items():
        spec = g["muscles"][osim]
        points = []
        for p in spec["path_points"]:
            body = {"pelvis": "pelvis", "femur_r": "femur"}.get(p["body"])
            if body is None:
                raise ValueError(f"{DATA_FILE}: via point {p['name']} is on body {p['body']!r}; "
                                 "the model knows only 'pelvis' and 'femur_r'")
            rng = p.get("active_range_rad")
            if p["type"] == "ConditionalPathPoint":
                if p.get("coordinate") != "hip_flexion_r" or rng is None:
                    raise ValueError(f"{DATA_FILE}: conditional via point {p['name']} must depend on "
                                     "hip_flexion_r and give active_range_rad")
                rng = (float(rng[0]), float(rng[1]))
            elif p["type"] == "PathPoint":
                rng = None
            else:
                raise ValueError(f"{DATA_FILE}: via point {p['name']} has unsupported type {p['type']!r}")
            points.append(PathPoint(p["name"], body, tuple(float(v) for v in p["location"]), rng))
        muscles[name] = Muscle(name, osim, points, centre,
                               max_isometric_force_n=float(spec["max_isometric_force"]),
                               optimal_fiber_length_m=float(spec["optimal_fiber_length"]),
                               tendon_slack_length_m=float(spec["tendon_slack_length"]),
                               pennation_angle_deg=float(spec["pennation_angle_at_optimal_deg"]))
    return HipModel(muscles=MuscleMap(muscles), hip_centre_m=centre, about=data["about"],
                    license=data["license"], conventions=data["conventions"],
                    caveats=tuple(data["caveats"]), source=dict(data["source"]))


def reference_curve(model: str, muscle: str) -> dict[str, np.ndarray]:
    """OpenSim's own numbers from the data file (not recomputed).

    ``model`` is ``"gait2392"`` (the model this module reproduces) or
    ``"rajagopal2016"`` (a model with wrapping surfaces, derived numbers only);
    ``muscle`` is ``"psoas"`` or ``"iliacus"``.  Returns arrays ``angle_deg``,
    ``moment_arm_mm`` and ``length_mm`` (5° steps from -30° to 120°).
    """
    _check_name(model, REFERENCE_MODELS, "reference model")
    _check_name(muscle, MUSCLES, "muscle")
    data = load_data()
    block = data["gait2392"]["computed"] if model == "gait2392" else data[REFERENCE_MODELS[model]]
    rows = block[MUSCLES[muscle]]
    return {
        "angle_deg": np.array([r["hip_flexion_deg"] for r in rows], dtype=float),
        "moment_arm_mm": np.array([r["moment_arm_flexion_mm"] for r in rows], dtype=float),
        "length_mm": np.array([r["musculotendon_length_mm"] for r in rows], dtype=float),
    }


def deviation_from_opensim(muscle: str, lo_deg: float = -30, hi_deg: float = 90,
                           skip_deg: tuple[float, ...] = ()) -> dict[str, float]:
    """Largest |model - OpenSim| (mm) of length and moment arm over [lo, hi], skipping some angles."""
    ref = reference_curve("gait2392", muscle)
    keep = (ref["angle_deg"] >= lo_deg) & (ref["angle_deg"] <= hi_deg)
    for a in skip_deg:
        keep &= ~np.isclose(ref["angle_deg"], a)
    m = load_hip_model().muscles[muscle]
    angles = ref["angle_deg"][keep]
    return {
        "length_mm": float(np.max(np.abs(m.length_mm(angles) - ref["length_mm"][keep]))),
        "moment_arm_mm": float(np.max(np.abs(m.moment_arm_mm(angles) - ref["moment_arm_mm"][keep]))),
    }


__all__ = ["HIP_FLEXION_RANGE_DEG", "LIMITATIONS", "MUSCLES", "UNRELIABLE_ABOVE_DEG", "VIA_POINT_SWITCH_DEG",
           "ACTIVE_RANGE_TOLERANCE_RAD",
           "HipModel", "Muscle", "PathPoint", "UnknownMuscleError", "load_hip_model", "reference_curve",
           "deviation_from_opensim"]
