"""The answer pipeline: question -> (safeguarding | injection | scope checks) -> retrieval -> a backend from the
fallback chain -> every sentence verified -> ``Answer``.

>>> from tutor import ask                                        # doctest: +SKIP
>>> a = ask("What is the Common Assessment Framework?")          # doctest: +SKIP
>>> a.status, a.backend, a.sentences[0].citations                # doctest: +SKIP
('answered', 'extractive', [1])
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Iterator


from . import guard
from .backends import Backend, ExtractiveBackend, Passage, Request, get_backend
from .errors import BackendError, ConfigError, InputError
from .retrieve import Retrieval, Retriever, get_retriever
from .settings import Settings
from .verify import DraftChecker, Sentence, Verifier, parse, render, split_drafts

SAFEGUARDING_MESSAGE = (
    "It sounds as if a child may be at risk. Please act on this now, before anything else:\n"
    "- If a child is in immediate danger, call 999.\n"
    "- Worried about a child? Call the NSPCC helpline on 0808 800 5000 (for adults).\n"
    "- If you are a child or young person, call Childline on 0800 1111 (free, any time).\n"
    "- In a work or placement setting, tell your Designated Safeguarding Lead straight away and follow your "
    "setting's safeguarding policy.\n"
    "I am a study tutor for the unit and cannot help with a real situation, but these people can."
)
DECLINE_MESSAGE = "The unit material does not cover that, so I can't answer it from the unit."
INJECTION_MESSAGE = ("I can only answer questions about the unit, from the unit's own text, and my instructions "
                     "can't be changed in the chat. Try asking about serious case reviews, Victoria Climbie, "
                     "Baby P, Every Child Matters, the CAF or Little Ted's nursery.")

# Scope thresholds, calibrated on evals/dev.jsonl (README, "Evaluation"). On that set every answerable question
# had a best passage similarity >= 0.32 and a best sentence relevance >= 0.28, and every off-topic one stayed
# under 0.19 and 0.14. Near misses (on-topic, unanswered) overlap the answerable ones on both, so they are caught
# by the specific checks in ``scope``: names and numbers the unit never mentions, numbers or durations it never gives.
DENSE_MIN = 0.25
RELEVANCE_MIN = 0.22



@dataclass
class Citation:
    n: int
    chunk_id: str
    source: str
    start: int  # span of the passage in the raw source file
    end: int
    text: str  # the raw passage, exactly as in the source
    score: float
    display: str = ""  # the repaired text shown to learners
    paragraph: int = 0


@dataclass
class Answer:
    status: str  # answered | declined | safeguarding
    answer: str
    backend: str
    citations: list[Citation] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)
    timings_ms: dict = field(default_factory=dict)
    notice: str = ""  # e.g. a corrected false premise, or why a fallback answered
    passages: list[Citation] = field(default_factory=list, repr=False)  # all numbered passages (for the UI)

    @property
    def verified(self) -> bool:
        return all(s.supported for s in self.sentences)

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("passages")
        return d


def check_question(question: str, limit: int = 2000) -> str:
    """Normalise a question; refuse empty or over-long ones with a clear message."""
    if question is None:
        question = ""
    q = unicodedata.normalize("NFC", str(question))
    q = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in q)
    q = re.sub(r"\s+", " ", q).strip()
    if not q:
        raise InputError("Please type a question about the unit.")
    if len(q) > limit:
        raise InputError(f"That question is {len(q):,} characters long; the limit is {limit:,}. "
                         "Please ask a shorter question (nothing was cut off or sent).")
    return q


class Tutor:
    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None):
        self.settings = settings or Settings.from_env()
        self._retriever = retriever
        self._verifier: Verifier | None = None
        self._backends: dict[str, Backend] = {}

    @property
    def retriever(self) -> Retriever:
        return self._retriever or get_retriever(self.settings)

    @property
    def verifier(self) -> Verifier:
        if self._verifier is None:
            embedder = self.retriever.index.embedder
            self._verifier = Verifier(embedder.embed_documents, threshold=self.settings.support_threshold)
        return self._verifier

    def chain(self, backend: str | None = None) -> list[str]:
        names = [n.strip() for n in (backend or self.settings.backend).split(",") if n.strip()]
        if "hosted" in names and not self.settings.hosted_configured and backend is None:
            names.remove("hosted")
        if "extractive" not in names and backend is None:
            names.append("extractive")
        return names

    def backend(self, name: str) -> Backend:
        if name not in self._backends:
            self._backends[name] = get_backend(name, self.settings)
        return self._backends[name]

    def ask(self, question: str, history=(), backend: str | None = None, mode: str | None = None) -> Answer:
        answer = None
        for event in self.stream(question, history, backend, mode):
            if event["type"] == "done":
                answer = event["answer"]
        return answer

    def stream(self, question: str, history=(), backend: str | None = None, mode: str | None = None) -> Iterator[dict]:
        """Events: {"type": "passages", "passages": [...]}, then {"type": "text", "text": ...} per verified
        sentence, then {"type": "done", "answer": Answer}."""
        t0 = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        history = tuple(h for h in (check_question(h, 10 ** 6) for h in history if h and str(h).strip()))
        timings = {"retrieve": 0.0, "generate": 0.0, "total": 0.0}

        def done(answer: Answer):
            timings["total"] = (time.perf_counter() - t0) * 1000
            answer.timings_ms = {k: round(v, 1) for k, v in timings.items()}
            return {"type": "done", "answer": answer}

        if guard.is_disclosure(question):
            yield {"type": "text", "text": SAFEGUARDING_MESSAGE}
            yield done(Answer("safeguarding", SAFEGUARDING_MESSAGE, "safeguarding"))
            return
        if guard.is_injection(question):
            yield {"type": "text", "text": INJECTION_MESSAGE}
            yield done(Answer("declined", INJECTION_MESSAGE, "guard"))
            return

        names = self.chain(backend)
        search_history = history
        if history and "hosted" in names and self.settings.hosted_configured:
            hosted = self.backend("hosted")
            question_for_search = hosted.condense(question, history)
            search_history = () if question_for_search != question else history
        else:
            question_for_search = question
        r0 = time.perf_counter()
        retrieval = self.retriever.search(question_for_search, search_history, k=self.settings.top_k, mode=mode)
        timings["retrieve"] = (time.perf_counter() - r0) * 1000
        passages = [Passage(i + 1, h.chunk, h.score) for i, h in enumerate(retrieval.hits)]
        numbered = [self._citation(p) for p in passages]
        retrieved = [{"chunk_id": h.chunk.id, "text": h.chunk.text, "score": round(h.score, 6),
                      "dense": round(h.dense, 4), "keyword": round(h.keyword, 4)} for h in retrieval.hits]
        yield {"type": "passages", "passages": numbered}

        request = Request(question=question, search_text=retrieval.query.text, passages=passages,
                          verifier=self.verifier, history=history, query_vector=retrieval.query_vector)
        scope = self.scope(retrieval, request)
        if not scope.in_scope:
            message = DECLINE_MESSAGE + self._nearest(passages)
            yield {"type": "text", "text": message}
            yield done(Answer("declined", message, "scope", retrieved=retrieved, passages=numbered,
                              notice=scope.reason))
            return
        notice = ""
        claim = guard.false_premise(retrieval.query.corrected, self.retriever.vocabulary)
        if claim:
            notice = f'Your question assumes something the unit does not say ("{claim}"). Here is what the unit does say.'
            yield {"type": "notice", "text": notice}

        g0 = time.perf_counter()
        # a replacement quote must also answer the question: only sentences the extractive ranking finds relevant
        relevant = {t[3] for t in ExtractiveBackend(max_sentences=8, relative=0.6, others=8).select(request)}
        failures = []
        for name in names:
            sentences: list[Sentence] = []
            try:
                backend_obj = self.backend(name)
                checker = DraftChecker(request.passages, request.verifier, relevant)
                for sentence in checker.sentences(backend_obj.generate(request), backend_obj.name):
                    sentences.append(sentence)
                    yield {"type": "text", "text": render([sentence]) + " "}
                if not sentences:
                    raise BackendError(f"{backend_obj.name} gave no sentence its passages support")
            except (BackendError, ConfigError) as exc:
                if not sentences:
                    failures.append(f"{name}: {exc}")
                    continue
                # The learner already sees verified sentences: keep them as the answer rather than start a
                # second one from the next backend, and say the model stopped.
                notice = (notice + " " if notice else "") + f"The answer stopped early ({exc})."
            timings["generate"] = (time.perf_counter() - g0) * 1000
            cited = sorted({n for s in sentences for n in s.citations})
            if failures:
                notice = (notice + " " if notice else "") + "Answered by a fallback (" + "; ".join(failures) + ")."
            yield done(Answer("answered", render(sentences), backend_obj.name,
                              citations=[numbered[n - 1] for n in cited], sentences=sentences,
                              retrieved=retrieved, passages=numbered, notice=notice))
            return
        raise BackendError("No backend could answer: " + "; ".join(failures))

    def unverified(self, question: str, history=(), backend: str = "local") -> Answer:
        """Reference only, for ``tutor eval --compare``: the backend's draft as it came, sentences scored but
        nothing removed. Never shown to learners."""
        question = check_question(question, self.settings.max_question_chars)
        retrieval = self.retriever.search(question, tuple(history), k=self.settings.top_k)
        passages = [Passage(i + 1, h.chunk, h.score) for i, h in enumerate(retrieval.hits)]
        request = Request(question, retrieval.query.text, passages, self.verifier, tuple(history), retrieval.query_vector)
        by_n = {p.n: p for p in passages}
        draft = "".join(self.backend(backend).generate(request))
        sentences = []
        for part in split_drafts(draft):
            text, cited = parse(part, by_n)
            if text:
                support = self.verifier.support(text, [by_n[n].chunk.text for n in cited]) if cited else 0.0
                sentences.append(Sentence(text, cited, support, support >= self.verifier.threshold))
        numbered = [self._citation(p) for p in passages]
        cited_ns = sorted({n for s in sentences for n in s.citations})
        retrieved = [{"chunk_id": h.chunk.id, "text": h.chunk.text, "score": round(h.score, 6)} for h in retrieval.hits]
        return Answer("answered", draft.strip(), self.backend(backend).name + " (unverified)",
                      [numbered[n - 1] for n in cited_ns], sentences, retrieved)

    def scope(self, retrieval: Retrieval, request: Request) -> guard.Scope:
        texts = [h.chunk.text for h in retrieval.hits[:3]]
        cover = guard.term_coverage(retrieval.query.text, texts)
        top = retrieval.top_dense
        if not retrieval.hits:
            return guard.Scope(False, "nothing retrieved", top, cover)
        missing = guard.missing_numbers(retrieval.query.corrected, [h.chunk.text for h in retrieval.hits])
        if missing:
            return guard.Scope(False, f"the unit never mentions {', '.join(sorted(missing))}", top, cover)
        names = guard.unknown_names(retrieval.query.corrected, self.retriever.known_words, self.retriever.known_phrases)
        if names:
            return guard.Scope(False, f"the unit never mentions {', '.join(names)}", top, cover)
        term = guard.undefined_term(retrieval.query.corrected, self.retriever.vocabulary, self.retriever.squashed,
                                    self.retriever.queries.acronyms)
        if term:
            return guard.Scope(False, f"the unit never mentions {term!r}", top, cover)
        if top < DENSE_MIN:
            return guard.Scope(False, f"weak evidence (similarity {top:.2f}, coverage {cover:.2f})", top, cover)
        chosen = ExtractiveBackend(max_sentences=3, others=2, context=False).select(request)
        best = max((c[0] for c in chosen), default=0.0)
        if best < RELEVANCE_MIN:
            return guard.Scope(False, f"no sentence answers it (best relevance {best:.2f})", top, cover)
        needed = guard.missing_answer_type(retrieval.query.corrected, [c[3] for c in chosen])
        if needed:
            return guard.Scope(False, f"asks for {needed} the passages do not give", top, cover)
        return guard.Scope(True, "", top, cover)

    def _nearest(self, passages: list[Passage]) -> str:
        topics = []
        for p in passages[:2]:
            for m in re.findall(r"\b(?:[A-Z][a-z']+(?: [A-Z][a-z']*)+)", p.chunk.text):
                if m not in topics and not m.startswith(("The ", "In ", "Her ", "His ", "Another ", "Other ")):
                    topics.append(m)
        return f" The nearest topics it does cover: {', '.join(topics[:4])}." if topics else ""

    def _citation(self, p: Passage) -> Citation:
        c = p.chunk
        return Citation(n=p.n, chunk_id=c.id, source=c.source, start=c.raw_start, end=c.raw_end, text=c.raw,
                        score=round(p.score, 6), display=c.text, paragraph=c.paragraph)


_default: Tutor | None = None


def default_tutor() -> Tutor:
    global _default
    if _default is None:
        _default = Tutor()
    return _default


def ask(question: str, history=(), backend: str | None = None) -> Answer:
    """Answer one question with the default settings (TUTOR_* environment)."""
    return default_tutor().ask(question, history, backend)


def stream(question: str, history=(), backend: str | None = None) -> Iterator[dict]:
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
