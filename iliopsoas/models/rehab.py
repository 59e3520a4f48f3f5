"""Criteria-based rehabilitation: example programmes, phases, and the decision to progress.

Reads ``assets/rehab-programmes.yml`` (schema ``assets/rehab-programmes.schema.json``):
example cases (a runner with iliopsoas tendinopathy, a dancer with painful
internal snapping, a footballer with an acute iliacus strain), each a
programme of 2-4 phases.  A phase has goals, example exercises with their
load, and **criteria to progress**; every exercise and criterion carries the
evidence behind it (:class:`Evidence`: a level of :data:`~iliopsoas.models.evidence.LEVELS`,
whether it was studied in iliopsoas problems or is borrowed by analogy, its
sources and a note).  Most doses and every cut-off are practitioner advice:
no randomised trial has tested a programme for iliopsoas tendinopathy,
bursitis or snapping.

The decision rule (:func:`assess`) follows the idea of the pain-monitoring
approach used in an Achilles tendinopathy trial (Silbernagel et al. 2007):
pain during exercise may reach a set limit and must settle by the next
morning.  Criteria met -> progress; pain over the limit or not settled ->
ease the load; otherwise -> stay in the phase and keep building.

    load_programmes() -> dict[str, Case]          (DataFileError naming file, case, phase, item and field)
    case(case_id) -> Case                         (KeyError naming the cases)
    Observation(pain_during=0..10, settled_next_morning=bool, strength_ratio_pct=0..150, function_passed=bool)
    assess(case_id, phase_number, observation) -> Assessment    (phase_number counts from 1)
    DECISIONS                                      {"progress", "return", "stay", "ease"}: their short labels

Numbers only: no matplotlib or widgets.  The planner diagram is
:mod:`iliopsoas.figures.rehab_planner`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .datafile import DataFileError, load_checked
from .evidence import LEVELS

FILE = "rehab-programmes.yml"
LABELS = {"cases": "case", "phases": "phase", "exercises": "exercise", "criteria": "criterion"}
KINDS = ("pain_during", "next_morning", "strength_ratio", "function")
DECISIONS = {
    "progress": "ready to move on",
    "return": "ready to return",
    "stay": "not yet: keep building",
    "ease": "ease the load",
}


@dataclass(frozen=True)
class Evidence:
    """What supports one element of a programme."""

    level: str                  # a key of models.evidence.LEVELS
    applies: str                # "direct" or "analogy"
    sources: tuple[str, ...]    # keys of assets/references.yml (may be empty for practitioner advice)
    note: str = ""

    @property
    def label(self) -> str:
        """'Randomised controlled trial, by analogy'."""
        text = LEVELS[self.level].label
        return text + (", by analogy" if self.applies == "analogy" else "")

    @property
    def badge(self) -> str:
        """Short tag for a figure: '■ RCT · analogy'."""
        lv = LEVELS[self.level]
        return f"{lv.symbol} {lv.short}" + (" · analogy" if self.applies == "analogy" else "")


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    load: str
    evidence: Evidence


@dataclass(frozen=True)
class Criterion:
    kind: str                   # one of KINDS
    text: str
    evidence: Evidence
    threshold: float | None = None   # pain_during: highest pain (0-10); strength_ratio: lowest %


@dataclass(frozen=True)
class Phase:
    number: int                 # 1, 2, ...
    name: str
    weeks: str                  # a rough practitioner estimate, never a rule
    goals: tuple[str, ...]
    exercises: tuple[Exercise, ...]
    criteria: tuple[Criterion, ...]

    def criterion(self, kind: str) -> Criterion | None:
        return next((c for c in self.criteria if c.kind == kind), None)

    def evidence_items(self) -> list[tuple[str, Evidence]]:
        """(element name, evidence) for every exercise and criterion of the phase."""
        return [(e.name, e.evidence) for e in self.exercises] + [(c.text, c.evidence) for c in self.criteria]


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    person: str
    sources: tuple[str, ...]
    phases: tuple[Phase, ...]

    def phase(self, number: int) -> Phase:
        if not 1 <= number <= len(self.phases):
            raise ValueError(f"{self.name} has phases 1 to {len(self.phases)}, not {number}")
        return self.phases[number - 1]


@dataclass(frozen=True)
class Observation:
    """What the clinician sees at the end of a block of training (all values the student sets)."""

    pain_during: float = 0             # worst pain during the phase's exercises, 0-10
    settled_next_morning: bool = True  # pain back to its usual level by the next morning
    strength_ratio_pct: float = 100    # hip-flexion strength of the painful side, % of the other side
    function_passed: bool = False      # the phase's functional milestone was completed without pain

    def __post_init__(self):
        if not 0 <= self.pain_during <= 10:
            raise ValueError(f"pain_during must be 0-10 (a 0-10 pain score), not {self.pain_during}")
        if not 0 <= self.strength_ratio_pct <= 150:
            raise ValueError(f"strength_ratio_pct must be 0-150 %, not {self.strength_ratio_pct}")


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    met: bool
    value: str                  # what was observed, in words: "4/10", "85%", "yes", "no"


@dataclass(frozen=True)
class Assessment:
    case: Case
    phase: Phase
    decision: str               # a key of DECISIONS
    results: tuple[CriterionResult, ...]

    @property
    def met(self) -> int:
        return sum(r.met for r in self.results)

    def sentence(self) -> str:
        """The planner's readout: the decision, and why."""
        p, n = self.phase, len(self.case.phases)
        head = f"{self.case.name}, phase {p.number} of {n} ({p.name}): {self.met} of {len(self.results)} criteria met"
        unmet = [r.criterion.text.lower() for r in self.results if not r.met]
        if self.decision == "return":
            return head + ". All criteria met: ready to return, as a shared decision with the athlete and coach."
        if self.decision == "progress":
            return head + f". All criteria met: ready to move on to phase {p.number + 1} ({self.case.phase(p.number + 1).name})."
        if self.decision == "ease":
            return (head + ". Ease the load: pain went over the phase's limit or had not settled by the next morning, so "
                    "this block is repeated at a lower load rather than progressed (pain-monitoring approach).")
        return head + ". Not yet: stay in this phase and keep building. Still missing: " + "; ".join(unmet) + "."


