"""A message as it came from the mailbox, read into what a lead needs; never raises on bad mail.

Real mail is often broken: an unknown or wrong charset, 8-bit bytes in headers, base64 that does
not decode, no Message-ID, HTML only. Each of those is read as far as it goes: bytes are decoded
with the declared charset, else the one charset-normalizer finds, else UTF-8 with replacement
characters; what was odd is listed in ``notes`` (kept in the lead's raw payload). HTML becomes
plain text (htmltext). The text is cleaned of NUL and other control characters, which
PostgreSQL refuses and no reader needs.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import phonenumbers
from charset_normalizer import from_bytes

from crmkit.core.intake_mail.htmltext import html_to_text

MAX_TEXT = 100_000  # characters of body text kept; the lead's request is cut shorter by receive()
MAX_PHONES = 5
SHORT = 80  # bytes below which charset detection guesses poorly (a name, a subject)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes | None = None  # None when the message was cut before it (too large)


@dataclass
class ParsedMail:
    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sender_name: str | None = None
    sender_email: str | None = None
    reply_to: str | None = None
    to: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    from_html: bool = False
    date: datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    # an out-of-office answer or a bounce; a robot's "auto-generated" mail (a site's form
    # notification from noreply@) is not one: it is often a lead
    automatic: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """The Message-IDs this one answers, the nearest first."""
        seen: list[str] = []
        for found in [*self.in_reply_to, *reversed(self.references)]:
            if found not in seen:
                seen.append(found)
        return seen

    @property
    def contact_email(self) -> str | None:
        """Where an answer goes: Reply-To when given (web forms send from a robot), else From."""
        return self.reply_to or self.sender_email


class _RawHeaders(type(policy.compat32)):
    """compat32, except that a header with raw 8-bit bytes is handed over as it is (bytes kept
    as surrogates), not replaced by question marks, so its charset can still be found."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW_HEADERS = _RawHeaders()


def clean(text: str) -> str:
    """No NUL, control characters or lone surrogates; line ends as \\n."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def decode_bytes(data: bytes, declared: str | None, notes: list[str] | None = None) -> str:
    """``data`` as text: the declared charset when it fits, else a detected one, else UTF-8 with
    replacement characters."""
    notes = notes if notes is not None else []
    if declared and declared.lower() in ("unknown-8bit", "x-unknown", "8bit"):
        declared = None
    if declared:
        try:
            return data.decode(declared)
        except LookupError:
            notes.append(f"unknown charset {declared[:40]!r}")
        except UnicodeDecodeError:
            notes.append(f"bytes that are not {declared[:40]}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if len(data) < SHORT:  # too little for detection: the likeliest legacy charset here
        try:
            return data.decode("cp1251")
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[:200_000]).best() if data else None
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    notes.append("undecodable bytes replaced")
    return data.decode(declared if declared and _known(declared) else "utf-8", errors="replace")


def _known(charset: str) -> bool:
    try:
        "".encode(charset)
    except LookupError:
        return False
    return True


def header_text(value: object, notes: list[str]) -> str:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes read like a body."""
    if value is None:
        return ""
    raw = str(value)
    try:
        chunks = decode_header(raw)
    except Exception:  # noqa: BLE001 - a malformed encoded word: keep the header as it is
        notes.append("malformed header")
        chunks = [(raw, None)]
    text = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes) and charset is None:  # unencoded text beside encoded words
            chunk = chunk.decode("raw-unicode-escape", errors="replace")
        if isinstance(chunk, str):  # 8-bit bytes that compat32 kept as surrogates
            chunk, charset = chunk.encode("ascii", "surrogateescape") if chunk.isascii() or _escaped(chunk) else chunk.encode("utf-8", "replace"), None
        text.append(decode_bytes(chunk, charset, notes))
    joined = "".join(text)
    return " ".join(clean(joined).split())


def _escaped(text: str) -> bool:
    try:
        text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def message_ids(value: object) -> list[str]:
    return _MESSAGE_ID.findall(str(value or ""))


