"""From a backend's streamed draft to verified sentences: split at sentence ends (keeping each sentence's ``[n]``
markers), parse the markers, and check each sentence against the passages it cites before the learner sees it.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Sequence

from ..errors import BackendError
from ..text import terms
from ..text.tokens import straighten
from .verify import Sentence, Verifier


MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# A sentence ends at . ! or ? (with any [n] markers after it), or at [n] markers followed by more text: a list
# item or heading quoted with its citation has no full stop.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*\[\d+(?:\s*,\s*\d+)*\])*\s+|(?<=\])\s+(?=[^\s\[])")


def split_drafts(buffer: str) -> list[str]:
    """Split streamed text at sentence ends, keeping each sentence's trailing [n] markers with it; the last item is
    the unfinished remainder.

    >>> split_drafts("One [1]. Two. [2] Thr")
    ['One [1].', 'Two. [2]', 'Thr']
    >>> split_drafts("demand: an amount [1] supply: another [1] ")
    ['demand: an amount [1]', 'supply: another [1] ']
    """
    out, start = [], 0
    for m in _SENTENCE_END.finditer(buffer):
        part = buffer[start:m.end()].strip()
        if out and MARKER.fullmatch(" " + part):  # markers split from their sentence: reattach
            out[-1] += " " + part
        else:
            out.append(part)
        start = m.end()
    rest = buffer[start:]
    if out and rest.strip() and MARKER.fullmatch(" " + rest.strip()):
        out[-1] += " " + rest.strip()
        rest = ""
    out.append(rest)
    return out


def parse(draft: str, valid: Iterable[int]) -> tuple[str, list[int]]:
    """(text without markers, cited numbers that name a valid passage); invented numbers are dropped."""
    valid, draft = set(valid), straighten(draft)  # a model's typographic quotes, straightened as it enters
    numbers_ = [int(n) for group in MARKER.findall(draft) for n in re.split(r"\s*,\s*", group)]
    text = re.sub(r"^(?:answer|a)\s*:\s*", "", MARKER.sub("", draft).strip(), flags=re.I).strip()
    return text, [n for n in dict.fromkeys(numbers_) if n in valid]


def render(sentences: Sequence[Sentence]) -> str:
    return " ".join(f"{s.text} " + "".join(f"[{n}]" for n in s.citations) for s in sentences)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def repeats(text: str, emitted: set[str]) -> bool:
    """Whether a sentence says again what the answer already showed: the same words (a sentence two overlapping
    passages share), or words inside an earlier sentence or holding one whole.

    >>> repeats("It rained, all day.", {"it rained all day"}), repeats("It rained.", {"it rained all day"})
    (True, True)
    """
    key = _key(text)
    return any(key == e or f" {key} " in f" {e} " or f" {e} " in f" {key} " for e in emitted)


class DraftChecker:
    """Turns a backend's streamed draft into verified sentences. ``passages`` are the numbered passages (objects
    with ``.n`` and ``.chunk``); ``relevant`` are the passage sentences allowed as replacement quotes."""

    def __init__(self, passages: Sequence, verifier: Verifier, relevant: set[str]):
        self.by_n = {p.n: p for p in passages}
        self.verifier, self.relevant = verifier, relevant

    def sentences(self, pieces: Iterable[str], name: str) -> Iterator[Sentence]:
        """Verified sentences as soon as each is complete. A failing sentence is replaced by the passage sentence
        that makes its point, or dropped."""
        buffer = ""
        emitted: set[str] = set()
        for piece in pieces:
            buffer += piece
            if "NOT COVERED" in buffer.upper():
                raise BackendError(f"{name} said the passages do not cover it")
            *complete, buffer = split_drafts(buffer)
            if complete and not re.search(r"[^\s\[\]\d,]", buffer):  # its [n] markers may still be coming
                buffer = complete.pop() + " " + buffer
            for draft in complete:
                sentence = self.check(draft)
                if sentence and not repeats(sentence.text, emitted):
                    emitted.add(_key(sentence.text))
                    yield sentence
        if buffer.strip():
            sentence = self.check(buffer)
            if sentence and not repeats(sentence.text, emitted):
                yield sentence

    def check(self, draft: str) -> Sentence | None:
        text, cited = parse(draft, self.by_n)
        if len(terms(text)) < 2:
            return None
        v = self.verifier
        if cited:
            support = v.support(text, *self._texts(cited))
            if support >= v.threshold:
                return Sentence(text, cited, support, True, self.evidence(text, cited))
        # Unsupported or uncited: the single relevant passage sentence that best makes this point, if any does.
        best = None
        for p in self.by_n.values():
            for s in p.chunk.sentence_texts():
                if s in self.relevant:
                    score = v.support(text, [s], [s])
                    if best is None or score > best[0]:
                        best = (score, p.n, s)
        if best and best[0] >= v.threshold:
            quote = best[2]
            support = v.support(quote, *self._texts([best[1]]))
            return Sentence(quote, [best[1]], support, support >= v.threshold, quote)
        return None

    def _texts(self, cited: list[int]) -> tuple[list[str], list[str]]:
        """The cited passages' texts and their stored sentences."""
        return ([self.by_n[n].chunk.text for n in cited],
                [s for n in cited for s in self.by_n[n].chunk.sentence_texts()])

    def evidence(self, text: str, cited: list[int]) -> str:
        candidates = [s for n in cited for s in self.by_n[n].chunk.sentence_texts()]
        return max(candidates, key=lambda s: self.verifier.support(text, [s], [s]), default="")
