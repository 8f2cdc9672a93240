"""Phones, emails, IINs and BINs of contacts: what is accepted, what it is stored as, what is refused.

Pure tests, except the few that read the app's settings. The IIN/BIN property tests check the
module against a reference written here from the published rules, not from the module.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from crmkit.core.contacts import kz_ids, phones
from crmkit.core.contacts.fields import (
    BIN,
    IIN,
    EmailAddress,
    EmailList,
    Phone,
    PhoneList,
    typed_phones,
)

properties = settings(database=None, deadline=None, max_examples=300)

# --- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["8 (701) 123-45-67", "+7 701 1234567", "87011234567", "7011234567", "77011234567", "+7 (701) 123 45 67",
     "8-701-123-45-67", "8.701.123.45.67", " +7  701\t123 45 67 ", "８７０１１２３４５６７"],
)
def test_a_kz_mobile_typed_any_common_way_is_stored_in_e164(typed):
    assert phones.normalize(typed) == "+77011234567"


@pytest.mark.parametrize("typed", ["+7 (916) 123-45-67", "8-916-123-45-67", "89161234567", "9161234567"])
def test_a_russian_mobile_is_stored_in_e164(typed):
    assert phones.normalize(typed) == "+79161234567"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [("8 (727) 250-12-34", "+77272501234"), ("+7 (7172) 55-55-55", "+77172555555"),
     ("8 (495) 123-45-67", "+74951234567"), ("8 800 555 35 35", "+78005553535"),
     ("+44 20 7946 0958", "+442079460958"), ("8 10 44 20 7946 0958", "+442079460958")],
)
def test_landlines_free_phones_and_foreign_numbers_are_stored_in_e164(typed, e164):
    assert phones.normalize(typed) == e164


@pytest.mark.parametrize(
    "typed", ["8 (701) 123-45-67 доб. 12", "+7 701 123 45 67 ext 12", "+7-701-123-45-67 вн. 12", "87011234567 x12",
              "8701 1234567#12", "+7 701 123 45 67 Доб.12", "+7 701 123 45 67 EXT.12", "87011234567 добавочный 123"],
)
def test_an_extension_is_accepted_and_left_out_of_the_e164_form(typed):
    assert phones.normalize(typed) == "+77011234567"


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "abc", "123", "+7 701 123 45 6", "+7 701 123 45 678", "+7 600 123 4567", "8 701 ABC 45 67",
     "Иван +7 701 123 45 67", "+7 701 123 45 67 (Асель)", "+7 701 123 45 67 x", "доб. 12",
     "87011234567, 87017654321"],
)
def test_what_is_not_one_valid_phone_number_is_refused(typed):
    with pytest.raises(ValueError, match=r"^Not a valid phone number\.$"):
        phones.normalize(typed)


@pytest.mark.parametrize(
    ("e164", "country"),
    [("+77011234567", "KZ"), ("+77272501234", "KZ"), ("+79161234567", "RU"), ("+74951234567", "RU"),
     ("+78005553535", "RU"), ("+442079460958", "GB"), ("+76001234567", None), ("junk", None)],
)
def test_numbers_on_plus_7_are_told_apart_as_kazakh_or_russian(e164, country):
    assert phones.country_of(e164) == country


def test_a_number_without_plus_is_read_in_the_region_given():
    assert phones.normalize("0555 123 456", "KG") == "+996555123456"
    with pytest.raises(ValueError):
        phones.normalize("0555 123 456")  # in Kazakhstan, the default, that is no number


def test_outside_an_app_the_default_region_is_kazakhstan():
    assert phones.default_region() == "KZ"


def test_the_default_region_is_an_app_setting(make_app):
    app = make_app(migrate=False, DEFAULT_PHONE_REGION="kg")
    with app.app_context():
        assert phones.default_region() == "KG"
        assert phones.normalize("0555 123 456") == "+996555123456"
        assert ContactSchema().load({"phone": "0 (555) 12-34-56"})["phone"] == "+996555123456"


def test_an_app_without_the_setting_reads_numbers_in_kazakhstan(app):
    with app.app_context():
        assert phones.default_region() == "KZ"


def test_pretty_shows_a_number_as_people_write_it():
    assert phones.pretty("+77011234567") == "+7 701 123 45 67"
    assert phones.pretty("+79161234567") == "+7 916 123-45-67"
    assert phones.pretty("not a number") == "not a number"


def test_split_cuts_a_text_of_several_phones_at_lines_commas_and_semicolons():
    text = " 8 701 123 45 67 ,+7 916 123-45-67;\n\n  87017654321\r\n ; "
    assert phones.split(text) == ["8 701 123 45 67", "+7 916 123-45-67", "87017654321"]
    assert phones.split("") == [] and phones.split(None) == []


def test_digits_keeps_only_the_digits_in_ascii():
    assert phones.digits("+7 (701) 123-45-67") == "77011234567"
    assert phones.digits("٧٠١") == "701"
    assert phones.digits(None) == ""


KZ_MOBILE_CODES = ["700", "701", "702", "705", "706", "707", "708", "747", "771", "775", "776", "777", "778"]


@properties
@given(code=st.sampled_from(KZ_MOBILE_CODES), subscriber=st.integers(0, 9_999_999))
def test_every_kz_mobile_reads_the_same_in_every_format(code, subscriber):
    s = f"{subscriber:07d}"
    e164 = f"+7{code}{s}"
    for typed in (e164, f"8 ({code}) {s[:3]}-{s[3:5]}-{s[5:]}", f"8{code}{s}", f"{code}{s}", phones.pretty(e164)):
        assert phones.normalize(typed) == e164
    assert phones.country_of(e164) == "KZ"


# --- marshmallow fields ------------------------------------------------------------------------


class ContactSchema(Schema):
    phone = Phone(allow_none=True)
    other_phones = PhoneList(allow_none=True)
    email = EmailAddress(allow_none=True)
    other_emails = EmailList(allow_none=True)
    iin = IIN(allow_none=True)
    bin = BIN(allow_none=True)
    required_phone = Phone()


def errors_of(data: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        ContactSchema().load(data)
    return caught.value.messages


def test_the_phone_field_loads_e164():
    assert ContactSchema().load({"phone": "8 (701) 123-45-67"}) == {"phone": "+77011234567"}


def test_the_phone_field_refuses_an_invalid_number():
    assert errors_of({"phone": "12345"}) == {"phone": ["Not a valid phone number."]}


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_blank_value_loads_as_none_where_none_is_allowed(blank):
    data = {name: blank for name in ("phone", "other_phones", "email", "other_emails", "iin", "bin")}
    assert ContactSchema().load(data) == dict.fromkeys(data)


@pytest.mark.parametrize("blank", [None, ""])
def test_a_blank_value_is_refused_where_none_is_not_allowed(blank):
    assert errors_of({"required_phone": blank}) == {"required_phone": ["Field may not be null."]}


def test_the_phone_list_loads_each_number_in_e164_without_repeats():
    typed = "8 (701) 123-45-67\n+7 916 123-45-67, 87011234567;\n\n+7 701 123 4567"
    assert ContactSchema().load({"other_phones": typed}) == {"other_phones": "+77011234567\n+79161234567"}
    assert PhoneList().metadata["multiline"] is True


def test_the_phone_list_names_every_entry_it_refuses():
    messages = errors_of({"other_phones": "87011234567\nabc\n12"})
    assert messages == {"other_phones": ["'abc' is not a valid phone number.", "'12' is not a valid phone number."]}


def test_typed_phones_keeps_the_text_typed_for_each_valid_number():
    typed = typed_phones(["8 (701) 123-45-67 доб. 12", None, "+7 916 123-45-67\nabc\n87011234567"])
    assert typed == {"+77011234567": "8 (701) 123-45-67 доб. 12", "+79161234567": "+7 916 123-45-67"}


def test_the_email_field_lowercases_the_domain_and_keeps_the_local_part():
    assert ContactSchema().load({"email": " Ivan.Petrov@Example.COM "}) == {"email": "Ivan.Petrov@example.com"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("иван@почта.рф", "иван@почта.рф"), ("Ivan@ПОЧТА.РФ", "Ivan@почта.рф"),
     ("user@xn--80a1acny.xn--p1ai", "user@почта.рф"), ("user@пример.қаз", "user@пример.қаз")],
)
def test_an_internationalised_domain_is_welcome_and_kept_in_unicode(typed, stored):
    assert ContactSchema().load({"email": typed}) == {"email": stored}


@pytest.mark.parametrize("typed", ["abc", "a@b", "user@localhost", "a b@c.kz", "user@mail.kz.", "user@example.test"])
def test_the_email_field_refuses_an_invalid_address(typed):
    assert errors_of({"email": typed}) == {"email": ["Not a valid email address."]}


def test_the_email_list_loads_each_address_once_whatever_its_case():
    typed = "Ivan@Example.com\nivan@example.com; anna@почта.рф"
    assert ContactSchema().load({"other_emails": typed}) == {"other_emails": "Ivan@example.com\nanna@почта.рф"}


def test_the_email_list_names_every_entry_it_refuses():
    assert errors_of({"other_emails": "anna@mail.kz\nanna"}) == {"other_emails": ["'anna' is not a valid email address."]}


def test_the_iin_and_bin_fields_load_bare_digits():
    iin, bin_ = make_iin(date(1990, 5, 17), male=True, serial=1234), make_bin(2004, 3, "4", "0", 546)
    loaded = ContactSchema().load({"iin": f"{iin[:6]} {iin[6:]}", "bin": f"{bin_[:4]}-{bin_[4:8]}-{bin_[8:]}"})
    assert loaded == {"iin": iin, "bin": bin_}


def test_the_iin_and_bin_fields_say_what_is_wrong():
    assert errors_of({"iin": "12345", "bin": "120336789012"}) == {
        "iin": ["An IIN has 12 digits."],
        "bin": ["This BIN's 5th digit, the kind of entity, must be 4, 5 or 6."],
    }


# --- IIN and BIN: a reference from the published rules ----------------------------------------


def reference_check_digit(first11: str) -> int | None:
    for weights in ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        remainder = sum(int(d) * w for d, w in zip(first11, weights, strict=True)) % 11
        if remainder < 10:
            return remainder
    return None


def reference_is_valid_iin(number: str) -> bool:
    if len(number) != 12 or any(c not in "0123456789" for c in number) or number[6] not in "123456":
        return False
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[number[6]]
    try:
        date(century + int(number[0:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return False
    return reference_check_digit(number[:11]) == int(number[11])


def reference_is_valid_bin(number: str) -> bool:
    if len(number) != 12 or any(c not in "0123456789" for c in number):
        return False
    return 1 <= int(number[2:4]) <= 12 and number[4] in "456" and reference_check_digit(number[:11]) == int(number[11])


def iin_first11(born: date, male: bool, serial: int) -> str:
    century_and_sex = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (0 if male else 1)
    return f"{born:%y%m%d}{century_and_sex}{serial:04d}"


def make_iin(born: date, male: bool, serial: int) -> str:
    first11 = iin_first11(born, male, serial)
    check = reference_check_digit(first11)
    assert check is not None, f"no IIN starts {first11}"
    return f"{first11}{check}"


def bin_first11(year: int, month: int, kind: str, division: str, serial: int) -> str:
    return f"{year % 100:02d}{month:02d}{kind}{division}{serial:05d}"


def make_bin(year: int, month: int, kind: str, division: str, serial: int) -> str:
    first11 = bin_first11(year, month, kind, division, serial)
    check = reference_check_digit(first11)
    assert check is not None, f"no BIN starts {first11}"
    return f"{first11}{check}"


def test_a_computed_iin_is_valid_and_tells_its_birth_date_and_sex():
    iin = make_iin(date(1990, 5, 17), male=False, serial=1234)
    assert kz_ids.validate_iin(iin) == iin
    assert kz_ids.birth_date(iin) == date(1990, 5, 17) and kz_ids.sex(iin) == "female"


def test_an_iin_whose_first_weighing_gives_10_uses_the_second_weights():
    # The example of the kz-iin-validator project's README: remainder 10 with weights 1..11, 2 with 3..11,1,2.
    assert sum(int(d) * w for d, w in zip("06121160001", range(1, 12))) % 11 == 10
    assert kz_ids.calc_check_digit("06121160001") == 2
    assert kz_ids.is_valid_iin("061211600012")
    assert kz_ids.birth_date("061211600012") == date(2006, 12, 11) and kz_ids.sex("061211600012") == "female"


@pytest.mark.parametrize(
    ("first11", "message"),
    [("90051700001", "This IIN's 7th digit, for century and sex, must be 1 to 6."),
     ("90023030001", "This IIN's date of birth is not a real date."),
     ("01022930001", "This IIN's date of birth is not a real date.")],
)
def test_an_iin_says_what_is_wrong_with_it(first11, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        kz_ids.validate_iin(f"{first11}0")


def test_an_iin_no_control_digit_fits_is_never_issued():
    first11 = next(f"900101{i:05d}" for i in range(30000, 40000) if reference_check_digit(f"900101{i:05d}") is None)
    assert kz_ids.calc_check_digit(first11) is None
    assert not any(kz_ids.is_valid_iin(f"{first11}{d}") for d in range(10))
    with pytest.raises(ValueError, match=r"^No IIN is issued with these first 11 digits\.$"):
        kz_ids.validate_iin(f"{first11}0")


def test_a_computed_bin_is_valid():
    bin_ = make_bin(2004, 3, "4", "0", 546)
    assert kz_ids.validate_bin(bin_) == bin_ and kz_ids.bin_kind(bin_) == "resident"


@pytest.mark.parametrize(
    ("first10", "message"),
    [("0413400054", "This BIN's month of registration (digits 3 and 4) must be 01 to 12."),
     ("0400400054", "This BIN's month of registration (digits 3 and 4) must be 01 to 12."),
     ("0403300054", "This BIN's 5th digit, the kind of entity, must be 4, 5 or 6.")],
)
def test_a_bin_says_what_is_wrong_with_it(first10, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        kz_ids.validate_bin(f"{first10}60")


iins = st.tuples(st.dates(date(1800, 1, 1), date(2099, 12, 31)), st.booleans(), st.integers(0, 9999))


@st.composite
def twelve_digits(draw) -> str:
    """Any 12 digits, or a valid IIN with one digit typed wrong: mostly invalid, often by one digit."""
    number = draw(st.text(alphabet="0123456789", min_size=12, max_size=12))
    if draw(st.booleans()):
        born, male, serial = draw(iins)
        first11 = iin_first11(born, male, serial)
        number = f"{first11}{reference_check_digit(first11) or 0}"
        position = draw(st.integers(0, 11))
        number = number[:position] + draw(st.sampled_from("0123456789")) + number[position + 1 :]
    return number


@properties
@given(iins)
def test_every_iin_made_by_the_rules_is_valid(parts):
    born, male, serial = parts
    first11 = iin_first11(born, male, serial)
    assume(reference_check_digit(first11) is not None)
    iin = make_iin(born, male, serial)
    assert kz_ids.is_valid_iin(iin) and not kz_ids.is_valid_bin(iin)
    assert (kz_ids.birth_date(iin), kz_ids.sex(iin)) == (born, "male" if male else "female")


@properties
@given(iins, st.integers(0, 9))
def test_any_other_control_digit_makes_an_iin_invalid(parts, digit):
    born, male, serial = parts
    first11 = iin_first11(born, male, serial)
    assume(reference_check_digit(first11) not in (None, digit))
    assert not kz_ids.is_valid_iin(f"{first11}{digit}")


@properties
@given(st.text(alphabet="0123456789 -\t\n", max_size=20) | st.text(max_size=20))
def test_compact_is_idempotent(value):
    assert kz_ids.compact(kz_ids.compact(value)) == kz_ids.compact(value)


@properties
@given(twelve_digits())
def test_any_12_digits_are_judged_as_the_reference_judges_them(number):
    assert kz_ids.is_valid_iin(number) == reference_is_valid_iin(number)
    assert kz_ids.is_valid_bin(number) == reference_is_valid_bin(number)
    assert not (kz_ids.is_valid_iin(number) and kz_ids.is_valid_bin(number))


@properties
@given(st.integers(2000, 2099), st.integers(1, 12), st.sampled_from("456"), st.sampled_from("0123"), st.integers(0, 99999))
def test_every_bin_made_by_the_rules_is_valid(year, month, kind, division, serial):
    assume(reference_check_digit(bin_first11(year, month, kind, division, serial)) is not None)
    bin_ = make_bin(year, month, kind, division, serial)
    assert kz_ids.is_valid_bin(bin_) and not kz_ids.is_valid_iin(bin_)


@properties
@given(
    st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) != 12)
    | st.text(min_size=12, max_size=12).filter(lambda s: any(c not in "0123456789 -\t\n\r" for c in s))
)
def test_wrong_lengths_and_other_characters_are_never_valid(value):
    assert not kz_ids.is_valid_iin(value) and not kz_ids.is_valid_bin(value)
