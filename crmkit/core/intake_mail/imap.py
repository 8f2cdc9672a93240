"""The few IMAP commands the poll needs, on the standard library's imaplib, with clear errors.

imaplib rather than a wrapper such as imap-tools: the poll needs exact control of a handful of
commands (UID SEARCH on a keyword, a size check before a partial BODY.PEEK fetch, UID STORE,
UID MOVE with the COPY/EXPUNGE fallback) and nothing else, and imaplib is maintained with Python,
supports implicit TLS, STARTTLS and timeouts, and adds no dependency. Every failure becomes a
``MailboxError`` whose message says what to fix (address, TLS, user name or password, folder).
"""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from crmkit.i18n import gettext as _

TIMEOUT = 20  # seconds for connecting and for each command
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_PERMANENTFLAGS = re.compile(rb"PERMANENTFLAGS \(([^)]*)\)")


class MailboxError(Exception):
    """The mailbox can't be read; ``str()`` is a sentence for the admin, ``kind`` a stable key
    (connect, tls, login, folder, flags, protocol) for the log and tests."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    security: str  # ssl, starttls, none
    username: str
    password: str
    folder: str = "INBOX"
    timeout: float = TIMEOUT


def encode_folder(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out, pending = [], []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: object) -> str:
    if isinstance(data, list):
        data = b" ".join(part if isinstance(part, bytes) else str(part).encode() for part in data)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


class Connection:
    """One logged-in session on one folder; use as a context manager."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.imap: imaplib.IMAP4 | None = None
        self.uidvalidity: int | None = None
        self.uidnext: int | None = None
        self.permanent_flags: list[str] = []
        self.exists = 0

    # opening
    def __enter__(self) -> Connection:
        try:
            self.open()
        except BaseException:
            self.close()  # a refused login or a missing folder leaves no socket open
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                self.imap = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=context, timeout=s.timeout)
            else:
                self.imap = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    self.imap.starttls(ssl_context=context)
        except ssl.SSLError as error:
            raise MailboxError("tls", _("A secure connection to %(host)s failed: %(reason)s. Check the port and the security setting.",
                                        host=s.host, reason=getattr(error, "reason", None) or error)) from error
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError("connect", _("Could not connect to %(host)s:%(port)s: %(reason)s.",
                                            host=s.host, port=s.port, reason=_reason(error))) from error
        try:
            self.imap.login(s.username, s.password)
        except imaplib.IMAP4.error as error:
            raise MailboxError("login", _("The server refused the user name or password (%(answer)s).",
                                          answer=_text(error.args[0] if error.args else error)[:200])) from error
        except OSError as error:
            raise MailboxError("connect", _("The connection broke while logging in: %(reason)s.", reason=_reason(error))) from error
        self.select(s.folder)

    def select(self, folder: str) -> None:
        status, data = self._call("select", encode_folder(folder))
        if status != "OK":
            raise MailboxError("folder", _("There is no folder “%(folder)s” in this mailbox (%(answer)s).",
                                           folder=folder, answer=_text(data)[:200]))
        self.exists = int(data[0]) if data and data[0] and data[0].isdigit() else 0
        found = _UIDVALIDITY.search(b" ".join(self._untagged("OK")))
        self.uidvalidity = int(found.group(1)) if found else None
        found = _UIDNEXT.search(b" ".join(self._untagged("OK")))
        self.uidnext = int(found.group(1)) if found else None
        flags = _PERMANENTFLAGS.search(b" ".join(self._untagged("OK")))
        self.permanent_flags = _text(flags.group(1)).split() if flags else []

    def _untagged(self, name: str) -> list[bytes]:
        return [item for item in self.imap.untagged_responses.get(name, []) if isinstance(item, bytes)]

    def close(self) -> None:
        if self.imap is None:
            return
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.imap = None

    # commands
    def _call(self, method: str, *args: object):
        try:
            return getattr(self.imap, method)(*args)
        except imaplib.IMAP4.abort as error:
            raise MailboxError("connect", _("The server closed the connection: %(reason)s.", reason=_reason(error))) from error
        except imaplib.IMAP4.error as error:
            return "NO", [str(error).encode()]
        except OSError as error:
            raise MailboxError("connect", _("The connection broke: %(reason)s.", reason=_reason(error))) from error

    def _uid(self, command: str, *args: object) -> list:
        status, data = self._call("uid", command, *args)
        if status != "OK":
            raise MailboxError("protocol", _("The server refused %(command)s: %(answer)s.", command=command, answer=_text(data)[:200]))
        return data

    def keywords_allowed(self, keyword: str) -> bool:
        return "\\*" in self.permanent_flags or keyword in self.permanent_flags

    def folder_exists(self, folder: str) -> bool:
        status, data = self._call("list", '""', encode_folder(folder))
        return status == "OK" and any(item for item in data if item)

    def search(self, keyword: str | None) -> list[int]:
        """UIDs of the messages still to take, oldest first: those without ``keyword``, or all
        messages in the folder when taken ones are moved out of it."""
        criteria = ("UNKEYWORD", keyword) if keyword else ("ALL",)
        data = self._uid("SEARCH", None, *criteria)
        return sorted(int(uid) for uid in _text(data[0] if data else b"").split() if uid.isdigit())

    def info(self, uid: int) -> tuple[int, datetime | None] | None:
        """The message's size in bytes and when the server received it; None when it is gone."""
        for item in self._uid("FETCH", str(uid), "(RFC822.SIZE INTERNALDATE)"):
            line = item[0] if isinstance(item, tuple) else item
            found = _SIZE.search(line or b"")
            if found:
                moment = imaplib.Internaldate2tuple(line)
                arrived = datetime.fromtimestamp(time.mktime(moment), tz=timezone.utc) if moment else None
                return int(found.group(1)), arrived
        return None

    def fetch(self, uid: int, limit: int | None = None) -> bytes | None:
        """The message's bytes without marking it read; with ``limit``, its header and the first
        ``limit`` bytes of its body. None when it is gone meanwhile."""
        query = "(BODY.PEEK[])" if limit is None else f"(BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.{int(limit)}>)"
        parts = [item[1] for item in self._uid("FETCH", str(uid), query) if isinstance(item, tuple) and len(item) > 1]
        if not parts:
            return None
        return b"".join(parts)

    def mark(self, uid: int, keyword: str) -> None:
        self._uid("STORE", str(uid), "+FLAGS.SILENT", f"({keyword})")

    def move(self, uid: int, folder: str) -> None:
        capabilities = set(self.imap.capabilities)
        if "MOVE" in capabilities:
            self._uid("MOVE", str(uid), encode_folder(folder))
            return
        self._uid("COPY", str(uid), encode_folder(folder))
        self._uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
        if "UIDPLUS" in capabilities:
            self._uid("EXPUNGE", str(uid))
        else:
            self._call("expunge")


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return _("no answer in time")
    if isinstance(error, socket.gaierror):
        return _("unknown host")
    if isinstance(error, ConnectionRefusedError):
        return _("connection refused")
    return str(error) or type(error).__name__
