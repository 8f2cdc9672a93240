"""The indexed form of a record (crmkit.search.text, crmkit.search.folding) is the one its
definitions give, character for character: indexing got faster, and what is stored did not change.

Each definition is written out here as crmkit first had it: fold as NFKD, combining marks dropped,
NFC, case fold; words marked one match at a time; digits paired two at a time.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.search import folding
from crmkit.search.text import (
    PAIRS,
    PHONE_LIKE,
    PHONE_MIN_DIGITS,
    WORD,
    WORD_END,
    WORD_START,
    digits_of,
    document,
    marked,
    pairs,
)

properties = settings(database=None, deadline=None, max_examples=1000)

# Scripts people type, the letters that compose with the one before them, combining marks, digits
# of other scripts, ligatures and fractions, separators.
TRICKY = "aZ9 ёЁйЙßİıΣςéè\u0301\u0308\u00bd\u2126ﬁ가각\u1100\u1161\u11a8\u0b47\u0b3e\u0915\u093f١٢\u00a0\t\n_+()-./@"
texts = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(blacklist_categories=("Cs",)), max_size=30)


def fold_by_definition(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))).casefold()


def marked_by_definition(folded: str) -> str:
    return WORD.sub(lambda m: WORD_START + m.group() + WORD_END, folded)


def pairs_by_definition(digits: str) -> str:
    def two_by_two(number: str) -> str:
        return "".join(PAIRS[number[i : i + 2]] for i in range(0, len(number) - 1, 2))

    return " ".join(two_by_two(n[start:]) for n in digits.split() if n.isascii() for start in (0, 1))


def document_by_definition(values: list) -> tuple[str, str, str]:
    texts = [text for text in (str(v).strip() for v in values if v is not None) if text]
    phones = [digits_of(t) for t in texts if PHONE_LIKE.fullmatch(t) and len(digits_of(t)) >= PHONE_MIN_DIGITS]
    digits = " ".join(phones)
    content = marked_by_definition("\n".join(fold_by_definition(t) for t in texts))
    return content, digits, pairs_by_definition(digits)


def composing_letters() -> set[int]:
    """Every letter that composes with the letter before it without being a combining mark."""
    found = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul vowels and final consonants
    for code in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            first, second = (chr(int(part, 16)) for part in parts)
            if not unicodedata.combining(second) and unicodedata.normalize("NFC", first + second) == chr(code):
                found.add(ord(second))
    return found


def test_every_letter_that_composes_with_the_one_before_lies_where_text_is_folded_whole():
    assert all(folding.composes_with_previous(chr(code)) for code in composing_letters())


def test_every_character_of_the_basic_plane_folds_by_the_definition():
    characters = [chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF]
    assert [folding.fold(ch) for ch in characters] == [fold_by_definition(ch) for ch in characters]


@pytest.mark.parametrize("text", ["Ёлкин", "Zoë", "ЙОГУРТ", "Straße", "ΣΊΣΥΦΟΣ", "가\u11a8", "ओ", "\u0915\u093f", "ﬁ ½", "a\u0301\u0316"])
def test_text_folds_by_the_definition(text):
    assert folding.fold(text) == fold_by_definition(text)


@properties
@given(texts)
def test_any_text_folds_by_the_definition(text):
    assert folding.fold(text) == fold_by_definition(text)


@properties
@given(texts)
def test_words_are_marked_by_the_definition(text):
    assert marked(folding.fold(text)) == marked_by_definition(folding.fold(text))


@properties
@given(st.lists(st.text(alphabet="0123456789٣", min_size=1, max_size=15), max_size=4))
def test_digits_are_paired_by_the_definition(numbers):
    digits = " ".join(numbers)
    assert pairs(digits) == pairs_by_definition(digits)


@properties
@given(st.lists(st.none() | st.integers() | texts | st.sampled_from(["+7 701 123-45-67", "8(707)064 85 94", " 500501300008 "]), max_size=6))
def test_a_records_document_is_the_one_its_definition_gives(values):
    doc = document(values)
    assert (doc.content, doc.digits, doc.digit_pairs) == document_by_definition(values)