def _evidence(raw: dict) -> Evidence:
    return Evidence(raw["level"], raw["applies"], tuple(raw["sources"]), raw.get("note", ""))


def check(data, references: dict | None = None, name: str = FILE) -> list[str]:
    """Problems a schema cannot see; each names the file, case, phase, item and field."""
    found, case_ids = [], set()
    for case_raw in data["cases"]:
        where_case = f'{name}: case "{case_raw["id"]}"'
        if case_raw["id"] in case_ids:
            found.append(f'{where_case}: field "id": used twice')
        case_ids.add(case_raw["id"])
        for key in case_raw["sources"]:
            if references is not None and key not in references:
                found.append(f'{where_case}: field "sources": unknown reference {key!r}')
        for number, phase in enumerate(case_raw["phases"], start=1):
            where_phase = f"{where_case}, phase {number}"
            kinds = [c["kind"] for c in phase["criteria"]]
            for kind in set(kinds):
                if kinds.count(kind) > 1:
                    found.append(f'{where_phase}: field "criteria": kind {kind!r} appears {kinds.count(kind)} times')
            items = [(f'exercise "{e["id"]}"', e) for e in phase["exercises"]]
            items += [(f'criterion "{c["kind"]}"', c) for c in phase["criteria"]]
            for label, item in items:
                ev = item["evidence"]
                if ev["level"] != "practitioner" and not ev["sources"]:
                    found.append(f'{where_phase}, {label}: field "evidence.sources": a {ev["level"]} needs a source '
                                 "(only practitioner advice may have none)")
                if references is not None:
                    for key in ev["sources"]:
                        if key not in references:
                            found.append(f'{where_phase}, {label}: field "evidence.sources": unknown reference {key!r}')
            for crit in phase["criteria"]:
                label = f'criterion "{crit["kind"]}"'
                needs = crit["kind"] in ("pain_during", "strength_ratio")
                if needs and "threshold" not in crit:
                    found.append(f'{where_phase}, {label}: field "threshold" is missing')
                if not needs and "threshold" in crit:
                    found.append(f'{where_phase}, {label}: field "threshold": a {crit["kind"]} criterion has no threshold')
                if crit["kind"] == "pain_during" and "threshold" in crit and crit["threshold"] > 10:
                    found.append(f'{where_phase}, {label}: field "threshold": pain is scored 0-10, not {crit["threshold"]}')
                if crit["kind"] == "strength_ratio" and "threshold" in crit and not 50 <= crit["threshold"] <= 100:
                    found.append(f'{where_phase}, {label}: field "threshold": expected 50-100 % of the other side, '
                                 f'not {crit["threshold"]}')
    return found


