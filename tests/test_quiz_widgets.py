"""Quiz widgets: clicks, feedback, hints, retries, scores, recording and escaping."""
from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest
import yaml

from iliopsoas.quiz import widgets as quiz_module
from iliopsoas.api import show_quiz

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
REAL_LOAD_FIGURE = quiz_module.load_figure


class FakeStore:
    """Records attempts like iliopsoas.progress.store's ProgressStore."""

    def __init__(self, earlier=()):
        self.calls = []
        self.earlier = list(earlier)

    def record(self, notebook, question_id, answer, correct, score, misconceptions):
        n = 1 + sum(c["question_id"] == question_id for c in self.calls)
        call = dict(notebook=notebook, question_id=question_id, answer=answer, correct=correct,
                    score=score, misconceptions=list(misconceptions), attempt=n)
        self.calls.append(call)
        return types.SimpleNamespace(**call)

    def attempts(self, notebook=None, question_id=None):
        rows = [types.SimpleNamespace(**c) for c in self.earlier + self.calls]
        return [r for r in rows if notebook in (None, r.notebook) and question_id in (None, r.question_id)]


class BrokenStore(FakeStore):
    def record(self, *args, **kwargs):
        raise OSError("disk full")


COMMON = {"objective": "w-obj", "sources": ["gray1918", "lifshitz2020"], "explanation": "Because **so**."}
BANK = {
    "notebook": "90-widgets",
    "title": "Widget test bank",
    "objectives": [{"id": "w-obj", "text": "Test the widgets."}],
    "questions": [
        {"id": "w-single", "type": "single", "prompt": "Which two muscles?", **COMMON,
         "hints": ["First hint.", "Second hint."],
         "choices": [{"text": "Psoas major and iliacus", "correct": True, "feedback": "Yes indeed."},
                     {"text": "Psoas major and psoas minor", "feedback": "Minor is often absent.",
                      "misconception": "psoas-minor-always-present"},
                     {"text": "Iliacus alone", "feedback": "Only part."}]},
        {"id": "w-multiple", "type": "multiple", "prompt": "Pick A and B.", **COMMON,
         "choices": [{"text": "A", "correct": True, "feedback": "A fb."},
                     {"text": "B", "correct": True, "feedback": "B fb."},
                     {"text": "C", "feedback": "C fb.", "misconception": "rotation-settled"}]},
        {"id": "w-tf", "type": "truefalse", "prompt": "Greater trochanter?", **COMMON, "answer": False,
         "feedback": {"true": "No.", "false": "Right."}, "misconception": "inserts-greater-trochanter"},
        {"id": "w-num", "type": "numeric", "prompt": "How many mm?", **COMMON,
         "answer": 12, "tolerance": 1, "unit": "mm"},
        {"id": "w-match", "type": "matching", "prompt": "Match.", **COMMON,
         "pairs": [{"left": "Psoas major", "right": "Spine"}, {"left": "Iliacus", "right": "Pelvis"}],
         "distractors": ["Femur"]},
        {"id": "w-order", "type": "ordering", "prompt": "Order.", **COMMON, "items": ["one", "two", "three"]},
        {"id": "w-label", "type": "label", "prompt": "Name the markers.", **COMMON, "figure": "anterior",
         "markers": [{"structure": "psoas_major", "answer": "Psoas major"},
                     {"structure": "iliacus", "answer": "Iliacus"}], "distractors": ["Sartorius"]},
    ],
}


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A tmp course holding the widget test bank."""
    root = tmp_path / "course"
    (root / "quizzes").mkdir(parents=True)
    (root / "assets").mkdir()
    shutil.copy(ROOT / "assets" / "references.yml", root / "assets")
    shutil.copy(ROOT / "quizzes" / "misconceptions.yml", root / "quizzes")
    (root / "quizzes" / "90-widgets.yml").write_text(yaml.safe_dump(BANK, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("ILIOPSOAS_COURSE_ROOT", str(root))
    fake = types.SimpleNamespace(png=b"\x89PNG\r\n\x1a\nfake", alt="Front view with markers 1 and 2.")
    monkeypatch.setattr(quiz_module, "load_figure", lambda view, structures: (fake, ""))
    return root


def show(ids=None, store=None, **kw):
    store = store if store is not None else FakeStore()
    qz = show_quiz("90-widgets", ids=ids, store=store, **kw)
    assert isinstance(qz, quiz_module.Quiz), qz
    return qz, store


def pick(view, text):
    """Select the radio option with this label."""
    radio = view.inputs[0]
    radio.value = dict(radio.options)[text]


def test_classes_and_buttons_follow_the_dom_contract(course):
    qz, _ = show()
    assert "iliopsoas-quiz" in qz.widget._dom_classes
    assert "iliopsoas-score" in qz.score._dom_classes
    for qid, view in qz.views.items():
        assert {"iliopsoas-question", f"iliopsoas-q-{qid}"} <= set(view.box._dom_classes)
        assert "iliopsoas-check" in view.check_button._dom_classes
        assert view.check_button.description == "Check"
        assert "iliopsoas-hint" in view.hint_button._dom_classes
        assert "iliopsoas-feedback" in view.feedback._dom_classes
        assert "iliopsoas-explanation" in view.explanation._dom_classes
        for widget in view.inputs:
            assert widget.description, f"{qid}: every input has a name for screen readers"


def test_single_right_answer_shows_feedback_explanation_sources_and_records(course):
    qz, store = show(ids=["w-single"])
    view = qz.views["w-single"]
    assert view.inputs[0].value is None, "nothing is selected at first"
    pick(view, "Psoas major and iliacus")
    view.check_button.click()
    assert view.feedback.value.startswith('<p class="iliopsoas-verdict"><strong>✓ Correct')
    assert "Yes indeed." in view.feedback.value
    assert "Because <strong>so</strong>." in view.explanation.value
    assert "Sources: " in view.explanation.value
    assert 'href="https://doi.org/10.1249/JSR.0000000000000723"' in view.explanation.value
    assert store.calls == [dict(notebook="90-widgets", question_id="w-single", answer=0, correct=True,
                                score=1.0, misconceptions=[], attempt=1)]


def test_wrong_then_retry_shows_attempt_numbers_and_misconceptions(course):
    qz, store = show(ids=["w-single"])
    view = qz.views["w-single"]
    pick(view, "Psoas major and psoas minor")
    view.check_button.click()
    assert "✗ Not quite" in view.feedback.value and "(attempt 1)" in view.feedback.value
    assert "Minor is often absent." in view.feedback.value
    pick(view, "Psoas major and iliacus")
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value and "(attempt 2)" in view.feedback.value
    assert [(c["answer"], c["correct"], c["misconceptions"]) for c in store.calls] == [
        (1, False, ["psoas-minor-always-present"]), (0, True, [])]


def test_empty_answer_asks_to_choose_and_records_nothing(course):
    qz, store = show(ids=["w-single", "w-match"])
    for view in qz.views.values():
        view.check_button.click()
        assert "Please choose" in view.feedback.value
        assert "✓" not in view.feedback.value and "✗" not in view.feedback.value
    assert store.calls == []


def test_hints_are_revealed_one_at_a_time_then_the_button_disables(course):
    qz, _ = show(ids=["w-single", "w-tf"])
    view = qz.views["w-single"]
    assert view.hint_area.value == "" and not view.hint_button.disabled
    view.hint_button.click()
    assert "First hint." in view.hint_area.value and "Second hint." not in view.hint_area.value
    assert not view.hint_button.disabled
    view.hint_button.click()
    assert "Second hint." in view.hint_area.value
    assert view.hint_button.disabled
    assert qz.views["w-tf"].hint_button.disabled, "a question without hints has a disabled hint button"


def test_multiple_partial_feedback_and_answer_in_file_order(course):
    qz, store = show(ids=["w-multiple"])
    view = qz.views["w-multiple"]
    for cb in view.inputs:
        cb.value = cb.description in ("B", "C")
    view.check_button.click()
    assert "◐ Partly right" not in view.feedback.value  # 1 right - 1 wrong = no credit
    assert "✗ Not quite" in view.feedback.value
    assert "You found 1 of the 2 right answers and picked 1 wrong one." in view.feedback.value
    assert "C fb." in view.feedback.value
    assert store.calls[-1]["answer"] == [1, 2]
    assert store.calls[-1]["misconceptions"] == ["rotation-settled"]
    for cb in view.inputs:
        cb.value = cb.description == "A"
    view.check_button.click()
    assert "◐ Partly right" in view.feedback.value and "50%" in view.feedback.value
    assert store.calls[-1]["score"] == 0.5


def test_truefalse_wrong_records_its_misconception(course):
    qz, store = show(ids=["w-tf"])
    view = qz.views["w-tf"]
    assert view.inputs[0].value is None
    view.inputs[0].value = True
    view.check_button.click()
    assert "✗ Not quite" in view.feedback.value
    assert store.calls[0]["answer"] is True and store.calls[0]["misconceptions"] == ["inserts-greater-trochanter"]


def test_numeric_enter_submits_and_typed_script_is_escaped(course):
    qz, store = show(ids=["w-num"])
    view = qz.views["w-num"]
    view.inputs[0].value = "<script>alert('x')</script>"  # what pressing Enter does
    assert "<script>" not in view.feedback.value
    assert "&lt;script&gt;" in view.feedback.value
    assert store.calls == [], "text that is not a number is not an attempt"
    view.inputs[0].value = "12 mm"
    assert "✓ Correct" in view.feedback.value
    view.check_button.click()  # the same answer again is not a second attempt
    assert [c["answer"] for c in store.calls] == ["12 mm"]
    view.inputs[0].value = "1,5"
    assert "Use a point for decimals" in view.feedback.value


class ClickWhileSaving(FakeStore):
    """While the typed answer is being saved, the Check click (sent by the same mouse press) arrives."""

    view = None

    def record(self, *args, **kwargs):
        call = super().record(*args, **kwargs)
        if self.view is not None and len(self.calls) == 1:
            self.view.check_button.click()
        return call


def test_a_check_click_arriving_while_the_typed_answer_is_saved_is_not_a_second_attempt(course):
    store = ClickWhileSaving()
    qz, _ = show(ids=["w-num"], store=store)
    view = store.view = qz.views["w-num"]
    view.inputs[0].value = "12"  # the box's new value (the blur of the Check click) checks it
    assert [c["answer"] for c in store.calls] == ["12"], "one answer, typed once, is one attempt"
    assert "(attempt 1)" in view.feedback.value and view.attempts == 1


def test_a_check_click_from_another_thread_while_saving_is_not_a_second_attempt(course):
    import threading
    import time

    class SlowStore(FakeStore):
        def record(self, *args, **kwargs):
            time.sleep(0.3)  # a slow disk: the click is handled meanwhile
            return super().record(*args, **kwargs)

    qz, store = show(ids=["w-num"], store=SlowStore())
    view = qz.views["w-num"]
    typed = threading.Thread(target=lambda: setattr(view.inputs[0], "value", "12"))
    typed.start()
    time.sleep(0.1)
    view.check_button.click()
    typed.join()
    assert [c["answer"] for c in store.calls] == ["12"]
    assert view.attempts == 1


def test_matching_per_item_feedback_and_recorded_answer(course):
    qz, store = show(ids=["w-match"])
    view = qz.views["w-match"]
    assert [dd.description for dd in view.inputs] == ["Psoas major", "Iliacus"]
    assert all(dd.value == "" and dd.label == "Choose…" for dd in view.inputs), "the placeholder shows"
    view.inputs[0].value = "Spine"
    view.inputs[1].value = "Femur"
    view.check_button.click()
    assert "◐ Partly right" in view.feedback.value
    assert "Iliacus</strong> → Femur is not right" in view.feedback.value
    assert store.calls[0]["answer"] == {"Psoas major": "Spine", "Iliacus": "Femur"}


def test_ordering_has_a_dropdown_per_step(course):
    qz, store = show(ids=["w-order"])
    view = qz.views["w-order"]
    assert [dd.description for dd in view.inputs] == ["Step 1", "Step 2", "Step 3"]
    options = [v for _, v in view.inputs[0].options if v]
    assert sorted(options) == ["one", "three", "two"] and options != ["one", "two", "three"]
    for dd, item in zip(view.inputs, ["one", "two", "three"]):
        dd.value = item
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value
    assert store.calls[0]["answer"] == ["one", "two", "three"]


def test_label_question_shows_figure_alt_text_and_marker_dropdowns(course):
    qz, store = show(ids=["w-label"])
    view = qz.views["w-label"]
    images = [c for c in descendants(view.box.children[1]) if c.__class__.__name__ == "Image"]
    assert images and bytes(images[0].value).startswith(b"\x89PNG")
    assert "Front view with markers 1 and 2." in qz.static_html()
    assert [dd.description for dd in view.inputs] == ["Marker 1", "Marker 2"]
    view.inputs[0].value = "Psoas major"
    view.inputs[1].value = "Iliacus"
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value
    assert store.calls[0]["answer"] == {"1": "Psoas major", "2": "Iliacus"}


def descendants(widget):
    """Every widget inside ``widget`` (depth first)."""
    for child in getattr(widget, "children", ()):
        yield child
        yield from descendants(child)


def test_label_question_puts_its_picture_in_a_column_of_its_own(course, monkeypatch):
    """Laptop layout: the picture (at most LABEL_PICTURE_MAX_HEIGHT_PX tall) goes in its own column
    beside the rest of the question; the course CSS turns the question into that grid."""
    import struct

    from iliopsoas.display import COURSE_CSS

    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 500, 710) + b"\x08\x02\x00\x00\x00"
    fake = types.SimpleNamespace(png=png, alt="Front view with markers 1 and 2.")
    monkeypatch.setattr(quiz_module, "load_figure", lambda view, structures: (fake, ""))
    qz, _ = show(ids=["w-label"])
    inputs = qz.views["w-label"].box.children[1]
    assert "iliopsoas-label-inputs" in inputs._dom_classes
    picture, choices = inputs.children
    assert "iliopsoas-label-picture" in picture._dom_classes and "iliopsoas-label-choices" in choices._dom_classes
    image = picture.children[0]
    height = 710 * int(image.layout.width.removesuffix("px")) / 500
    assert 0 <= quiz_module.LABEL_PICTURE_MAX_HEIGHT_PX - height < 710 / 500   # never taller; within a pixel of width
    assert list(choices.children) == qz.views["w-label"].inputs
    assert ":has(> .iliopsoas-label-inputs > .iliopsoas-label-picture)" in COURSE_CSS and "display: grid" in COURSE_CSS


def test_label_question_without_the_anatomy_module_degrades_with_a_message(course, monkeypatch):
    monkeypatch.setattr(quiz_module, "load_figure", REAL_LOAD_FIGURE)
    monkeypatch.setitem(sys.modules, "iliopsoas.figures.anatomy", None)  # import fails
    qz, _ = show(ids=["w-label"])
    view = qz.views["w-label"]
    text = " ".join(getattr(c, "value", "") for c in descendants(view.box.children[1])
                    if isinstance(getattr(c, "value", ""), str))
    assert "diagram for this question is not available" in text
    assert len(view.inputs) == 2


def test_score_line_counts_the_whole_bank_including_earlier_sessions(course):
    earlier = [dict(notebook="90-widgets", question_id="w-order", answer=["one", "two", "three"],
                    correct=True, score=1.0, misconceptions=[], attempt=1),
               dict(notebook="90-widgets", question_id="w-tf", answer=True, correct=False, score=0.0,
                    misconceptions=[], attempt=1),
               dict(notebook="01-other", question_id="w-num", answer="12", correct=True, score=1.0,
                    misconceptions=[], attempt=1)]
    store = FakeStore(earlier)
    qz, _ = show(ids=["w-single"], store=store)
    assert qz.score.value == ("<p><strong>Score for this notebook: 1 / 7 right (1 on the first try)"
                              " · 1 of 7 points</strong></p>")
    view = qz.views["w-single"]
    pick(view, "Iliacus alone")
    view.check_button.click()
    assert "Score for this notebook: 1 / 7 right (1 on the first try) · 1 of 7 points" in qz.score.value
    pick(view, "Psoas major and iliacus")
    view.check_button.click()
    assert ("Score for this notebook: 2 / 7 right (1 on the first try, 1 after more tries) · 1.5 of 7 points"
            in qz.score.value), "scoring.py: right after a retry is half a point"


def test_a_failing_store_still_shows_feedback(course):
    qz, _ = show(ids=["w-single"], store=BrokenStore())
    view = qz.views["w-single"]
    pick(view, "Psoas major and iliacus")
    view.check_button.click()
    assert "✓ Correct" in view.feedback.value
    assert "could not be saved" in view.feedback.value and "disk full" in view.feedback.value


def test_choice_order_is_shuffled_stably_by_question_id_and_seed(course):
    def order(**kw):
        qz, _ = show(ids=["w-single"], **kw)
        return [label for label, _ in qz.views["w-single"].inputs[0].options]

    assert order() == order()
    assert order(seed=3) == order(seed=3)
    seeds = {tuple(order(seed=s)) for s in range(8)}
    assert len(seeds) > 1, "the seed changes the order"
    assert order(shuffle=False) == ["Psoas major and iliacus", "Psoas major and psoas minor", "Iliacus alone"]


def test_mimebundle_has_widget_static_html_and_short_text(course):
    qz, _ = show()
    bundle = qz._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert bundle[WIDGET_VIEW]["model_id"] == qz.widget.model_id
    html = bundle["text/html"]
    assert "Which two muscles?" in html and "iliopsoas-q-w-single" in html
    assert '<details class="iliopsoas-answer-block"><summary>Show answer</summary>' in html
    assert html.count("<details") == len(BANK["questions"])
    assert "VBox" not in bundle["text/plain"] and "Widget test bank" in bundle["text/plain"]
    assert "VBox(" not in repr(qz)


def test_a_bad_bank_shows_an_error_box_not_a_traceback(course):
    data = dict(BANK)
    data["questions"] = [dict(BANK["questions"][0], sources=["nobody2020"])]
    (course / "quizzes" / "90-widgets.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    result = show_quiz("90-widgets", store=FakeStore())
    bundle = result._repr_mimebundle_()
    assert "iliopsoas-error" in bundle["text/html"]
    assert ("quizzes/90-widgets.yml: question &#x27;w-single&#x27;, field &#x27;sources&#x27;"
            in bundle["text/html"])
    assert "Traceback" not in bundle["text/plain"]
    assert "unknown source key 'nobody2020'" in bundle["text/plain"]


def test_unknown_ids_and_unknown_banks_show_error_boxes(course):
    assert "no question 'nope'" in show_quiz("90-widgets", ids=["nope"]).text()
    assert "no such question bank" in show_quiz("99-missing").text()


def test_real_warm_up_quiz_renders(monkeypatch):
    monkeypatch.delenv("ILIOPSOAS_COURSE_ROOT", raising=False)
    qz = show_quiz("00-start-here", store=FakeStore())
    assert isinstance(qz, quiz_module.Quiz)
    assert len(qz.views) == 6
    assert "Score for this notebook: 0 / 6 right · 0 of 6 points" in qz.score.value
