"""Validation messages in the user's language.

marshmallow formats its messages in English (``Longer than maximum length 200.``). Each known
template is matched back, its values captured, and the translated template filled with them,
so plugins use plain marshmallow fields and validators and still speak Russian and Kazakh.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from crmkit.i18n import gettext
from crmkit.i18n import lazy_gettext as _l

TEMPLATES = [
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Invalid input."),
    _l("Invalid type."),
    _l("Unknown field."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Number too large."),
    _l("Not a valid boolean."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid time."),
    _l("Not a valid email address."),
    _l("Not a valid URL."),
    _l("Not a valid UUID."),
    _l("Not a valid list."),
    _l("Not a valid mapping type."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    _l("String does not match expected pattern."),
    _l("Shorter than minimum length {min}."),
    _l("Longer than maximum length {max}."),
    _l("Length must be between {min} and {max}."),
    _l("Length must be {equal}."),
    _l("Must be one of: {choices}."),
    _l("Must be greater than or equal to {min}."),
    _l("Must be less than or equal to {max}."),
    _l("Must be greater than or equal to {min} and less than or equal to {max}."),
    _l("Must be greater than {min}."),
    _l("Must be less than {max}."),
]


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for lazy in TEMPLATES:
        template = lazy._args[0] if hasattr(lazy, "_args") else str(lazy)
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", pattern)
        compiled.append((re.compile(f"^{pattern}$"), template))
    return compiled


def translate(message: str) -> str:
    """One English marshmallow message in the current language; unknown messages pass through."""
    for pattern, template in _patterns():
        match = pattern.match(message)
        if match:
            return gettext(template).format(**match.groupdict())
    return gettext(message)


def translate_messages(messages: Any) -> Any:
    """Translate a marshmallow ``messages`` structure (dicts and lists of strings), keeping its
    shape, except that a field's lone message becomes a list of one: marshmallow keeps the
    message of ``ValidationError(lazy_text, "field")`` as it is, since a lazy string is no str."""
    if isinstance(messages, dict):
        return {key: _listed(translate_messages(value)) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(value) for value in messages]
    return translate(str(messages))


def _listed(value: Any) -> Any:
    return value if isinstance(value, (dict, list)) else [value]


def field_messages(messages: dict[str, Any]) -> dict[str, list[str]]:
    """Messages per field as an error answer gives them: each field (a group's or a list's
    inner one as ``group.field``, ``items.0``; the record as a whole as ``_schema``) with a
    list of texts, whatever nesting or lone strings validation produced."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": found for inner, found in field_messages(value).items()})
        else:
            flat.setdefault(str(key), []).extend(_texts(value))
    return flat


def _texts(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return [text for found in field_messages(value).values() for text in found]
    return [str(value)]
