"""Pure state of the quiz widget: questions, answers given and feedback (no ipywidgets)."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Question", "QuizState"]


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple
    answer: int                 # index into options
    explanation: str = ""

    def __post_init__(self):
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"answer must index one of the {len(self.options)} options for Question; "
                             f"got {self.answer}.")


@dataclass
class QuizState:
    """Answers given so far and the feedback for each; ``score()`` counts correct first tries too."""
    questions: list
    title: str = "Self-check"
    chosen: dict = field(default_factory=dict)
    attempts: dict = field(default_factory=dict)

    def answer(self, q: int, option) -> tuple[bool, str]:
        """Record an answer (an option index or its text) and return (correct, feedback HTML)."""
        if not 0 <= q < len(self.questions):
            raise ValueError(f"q must be in [0, {len(self.questions) - 1}] for QuizState.answer; got {q}.")
        question = self.questions[q]
        if option is None:
            return False, "Pick an answer first."
        idx = question.options.index(option) if isinstance(option, str) else int(option)
        self.chosen[q] = idx
        self.attempts[q] = self.attempts.get(q, 0) + 1
        ok = idx == question.answer
        if ok:
            fb = f"✅ Correct. {question.explanation}"
        else:
            fb = f"❌ Not quite: “{question.options[idx]}” is not it. Try again."
        return ok, fb

    def score(self) -> tuple[int, int]:
        right = sum(1 for q, i in self.chosen.items() if i == self.questions[q].answer)
        return right, len(self.questions)

    def summary(self) -> str:
        r, n = self.score()
        first = sum(1 for q, i in self.chosen.items() if i == self.questions[q].answer and self.attempts[q] == 1)
        return f"{r} of {n} correct ({first} on the first try)."
