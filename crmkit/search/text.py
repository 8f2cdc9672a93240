"""What goes into the index and what a query asks for, the same on every engine.

Text is folded in Python before either engine sees it (case folded, diacritics removed, so
"Иванов", "иванов" and "ИВАНОВ" are one word, and "ё" is "е"), which keeps SQLite and PostgreSQL
in agreement whatever locale the database runs in.

Both engines answer every part of a query with one trigram index, so that it can be walked newest
first and stopped early: a word is a run of letters and digits, and the indexed text marks where
each word starts (``WORD_START``) and ends (``WORD_END``), so "starts a word" is a plain substring
("\\x01иван"). Phone numbers are also indexed two digits to a character (``pairs``): a trigram of
those stands for six digits, which finds a number by a fragment at once, where trigrams of plain
digits (a thousand of them) match nearly every phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crmkit.search.folding import fold

MAX_QUERY = 200
MIN_FRAGMENT = 3  # trigram indexes cannot find anything shorter
PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]+")
PHONE_MIN_DIGITS = 5  # a value needs this many digits to be indexed as a phone number
PAIRS_MIN_DIGITS = 6  # three pairs: the shortest fragment a trigram of pairs can find
WORD = re.compile(r"[^\W_]+")  # letters and digits, as SQLite's unicode61 tokenizer splits words
WORD_START, WORD_END = "\x01", "\x02"
PAIR_BASE = 0x4E00  # "00".."99" as one CJK ideograph each: no case to fold, a letter to pg_trgm
PAIRS = {f"{n:02d}": chr(PAIR_BASE + n) for n in range(100)}
TRUNK_PREFIX = "8"  # Kazakhstan and Russia: 8 before the ten-digit national number
NOT_DIGIT = re.compile(r"\D")
WORD_SPLIT = re.compile(f"({WORD.pattern})")
# A pair of digits read as a hexadecimal byte ("42" is 0x42), to its character: see _pairs.
HEX_PAIRS = {16 * (n // 10) + n % 10: PAIRS[f"{n:02d}"] for n in range(100)}


def digits_of(value: str) -> str:
    return NOT_DIGIT.sub("", value)


def is_phone_like(value: str, min_digits: int) -> bool:
    return bool(PHONE_LIKE.fullmatch(value.strip())) and len(digits_of(value)) >= min_digits


def marked(folded: str) -> str:
    """``folded`` with each word between WORD_START and WORD_END."""
    parts = WORD_SPLIT.split(folded)  # text between words, a word, text between words...
    parts[1::2] = [WORD_START + word + WORD_END for word in parts[1::2]]
    return "".join(parts)


def pairs(digits: str) -> str:
    """Each number in ``digits`` two digits to a character, read from its first and from its
    second digit, so that a fragment starting anywhere lines up with one of the two."""
    found = []
    for number in digits.split():
        if number.isascii():
            found.append(_pairs(number))
            found.append(_pairs(number[1:]))
    return " ".join(found)


def _pairs(digits: str) -> str:
    """ASCII ``digits`` as PAIRS characters, an odd last digit left out. Each pair is read as a
    hexadecimal byte and translated: all in C, twice as fast as a lookup per pair."""
    return bytes.fromhex(digits[: len(digits) & ~1]).decode("latin-1").translate(HEX_PAIRS)


@dataclass(frozen=True)
class Document:
    content: str
    digits: str
    digit_pairs: str


def document(values: list[Any]) -> Document:
    """The indexed form of a record's search-field values; None and empty values are skipped."""
    texts = [text for text in (str(v).strip() for v in values if v is not None) if text]
    phones = []
    for text in texts:  # is_phone_like(text, PHONE_MIN_DIGITS), the text being stripped already
        for line in text.splitlines() if "\n" in text else (text,):  # other phones: one number a line
            if PHONE_LIKE.fullmatch(line) and len(found := digits_of(line)) >= PHONE_MIN_DIGITS:
                phones.append(found)
    digits = " ".join(phones)
    # Folded in one piece: folding works character by character, and leaves "\n" as it is.
    return Document(content=marked(fold("\n".join(texts))), digits=digits, digit_pairs=pairs(digits))


@dataclass(frozen=True)
class Query:
    """A search box's input, read three ways; any of them matching is a hit.

    :param words: folded words; each must start a word of the record (prefix match), and a single
        letter must be a whole word.
    :param fragment: the folded input, to be found anywhere in the text (3 characters or more).
    :param digits: for phone-like input, its digits, to be found anywhere in a phone number.
    """

    words: tuple[str, ...]
    fragment: str
    digits: str

    @property
    def empty(self) -> bool:
        return not (self.words or self.fragment or self.digits)

    def word_patterns(self) -> tuple[str, ...]:
        """Substrings of the indexed text that every hit by words contains; none when the
        fragment already finds all of them (a single word of three letters or more)."""
        if self.words == (self.fragment,):
            return ()
        return tuple(WORD_START + w + (WORD_END if len(w) == 1 else "") for w in self.words)

    def fragment_pattern(self) -> str:
        """The fragment as it occurs in the indexed text: word marks only where the fragment itself
        shows a word starting or ending, since its first and last words may be parts of words."""
        if not self.fragment:
            return ""
        pattern = marked(self.fragment)
        start = 1 if pattern.startswith(WORD_START) else 0
        return pattern[start : -1 if pattern.endswith(WORD_END) else None]

    def digit_pairs(self) -> str:
        """The digits as pairs (an odd last digit left out), when there are enough of them."""
        return _pairs(self.digits) if len(self.digits) >= PAIRS_MIN_DIGITS and self.digits.isascii() else ""


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
