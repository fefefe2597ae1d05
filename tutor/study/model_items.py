"""Short-answer quiz questions a capable (hosted) model writes about a passage, each kept only when its answer is
words of that passage and the question is about it; the learner's reply is then checked against those passage
words, never against the model's opinion."""

from __future__ import annotations

import json
import re
from typing import Callable

from ..answering.base import render
from ..ingest.chunk import Chunk
from ..text import STOPWORDS, terms
from .checking import normalise
from .items import QuizItem, good_sentence


_MAX_ANSWER_WORDS = 6


def model_items(chunks: list[Chunk], complete: Callable[[str], str], limit: int = 12
                ) -> tuple[list[QuizItem], list[str]]:
    """Short-answer items a model writes, one per passage for up to ``limit`` passages spread over the unit.
    ``complete`` sends a prompt and returns the model's reply. An item is kept only when its answer is 1-6 words
    found in one sentence of the passage, its question does not give the answer away and is about that passage;
    the learner's reply is then checked against those passage words, never against the model's opinion.
    Returns the items and one line per passage that gave none (why), for the log."""
    usable = [c for c in chunks if any(good_sentence(s) for s in c.sentence_texts())]
    step = max(1, len(usable) / max(1, limit))
    picked = [usable[int(i * step)] for i in range(min(limit, len(usable)))]  # distinct passages
    items, rejected = [], []
    for chunk in picked:
        try:
            reply = complete(render("quiz", passage=chunk.text))
        except Exception as exc:  # noqa: BLE001 - one failed call costs one item, not the quiz
            rejected.append(f"{chunk.id}: the model failed ({exc.__class__.__name__}: {exc})")
            continue
        item = checked_model_item(chunk, reply)
        if isinstance(item, str):
            rejected.append(f"{chunk.id}: {item}")
        else:
            items.append(item)
    return items, rejected


def _first_json_object(text: str):
    """The first JSON object in a reply that may wrap it in prose or code fences (braces inside strings are fine)."""
    decoder = json.JSONDecoder()
    for start in (i for i, ch in enumerate(text) if ch == "{"):
        try:
            return decoder.raw_decode(text, start)[0]
        except ValueError:
            continue
    return None


def checked_model_item(chunk: Chunk, reply: str) -> QuizItem | str:
    """The item in a model's reply (JSON with "question" and "answer"), or the reason it was rejected."""
    data = _first_json_object(reply or "")
    if not isinstance(data, dict) or not isinstance(data.get("question"), str) or not isinstance(data.get("answer"), str):
        return "no JSON object with a question and an answer"
    question = " ".join(data["question"].split())
    answer = data["answer"].strip().strip("\"'“”.,;:!?").strip()
    meaningful = [w for w in normalise(answer).split() if w not in STOPWORDS]
    if not meaningful or len(answer.split()) > _MAX_ANSWER_WORDS:
        return f"answer {answer!r} is not 1-{_MAX_ANSWER_WORDS} meaningful words"
    if not question.endswith("?") or not 4 <= len(question.split()) <= 35:
        return f"{question!r} is not a question of 4-35 words"
    if f" {normalise(answer)} " in f" {normalise(question)} ":
        return "the question gives the answer away"
    asked = set(terms(question))
    # the sentence that holds the answer; of several, the one sharing most words with the question
    holding = [(len(asked & set(terms(sent))), i, sent, m) for i, sent in chunk.answer_sentences()
               for m in [re.search(r"(?<!\w)" + re.escape(answer) + r"(?!\w)", sent, re.I)] if m]
    if not holding:
        return f"answer {answer!r} is not in the passage (in a sentence a quiz may quote)"
    shared, index, sentence, m = max(holding, key=lambda h: h[0])
    if not shared or len(asked & set(terms(chunk.text))) < 0.5 * len(asked):
        return "the question is not about the passage"
    return QuizItem(chunk.id, sentence, m.group(), "question", m.start(), chunk.source, chunk.paragraph,
                    chunk.raw_start, chunk.raw_end, chunk.text, chunk.raw, question, unit=chunk.unit,
                    sentence_no=chunk.sentence_start + index + 1)


