"""The alert settings' checks, called by ``Settings.validate`` (each failure one line saying what to set)."""

from __future__ import annotations

from ..errors import ConfigError
from .email import SmtpServer, recipients
from .webhook import check_url


def check_alerts(s) -> None:
    """The DSL's e-mail needs a mail server, and both addresses must parse."""
    if s.dsl_email and not s.smtp_url:
        raise ConfigError("TUTOR_DSL_EMAIL is set but TUTOR_SMTP_URL is empty. Set TUTOR_SMTP_URL to your mail server, "
                          "such as smtps://user:pass@mail.example.org:465, or leave TUTOR_DSL_EMAIL empty.")
    if bad := [a for a in recipients(s.dsl_email) if "@" not in a]:
        raise ConfigError(f"TUTOR_DSL_EMAIL holds {bad[0]!r}, which is not an e-mail address. Set TUTOR_DSL_EMAIL to "
                          "one address or several separated by commas.")
    if s.smtp_url:
        SmtpServer.parse(s.smtp_url)
    if s.dsl_webhook:
        check_url(s.dsl_webhook)
