"""Branching clinical cases: loading, validation, replay of saved decisions, and scoring.

A case is a YAML file ``quizzes/cases/<case id>.yml`` (beside the question
banks, in its own folder so the banks' ``NN-slug.yml`` pattern never picks it
up), described by the JSON Schema ``quizzes/case-schema.json`` and explained
for authors in ``docs/authoring-cases.md``.  A case has a presenting patient,
then steps; each step shows new information (history, examination, a course
figure) and asks one decision:

* ``action`` - choose what to do next;
* ``order`` - put items (tests, steps of a work-up) in order;
* ``urgency`` - pick a referral urgency: the tiers of ``assets/red-flags.yml``
  (emergency, same day, soon) plus ``routine``;
* ``diagnosis`` - commit to a working diagnosis, with a confidence.

Every option leads to a next step or an outcome, gives feedback with sources,
and may be marked ``unsafe`` (a missed red flag) or ``wasteful`` (a test that
cannot change the plan).  Exactly one option per decision is ``best``.

Checked in three steps, every problem reported (file, case id, step id, field):
YAML syntax (line and column), the JSON Schema, then what a schema cannot
check: references, misconception tags, red-flag ids and the objectives of the
notebook's bank exist; urgency options agree with the red-flag tiers; and the
**graph**: every step and outcome is reachable from ``start``, every step can
reach an outcome (no dead ends), there is no cycle except through an option
marked ``loop: true``, and the best path ends in a ``good`` outcome after at
least one diagnosis decision.

Decisions are saved in the progress store like answers, with ``kind="decision"``
and the question id ``case:<case id>:<step id>``; the answer is
``{"run": n, "option": id, ...}``.  :func:`case_runs` replays saved decisions
into play-throughs (a kernel restart resumes the latest), and :class:`CaseRun`
scores one (the single definition the player, dashboard, gradebook and answer
key use):

==============  ===============================================================
``safe``        no option marked ``unsafe`` was chosen
``efficient``   no option marked ``wasteful`` was chosen
``diagnosis``   the run reached a diagnosis decision and every one was answered
                with the best (or an acceptable) option
``credit``      finished run: (safe + efficient + diagnosis) / 3
==============  ===============================================================

    check_cases(root=None) -> (cases {id: Case}, errors [CaseError])
    load_case(case_id, notebook=None, root=None) -> Case   # CaseValidationError
    cases_for(notebook, root=None) -> [Case]                # valid cases, in lesson order
    grade_choice(case, step_id, choice) -> Graded           # what to save for one decision
    case_runs(case, records) -> [CaseRun]; latest_run(case, records) -> CaseRun | None
    case_score(case, records) -> CaseScore                  # first and latest finished run
    case_markdown(case, references, answers=True) -> str    # the tree (answer key, static view)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..paths import course_root

CASES_DIR = "cases"
SCHEMA_FILE = "case-schema.json"
DECISION_KINDS = ("action", "order", "urgency", "diagnosis")
#: Urgency choices, most urgent first: the three tiers of assets/red-flags.yml, then routine care.
TIERS = ("emergency", "same-day", "soon", "routine")
#: The fourth choice, which is not a red-flag tier (no red flag: the usual appointment or self-care).
ROUTINE = {"id": "routine", "heading": "Routine: no red flag, usual care",
           "action": "No urgent referral: advice, the usual appointment, self-management and review."}
ROUTINE_SYMBOL = "○"   # plain symbols as for the red-flag tiers (no emoji font needed)
CONFIDENCE = (("low", "Low: one idea among several"), ("moderate", "Moderate: more likely than the others"),
              ("high", "High: I would be surprised to be wrong"))
#: The course figures a step may show, with the arguments each accepts (drawn by the notebook API layer).
FIGURES = {"anatomy_figure": {"view", "highlight", "psoas_minor", "labels"},
           "pain_map": {"condition"},
           "thomas_test_simulator": {"condition", "severity"}}
QUESTION_PREFIX = "case:"
RESULTS = ("good", "delayed", "harm")


# --------------------------------------------------------------------------- errors

@dataclass(frozen=True)
class CaseError:
    """One problem in a case file: which file, case, step, field, and what is wrong."""

    file: str
    case_id: str | None
    step_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = []
        if self.case_id:
            parts.append(f"case '{self.case_id}'")
        if self.step_id:
            parts.append(f"step '{self.step_id}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        head = self.file + (": " + ", ".join(parts) if parts else "")
        return f"{head}: {self.message}"


class CaseValidationError(ValueError):
    """Raised when a case has problems; ``errors`` lists every one of them."""

    def __init__(self, errors: list[CaseError]):
        self.errors = list(errors)
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.errors)
        return "\n".join([f"{n} problem{'s' if n != 1 else ''} in the clinical cases:"]
                         + [f"  - {e}" for e in self.errors])

    def __str__(self) -> str:
        return self.report()


# --------------------------------------------------------------------------- the case

@dataclass
class Case:
    """One validated case (the parsed YAML in ``data``)."""

    data: dict
    path: Path | None = None

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def notebook(self) -> str:
        return self.data["notebook"]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def start(self) -> str:
        return self.data["start"]

    @property
    def order(self) -> int:
        return int(self.data.get("order", 10_000))

    @property
    def steps(self) -> dict:
        return {s["id"]: s for s in self.data["steps"]}

    @property
    def outcomes(self) -> dict:
        return {o["id"]: o for o in self.data["outcomes"]}

    def is_outcome(self, node_id: str) -> bool:
        return node_id in self.outcomes

    def step(self, step_id: str) -> dict:
        try:
            return self.steps[step_id]
        except KeyError:
            raise KeyError(f"case {self.id!r} has no step {step_id!r}") from None

    def option(self, step_id: str, option_id: str) -> dict:
        for opt in self.step(step_id).get("decision", {}).get("options") or []:
            if opt["id"] == option_id:
                return opt
        raise KeyError(f"case {self.id!r}, step {step_id!r} has no option {option_id!r}")

    def best_option(self, step_id: str) -> dict | None:
        return next((o for o in self.step(step_id).get("decision", {}).get("options") or [] if o.get("best")), None)

    def successor(self, step_id: str, choice=None) -> str:
        """Where a step leads: its ``next`` (no decision, or an order decision), else the chosen option's."""
        step = self.step(step_id)
        decision = step.get("decision")
        if decision is None:
            return step["next"]
        if decision["kind"] == "order":
            return decision["next"]
        option = choice if isinstance(choice, dict) else self.option(step_id, choice)
        return option["next"]

    def best_path(self) -> list[tuple[str, dict | None]]:
        """[(step id, best option or None)] from ``start`` until an outcome, then (outcome id, None).

        Raises ValueError if the best choices loop or lead nowhere (the validator reports it)."""
        path, node, seen = [], self.start, set()
        while not self.is_outcome(node):
            if node in seen or node not in self.steps:
                raise ValueError(f"the best path of case {self.id!r} does not reach an outcome")
            seen.add(node)
            step = self.steps[node]
            decision = step.get("decision")
            best = self.best_option(node) if decision and decision["kind"] != "order" else None
            if decision and decision["kind"] != "order" and best is None:
                raise ValueError(f"step {node!r} of case {self.id!r} has no best option")
            path.append((node, best))
            node = self.successor(node, best)
        path.append((node, None))
        return path

    def decision_steps(self) -> list[str]:
        return [s["id"] for s in self.data["steps"] if "decision" in s]


