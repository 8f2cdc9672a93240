"""Sending mail over SMTP, configured by CRMKIT_SMTP_* settings.

Mail is off until ``CRMKIT_SMTP_HOST`` is set: ``send`` then logs one line per message (the
whole message in debug mode, so developers can read what would go out) and returns False, so a
fresh install never fails or hangs on a missing mail server. Set it to ``localhost`` to hand
mail to the machine's own MTA.

- ``CRMKIT_SMTP_PORT``: default 25, or 587 with ``starttls`` and 465 with ``ssl``;
- ``CRMKIT_SMTP_TLS``: ``none`` (default), ``starttls`` or ``ssl``; certificates are verified;
- ``CRMKIT_SMTP_USER`` / ``CRMKIT_SMTP_PASSWORD``: log in when a user is set (never in the
  clear to another machine: that needs ``starttls`` or ``ssl``);
- ``CRMKIT_MAIL_FROM``: the sender, e.g. ``CRM <crm@example.kz>``;
- ``CRMKIT_BASE_URL``: the address people open crmkit at, for links in mail (``external_url``).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app

log = logging.getLogger("crmkit.mail")
TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
DEFAULT_SENDER = "crmkit <noreply@localhost>"
LOOPBACK = ("localhost", "127.0.0.1", "::1")
# 7-bit clean: Cyrillic headers become RFC 2047 encoded words, bodies quoted-printable or
# base64, so any relay accepts the message whether or not it speaks 8BITMIME or SMTPUTF8.
POLICY = policy.SMTP.clone(cte_type="7bit")


class MailError(RuntimeError):
    """A message could not be handed to the SMTP server; the message says why."""


def setting(name: str, default=None):
    value = current_app.config.get(name)
    return default if value in (None, "") else value


def enabled() -> bool:
    """Whether mail goes out: only once CRMKIT_SMTP_HOST is set."""
    return bool(setting("SMTP_HOST"))


def build(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """The message: plain text, with an HTML alternative when given."""
    sender = str(setting("MAIL_FROM", DEFAULT_SENDER))
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send(to: str, subject: str, text: str, html: str | None = None) -> bool:
    """Send one message; True when the server took it, False when mail is off.

    Raises MailError when the server can't be reached or refuses the message, so the caller can
    keep the work for a later try.
    """
    message = build(to, subject, text, html)
    if not enabled():
        log.info("mail is off (CRMKIT_SMTP_HOST is not set): not sending %r to %s", subject, to)
        if current_app.debug:
            log.info("the message:\n%s", message.as_string())
        return False
    try:
        deliver(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"could not send {subject!r} to {to} through {setting('SMTP_HOST')}: {error}") from error
    return True


def deliver(message: EmailMessage) -> None:
    host = str(setting("SMTP_HOST"))
    tls = str(setting("SMTP_TLS", "none")).lower()
    if tls not in TLS_MODES:
        raise MailError(f"CRMKIT_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
    port = int(setting("SMTP_PORT", DEFAULT_PORTS[tls]))
    user = setting("SMTP_USER")
    timeout = float(setting("SMTP_TIMEOUT", 30))
    if user and tls == "none" and host not in LOOPBACK:
        raise MailError("refusing to send the SMTP password unencrypted; set CRMKIT_SMTP_TLS to starttls or ssl")
    context = ssl.create_default_context()
    if tls == "ssl":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection:
        if tls == "starttls":
            connection.starttls(context=context)
        if user:
            connection.login(str(user), str(setting("SMTP_PASSWORD", "")))
        connection.send_message(message)


def external_url(endpoint: str, **values) -> str | None:
    """An absolute link for mail and feeds, from CRMKIT_BASE_URL; None when that isn't set."""
    base = setting("BASE_URL")
    if not base:
        return None
    parts = urlsplit(str(base))
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
