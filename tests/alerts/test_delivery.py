"""Alerts sent on to the DSL: by e-mail to a real local SMTP server (aiosmtpd), by webhook to a real local HTTP
receiver (http.server in a thread), in the background, with the outcome recorded on the alert."""

from __future__ import annotations

import json
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tutor.alerts import AlertQueue
from tutor.alerts.email import EmailSender, SmtpServer
from tutor.alerts.webhook import WebhookSender
from tutor.settings import Settings
from tests.conftest import free_port

MESSAGE = "the man next door keeps asking me to come round when my parents are at work and says not to tell"


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def password_check(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=auth_data.login == b"tutor" and auth_data.password == b"p@ss word")


@pytest.fixture
def smtp_server():
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=password_check,
                            auth_require_tls=False)
    controller.start()
    yield inbox, port
    controller.stop()


class Receiver(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def webhook_server():
    receiver = type("Receiver", (Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield receiver, f"http://127.0.0.1:{server.server_address[1]}/safeguarding"
    server.shutdown()


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def test_the_dsl_gets_an_email_and_the_status_is_recorded(tmp_path, smtp_server):
    inbox, port = smtp_server
    settings = Settings(db=tmp_path / "tutor.sqlite3", dsl_email="dsl@college.example, deputy@college.example",
                        smtp_url=f"smtp://tutor:p%40ss%20word@127.0.0.1:{port}?from=tutor@college.example")
    alerts = AlertQueue.from_settings(settings)
    alert_id = alerts.record(MESSAGE, "unit-25", "session-9", "disclosure", 0.93)
    assert alerts.get(alert_id).email in ("pending", "sent")  # recorded at once; sent in the background
    assert alerts.flush(20) and alerts.get(alert_id).email == "sent"
    [(to, mail)] = inbox.messages
    assert to == ["dsl@college.example", "deputy@college.example"] and mail["From"] == "tutor@college.example"
    assert "disclosure" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert MESSAGE in body and "unit-25" in body and "session-9" in body and alert_id in body


def test_the_dsl_webhook_gets_the_alert_as_json(tmp_path, webhook_server):
    receiver, url = webhook_server
    alerts = AlertQueue.from_settings(Settings(db=tmp_path / "tutor.sqlite3", dsl_webhook=url))
    alert_id = alerts.record(MESSAGE, "", "session-4", "concern", 0.42, "says not to tell")
    assert alerts.flush(20) and alerts.get(alert_id).webhook == "sent"
    [(kind, body)] = receiver.received
    assert kind.startswith("application/json")
    assert body["id"] == alert_id and body["message"] == MESSAGE and body["level"] == "concern"
    assert body["session"] == "session-4" and body["part"] == "says not to tell" and "seen" not in body


def test_a_failing_receiver_is_retried_then_recorded_without_delaying_the_write(tmp_path, webhook_server):
    receiver, url = webhook_server
    receiver.status = 503
    alerts = AlertQueue(tmp_path / "tutor.sqlite3", [WebhookSender(url)], delivery={"tries": 3, "first_pause": 0.05})
    started = time.monotonic()
    alert_id = alerts.record(MESSAGE, "u", "s", "disclosure", 0.9)
    assert time.monotonic() - started < 1.0  # the sending happens elsewhere
    assert wait_for(lambda: alerts.get(alert_id).webhook.startswith("failed"))
    assert len(receiver.received) == 3 and "503" in alerts.get(alert_id).webhook


def test_an_unreachable_mail_server_is_recorded_as_failed(tmp_path):
    sender = EmailSender(SmtpServer("127.0.0.1", free_port(), tls=False, sender="t@example.org"), ["d@example.org"], 2)
    alerts = AlertQueue(tmp_path / "tutor.sqlite3", [sender], delivery={"tries": 2, "first_pause": 0.05})
    alert_id = alerts.record(MESSAGE, "u", "s", "concern", 0.5)
    assert wait_for(lambda: alerts.get(alert_id).email.startswith("failed: ConnectionRefusedError"))
