"""The tutor: a question goes through the stages in one direction, each taking the previous one's output.

question -> checked (``Asked``) -> guards before retrieval (safeguarding, injection) -> retrieval (numbered
``Passage`` s, ranked sentences) -> guards after retrieval (scope, false premise: a ``Decision``) -> drafts from
the backend chain -> verified sentences -> ``Answer``.

>>> from tutor import Tutor                                      # doctest: +SKIP
>>> for event in Tutor().stream("What does the unit say about X?"):  # doctest: +SKIP
...     print(event)                                            # Passages, then Text..., then Done(answer)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator

from . import guards
from .answering.base import Backend, Request
from .answering.chain import Drafted, run_chain
from .errors import TutorError
from .grounding.drafts import DraftChecker, render
from .grounding.verify import Verifier
from .guards.decision import SAFEGUARDING as SIGNPOST
from .guards.messages import message
from .ingest.embed import Vectors
from .plugins import backends
from .question import Asked, check_question
from .retrieval.hybrid import Retrieval, Retriever, get_retriever
from .retrieval.passages import Passage, choose, rank_sentences
from .settings import Settings
from .types import ANSWERED, DECLINED, SAFEGUARDING, Answer, Citation, Done, Event, Notice, Passages, Text


@dataclass
class Timer:
    start: float
    retrieve: float = 0.0
    generate: float = 0.0

    def done(self, answer: Answer) -> Done:
        total = (time.perf_counter() - self.start) * 1000
        answer.timings_ms = {"retrieve": round(self.retrieve, 1), "generate": round(self.generate, 1),
                             "total": round(total, 1)}
        return Done(answer)


class Tutor:
    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None):
        self.settings = settings or Settings.from_env()
        self._retriever = retriever
        self._backends: dict[str, Backend] = {}
        self._vectors: Vectors | None = None

    @property
    def retriever(self) -> Retriever:
        return self._retriever or get_retriever(self.settings)

    @property
    def vectors(self) -> Vectors:
        if self._vectors is None:
            self._vectors = Vectors(self.retriever.index.embedder.embed_documents)
        return self._vectors

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.vectors, threshold=self.settings.support_threshold)

    def topics(self, unit: str | None = None) -> list[str]:
        """What the units cover, for messages; none when there is no index yet (signposting never needs one)."""
        try:
            return self.retriever.vocabulary(unit).topics()
        except TutorError:
            return []

    def chain(self, backend: str | None = None) -> list[str]:
        """The backends to try, in order; ``hosted`` is skipped when no hosted model is configured, and the
        default chain always ends with ``extractive``."""
        names = [n.strip() for n in (backend or self.settings.backend).split(",") if n.strip()]
        if backend is None and "hosted" in names and not self.settings.hosted_configured:
            names.remove("hosted")
        if backend is None and "extractive" not in names:
            names.append("extractive")
        return names

    def backend(self, name: str) -> Backend:
        if name not in self._backends:
            self._backends[name] = backends.create(name, self.settings)
        return self._backends[name]

    def ask(self, question: str, history=(), backend: str | None = None, mode: str | None = None,
            unit: str | None = None) -> Answer:
        return next(e.answer for e in self.stream(question, history, backend, mode, unit) if isinstance(e, Done))

    def stream(self, question: str, history=(), backend: str | None = None, mode: str | None = None,
               unit: str | None = None) -> Iterator[Event]:
        """Answer one question, as events; ``unit`` limits the search to one unit (None: every unit)."""
        timer = Timer(time.perf_counter())
        asked = check_question(question, history, self.settings.max_question_chars, unit)
        decision = guards.before(asked.question, lambda: self.topics(unit))
        if decision is not None:
            yield Text(decision.message)
            yield timer.done(self._refusal(decision))
            return
        retrieval = self.retrieve(asked, backend, mode, timer)
        passages = [Passage(i + 1, h.chunk, h.score) for i, h in enumerate(retrieval.hits)]
        numbered = [citation(p) for p in passages]
        yield Passages(numbered)
        request = Request(asked.question, retrieval.query.text, passages, self.vectors, asked.history,
                          retrieval.query_vector)
        ranked = rank_sentences(asked.question, retrieval.query.text, passages, self.vectors, retrieval.query_vector)
        decision = guards.after(retrieval, ranked, self.retriever.vocabulary(unit))
        if not decision.answers:
            yield Text(decision.message)
            yield timer.done(self._refusal(decision, retrieval, numbered))
            return
        if decision.notice:
            yield Notice(decision.notice)
        yield from self._answer(request, ranked, self.chain(backend), decision.notice, retrieval, numbered, timer)

    def retrieve(self, asked: Asked, backend: str | None, mode: str | None, timer: Timer) -> Retrieval:
        """Search the index; with a hosted model, a follow-up is first rewritten to stand alone."""
        search, history = asked.question, asked.history
        if history and "hosted" in self.chain(backend) and self.settings.hosted_configured:
            search = self.backend("hosted").condense(asked.question, history)
            history = () if search != asked.question else history
        t0 = time.perf_counter()
        retrieval = self.retriever.search(search, history, k=self.settings.top_k, mode=mode, unit=asked.unit)
        timer.retrieve = (time.perf_counter() - t0) * 1000
        return retrieval

    def _answer(self, request: Request, ranked, names: list[str], notice: str, retrieval: Retrieval,
                numbered: list[Citation], timer: Timer) -> Iterator[Event]:
        t0 = time.perf_counter()
        # a replacement quote must also answer the question: only sentences the ranking finds relevant
        relevant = {s.text for s in choose(ranked, max_sentences=8, relative=0.6, others=8)}
        checker = DraftChecker(request.passages, self.verifier, relevant)
        drafted = Drafted()
        for sentence in run_chain(names, self.backend, checker.sentences, request, drafted):
            yield Text(render([sentence]) + " ")
        timer.generate = (time.perf_counter() - t0) * 1000
        notes = [notice] if notice else []
        if drafted.stopped:
            notes.append(message("stopped", error=drafted.stopped))
        if drafted.failures:
            notes.append(message("fallback", failures="; ".join(drafted.failures)))
        cited = sorted({n for s in drafted.sentences for n in s.citations})
        yield timer.done(Answer(ANSWERED, render(drafted.sentences), drafted.backend,
                                citations=[numbered[n - 1] for n in cited], sentences=drafted.sentences,
                                retrieved=retrieved(retrieval), passages=numbered, notice=" ".join(notes)))

    @staticmethod
    def _refusal(decision: guards.Decision, retrieval: Retrieval | None = None,
                 numbered: list[Citation] = ()) -> Answer:
        status = SAFEGUARDING if decision.action == SIGNPOST else DECLINED
        return Answer(status, decision.message, reason=decision.reason, notice=decision.detail,
                      retrieved=retrieved(retrieval) if retrieval else [], passages=list(numbered))


def citation(p: Passage) -> Citation:
    c = p.chunk
    return Citation(n=p.n, chunk_id=c.id, source=c.source, start=c.raw_start, end=c.raw_end, text=c.raw,
                    score=round(p.score, 6), display=c.text, paragraph=c.paragraph, unit=c.unit)


def retrieved(retrieval: Retrieval) -> list[dict]:
    return [{"chunk_id": h.chunk.id, "text": h.chunk.text, "score": round(h.score, 6), "dense": round(h.dense, 4),
             "keyword": round(h.keyword, 4)} for h in retrieval.hits]


_default: Tutor | None = None


def default_tutor() -> Tutor:
    global _default
    if _default is None:
        _default = Tutor()
    return _default


def ask(question: str, history=(), backend: str | None = None) -> Answer:
    """Answer one question with the default settings (TUTOR_* environment)."""
    return default_tutor().ask(question, history, backend)


def stream(question: str, history=(), backend: str | None = None) -> Iterator[Event]:
    return default_tutor().stream(question, history, backend)


def as_runnable(tutor: Tutor | None = None):
    """The tutor as a LangChain Runnable: input {"question": ..., "history": [...]} or a plain string, output the
    ``tutor ask --json`` dict."""
    from langchain_core.runnables import RunnableLambda

    def run(inp):
        t = tutor or default_tutor()
        if isinstance(inp, str):
            return t.ask(inp).to_json()
        return t.ask(inp["question"], inp.get("history", ()), inp.get("backend")).to_json()

    return RunnableLambda(run, name="unit_tutor")
