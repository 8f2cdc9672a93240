"""What goes into the index and what a query asks for, the same on every engine.

Text is folded in Python before either engine sees it (case folded, diacritics removed, so
"Иванов", "иванов" and "ИВАНОВ" are one word, and "ё" is "е"), which keeps SQLite and PostgreSQL
in agreement whatever locale the database runs in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_QUERY = 200
MIN_FRAGMENT = 3  # trigram indexes cannot find anything shorter
PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]+")
PHONE_MIN_DIGITS = 5  # a value needs this many digits to be indexed as a phone number
WORD = re.compile(r"\w+")
TRUNK_PREFIX = "8"  # Kazakhstan and Russia: 8 before the ten-digit national number


def fold(value: str) -> str:
    """Lower case without diacritics: "Ёлкин" becomes "елкин", "Zoë" becomes "zoe"."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def digits_of(value: str) -> str:
    return re.sub(r"\D", "", value)


def is_phone_like(value: str, min_digits: int) -> bool:
    return bool(PHONE_LIKE.fullmatch(value.strip())) and len(digits_of(value)) >= min_digits


@dataclass(frozen=True)
class Document:
    content: str
    digits: str


def document(values: list[Any]) -> Document:
    """The indexed form of a record's search-field values; None and empty values are skipped."""
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    phones = [digits_of(t) for t in texts if is_phone_like(t, PHONE_MIN_DIGITS)]
    return Document(content="\n".join(fold(t) for t in texts), digits=" ".join(phones))


@dataclass(frozen=True)
class Query:
    """A search box's input, read three ways; any of them matching is a hit.

    :param words: folded words; each must start a word of the record (prefix match).
    :param fragment: the folded input, to be found anywhere in the text (3 characters or more).
    :param digits: for phone-like input, its digits, to be found anywhere in a phone number.
    """

    words: tuple[str, ...]
    fragment: str
    digits: str

    @property
    def empty(self) -> bool:
        return not (self.words or self.fragment or self.digits)


def parse(q: str | None) -> Query:
    folded = " ".join(fold((q or "")[:MAX_QUERY]).split())
    digits = digits_of(folded) if is_phone_like(folded, MIN_FRAGMENT) else ""
    if len(digits) == 11 and digits.startswith(TRUNK_PREFIX):  # 8 701 ... is +7 701 ... dialled at home
        digits = digits[1:]
    return Query(
        words=tuple(WORD.findall(folded)),
        fragment=folded if len(folded) >= MIN_FRAGMENT else "",
        digits=digits if len(digits) >= MIN_FRAGMENT else "",
    )
