"""The notebook API: the calls lesson cells make, wired to the pieces that do the work.

``from iliopsoas import show_quiz`` lands here.  The quiz package does not draw
(it is independent of the figures); this module plugs the anatomy marker
figures into the quiz for label questions, so both layers stay separate.
"""
from __future__ import annotations


def marker_figure(view: str, structures):
    """The numbered-marker anatomy figure of a label question (drawn on first use)."""
    from .figures.anatomy import marker_figure as draw

    return draw(view, structures)


def show_quiz(notebook: str, ids=None, shuffle=True, seed=None, store=None):
    """Show questions of ``quizzes/<notebook>.yml`` (all, or those in ``ids``) as a quiz.

    See :func:`iliopsoas.quiz.widgets.show_quiz`; label questions get their anatomy pictures.
    """
    from .quiz import widgets

    widgets.set_label_figures(marker_figure)
    return widgets.show_quiz(notebook, ids=ids, shuffle=shuffle, seed=seed, store=store)


# --------------------------------------------------------------------------- clinical cases (lesson 07, issue 15)

def case_figure(name: str, args: dict):
    """Draw a case step's course figure as a ``FigureDisplay`` (PNG, alt text, caption).

    ``name`` is one of ``iliopsoas.quiz.cases.FIGURES`` (``anatomy_figure``, ``pain_map``,
    ``thomas_test_simulator``) and ``args`` its keyword arguments; an interactive diagram is drawn in the
    given state.  Raises KeyError for an unknown name and the figure's own ValueError for a bad argument.
    """
    from .figures.style import FigureDisplay

    args = dict(args or {})
    if name == "anatomy_figure":
        from .figures.anatomy import anatomy_figure

        return anatomy_figure(**args)
    if name == "pain_map":
        from .figures.painmap import PainMap

        diagram = PainMap(**args)
    elif name == "thomas_test_simulator":
        from .figures.thomas_simulator import ThomasTestSimulator

        diagram = ThomasTestSimulator(**args)
    else:
        raise KeyError(f"no case figure {name!r}")
    state = diagram.state()
    return FigureDisplay(diagram.png, diagram.alt(state), diagram.caption)


def show_case(notebook: str, case_id: str, store=None):
    """Play the clinical case ``quizzes/cases/<case_id>.yml`` of lesson ``notebook``.

    See :func:`iliopsoas.quiz.case_player.show_case`; steps get their course figures.
    """
    from .quiz import case_player

    case_player.set_case_figures(case_figure)
    return case_player.show_case(notebook, case_id, store=store)
