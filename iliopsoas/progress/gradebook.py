"""The gradebook: students' progress exports merged into tables for the instructor.

    merge_students(exports, merge=False) -> ({student name: Export}, notes)     raises GradebookError
    gradebook_tables(students, course) -> {"grades" | "totals" | "objectives" | "misconceptions" | "cases": (header, rows)}

**Who is who.**  Student names are compared after Unicode normalisation (NFKC: "José"
typed as one character or as "e" + combining accent is one name), with case folded,
runs of spaces (including non-breaking ones) collapsed and invisible format characters
(zero-width spaces, byte-order marks) dropped: :func:`student_key`.

**Two exports for the same student.**  If one holds every attempt of the other (the
student exported twice), the fuller one is used and a note says so.  Otherwise the
gradebook refuses, naming both files (two people with one name, or one person's two
computers, cannot be told apart safely), unless ``merge=True`` (the command line's
``--merge``): then the attempts of both are joined, an attempt found in both (same
notebook, question, time, answer: :func:`iliopsoas.progress.store.attempt_identity`)
counted once, and each question's attempts numbered again in order of time.

**Clinical cases** (lesson 07) are scored apart, in the ``cases`` table, by the cases' own definition
(:mod:`iliopsoas.quiz.cases`: safe, efficient, correct diagnosis; the first finished play-through is the
one graded); their decisions never count as questions in the other tables.

**Scores.**  Every table uses the course's one scoring rule,
:mod:`iliopsoas.quiz.scoring`: each question's outcome (first try, after N tries,
answer shown, not yet, unanswered) and its credit (1, 0.5, 0, 0, 0).
"""
from __future__ import annotations

import unicodedata

from ..quiz.scoring import OUTCOMES, notebook_score, question_outcome
from .store import Export, attempt_identity, merge_attempts


class GradebookError(ValueError):
    """Exports that cannot be merged; the message names the files and what to do."""


def _visible(name: str) -> str:
    """NFKC, invisible format characters (category Cf) dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def student_key(name: str) -> str:
    """How student names are compared: Unicode-normalised (NFKC), case folded, spaces collapsed,
    invisible format characters dropped.  ``student_key("José") == student_key("Jose\\u0301")``."""
    return unicodedata.normalize("NFKC", _visible(name).casefold())


def display_name(name: str) -> str:
    """The name as the tables show it: normalised (NFKC) with spaces collapsed, case kept."""
    return _visible(name)


def _ids(exp: Export) -> set:
    return {attempt_identity(a) for a in exp.attempts}


def merge_students(exports, merge: bool = False) -> tuple[dict, list[str]]:
    """{student name: Export}, and notes; raises GradebookError for conflicting duplicates or no name.

    With ``merge=True`` two exports of one student that disagree are joined (union of attempts by
    time, duplicates dropped) instead of refused.
    """
    problems, notes, chosen = [], [], {}
    for exp in exports:
        if not exp.student or not display_name(exp.student):
            problems.append(f"{exp.path}: has no student name (a backup, or an export made without "
                            "--student?); export again with --student \"Name\"")
            continue
        key = student_key(exp.student)
        if key not in chosen:
            chosen[key] = exp
            continue
        old = chosen[key]
        mine, theirs = _ids(exp), _ids(old)
        same_name = (f"{exp.student!r}" if display_name(exp.student) == display_name(old.student)
                     else f"{old.student!r} and {exp.student!r} (the same name once normalised)")
        if mine <= theirs or theirs <= mine:
            keep, drop = (old, exp) if theirs >= mine else (exp, old)
            chosen[key] = keep
            notes.append(f"Note: {drop.path} and {keep.path} are both for {same_name}; the first holds "
                         f"nothing the second lacks, so {keep.path} is used.")
        elif merge:
            merged, added, duplicates = merge_attempts(old.attempts, exp.attempts)
            for a in merged:
                a.pop("_new", None)
            chosen[key] = Export(f"{old.path} + {exp.path}", max(old.format_version, exp.format_version),
                                 old.course or exp.course, old.student, max(old.exported_at, exp.exported_at),
                                 merged)
            notes.append(f"Note: merged {old.path} and {exp.path} for {same_name}: {len(merged)} attempts "
                         f"in all ({added} from the second, {duplicates} found in both counted once).")
        else:
            problems.append(f"{old.path} and {exp.path} are both for student {same_name} but hold "
                            "different answers. If they are one person's two exports (two computers, or an "
                            "export from before a reset), add --merge to join them; if they are two people, "
                            "ask one to export again with a different --student name. Nothing was written.")
    if problems:
        raise GradebookError("\n".join(problems))
    return {display_name(exp.student): exp for exp in chosen.values()}, notes


def _yes_no(value) -> str:
    return "" if value is None else ("1" if value else "0")


def _num(x: float) -> str:
    return f"{round(x, 3):g}"


def _checked(records: list[dict]) -> list[dict]:
    """The checked answers among a question's records (not "answer shown", not case decisions)."""
    return [a for a in records if a.get("kind", "answer") == "answer"]


GRADES_HEADER = ["student", "notebook", "question", "objective", "outcome", "what_happened", "tries", "attempts",
                 "credit", "answer_shown", "latest_correct", "best_score"]
TOTALS_HEADER = ["student", "notebook", "questions", "answered"] + [o.replace("-", "_") for o in OUTCOMES] + \
                ["right", "credit", "percent"]
