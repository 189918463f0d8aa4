"""Pure state of the quiz widget: questions, the answers given and how often (no ipywidgets, no HTML).

The state records choices as option *indices*. Text is accepted too, but only when it names
exactly one option, so a question with two identical option texts, or an answer that is not
among the options, is a clear ``ValueError`` instead of a silent wrong mark. Turning the state
into HTML is :mod:`dlhelpers.viz.quiz`'s job.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

__all__ = ["Question", "Feedback", "QuizState"]


@dataclass(frozen=True)
class Question:
    """One multiple-choice question.

    Args:
        prompt: the question text.
        options: the answer texts (at least two, all different).
        answer: index into ``options`` of the right answer.
        explanation: why the right answer is right (shown after a correct answer).

    Example:
        >>> q = Question("1 + 1?", ("1", "2", "3"), answer=1, explanation="Count them.")
        >>> q.index_of("2")
        1
    """
    prompt: str
    options: tuple
    answer: int
    explanation: str = ""

    def __post_init__(self):
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise TypeError(f"prompt must be a non-empty string for Question; got {self.prompt!r}. "
                            "Write the question text.")
        if isinstance(self.options, str) or not isinstance(self.options, (tuple, list)):
            raise TypeError(f"options must be a tuple of strings for Question; got {type(self.options).__name__}. "
                            "Pass e.g. options=(\"yes\", \"no\").")
        object.__setattr__(self, "options", tuple(self.options))
        if len(self.options) < 2 or not all(isinstance(o, str) and o.strip() for o in self.options):
            raise ValueError(f"options must be at least two non-empty strings for Question; got {self.options!r}. "
                             "Give every option some text.")
        repeated = sorted({o for o in self.options if self.options.count(o) > 1})
        if repeated:
            raise ValueError(f"options must all differ for Question; got {repeated[0]!r} more than once in "
                             f"{self.prompt!r}. Reword one of them, or a student cannot tell them apart.")
        if isinstance(self.answer, bool) or not isinstance(self.answer, numbers.Integral) \
                or not 0 <= self.answer < len(self.options):
            raise ValueError(f"answer must index one of the {len(self.options)} options (0 to "
                             f"{len(self.options) - 1}) for Question; got {self.answer!r}. "
                             "Give the position of the right option, counting from 0.")
        object.__setattr__(self, "answer", int(self.answer))

    def index_of(self, option) -> int:
        """The index of ``option``, given as an index or as its exact text.

        Raises:
            ValueError: the text is not one of the options, or the index is out of range.
            TypeError: ``option`` is neither an int nor a string.
        """
        n = len(self.options)
        if isinstance(option, str):
            hits = [i for i, o in enumerate(self.options) if o == option]
            if not hits:
                shown = ", ".join(repr(o) for o in self.options)
                raise ValueError(f"option must be one of {shown} for Question.index_of; got {option!r}. "
                                 "Pass the option's index or copy its text exactly.")
            assert len(hits) == 1, "options are checked to differ in __post_init__"
            return hits[0]
        if isinstance(option, bool) or not isinstance(option, numbers.Integral):
            raise TypeError(f"option must be an index (int) or an option's text for Question.index_of; "
                            f"got {option!r} ({type(option).__name__}). Pass e.g. 0 for the first option.")
        if not 0 <= option < n:
            raise ValueError(f"option must be an index in [0, {n - 1}] for Question.index_of; got {option}. "
                             "Count options from 0.")
        return int(option)


@dataclass(frozen=True)
class Feedback:
    """What happened on one Check: which option, whether it was right, which attempt it was."""
    question: int
    chosen: int | None        # None: nothing was picked
    correct: bool
    attempt: int


class QuizState:
    """Answers given so far: ``chosen[q]`` is the last option index checked, ``attempts[q]`` how many checks.

    Args:
        questions: a non-empty list of :class:`Question` (or dicts with Question's fields).
        title: the heading shown above the questions.

    Example:
        >>> st = QuizState([Question("1 + 1?", ("1", "2"), 1)])
        >>> st.answer(0, "2").correct, st.score()
        (True, (1, 1))
    """

    def __init__(self, questions, title: str = "Self-check"):
        if isinstance(questions, (str, bytes)) or not hasattr(questions, "__iter__"):
            raise TypeError(f"questions must be a list of Question for QuizState; got {type(questions).__name__}. "
                            "Pass e.g. QUIZZES['unit1'].")
        qs = [q if isinstance(q, Question) else Question(**q) if isinstance(q, dict) else q for q in questions]
        bad = [q for q in qs if not isinstance(q, Question)]
        if bad:
            raise TypeError(f"questions must be Question objects (or dicts of their fields) for QuizState; "
                            f"got {type(bad[0]).__name__}. Build them with Question(prompt, options, answer).")
        if not qs:
            raise ValueError("questions must be a non-empty list for QuizState; got []. Pass Question objects.")
        self.questions: list[Question] = qs
        self.title: str = str(title)
        self.chosen: dict[int, int] = {}
        self.attempts: dict[int, int] = {}
        self.first_try: dict[int, bool] = {}

    def _check_q(self, q) -> int:
        n = len(self.questions)
        if isinstance(q, bool) or not isinstance(q, numbers.Integral) or not 0 <= q < n:
            raise ValueError(f"q must be a question index in [0, {n - 1}] for QuizState.answer; got {q!r}. "
                             "Count questions from 0.")
        return int(q)

    def question(self, q: int) -> Question:
        """Question ``q`` (counting from 0); a clear ValueError when there is no such question."""
        return self.questions[self._check_q(q)]

    def answer(self, q: int, option) -> Feedback:
        """Check ``option`` (index or exact text; None = nothing picked) for question ``q``.

        Returns:
            a :class:`Feedback`; nothing is recorded when ``option`` is None.
        """
        q = self._check_q(q)
        if option is None:
            return Feedback(q, None, False, self.attempts.get(q, 0))
        idx = self.questions[q].index_of(option)
        self.chosen[q] = idx
        self.attempts[q] = self.attempts.get(q, 0) + 1
        correct = idx == self.questions[q].answer
        self.first_try.setdefault(q, correct)
        return Feedback(q, idx, correct, self.attempts[q])

    def is_correct(self, q: int) -> bool | None:
        """True/False for the last checked answer of ``q``; None when it was never checked."""
        q = self._check_q(q)
        return None if q not in self.chosen else self.chosen[q] == self.questions[q].answer

    def score(self) -> tuple[int, int]:
        """(questions whose last checked answer is right, number of questions)."""
        right = sum(1 for q, i in self.chosen.items() if i == self.questions[q].answer)
        return right, len(self.questions)

    def first_try_count(self) -> int:
        """How many questions were answered right on the first check."""
        return sum(self.first_try.values())

    def summary(self) -> str:
        """One line, e.g. ``"7 of 10 correct (5 on the first try)."``."""
        r, n = self.score()
        return f"{r} of {n} correct ({self.first_try_count()} on the first try)."

    def reset(self) -> None:
        """Forget every answer."""
        self.chosen.clear()
        self.attempts.clear()
        self.first_try.clear()
