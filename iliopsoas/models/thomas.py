"""Modified Thomas test simulator: what a tight iliopsoas, rectus femoris or TFL/ITB does to the hanging leg.

The Thomas test was first described to show a **fixed flexion deformity** of the hip (a hip that
cannot straighten, a hip flexion contracture); it is now also used to screen the length of the hip
flexors (Vigotsky et al. 2016).  In the modified test the person lies on their back at the end of a
table, pulls the other knee towards the chest just until the low back is flat (which tilts the
pelvis back) and lets the tested leg hang over the edge.  Three things are read; the reference
values below are the means of **117 elite athletes** (tennis, basketball, rowing and running;
Harvey 1998), not "normal" values for everyone:

- the **hip angle**, the thigh's angle to the horizontal (mean −11.9°: the thigh hangs below
  horizontal).  A thigh that stays above horizontal points to short one-joint hip flexors,
  including iliopsoas;
- the **knee angle** (mean 52.5°).  Harvey measured knee flexion with a goniometer: its fulcrum on
  the lateral femoral epicondyle, one arm along the thigh towards the greater trochanter, the other
  along the fibula towards the lateral malleolus, so 0° is a straight knee (method as described by
  Topend Sports, a secondary source; Harvey's full text was not available to us).  A knee that will
  not bend points to a short rectus femoris, the quadriceps head that crosses both hip and knee.
  Kendall's textbook convention expects the knee to bend to about 80° with the thigh on the table
  (Kendall et al. 2005), more than Harvey's athletes averaged: the sources disagree, and the
  simulator says so;
- **abduction** (mean 15.6°): a thigh that drifts out sideways points to a tight tensor fasciae
  latae / iliotibial band.  Kendall's convention expects the thigh to stay in line with the body
  (0°); Harvey's athletes averaged almost 16° of drift, so what counts as "too much" depends on
  which reference is used.

Two checks an examiner adds (``CHECKS``):

- **straightening the knee** (passive knee extension): if the thigh is held up and drops when the
  examiner straightens the knee, the two-joint rectus femoris was holding it (straightening the
  knee slackens it); if the thigh stays up, the one-joint flexors such as iliopsoas are short
  (Kendall et al. 2005);
- **over-flexing the held hip** (an error): pulling the other knee further than needed tilts the
  pelvis back and lifts the tested thigh, so a hip with normal flexor length can look short, a
  false positive.  Pelvic tilt explained most of the test's error against measured hip extension
  in 29 students (Vigotsky et al. 2016).

The test is a **screen, not a diagnosis**.  Reliability depends on the study and the method:
examiners agreed poorly with pass/fail scoring and a goniometer in two studies (Peeler & Anderson
2007; Peeler & Anderson 2008), well when the hip angle was measured under a set protocol, with an
inclinometer or a goniometer alike, or when rating photographs (Clapis, Davis & Davis 2008; Cady,
Powis & Hopgood 2022); the instrument alone does not decide it.  And it measures hip extension poorly unless pelvic tilt is
controlled (Vigotsky et al. 2016: sensitivity 31.8 %, 95 % CI 13.9 to 54.9; specificity 57.1 %,
95 % CI 18.4 to 90.1).

Teaching assumptions (not data; the course's own, cite ``course-models``): "normal" and severity 0
give Harvey's means; each severity step of a tightness moves the angles by ``SEVERITY_EFFECTS``;
the thresholds for calling a reading positive are ``THRESHOLDS``; over-flexing the held hip tilts
the pelvis back by ``OVERFLEX_PELVIC_TILT_DEG``.

Use::

    from iliopsoas.models.thomas import thomas_position, leg_points
    reading = thomas_position("iliopsoas", 2)     # condition, severity 0–3
    reading.hip_deg, reading.knee_deg, reading.abduction_deg, reading.findings
    thomas_position("rectus_femoris", 3, check="knee_extended")   # the examiner straightens the knee
    leg_points(reading.hip_deg, reading.knee_deg)   # hip, knee, ankle, heel, toe (m) in the side view
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------- norms and assumptions
#: Harvey 1998 (117 elite athletes in tennis, basketball, rowing and running): grand means of the three
#: angles, degrees.  Reference values for that group, not norms for everyone.
NORM_HIP_DEG = -11.9          # thigh below horizontal
NORM_KNEE_DEG = 52.5          # knee flexion (goniometer; 0 = straight knee)
NORM_ABDUCTION_DEG = 15.6
#: Kendall's convention (Kendall et al. 2005): knee flexion expected with the thigh on the table, and the
#: thigh in line with the body (no abduction), degrees.
KENDALL_KNEE_DEG = 80
KENDALL_ABDUCTION_DEG = 0
#: Kept for callers of an earlier version: the knee range of the common clinical rule.
CLINICAL_KNEE_RULE_DEG = (80, 90)

#: Conditions: key -> label shown in the menu.  "normal" is the athletes' average, not a norm for everyone.
CONDITIONS = {
    "normal": "no tightness (athletes' average)",
    "iliopsoas": "tight iliopsoas",
    "rectus_femoris": "tight rectus femoris",
    "tfl_itb": "tight TFL / iliotibial band",
}
SEVERITIES = ("none", "mild", "moderate", "marked")

#: The examiner's extra checks: key -> label shown in the menu.
CHECKS = {
    "none": "none (leg hanging freely)",
    "knee_extended": "examiner straightens the knee",
    "overflexed": "error: other knee pulled too far",
}

#: Teaching assumption: change of (hip, knee, abduction) in degrees per severity step (1–3).
#: - iliopsoas (one-joint hip flexor): lifts the thigh 12° at "mild" (to about horizontal), then 10° more per
#:   step; the knee bends a little more (4° per step) because a lifted thigh slackens rectus femoris (a real
#:   knee might bend further: kept small so that the hip stays the sign to read).
#: - rectus femoris (crosses hip and knee): stops the knee bending, 12° less flexion per step; with the knee
#:   bent it also holds the thigh up a little (4, 8 and 11°), which straightening the knee releases.
#: - TFL/ITB: pulls the thigh out into abduction, 8° per step; as a hip flexor it lifts the thigh a little
#:   (2° per step).
SEVERITY_EFFECTS = {
    "normal": ((0, 0, 0), (0, 0, 0), (0, 0, 0)),
    "iliopsoas": ((12, 4, 0), (22, 8, 0), (32, 12, 0)),
    "rectus_femoris": ((4, -12, 0), (8, -24, 0), (11, -36, 0)),
    "tfl_itb": ((2, 0, 8), (4, 0, 16), (6, 0, 24)),
}
#: Teaching assumption: how far over-flexing the held hip tilts the pelvis back (and so lifts the tested
#: thigh), degrees.  No study gives this number; it is large enough to show a false positive.
OVERFLEX_PELVIC_TILT_DEG = 15.0

#: When a reading counts as positive (a teaching rule anchored at Harvey's means):
#: hip at or above horizontal; knee flexion more than 10° below Harvey's mean; abduction more than 7° above it.
THRESHOLDS = {"hip_deg": 0.0, "knee_deg": NORM_KNEE_DEG - 10.0, "abduction_deg": NORM_ABDUCTION_DEG + 7.0}
#: Within this many degrees below horizontal the thigh is "borderline".
HIP_BORDERLINE_DEG = 5.0

SCREEN_SENTENCE = ("The modified Thomas test is a screen, not a diagnosis: examiners agreed poorly in two studies "
                   "that scored it pass/fail or with a goniometer (Peeler & Anderson 2007; Peeler & Anderson 2008) "
                   "and well when the hip angle was measured under a set protocol, with an inclinometer or a "
                   "goniometer, or rated from photographs (Clapis, Davis & Davis 2008; Cady, Powis & Hopgood 2022), "
                   "and it measures hip extension poorly unless pelvic tilt is controlled (Vigotsky et al. 2016).")
KNEE_NORM_SENTENCE = (f"Sources disagree on the knee: Kendall's convention expects about {KENDALL_KNEE_DEG}° of "
                      f"flexion (Kendall et al. 2005), but Harvey's 117 elite athletes averaged {NORM_KNEE_DEG:g}° "
                      "(Harvey 1998).")
ABDUCTION_NORM_SENTENCE = (f"Sources disagree on abduction too: Kendall's convention expects the thigh in line with "
                           f"the body, 0° (Kendall et al. 2005), but Harvey's athletes averaged {NORM_ABDUCTION_DEG:g}° "
                           "(Harvey 1998).")


@dataclass(frozen=True)
class ThomasReading:
    """The hanging leg in the modified Thomas test for one condition, severity and examiner's check.

    ``hip_deg``: thigh angle to horizontal (+ = above, − = below); ``knee_deg``: knee flexion (0 = straight);
    ``abduction_deg``: thigh drift out to the side, degrees; ``findings``: plain sentences (hip, knee,
    abduction), the last always the screen-not-diagnosis caveat; ``check``: a key of ``CHECKS``;
    ``check_finding``: what the check shows ("" without one); ``hip_before_check_deg``: the thigh angle with
    the leg hanging freely.
    """

    condition: str
    severity: int
    hip_deg: float
    knee_deg: float
    abduction_deg: float
    findings: tuple
    check: str = "none"
    check_finding: str = ""
    hip_before_check_deg: float | None = None

    @property
    def verdicts(self) -> tuple:
        """Alias of ``findings`` (the name used in an earlier draft of docs/CONTRACTS.md)."""
        return self.findings

    @property
    def hip_positive(self) -> bool:
        return self.hip_deg >= THRESHOLDS["hip_deg"]

    @property
    def knee_positive(self) -> bool:
        """False while the examiner holds the knee straight: the knee is not being read then."""
        return self.check != "knee_extended" and self.knee_deg < THRESHOLDS["knee_deg"]

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


def check_check(check) -> str:
    """The examiner's-check key for a key or menu label; ``ValueError`` listing the choices otherwise."""
    key = str(check).strip().lower()
    for k, label in CHECKS.items():
        if key in (k, label.lower(), k.replace("_", " ")):
            return k
    raise ValueError(f"unknown check {check!r}; choose one of: " + ", ".join(CHECKS))