def _address(value: object, notes: list[str]) -> tuple[str | None, str | None]:
    name, address = parseaddr(str(value or ""))
    address = header_text(address, notes).strip().lower() or None
    if address and ("@" not in address or " " in address):
        notes.append("sender address is not an address")
        address = None
    return (header_text(name, notes) or None), address


def _date(value: object) -> datetime | None:
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    return part.get_filename() is not None and part.get_content_maintype() != "text"


def _payload(part: Message, notes: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encoding
        notes.append("broken transfer encoding")
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _body(message: Message, parsed: ParsedMail, keep_attachments: bool) -> None:
    plain: str | None = None
    html: str | None = None
    for part in message.walk():
        if part.is_multipart():
            continue
        if _is_attachment(part):
            data = _payload(part, parsed.notes)
            name = header_text(part.get_filename() or "", parsed.notes) or "attachment"
            parsed.attachments.append(
                Attachment(name[:255], part.get_content_type(), len(data), data if keep_attachments else None)
            )
            continue
        kind = part.get_content_type()
        if kind not in ("text/plain", "text/html"):
            continue
        text = decode_bytes(_payload(part, parsed.notes), part.get_content_charset(), parsed.notes)
        if kind == "text/plain" and plain is None:
            plain = text
        elif kind == "text/html" and html is None:
            html = text
    if plain is not None and plain.strip():
        parsed.text = plain
    elif html is not None:
        parsed.text, parsed.from_html = html_to_text(html), True
    parsed.text = clean(parsed.text).strip()
    if len(parsed.text) > MAX_TEXT:
        parsed.text = parsed.text[:MAX_TEXT] + "…"
        parsed.notes.append("text cut to %d characters" % MAX_TEXT)


def find_phones(text: str, region: str) -> list[str]:
    """Phone numbers written in ``text``, as written, the first few distinct ones."""
    found: list[str] = []
    numbers: set[str] = set()
    try:
        for match in phonenumbers.PhoneNumberMatcher(text[:20_000], region):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in numbers:
                numbers.add(e164)
                found.append(match.raw_string.strip())
            if len(found) >= MAX_PHONES:
                break
    except Exception:  # noqa: BLE001 - the matcher is a convenience; odd text must not lose the lead
        pass
    return found


def parse(data: bytes, region: str = "KZ", keep_attachments: bool = True) -> ParsedMail:
    """Read a whole (or cut) RFC 5322 message; ``region`` reads phones written without +."""
    message = email.message_from_bytes(data, policy=RAW_HEADERS)
    parsed = ParsedMail()
    notes = parsed.notes
    if message.defects:
        notes.extend(type(defect).__name__ for defect in message.defects[:5])
    ids = message_ids(message.get("Message-ID"))
    parsed.message_id = ids[0] if ids else None
    parsed.in_reply_to = message_ids(message.get("In-Reply-To"))
    parsed.references = message_ids(message.get("References"))[-50:]
    parsed.sender_name, parsed.sender_email = _address(message.get("From"), notes)
    parsed.reply_to = _address(message.get("Reply-To"), notes)[1] if message.get("Reply-To") else None
    parsed.to = [a.lower() for _, a in getaddresses([str(v) for v in message.get_all("To", []) + message.get_all("Cc", [])]) if "@" in a]
    parsed.subject = header_text(message.get("Subject"), notes)[:998]
    parsed.date = _date(message.get("Date")) if message.get("Date") else None
    auto = (message.get("Auto-Submitted") or "no").strip().lower()
    parsed.automatic = (
        auto.startswith("auto-replied")
        or message.get_content_type() == "multipart/report"
        or bool(parsed.sender_email and _AUTOMATIC_SENDERS.match(parsed.sender_email))
        or (message.get("Precedence") or "").strip().lower() == "auto_reply"
        or message.get("X-Autoreply") is not None
    )
    _body(message, parsed, keep_attachments)
    parsed.phones = find_phones(parsed.text, region)
    return parsed
