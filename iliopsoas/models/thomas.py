"""Modified Thomas test simulator: what a tight iliopsoas, rectus femoris or TFL/ITB does to the hanging leg.

The modified Thomas test: the person lies on their back at the end of a
table, pulls the other knee to the chest (which flattens the lumbar spine and
tilts the pelvis back) and lets the tested leg hang over the edge.  Three
things are read (Harvey 1998, 117 elite athletes):

- the **hip angle**, the thigh's angle to the horizontal (mean −11.9°: the
  thigh hangs below horizontal).  A thigh that stays above horizontal points
  to short one-joint hip flexors, including iliopsoas;
- the **knee angle** (mean 52.5°).  Harvey measured knee flexion with a
  goniometer: its fulcrum on the lateral femoral epicondyle, one arm along the
  thigh towards the greater trochanter, the other along the fibula towards the
  lateral malleolus, so 0° is a straight knee (method as described by Topend
  Sports, a secondary source; Harvey's full text was not available to us).
  A knee that will not bend points to a short rectus femoris, the quadriceps
  head that crosses both hip and knee.  Clinical texts usually expect the knee
  to bend to about 80–90° in this position, more than Harvey's athletes'
  average: the sources disagree on the cut-off, and the simulator says so;
- **abduction** (mean 15.6°): a thigh that drifts out sideways points to a
  tight tensor fasciae latae / iliotibial band.

The test is a **screen, not a diagnosis**: its reliability is modest (Peeler &
Anderson 2008) and it measures hip extension poorly unless pelvic tilt is
controlled (Vigotsky et al. 2016).

Teaching assumption (not data): "normal" and severity 0 give Harvey's means.
Each severity step of a tightness moves the angles by the amounts in
``SEVERITY_EFFECTS`` (stated per condition below).  The thresholds for calling
a reading positive are in ``THRESHOLDS``.

Use::

    from iliopsoas.models.thomas import thomas_position, leg_points
    reading = thomas_position("iliopsoas", 2)     # condition, severity 0–3
    reading.hip_deg, reading.knee_deg, reading.abduction_deg, reading.findings
    leg_points(reading.hip_deg, reading.knee_deg)   # hip, knee, ankle, heel, toe (m) in the side view
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------- norms and assumptions
#: Harvey 1998 (117 elite athletes): grand means of the three angles, degrees.
NORM_HIP_DEG = -11.9          # thigh below horizontal
NORM_KNEE_DEG = 52.5          # knee flexion (goniometer; 0 = straight knee)
NORM_ABDUCTION_DEG = 15.6
#: The common clinical rule of thumb for the knee in this position, degrees of flexion.
CLINICAL_KNEE_RULE_DEG = (80, 90)

#: Conditions: key -> label shown in the menu.
CONDITIONS = {
    "normal": "normal",
    "iliopsoas": "tight iliopsoas",
    "rectus_femoris": "tight rectus femoris",
    "tfl_itb": "tight TFL / iliotibial band",
}
SEVERITIES = ("none", "mild", "moderate", "marked")

#: Teaching assumption: change of (hip, knee, abduction) in degrees per severity step (1–3).
#: - iliopsoas (one-joint hip flexor): lifts the thigh 12° at "mild" (to about horizontal), then 10° more per
#:   step; the knee bends a little more (4° per step) because a lifted thigh slackens rectus femoris (a real
#:   knee might bend further: kept small so that the hip stays the sign to read).
#: - rectus femoris (crosses hip and knee): stops the knee bending, 12° less flexion per step; as a hip flexor
#:   it lifts the thigh a little (2° per step).
#: - TFL/ITB: pulls the thigh out into abduction, 8° per step; as a hip flexor it lifts the thigh a little
#:   (2° per step).
SEVERITY_EFFECTS = {
    "normal": ((0, 0, 0), (0, 0, 0), (0, 0, 0)),
    "iliopsoas": ((12, 4, 0), (22, 8, 0), (32, 12, 0)),
    "rectus_femoris": ((2, -12, 0), (4, -24, 0), (6, -36, 0)),
    "tfl_itb": ((2, 0, 8), (4, 0, 16), (6, 0, 24)),
}

#: When a reading counts as positive (a teaching rule anchored at Harvey's means):
#: hip at or above horizontal; knee flexion more than 10° below Harvey's mean; abduction more than 7° above it.
THRESHOLDS = {"hip_deg": 0.0, "knee_deg": NORM_KNEE_DEG - 10.0, "abduction_deg": NORM_ABDUCTION_DEG + 7.0}
#: Within this many degrees below horizontal the thigh is "borderline".
HIP_BORDERLINE_DEG = 5.0

SCREEN_SENTENCE = ("The modified Thomas test is a screen, not a diagnosis: its reliability is modest "
                   "(Peeler & Anderson 2008) and it measures hip extension poorly unless pelvic tilt is controlled "
                   "(Vigotsky et al. 2016).")
KNEE_NORM_SENTENCE = (f"Sources disagree on the knee: the clinical rule of thumb expects about "
                      f"{CLINICAL_KNEE_RULE_DEG[0]}–{CLINICAL_KNEE_RULE_DEG[1]}° of flexion, but Harvey's "
                      f"athletes averaged {NORM_KNEE_DEG:g}°.")


@dataclass(frozen=True)
class ThomasReading:
    """The hanging leg in the modified Thomas test for one condition and severity.

    ``hip_deg``: thigh angle to horizontal (+ = above, − = below); ``knee_deg``: knee flexion (0 = straight);
    ``abduction_deg``: thigh drift out to the side; ``findings``: plain sentences, the last always the
    screen-not-diagnosis caveat.
    """

    condition: str
    severity: int
    hip_deg: float
    knee_deg: float
    abduction_deg: float
    findings: tuple

    @property
    def verdicts(self) -> tuple:
        """Alias of ``findings`` (the name used in an earlier draft of docs/CONTRACTS.md)."""
        return self.findings

    @property
    def hip_positive(self) -> bool:
        return self.hip_deg >= THRESHOLDS["hip_deg"]

    @property
    def knee_positive(self) -> bool:
        return self.knee_deg < THRESHOLDS["knee_deg"]

    @property
    def abduction_positive(self) -> bool:
        return self.abduction_deg > THRESHOLDS["abduction_deg"]


def check_condition(condition) -> str:
    """The condition key for a key or menu label; ``ValueError`` listing the choices otherwise."""
    key = str(condition).strip().lower()
    for k, label in CONDITIONS.items():
        if key in (k, label.lower(), k.replace("_", " ")):
            return k
    raise ValueError(f"unknown condition {condition!r}; choose one of: " + ", ".join(CONDITIONS))


def check_severity(severity) -> int:
    """Severity 0–3 from an int or a name in ``SEVERITIES``; ``ValueError`` otherwise."""
    if isinstance(severity, str) and severity.strip().lower() in SEVERITIES:
        return SEVERITIES.index(severity.strip().lower())
    if isinstance(severity, (int, np.integer)) and not isinstance(severity, bool) and 0 <= severity <= 3:
        return int(severity)
    raise ValueError(f"severity must be 0–3 or one of {', '.join(SEVERITIES)}; got {severity!r}")


def signed_deg(value: float) -> str:
    """An angle as a signed whole number of degrees: "+5°", "−12°", "0°"."""
    v = round(value)
    return f"+{v}°" if v > 0 else (f"−{-v}°" if v < 0 else "0°")


def thomas_position(condition: str = "normal", severity: int = 0) -> ThomasReading:
    """The hanging leg's angles and what they mean, for a condition and a severity 0–3.

    ``condition``: "normal", "iliopsoas", "rectus_femoris" or "tfl_itb" (or their menu labels).
    Raises ``ValueError`` listing the choices for an unknown condition.
    """
    key = check_condition(condition)
    level = check_severity(severity)
    dh, dk, da = (0, 0, 0) if level == 0 else SEVERITY_EFFECTS[key][level - 1]
    hip, knee, abd = NORM_HIP_DEG + dh, NORM_KNEE_DEG + dk, NORM_ABDUCTION_DEG + da
    findings = []
    if hip >= THRESHOLDS["hip_deg"]:
        findings.append(f"The thigh stays {'at' if round(hip) == 0 else 'above'} horizontal (hip {signed_deg(hip)}, "
                        f"norm {signed_deg(NORM_HIP_DEG)}): the one-joint hip flexors, including iliopsoas, look short.")
    elif hip > -HIP_BORDERLINE_DEG:
        findings.append(f"The thigh only just drops below horizontal (hip {signed_deg(hip)}, norm {signed_deg(NORM_HIP_DEG)}): "
                        "borderline hip-flexor length.")
    else:
        findings.append(f"The thigh hangs below horizontal (hip {signed_deg(hip)}, norm {signed_deg(NORM_HIP_DEG)}): "
                        "iliopsoas length looks normal.")
    if knee < THRESHOLDS["knee_deg"]:
        findings.append(f"The knee will not bend as far (knee {knee:.0f}°, norm {NORM_KNEE_DEG:.0f}°): rectus "
                        "femoris, which crosses both hip and knee, looks short.")
    else:
        findings.append(f"The knee bends to {knee:.0f}° (norm {NORM_KNEE_DEG:.0f}°): rectus femoris length looks "
                        "normal for Harvey's athletes.")
    if abd > THRESHOLDS["abduction_deg"]:
        findings.append(f"The thigh drifts out into abduction ({abd:.0f}°, norm {NORM_ABDUCTION_DEG:.0f}°): the "
                        "tensor fasciae latae / iliotibial band looks tight.")
    else:
        findings.append(f"The thigh stays near the midline (abduction {abd:.0f}°, norm "
                        f"{NORM_ABDUCTION_DEG:.0f}°): no sign of a tight TFL/ITB.")
    findings.append(SCREEN_SENTENCE)
    return ThomasReading(key, level, float(hip), float(knee), float(abd), tuple(findings))


# ---------------------------------------------------------------------- geometry of the hanging leg
#: Segment lengths, m (thigh, shank, foot: a schematic adult).
THIGH_M, SHANK_M, FOOT_M = 0.43, 0.43, 0.22
#: A relaxed foot: toes point this many degrees from the shank's line, towards its front.
FOOT_ANGLE_DEG = 58.0
HIP_XY = np.array([-0.07, 0.11])

def unit_vector(deg: float) -> np.ndarray:
    """(2,) unit vector at ``deg`` degrees from the +x axis (anticlockwise)."""
    a = np.radians(deg)
    return np.array([np.cos(a), np.sin(a)])


def leg_points(hip_deg: float, knee_deg: float) -> dict:
    """Hip, knee, ankle and toe positions (m) of the hanging leg in the side view."""
    knee = HIP_XY + THIGH_M * unit_vector(hip_deg)
    shank_angle = hip_deg - knee_deg
    ankle = knee + SHANK_M * unit_vector(shank_angle)
    heel = ankle - 0.05 * unit_vector(shank_angle + FOOT_ANGLE_DEG)
    toe = heel + FOOT_M * unit_vector(shank_angle + FOOT_ANGLE_DEG)
    return {"hip": HIP_XY.copy(), "knee": knee, "ankle": ankle, "heel": heel, "toe": toe,
            "shank_angle": shank_angle}


__all__ = ["CONDITIONS", "SEVERITIES", "ThomasReading", "thomas_position", "leg_points", "check_condition",
           "check_severity", "signed_deg", "unit_vector"]
