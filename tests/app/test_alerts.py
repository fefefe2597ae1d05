"""The web app tells the DSL: a disclosure is in the safeguarding queue before any of the reply is shown, the learner
is told in the policy's words, and the Review tab lists alerts (behind its gate) and marks them seen. The tutor is
a fake that streams what the pipeline would; the classifier, the queue and the database are real."""

from __future__ import annotations

import sqlite3

import gradio as gr
import pytest

from tutor.alerts import AlertQueue
from tutor.app.ask import AskTab
from tutor.app.auth import ReviewGate, Peer
from tutor.app.export import Downloads
from tutor.app.review import ReviewTab
from tutor.app.store import Store
from tutor.guards.policy import load_policy
from tutor.types import SAFEGUARDING, Answer, Done, Signpost, Text

DISCLOSURE = "i'm 13 and my mum's boyfriend hits me with his belt when he's been drinking"
UK = load_policy("uk")
LOCAL, REMOTE = Peer("127.0.0.1"), Peer("203.0.113.9")


class SignpostingTutor:
    """Streams the signposting event, the disclosure message, then the finished safeguarding answer, as the
    pipeline does."""

    def __init__(self):
        self.resources = self

    def stream(self, message, history, unit=None):
        yield Signpost("disclosure", UK.disclosure, 0.97, message)
        yield Text(UK.disclosure)
        yield Done(Answer(SAFEGUARDING, UK.disclosure, reason="safeguarding", signposting=UK.disclosure))

    def policy(self, unit):
        return UK


def alert_rows(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT message, unit, session, level FROM alerts").fetchall()


@pytest.mark.slow
def test_the_alert_is_written_before_any_of_the_reply_is_shown(tmp_path):
    db = tmp_path / "tutor.sqlite3"
    tab = AskTab(SignpostingTutor(), Store(db, log_chats=False), 2000, AlertQueue(db))
    steps = 0
    for _box, chat, _panel, session in tab.ask(DISCLOSURE, [], None, unit="unit-x"):
        steps += 1  # at every step the learner could see, the row is already there
        assert alert_rows(db) == [(DISCLOSURE, "unit-x", session["id"], "disclosure")]
    final = chat[-1]["content"]
    assert steps >= 2 and "0800" in final and "Designated Safeguarding Lead" in final
    assert "may be passed to your" in final  # the policy's passed_on sentence


def review(tmp_path, password: str) -> tuple[ReviewTab, AlertQueue]:
    db = tmp_path / "tutor.sqlite3"
    alerts = AlertQueue(db)
    gate = ReviewGate(password, "127.0.0.1")
    return ReviewTab(Store(db), gate, Downloads(tmp_path / "exports" / "cases.jsonl", gate), alerts), alerts


def test_the_review_tab_lists_alerts_and_marks_them_seen(tmp_path):
    tab, alerts = review(tmp_path, "s3cret")
    alert_id = alerts.record(DISCLOSURE, "unit-x", "session-1", "disclosure", 0.95)
    token, _ = tab.gate.unlock("s3cret", REMOTE)
    rows, picker, note = tab.alert_list(False, token, REMOTE)
    assert rows[0][1:5] == ["disclosure", "unit-x", "session-1", DISCLOSURE] and rows[0][6] == "no"  # 5: why
    assert picker["choices"][0][1] == alert_id and "1 alert not yet marked seen" in note
    rows, picker, note = tab.mark_seen(alert_id, False, token, REMOTE)
    assert rows == [] and picker["choices"] == [] and note.startswith("Marked seen.") and alerts.pending() == []
    rows, _, _ = tab.alert_list(True, token, REMOTE)  # seen ones stay listed on request
    assert rows[0][4] == DISCLOSURE and rows[0][6] != "no"


@pytest.mark.parametrize("password, peer", [("s3cret", LOCAL), ("s3cret", REMOTE), ("", REMOTE)])
def test_the_review_gate_protects_the_alerts(tmp_path, password, peer):
    tab, alerts = review(tmp_path, password)
    alert_id = alerts.record(DISCLOSURE, "unit-x", "session-1", "disclosure", 0.95)
    for call in (lambda: tab.alert_list(True, None, peer), lambda: tab.mark_seen(alert_id, True, None, peer),
                 lambda: tab.alert_list(True, "a-guessed-token", peer)):
        with pytest.raises(gr.Error):
            call()
    assert tab.refresh_alerts(True, None, peer) == (gr.skip(),) * 3
    assert [a.id for a in alerts.pending()] == [alert_id]  # nothing was marked

