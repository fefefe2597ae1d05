"""Hostile input through every door (``inputs.py`` makes 300+): ``Tutor.ask`` takes every one (and its answer is
rendered as the app would); the web app's handlers a sample, plus a 200-turn conversation; a real served app
(gradio_client) and the CLI (``python -m tutor ask --json``) smaller samples, since each answer costs time.

Each must end in an answer, a refusal with text (declined, safeguarding), or an error that says what to do; never
a traceback. HTML the app renders must carry no markup from the input: no raw tag such as ``<script`` or
``<img``, no event-handler attribute (``onerror=``) inside a tag, no ``javascript:`` link."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.hardening.inputs import INPUTS, QUESTION, Hostile, long_history, sample
from tutor.app import render
from tutor.app.ask import KEEP_QUESTIONS
from tutor.app.build import TutorApp
from tutor.errors import TutorError

STATUSES = {"answered", "declined", "safeguarding"}
RAW_TAG = re.compile(r"<\s*/?\s*(script|img|svg|iframe|object|style|body|math)\b", re.I)
HANDLER_IN_TAG = re.compile(r"<[^<>]*\son\w+\s*=", re.I)
JS_LINK = re.compile(r"""<[^<>]*\b(href|src)\s*=\s*["']?\s*javascript:""", re.I)
ANSWER_DIV = r'<div class="answer (answered|declined|safeguarding|error)[ "]'  # the outcome of one answer
SAYS_WHAT_TO_DO = re.compile(r"\b(Please|Run|Set|Try|Ask|Pick|Enter)\b")


def ids(inputs: list[Hostile]) -> list[str]:
    return [f"{i.kind}-{n}" for n, i in enumerate(inputs)]


def assert_clear(result: dict) -> None:
    """An answer with text and citations, a refusal with text, or an error saying what to do; valid JSON."""
    assert json.loads(json.dumps(result)) == result
    if result["status"] == "error":
        assert SAYS_WHAT_TO_DO.search(result["message"]) and "\n" not in result["message"], result["message"]
        return
    assert result["status"] in STATUSES and result["answer"].strip(), result
    if result["status"] == "answered":
        assert result["citations"] and re.search(r"\[\d+\]", result["answer"])


def assert_no_markup(html: str) -> None:
    for pattern in (RAW_TAG, HANDLER_IN_TAG, JS_LINK):
        found = pattern.search(html)
        assert found is None, f"markup from the input: {found.group()!r} in {html[max(0, found.start() - 80):found.end() + 80]!r}"


def ask_json(tutor, text: str, history=()) -> dict:
    try:
        answer = tutor.ask(text, history)
    except TutorError as exc:
        return {"status": "error", "message": str(exc)}
    assert_no_markup(render.answer_html(answer, 1))  # as the app shows it, passages included
    assert_no_markup(render.sources_block(answer.passages, 1, answer))
    return answer.to_json()


@pytest.mark.parametrize("hostile", INPUTS, ids=ids(INPUTS))
def test_the_pipeline_answers_refuses_or_explains(tutor, hostile):
    assert_clear(ask_json(tutor, hostile.text))


def test_a_200_turn_conversation(tutor):
    result = ask_json(tutor, QUESTION, long_history(200))
    assert_clear(result)
    assert result["status"] == "answered" and "Common Assessment Framework" in result["answer"]


@pytest.fixture(scope="module")
def app(unit_settings, tutor, tmp_path_factory):
    """The app's handlers over the shared Tutor, logging to a temporary database (hostile rows included)."""
    base = tmp_path_factory.mktemp("hostile-app")
    settings = unit_settings.replace(log_chats=True, db=base / "tutor.sqlite3")
    return TutorApp(settings, tutor=tutor, export_path=base / "reviewed.jsonl")


def assert_rendered_safely(app: TutorApp, steps: list[tuple]) -> str:
    """Every streamed step's answer and sources panel; returns the final answer's HTML."""
    assert steps, "the handler yielded nothing"
    for _, chat, panel, _ in steps:
        assert chat[-1]["role"] == "assistant"
        assert_no_markup(chat[-1]["content"])
        assert_no_markup(panel)
    final = steps[-1][1][-1]["content"]
    kind = re.match(ANSWER_DIV, final)
    assert kind and re.sub(r"<[^>]+>", "", final).strip(), final
    if kind.group(1) == "error":
        assert SAYS_WHAT_TO_DO.search(final), final
    else:
        logged = app.store.chat(app.store.chats(limit=1)[0]["id"])  # what a tutor will read in Review
        assert_no_markup(render.review_detail(logged))
    return final


APP_SAMPLE = sample(8)


@pytest.mark.parametrize("hostile", APP_SAMPLE, ids=ids(APP_SAMPLE))
def test_the_app_renders_no_markup_from_the_input(app, hostile):
    assert_rendered_safely(app, list(app.ask.ask(hostile.text, [], None)))


def test_the_app_keeps_a_200_turn_conversation(app):
    session = app.ask.new_session()
    session["questions"] = long_history(200)
    final = assert_rendered_safely(app, list(app.ask.ask(QUESTION, [], session)))
    assert 'class="answer answered"' in final  # the session keeps the latest questions only
    assert len(session["questions"]) == KEEP_QUESTIONS and session["questions"][-1] == QUESTION


SERVED_SAMPLE = [i for i in sample(29, offset=5) if not i.has_surrogate]


def test_a_served_app_answers_a_sample_through_gradio_client(served_app):
    """gradio_client cannot send a lone surrogate (it encodes strictly); test_served_surrogate covers that path."""
    from gradio_client import Client

    client = Client(served_app.url, verbose=False)
    for hostile in SERVED_SAMPLE:
        box, chat, panel = client.predict(hostile.text, [], api_name="/ask")
        answer = chat[-1]["content"][0]["text"]
        assert_no_markup(answer)
        assert_no_markup(panel)
        assert re.match(ANSWER_DIV, answer), (hostile, answer)


def test_served_surrogate(served_app):
    """A lone surrogate in the question once broke the event stream (the chat echoed it raw)."""
    from tests.hardening.raw import call

    done = call(served_app.url, served_app.blocks, served_app.handlers.ask.ask, ["What is \ud800 the CAF?", [], None, ""],
                session="surrogate")
    assert done["success"]


CLI_SAMPLE = [i for i in sample(61, offset=7) if not i.has_surrogate and "\x00" not in i.text][:3]


def test_the_cli_prints_json_for_a_sample(unit_settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env.update(TUTOR_INDEX_DIR=str(unit_settings.index_dir), TUTOR_LOG_CHATS="0")
    runs = [subprocess.Popen([sys.executable, "-m", "tutor", "ask", "--json", "--", i.text], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in CLI_SAMPLE]
    for hostile, run in zip(CLI_SAMPLE, runs):
        out, err = run.communicate(timeout=300)
        assert "Traceback" not in err, err
        lines = out.strip().splitlines()
        assert len(lines) == 1, (hostile, out)
        result = json.loads(lines[0])
        assert_clear(result)
        assert run.returncode == (1 if result["status"] == "error" else 0)