def question_id(case_id: str, step_id: str) -> str:
    """The progress-store question id of one decision: ``case:<case id>:<step id>``."""
    return f"{QUESTION_PREFIX}{case_id}:{step_id}"


def parse_question_id(qid) -> tuple[str, str] | None:
    """(case id, step id) of a decision's question id, or None for any other id."""
    if not isinstance(qid, str) or not qid.startswith(QUESTION_PREFIX):
        return None
    rest = qid[len(QUESTION_PREFIX):]
    case_id, sep, step_id = rest.partition(":")
    return (case_id, step_id) if sep and case_id and step_id else None


def tier_rank(tier: str) -> int:
    """0 for emergency … 3 for routine (smaller is more urgent)."""
    return TIERS.index(tier)


# --------------------------------------------------------------------------- reading

def cases_dir(root: Path) -> Path:
    return root / "quizzes" / CASES_DIR


def case_paths(root: Path) -> list[Path]:
    """Every case file of the course (``quizzes/cases/*.yml``), sorted by name."""
    folder = cases_dir(root)
    return sorted(folder.glob("*.yml")) if folder.is_dir() else []


@lru_cache(maxsize=1)
def load_schema() -> dict:
    """The case schema, ``quizzes/case-schema.json``."""
    path = Path(__file__).resolve().parent.parent.parent / "quizzes" / SCHEMA_FILE
    if not path.is_file():
        path = course_root() / "quizzes" / SCHEMA_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def _from_bank_errors(errors, case_id=None) -> list[CaseError]:
    return [CaseError(e.file, case_id, None, e.field, e.message) for e in errors]


def _locate(data, path: list) -> tuple[str | None, str | None]:
    """(step id or outcome label, field name) for a jsonschema error path."""
    if not path:
        return None, None
    node_label, rest = None, path
    if path[0] in ("steps", "outcomes") and len(path) >= 2 and isinstance(path[1], int):
        try:
            ident = data[path[0]][path[1]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            ident = None
        kind = "step" if path[0] == "steps" else "outcome"
        node_label = ident if (ident and kind == "step") else (f"outcome {ident}" if ident else f"{kind} #{path[1] + 1}")
        rest, container = path[2:], data[path[0]][path[1]]
    else:
        container = data
    name, node = "", container
    for part in rest:
        if isinstance(part, int):
            ident = None
            try:
                node = node[part]
                ident = node.get("id") if isinstance(node, dict) else None
            except (IndexError, KeyError, TypeError):
                pass
            name += f"[{ident}]" if ident else f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
            try:
                node = node[part]
            except (KeyError, TypeError, IndexError):
                node = None
    return node_label, name or None


def _schema_message(err) -> tuple[str | None, str]:
    """(extra field name, friendly message) for one jsonschema error."""
    v = err.validator
    if v == "required":
        match = re.match(r"'([^']+)'", err.message)
        return (match.group(1) if match else None), "missing required field"
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed)) if isinstance(err.instance, dict) else []
        name = extra[0] if len(extra) == 1 else None
        return name, (f"unknown field{'s' if len(extra) != 1 else ''} {', '.join(map(repr, extra))}"
                      f" (allowed here: {', '.join(allowed)})")
    if v == "enum":
        return None, f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if v == "type":
        hint = ""
        if isinstance(err.instance, bool) and "string" in str(err.validator_value):
            hint = " (YAML reads on, off, yes, no, true and false as true/false: put the text in quotes)"
        return None, f"expected {err.validator_value}, got {type(err.instance).__name__} {err.instance!r}{hint}"
    if v == "minItems":
        return None, f"needs at least {err.validator_value} item(s)"
    if v == "minLength":
        return None, f"is too short (at least {err.validator_value} characters)"
    if v == "pattern":
        return None, f"{err.instance!r} is not a valid id: use lower-case letters, digits and hyphens"
    if v == "oneOf":
        return None, "a step needs either a 'decision' or, for a step that only shows information, a 'next'"
    if v == "not":
        if isinstance(err.instance, dict) and err.instance.get("kind") == "order":
            return None, "an order decision has 'items', 'next' and 'feedback', not 'options'"
        return None, "only order decisions have 'items' and a decision-level 'next'; give each option its 'next'"
    if v == "minimum":
        return None, f"must be at least {err.validator_value}"
    return None, err.message


def schema_errors(data, rel: str) -> list[CaseError]:
    from jsonschema import Draft202012Validator

    errors = []
    case_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    for err in sorted(Draft202012Validator(load_schema()).iter_errors(data),
                      key=lambda e: list(map(str, e.absolute_path))):
        path = list(err.absolute_path)
        step, fld = _locate(data, path)
        extra, message = _schema_message(err)
        if extra:
            fld = f"{fld}.{extra}" if fld else extra
        errors.append(CaseError(rel, case_id, step, fld, message))
    return errors


# --------------------------------------------------------------------------- checks a schema cannot make

