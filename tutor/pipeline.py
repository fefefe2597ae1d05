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
from .answering.span import SpanProposer
from .errors import BackendError, TutorError
from .grounding.drafts import DraftChecker, render
from .grounding.verify import Verifier
from .guards.decision import SAFEGUARDING as SIGNPOST
from .guards.messages import message
from .guards.policy import Policy, load_policy
from .ingest.embed import Vectors
from .plugins import backends
from .question import Asked, check_question
from .retrieval.hybrid import Retrieval, Retriever, get_retriever
from .retrieval.passages import Passage
from .retrieval.ranking import load_ranker
from .settings import Settings
from .types import ANSWERED, DECLINED, SAFEGUARDING, Answer, Citation, Direct, Done, Event, Notice, Passages, Text


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
        self._span: SpanProposer | None = None

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

    def policy(self, unit: str | None) -> Policy:
        """The safeguarding policy: the unit's (unit.toml), else the deployment's (TUTOR_SAFEGUARDING_POLICY)."""
        name = self.settings.safeguarding_policy
        try:
            chosen = self.retriever.index.units.get(unit or "")
            name = (chosen and chosen.safeguarding_policy) or name
        except TutorError:
            pass  # no index yet: signposting never needs one
        return load_policy(name)

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
        first = guards.before(asked.question, lambda: self.topics(unit), self.policy(unit))
        if not first.answers:
            yield Text(first.message)
            yield timer.done(self._refusal(first))
            return
        retrieval = self.retrieve(asked, backend, mode, timer)
        passages = [Passage(i + 1, h.chunk, h.score) for i, h in enumerate(retrieval.hits)]
        numbered = [citation(p) for p in passages]
        yield Passages(numbered)
        ranker = load_ranker()
        ranked = ranker.rank(asked.question, retrieval.query.text, passages, self.vectors, retrieval.query_vector)
        request = Request(asked.question, retrieval.query.text, passages, self.vectors, asked.history,
                          retrieval.query_vector, ranked, ranker.choose(ranked), ranker.answers(ranked))
        decision = guards.after(retrieval, ranked, self.retriever.vocabulary(unit), first)
        if not decision.answers:
            yield Text(decision.message)
            yield timer.done(self._refusal(decision, retrieval, numbered))
            return
        if decision.notice:
            yield Notice(decision.notice)
        yield from self._answer(request, ranked, self.chain(backend), decision, retrieval, numbered, timer)

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

    def direct(self, request: Request, shown: list) -> tuple[str, int]:
        """A short answer from the likeliest sentences that the answer shows, checked to be their words, and the
        passage it comes from ("" when none can be checked)."""
        name = self.settings.span_model
        texts = {s.text for s in shown}
        best = [s for s in request.ranked[:2] if s.text in texts]  # the answer often lies in the second
        if name == "off" or not best:
            return "", 0
        if self._span is None:
            self._span = SpanProposer(name)
        # a follow-up's question alone may not say what it asks about; the search text carries the earlier turn
        question = request.search_text if request.history else request.question
        found = self._span.propose(question, [s.text for s in best])
        return (found[0], best[found[1]].n) if found else ("", 0)

    def _answer(self, request: Request, ranked, names: list[str], decision: guards.Decision, retrieval: Retrieval,
                numbered: list[Citation], timer: Timer) -> Iterator[Event]:
        t0 = time.perf_counter()
        if not request.answers:
            yield Notice(message("closest"))
        # a replacement quote must also answer the question: only sentences the ranking finds likely to
        relevant = {s.text for s in ranked[:8] if s.score >= 0.5 * ranked[0].score}
        checker = DraftChecker(request.passages, self.verifier, relevant)
        drafted = Drafted()
        try:
            for sentence in run_chain(names, self.backend, checker.sentences, request, drafted):
                yield Text(render([sentence]) + " ")
        except BackendError:
            if "extractive" not in names:
                raise  # a chain without the quoting fallback: say which backends failed and why
            # even the unit's own sentences could not be quoted as an answer: decline rather than fail
            decision = guards.declined("no sentence of the passages could be quoted as an answer", retrieval)
            yield Text(decision.message)
            yield timer.done(self._refusal(decision, retrieval, numbered))
            return
        timer.generate = (time.perf_counter() - t0) * 1000
        direct, n = self.direct(request, drafted.sentences) if request.answers else ("", 0)
        if direct:
            yield Direct(f"{direct} [{n}]")
        notes = ([] if request.answers else [message("closest")]) + ([decision.notice] if decision.notice else [])
        if drafted.stopped:
            notes.append(message("stopped", error=drafted.stopped))
        if drafted.failures:
            notes.append(message("fallback", failures="; ".join(drafted.failures)))
        cited = sorted({m for s in drafted.sentences for m in s.citations} | ({n} if direct else set()))
        text = (f"{direct} [{n}]\n" if direct else "") + render(drafted.sentences)
        yield timer.done(Answer(ANSWERED, text, drafted.backend,
                                citations=[numbered[n - 1] for n in cited], sentences=drafted.sentences,
                                retrieved=retrieved(retrieval), passages=numbered, notice=" ".join(notes),
                                signposting=decision.signposting, direct=direct, on_question=request.answers))

    @staticmethod
    def _refusal(decision: guards.Decision, retrieval: Retrieval | None = None,
                 numbered: list[Citation] = ()) -> Answer:
        status = SAFEGUARDING if decision.action == SIGNPOST else DECLINED
        return Answer(status, decision.message, reason=decision.reason, notice=decision.detail,
                      retrieved=retrieved(retrieval) if retrieval else [], passages=list(numbered),
                      signposting=decision.signposting)


def citation(p: Passage) -> Citation:
    c = p.chunk
    return Citation(n=p.n, chunk_id=c.id, source=c.source, start=c.raw_start, end=c.raw_end, text=c.raw,
                    score=round(p.score, 6), display=c.text, paragraph=c.paragraph, unit=c.unit,
                    section=c.section, page=c.page)


def retrieved(retrieval: Retrieval) -> list[dict]:
    return [{"chunk_id": h.chunk.id, "text": h.chunk.text, "score": round(h.score, 6), "dense": round(h.dense, 4),
             "keyword": round(h.keyword, 4)} for h in retrieval.hits]


_default: Tutor | None = None


def default_tutor() -> Tutor:
    global _default
    if _default is None:
        _default = Tutor()
    return _default


def ask(question: str, history=(), backend: str | None = None, unit: str | None = None) -> Answer:
    """Answer one question with the default settings (TUTOR_* environment); ``unit`` limits it to one unit."""
    return default_tutor().ask(question, history, backend, unit=unit)


def stream(question: str, history=(), backend: str | None = None, unit: str | None = None) -> Iterator[Event]:
    return default_tutor().stream(question, history, backend, unit=unit)


def as_runnable(tutor: Tutor | None = None):
    """The tutor as a LangChain Runnable: input {"question": ..., "history": [...], "unit": ...} or a plain
    string, output the ``tutor ask --json`` dict."""
    from langchain_core.runnables import RunnableLambda

    def run(inp):
        t = tutor or default_tutor()
        if isinstance(inp, str):
            return t.ask(inp).to_json()
        return t.ask(inp["question"], inp.get("history", ()), inp.get("backend"), unit=inp.get("unit")).to_json()

    return RunnableLambda(run, name="unit_tutor")
