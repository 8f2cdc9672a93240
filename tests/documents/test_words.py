"""Amounts in words as contracts write them, in Russian and Kazakh (and English)."""

from decimal import Decimal

import pytest

from crmkit.core.documents.words import amount_in_words, number_in_words

RUSSIAN = {
    1: "Один тенге 00 тиынов", 2: "Два тенге 00 тиынов", 5: "Пять тенге 00 тиынов",
    11: "Одиннадцать тенге 00 тиынов", 21: "Двадцать один тенге 00 тиынов", 101: "Сто один тенге 00 тиынов",
    1000: "Одна тысяча тенге 00 тиынов", 1000000: "Один миллион тенге 00 тиынов",
}
KAZAKH = {
    1: "Бір теңге 00 тиын", 2: "Екі теңге 00 тиын", 5: "Бес теңге 00 тиын", 11: "Он бір теңге 00 тиын",
    21: "Жиырма бір теңге 00 тиын", 101: "Жүз бір теңге 00 тиын", 1000: "Бір мың теңге 00 тиын",
    1000000: "Бір миллион теңге 00 тиын",
}


@pytest.mark.parametrize(("amount", "expected"), RUSSIAN.items())
def test_russian_tenge(amount, expected):
    assert amount_in_words(amount, "KZT", "ru") == expected


@pytest.mark.parametrize(("amount", "expected"), KAZAKH.items())
def test_kazakh_tenge(amount, expected):
    assert amount_in_words(amount, "KZT", "kk") == expected


@pytest.mark.parametrize(("tiyn", "russian"), [("0.01", "01 тиын"), ("0.02", "02 тиына"), ("0.05", "05 тиынов"),
                                                ("0.11", "11 тиынов"), ("0.21", "21 тиын"), ("0.22", "22 тиына")])
def test_russian_tiyn_agree_with_their_number(tiyn, russian):
    assert amount_in_words(Decimal(tiyn), "KZT", "ru") == f"Ноль тенге {russian}"


def test_a_total_with_tiyn_in_both_languages():
    assert amount_in_words(Decimal("1234567.89"), "KZT", "ru") == (
        "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь тенге 89 тиынов")
    assert amount_in_words(Decimal("1234567.89"), "KZT", "kk") == (
        "Бір миллион екі жүз отыз төрт мың бес жүз алпыс жеті теңге 89 тиын")


def test_amounts_are_rounded_half_up_to_tiyn():
    assert amount_in_words(Decimal("2.005"), "KZT", "kk") == "Екі теңге 01 тиын"


def test_roubles_and_kopecks_agree_in_russian():
    assert amount_in_words(Decimal("2.01"), "RUB", "ru") == "Два рубля 01 копейка"
    assert amount_in_words(Decimal("5.02"), "RUB", "ru") == "Пять рублей 02 копейки"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        number_in_words(5, "de")