def _walk_strings(value, path):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, val in value.items():
            yield from _walk_strings(val, path + [key])
    elif isinstance(value, list):
        for i, val in enumerate(value):
            yield from _walk_strings(val, path + [i])


def _red_flag_tiers() -> dict[str, str] | None:
    """{flag id: tier id} from assets/red-flags.yml, or None if that file has problems."""
    try:
        from ..redflags import load_red_flags

        data = load_red_flags()
    except Exception:  # noqa: BLE001 - its own validator reports the file's problems
        return None
    return {f["id"]: t["id"] for t in data["tiers"] for f in t["flags"]}


def semantic_errors(data: dict, rel: str, stem: str, references: dict, misconceptions: dict,
                    objectives: dict | None, notebooks: set | None, flags: dict | None) -> list[CaseError]:
    """Everything but the graph, for one schema-valid case."""
    cid = data["id"]
    errors: list[CaseError] = []

    def add(step, fld, msg):
        errors.append(CaseError(rel, cid, step, fld, msg))

    if cid != stem:
        add(None, "id", f"is {cid!r} but the file is {stem}.yml: they must match")
    if notebooks is not None and data["notebook"] not in notebooks:
        add(None, "notebook", f"{data['notebook']!r} is not a lesson of assets/course.yml "
                              f"(known: {', '.join(sorted(notebooks))})")
    if objectives is not None:
        known = objectives.get(data["notebook"])
        for obj in data["objectives"]:
            if known is not None and obj not in known:
                add(None, "objectives", f"unknown objective {obj!r}: the objectives of quizzes/{data['notebook']}.yml "
                                        f"are {', '.join(sorted(known)) or '(none)'}")
            elif known is None:
                add(None, "objectives", f"quizzes/{data['notebook']}.yml is missing or has problems, "
                                        f"so objective {obj!r} cannot be checked")

    from .banks import html_problem

    for path, text in _walk_strings(data, []):
        problem = html_problem(text)
        if problem:
            step, fld = _locate(data, path)
            add(step, fld, problem)

    def check_sources(step, fld, keys):
        for key in keys or []:
            if key not in references:
                add(step, fld, f"unknown source key {key!r}: add it to assets/references.yml")

    def check_tag(step, fld, tag):
        if tag and tag not in misconceptions:
            add(step, fld, f"unknown misconception tag {tag!r}: define it in quizzes/misconceptions.yml")

    check_sources(None, "summary.sources", data["summary"]["sources"])
    ids: dict[str, str] = {}
    for kind, items in (("step", data["steps"]), ("outcome", data["outcomes"])):
        for item in items:
            where = item["id"] if kind == "step" else None
            if item["id"] in ids:
                add(where, "id", f"{item['id']!r} is used twice (as a {ids[item['id']]} and as a {kind}); "
                                 "step and outcome ids must be unique in a case")
            ids.setdefault(item["id"], kind)
            if kind == "outcome":
                check_sources(None, f"outcomes[{item['id']}].sources", item.get("sources"))
    for step in data["steps"]:
        sid = step["id"]
        fig = step.get("figure")
        if fig:
            allowed = FIGURES[fig["name"]]
            unknown = sorted(set(fig.get("args") or {}) - allowed)
            if unknown:
                add(sid, "figure.args", f"{fig['name']} takes no argument {', '.join(map(repr, unknown))} "
                                        f"(it takes {', '.join(sorted(allowed))})")
        step_flags = step.get("red_flags") or []
        if flags is not None:
            for flag in step_flags:
                if flag not in flags:
                    add(sid, "red_flags", f"unknown red flag {flag!r}: the flags of assets/red-flags.yml are "
                                          f"{', '.join(sorted(flags))}")
        decision = step.get("decision")
        if not decision:
            continue
        kind = decision["kind"]
        if kind == "order":
            check_sources(sid, "decision.sources", decision["sources"])
            check_tag(sid, "decision.misconception", decision.get("misconception"))
            if len(set(decision["items"])) != len(decision["items"]):
                add(sid, "decision.items", "an item appears twice")
            continue
        options = decision["options"]
        seen = set()
        for opt in options:
            fld = f"decision.options[{opt['id']}]"
            if opt["id"] in seen:
                add(sid, f"{fld}.id", "this option id is used twice in the decision")
            seen.add(opt["id"])
            check_sources(sid, f"{fld}.sources", opt["sources"])
            check_tag(sid, f"{fld}.misconception", opt.get("misconception"))
            if kind != "urgency" and "tier" in opt:
                add(sid, f"{fld}.tier", "only urgency decisions have tiers")
            if kind != "urgency" and not opt.get("text"):
                add(sid, f"{fld}.text", "missing required field (only urgency options may leave it out)")
            if kind == "urgency" and "tier" not in opt:
                add(sid, f"{fld}.tier", f"an urgency option needs a tier: one of {', '.join(TIERS)}")
            if opt.get("best") and opt.get("acceptable"):
                add(sid, f"{fld}.acceptable", "an option is either best or acceptable, not both")
            if opt.get("best") and (opt.get("unsafe") or opt.get("wasteful")):
                add(sid, f"{fld}.best", "the best option cannot be marked unsafe or wasteful")
            if opt.get("acceptable") and opt.get("unsafe"):
                add(sid, f"{fld}.acceptable", "an unsafe option cannot be acceptable")
            if (opt.get("best") or opt.get("acceptable")) and opt.get("misconception"):
                add(sid, f"{fld}.misconception", "a best or acceptable option cannot carry a misconception")
        bests = [o["id"] for o in options if o.get("best")]
        if len(bests) != 1:
            add(sid, "decision.options", f"expected exactly one option with 'best: true', found {len(bests)}"
                                         + (f" ({', '.join(bests)})" if bests else ""))
        if kind == "urgency":
            tiers = [o.get("tier") for o in options if o.get("tier")]
            for tier in set(tiers):
                if tiers.count(tier) > 1:
                    add(sid, "decision.options", f"tier {tier!r} is offered twice")
            if not step_flags:
                add(sid, "red_flags", "an urgency decision names the red flags (ids of assets/red-flags.yml) "
                                      "its step raises, so the right tier can be checked")
            elif flags is not None and all(f in flags for f in step_flags):
                wanted = min((flags[f] for f in step_flags), key=tier_rank)
                for opt in options:
                    tier = opt.get("tier")
                    if tier is None:
                        continue
                    fld = f"decision.options[{opt['id']}]"
                    if opt.get("best") and tier != wanted:
                        add(sid, f"{fld}.tier", f"the best option's tier is {tier!r}, but the step's red flags "
                                                f"({', '.join(step_flags)}) are in tier {wanted!r} of "
                                                "assets/red-flags.yml")
                    if tier_rank(tier) > tier_rank(wanted) and not opt.get("unsafe"):
                        add(sid, f"{fld}.unsafe", f"tier {tier!r} is less urgent than the red flag tier {wanted!r}: "
                                                  "mark this option unsafe and say why")
        if kind == "diagnosis" and len(options) < 3:
            add(sid, "decision.options", "a diagnosis decision offers at least 3 diagnoses")
    return errors


