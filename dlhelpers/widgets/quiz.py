"""A reusable multiple-choice quiz with instant feedback, for the end of every unit."""
from __future__ import annotations

import ipywidgets as W

from .quiz_state import Question, QuizState

__all__ = ["Quiz"]


class Quiz:
    """One radio group, a Check button and a feedback line per question, and a running score.

    Example:
        >>> from dlhelpers.widgets.quiz_bank import QUIZZES
        >>> quiz = Quiz(QUIZZES["unit1"], title="Unit I self-check")   # doctest: +SKIP
    """

    def __init__(self, questions, title="Self-check"):
        questions = [q if isinstance(q, Question) else Question(**q) for q in questions]
        if not questions:
            raise ValueError("questions must be a non-empty list for Quiz; got []. Pass Question objects.")
        self.state = QuizState(questions, title=title)
        self.choices, self.buttons, self.feedback = [], [], []
        rows = [W.HTML(f"<h3>{title}</h3>")]
        for i, q in enumerate(questions):
            radio = W.RadioButtons(options=list(q.options), value=None, layout=W.Layout(width="auto"))
            button = W.Button(description="Check")
            fb = W.HTML()
            button.on_click(lambda _, i=i: self._check(i))
            self.choices.append(radio)
            self.buttons.append(button)
            self.feedback.append(fb)
            rows.append(W.VBox([W.HTML(f"<b>{i + 1}. {q.prompt}</b>"), radio, W.HBox([button, fb])]))
        self.score = W.HTML(f"<i>0 of {len(questions)} correct so far.</i>")
        rows.append(self.score)
        self.widget = W.VBox(rows)

    def _check(self, i):
        _, fb = self.state.answer(i, self.choices[i].value)
        self.feedback[i].value = fb
        self.score.value = f"<i>{self.state.summary()}</i>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
