"""Words in and under the figures are for the people who read them (issue 10, "Words").

Captions, readouts and alt texts never show the course's internal file paths; every number in a
readout carries a unit a physiotherapy student uses (or is a vertebral level, a count of people,
a year in a citation or a lesson number); no figure marks a "no" with a tick; captions that state a
figure cite it, and the numbers of the course's own models cite the course's own key.
"""
from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import evidence_language as ev  # noqa: E402
from labdriver import diagram_classes  # noqa: E402

CLASSES, FAILURES = diagram_classes()
REFS = ev.load_references(ROOT)

#: A course file path, or a data file named by its extension.
PATH = re.compile(r"\b(?:assets|quizzes|notebooks|iliopsoas|tools|tests|docs)/|\b[\w-]+\.(?:ya?ml|json|py|ipynb)\b")
UNITS = ("°", "mm", "cm", "N·m", "N", "%", "kg")
#: A number, and what may legitimately follow it without a unit.
NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?")
NOT_A_QUANTITY = re.compile(
    r"^\s*(?:–\s*[−-]?\d+(?:\.\d+)?\s*)?(?:°|mm|cm|N·m|N\b|%|kg|min\b|s\b|days?\b|weeks?\b|months?\b|elite|athletes|people|men|women|patients|"
    r"hips|cadavers|studies|trials|players)")
#: A likelihood ratio is a ratio without a unit (lesson 04's test-accuracy explorer): "LR+ 0.74", "LR− is below 1".
DIMENSIONLESS_BEFORE = re.compile(r"\bLR\s?[+−-](?:\s(?:is\s)?(?:below|above|of|about|near))?\s$")
#: Unitless by nature: a count out of a total ("2 of 3", "21 in 100", "per 100"), a 0-10 pain score ("3/10"),
#: and ratio statistics with their intervals ("odds ratio 0.59 (95% CI 0.40 to 0.86)").
OUT_OF = re.compile(r"^\s?(?:/\s?10\b|of (?:\d|the\b)|in 100\b)")
RATIO_CONTEXT = re.compile(r"(?:\b(?:odds|risk|rate|hazard) ratio|\bOR|\bRR|\bIRR|\bHR|\bCI)\b(?:(?!\.\s)[^;]){0,30}$")
#: The total after a count: "2 of 3", "7 people in 100", "pain 3/10", "per 100".
OUT_OF_BEFORE = re.compile(r"(?:(?:\d|people|players)\s(?:of|in)\s|/|\bper\s)$")


def states(diagram, limit=60):
    """Every combination of the diagram's menu and checkbox values, and each slider at both ends and midway."""
    choices = []
    for control in diagram.controls.values():
        kind = type(control).__name__
        if kind in ("IntSlider", "FloatSlider"):
            choices.append([control.min, (control.min + control.max) // 2 if kind == "IntSlider"
                            else (control.min + control.max) / 2, control.max])
        elif hasattr(control, "options") and control.options:
            choices.append([o[1] if isinstance(o, tuple) else o for o in control.options])
        else:
            choices.append([False, True])
    names = list(diagram.controls)
    return [dict(zip(names, combo)) for combo in itertools.islice(itertools.product(*choices), limit)]


def unitless_numbers(text):
    """Numbers in a text that carry no unit and are not a level, a citation year, a lesson or a count."""
    bad = []
    for m in NUMBER.finditer(text):
        before, after = text[max(0, m.start() - 2):m.start()], text[m.end():]
        if re.search(r"[LTSC]$", before) or before.endswith(("L", "T", "S")):
            continue                                                   # L5–S1, T12
        if re.match(r"(?:1[89]|20)\d\d$", m.group()) and re.search(r"[A-Za-z()&.,]\s?$", text[:m.start()]):
            continue                                                   # a year in a citation
        if re.fullmatch(r"0\d", m.group()) or text[:m.start()].endswith(("phase ", "Phase ")) \
                or after.startswith("+"):
            continue                                                   # lesson and phase numbers; "FIFA 11+"
        if OUT_OF_BEFORE.search(text[:m.start()]) or OUT_OF.match(after) \
                or RATIO_CONTEXT.search(text[:m.start()]):
            continue                                                   # counts out of a total, scores, ratios
        if DIMENSIONLESS_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
            continue                                                   # a likelihood ratio: no unit
        if NOT_A_QUANTITY.match(after) or re.match(r"\s?(?:and|to|or)\s[−-]?\d+(?:\.\d+)?\s?(?:°|mm|cm|N·m|N\b|%)",
                                                     after):
            continue
        bad.append(text[max(0, m.start() - 20):m.end() + 15])
    return bad


def test_the_diagrams_are_found():
    assert not FAILURES and len(CLASSES) >= 5


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_captions_readouts_and_alt_texts_show_no_file_paths_and_numbers_carry_units(cls):
    diagram = cls()
    assert not PATH.search(diagram.caption), diagram.caption
    for state in states(diagram):
        diagram.set(**state)
        readout, alt = diagram.readout(diagram.state()), diagram.alt(diagram.state())
        for text in (readout, alt):
            assert not PATH.search(text), text
        assert unitless_numbers(readout) == [], (state, unitless_numbers(readout))


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_no_figure_ticks_a_no(cls):
    diagram = cls()
    for state in states(diagram, limit=24):
        diagram.set(**state)
        for text in diagram.figure.findobj(lambda a: hasattr(a, "get_text")):
            words = text.get_text()
            assert "✓" not in words or not re.search(r"\bno\b", words, re.I), words


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_every_figure_in_a_caption_is_cited(cls):
    problems = ev.check_prose(cls().caption, cls.__name__, REFS, markdown=False)
    assert problems == [], "\n".join(map(str, problems))


def test_the_static_anatomy_and_pain_figures_show_no_file_paths():
    from iliopsoas import anatomy_figure
    from iliopsoas.figures.painmap import PainMap

    figure = anatomy_figure("anterior", highlight="psoas_major")
    html = figure._repr_mimebundle_()["text/html"] if hasattr(figure, "_repr_mimebundle_") else figure._repr_html_()
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    assert "Gray 1918" in caption and not PATH.search(caption)
    assert not PATH.search(PainMap().caption)


def test_the_path_and_unit_checks_can_fail():
    assert PATH.search("drawn from assets/pain-regions.yml") and PATH.search("see landmarks.yml")
    assert unitless_numbers("moment arms 39 and 39") != []
    assert unitless_numbers("lever 0.05 at L5–S1 (Bogduk 1992)") != []
    assert unitless_numbers("psoas 261 mm long at L5–S1 (Harvey 1998), lesson 03, 117 elite athletes") == []
    assert unitless_numbers("so LR+ 0.74 and LR− 1.19. Here LR+ is below 1; 1670 patients in 22 studies") == []
    assert unitless_numbers("sensitivity 0.32 and a ratio of 4") != []
    assert unitless_numbers("odds ratio 0.59 (95% CI 0.40 to 0.86), 2 of 3 criteria, pain 3/10, 21 people per 100") == []
    assert unitless_numbers("the phase lasts 6 and the ratio of the two") != []
    assert unitless_numbers("move on to phase 2, FIFA 11+ warm-up") == [] and unitless_numbers("11 players in phase") == []
