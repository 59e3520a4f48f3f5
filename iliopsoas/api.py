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