def graph_errors(data: dict, rel: str) -> list[CaseError]:
    """Reachability, dead ends, unmarked cycles and the best path of one case."""
    cid = data["id"]
    steps = {s["id"]: s for s in data["steps"]}
    outcomes = {o["id"]: o for o in data["outcomes"]}
    nodes = set(steps) | set(outcomes)
    errors: list[CaseError] = []

    def add(step, fld, msg):
        errors.append(CaseError(rel, cid, step, fld, msg))

    # edges: step -> [(target, field, is_loop)]
    edges: dict[str, list[tuple[str, str, bool]]] = {}
    for sid, step in steps.items():
        out = []
        decision = step.get("decision")
        if decision is None:
            out.append((step["next"], "next", False))
        elif decision["kind"] == "order":
            out.append((decision["next"], "decision.next", False))
        else:
            for opt in decision["options"]:
                out.append((opt["next"], f"decision.options[{opt['id']}].next", bool(opt.get("loop"))))
        edges[sid] = out
    known = f"steps: {', '.join(steps)}; outcomes: {', '.join(outcomes)}"
    bad = False
    for sid, out in edges.items():
        for target, fld, _loop in out:
            if target not in nodes:
                add(sid, fld, f"leads to {target!r}, which is neither a step nor an outcome ({known})")
                bad = True
    if data["start"] not in steps:
        add(None, "start", f"{data['start']!r} is not a step ({known})")
        return errors
    if bad:
        return errors
    # reachable from start
    seen, stack = {data["start"]}, [data["start"]]
    while stack:
        node = stack.pop()
        for target, _f, _l in edges.get(node, []):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    for sid in steps:
        if sid not in seen:
            add(sid, None, f"step {sid!r} cannot be reached from the start ({data['start']!r}): no option leads to it")
    for oid in outcomes:
        if oid not in seen:
            add(None, f"outcomes[{oid}]", f"outcome {oid!r} cannot be reached: no option leads to it")
    # every step reaches an outcome (no dead ends)
    reaches = set(outcomes)
    changed = True
    while changed:
        changed = False
        for sid, out in edges.items():
            if sid not in reaches and any(t in reaches for t, _f, _l in out):
                reaches.add(sid)
                changed = True
    for sid in steps:
        if sid not in reaches:
            add(sid, None, "dead end: no path from this step reaches an outcome")
    # cycles not marked with loop: true
    colour = dict.fromkeys(steps, 0)  # 0 new, 1 on the stack, 2 done
    reported = set()

    def visit(node, trail):
        colour[node] = 1
        for target, fld, loop in edges[node]:
            if loop or target not in steps:
                continue
            if colour[target] == 1:
                cycle = trail[trail.index(target):] + [target]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    add(node, fld, "cycle " + " → ".join(cycle) + ": mark the option that deliberately goes "
                                   "back with 'loop: true', or lead it forward")
            elif colour[target] == 0:
                visit(target, trail + [target])
        colour[node] = 2

    for sid in steps:
        if colour[sid] == 0:
            visit(sid, [sid])
    for sid, out in edges.items():
        for target, fld, loop in out:
            if loop and target in outcomes:
                add(sid, fld.replace(".next", ".loop"), "'loop: true' marks a choice that goes back to a step, "
                                                         "not one that ends the case")
    if errors:
        return errors
    # the best path
    case = Case(data)
    try:
        path = case.best_path()
    except ValueError as exc:
        add(None, "steps", f"{exc}: follow each decision's best option from the start")
        return errors
    end = outcomes[path[-1][0]]
    if end["result"] != "good":
        add(None, f"outcomes[{end['id']}]", f"the best path ends in outcome {end['id']!r}, whose result is "
                                            f"{end['result']!r}; it should be 'good'")
    kinds = [steps[s]["decision"]["kind"] for s, _o in path[:-1] if "decision" in steps[s]]
    if "diagnosis" not in kinds:
        add(None, "steps", "the best path has no diagnosis decision, so 'correct diagnosis' cannot be scored")
    return errors


# --------------------------------------------------------------------------- the course's cases

def _signature(root: Path) -> tuple:
    files = case_paths(root) + [root / "quizzes" / SCHEMA_FILE, root / "assets" / "red-flags.yml",
                                root / "assets" / "course.yml"]
    sig = []
    for p in files:
        try:
            st = p.stat()
            sig.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((str(p), None, None))
    return tuple(sig)


def _resolve_root(root) -> Path:
    return Path(root).resolve() if root is not None else course_root()


def check_cases(root=None) -> tuple[dict[str, Case], list[CaseError]]:
    """Read and check every case file; return the valid cases ({id: Case}) and every problem."""
    from . import banks

    root = _resolve_root(root)
    return _check_cached(root, _signature(root), banks._signature(root))


