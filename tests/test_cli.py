import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(unit_settings):
    env = dict(os.environ, TUTOR_INDEX_DIR=str(unit_settings.index_dir))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=300)
    return run


def test_ask_json_prints_exactly_one_object(run):
    out = run("ask", "What did it recommend?", "--history", "What happened at Little Ted's nursery?", "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)  # the whole of stdout is one JSON object
    assert set(answer) >= {"status", "answer", "backend", "citations", "sentences", "retrieved", "timings_ms"}
    assert answer["status"] == "answered" and answer["backend"] == "extractive"
    assert any("Little Ted" in c["text"] for c in answer["citations"])


def test_ask_prints_answer_and_sources(run):
    out = run("ask", "Who chaired the Victoria Climbie inquiry?")
    assert out.returncode == 0 and "Lord Laming" in out.stdout and "[1] corpus/" in out.stdout


@pytest.mark.parametrize("question, message", [("", "Please type a question"), ("x" * 2500, "limit is 2,000")])
def test_bad_questions_get_one_clear_line(run, question, message):
    out = run("ask", question)
    assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_unknown_backend_lists_the_known_ones(run):
    out = run("ask", "What is the CAF?", "--backend", "magic")
    assert out.returncode == 1 and "Known backends" in out.stderr
