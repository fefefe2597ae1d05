import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tutor.app.store import Store
from tutor.types import Answer

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
    assert out.returncode == 0 and "Lord Laming" in out.stdout
    assert re.search(r"^\[1\] unit-25-safeguarding: corpus/unit-25-safeguarding/", out.stdout, re.M)


def test_ask_prints_a_concern_note_under_the_answer(run):
    out = run("ask", "I think my neighbour's kid is being hit at home, what should I do?")
    assert out.returncode == 0 and "(answered;" in out.stdout  # a possible concern: answered, with the note
    assert "NSPCC" in out.stdout.split("(answered;")[0]


@pytest.mark.parametrize("question, message", [("", "Please type a question"), ("x" * 2500, "limit is 2,000")])
def test_bad_questions_get_one_clear_line(run, question, message):
    out = run("ask", question)
    assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_unknown_backend_lists_the_known_ones(run):
    out = run("ask", "What is the CAF?", "--backend", "magic")
    assert out.returncode == 1 and "Known backends" in out.stderr


@pytest.fixture
def logs(tmp_path):
    """A chat log in a temporary folder: two sessions, one answer from long ago, an export file beside it."""
    store = Store(tmp_path / "data" / "tutor.sqlite3")
    ids = {name: store.log(name, [], Answer("declined", "no"), session) for name, session in
           (("old", "s1"), ("recent", "s1"), ("other", "s2"))}
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE chats SET created = '2020-03-01T09:00:00Z' WHERE id = ?", (ids["old"],))
    (tmp_path / "data" / "exports").mkdir()
    (tmp_path / "data" / "exports" / "reviewed-cases.jsonl").write_text("{}\n")

    def purge(*args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
        env["TUTOR_DB"] = str(store.path)
        return subprocess.run([sys.executable, "-m", "tutor", "logs", "purge", *args], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=60)
    return store, purge


def test_logs_purge_also_deletes_alerts_past_their_retention(logs):
    from tutor.alerts import AlertQueue

    store, purge = logs
    alerts = AlertQueue(store.path)
    old, recent = (alerts.record("a message written for this test", "u", "s1", "concern", 0.5) for _ in range(2))
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE alerts SET created = '2020-03-01T09:00:00Z' WHERE id = ?", (old,))
    out = purge("--session", "s1")  # a session's chat log goes; its alerts go only by age (TUTOR_ALERT_DAYS, 365)
    assert "Deleted 1 safeguarding alert(s) older than 365 days" in out.stdout
    assert [a.id for a in alerts.all()] == [recent]


def test_logs_purge_by_date_session_and_retention(logs):
    store, purge = logs
    out = purge()  # neither option: older than TUTOR_LOG_DAYS (90)
    assert out.returncode == 0 and out.stdout.startswith("Deleted 1 logged answer (and their reviews) older than 90")
    assert "removed the old export" in out.stdout and not (store.path.parent / "exports" / "reviewed-cases.jsonl").exists()
    assert purge("--before", "2000-01-01").stdout.startswith("Deleted 0 logged answers")
    out = purge("--session", "s2", "--json")
    assert json.loads(out.stdout) == {"status": "ok", "deleted": 1, "alerts_deleted": 0, "db": str(store.path)}
    assert [c["question"] for c in store.chats()] == ["recent"]
    out = purge("--before", "31/01/2026")
    assert out.returncode == 1 and out.stderr.strip() == "error: --before must be a date like 2026-01-31; got '31/01/2026'."