@lru_cache(maxsize=4)
def _check_cached(root: Path, signature: tuple, bank_signature: tuple):
    del signature, bank_signature  # part of the cache key only
    from . import banks

    course, _bank_errors = banks.check_course(root)
    references, ref_errors = banks.load_references(root)
    misconceptions, mis_errors = banks.load_misconceptions(root)
    objectives = {nb: {o["id"] for o in bank.objectives} for nb, bank in course.banks.items()}
    notebooks = _course_notebooks(root)
    flags = _red_flag_tiers()
    cases: dict[str, Case] = {}
    errors: list[CaseError] = []
    for path in case_paths(root):
        rel = banks.rel_name(path, root)
        data, errs = banks.read_yaml(path, rel)
        if errs:
            errors += _from_bank_errors(errs)
            continue
        data = banks.normalize_keys(data)
        if not isinstance(data, dict):
            errors.append(CaseError(rel, None, None, None, "a case must be a mapping with id, notebook, title, "
                                                           "role, patient, objectives, start, steps, outcomes "
                                                           "and summary"))
            continue
        mine = schema_errors(data, rel)
        if not mine:
            mine = semantic_errors(data, rel, path.stem, references, misconceptions, objectives, notebooks, flags)
            mine += graph_errors(data, rel)
        errors += mine
        if not mine:
            if data["id"] in cases:
                errors.append(CaseError(rel, data["id"], None, "id", "this case id is used by another file"))
                continue
            cases[data["id"]] = Case(data, path)
    shared = [e for e in ref_errors + mis_errors]
    return cases, errors + _from_bank_errors(shared)


def _course_notebooks(root: Path) -> set | None:
    import yaml

    try:
        data = yaml.safe_load((root / "assets" / "course.yml").read_text(encoding="utf-8"))
        return {les["slug"] for les in data["lessons"]}
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return None


def validate_cases(root=None) -> list[CaseError]:
    """Every problem in every case file (empty when all is well)."""
    return list(check_cases(root)[1])


def load_case(case_id: str, notebook: str | None = None, root=None) -> Case:
    """One case; raises :class:`CaseValidationError` naming its problems (or that it does not exist)."""
    root = _resolve_root(root)
    cases, errors = check_cases(root)
    from .banks import rel_name

    rel = rel_name(cases_dir(root) / f"{case_id}.yml", root)
    mine = [e for e in errors if e.file == rel or e.file.endswith(("references.yml", "misconceptions.yml"))]
    if mine:
        raise CaseValidationError(mine)
    if case_id not in cases:
        known = ", ".join(sorted(cases)) or "none"
        raise CaseValidationError([CaseError(rel, case_id, None, None, f"no such case (known: {known})")])
    case = cases[case_id]
    if notebook is not None and case.notebook != notebook:
        raise CaseValidationError([CaseError(rel, case_id, None, "notebook",
                                             f"the case belongs to {case.notebook!r}, not {notebook!r}")])
    return case


def cases_for(notebook: str | None = None, root=None) -> list[Case]:
    """The valid cases of one notebook (all if None), in lesson order (``order``, then id)."""
    cases, _errors = check_cases(root)
    chosen = [c for c in cases.values() if notebook is None or c.notebook == notebook]
    return sorted(chosen, key=lambda c: (c.notebook, c.order, c.id))


# --------------------------------------------------------------------------- grading one decision

@dataclass(frozen=True)
class Graded:
    """What to save for one decision, and how to describe it."""

    step_id: str
    kind: str
    answer: dict               # the stored JSON answer (run added by the caller)
    rating: str                # "best", "acceptable" or "poor"
    score: float               # 1, 0.5 or 0 (order: fraction of items in place)
    unsafe: str | None
    wasteful: str | None
    misconceptions: list
    next: str
    option: dict | None = None

    @property
    def correct(self) -> bool:
        return self.rating in ("best", "acceptable")


def grade_choice(case: Case, step_id: str, choice, confidence: str | None = None) -> Graded:
    """Grade a choice at a step: an option id, or (order decisions) the items in the student's order.

    Raises ValueError for a choice the step does not offer (the player never sends one)."""
    step = case.step(step_id)
    decision = step.get("decision")
    if decision is None:
        raise ValueError(f"step {step_id!r} asks no decision")
    kind = decision["kind"]
    if kind == "order":
        items = list(choice or [])
        if sorted(items) != sorted(decision["items"]):
            raise ValueError(f"an order for step {step_id!r} must use each item once")
        right = sum(a == b for a, b in zip(items, decision["items"]))
        exact = items == decision["items"]
        tags = [] if exact or not decision.get("misconception") else [decision["misconception"]]
        return Graded(step_id, kind, {"order": items}, "best" if exact else "poor",
                      right / len(items), None, None, tags, decision["next"])
    try:
        option = case.option(step_id, choice)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    rating = "best" if option.get("best") else "acceptable" if option.get("acceptable") else "poor"
    answer = {"option": option["id"]}
    if kind == "diagnosis":
        if confidence not in dict(CONFIDENCE):
            raise ValueError(f"a diagnosis needs a confidence: one of {', '.join(dict(CONFIDENCE))}")
        answer["confidence"] = confidence
    tags = [option["misconception"]] if option.get("misconception") else []
    return Graded(step_id, kind, answer, rating, {"best": 1.0, "acceptable": 0.5}.get(rating, 0.0),
                  option.get("unsafe"), option.get("wasteful"), tags, option["next"], option)


# --------------------------------------------------------------------------- replaying saved decisions

def _get(record, name, default=None):
    return record.get(name, default) if isinstance(record, dict) else getattr(record, name, default)


@dataclass
class Decision:
    """One replayed decision of a run."""

    step_id: str
    graded: Graded
    timestamp: str = ""


@dataclass
class CaseRun:
    """One play-through of a case, rebuilt from saved decisions."""

    case_id: str
    run: int
    decisions: list[Decision] = field(default_factory=list)
    position: str = ""          # the step the student is at, or the outcome reached
    outcome: dict | None = None
    problem: str | None = None  # why the replay stopped early (the case file changed)

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def safe(self) -> bool:
        return not any(d.graded.unsafe for d in self.decisions)

    @property
    def efficient(self) -> bool:
        return not any(d.graded.wasteful for d in self.decisions)

    @property
    def diagnosis(self) -> bool | None:
        """Every diagnosis decision right (best or acceptable); None while unfinished and none made yet."""
        made = [d for d in self.decisions if d.graded.kind == "diagnosis"]
        if not made:
            return False if self.finished else None
        return all(d.graded.correct for d in made)

    @property
    def credit(self) -> float:
        """(safe + efficient + correct diagnosis) / 3 for a finished run, 0 otherwise."""
        if not self.finished:
            return 0.0
        return (int(self.safe) + int(self.efficient) + int(bool(self.diagnosis))) / 3

    @property
    def last_activity(self) -> str:
        return max((d.timestamp for d in self.decisions), default="")

    def describe(self) -> str:
        """"safe ✓, efficient ✗, diagnosis ✓" (symbols and words, never colour alone)."""
        def mark(v):
            return "✓" if v else ("–" if v is None else "✗")
        return f"safe {mark(self.safe)}, efficient {mark(self.efficient)}, diagnosis {mark(self.diagnosis)}"


