"""What the walk of the demo (tests/browser/walking.py) fails a page on, checked on sample texts,
so that a walk that passes means the pages are clean, not that the checks see nothing."""

from __future__ import annotations

import pytest

from tests.browser.walking import problems

CODES = frozenset({"in_work", "won", "c"})


def found(text: str, language: str = "ru", leaf: str | None = None) -> list[str]:
    return [p.what for p in problems("page", [{"text": text, "leaf": leaf, "where": "td"}], language, CODES)]


@pytest.mark.parametrize("text, what", [
    ("owner_id 3", "a code"),
    ("Права: core.merge", "a code"),
    ("Головная организация: #16", "a raw id"),
    ("{'+77012345678': '8 701 234 56 78'}", "a dict"),
    ("Создано 2026-12-07T10:00", "an ISO timestamp"),
    ("Создано 2026-12-07 10:00:00+00:00", "an ISO timestamp"),
    ("Статус: Open", "English on a non-English page"),
])
def test_a_raw_value_or_an_english_word_fails_a_russian_page(text, what):
    assert what in found(text)


def test_a_choice_s_key_shown_alone_fails_in_every_language():
    assert found("won", "en", leaf="won") == ["a choice's key"]
    assert found("Won", "en", leaf="Won") == []


@pytest.mark.parametrize("text", [
    "Продажа: 3-комн. квартира, ЖК «Esentai City»",  # a proper name in quotes
    "aigerim@altyn-kilt.kz, WhatsApp: @ainur_ism",  # addresses and handles
    "IT и телеком, 85 000 000 KZT, CSV, XLSX",
    "Например: 07.12.2026, 10:00",
])
def test_names_addresses_and_formats_pass(text):
    assert found(text) == []


def test_english_words_pass_an_english_page():
    assert found("Deals won this week", "en") == []
