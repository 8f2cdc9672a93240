"""The plain-address shortcut (fields.plain_email) gives email-validator's own answer, or none.

The reference is email-validator as crmkit calls it (no deliverability check). The input is
generated near the edges of what the shortcut takes: every atext character, dots, case, long
parts, special-use and role names, Punycode and "ab--" labels, numeric endings, Unicode, and
whatever hypothesis's own email strategy makes.
"""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.core.contacts.fields import normalize_email, plain_email

properties = settings(database=None, deadline=None, max_examples=500)

ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
LOCALS = ["info", "Sales", "POSTMASTER", "ivan.petrov", "a" * 64, "a" * 65, "иван", "a b", '"quoted"', "a..b", ".a", "a."]
LABELS = ["mail", "GMAIL", "kz", "ru", "com", "xn--80a1acny", "xn--p1ai", "ab--cd", "a-b", "-ab", "ab-", "123",
          "a" * 63, "a" * 64, "test", "local", "localhost", "invalid", "onion", "arpa", "example", "почта", "рф", "x1"]


def reference(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def normalized(text: str) -> str | None:
    try:
        return normalize_email(text)
    except ValueError:
        return None


local_part = st.one_of(
    st.sampled_from(LOCALS),
    st.lists(st.text(ATEXT, min_size=0, max_size=12), min_size=1, max_size=4).map(".".join),
)
domain = st.one_of(
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=4).map(".".join),
    st.lists(st.text("abcXYZ09-", min_size=0, max_size=10), min_size=1, max_size=4).map(".".join),
)
address = st.one_of(st.tuples(local_part, domain).map("@".join), st.emails(), st.text(max_size=30))


@properties
@given(text=address)
def test_the_shortcut_gives_email_validators_answer_or_none(text):
    found = plain_email(text)
    assert found is None or found == reference(text)


@properties
@given(text=address)
def test_normalize_email_gives_email_validators_answer(text):
    assert normalized(text) == reference(text.strip())


@settings(database=None, deadline=None, max_examples=200)
@given(local=st.text(ATEXT, min_size=1, max_size=64), label=st.text("abcxyz019-", min_size=1, max_size=63),
       tld=st.sampled_from(["kz", "ru", "com", "travel"]))
def test_long_addresses_are_measured_the_same(local, label, tld):
    text = f"{local}@{label}.{'b' * 60}.{'c' * 60}.{tld}"
    found = plain_email(text)
    assert found is None or found == reference(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("i.ivanov123@mail.kz", "i.ivanov123@mail.kz"), ("Ivan.Petrov@Gmail.COM", "Ivan.Petrov@gmail.com"),
     ("o'brien+crm@sub.example.kz", "o'brien+crm@sub.example.kz")],
)
def test_the_shortcut_reads_plain_addresses_itself(text, expected):
    assert plain_email(text) == expected


@pytest.mark.parametrize(
    "text", ["Info@mail.kz", "a@b.test", "иван@почта.рф", "a@xn--80a1acny.xn--p1ai", "a@mail.123", "a@kz"],
)
def test_what_the_shortcut_is_not_sure_of_it_leaves(text):
    assert plain_email(text) is None