def _answer_of(record) -> dict | None:
    answer = _get(record, "answer")
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:
            return None
    return answer if isinstance(answer, dict) else None


def case_records(case_id: str, records) -> list:
    """The saved decisions of one case (any notebook), oldest first."""
    mine = []
    for order, r in enumerate(records):
        parsed = parse_question_id(_get(r, "question_id"))
        if parsed and parsed[0] == case_id and _get(r, "kind", "decision") == "decision":
            mine.append((str(_get(r, "timestamp", "")), order, r))
    return [r for _t, _o, r in sorted(mine, key=lambda x: (x[0], x[1]))]


def case_runs(case: Case, records) -> list[CaseRun]:
    """Every play-through of ``case`` in ``records`` (Attempts or export dicts), by run number."""
    by_run: dict[int, list] = {}
    for r in case_records(case.id, records):
        answer = _answer_of(r)
        run = answer.get("run") if answer else None
        if isinstance(run, bool) or not isinstance(run, int) or run < 1:
            continue  # not written by the player (a hand-edited export): ignored
        by_run.setdefault(run, []).append(r)
    return [_replay(case, run, recs) for run, recs in sorted(by_run.items())]


def _advance(case: Case, node: str) -> str:
    """Skip information-only steps that the student already continued past."""
    seen = set()
    while not case.is_outcome(node) and "decision" not in case.steps.get(node, {"decision": 1}) \
            and node not in seen:
        seen.add(node)
        node = case.steps[node]["next"]
    return node


def _replay(case: Case, run: int, records) -> CaseRun:
    state = CaseRun(case.id, run, position=case.start)
    for r in records:
        _cid, step_id = parse_question_id(_get(r, "question_id"))
        node = _advance(case, state.position)
        if case.is_outcome(node):
            state.problem = "the case was already finished when this decision was saved"
            break
        if step_id != node:
            state.problem = (f"a saved decision for step {step_id!r} does not fit the case as it is now "
                             f"(expected step {node!r}); the case file may have changed")
            break
        answer = _answer_of(r) or {}
        choice = answer.get("order") if "order" in answer else answer.get("option")
        try:
            graded = grade_choice(case, step_id, choice, answer.get("confidence") or "moderate")
        except (ValueError, KeyError) as exc:
            state.problem = f"a saved decision for step {step_id!r} no longer fits the case ({exc})"
            break
        state.decisions.append(Decision(step_id, graded, str(_get(r, "timestamp", ""))))
        state.position = graded.next
    if state.problem is None and case.is_outcome(_advance(case, state.position)):
        # Only information steps are left before the outcome: nothing more to decide, so the run is finished
        # (it used to resume as "in progress" after a restart although the student had seen the outcome).
        state.position = _advance(case, state.position)
    if case.is_outcome(state.position):
        state.outcome = case.outcomes[state.position]
    return state


def latest_run(case: Case, records) -> CaseRun | None:
    runs = case_runs(case, records)
    return runs[-1] if runs else None


@dataclass
class CaseScore:
    """A student's record on one case: the first and the latest finished play-through."""

    case_id: str
    runs_started: int = 0
    runs_finished: int = 0
    first: CaseRun | None = None     # the first finished run: what the gradebook scores
    latest: CaseRun | None = None    # the most recent finished run
    current: CaseRun | None = None   # the most recent run, finished or not

    @property
    def status(self) -> str:
        if self.current is None:
            return "not started"
        return "finished" if self.current.finished else "in progress"


def case_score(case: Case, records) -> CaseScore:
    runs = case_runs(case, records)
    finished = [r for r in runs if r.finished]
    return CaseScore(case.id, len(runs), len(finished), finished[0] if finished else None,
                     finished[-1] if finished else None, runs[-1] if runs else None)


# --------------------------------------------------------------------------- the tree as Markdown

def option_label(option: dict, red_flags: dict | None = None, symbol: bool = True) -> str:
    """The text of an option (an urgency option: its tier's symbol and heading, then its text).

    ``symbol=False`` leaves the tier's symbol out (widget labels: the heading's words carry the meaning)."""
    tier = option.get("tier")
    if tier is None:
        return option["text"]
    heading, mark = tier_heading(tier, red_flags)
    return (f"{mark} " if symbol else "") + heading + (f" — {option['text']}" if option.get("text") else "")


def tier_heading(tier: str, red_flags: dict | None = None) -> tuple[str, str]:
    """(heading, symbol) of an urgency tier, from assets/red-flags.yml (routine: the course's own)."""
    if tier == "routine":
        return ROUTINE["heading"], ROUTINE_SYMBOL
    from ..redflags import TIER_SYMBOLS, load_red_flags

    data = red_flags if red_flags is not None else load_red_flags()
    heading = next(t["heading"] for t in data["tiers"] if t["id"] == tier)
    return heading, TIER_SYMBOLS[tier]


def _cite(keys, references) -> str:
    parts = []
    for key in keys or []:
        ref = references.get(key, {})
        url = f"https://doi.org/{ref['doi']}" if ref.get("doi") else ref.get("url", "")
        if url.startswith("notebooks/"):
            url = url[len("notebooks/"):]
        short = ref.get("short", key)
        parts.append(f"[{short}]({url})" if url else short)
    return "; ".join(dict.fromkeys(parts))


