"""The "psoas paradox": what psoas does to the lumbar spine, in a simplified teaching model.

"Psoas paradox" is an informal label (its origin is unclear; no peer-reviewed definition was found)
for the observation that psoas is described both as a flexor of the lumbar spine and as a muscle
that deepens the lordosis (an extensor action).  The best-known analysis, Bogduk, Pearcy & Hadfield
(1992), is itself a **model**, not a measurement: fascicle anatomy from three cadavers and lines of
action on radiographs of ten men.  Their calculated moments were very small and depended on the
level: extension at the upper lumbar joints, flexion at the lower ones; at maximal contraction the
calculated compression and shear were large.  Other authors read psoas's role differently
(Andersson et al. 1995: fine-wire EMG showing psoas working in upright sitting and in side-to-side
loading; Penning 2000: a stabiliser of the upright lordosis, argued from a bent metal strip).

This module is a **simplified teaching model** (the course's own, cited as ``course-models``).  It
**illustrates** Bogduk's sign pattern and shows why a fixed line of pull can look like a flexor in
one posture and an extensor in another.  It is **not evidence** for that pattern: the position of
its pulley was **chosen by hand so that the model reproduces the pattern** at a typical lordosis
(see ``CHOSEN_TO_MATCH``), and a model tuned to a conclusion cannot confirm it.  Its numbers are the
model's, not measurements and not Bogduk's (``CANNOT_SHOW`` lists what it cannot tell you).

The model (all numbers below are constants of this module, documented where they are defined;
``ASSUMPTIONS`` says the same in plain sentences):

- a 2-D side view, metres, x anterior, y superior, in the frame of the sacrum: origin at the
  centre of the upper endplate of S1, which slopes 40° down to the front (sacral slope, drawing
  only: the loads do not depend on it because the pulley is fixed to the sacrum too);
- five rigid lumbar vertebral bodies (3.5 cm deep, 2.7 cm high) on 1 cm discs; the lordosis
  (angle between the upper endplates of L1 and S1) is shared between the five joints in fixed
  proportions that grow towards L5–S1, as in real spines;
- each joint turns about an axis in the back half of its disc, on the upper endplate of the
  vertebra below;
- ten straight psoas fascicles, two from each of L1–L5: one from the side of the vertebral body at
  its upper margin (the disc and body attachment), one from the transverse process, which lies
  behind the body; all pull towards one fixed pulley where the muscle meets the pelvic brim beside
  the sacrum, and from there (off the picture) over the brim to the lesser trochanter.  The lumbar
  spine feels only this first bend.
- **The pulley was placed to match Bogduk et al.**  Straight lines to the point where psoas leaves
  the pelvis at the groin (the OpenSim Gait2392 via point, about 7.7 cm anterior and 14 cm
  inferior to its lumbosacral joint) would pass 3–7 cm in front of the lower joints and make psoas
  a strong lumbar flexor (about 100 N·m at L5–S1), which is not what Bogduk et al. calculated.  The
  anatomical reason for a point closer to the spine is that the muscle lies along the side of the
  vertebral bodies and the sacral ala before it turns forwards; the exact point (1.2 cm in front of
  the middle of the S1 endplate, 3 cm below it) was then tuned so that, at 40–60° of lordosis, the
  upper joints extend and L5–S1 flexes.  Move it and the labels change.
- both psoas muscles pull together, each at most 1113 N (the OpenSim Gait2392 maximum isometric
  force), shared between levels 14/17/20/23/26 % from L1 to L5 and half-and-half between each
  level's two fascicles.

For each joint the loads are those the fascicles crossing it (all fascicles from that joint's
upper vertebra and above) put on the spine above it: the moment about the joint's axis
(+ = flexion), the compression (force component along the spine's local axis, perpendicular to the
mid-plane of the disc) and the shear (component along the disc, + = pulls the upper vertebra
forward).

**The largest moment, and what it means.**  In a flattened spine (10° of lordosis) at full effort
of both muscles, the model gives about 29 N·m of flexion at L5–S1, its largest moment anywhere on
the explorer's range.  That is the compression there (about 2150 N) times an effective lever of
about 13 mm: the line of pull passes a little more than a centimetre in front of the joint's axis.
It is a property of this geometry (a straight line to a hand-placed pulley) at a maximal effort of
both muscles, in a posture where the model's simplifications matter most; no study has measured it,
and it should be read as "a centimetre-sized lever", not as a prediction for a person.

Use::

    from iliopsoas.models.lumbar import LumbarPsoasModel
    for load in LumbarPsoasModel(lordosis_deg=45).joint_loads():
        print(load.level, load.moment_nm, load.compression_n, load.shear_n)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------- model constants
VERTEBRAE = ("L1", "L2", "L3", "L4", "L5")
#: Joint names, top to bottom (the level keys of ``JointLoad``).
LEVELS = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")

#: Vertebral body depth (front to back) and height, and disc height, metres: typical adult lumbar sizes.
BODY_DEPTH_M = 0.035
BODY_HEIGHT_M = 0.027
DISC_HEIGHT_M = 0.010

#: Share of the lordosis carried by each joint, L1–L2 … L5–S1.  Real lordosis is concentrated
#: low down (about two-thirds of it between L4 and S1); the vertebral bodies are drawn as
#: rectangles, so each joint's share also stands for the wedging of its vertebra.
LORDOSIS_SHARES = (0.08, 0.12, 0.18, 0.26, 0.36)

#: Slope of the S1 upper endplate to the horizontal, degrees (a typical standing value).  It only
#: orients the drawing: spine, axes and pulley are all fixed to the sacrum, so the loads do not depend on it.
SACRAL_SLOPE_DEG = 40.0

#: Axis of rotation of each joint: a quarter of the body depth (8.75 mm) behind the centre of the disc,
#: i.e. in the middle of its back half, on the upper endplate of the vertebra below.
AXIS_BEHIND_CENTRE_M = 0.25 * BODY_DEPTH_M

#: Body/disc attachment of each level's fascicle: on the side of the body at its upper margin (next to the
#: disc above), 8 mm in front of the body's centre line in the side view (the muscle lies on the
#: anterolateral side of the bodies).
BODY_ATTACHMENT_FORWARD_M = 0.008
#: Transverse-process attachment: 2.0 cm behind the body's centre line (within the anatomical
#: 1.5–2.5 cm), at 60 % of the body's height (the level of the pedicles).
TRANSVERSE_PROCESS_BEHIND_M = 0.020
TRANSVERSE_PROCESS_HEIGHT_FRACTION = 0.6

#: The pulley: where the fascicles first meet the pelvis, on the pelvic brim beside the sacrum,
#: 1.2 cm in front of the centre of the S1 endplate and 3 cm below it (measured along and
#: perpendicular to that endplate, i.e. in the sacrum's own frame).  From there the muscle runs on
#: along the brim; the Gait2392 model's via point where psoas leaves the pelvis (at the groin) lies
#: about 7.7 cm anterior and 14 cm inferior to its lumbosacral joint.
PULLEY_IN_SACRUM_M = (0.012, -0.030)

#: Maximum force of one psoas, N (OpenSim Gait2392 psoas max isometric force; Delp et al. 1990).
PSOAS_MAX_FORCE_N = 1113.0
#: Both muscles pull together (as in a sit-up or a double-leg raise): every load is for the pair.
SIDES = 2
#: Share of the force arising from each vertebra, L1 … L5: growing downwards as the muscle's
#: cross-section grows towards its peak at L4–L5 (Reid et al. 1994).  A teaching assumption.
LEVEL_FORCE_SHARES = (0.14, 0.17, 0.20, 0.23, 0.26)
#: Share of each level's force in its transverse-process fascicle (the rest: body/disc fascicle).
TRANSVERSE_PROCESS_SHARE = 0.5

#: Typical moment arm of the lumbar back extensors about the lumbar joints, m (for comparison only).
BACK_EXTENSOR_LEVER_M = 0.05
#: Range of lordosis the model accepts, degrees.
LORDOSIS_RANGE_DEG = (0.0, 80.0)
#: From this lordosis (degrees) on, the readout calls the spine "deeply arched".
ARCHED_FROM_DEG = 58.0
#: Moments smaller than this (N·m) are reported as "hardly turns".
NEGLIGIBLE_MOMENT_NM = 0.5

ASSUMPTIONS = [
    "This is a simplified teaching model in two dimensions (a side view), written for this course; it shows a "
    "pattern, not measured values.",
    "The five lumbar vertebrae are rigid bodies 3.5 cm deep and 2.7 cm high on 1 cm discs, standing on a fixed sacrum.",
    "The lordosis is shared between the joints L1–L2 to L5–S1 in fixed proportions of 8, 12, 18, 26 and 36 %, "
    "larger low down as in real spines.",
    "Each joint turns about an axis in the back half of its disc, on the upper endplate of the vertebra below.",
    "Each lumbar vertebra gives two straight fascicles: one from the side of its body next to the disc above, "
    "one from its transverse process 2 cm behind the body's centre line.",
    "All fascicles pull towards one fixed pulley on the pelvic brim beside the sacrum, 1.2 cm in front of the "
    "middle of the S1 endplate and 3 cm below it; the muscle then runs on over the brim to the lesser trochanter.",
    "Both psoas muscles pull together, each with at most 1113 N (the OpenSim Gait2392 value), shared 14, 17, 20, "
    "23 and 26 % from L1 to L5 and equally between each level's two fascicles.",
    "Force scales in proportion to activation; the change of muscle force with length and speed is ignored.",
    "Sideways force components, ligaments, other muscles and body weight are left out.",
]

#: What was set by hand so that the model reproduces Bogduk, Pearcy & Hadfield's (1992) calculated pattern.
CHOSEN_TO_MATCH = [
    "The pulley's position: placed close beside the lumbosacral joint, and tuned so that at 40–60° of lordosis the "
    "upper joints extend and L5–S1 flexes, the sign pattern Bogduk, Pearcy & Hadfield calculated.",
    "The attachment points (8 mm in front of each body's centre line, transverse processes 2 cm behind it), "
    "within anatomical ranges but picked together with the pulley.",
]

#: What the model cannot show.
CANNOT_SHOW = [
    "It cannot confirm Bogduk's result: it was tuned to reproduce it.",
    "It cannot give the true size of psoas's moments, compression or shear in a person: every number depends on "
    "hand-placed points and on a muscle working at full effort.",
    "It cannot show side bending or rotation (it is a side view), nor what the other trunk muscles, the "
    "ligaments or body weight do.",
    "It cannot show how the nervous system uses psoas (electromyography studies such as Andersson et al. 1995 "
    "address that), nor whether psoas steadies the spine (Penning 2000's hypothesis).",
]


@dataclass(frozen=True)
class JointLoad:
    """What psoas does to one lumbar joint (loads on the spine above the joint).

    ``moment_nm``: + = flexion (bending forward), − = extension; ``compression_n``: force
    pressing the vertebrae together across the disc; ``shear_n``: force along the disc,
    + = pulls the upper vertebra forward.
    """

    level: str
    moment_nm: float
    compression_n: float
    shear_n: float

    @property
    def action(self) -> str:
        """"flexes", "extends" or "hardly turns"."""
        if abs(self.moment_nm) < NEGLIGIBLE_MOMENT_NM:
            return "hardly turns"
        return "flexes" if self.moment_nm > 0 else "extends"

    @property
    def lever_arm_mm(self) -> float:
        """Effective lever arm |moment| / compression, mm (0 without compression)."""
        return 1000.0 * abs(self.moment_nm) / self.compression_n if self.compression_n > 0 else 0.0


@dataclass(frozen=True)
class Fascicle:
    """One psoas fascicle (both sides together): where it attaches and its force at the current activation."""

    vertebra: str          # "L1" … "L5"
    attachment: str        # "body" (vertebral body and disc) or "transverse process"
    origin_m: tuple        # (x, y) of the attachment, metres
    force_n: float


@dataclass(frozen=True)
class LumbarGeometry:
    """Everything needed to draw the model, metres, x anterior, y superior (pelvis frame, S1 endplate centre at 0)."""

    bodies: np.ndarray            # (5, 4, 2) corners of L1 … L5: lower-back, lower-front, upper-front, upper-back
    discs: np.ndarray             # (5, 4, 2) corners of the discs L1–L2 … L5–S1, same order
    body_centres: np.ndarray      # (5, 2)
    axes: np.ndarray              # (5, 2) axes of rotation of L1–L2 … L5–S1
    joint_normals: np.ndarray     # (5, 2) unit vectors along the spine's local axis (upwards) at each joint
    joint_forwards: np.ndarray    # (5, 2) unit vectors along each disc, forwards
    body_origins: np.ndarray      # (5, 2) body/disc attachments of L1 … L5
    tp_origins: np.ndarray        # (5, 2) transverse-process attachments of L1 … L5
    tp_roots: np.ndarray          # (5, 2) where each transverse process meets the back of its body
    pulley: np.ndarray            # (2,)
    s1_endplate: np.ndarray       # (2, 2) back and front corners of the S1 upper endplate


def rotate(v: np.ndarray, degrees: float) -> np.ndarray:
    """(2,) -> (2,): rotate a 2-vector counter-clockwise (in x anterior / y superior: towards extension)."""
    a = np.radians(degrees)
    c, s = np.cos(a), np.sin(a)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def forward_of(normal: np.ndarray) -> np.ndarray:
    """The anterior direction of an endplate whose upward normal is ``normal``."""
    return np.array([normal[1], -normal[0]])


class LumbarPsoasModel:
    """Simplified teaching model of psoas acting on the lumbar spine (see the module docstring).

    ``lordosis_deg``: angle between the upper endplates of L1 and S1 (typical standing values are
    about 40–60°; smaller = flatter / flexed lumbar spine, larger = more arched).
    ``activation``: 0–1, fraction of maximal effort (default 1 = maximal).
    """

    def __init__(self, lordosis_deg: float = 45.0, activation: float = 1.0):
        lo, hi = LORDOSIS_RANGE_DEG
        if not lo <= float(lordosis_deg) <= hi:
            raise ValueError(f"lordosis_deg must lie between {lo:g} and {hi:g} degrees, got {lordosis_deg!r}")
        if not 0.0 <= float(activation) <= 1.0:
            raise ValueError(f"activation must lie between 0 and 1, got {activation!r}")
        self.lordosis_deg = float(lordosis_deg)
        self.activation = float(activation)
        self._geometry = None
        self._loads = None

    def __repr__(self) -> str:
        return f"LumbarPsoasModel(lordosis_deg={self.lordosis_deg:g}, activation={self.activation:g})"

    @property
    def segment_angles_deg(self) -> tuple:
        """Lordosis of each joint L1–L2 … L5–S1, degrees."""
        return tuple(share * self.lordosis_deg for share in LORDOSIS_SHARES)

    # ------------------------------------------------------------------ geometry
    def geometry(self) -> LumbarGeometry:
        """Positions of the vertebrae, discs, axes, attachments and pulley (cached)."""
        if self._geometry is None:
            self._geometry = self._build_geometry()
        return self._geometry

    def _build_geometry(self) -> LumbarGeometry:
        d, h, hd = BODY_DEPTH_M, BODY_HEIGHT_M, DISC_HEIGHT_M
        slope = np.radians(SACRAL_SLOPE_DEG)
        normal = np.array([np.sin(slope), np.cos(slope)])      # S1's upward axis, tilted forwards
        s1_forward = forward_of(normal)
        pulley = PULLEY_IN_SACRUM_M[0] * s1_forward + PULLEY_IN_SACRUM_M[1] * normal
        s1_endplate = np.array([-d / 2 * s1_forward, d / 2 * s1_forward])
        centre = np.zeros(2)                                    # centre of the endplate below the joint
        bodies, discs, body_centres = [None] * 5, [None] * 5, [None] * 5
        axes, normals, forwards = [None] * 5, [None] * 5, [None] * 5
        body_origins, tp_origins, tp_roots = [None] * 5, [None] * 5, [None] * 5
        angles = self.segment_angles_deg
        for j in range(4, -1, -1):                              # L5–S1 first, upwards
            below_fwd = forward_of(normal)
            axes[j] = centre - AXIS_BEHIND_CENTRE_M * below_fwd
            mid_normal = rotate(normal, angles[j] / 2)         # perpendicular to the disc's mid-plane
            normals[j] = mid_normal
            forwards[j] = forward_of(mid_normal)
            upper_normal = rotate(normal, angles[j])           # the vertebra above, tilted back by the joint's angle
            upper_fwd = forward_of(upper_normal)
            base = centre + hd * mid_normal                     # centre of the upper vertebra's lower endplate
            discs[j] = np.array([centre - d / 2 * below_fwd, centre + d / 2 * below_fwd,
                                 base + d / 2 * upper_fwd, base - d / 2 * upper_fwd])
            top = base + h * upper_normal
            bodies[j] = np.array([base - d / 2 * upper_fwd, base + d / 2 * upper_fwd,
                                  top + d / 2 * upper_fwd, top - d / 2 * upper_fwd])
            body_centres[j] = base + h / 2 * upper_normal
            body_origins[j] = top + BODY_ATTACHMENT_FORWARD_M * upper_fwd
            tp_height = base + TRANSVERSE_PROCESS_HEIGHT_FRACTION * h * upper_normal
            tp_origins[j] = tp_height - TRANSVERSE_PROCESS_BEHIND_M * upper_fwd
            tp_roots[j] = tp_height - d / 2 * upper_fwd
            normal, centre = upper_normal, top
        return LumbarGeometry(bodies=np.array(bodies), discs=np.array(discs), body_centres=np.array(body_centres),
                              axes=np.array(axes), joint_normals=np.array(normals),
                              joint_forwards=np.array(forwards), body_origins=np.array(body_origins),
                              tp_origins=np.array(tp_origins), tp_roots=np.array(tp_roots), pulley=pulley,
                              s1_endplate=s1_endplate)

    # ------------------------------------------------------------------ forces
    def fascicles(self) -> list[Fascicle]:
        """The ten fascicles (both sides together) with their forces at the current activation."""
        g = self.geometry()
        out = []
        for i, name in enumerate(VERTEBRAE):
            level_force = self.activation * SIDES * PSOAS_MAX_FORCE_N * LEVEL_FORCE_SHARES[i]
            out.append(Fascicle(name, "body", tuple(g.body_origins[i]), level_force * (1 - TRANSVERSE_PROCESS_SHARE)))
            out.append(Fascicle(name, "transverse process", tuple(g.tp_origins[i]),
                                level_force * TRANSVERSE_PROCESS_SHARE))
        return out

    def joint_loads(self) -> list[JointLoad]:
        """Moment, compression and shear at L1–L2 … L5–S1 (top to bottom); computed once per model
        (a diagram's picture, readout and alt text each ask for them on every slider step)."""
        if self._loads is None:
            self._loads = tuple(self._compute_joint_loads())
        return list(self._loads)

    def _compute_joint_loads(self) -> list[JointLoad]:
        g = self.geometry()
        fascicles = self.fascicles()
        loads = []
        for j, level in enumerate(LEVELS):
            moment = compression = shear = 0.0
            for f in fascicles:
                if VERTEBRAE.index(f.vertebra) > j:     # attached below this joint: does not cross it
                    continue
                origin = np.asarray(f.origin_m)
                direction = g.pulley - origin
                force = f.force_n * direction / np.hypot(*direction)
                r = origin - g.axes[j]
                moment += -(r[0] * force[1] - r[1] * force[0])     # clockwise (anterior to the right) = flexion
                compression += -float(force @ g.joint_normals[j])
                shear += float(force @ g.joint_forwards[j])
            loads.append(JointLoad(level, float(moment), float(compression), float(shear)))
        return loads


# ---------------------------------------------------------------------- words
def level_label(level: str) -> str:
    return level.replace("-", "–")


def format_nm(value: float) -> str:
    value = abs(value)
    return f"{value:.1f}" if value < 9.95 else f"{value:.0f}"


def _round_n(value: float) -> str:
    return f"{10 * round(value / 10):.0f}"


def _group_actions(loads: list[JointLoad]) -> list[str]:
    """Phrases like "extend L1–L2 to L3–L4 by 1.4–7.5 N·m", consecutive levels with the same action grouped."""
    groups: list[list[JointLoad]] = []
    for load in loads:
        if groups and groups[-1][0].action == load.action:
            groups[-1].append(load)
        else:
            groups.append([load])
    verbs = {"flexes": "flex", "extends": "extend", "hardly turns": "hardly turn"}
    phrases = []
    for group in groups:
        verb = verbs[group[0].action]
        where = level_label(group[0].level) if len(group) == 1 else f"{level_label(group[0].level)} to {level_label(group[-1].level)}"
        values = sorted(abs(x.moment_nm) for x in group)
        if group[0].action == "hardly turns":
            phrases.append(f"{verb} {where} (under {NEGLIGIBLE_MOMENT_NM} N·m)")
        elif len(group) == 1:
            phrases.append(f"{verb} {where} by {format_nm(values[0])} N·m")
        else:
            phrases.append(f"{verb} {where} by {format_nm(values[0])}–{format_nm(values[-1])} N·m")
    return phrases


def _join(phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def describe(model: LumbarPsoasModel) -> str:
    """The teaching sentence for one state of the model (the explorer's readout).

    Every number in it is the teaching model's (cite ``course-models``), never a measurement.
    """
    loads = model.joint_loads()
    lordosis = f"{model.lordosis_deg:.0f}°"
    if model.activation == 0:
        return (f"At {lordosis} of lordosis with psoas relaxed (0 % effort) the model puts no load on the spine: "
                "move the effort slider to see what a contracting psoas does in this model.")
    effort = "pulling as hard as they can" if model.activation == 1 else \
        f"pulling at {100 * model.activation:.0f} % of their maximum"
    total = SIDES * PSOAS_MAX_FORCE_N * model.activation
    top, bottom = loads[0].compression_n, loads[-1].compression_n
    worst = max(loads, key=lambda x: x.lever_arm_mm)
    text = (f"In this teaching model, at {lordosis} of lordosis with both psoas muscles {effort} "
            f"(about {_round_n(total)} N together), the muscles {_join(_group_actions(loads))}, and press the "
            f"joints together with about {_round_n(top)} N (L1–L2) to {_round_n(bottom)} N (L5–S1). The largest "
            f"lever (moment ÷ compression) is {worst.lever_arm_mm:.0f} mm, at {level_label(worst.level)}, against "
            f"the {BACK_EXTENSOR_LEVER_M * 100:.0f} cm the model takes for the back muscles: here psoas presses the "
            "spine together far more than it bends it.")
    actions = {x.action for x in loads}
    upper_extend = all(x.action == "extends" for x in loads[:-1])
    if actions <= {"flexes", "hardly turns"}:
        text += (" In this flattened spine every joint is pulled towards flexion, so in this posture psoas looks like "
                 "a spine flexor.")
    elif upper_extend and model.lordosis_deg >= ARCHED_FROM_DEG:
        text += (" In this deeply arched spine every joint above L5–S1 is pulled towards extension, so in this "
                 "posture psoas looks like an extensor that deepens the lordosis.")
    elif loads[0].moment_nm < 0 and loads[-1].action == "flexes":
        text += (" Upper joints extend and the lowest flexes: the sign pattern Bogduk, Pearcy & Hadfield (1992) "
                 "calculated in their model, which this model was tuned to reproduce.")
    return text


__all__ = ["ASSUMPTIONS", "CANNOT_SHOW", "CHOSEN_TO_MATCH", "JointLoad", "Fascicle", "LumbarGeometry", "LumbarPsoasModel", "LEVELS",
           "VERTEBRAE", "describe", "forward_of", "format_nm", "level_label", "rotate"]
