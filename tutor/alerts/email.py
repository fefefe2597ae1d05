"""Send an alert to the DSL by e-mail, through the SMTP server of ``TUTOR_SMTP_URL``.

``smtp://user:pass@host:587`` connects in plain text and upgrades with STARTTLS when the server offers it;
``smtps://user:pass@host:465`` connects over TLS. A ``?from=tutor@college.ac.uk`` query sets the sender (default:
the user name when it is an address, else ``unit-tutor@<this host>``). User and password may be %-encoded.

>>> SmtpServer.parse("smtps://dsl%40college.ac.uk:p%40ss@mail.college.ac.uk").port
465
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import ConfigError
from .alert import Alert

TIMEOUT = 20.0  # seconds one SMTP conversation may take


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    user: str = ""
    password: str = ""
    sender: str = ""

    @classmethod
    def parse(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"TUTOR_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465; "
                              f"it starts {url.split('@')[-1][:40]!r}. Set TUTOR_SMTP_URL to your mail server.")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ConfigError("TUTOR_SMTP_URL has a port that is not a number. Set it like smtp://host:587.") from None
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        sender = parse_qs(parts.query).get("from", [""])[0] or (user if "@" in user else
                                                                 f"unit-tutor@{socket.getfqdn()}")
        return cls(parts.hostname, port, parts.scheme == "smtps", user, password, sender)


def recipients(value: str) -> list[str]:
    """``TUTOR_DSL_EMAIL``: one address or several, separated by commas."""
    return [a.strip() for a in value.split(",") if a.strip()]


def compose(alert: Alert, sender: str, to: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"Safeguarding alert ({alert.level}) from the unit tutor"
    mail["From"], mail["To"] = sender, ", ".join(to)
    mail.set_content(
        f"A learner's message was judged a {alert.level} (score {alert.score:.2f}) and signposted.\n\n"
        f"Time (UTC): {alert.created}\nUnit: {alert.unit or '(whole course)'}\nSession: {alert.session}\n"
        f"Alert: {alert.id}\n\nThe message:\n\n{alert.message}\n\n"
        "Open the tutor's Review tab (Safeguarding alerts) to mark it seen, and follow your safeguarding policy.\n")
    return mail


class EmailSender:
    """Sends each alert to ``to`` through ``server``; raises on any failure (the delivery thread retries)."""

    name = "email"

    def __init__(self, server: SmtpServer, to: list[str], timeout: float = TIMEOUT):
        self.server, self.to, self.timeout = server, to, timeout

    @classmethod
    def from_settings(cls, settings) -> "EmailSender | None":
        to = recipients(settings.dsl_email)
        return cls(SmtpServer.parse(settings.smtp_url), to) if to else None

    def send(self, alert: Alert) -> None:
        s = self.server
        if s.tls:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if not s.tls and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if s.user:
                client.login(s.user, s.password)
            client.send_message(compose(alert, s.sender, self.to))