OBJECTIVES_HEADER = ["student", "notebook", "objective", "questions", "answered", "right", "credit", "score"]
MISCONCEPTIONS_HEADER = ["misconception", "students", "belief"]
#: The notebook column of a student's overall total in the totals table.
ALL_LESSONS = "all lessons"


def gradebook_tables(students: dict, course) -> dict[str, tuple[list[str], list[list]]]:
    """The four tables, each (header, rows):

    * ``grades``: one row per student and question (every question of the course, then any question
      of an export no longer in the banks, with an empty objective): the outcome (``first-try``,
      ``after-retries``, ``answer-shown``, ``not-yet``, ``unanswered``), what happened in words
      ("right after 3 tries"), checked answers up to the first right one (``tries``) and in all
      (``attempts``), the credit (1, 0.5 or 0), whether the answer was shown, whether the latest checked answer is right, the
      best score of a checked answer;
    * ``totals``: per student, one row per lesson (course order) and one for all lessons: questions,
      answered, how many of each outcome, right, credit (the sum) and percent (credit / questions);
    * ``objectives``: per student and learning objective: questions, answered, right, credit, score
      (credit / questions, 0–1);
    * ``misconceptions``: how many students' latest checked answer to some question is wrong and points
      to each misconception (the course's tags in file order, then unknown ones; most held first).
    """
    questions = [(nb, q) for nb, bank in course.banks.items() for q in bank.questions]
    known = {(nb, q["id"]) for nb, q in questions}
    grades, totals, objectives = [], [], []
    holders: dict[str, set] = {}
    for name in sorted(students, key=student_key):
        by_q: dict[tuple, list[dict]] = {}
        for a in students[name].attempts:
            if a.get("kind") == "decision":
                continue  # a clinical case's decision: scored in the cases table
            by_q.setdefault((a["notebook"], a["question_id"]), []).append(a)
        extra = sorted(k for k in by_q if k not in known)  # questions no longer in the banks
        outcomes = {}
        for nb, qid, objective in [(nb, q["id"], q["objective"]) for nb, q in questions] + \
                                  [(nb, qid, "") for nb, qid in extra]:
            records = sorted(by_q.get((nb, qid), []), key=lambda a: a["attempt"])
            outcome = outcomes[(nb, qid)] = question_outcome(records)
            checked = _checked(records)
            latest = checked[-1] if checked else None
            if latest is not None and not latest["correct"]:
                for tag in latest["misconceptions"]:
                    holders.setdefault(tag, set()).add(student_key(name))
            grades.append([name, nb, qid, objective, outcome.outcome, outcome.describe(), outcome.tries,
                           len(checked), _num(outcome.credit), _yes_no(outcome.shown) if records else "",
                           _yes_no(latest["correct"]) if latest else "",
                           _num(max(a["score"] for a in checked)) if checked else ""])
        records = [a for a in students[name].attempts if (a["notebook"], a["question_id"]) in known]
        lessons = [(nb, bank.ids) for nb, bank in course.banks.items()]
        lessons.append((ALL_LESSONS, [q["id"] for _nb, q in questions]))
        for nb, ids in lessons:
            mine = records if nb == ALL_LESSONS else [a for a in records if a["notebook"] == nb]
            score = notebook_score(ids, mine)
            answered = score.total - score.counts.get("unanswered", 0)
            percent = 100 * score.credit / score.total if score.total else 0.0
            totals.append([name, nb, score.total, answered] + [score.counts.get(o, 0) for o in OUTCOMES]
                          + [score.right, _num(score.credit), f"{percent:.1f}"])
        for obj_id, obj in course.objectives.items():
            ids = [(nb, q["id"]) for nb, q in questions if q["objective"] == obj_id]
            got = [outcomes[k] for k in ids]
            answered = sum(1 for o in got if o.outcome != "unanswered")
            right = sum(1 for o in got if o.outcome in ("first-try", "after-retries"))
            credit = sum(o.credit for o in got)
            objectives.append([name, obj["notebook"], obj_id, len(ids), answered, right, _num(credit),
                               _num(credit / len(ids) if ids else 0.0)])
    tags = list(course.misconceptions) + sorted(t for t in holders if t not in course.misconceptions)
    misconceptions = [[tag, len(holders.get(tag, ())), course.misconceptions.get(tag, {}).get("belief", "")]
                      for tag in tags]
    misconceptions.sort(key=lambda r: -r[1])  # stable: course order among equals
    return {
        "grades": (GRADES_HEADER, grades),
        "totals": (TOTALS_HEADER, totals),
        "objectives": (OBJECTIVES_HEADER, objectives),
        "misconceptions": (MISCONCEPTIONS_HEADER, misconceptions),
        "cases": case_table(students, getattr(course, "root", None)),
    }


def case_table(students: dict, root=None) -> tuple[list[str], list[list]]:
    """Lesson 07's clinical cases: one row per student and case (issue 15): play-throughs started and finished,
    and for the first finished one (the one graded) safe, efficient, correct diagnosis (1/0), score (0–1) and
    outcome (good, delayed, harm), then the latest finished one's score and outcome."""
    from ..quiz.cases import CASE_TABLE_HEADER, case_table_rows

    rows = []
    for name in sorted(students, key=student_key):
        rows += case_table_rows(name, students[name].attempts, root)
    return CASE_TABLE_HEADER, rows
