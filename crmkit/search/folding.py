"""Folding text for search: lower case without diacritics ("Ёлкин" is "елкин", "Zoë" is "zoe").

The definition is ``slow_fold``: decompose (NFKD), drop the combining marks, compose again (NFC),
case fold. Indexing folds every text of every record, and that took a quarter of the search
index's Python time, so ``fold`` gets the same result one character at a time through
``str.translate`` and a table filled as characters are first seen.

Folding a text character by character equals folding it whole except where composing joins two
characters' results: once the combining marks are gone, that happens only when a character's
result starts with a letter that composes with the one before it without being a combining mark
(Hangul jamo, some vowel signs of Indic and other scripts). Characters whose result starts in the
scripts where those live (``COMPOSING_RANGES``) are not put in the table, and a text holding one
is folded whole; tests/test_search_text.py checks that every such letter is in those ranges.
"""

from __future__ import annotations

import unicodedata

# Where every letter lies that composes with the letter before it without being a combining
# mark (unicodedata, Python 3.11: U+0B3E ... U+11930): Indic to Balinese with Hangul jamo, and
# everything past the Basic Multilingual Plane.
COMPOSING_RANGES = ((0x0900, 0x1DBF), (0x10000, 0x10FFFF))


def stripped(value: str) -> str:
    """``value`` decomposed (NFKD), its combining marks dropped."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))


def slow_fold(value: str) -> str:
    """Lower case without diacritics, by the definition."""
    return unicodedata.normalize("NFC", stripped(value)).casefold()


def composes_with_previous(char: str) -> bool:
    """Whether ``char`` lies where a letter may compose with the letter before it (conservative)."""
    code = ord(char)
    return any(first <= code <= last for first, last in COMPOSING_RANGES)


class _Composing(Exception):
    """A character whose folded form may join the previous one's: the text is folded whole."""


class _Table(dict):
    """Code point -> folded text, filled on first sight; raises _Composing for the characters
    that cannot be folded on their own."""

    def __missing__(self, code: int) -> str:
        bare = stripped(chr(code))
        if bare and composes_with_previous(bare[0]):
            raise _Composing
        folded = unicodedata.normalize("NFC", bare).casefold()
        self[code] = folded
        return folded


_TABLE = _Table()


def fold(value: str) -> str:
    """Lower case without diacritics: the same as ``slow_fold``, a few times faster."""
    if value.isascii():  # no diacritics, and casefold is lower
        return value.lower()
    try:
        return value.translate(_TABLE)
    except _Composing:
        return slow_fold(value)
