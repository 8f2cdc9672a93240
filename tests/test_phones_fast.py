"""The +7 shortcut (crmkit.core.contacts.plus7) gives phonenumbers' own answer, or none.

The reference here is phonenumbers itself: parse in the region, is_valid_number, E.164. The
input is generated the ways people type numbers: +7, 8, 7 or nothing in front, spaces, brackets,
dashes, dots and slashes anywhere, ranges of Kazakhstan and Russia and numbers near them, wrong
lengths, other countries, and regions on +7 and off it.
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.core.contacts import phones, plus7

properties = settings(database=None, deadline=None, max_examples=600)

DIGITS = "0123456789"
# Starts of national numbers on +7: KZ mobile, landline and VoIP ranges, RU mobile, landline, toll-free,
# premium and personal ones, the international prefix, and starts no region has.
STARTS = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "777", "778", "727", "7172", "7212",
          "751", "33622", "336", "916", "903", "930", "495", "812", "343", "401", "800", "804", "809", "808",
          "810", "8108", "600", "0", "1", "2", "5", "6"]
REGIONS = ["KZ", "RU", "KG", "UZ", "BY", "US", "GB", "DE", "ZZ"]  # ZZ: no such region
FRONTS = ["+7", "+7", "8", "8", "7", "", "", "+ 7", "+8", "810", "8 10 ", "+77", "(8)", "+"]
SEPARATORS = ["", "", "", " ", "-", ".", "/", "(", ")", "  ", " (", ") "]


def reference(text: str, region: str) -> str | None:
    """phonenumbers alone: the E.164 form of a valid number, else None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalized(text: str, region: str) -> str | None:
    """phones.normalize's answer, None where it refuses the text."""
    try:
        return phones.normalize(text, region)
    except ValueError:
        return None


@st.composite
def national(draw):
    """Digits after the calling code: mostly ten, from a known range or none, sometimes too few or many."""
    start = draw(st.sampled_from(["", *STARTS]))
    length = draw(st.sampled_from([10] * 6 + [9, 11, 14]))
    rest = draw(st.text(DIGITS, min_size=max(length - len(start), 0), max_size=max(length - len(start), 0)))
    return (start + rest)[:length]


@st.composite
def typed(draw, fronts=FRONTS, number=None):
    """A number as someone might type it: a front, the digits, separators between any of them."""
    text = draw(st.sampled_from(fronts)) + draw(number if number is not None else national())
    gaps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(text) + 1, max_size=len(text) + 1))
    return (gaps[0] + "".join(c + gap for c, gap in zip(text, gaps[1:], strict=True))).strip()


@properties
@given(text=typed(), region=st.sampled_from(REGIONS))
def test_the_shortcut_gives_phonenumbers_answer_or_none(text, region):
    found = plus7.e164(text, region)
    assert found is None or found == reference(text, region)


@properties
@given(text=typed(), region=st.sampled_from(REGIONS))
def test_normalize_gives_phonenumbers_answer_for_any_typing(text, region):
    assert normalized(text, region) == reference(" ".join(text.split()), region)


@properties
@given(
    text=typed(fronts=["+44", "+996", "+1", "+998", "+375", "00 44", "8 10 44"],
               number=st.text(DIGITS, min_size=6, max_size=12)),
    region=st.sampled_from(REGIONS),
)
def test_other_countries_are_left_to_phonenumbers(text, region):
    assert plus7.e164(text, region) is None
    assert normalized(text, region) == reference(" ".join(text.split()), region)


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [("8 (701) 123-45-67", "KZ", "+77011234567"), ("+7 701 123 4567", "RU", "+77011234567"),
     ("87272501234", "KZ", "+77272501234"), ("7011234567", "KZ", "+77011234567"),
     ("77011234567", "KZ", "+77011234567"), ("8-916-123-45-67", "KZ", "+79161234567"),
     ("9161234567", "RU", "+79161234567"), ("8 800 555 35 35", "RU", "+78005553535"),
     ("+7 (916) 123-45-67", "US", "+79161234567")],
)
def test_the_shortcut_reads_the_common_forms_itself(text, region, e164):
    assert plus7.e164(text, region) == e164


@pytest.mark.parametrize(
    ("text", "region"),
    [("8 701 123 45 67", "KG"), ("+7 600 123 4567", "KZ"), ("8 10 44 20 7946 0958", "KZ"),
     ("9161234567", "KZ"), ("+7 701 123 45 6", "KZ"), ("٨٧٠١١٢٣٤٥٦٧", "KZ")],
)
def test_what_the_shortcut_is_not_sure_of_it_leaves(text, region):
    assert plus7.e164(text, region) is None
