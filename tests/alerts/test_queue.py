"""The safeguarding queue on real SQLite files in temporary folders: a durable write, nothing lost when another
process holds the database, seen marks and the retention purge. The messages are written for these tests."""

from __future__ import annotations

import json
import sqlite3
import stat
import time

import pytest

from tutor.alerts import AlertQueue
from tutor.alerts.queue import unwritten_path
from tests.app.test_store import hold_write_lock

MESSAGE = "my older cousin takes my lunch money and pushes me down the stairs at home"


def rows(db) -> list[dict]:
    """The alerts table as another connection sees it (what survives this process)."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM alerts ORDER BY created")]


def test_record_writes_the_whole_alert_before_it_returns(tmp_path):
    db = tmp_path / "data" / "tutor.sqlite3"
    alerts = AlertQueue(db)
    alert_id = alerts.record(MESSAGE, "unit-x", "session-1", "disclosure", 0.91, "pushes me down the stairs")
    [row] = rows(db)
    assert row["id"] == alert_id and row["message"] == MESSAGE and row["unit"] == "unit-x"
    assert (row["session"], row["level"], row["score"], row["part"]) == ("session-1", "disclosure", 0.91,
                                                                         "pushes me down the stairs")
    assert row["seen"] == 0 and row["seen_at"] == "" and row["created"].endswith("Z")
    assert (row["email"], row["webhook"]) == ("off", "off")  # nothing configured to send it on
    assert stat.S_IMODE(db.stat().st_mode) == 0o600 and stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_a_database_locked_by_another_process_loses_nothing(tmp_path, caplog):
    db = tmp_path / "tutor.sqlite3"
    alerts = AlertQueue(db, write_seconds=0.3)
    with hold_write_lock(db):
        started = time.monotonic()
        alert_id = alerts.record(MESSAGE, "", "session-2", "concern", 0.4)  # never raises: the reply must go out
        assert time.monotonic() - started < 5
        kept = [json.loads(line) for line in unwritten_path(db).read_text().splitlines()]
        assert [k["id"] for k in kept] == [alert_id] and kept[0]["message"] == MESSAGE
        assert stat.S_IMODE(unwritten_path(db).stat().st_mode) == 0o600
        assert "could not be written" in caplog.text and "ERROR" in caplog.text
    assert alerts.flush(5)  # the lock is gone: what was kept aside is written
    assert [r["id"] for r in rows(db)] == [alert_id] and not unwritten_path(db).exists()


def test_alerts_kept_aside_are_written_by_the_next_start(tmp_path):
    db = tmp_path / "tutor.sqlite3"
    alerts = AlertQueue(db, write_seconds=0.2)
    with hold_write_lock(db):
        alert_id = alerts.record(MESSAGE, "unit-y", "session-3", "disclosure", 0.8)
    restarted = AlertQueue(db)  # a new process would read the unwritten file the same way
    assert [a.id for a in restarted.pending()] == [alert_id] and not unwritten_path(db).exists()
    alerts.flush(2)  # the first queue writes it too: the random id makes that harmless
    assert len(rows(db)) == 1


def test_mark_seen(tmp_path):
    alerts = AlertQueue(tmp_path / "tutor.sqlite3")
    first, second = (alerts.record(MESSAGE, "u", f"s{i}", "disclosure", 0.9) for i in range(2))
    assert alerts.mark_seen(first) and not alerts.mark_seen(first) and not alerts.mark_seen("no-such-alert")
    assert [a.id for a in alerts.pending()] == [second]
    seen = alerts.get(first)
    assert seen.seen and seen.seen_at.endswith("Z") and {a.id for a in alerts.all()} == {first, second}


def test_the_retention_purge_deletes_only_old_alerts(tmp_path):
    db = tmp_path / "tutor.sqlite3"
    alerts = AlertQueue(db)
    old, new = (alerts.record(MESSAGE, "u", "s", "concern", 0.5) for _ in range(2))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alerts SET created = '2020-01-01T00:00:00Z' WHERE id = ?", (old,))
    assert alerts.purge(365) == 1 and [r["id"] for r in rows(db)] == [new]
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alerts SET created = '2020-01-01T00:00:00Z'")
    assert AlertQueue(db, keep_days=365).all() == []  # purged when the app starts


@pytest.mark.parametrize("value, problem", [
    ({"dsl_email": "dsl@college.example"}, "TUTOR_SMTP_URL is empty"),
    ({"dsl_email": "nobody", "smtp_url": "smtp://127.0.0.1:25"}, "not an e-mail address"),
    ({"smtp_url": "http://mail.example.org"}, "TUTOR_SMTP_URL must look like"),
    ({"dsl_webhook": "ftp://example.org/x"}, "TUTOR_DSL_WEBHOOK must be"),
    ({"alert_days": 0}, "TUTOR_ALERT_DAYS must be 1 or more"),
])
def test_alert_settings_say_what_to_set(value, problem):
    from tutor.errors import ConfigError
    from tutor.settings import Settings

    with pytest.raises(ConfigError, match=problem):
        Settings(**value).validate()


class Webhook:
    """A sender that records what it was asked to send (the real one is tested in test_delivery.py)."""
    name = "webhook"

    def __init__(self):
        self.sent = []

    def send(self, alert):
        self.sent.append(alert.id)


def test_an_alert_kept_aside_and_delivered_is_not_sent_again_after_a_restart(tmp_path):
    """Its delivery status is kept aside too (the unwritten file's last line per alert), so a process started after
    a crash reads it as sent and does not claim it again."""
    db = tmp_path / "tutor.sqlite3"
    first = Webhook()
    alerts = AlertQueue(db, [first], write_seconds=0.2)
    with hold_write_lock(db):
        alert_id = alerts.record(MESSAGE, "unit-z", "session-4", "disclosure", 0.9)
        assert alerts.delivery.flush(5) and first.sent == [alert_id]
        last = [json.loads(line) for line in unwritten_path(db).read_text().splitlines()][-1]
        assert (last["id"], last["webhook"]) == (alert_id, "sent")
        again = Webhook()
        restarted = AlertQueue(db, [again], write_seconds=0.2)  # as after a crash: reads the unwritten file
        assert not restarted.claim(alert_id, "webhook") and again.sent == []
    assert alerts.flush(5) and restarted.flush(5)
    assert [(r["id"], r["webhook"]) for r in rows(db)] == [(alert_id, "sent")]


def test_a_database_server_down_at_start_stops_the_queue_with_what_to_do(tmp_path):
    """The app does not start taking disclosures with nowhere to keep them: it stops, naming the setting (the
    supervisor starts it again once the server answers); an outage after start is kept aside instead (above)."""
    from tutor.bench.util import free_port
    from tutor.storage.engine import DatabaseUnreachable

    url = f"postgresql+psycopg://tutor:secret@127.0.0.1:{free_port()}/tutor"  # nothing listens there
    with pytest.raises(DatabaseUnreachable, match="TUTOR_DATABASE_URL") as raised:
        AlertQueue(url, unwritten=tmp_path / "unwritten.jsonl")
    assert "secret" not in str(raised.value)
