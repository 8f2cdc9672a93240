"""Phones typed any way people type them, stored one way: E.164, so "8 (701) 123-45-67" and
"+7 701 1234567" are found as the same number and a duplicate is seen as one.

Kazakhstan and Russia share +7; phonenumbers tells them apart by the range (+7 7xx is KZ,
+7 3xx/4xx/8xx/9xx is RU). A number typed without + is read in the default region
(CRMKIT_DEFAULT_PHONE_REGION, "KZ" when unset), where a leading 8 is the trunk prefix.

An extension ("доб. 12", "ext 12", "x12", "#12") is accepted and left out of the E.164 form, which
has no room for one; the text as typed is what keeps it (see ``fields.typed_phones``). Any other
letters make the input invalid, as phonenumbers would otherwise read "ABC" as the keypad's 222,
or skip a name written before the number.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from flask import current_app, has_app_context

from crmkit.core.contacts import kz_area_codes, plus7
from crmkit.i18n import gettext

REGION_SETTING = "DEFAULT_PHONE_REGION"  # CRMKIT_DEFAULT_PHONE_REGION in the environment
FALLBACK_REGION = "KZ"

_EXTENSION = re.compile(
    r"\s*(?:(?:доб(?:авочный)?|доп|вн(?:утр(?:енний)?)?|ext(?:ension)?|x)\.?\s*:?|#)\s*\d{1,7}\s*$",
    re.IGNORECASE,
)
_PHONE_CHARS = re.compile(r"[\d\s()+.\-/]+")  # \d takes any script's digits; phonenumbers reads them
_SEPARATORS = re.compile(r"[\n\r,;]+")


def default_region() -> str:
    """The region numbers without + are read in: the app's setting, or KZ outside an app."""
    if has_app_context():
        return str(current_app.config.get(REGION_SETTING) or FALLBACK_REGION).upper()
    return FALLBACK_REGION


def _invalid() -> ValueError:
    return ValueError(gettext("Not a valid phone number."))


def _clean(raw: str) -> str | None:
    """The text phonenumbers is given: any extension dropped, spaces collapsed; None when other
    characters than digits, spaces and ( ) + . - / are left."""
    text = _EXTENSION.sub("", " ".join(raw.split()))
    return text if text and _PHONE_CHARS.fullmatch(text) else None


def _number(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """phonenumbers' reading of a cleaned text: the valid number, its extension dropped, or None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    number.extension = None
    return number


def parse(raw: str, region: str | None = None) -> phonenumbers.PhoneNumber:
    """The number in ``raw`` (any extension dropped), valid for its region, or ValueError."""
    text = _clean(raw) if isinstance(raw, str) else None
    number = None if text is None else _number(text, (region or default_region()).upper())
    if number is None:
        raise _invalid()
    return number


def normalize(raw: str, region: str | None = None) -> str:
    """The E.164 form ("+77011234567") of a phone as typed; ValueError when it isn't a valid one."""
    if not isinstance(raw, str):
        raise _invalid()
    e164 = _e164(raw, (region or default_region()).upper())
    if e164 is None:
        raise _invalid()
    return e164


@lru_cache(maxsize=8192)
def _e164(raw: str, region: str) -> str | None:
    """Parsing a phone costs ~100 us and an import or a form meets the same one several times
    (the field, then the typed-form map), so the answer is kept; None for an invalid one.
    The common +7 numbers take the exact shortcut of ``plus7.e164`` (a few us) first."""
    text = _clean(raw)
    if text is None:
        return None
    found = plus7.e164(text, region)
    if found is None:
        number = _number(text, region)
        found = None if number is None else phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return found


def country_of(e164: str) -> str | None:
    """The ISO country of a number ("KZ", "RU", ...); None when it isn't a valid number."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(number) if phonenumbers.is_valid_number(number) else None


@lru_cache(maxsize=65_536)
def pretty(e164: str) -> str:
    """The number for display as people there write it; as given if unreadable. Every page, list,
    export, search result and message shows phones through this one function.

    Kazakhstan: the area code then the number in groups of two ("+7 727 250 12 34" in Almaty,
    "+7 7172 50 12 34" in Astana, "+7 71036 4 12 34" in Balkhash), a mobile as "+7 701 123 45 67".
    Elsewhere phonenumbers' international format, which already writes Russia's "+7 495 123-45-67".
    Cached: lists show the same numbers page after page, and formatting costs ~100 us a number."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    national = str(number.national_number)
    if number.country_code == 7 and len(national) == 10 and national[0] == "7" and phonenumbers.is_valid_number(number):
        return "+7 " + _kazakh(national)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _kazakh(national: str) -> str:
    """A Kazakhstan number's ten digits grouped: its area (or mobile operator's) code, then the
    rest in twos after a leading three or one (727 250 12 34, 7172 50 12 34, 71036 4 12 34)."""
    if national.startswith(kz_area_codes.ALMATY) or national[1] not in "12":  # mobiles: 70x, 747, 77x
        size = 3
    elif national[:5] in kz_area_codes.FIVE_DIGIT:
        size = 5
    else:
        size = 4
    code, rest = national[:size], national[size:]
    lead = 3 if len(rest) == 7 else len(rest) % 2  # 250 12 34, 50 12 34, 4 12 34
    pairs = [rest[i : i + 2] for i in range(lead, len(rest), 2)]
    return " ".join([code, *([rest[:lead]] if lead else []), *pairs])


def split(text: str | None) -> list[str]:
    """The phones of a text holding several, one per line or separated by "," or ";", as typed."""
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def digits(text: str | None) -> str:
    """Only the digits of ``text`` (in ASCII), to search by a fragment of a number."""
    return "".join(str(unicodedata.decimal(c)) for c in text or "" if c.isdecimal())