def signed_deg(value: float) -> str:
    """An angle as a signed whole number of degrees: "+5°", "−12°", "0°"."""
    v = round(value)
    return f"+{v}°" if v > 0 else (f"−{-v}°" if v < 0 else "0°")


def thomas_position(condition: str = "normal", severity: int = 0, check: str = "none") -> ThomasReading:
    """The hanging leg's angles and what they mean, for a condition, a severity 0–3 and an examiner's check.

    ``condition``: "normal", "iliopsoas", "rectus_femoris" or "tfl_itb" (or their menu labels);
    ``check``: "none", "knee_extended" (the examiner straightens the knee) or "overflexed" (the other knee
    pulled too far to the chest).  Raises ``ValueError`` listing the choices for an unknown value.
    """
    key = check_condition(condition)
    level = check_severity(severity)
    chk = check_check(check)
    dh, dk, da = (0, 0, 0) if level == 0 else SEVERITY_EFFECTS[key][level - 1]
    free_hip = NORM_HIP_DEG + dh
    hip, knee, abd = free_hip, NORM_KNEE_DEG + dk, NORM_ABDUCTION_DEG + da
    check_finding = ""
    if chk == "knee_extended":
        knee = 0.0
        if key == "rectus_femoris":
            hip = NORM_HIP_DEG                         # straightening the knee slackens rectus femoris
        if key == "rectus_femoris" and level > 0:
            check_finding = (f"With the knee straightened the thigh drops from {signed_deg(free_hip)} to "
                             f"{signed_deg(hip)}: straightening the knee slackens rectus femoris, so rectus femoris, "
                             "not the one-joint hip flexors, was holding the thigh up.")
        elif hip >= THRESHOLDS["hip_deg"]:
            check_finding = (f"With the knee straightened the thigh stays at {signed_deg(hip)}: straightening the knee "
                             "only slackens rectus femoris, so the one-joint hip flexors, such as iliopsoas, are the "
                             "ones that look short.")
        else:
            check_finding = (f"Straightening the knee leaves the thigh at {signed_deg(hip)}: nothing that crosses the "
                             "knee was holding it up.")
    elif chk == "overflexed":
        hip = free_hip + OVERFLEX_PELVIC_TILT_DEG
        false_positive = hip >= THRESHOLDS["hip_deg"] and free_hip < THRESHOLDS["hip_deg"]
        check_finding = (f"The other knee was pulled too far towards the chest: in this simulator the pelvis tilts back "
                         f"{OVERFLEX_PELVIC_TILT_DEG:g}° and lifts the thigh from {signed_deg(free_hip)} to "
                         f"{signed_deg(hip)}."
                         + (" The hip flexors are not short, yet the test now looks positive: a false positive."
                            if false_positive else "")
                         + " Pull the knee in only until the low back is flat.")
    mean = "athletes' mean"
    findings = []
    if hip >= THRESHOLDS["hip_deg"]:
        findings.append(f"The thigh stays {'at' if round(hip) == 0 else 'above'} horizontal (thigh {signed_deg(hip)}; "
                        f"{mean} {signed_deg(NORM_HIP_DEG)}): the one-joint hip flexors, including iliopsoas, "
                        "look short.")
    elif hip > -HIP_BORDERLINE_DEG:
        findings.append(f"The thigh only just drops below horizontal (thigh {signed_deg(hip)}; {mean} "
                        f"{signed_deg(NORM_HIP_DEG)}): borderline hip-flexor length.")
    else:
        findings.append(f"The thigh hangs below horizontal (thigh {signed_deg(hip)}; {mean} {signed_deg(NORM_HIP_DEG)}): "
                        "no sign of short one-joint hip flexors.")
    if chk == "knee_extended":
        findings.append("The examiner holds the knee straight, so the knee is not read in this check.")
    elif knee < THRESHOLDS["knee_deg"]:
        findings.append(f"The knee will not bend as far (knee {knee:.0f}°; {mean} {NORM_KNEE_DEG:.0f}°): rectus "
                        "femoris, which crosses both hip and knee, looks short.")
    else:
        findings.append(f"The knee bends to {knee:.0f}° ({mean} {NORM_KNEE_DEG:.0f}°): no sign of a short rectus "
                        "femoris against Harvey's athletes.")
    if abd > THRESHOLDS["abduction_deg"]:
        findings.append(f"The thigh drifts out into abduction ({abd:.0f}°; {mean} {NORM_ABDUCTION_DEG:.0f}°): the "
                        "tensor fasciae latae / iliotibial band looks tight.")
    else:
        findings.append(f"The thigh drifts out {abd:.0f}° ({mean} {NORM_ABDUCTION_DEG:.0f}°): as much as Harvey's "
                        "athletes, though by Kendall's convention (0°) any drift is worth noting.")
    findings.append(SCREEN_SENTENCE)
    return ThomasReading(key, level, float(hip), float(knee), float(abd), tuple(findings), chk, check_finding,
                         float(free_hip))


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


__all__ = ["CHECKS", "CONDITIONS", "SEVERITIES", "ThomasReading", "thomas_position", "leg_points",
           "check_check", "check_condition", "check_severity", "signed_deg", "unit_vector"]
