"""The local backend's streaming, with a scripted stand-in for llama-cpp's Llama (exact and fast); the real GGUF
model is exercised in test_real_models.py."""

import threading
import time

import pytest

from tutor.answering.base import Request
from tutor.answering import gguf
from tutor.answering.local import LocalBackend
from tutor.retrieval.passages import Passage
from tutor.ingest.chunk import Chunk
from tutor.errors import BackendError


class ScriptedLlama:
    """Streams ``pieces`` like create_chat_completion(stream=True); waits on ``gate`` before the last piece."""

    def __init__(self, pieces, gate=None, fail=None):
        self.pieces, self.gate, self.fail = pieces, gate, fail
        self.prompts, self.sent = [], 0

    def create_chat_completion(self, messages, stream, max_tokens, temperature):
        assert stream is True
        self.prompts.append(messages[0]["content"])
        if self.fail:
            raise self.fail
        for i, piece in enumerate(self.pieces):
            if self.gate is not None and i == len(self.pieces) - 1:
                assert self.gate.wait(5), "the reader never got the earlier pieces"
            self.sent += 1
            yield {"choices": [{"delta": {"content": piece}}]}


def chunk(i: int) -> Chunk:
    text = f"Passage number {i} says something distinct about topic{i}."
    return Chunk(id=f"c{i}", source="unit.txt", title="Unit", text=text, raw_start=0, raw_end=len(text), paragraph=i,
                 sentence_start=0, sentence_end=1, raw=text, sentences=[(0, len(text))])


@pytest.fixture
def local(make_settings, tmp_path, monkeypatch):
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    settings = make_settings(local_model=str(model), local_passages=2, llm_timeout=1.0)
    backend = LocalBackend(settings)

    def install(llama):
        monkeypatch.setitem(gguf._models, backend.path, llama)
        return backend
    return install


def request(n: int = 5) -> Request:
    passages = [Passage(i + 1, chunk(i + 1), 1.0 - i / 10) for i in range(n)]
    return Request("What?", "What?", passages)


def test_pieces_reach_the_reader_while_the_model_is_still_writing(local):
    gate = threading.Event()
    llama = ScriptedLlama(["The first", " sentence [1].", " The last [2]."], gate=gate)
    stream = local(llama).generate(request())
    got = [next(stream), next(stream)]  # the model has not written its last piece yet
    assert got == ["The first", " sentence [1]."] and llama.sent == 2
    gate.set()
    assert list(stream) == [" The last [2]."]


def test_only_the_best_passages_go_into_the_prompt(local):
    llama = ScriptedLlama(["Fine [1]."])
    assert "".join(local(llama).generate(request(5))) == "Fine [1]."
    assert "topic1" in llama.prompts[0] and "topic2" in llama.prompts[0]
    assert "topic3" not in llama.prompts[0]


def test_a_failing_model_raises_a_backend_error(local):
    with pytest.raises(BackendError, match="local model failed: out of memory"):
        list(local(ScriptedLlama([], fail=RuntimeError("out of memory"))).generate(request()))


def test_a_silent_model_times_out_and_the_next_call_still_runs(local):
    gate = threading.Event()
    backend = local(ScriptedLlama(["a", "b"], gate=gate))
    stream = backend.generate(request())
    assert next(stream) == "a"
    with pytest.raises(BackendError, match="wrote nothing for 1 s"):
        next(stream)
    stream.close()
    gate.set()  # the worker finishes, notices the reader left, and releases the model
    backend_again = local(ScriptedLlama(["ok [1]."]))
    assert "".join(backend_again.generate(request())) == "ok [1]."


def test_a_question_waiting_for_a_busy_model_times_out_without_running_it(local):
    gate = threading.Event()
    busy = ScriptedLlama(["a", "b"], gate=gate)
    backend = local(busy)
    first = backend.generate(request())
    assert next(first) == "a"  # the first question holds the model, waiting on its last piece
    waiting = backend.generate(request())
    t0 = time.perf_counter()
    with pytest.raises(BackendError, match="busy with other questions for 1 s"):
        next(waiting)
    assert time.perf_counter() - t0 < 3  # the one timeout, not one per wait
    gate.set()
    assert list(first) == ["b"] and len(busy.prompts) == 1  # the second prompt was never evaluated