def parse(data) -> dict[str, Case]:
    """Build the :class:`Case` objects from data that passed the schema and :func:`check`."""
    cases = {}
    for raw in data["cases"]:
        phases = []
        for number, ph in enumerate(raw["phases"], start=1):
            phases.append(Phase(
                number=number, name=ph["name"], weeks=ph["weeks"], goals=tuple(ph["goals"]),
                exercises=tuple(Exercise(e["id"], e["name"], e["load"], _evidence(e["evidence"]))
                                for e in ph["exercises"]),
                criteria=tuple(Criterion(c["kind"], c["text"], _evidence(c["evidence"]), c.get("threshold"))
                               for c in ph["criteria"])))
        cases[raw["id"]] = Case(raw["id"], raw["name"], raw["person"], tuple(raw["sources"]), tuple(phases))
    return cases


@functools.lru_cache(maxsize=1)
def load_programmes() -> dict[str, Case]:
    """Every example programme, validated (schema, then :func:`check`); :class:`DataFileError` if wrong."""
    from ..sources import load_references

    data = load_checked(FILE, labels=LABELS)
    found = check(data, load_references() or None)
    if found:
        raise DataFileError("\n".join(found))
    return parse(data)


def case(case_id: str) -> Case:
    """One case; ``KeyError`` listing the case ids."""
    cases = load_programmes()
    try:
        return cases[case_id]
    except KeyError:
        raise KeyError(f"unknown case {case_id!r}; choose one of: {', '.join(cases)}") from None


def evaluate(criterion: Criterion, obs: Observation) -> CriterionResult:
    """Is one criterion met by what was observed?"""
    if criterion.kind == "pain_during":
        return CriterionResult(criterion, obs.pain_during <= criterion.threshold, f"{obs.pain_during:g}/10")
    if criterion.kind == "next_morning":
        return CriterionResult(criterion, obs.settled_next_morning, "yes" if obs.settled_next_morning else "no")
    if criterion.kind == "strength_ratio":
        return CriterionResult(criterion, obs.strength_ratio_pct >= criterion.threshold, f"{obs.strength_ratio_pct:g}%")
    if criterion.kind == "function":
        return CriterionResult(criterion, obs.function_passed, "yes" if obs.function_passed else "no")
    raise ValueError(f"unknown criterion kind {criterion.kind!r}; known: {', '.join(KINDS)}")


def assess(case_id: str, phase_number: int, obs: Observation) -> Assessment:
    """Apply a phase's criteria to an observation and decide: progress (or return), stay, or ease the load."""
    c = case(case_id)
    phase = c.phase(phase_number)
    results = tuple(evaluate(crit, obs) for crit in phase.criteria)
    load_signals = [r for r in results if r.criterion.kind in ("pain_during", "next_morning")]
    if all(r.met for r in results):
        decision = "return" if phase_number == len(c.phases) else "progress"
    elif any(not r.met for r in load_signals):
        decision = "ease"
    else:
        decision = "stay"
    return Assessment(c, phase, decision, results)


__all__ = ["DECISIONS", "KINDS", "Assessment", "Case", "Criterion", "CriterionResult", "Evidence", "Exercise",
           "Observation", "Phase", "assess", "case", "evaluate", "load_programmes"]
