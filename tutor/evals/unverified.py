"""Reference only, for ``tutor eval --compare``: a backend's draft as it came, each sentence scored but nothing
removed. Never shown to learners."""

from __future__ import annotations

from ..answering.base import Request
from ..grounding.drafts import parse, split_drafts
from ..grounding.verify import Sentence
from ..grounding.answer import citation, retrieved
from ..pipeline import Tutor
from ..question import check_question
from ..reading import read
from ..types import ANSWERED, Answer


def unverified(tutor: Tutor, question: str, history=(), backend: str = "local") -> Answer:
    asked = check_question(question, history, tutor.settings.max_question_chars)
    reading = read(tutor.resources, asked)
    retrieval, passages = reading.retrieval, reading.retrieval.passages
    request = Request(asked.question, retrieval.query.text, passages, asked.history, reading.ranked)
    by_n = {p.n: p for p in passages}
    verifier = tutor.verifier()
    draft = "".join(tutor.backend(backend).generate(request))
    sentences = []
    for part in split_drafts(draft):
        text, cited = parse(part, by_n)
        if text:
            support = verifier.support(text, [by_n[n].chunk.text for n in cited]) if cited else 0.0
            sentences.append(Sentence(text, cited, support, support >= verifier.threshold))
    numbered = [citation(p) for p in passages]
    cited_ns = sorted({n for s in sentences for n in s.citations})
    return Answer(ANSWERED, draft.strip(), tutor.backend(backend).name + " (unverified)",
                  citations=[numbered[n - 1] for n in cited_ns], sentences=sentences, retrieved=retrieved(retrieval))
