"""Does a sentence say only what its cited passages say? A support score from lexical overlap and embedding
similarity, with hard checks on numbers and negation.

>>> v = Verifier(embed=None)
>>> v.support("Twelve agencies failed.", ["The inquiry found failings in as many as twelve agencies."]) > 0.5
True
>>> v.support("Five agencies failed.", ["The inquiry found failings in as many as twelve agencies."])
0.0
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from .errors import BackendError
from .text import numbers, terms, words

_NEGATION = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without"}
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])")


def negated(text: str) -> bool:
    ws = words(text.replace("n't", " not"))
    return bool(_NEGATION & set(ws))


class Verifier:
    """Scores support; ``embed`` maps a list of texts to unit vectors (None: lexical only, for tests)."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]] | None, threshold: float = 0.55,
                 lexical_weight: float = 0.5):
        self.embed, self.threshold, self.lexical_weight = embed, threshold, lexical_weight
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing and self.embed is not None:
            vecs = self.embed(missing)
            with self._lock:
                if len(self._cache) > 20_000:
                    self._cache.clear()
                self._cache.update({t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, vecs)})
        return [self._cache[t] for t in texts]

    def support(self, sentence: str, passages: Sequence[str]) -> float:
        """0..1: how well the passages (jointly) support the sentence."""
        if not passages:
            return 0.0
        joined = " ".join(passages)
        if numbers(sentence) - numbers(joined):
            return 0.0  # a number the passages never state
        sent_terms = set(terms(sentence))
        if not sent_terms:
            return 0.0
        lexical = len(sent_terms & set(terms(joined))) / len(sent_terms)
        if self.embed is None:
            semantic = lexical
            best = joined
        else:
            units = [s for p in passages for s in _SENT.split(p) if s.strip()]
            vecs = self.vectors([sentence] + units)
            sims = [float(np.dot(vecs[0], v)) for v in vecs[1:]]
            i = int(np.argmax(sims))
            semantic, best = max(0.0, sims[i]), units[i]
            if sims[i] < 0.5 and len(units) > 1:  # a sentence may fuse two passage sentences
                whole = self.vectors([joined])[0]
                semantic = max(semantic, float(np.dot(vecs[0], whole)))
        if negated(sentence) != negated(best) and negated(sentence) != negated(joined):
            return 0.0  # says the opposite
        w = self.lexical_weight
        return round(w * lexical + (1 - w) * semantic, 4)

    def supported(self, sentence: str, passages: Sequence[str]) -> bool:
        return self.support(sentence, passages) >= self.threshold


@dataclass
class Sentence:
    text: str
    citations: list[int]
    support: float
    supported: bool
    evidence: str = ""  # the passage sentence that best supports it (highlighted in the UI)


MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*\[\d+(?:\s*,\s*\d+)*\])*\s+")


def split_drafts(buffer: str) -> list[str]:
    """Split streamed text at sentence ends, keeping each sentence's trailing [n] markers with it; the last item is
    the unfinished remainder.

    >>> split_drafts("One [1]. Two. [2] Thr")
    ['One [1].', 'Two. [2]', 'Thr']
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
    valid = set(valid)
    numbers_ = [int(n) for group in MARKER.findall(draft) for n in re.split(r"\s*,\s*", group)]
    text = re.sub(r"^(?:answer|a)\s*:\s*", "", MARKER.sub("", draft).strip(), flags=re.I).strip()
    return text, [n for n in dict.fromkeys(numbers_) if n in valid]


def render(sentences: Sequence[Sentence]) -> str:
    return " ".join(f"{s.text} " + "".join(f"[{n}]" for n in s.citations) for s in sentences)


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
                if sentence and sentence.text not in emitted:
                    emitted.add(sentence.text)
                    yield sentence
        if buffer.strip():
            sentence = self.check(buffer)
            if sentence and sentence.text not in emitted:
                yield sentence

    def check(self, draft: str) -> Sentence | None:
        text, cited = parse(draft, self.by_n)
        if len(terms(text)) < 2:
            return None
        v = self.verifier
        if cited:
            support = v.support(text, [self.by_n[n].chunk.text for n in cited])
            if support >= v.threshold:
                return Sentence(text, cited, support, True, self.evidence(text, cited))
        # Unsupported or uncited: the single relevant passage sentence that best makes this point, if any does.
        best = None
        for p in self.by_n.values():
            for s in p.chunk.sentence_texts():
                if s in self.relevant:
                    score = v.support(text, [s])
                    if best is None or score > best[0]:
                        best = (score, p.n, s)
        if best and best[0] >= v.threshold:
            quote = best[2]
            support = v.support(quote, [self.by_n[best[1]].chunk.text])
            return Sentence(quote, [best[1]], support, support >= v.threshold, quote)
        return None

    def evidence(self, text: str, cited: list[int]) -> str:
        candidates = [s for n in cited for s in self.by_n[n].chunk.sentence_texts()]
        return max(candidates, key=lambda s: self.verifier.support(text, [s]), default="")