def node_labels(case: Case) -> dict[str, str]:
    """"Step 1 · History", …, "Outcome A · …" for every node, steps in reading order (best path first)."""
    order = [s for s, _o in case.best_path()[:-1]]
    order += [s["id"] for s in case.data["steps"] if s["id"] not in order]
    labels = {sid: f"Step {i} · {case.steps[sid]['title']}" for i, sid in enumerate(order, start=1)}
    for i, o in enumerate(case.data["outcomes"]):
        labels[o["id"]] = f"Outcome {chr(ord('A') + i)} · {o['title']}"
    return labels


def rating_marks(option: dict) -> str:
    marks = []
    if option.get("best"):
        marks.append("★ best")
    elif option.get("acceptable"):
        marks.append("◐ acceptable")
    if option.get("unsafe"):
        marks.append("⚠ unsafe")
    if option.get("wasteful"):
        marks.append("⊘ wasteful")
    return ", ".join(marks) or "✗ not the best"


def step_markdown(case: Case, sid: str, labels: dict, answers: bool = True, red_flags: dict | None = None,
                  references: dict | None = None) -> str:
    """One step of the tree as Markdown: its label, information, figure caption, decision and options."""
    references = references or {}
    step = case.steps[sid]
    lines = [f"**{labels[sid]}**", "", step["info"].strip(), ""]
    if step.get("figure"):
        fig = step["figure"]
        lines += [f"*Figure: {fig.get('caption') or fig['name']}*", ""]
    decision = step.get("decision")
    if decision is None:
        return "\n".join(lines + [f"→ Continue to {labels[step['next']]}", ""])
    lines += [f"*Decision ({decision['kind']}):* {decision['prompt'].strip()}", ""]
    if decision["kind"] == "order":
        items = decision["items"] if answers else sorted(decision["items"])
        label = "In this order" if answers else "Items to put in order"
        lines += [f"{label}:", ""] + [f"{i}. {it}" for i, it in enumerate(items, start=1)] + [""]
        lines += [f"→ {labels[decision['next']]}", ""]
        if answers:
            lines += [f"*Why:* {decision['feedback'].strip()} ({_cite(decision['sources'], references)})", ""]
        return "\n".join(lines)
    for opt in decision["options"]:
        line = f"- {option_label(opt, red_flags)} → {labels[opt['next']]}"
        if answers:
            line += f" — **{rating_marks(opt)}**"
            for flag in ("unsafe", "wasteful"):
                if opt.get(flag):
                    line += f"; *{flag}:* {opt[flag].strip().rstrip('.')}"
            line += f". {opt['feedback'].strip()} ({_cite(opt['sources'], references)})"
        lines.append(line)
    return "\n".join(lines + [""])


def outcomes_markdown(case: Case, references: dict, labels: dict, answers: bool = True) -> str:
    """The outcomes of a case, each with its result (and sources, with ``answers``)."""
    lines = ["**Outcomes**", ""]
    for o in case.data["outcomes"]:
        result = {"good": "good", "delayed": "delayed or costly", "harm": "harm"}[o["result"]]
        lines.append(f"- {labels[o['id']]} (*{result}*): {o['text'].strip()}"
                     + (f" ({_cite(o.get('sources'), references)})" if o.get("sources") and answers else ""))
    return "\n".join(lines + [""])


def case_markdown(case: Case, references: dict, answers: bool = True, heading: str = "###",
                  red_flags: dict | None = None) -> str:
    """The whole case as a readable decision tree (Markdown).

    ``answers=False``: the patient, every step's information and decision with its options and where each
    leads (what a student may read before playing).  ``answers=True`` adds, per option, its rating, unsafe or
    wasteful reason, feedback and sources, then the best path and the reasoning summary (the answer key)."""
    labels = node_labels(case)
    lines = [f"{heading} Clinical case: {case.title} (`{case.id}`)", "",
             f"*{case.data['role'].strip()}*", "", "**The patient.** " + case.data["patient"].strip(), ""]
    for sid in [s for s in labels if s in case.steps]:
        lines.append(step_markdown(case, sid, labels, answers, red_flags, references))
    lines.append(outcomes_markdown(case, references, labels, answers))
    if answers:
        lines += best_path_markdown(case, references, labels, red_flags)
    return "\n".join(lines).rstrip() + "\n"


def answers_markdown(case: Case, references: dict, labels: dict | None = None,
                     red_flags: dict | None = None) -> str:
    """What the static view hides until asked: the best path and why, then how every option rates."""
    labels = labels or node_labels(case)
    lines = best_path_markdown(case, references, labels, red_flags)
    lines += ["**Every option, rated** (★ best, ◐ acceptable, ✗ not the best; ⚠ unsafe, ⊘ wasteful)", ""]
    for sid in [s for s in labels if s in case.steps]:
        decision = case.steps[sid].get("decision")
        if not decision or decision["kind"] == "order":
            continue
        lines.append(f"- *{labels[sid]}*")
        for opt in decision["options"]:
            reason = "; ".join(f"{flag}: {opt[flag].strip().rstrip('.')}" for flag in ("unsafe", "wasteful")
                               if opt.get(flag))
            lines.append(f"    - {option_label(opt, red_flags)}: **{rating_marks(opt)}**"
                         + (f" ({reason})" if reason else "") + f". {opt['feedback'].strip()}")
    return "\n".join(lines + [""])


def best_path_markdown(case: Case, references: dict, labels: dict | None = None,
                       red_flags: dict | None = None) -> list[str]:
    """The best path, step by step with why, then the case's reasoning summary (Markdown lines)."""
    labels = labels or node_labels(case)
    lines = ["**The best path**", ""]
    n = 0
    for sid, best in case.best_path()[:-1]:
        step = case.steps[sid]
        decision = step.get("decision")
        if decision is None:
            continue
        n += 1
        if decision["kind"] == "order":
            lines.append(f"{n}. {labels[sid]}: " + " → ".join(decision["items"]) + f". {decision['feedback'].strip()}")
        else:
            label = option_label(best, red_flags).rstrip(".")
            lines.append(f"{n}. {labels[sid]}: **{label}**. {best['feedback'].strip()} "
                         f"({_cite(best['sources'], references)})")
    end = case.best_path()[-1][0]
    lines += ["", f"It ends in {labels[end]}.", "",
              "**The reasoning.** " + case.data["summary"]["text"].strip()
              + f" ({_cite(case.data['summary']['sources'], references)})", ""]
    return lines


