"""A shortcut for the numbers most phones here are: +7, typed "+7 701 123 45 67", "8 (701) 123-45-67",
"87011234567" or "7011234567". phonenumbers takes ~100 us to read one; here it is string work
and two regular expressions, a few us, with the same answer.

Only shapes whose reading is certain are taken: ASCII digits with spaces, brackets, dots, dashes
and slashes, a "+" only in front; "+7" and ten digits in any region; "8" or "7" and ten digits,
or ten digits alone, in a region whose calling code is 7 with phonenumbers' usual rules there
(national prefix 8, international prefix 810). Validity (and KZ vs RU) is decided exactly as
phonenumbers' ``is_valid_number`` does, from its own metadata: the first region of +7 whose
leading digits match, then that region's general pattern and its number-type patterns.
Anything else, and any number found invalid, returns None and goes to phonenumbers itself.
tests/test_phones_fast.py compares the two on generated input.
"""

from __future__ import annotations

import re
from functools import lru_cache

from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

CODE = 7
LENGTH = 10  # national numbers on +7 that the shortcut reads; 14-digit 8 10 8... ones go to phonenumbers
_SHAPE = re.compile(r"\+?[0-9 ().\-/]+")
_SEPARATORS = str.maketrans("", "", " ().-/")
# In number-type order, as phonenumbers' _number_type_helper tries them; any match is a valid number.
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
          "fixed_line", "mobile")


def e164(text: str, region: str) -> str | None:
    """"+7..." for a valid +7 number in ``text`` (as phones.parse hands it on), else None."""
    if not _SHAPE.fullmatch(text):
        return None
    plus = text[0] == "+"
    digits = (text[1:] if plus else text).translate(_SEPARATORS)
    length = len(digits)
    if plus:
        national = digits[1:] if length == LENGTH + 1 and digits[0] == "7" else None
    elif not _reads_plus7(region) or digits.startswith("810"):  # 810 is the international prefix
        return None
    elif length == LENGTH + 1 and digits[0] == "8":  # the national prefix
        national = digits[1:]
    elif length == LENGTH + 1 and digits[0] == "7" and _matches_general(region, digits[1:]):
        national = digits[1:]  # the calling code typed without "+"
    elif length == LENGTH and _matches_general(region, digits):
        national = digits
    else:
        return None
    return f"+7{national}" if national is not None and valid(national) else None


def valid(national: str) -> bool:
    """phonenumbers.is_valid_number for +7 and ``national`` (ten ASCII digits)."""
    for region in COUNTRY_CODE_TO_REGION_CODE.get(CODE, ()):
        rules = _rules(region)
        if rules is None:
            continue
        leading, general, types = rules
        if leading is not None:
            if leading.match(national):
                return bool(general and types and general.fullmatch(national) and types.fullmatch(national))
        elif general and types and general.fullmatch(national) and types.fullmatch(national):
            return True
    return False


@lru_cache(maxsize=64)
def _rules(region: str) -> tuple[re.Pattern | None, re.Pattern | None, re.Pattern | None] | None:
    """The region's leading-digits pattern, and its general and number-type patterns for
    ten-digit numbers (None where no pattern admits that length); None without metadata."""
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return None
    leading = re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None
    names = [n for n in _TYPES if not (n == "mobile" and metadata.same_mobile_and_fixed_line_pattern)]
    patterns = [p for p in (_pattern(getattr(metadata, n)) for n in names) if p]
    general = _pattern(metadata.general_desc)
    return (
        leading,
        re.compile(general) if general else None,
        re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None,
    )


def _pattern(desc) -> str | None:
    """A number description's pattern where it admits ten digits, as _is_number_matching_desc reads it."""
    if desc is None or not desc.national_number_pattern:
        return None
    if desc.possible_length and LENGTH not in desc.possible_length:
        return None
    return desc.national_number_pattern


@lru_cache(maxsize=64)
def _reads_plus7(region: str) -> bool:
    """Whether numbers typed without "+" in ``region`` are read on +7 with the rules the shortcut knows."""
    metadata = PhoneMetadata.metadata_for_region(region, None)
    return bool(
        metadata is not None
        and metadata.country_code == CODE
        and metadata.national_prefix_for_parsing == "8"
        and not metadata.national_prefix_transform_rule
        and metadata.international_prefix == "810"
        and _pattern(metadata.general_desc)
    )


def _matches_general(region: str, national: str) -> bool:
    """The region's general pattern: what decides whether phonenumbers strips a leading 7 or 8."""
    rules = _rules(region)
    return bool(rules and rules[1] and rules[1].fullmatch(national))
