"""Phones are shown as people of the country write them, and what is shown reads back as the same
number: one formatter (``phones.pretty``) serves pages, lists, exports, search and messages."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crmkit.core.contacts import phones
from crmkit.core.contacts.kz_area_codes import FIVE_DIGIT


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("8 727 250 12 34", "+7 727 250 12 34"),  # Almaty: a three-digit code, seven digits
        ("8 7172 50 12 34", "+7 7172 50 12 34"),  # Astana
        ("8 (7252) 50-12-34", "+7 7252 50 12 34"),  # Shymkent
        ("8 (71036) 4-12-34", "+7 71036 4 12 34"),  # Balkhash: a district's five-digit code
    ],
)
def test_a_kazakhstan_landline_shows_its_area_code_then_pairs(typed, shown):
    assert phones.pretty(phones.normalize(typed, "KZ")) == shown


@pytest.mark.parametrize("typed", ["87011234567", "+7 (701) 123-4567", "7011234567"])
def test_a_kazakhstan_mobile_shows_three_three_two_two(typed):
    assert phones.pretty(phones.normalize(typed, "KZ")) == "+7 701 123 45 67"


def test_a_russian_number_keeps_the_russian_dashes():
    assert phones.pretty(phones.normalize("8 (495) 123-45-67", "RU")) == "+7 495 123-45-67"


def test_other_countries_keep_phonenumbers_international_format():
    assert phones.pretty("+442071234567") == "+44 20 7123 4567"


def test_an_unreadable_value_is_shown_as_given():
    assert phones.pretty("ext. 12") == "ext. 12"


def kazakh_numbers():
    """Valid Kazakhstan numbers of every kind: mobiles, Almaty, regional and district landlines."""
    prefixes = st.sampled_from(["701", "705", "707", "747", "771", "777", "7272", "7273", "7172", "7252", "7212",
                                *sorted(FIVE_DIGIT)])
    return prefixes.flatmap(lambda p: st.text("0123456789", min_size=10 - len(p), max_size=10 - len(p)).map(lambda s: "+7" + p + s))


@settings(max_examples=400, deadline=None)
@given(kazakh_numbers())
def test_a_shown_kazakhstan_number_reads_back_as_the_same_number(e164):
    assume(phonenumbers.is_valid_number(phonenumbers.parse(e164)))  # an allocated range
    assert phones.normalize(phones.pretty(e164), "KZ") == e164
    assert phones.normalize(phones.pretty(e164), "RU") == e164


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["RU", "KZ", "UZ", "KG", "BY", "DE", "GB", "US", "TR", "CN"]), st.integers(0, 10**9))
def test_any_shown_number_reads_back_as_the_same_number(region, seed):
    example = phonenumbers.example_number(region)
    national = str(example.national_number)
    varied = national[:-3] + str(seed % 1000).zfill(3)
    number = phonenumbers.parse("+" + str(example.country_code) + varied)
    assume(phonenumbers.is_valid_number(number))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert phones.normalize(phones.pretty(e164), region) == e164
