"""HTML for the teaching parts of the app: practice feedback with its passage, due notes, hints, progress."""

from __future__ import annotations

from html import escape

from ..study.checking import Result, normalise
from ..study.items import BLANK, QuizItem
from .render import _highlight, _name

_WHY = {"due": "Due for review: you have seen this one before.",
        "ahead": "Nothing is due yet: this card is the one due soonest."}


def due_note(why: str) -> str:
    return f'<p class="due-note" data-why="{escape(why)}">{escape(_WHY[why])}</p>' if why in _WHY else ""


def feedback(result: Result, item: QuizItem) -> str:
    """The quiz feedback; after a wrong answer, the whole cited passage too."""
    html = feedback_html(result, item)
    if result.attempted and not result.correct:
        html += (f'<details class="passage-shown" open><summary>The passage it comes from</summary>'
                 f'<blockquote class="cited-passage">{escape(item.passage)}</blockquote></details>')
    return html


def hint_html(level: int, hints) -> str:
    """Hint 1 (where to look, the passage without the answering sentences) or hint 2 (the sentence, blanked)."""
    where = f'<p class="hint-where">Look in: {escape(hints.where)}</p>'
    passage = (f'<blockquote class="hint-passage">{escape(hints.passage)}</blockquote>' if hints.passage
               else '<p class="hint-passage">The rest of the passage says nothing more about it.</p>')
    html = f'<div class="hint hint-1"><p class="hint-title">Hint 1: where to look</p>{where}{passage}</div>'
    if level >= 2:
        blanked = escape(hints.blanked).replace(BLANK, '<span class="blank">_____</span>')
        html += (f'<div class="hint hint-2"><p class="hint-title">Hint 2: the sentence that answers it</p>'
                 f'<blockquote>{blanked}</blockquote></div>')
    return f'<div class="hints">{html}</div>'


def tried_html(correct: bool, hints) -> str:
    """After the learner's try: right or not, then the full answer with the sentence that gives it."""
    verdict = ("Right: you worked it out." if correct else
               f"Not quite: the answer is “{escape(hints.key)}”.")
    css = "right" if correct else "wrong"
    return (f'<div class="feedback {css} hint-result"><p class="verdict">{verdict}</p>'
            f'<blockquote>{escape(hints.sentence)}</blockquote></div>')


def quiz_card(item: QuizItem | None, number: int, total: int) -> str:
    if item is None:
        return "<p>No quiz items could be made from the unit.</p>"
    prompt = escape(item.prompt).replace(BLANK, '<span class="blank">_____</span>')
    words = len(item.answer.split())
    numeric = item.kind == "number" or normalise(item.answer).isdigit()
    hint = f"{words} words" if words > 1 else ("a number" if numeric else "one word")
    task = "answer in the unit's words" if item.question else "fill the gap"
    return (f'<div class="quiz"><p class="qnum">Question {number} of {total} · {task} ({hint})</p>'
            f'<p class="prompt">{prompt}</p><p class="qsrc">From {escape(_name(item.source))}, paragraph '
            f"{item.paragraph}</p></div>")


def feedback_html(result: Result, item: QuizItem) -> str:
    if not result.attempted:
        return f'<div class="feedback">{escape(result.feedback)}</div>'
    css, verdict = ("right", "Correct") if result.correct else ("wrong", f"Not quite: the answer is “{escape(item.answer)}”")
    quote = _highlight(item.sentence, [item.answer])
    return (f'<div class="feedback {css}"><p class="verdict">{verdict}.</p><blockquote>{quote}</blockquote>'
            f'<p class="qsrc">{escape(_name(item.source))}, paragraph {item.paragraph} (passage at characters '
            f"{item.raw_start}–{item.raw_end})</p></div>")


def score_text(score: dict) -> str:
    return f"**Score this session: {score['correct']} / {score['attempted']}**"
