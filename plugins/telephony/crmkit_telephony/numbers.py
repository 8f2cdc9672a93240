"""What the PBX adapters share: reading a form-encoded body, numbers as PBXs send them, and
text from a provider's answer that is safe to show."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from crmkit import api
from crmkit_telephony.events import Refused

messages = api.Messages(__name__)
_ = messages.gettext


def form_fields(body: bytes) -> dict[str, str]:
    """A form-encoded body as one value per name; Refused(400) when it is not one."""
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body), max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, {"_body": [_("The body is not a form in UTF-8 (application/x-www-form-urlencoded).")]}) from None
    return {name: values[0] for name, values in parsed.items()}


def international(number: str) -> str:
    """A number as Zadarma and Mango send it (``77011234567``, international without the plus) in
    E.164; a short extension, a local 8... number or anything else is kept as given."""
    digits = (number or "").strip()
    if digits.isdigit() and 11 <= len(digits) <= 15 and digits[0] not in "08":
        return "+" + digits
    return digits


def text_field(value: Any, limit: int = 200) -> str:
    """A provider's message for the user: text, cut to ``limit``; anything else as a dash."""
    return value[:limit] if isinstance(value, str) and value.strip() else "—"
