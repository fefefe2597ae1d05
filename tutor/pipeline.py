"""The tutor: it only wires the stages, each taking the previous one's typed output, and holds one ``Resources``.

question -> checked (``Asked``) -> search text (``Query``) -> every new vector in one encoder call -> guards
before retrieval (safeguarding ``Assessment``, injection: a ``Decision``) -> retrieval (numbered ``Passage`` s
with stored vectors) -> ranked sentences -> guards after retrieval (scope, false premise) -> drafts from the
backend chain -> verified sentences -> ``Answer``.

>>> from tutor import Tutor                                      # doctest: +SKIP
>>> for event in Tutor().stream("What does the unit say about X?"):  # doctest: +SKIP
...     print(event)                                            # Passages, then Text..., then Done(answer)
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Generator, Iterator

from . import guards
from .answering.base import Backend, Request
from .answering.chain import Drafted, run_chain
from .answering.span import direct_answer
from .errors import BackendError, TutorError
from .grounding.answer import answered, citation, refusal, with_study_answer
from .grounding.drafts import DraftChecker, render
from .grounding.verify import Verifier
from .guards.decision import ANSWER, SIGNPOST
from .guards.messages import message
from .guards.parts import message_parts
from .guards.safeguarding import SAME_VECTORS, Assessment, assess
from .plugins import backends
from .question import Asked, check_question
from .reading import Reading
from .resources import Live, Resources
from .retrieval.hybrid import Retriever
from .retrieval.query import Query
from .settings import Settings
from .types import ANSWERED, Answer, Citation, Direct, Done, Event, Notice, Passages, Signpost, Text


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
    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None,
                 resources: Resources | None = None):
        self.settings = settings or Settings.from_env()
        self.resources = resources or Resources(self.settings, retriever)

    def live(self) -> Live:
        return self.resources.live()

    def backend(self, name: str) -> Backend:
        return self.resources.backend(name)

    def verifier(self) -> Verifier:
        return Verifier(self.live().vectors, threshold=self.settings.support_threshold)

    def topics(self, unit: str | None = None) -> list[str]:
        """What the units cover, for messages; none when there is no index yet (signposting never needs one)."""
        try:
            return self.live().retriever.vocabulary(unit).topics()
        except TutorError:
            return []

    def chain(self, backend: str | None = None) -> list[str]:
        """The backends to try, in order. The configured chain skips backends the deployment gives nothing to run
        (``Backend.configured``) and ends with one that quotes the passages when it has none."""
        names = [n.strip() for n in (backend or self.settings.backend).split(",") if n.strip()]
        if backend is None:
            names = [n for n in names if backends.get(n).configured(self.settings)]
            if not any(backends.get(n).quotes_passages for n in names):
                names.append(next(n for n in backends.names() if backends.get(n).quotes_passages))
        return names

    def ask(self, question: str, history=(), backend: str | None = None, mode: str | None = None,
            unit: str | None = None) -> Answer:
        return next(e.answer for e in self.stream(question, history, backend, mode, unit) if isinstance(e, Done))

    def stream(self, question: str, history=(), backend: str | None = None, mode: str | None = None,
               unit: str | None = None) -> Iterator[Event]:
        """Answer one question, as events; ``unit`` limits the search to one unit (None: every unit)."""
        timer = Timer(time.perf_counter())
        asked = check_question(question, history, self.settings.max_question_chars, unit)
        live, query, problem = self._search_text(asked, backend, mode)
        assessment = self._assess(asked, live, query)
        first = guards.before(asked.question, assessment, lambda: self.topics(unit), self.resources.policy(unit))
        if first.signposting:  # safeguarding is decided before scope, and shown before anything else
            yield Signpost(assessment.level, first.signposting, assessment.score, assessment.part)
        if first.action == SIGNPOST:
            yield Text(first.message)
            answer = refusal(first)
            study = guards.study_question(assessment) if problem is None else ""
            if study:  # the message also asked a study question: its answer follows the signposting
                asked = dataclasses.replace(asked, question=study, history=())
                found = yield from self._study(live, asked, live.retriever.query(study, (), mode, unit),
                                               dataclasses.replace(first, action=ANSWER, signposting=""), backend,
                                               mode, timer, prefix="\n\n")
                answer = with_study_answer(answer, found)
            yield timer.done(answer)
            return
        if not first.answers:
            yield Text(first.message)
            yield timer.done(refusal(first))
            return
        if problem is not None:
            raise problem  # no index, or an unknown unit: only now, so that signposting never needed one
        answer = yield from self._study(live, asked, query, first, backend, mode, timer)
        if answer.status != ANSWERED and not answer.signposting:
            yield Text(answer.answer)
        yield timer.done(answer)

    def _study(self, live: Live, asked: Asked, query: Query, first: guards.Decision, backend: str | None,
               mode: str | None, timer: Timer, prefix: str = "") -> Generator[Event, None, Answer]:
        """Retrieval, the scope decision and the answer: yields the passages and the answer's text as it is
        verified (after ``prefix``), and returns the finished answer, or a refusal whose text it does not show."""
        reading = self._read(live, asked, query, mode, timer)
        numbered = [citation(p) for p in reading.retrieval.passages]
        yield Passages(numbered)
        decision = guards.after(reading.retrieval, reading.ranked, live.retriever.vocabulary(asked.unit), first,
                                self.resources.scope())
        if not decision.answers:
            return refusal(decision, reading.retrieval, numbered)
        if prefix:
            yield Text(prefix)
        if decision.notice:
            yield Notice(decision.notice)
        return (yield from self._answer(reading, self.chain(backend), decision, numbered, live, timer))

    def _search_text(self, asked: Asked, backend: str | None, mode: str | None
                     ) -> tuple[Live | None, Query | None, TutorError | None]:
        """The live index and the question's search text (a follow-up first rewritten to stand alone when a
        backend of the chain can condense), or the error that stops retrieval, kept until safeguarding is done."""
        try:
            live = self.live()
            search, history = asked.question, asked.history
            condenser = next((b for b in (self.backend(n) for n in self.chain(backend)) if b.can_condense), None) \
                if history else None
            if condenser is not None:
                search = condenser.condense(asked.question, history)
                history = () if search != asked.question else history
            return live, live.retriever.query(search, history, mode, asked.unit), None
        except TutorError as exc:
            return None, None, exc

    def _assess(self, asked: Asked, live: Live | None, query: Query | None) -> Assessment:
        """Safeguarding, with every vector retrieval needs made in one encoder call (the message's parts too when
        the classifier reads the index's embedding model), so later stages embed nothing."""
        model = self.resources.safeguarding()
        if live is None:
            return assess(asked.question, model)
        # the classifier reads the index's vectors as its own only when it was trained on the bundled encoder's (a
        # fine-tuned safeguarding encoder embeds the message's parts itself)
        shared = live.manifest.embed_setting in SAME_VECTORS and not model.encoder
        parts = list(message_parts(asked.question)) if shared else []
        live.vectors([asked.question] + ([query.text] if query else []) + parts)
        return assess(asked.question, model, live.vectors if shared else None)

    def _read(self, live: Live, asked: Asked, query: Query, mode: str | None, timer: Timer) -> Reading:
        t0 = time.perf_counter()
        question_vector, search_vector = live.vectors([asked.question, query.text])  # known since _assess
        retrieval = live.retriever.search_with(query, search_vector, self.settings.top_k, mode, asked.unit)
        for p in retrieval.passages:
            live.vectors.remember(p.sentence_vectors())  # verification then needs no encoder call either
        ranked = self.resources.ranker().rank(asked.question, query.text, retrieval.passages, question_vector,
                                              search_vector, live.vectors)
        timer.retrieve = (time.perf_counter() - t0) * 1000
        return Reading(asked, retrieval, ranked, question_vector)

    def _answer(self, reading: Reading, names: list[str], decision: guards.Decision, numbered: list[Citation],
                live: Live, timer: Timer) -> Generator[Event, None, Answer]:
        t0 = time.perf_counter()
        ranker, retrieval, ranked = self.resources.ranker(), reading.retrieval, reading.ranked
        request = Request(reading.asked.question, reading.query.text, retrieval.passages, reading.asked.history,
                          ranked, ranker.choose(ranked), ranker.answers(ranked))
        if not request.answers:
            yield Notice(message("closest"))
        # a replacement quote must also answer the question: only sentences the ranking finds likely to
        relevant = {s.text for s in ranked[:8] if s.score >= 0.5 * ranked[0].score}
        checker = DraftChecker(request.passages, Verifier(live.vectors, self.settings.support_threshold), relevant)
        drafted = Drafted()
        try:
            for sentence in run_chain(names, self.backend, checker.sentences, request, drafted):
                yield Text(render([sentence]) + " ")
        except BackendError:
            if not any(self.backend(n).quotes_passages for n in names):
                raise  # a chain without the quoting fallback: say which backends failed and why
            # even the unit's own sentences could not be quoted as an answer: decline rather than fail
            return refusal(guards.declined("no sentence of the passages could be quoted as an answer", retrieval),
                           retrieval, numbered)
        timer.generate = (time.perf_counter() - t0) * 1000
        direct, n = direct_answer(self.resources.span(), request, drafted.sentences) if request.answers else ("", 0)
        if direct:
            yield Direct(f"{direct} [{n}]")
        return answered(request, drafted, decision, retrieval, numbered, direct, n)


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
