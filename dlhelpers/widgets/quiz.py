"""A reusable multiple-choice quiz with instant feedback, for the end of every unit.

Three layers: :class:`~dlhelpers.widgets.quiz_state.QuizState` records the answers (indices),
:mod:`dlhelpers.viz.quiz` turns them into HTML, and :class:`Quiz` wires one radio group and one
Check button per question.
"""
from __future__ import annotations

import html

import ipywidgets as W

from ..viz.quiz import feedback_html, question_html, quiz_font_size, quiz_html, score_html
from .base import WidgetShell
from .quiz_state import QuizState

__all__ = ["Quiz"]


class Quiz(WidgetShell):
    """One radio group, a Check button and a feedback line per question, and a running score.

    Args:
        questions: a list of :class:`~dlhelpers.widgets.quiz_state.Question` (or dicts of its fields).
        title: heading above the questions.
        large: projector-sized text (22 px instead of 15 px) for presenting in class.

    Each radio group's ``value`` is the option's *index* (its ``label`` is the text), so two
    options can never be confused. :meth:`select` accepts an index or the exact text.

    Example:
        >>> from dlhelpers.widgets.quiz_bank import QUIZZES
        >>> quiz = Quiz(QUIZZES["unit1"], title="Unit I self-check")   # doctest: +SKIP
        >>> quiz.select(0, "Mean squared error"); quiz.buttons[0].click()  # doctest: +SKIP
    """

    def __init__(self, questions, title: str = "Self-check", large: bool = False):
        self.state = QuizState(questions, title=title)
        self.large = bool(large)
        self.title = f"Quiz: {self.state.title}"
        font = quiz_font_size(self.large)
        # radio labels have no font-size trait: a class on the box plus one scoped CSS rule sizes them
        css = (f"<style>.dl-quiz-large .widget-radio-box label {{font-size:{font}px;line-height:1.5;"
               "height:auto}</style>") if self.large else ""
        self.heading = W.HTML(f'{css}<div style="font-size:{round(font * 1.3)}px;font-weight:bold">'
                              f'{html.escape(self.state.title)}</div>')
        self.prompts: list[W.HTML] = []
        self.choices: list[W.RadioButtons] = []
        self.buttons: list[W.Button] = []
        self.feedback: list[W.HTML] = []
        rows = [self.heading]
        for i, q in enumerate(self.state.questions):
            prompt = W.HTML(question_html(i + 1, q, self.large), layout=W.Layout(width="100%"))
            radio = W.RadioButtons(options=[(text, j) for j, text in enumerate(q.options)], value=None,
                                   layout=W.Layout(width="auto"))
            button = W.Button(description="Check", tooltip=f"check your answer to question {i + 1}",
                              layout=W.Layout(width="auto", height="auto", padding="0 1.5em"))
            button.style.font_size = f"{font}px"
            fb = W.HTML(layout=W.Layout(width="100%"))
            button.on_click(lambda _, i=i: self.check(i))
            self.prompts.append(prompt)
            self.choices.append(radio)
            self.buttons.append(button)
            self.feedback.append(fb)
            rows.append(W.VBox([prompt, radio, W.HBox([button]), fb]))
        self.score = W.HTML(score_html(self.state.summary(), self.large))
        rows.append(self.score)
        self.widget = W.VBox(rows)
        if self.large:
            self.widget.add_class("dl-quiz-large")

    def select(self, q: int, option) -> None:
        """Pick ``option`` (index or exact text) in question ``q``'s radio group, as a click would."""
        idx = self.state.question(q).index_of(option)
        self.choices[q].value = idx

    def check(self, q: int):
        """What the Check button of question ``q`` does: record the picked option and show the feedback.

        Returns:
            the :class:`~dlhelpers.widgets.quiz_state.Feedback`.
        """
        fb = self.state.answer(q, self.choices[q].value)
        self.feedback[q].value = feedback_html(self.state.questions[q], fb.chosen, fb.correct, self.large)
        self.score.value = score_html(self.state.summary(), self.large)
        return fb

    def snapshot_html(self) -> str:
        return quiz_html(self.state, self.large)