def case_sources(case: Case) -> list[str]:
    """Every reference key a case cites, each once, in file order."""
    keys = []

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "sources" and isinstance(v, list):
                    keys.extend(v)
                else:
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(case.data)
    return list(dict.fromkeys(keys))


# --------------------------------------------------------------------------- for the dashboard, gradebook and answer key

@dataclass
class CaseProgress:
    """Where a student stands in one case (the dashboard's line)."""

    case_id: str
    notebook: str
    title: str
    status: str                  # "not started", "in progress" or "finished"
    at: str = ""                 # in progress: the title of the step the student is at
    outcome: str = ""            # finished: the title of the outcome of the latest finished run
    marks: str = ""              # finished: "safe ✓, efficient ✓, diagnosis ✗"
    runs_finished: int = 0
    last_activity: str = ""

    def describe(self) -> str:
        if self.status == "not started":
            return "not started"
        if self.status == "in progress":
            done = f"; finished {self.runs_finished}× before" if self.runs_finished else ""
            return f"in progress, at “{self.at}”{done}"
        return f"finished: {self.outcome} ({self.marks})"


def case_progress(records, notebook: str | None = None, root=None) -> list[CaseProgress]:
    """One :class:`CaseProgress` per valid case (of ``notebook``, or all), in lesson order."""
    records = list(records)
    out = []
    for case in cases_for(notebook, root):
        score = case_score(case, records)
        item = CaseProgress(case.id, case.notebook, case.title, score.status, runs_finished=score.runs_finished)
        current = score.current
        if current is not None:
            item.last_activity = current.last_activity
            if not current.finished:
                node = _advance(case, current.position)
                item.at = case.steps[node]["title"] if node in case.steps else ""
        if score.latest is not None:
            item.outcome = score.latest.outcome["title"]
            item.marks = score.latest.describe()
        out.append(item)
    return out


#: Columns of the gradebook's case table (one row per student and case).
CASE_TABLE_HEADER = ["student", "notebook", "case", "runs_started", "runs_finished", "first_safe",
                     "first_efficient", "first_diagnosis", "first_score", "first_outcome", "latest_score",
                     "latest_outcome"]


def case_table_rows(student: str, records, root=None) -> list[list]:
    """The gradebook rows of one student: the first finished run is the one scored (like a first try)."""
    def yes_no(value):
        return "" if value is None else ("1" if value else "0")

    rows = []
    for case in cases_for(None, root):
        score = case_score(case, records)
        first, latest = score.first, score.latest
        rows.append([student, case.notebook, case.id, score.runs_started, score.runs_finished,
                     yes_no(first.safe if first else None), yes_no(first.efficient if first else None),
                     yes_no(first.diagnosis if first else None),
                     f"{round(first.credit, 3):g}" if first else "", first.outcome["result"] if first else "",
                     f"{round(latest.credit, 3):g}" if latest else "", latest.outcome["result"] if latest else ""])
    return rows


def cases_answer_key_markdown(notebook: str, references: dict, heading: str = "###", root=None) -> str:
    """The answer-key section of a lesson's cases: every case's full tree with the best path ('' if none)."""
    chosen = cases_for(notebook, root)
    if not chosen:
        return ""
    try:
        from ..redflags import load_red_flags

        red = load_red_flags()
    except Exception:  # noqa: BLE001 - tier headings then come from the file when it is fixed
        red = None
    parts = [f"{heading[:-1] or '#'} Clinical cases", "",
             "Each case as a decision tree: every option with where it leads, its rating (★ best, ◐ acceptable, "
             "✗ not the best; ⚠ unsafe, ⊘ wasteful), its feedback and sources; then the best path and the "
             "reasoning.", ""]
    for case in chosen:
        parts.append(case_markdown(case, references, answers=True, heading=heading, red_flags=red))
    return "\n".join(parts).rstrip() + "\n"


def case_key_entries(course, slug: str) -> list:
    """The answer key's entries for lesson ``slug``'s cases (registered with
    :func:`iliopsoas.quiz.answer_key.register_entries`): one entry per case, with the patient, the best path
    in short, every step as a section (its information, decision and every option with where it leads, its
    rating, unsafe or wasteful reason, feedback and sources), the outcomes and the reasoning."""
    from .answer_key import KeyEntry

    chosen = cases_for(slug, getattr(course, "root", None))
    if not chosen:
        return []
    try:
        from ..redflags import load_red_flags

        red = load_red_flags()
    except Exception:  # noqa: BLE001 - urgency labels then read the file when it is fixed
        red = None
    objectives = {o["id"] for o in getattr(course.banks.get(slug), "objectives", [])} if slug in course.banks else set()
    entries = []
    for case in chosen:
        labels = node_labels(case)
        path = case.best_path()
        best = []
        for sid, option in path[:-1]:
            decision = case.steps[sid].get("decision")
            if decision is None:
                continue
            choice = " → ".join(decision["items"]) if decision["kind"] == "order" else option_label(option, red)
            best.append(f"{labels[sid].split(' · ')[0]}: {choice.rstrip('.')}")
        answer = "; ".join(best) + f"; it ends in {labels[path[-1][0]]}."
        extra = [(labels[sid], step_markdown(case, sid, labels, True, red, course.references).split("\n", 2)[-1])
                 for sid in [s for s in labels if s in case.steps]]
        extra.append(("Outcomes", outcomes_markdown(case, course.references, labels).split("\n", 2)[-1]))
        tags = []
        for step in case.data["steps"]:
            decision = step.get("decision") or {}
            tags += [o["misconception"] for o in decision.get("options", []) if o.get("misconception")]
            tags += [decision["misconception"]] if decision.get("misconception") else []
        objective = next((o for o in case.data["objectives"] if o in objectives), None)
        entries.append(KeyEntry(
            anchor=f"case-{case.id}", title=case.id, kind="clinical case", objective=objective,
            prompt=f"*{case.data['role'].strip()}* {case.title}.\n\n{case.data['patient'].strip()}",
            answer=answer, misconceptions=list(dict.fromkeys(tags)), extra=extra,
            explanation=case.data["summary"]["text"].strip(), sources=case_sources(case)))
    return entries
