"""Answers survive a kernel restart and a page reload, and "where you left off" counts them.

In the start notebook: answer one question wrongly and another rightly (by
clicking), then Kernel > Restart Kernel…, reload the page, Run All again, and
read the start notebook's progress dashboard (``.iliopsoas-progress``): for
every bank answered in this browser session (here and by the other browser
tests, which share the server and its fresh progress store) the row shows the
number of questions answered and right, and the misconception of the wrong
answer is listed.  The quiz's score line counts the right answers again too.
"""
from __future__ import annotations

from browser_helpers import (PLANS, PREFERRED_TYPES, QUIZ, START, VERDICT_RIGHT, VERDICT_WRONG, check_and_read,
                             give_answer, load_bank, norm, right_answer, wrong_answer)
from labdriver import NotebookPage

START_PLAN = next((p for p in PLANS if p.slug == START), None)


def by_preference(questions):
    rank = {t: i for i, t in enumerate(PREFERRED_TYPES)}
    return sorted(questions, key=lambda sq: (rank.get(sq[1]["type"], 99), questions.index(sq)))


def dashboard_row(nb, slug: str) -> dict | None:
    """What the row of lesson ``slug`` in "where you left off" shows (docs/CONTRACTS.md, DOM classes)."""
    row = nb.panel.locator(f".iliopsoas-progress.jupyter-widgets .iliopsoas-progress-row-{slug}")
    if not row.count():
        return None
    answered_cell, right_cell = row.locator(".iliopsoas-progress-answered"), row.locator(".iliopsoas-progress-right")
    shown = {"answered_text": norm(answered_cell.inner_text()), "right_text": norm(right_cell.inner_text())}
    prefix = "iliopsoas-misconception-"
    tags = [cls[len(prefix):] for m in row.locator(f"[class*={prefix}]").all()
            for cls in (m.get_attribute("class") or "").split() if cls.startswith(prefix)]
    return {"answered": int(answered_cell.get_attribute("data-answered")),
            "total": int(answered_cell.get_attribute("data-total")),
            "right": int(right_cell.get_attribute("data-right")), "misconceptions": tags, **shown}


def answer_by_clicking(nb, question, answer, verdict, new=False):
    """Give ``answer`` to ``question`` in the page, press Check, and expect ``verdict``.

    ``new``: wait for feedback different from what is shown (a quiz shows the last saved answer's
    result when it is built, so a changed answer must replace it)."""
    box = nb.panel.locator(f"{QUIZ} .iliopsoas-q-{question['id']}").first
    box.scroll_into_view_if_needed()
    give_answer(nb.page, box, answer)
    feedback, _ = check_and_read(nb.page, box, new=new)
    assert feedback.startswith(verdict), feedback


def test_answers_survive_restart_and_reload(lab, browser_context, answer_log):
    assert START_PLAN is not None and START_PLAN.quizzes, "the start notebook must show a quiz"
    questions = by_preference(START_PLAN.questions())
    (wrong_slug, wrong_q) = questions[0]
    (right_slug, right_q) = questions[1] if len(questions) > 1 else questions[0]

    nb = NotebookPage(browser_context, lab, START_PLAN.relpath).open()
    try:
        nb.run_all()
        assert nb.wait_for_count(".iliopsoas-progress.jupyter-widgets", 1) == 1, "no live progress dashboard"
        assert nb.wait_for_count(QUIZ, len(START_PLAN.quizzes)) == len(START_PLAN.quizzes)

        answer_by_clicking(nb, right_q, right_answer(right_q), VERDICT_RIGHT)
        answer_log[(right_slug, right_q["id"])] = True
        if wrong_q is not right_q:
            answer_by_clicking(nb, wrong_q, wrong_answer(wrong_q), VERDICT_WRONG, new=True)
            answer_log.setdefault((wrong_slug, wrong_q["id"]), False)  # right once stays right (scoring.py)

        nb.restart_kernel()
        nb.reload()
        nb.run_all()
        assert nb.wait_for_count(".iliopsoas-progress.jupyter-widgets", 1) == 1, "no live progress dashboard"
        nb.wait_for_count(QUIZ, len(START_PLAN.quizzes))
        errors = nb.errors()
        assert not errors, "\n".join(errors)
        expected = {}
        for (slug, _qid), ok in answer_log.items():
            entry = expected.setdefault(slug, {"answered": 0, "right": 0})
            entry["answered"] += 1
            entry["right"] += bool(ok)
        rows = {}
        for slug, want in expected.items():
            got = rows[slug] = dashboard_row(nb, slug)
            assert got is not None, f"no row for {slug} in 'where you left off'"
            total = len(load_bank(slug)["questions"])
            assert (got["answered"], got["right"], got["total"]) == (want["answered"], want["right"], total), (
                f"{slug}: dashboard shows {got['answered']}/{got['total']} answered, {got['right']} right; "
                f"this browser session answered {want['answered']}/{total}, {want['right']} right")
            assert got["answered_text"] == f"{want['answered']} / {total}", got
            assert got["right_text"] == str(want["right"]), got

        wrong_tags = [c.get("misconception") for c in wrong_q.get("choices", []) if c.get("misconception")]
        if wrong_q["type"] == "truefalse" and wrong_q.get("misconception"):
            wrong_tags = [wrong_q["misconception"]]
        if wrong_q is not right_q and wrong_q["type"] in ("single", "truefalse") and wrong_tags:
            assert wrong_tags[0] in rows[wrong_slug]["misconceptions"], rows[wrong_slug]

        score = norm(" ".join(nb.panel.locator(f"{QUIZ} .iliopsoas-score").all_inner_texts()))
        right_here = expected.get(START, {}).get("right", 0)
        assert f"{right_here} / {len(load_bank(START)['questions'])}" in score, score
    finally:
        nb.close()

