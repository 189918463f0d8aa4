"""The quiz as HTML: pure functions from questions and answers to markup (no widgets, no state).

Right and wrong differ in three ways at once, so neither colour blindness nor a missing font
hides the result: a word ("Correct" / "Not quite"), a mark drawn as inline SVG (a tick in a
filled green disc, a cross in a red ring; no emoji font needed), and a colour (green / red
panel with a solid / dashed border). Everything uses inline styles, so the same markup works
in a live widget, in a saved notebook on GitHub or nbviewer, and in a slideshow.
"""
from __future__ import annotations

import html

__all__ = ["mark_svg", "feedback_html", "question_html", "score_html", "quiz_html", "quiz_font_size"]

RIGHT_COLOUR = "#1a7f37"    # green, 5.1:1 on white
WRONG_COLOUR = "#c62828"    # red, 5.6:1 on white
NEUTRAL_COLOUR = "#555555"


def quiz_font_size(large: bool = False) -> int:
    """Base font size in px: 15 for a screen, 22 for a projector (``large=True``)."""
    return 22 if large else 15


def mark_svg(correct: bool, size: int = 18) -> str:
    """A tick (correct) or a cross (wrong) as inline SVG, drawn with lines so every browser shows it.

    Args:
        correct: which mark.
        size: width and height in px.

    Returns:
        an ``<svg>`` element with ``role="img"`` and an ``aria-label`` ("correct" / "wrong").
    """
    if correct:
        body = (f'<circle cx="10" cy="10" r="9" fill="{RIGHT_COLOUR}"/>'
                '<path d="M5.5 10.5 L8.7 13.6 L14.5 6.8" fill="none" stroke="#ffffff" stroke-width="2.4" '
                'stroke-linecap="round" stroke-linejoin="round"/>')
        label = "correct"
    else:
        body = (f'<circle cx="10" cy="10" r="8" fill="#ffffff" stroke="{WRONG_COLOUR}" stroke-width="2"/>'
                f'<path d="M6.5 6.5 L13.5 13.5 M13.5 6.5 L6.5 13.5" stroke="{WRONG_COLOUR}" stroke-width="2.4" '
                'stroke-linecap="round"/>')
        label = "wrong"
    return (f'<svg width="{size}" height="{size}" viewBox="0 0 20 20" role="img" aria-label="{label}" '
            f'style="vertical-align:middle;flex:none">{body}</svg>')


def _panel(colour: str, border: str, font: int, inner: str) -> str:
    return (f'<div style="display:flex;gap:0.5em;align-items:flex-start;border:2px {border} {colour};'
            f'border-left-width:6px;border-radius:4px;padding:0.35em 0.6em;margin:0.2em 0;'
            f'font-size:{font}px;line-height:1.4;color:#222;background:{colour}12;white-space:normal">'
            f'{inner}</div>')


def feedback_html(question, chosen: int | None, correct: bool, large: bool = False) -> str:
    """The line shown under a question after **Check**.

    Args:
        question: the :class:`~dlhelpers.widgets.quiz_state.Question`.
        chosen: the option index checked, or None when nothing was picked.
        correct: whether ``chosen`` is the right answer.
        large: projector-sized text.

    Returns:
        HTML: "Correct" with a tick and the explanation, "Not quite" with a cross and the chosen
        option, or a neutral prompt to pick an answer.
    """
    font = quiz_font_size(large)
    if chosen is None:
        return (f'<div style="font-size:{font}px;color:{NEUTRAL_COLOUR};padding:0.35em 0">'
                'Pick an answer first, then press Check.</div>')
    mark = mark_svg(correct, size=round(font * 1.3))
    if correct:
        text = f'<b style="color:{RIGHT_COLOUR}">Correct.</b> {html.escape(question.explanation)}'
        return _panel(RIGHT_COLOUR, "solid", font, f"{mark}<span>{text}</span>")
    text = (f'<b style="color:{WRONG_COLOUR}">Not quite:</b> “{html.escape(question.options[chosen])}” '
            'is not it. Try again.')
    return _panel(WRONG_COLOUR, "dashed", font, f"{mark}<span>{text}</span>")


def question_html(number: int, question, large: bool = False) -> str:
    """The numbered prompt of one question, e.g. ``<b>3. What is an epoch?</b>``."""
    font = quiz_font_size(large)
    return (f'<div style="font-size:{font}px;font-weight:bold;line-height:1.4;margin-top:0.6em;'
            f'white-space:normal">{number}. {html.escape(question.prompt)}</div>')


def score_html(summary: str, large: bool = False) -> str:
    """The running score line (``summary`` from :meth:`QuizState.summary`)."""
    return f'<div style="font-size:{quiz_font_size(large)}px;font-style:italic;margin-top:0.6em">{html.escape(summary)}</div>'


def _radio(selected: bool, font: int) -> str:
    dot = f'<span style="display:block;width:50%;height:50%;margin:25%;border-radius:50%;background:#333"></span>' \
        if selected else ""
    return (f'<span style="display:inline-block;width:{round(font * 0.9)}px;height:{round(font * 0.9)}px;'
            f'border:1.5px solid #666;border-radius:50%;vertical-align:middle;margin-right:0.4em;'
            f'box-sizing:border-box">{dot}</span>')


def quiz_html(state, large: bool = False) -> str:
    """A static picture of the whole quiz: every question, its options (radio circles drawn in CSS),
    the feedback given so far and the score. What a saved notebook shows without a kernel.

    Args:
        state: a :class:`~dlhelpers.widgets.quiz_state.QuizState`.
        large: projector-sized text.
    """
    font = quiz_font_size(large)
    parts = [f'<div style="font-family:sans-serif;max-width:60em">'
             f'<div style="font-size:{round(font * 1.3)}px;font-weight:bold">{html.escape(state.title)}</div>']
    for i, q in enumerate(state.questions):
        parts.append(question_html(i + 1, q, large))
        chosen = state.chosen.get(i)
        for j, opt in enumerate(q.options):
            parts.append(f'<div style="font-size:{font}px;line-height:1.5;margin-left:0.8em">'
                         f'{_radio(chosen == j, font)}{html.escape(opt)}</div>')
        if chosen is not None:
            parts.append(feedback_html(q, chosen, chosen == q.answer, large))
    parts.append(score_html(state.summary(), large))
    parts.append(f'<div style="font-size:{round(font * 0.85)}px;color:{NEUTRAL_COLOUR}">'
                 'Static picture: run the notebook to pick answers and press Check.</div></div>')
    return "".join(parts)
