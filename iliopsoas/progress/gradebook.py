"""The gradebook: students' progress exports merged into tables for the instructor.

    merge_students(exports) -> ({student name: Export}, notes)     raises GradebookError
    gradebook_tables(students, course) -> {"grades" | "objectives" | "misconceptions": (header, rows)}

Two exports for the same student (names compared ignoring case and spaces): if
one holds every attempt of the other (the student exported twice), the larger
one is used and a note says so; otherwise ``merge_students`` refuses, naming
both files, because two different people with one name, or one person's two
computers, cannot be told apart safely.
"""
from __future__ import annotations

from ..csvfiles import safe_cell


class GradebookError(ValueError):
    """Exports that cannot be merged; the message names the files and what to do."""


def student_key(name: str) -> str:
    """How student names are compared: spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


def _attempt_key(a: dict) -> tuple:
    return (a["notebook"], a["question_id"], a["attempt"], a["timestamp"])


def merge_students(exports) -> tuple[dict, list[str]]:
    """{student name: Export}, and notes; raises GradebookError for conflicting duplicates or no name."""
    problems, notes, chosen = [], [], {}
    for exp in exports:
        if not exp.student:
            problems.append(f"{exp.path}: has no student name (a backup, or an export made without "
                            "--student?); export again with --student \"Name\"")
            continue
        key = student_key(exp.student)
        if key not in chosen:
            chosen[key] = exp
            continue
        old = chosen[key]
        mine, theirs = {_attempt_key(a) for a in exp.attempts}, {_attempt_key(a) for a in old.attempts}
        if mine <= theirs or theirs <= mine:
            keep, drop = (old, exp) if theirs >= mine else (exp, old)
            chosen[key] = keep
            notes.append(f"Note: {drop.path} and {keep.path} are both for {exp.student!r}; the first holds "
                         f"nothing the second lacks, so {keep.path} is used.")
        else:
            problems.append(f"{old.path} and {exp.path} are both for student {exp.student!r} but hold "
                            "different answers. If they are two people, ask one to export again with a "
                            "different --student name; if one person used two computers, grade the "
                            "exports separately. Nothing was written.")
    if problems:
        raise GradebookError("\n".join(problems))
    return {" ".join(exp.student.split()): exp for exp in chosen.values()}, notes


def _yes_no(value) -> str:
    return "" if value is None else ("1" if value else "0")


def _num(x: float) -> str:
    return f"{round(x, 3):g}"


def gradebook_tables(students: dict, course) -> dict[str, tuple[list[str], list[list]]]:
    """The three tables: grades (student × question), objectives (student × objective), misconceptions."""
    questions = [(nb, q) for nb, bank in course.banks.items() for q in bank.questions]
    known = {(nb, q["id"]) for nb, q in questions}
    grades, objectives = [], []
    holders: dict[str, set] = {}
    for name in sorted(students, key=student_key):
        by_q: dict[tuple, list[dict]] = {}
        for a in students[name].attempts:
            by_q.setdefault((a["notebook"], a["question_id"]), []).append(a)
        extra = sorted(k for k in by_q if k not in known)  # questions no longer in the banks
        latest_right: dict[tuple, bool] = {}
        for nb, qid, objective in [(nb, q["id"], q["objective"]) for nb, q in questions] + \
                                  [(nb, qid, "") for nb, qid in extra]:
            tries = sorted(by_q.get((nb, qid), []), key=lambda a: a["attempt"])
            if tries:
                first, last = tries[0], tries[-1]
                latest_right[(nb, qid)] = last["correct"]
                if not last["correct"]:
                    for tag in last["misconceptions"]:
                        holders.setdefault(tag, set()).add(student_key(name))
                grades.append([safe_cell(name), nb, qid, objective, len(tries), _yes_no(first["correct"]),
                               _yes_no(last["correct"]), _num(max(a["score"] for a in tries))])
            else:
                grades.append([safe_cell(name), nb, qid, objective, 0, "", "", ""])
        for obj_id, obj in course.objectives.items():
            ids = [(nb, q["id"]) for nb, q in questions if q["objective"] == obj_id]
            answered = sum(1 for k in ids if k in latest_right)
            right = sum(1 for k in ids if latest_right.get(k))
            score = right / len(ids) if ids else 0.0
            objectives.append([safe_cell(name), obj["notebook"], obj_id, len(ids), answered, right, _num(score)])
    tags = list(course.misconceptions) + sorted(t for t in holders if t not in course.misconceptions)
    misconceptions = [[tag, len(holders.get(tag, ())), course.misconceptions.get(tag, {}).get("belief", "")]
                      for tag in tags]
    misconceptions.sort(key=lambda r: -r[1])  # stable: course order among equals
    return {
        "grades": (["student", "notebook", "question", "objective", "attempts", "first_try_correct",
                    "latest_correct", "best_score"], grades),
        "objectives": (["student", "notebook", "objective", "questions", "answered", "right",
                        "score"], objectives),
        "misconceptions": (["misconception", "students", "belief"], misconceptions),
    }
