"""One contract, two engines: everything the app stores behaves the same on SQLite and on a real Postgres server
(the ``database`` fixture runs each test on both), and several processes' worth of engines never deliver an alert
twice or mark it seen twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from tests.app.test_store import answered, declined, safeguarding
from tests.learners.test_schedule import T0, item
from tutor.alerts import AlertQueue
from tutor.app.store import Store, Verdict
from tutor.learners import progress
from tutor.learners.accounts import Accounts
from tutor.learners.schedule import Deck
from tutor.learners.unanswered import groups
from tutor.storage.engine import url_of
from tutor.storage.migrate import current, head

MESSAGE = "my dad hits me when he has been drinking"


def test_chat_log_reviews_and_purge(database):
    store = Store(database)
    assert current(store.engine) == head()
    first = store.log("What is the CAF?", [], answered(), session="s1", learner="ann", unit="u1")
    store.log("Who won the cup?", ["What is the CAF?"], declined(), session="s1", learner="ann", unit="u1")
    store.log("help", [], safeguarding(), session="s2")
    assert store.count() == 3 and [c["status"] for c in store.chats()] == ["safeguarding", "declined", "answered"]
    assert [c["id"] for c in store.chats("declined")] and store.chat(first)["answer"]["backend"] == "extractive"
    assert store.save_reviews(first, [Verdict(0, 1, "correct"), Verdict(1, 2, "wrong", " far off ")]) == 2
    store.save_reviews(first, [Verdict(0, 1, "wrong")])  # replaced, not added
    assert {k: v["verdict"] for k, v in store.reviews(first).items()} == {(0, 1): "wrong", (1, 2): "wrong"}
    assert len(store.chats("unreviewed")) == 2 and progress.questions_asked(database, "ann", "u1") == 2
    assert "Who won the cup?" in str(groups(database, lambda texts: [[1.0, 0.0]] * len(texts), "u1"))
    assert store.purge(session="s1") == 2 and store.count() == 1 and store.reviews(first) == {}


def test_accounts_and_practice_cards(database):
    accounts = Accounts(database)
    accounts.add("ann", "a long secret")
    with pytest.raises(Exception, match="already a learner called ann"):
        accounts.add("ann", "another secret")
    accounts.add("ann", "another secret", replace=True)
    assert accounts.verify("ann", "another secret") and not accounts.verify("ann", "a long secret")
    deck = Deck(database, clock=lambda: T0)
    card = deck.review("ann", item(1), correct=False, seconds=4)
    assert deck.card("ann", item(1).id).due == card.due and deck.schedule("ann", [item(1).id]) == {item(1).id: card.due}
    assert progress.summary(database, "ann", "u1", now=T0)["cards"] == 1
    assert accounts.remove("ann") == {"card_reviews": 1, "cards": 1, "chats": 0} and accounts.names() == []


def test_alerts_are_written_read_and_seen_once(database, tmp_path):
    alerts = AlertQueue(database, unwritten=tmp_path / "unwritten.jsonl")
    ids = [alerts.record(MESSAGE, "u", f"s{i}", "disclosure", 0.9, "hits me") for i in range(3)]
    assert {a.id for a in alerts.pending()} == set(ids) and alerts.get(ids[0]).part == "hits me"
    with ThreadPoolExecutor(8) as pool:  # eight DSLs press "seen" at once: one succeeds
        assert sum(pool.map(lambda _: alerts.mark_seen(ids[0]), range(8))) == 1
    assert alerts.purge(1) == 0 and len(alerts.all()) == 3


class Recorder:
    """A sender that counts what it was asked to send (a real SMTP and webhook are tested in tests/alerts)."""
    name = "webhook"

    def __init__(self):
        self.sent, self.lock = [], threading.Lock()

    def send(self, alert):
        with self.lock:
            self.sent.append(alert.id)


def test_each_alert_is_delivered_once_however_many_processes_sweep(database, tmp_path, monkeypatch):
    """Alerts left pending (their process died before sending) are taken by the sweeps of four queues, each with
    its own engine as separate processes would have, at once: every alert is sent exactly once."""
    from tutor.alerts import once as once_module
    from tutor.storage import engine as engine_module

    monkeypatch.setattr(once_module, "STALE_SECONDS", 0.0)
    writer = AlertQueue(database, unwritten=tmp_path / "u.jsonl")
    ids = [writer.record(MESSAGE, "u", f"s{i}", "disclosure", 0.9) for i in range(40)]
    engine = create_engine(url_of(database))
    with engine.begin() as conn:  # as if recorded by a process that died before its delivery thread ran
        conn.execute(text("UPDATE alerts SET webhook = 'pending', created = '2020-01-01T00:00:00Z'"))
    engine.dispose()
    senders, queues = [], []
    for n in range(4):
        engine_module._engines.pop(url_of(database), None)  # a process of its own: its own pool
        senders.append(Recorder())
        queues.append(AlertQueue(database, [senders[-1]], unwritten=tmp_path / f"u{n}.jsonl"))
    barrier = threading.Barrier(4)

    def sweep_all(q):
        barrier.wait()
        taken = 0
        while (found := q.sweep()) or taken == 0:
            taken += found
            if not found:
                break
        q.flush(10)
        return taken

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(sweep_all, queues))
    for q in queues:
        q.flush(10)
    sent = [i for s in senders for i in s.sent]
    assert sorted(sent) == sorted(ids)  # each once, none lost
    assert {a.webhook for a in writer.all()} == {"sent"}


def test_a_sweep_does_not_queue_again_what_it_queued_while_its_delivery_is_slow(database, tmp_path, monkeypatch):
    """Sweeps every few seconds while a slow sender still holds the alert: queued once, sent once."""
    from tutor.alerts import once as once_module

    monkeypatch.setattr(once_module, "STALE_SECONDS", 0.0)
    writer = AlertQueue(database, unwritten=tmp_path / "u.jsonl")
    alert_id = writer.record(MESSAGE, "u", "s", "disclosure", 0.9)
    engine = create_engine(url_of(database))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alerts SET webhook = 'pending', email = 'pending', created = '2020-01-01T00:00:00Z'"))
    engine.dispose()
    gate, slow = threading.Event(), Recorder()
    slow.send = lambda alert, send=slow.send: (gate.wait(10), send(alert))
    queue = AlertQueue(database, [slow], unwritten=tmp_path / "u1.jsonl")  # a webhook sender only
    assert queue.sweep() == 1
    assert queue.sweep() == 0 and queue.sweep() == 0  # still sending: not queued again
    gate.set()
    assert queue.flush(10) and slow.sent == [alert_id]
    assert queue.sweep() == 0  # the e-mail channel is pending too, but this process has no e-mail sender
