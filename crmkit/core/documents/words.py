"""Amounts in words, as a contract or an invoice writes them: "Сто двадцать один тенге 50 тиынов".

The whole part is spelled by num2words (Russian ``ru``, Kazakh ``kz``, English ``en``); the
currency's name agrees with the number (Russian has three forms, Kazakh one), and the minor units
are written in digits, two of them, as accountants do.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

LANGUAGES = {"ru": "ru", "kk": "kz", "en": "en"}
# currency: language: (major forms, minor forms, minor is feminine in Russian)
NAMES = {
    "KZT": {"ru": (("тенге", "тенге", "тенге"), ("тиын", "тиына", "тиынов")),
            "kk": (("теңге",), ("тиын",)), "en": (("tenge", "tenge"), ("tiyn", "tiyn"))},
    "RUB": {"ru": (("рубль", "рубля", "рублей"), ("копейка", "копейки", "копеек")),
            "kk": (("рубль",), ("тиын",)), "en": (("rouble", "roubles"), ("kopeck", "kopecks"))},
    "USD": {"ru": (("доллар", "доллара", "долларов"), ("цент", "цента", "центов")),
            "kk": (("доллар",), ("цент",)), "en": (("dollar", "dollars"), ("cent", "cents"))},
    "EUR": {"ru": (("евро", "евро", "евро"), ("цент", "цента", "центов")),
            "kk": (("еуро",), ("цент",)), "en": (("euro", "euros"), ("cent", "cents"))},
}


def russian_form(number: int, forms: tuple[str, ...]) -> str:
    """1 тиын, 2 тиына, 5 тиынов; 11-14 take the third form, 21 the first."""
    if 11 <= number % 100 <= 14:
        return forms[2]
    return forms[{1: 0, 2: 1, 3: 1, 4: 1}.get(number % 10, 2)]


def form(number: int, forms: tuple[str, ...], language: str) -> str:
    if language == "ru":
        return russian_form(number, forms)
    if language == "en":
        return forms[0] if number == 1 else forms[1]
    return forms[0]


def number_in_words(number: int, language: str = "ru") -> str:
    """A whole number spelled out; ``ValueError`` for a language it can't spell."""
    if language not in LANGUAGES:
        raise ValueError(f"no number speller for {language!r}")
    return num2words(number, lang=LANGUAGES[language])


def amount_in_words(amount: Decimal | int | str, currency: str = "KZT", language: str = "ru") -> str:
    """The amount spelled out with its currency, capitalised, minor units in two digits:
    ``amount_in_words(Decimal("1000.05"), "KZT", "kk")`` is "Бір мың теңге 05 тиын"."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    negative = value < 0
    whole, minor = divmod(abs(value) * 100, 100)
    whole, minor = int(whole), int(minor)
    names = NAMES.get(currency, {}).get(language)
    words = number_in_words(whole, language)
    if names is None:
        text = f"{words} {currency} {minor:02d}"
    else:
        text = f"{words} {form(whole, names[0], language)} {minor:02d} {form(minor, names[1], language)}"
    if negative:
        text = {"ru": "минус ", "kk": "минус ", "en": "minus "}[language] + text
    return text[:1].upper() + text[1:]
