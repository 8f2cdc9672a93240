"""Kazakhstan's IIN and BIN: catch a mistyped number when it is entered, not in a tax report.

Both are 12 digits, issued under Government decree No. 565 of 11 June 2003 and the rules of
decree No. 406 of 22 May 2007; python-stdnum has no module for them, so the rules live here.

IIN (ЖСН/ИИН, individual identification number)::

    YY MM DD  C  NNNN  K
    digits 1-6   date of birth, YYMMDD
    digit 7      century and sex: 1/2 born 1800-1899, 3/4 1900-1999, 5/6 2000-2099;
                 odd is male, even is female
    digits 8-11  serial number
    digit 12     control digit

BIN (БСН/БИН, business identification number)::

    YY MM  T  D  NNNNN  K
    digits 1-4   year and month of registration, YYMM (month 01-12)
    digit 5      kind of entity: 4 resident legal entity, 5 non-resident legal entity,
                 6 individual entrepreneur in a joint business
    digit 6      division: 0 head office, 1 branch, 2 representative office, 3 peasant farm
                 (documented, not enforced: a valid registration is not refused on it)
    digits 7-11  serial number
    digit 12     control digit

The control digit, the same for both: the first 11 digits weighted 1, 2, ... 11, summed, mod 11.
When that remainder is 10, weigh them again with 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2; when it is
10 again no control digit fits and the number is never issued.

An IIN's day of birth (digits 5-6) is at most 31 and a BIN's digit 5 at least 4, so no number
is both. A birth date in the future is not refused: validity must not change with the clock.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from crmkit.i18n import gettext

WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURIES = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}
BIN_KINDS = {"4": "resident", "5": "non_resident", "6": "joint_entrepreneur"}
BIN_DIVISIONS = {"0": "head_office", "1": "branch", "2": "representative_office", "3": "peasant_farm"}

_SEPARATORS = re.compile(r"[\s\-]+")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")  # ASCII only: str.isdigit() also takes "١" and "²"


def compact(value: str) -> str:
    """The number without the spaces and dashes people type into it; nothing else changes."""
    return _SEPARATORS.sub("", value or "")


def calc_check_digit(first11: str) -> int | None:
    """The control digit for these 11 digits, or None when no digit fits (never issued)."""
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        raise ValueError("calc_check_digit takes 11 ASCII digits")
    numbers = [int(c) for c in first11]
    for weights in (WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(w * n for w, n in zip(weights, numbers, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def _control_digit_fits(number: str) -> bool:
    check = calc_check_digit(number[:11])
    return check is not None and check == int(number[11])


def birth_date(iin: str) -> date | None:
    """The date of birth an IIN holds, or None when its digits 1-7 don't make a real date."""
    number = compact(iin)
    if not _TWELVE_DIGITS.fullmatch(number):
        return None
    century = CENTURIES.get(int(number[6]))
    if century is None:
        return None
    try:
        return date(century + int(number[:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return None


def sex(iin: str) -> Literal["male", "female"] | None:
    """"male" for an odd digit 7, "female" for an even one; None when digit 7 isn't 1-6."""
    number = compact(iin)
    if not _TWELVE_DIGITS.fullmatch(number) or int(number[6]) not in CENTURIES:
        return None
    return "male" if int(number[6]) % 2 else "female"


def bin_kind(bin_: str) -> str | None:
    """"resident", "non_resident" or "joint_entrepreneur" from a BIN's digit 5."""
    number = compact(bin_)
    return BIN_KINDS.get(number[4]) if _TWELVE_DIGITS.fullmatch(number) else None


def validate_iin(value: str) -> str:
    """The IIN as 12 digits; ValueError, with a message in the user's language, when it isn't one."""
    number = compact(value)
    if not _TWELVE_DIGITS.fullmatch(number):
        raise ValueError(gettext("An IIN has 12 digits."))
    if int(number[6]) not in CENTURIES:
        raise ValueError(gettext("This IIN's 7th digit, for century and sex, must be 1 to 6."))
    if birth_date(number) is None:
        raise ValueError(gettext("This IIN's date of birth is not a real date."))
    if calc_check_digit(number[:11]) is None:
        raise ValueError(gettext("No IIN is issued with these first 11 digits."))
    if not _control_digit_fits(number):
        raise ValueError(gettext("This IIN's control digit is wrong."))
    return number


def validate_bin(value: str) -> str:
    """The BIN as 12 digits; ValueError, with a message in the user's language, when it isn't one."""
    number = compact(value)
    if not _TWELVE_DIGITS.fullmatch(number):
        raise ValueError(gettext("A BIN has 12 digits."))
    if not 1 <= int(number[2:4]) <= 12:
        raise ValueError(gettext("This BIN's month of registration (digits 3 and 4) must be 01 to 12."))
    if number[4] not in BIN_KINDS:
        raise ValueError(gettext("This BIN's 5th digit, the kind of entity, must be 4, 5 or 6."))
    if calc_check_digit(number[:11]) is None:
        raise ValueError(gettext("No BIN is issued with these first 11 digits."))
    if not _control_digit_fits(number):
        raise ValueError(gettext("This BIN's control digit is wrong."))
    return number


def is_valid_iin(value: str) -> bool:
    try:
        validate_iin(value)
    except ValueError:
        return False
    return True


def is_valid_bin(value: str) -> bool:
    try:
        validate_bin(value)
    except ValueError:
        return False
    return True
