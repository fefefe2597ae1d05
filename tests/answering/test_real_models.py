"""The real answer backends: the bundled SmolLM2 GGUF through llama-cpp-python, and the hosted path against a real
OpenAI-compatible server (llama_cpp.server serving the same GGUF on loopback)."""

import subprocess
import sys

import pytest

from tutor.study import checking, glossary, model_items, starters
from tutor.study import items as quiz_items
from tutor.pipeline import Tutor
from tutor.answering.base import Request
from tutor.answering.hosted import HostedBackend
from tutor.answering.gguf import bundled_gguf
from tutor.answering.local import LocalBackend

from tests.conftest import free_port, stop, wait_for_port
from tests.test_pipeline import check_contract

pytestmark = pytest.mark.slow
QUESTION = "What is the Common Assessment Framework?"


def request_for(tutor, question):
    r = tutor.live().retriever.search(question, k=3)
    return Request(question, r.query.text, r.passages)


def test_bundled_gguf_is_found_in_the_wheel():
    path = bundled_gguf()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000


def test_local_model_generates_and_only_verified_text_is_shown(tutor):
    local = LocalBackend(tutor.settings)
    assert local.name == "local:SmolLM2-135M-Instruct.Q4_1"
    stream = local.generate(request_for(tutor, QUESTION))
    assert next(stream)  # the first token comes on its own
    stream.close()  # a reader that leaves stops the model and frees it for the next call
    draft = "".join(local.generate(request_for(tutor, QUESTION)))
    assert len(draft.split()) >= 3  # the real model said something
    answer = tutor.ask(QUESTION, backend="local,extractive")
    check_contract(answer)
    assert answer.backend.startswith("local:") or "fallback" in answer.notice
    for sentence in answer.sentences:  # whatever the model wrote, only supported sentences stand
        assert sentence.supported


@pytest.fixture(scope="module")
def openai_server():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf()),
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, 120, proc)
        yield proc, f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)


def test_hosted_model_writes_quiz_items_that_are_checked_against_the_unit(tutor, openai_server):
    _, url = openai_server
    hosted = HostedBackend(tutor.settings.replace(llm_base_url=url, llm_timeout=60.0))
    items, rejected = model_items.model_items(tutor.live().index.chunks, hosted.complete, limit=4)
    assert len(items) + len(rejected) == 4  # every passage was asked about and judged
    assert not [r for r in rejected if "model failed" in r], rejected  # real replies came back over HTTP
    for item in items:  # whatever SmolLM2 wrote, only items whose answer is unit text stand
        assert item.kind == "question" and item.prompt.endswith("?")
        assert item.sentence[item.start:item.start + len(item.answer)] == item.answer and item.sentence in item.passage


def test_hosted_path_for_real_then_falls_back_when_the_server_stops(unit_settings, openai_server):
    proc, url = openai_server
    settings = unit_settings.replace(llm_base_url=url, llm_timeout=60.0, backend="hosted,extractive")
    tutor = Tutor(settings)
    hosted = HostedBackend(settings)
    draft = "".join(hosted.generate(request_for(tutor, QUESTION)))
    assert len(draft.split()) >= 3  # a real completion came back over HTTP
    answer = tutor.ask(QUESTION)
    check_contract(answer)
    assert answer.backend == "hosted:default" or "hosted:default" in answer.notice
    stop(proc)
    after = tutor.ask(QUESTION)
    check_contract(after)
    assert after.status == "answered" and after.backend == "extractive"
    assert "fallback" in after.notice and "hosted:default failed" in after.notice
