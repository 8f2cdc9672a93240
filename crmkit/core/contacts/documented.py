"""What the OpenAPI document says the contact fields accept (``openapi`` on each field class).

A phone, an IIN or a BIN is checked by rules no regular expression can hold (phonenumbers'
ranges, a control digit), so each field documents the widest pattern whose every value the
field accepts, and says in words what else it takes. A client that generates values from the
document (schemathesis, a mock server) then never sends one the server refuses; anything the
pattern leaves out may still be valid, as the description says. tests/test_api_openapi.py
loads values drawn from each pattern through the field itself.
"""

from __future__ import annotations

from phonenumbers import PhoneMetadata

from crmkit.core.contacts import kz_ids

# What str.strip() removes (str.isspace); written out, because JSON Schema's \s (ECMA-262) has
# U+FEFF and lacks U+001C-U+001F and U+0085.
SPACE = "[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
BLANK = f"{SPACE}*"  # a blank value is no value (null)
SEPARATOR = "(?:\\n|, ?|; ?)"  # between the entries of a list field


def _kz_mobile() -> str:
    """+7 and a Kazakhstan mobile number, from phonenumbers' own metadata: valid in every region."""
    national = PhoneMetadata.metadata_for_region("KZ").mobile.national_number_pattern
    return "\\+7" + national.replace("\\d", "[0-9]")  # JSON Schema's \d is ASCII, Python's is not


# A plain address email-validator takes whatever its options: no quoting, no special-use or
# Punycode domain, a local part well under 64 characters.
EMAIL = "[A-Za-z0-9]{1,20}(?:[._+-][A-Za-z0-9]{1,10}){0,3}@(?:[a-z0-9]{1,20}\\.){1,3}(?:com|org|net|kz|ru)"
URL = "https?://(?:[a-z0-9]{1,20}\\.){1,3}(?:com|org|net|kz|ru)(?:/[A-Za-z0-9_~-]{1,20}){0,4}/?"


def _one_or_blank(entry: str) -> str:
    return f"^(?:{BLANK}|{entry})$"


def _list_or_blank(entry: str) -> str:
    return f"^(?:{BLANK}|{entry}(?:{SEPARATOR}{entry}){{0,4}})$"


def _kz_ids(validate, bases: tuple[str, ...]) -> str:
    """Numbers on the given first ten digits with any 11th: its weight, 11, leaves the control
    digit as it is (bases whose first sum is 10, which would weigh it again, are skipped)."""
    entries = []
    for base in bases:
        check = kz_ids.calc_check_digit(base + "0")
        if check is not None and all(kz_ids.calc_check_digit(base + str(d)) == check for d in range(10)):
            validate(f"{base}0{check}")
            entries.append(f"{base}[0-9]{check}")
    return f"^(?:{BLANK}|{'|'.join(entries)})$"


IIN_BASES = ("8001013000", "8512244001", "9003155002", "9507206003", "0102025004", "0506306005")
BIN_BASES = ("0501400001", "1003410002", "1507420003", "2011500004", "2104600005", "1812430006")


def _entries(entry: str, name: str, description: str, multiple: bool) -> dict:
    """The rule of a field holding one entry, or several (one per line, or separated by , or ;)."""
    several = " Several: one per line, or separated by commas or semicolons." if multiple else ""
    return {
        "pattern": _list_or_blank(entry) if multiple else _one_or_blank(entry),
        "x-crmkit-format": name,
        "description": f"{description} Blank is null.{several}",
    }


def phone(multiple: bool = False) -> dict:
    description = (
        "Any valid phone number, typed any way (8 (701) 123-45-67, +7 701 1234567, with an extension); "
        "without + it is read in the deployment's region; stored in E.164. The pattern shows the form "
        "every deployment takes: Kazakhstan mobile numbers in E.164."
    )
    return _entries(_kz_mobile(), "phone", description, multiple)


def email(multiple: bool = False) -> dict:
    description = (
        "An email address as email-validator takes it (internationalised domains too; no deliverability "
        "check); the pattern shows plain addresses every deployment takes."
    )
    return _entries(EMAIL, "email", description, multiple)


def kz_id(kind: str) -> dict:
    if kind == "iin":
        pattern, name = _kz_ids(kz_ids.validate_iin, IIN_BASES), "IIN"
    else:
        pattern, name = _kz_ids(kz_ids.validate_bin, BIN_BASES), "BIN"
    return {
        "pattern": pattern,
        "x-crmkit-format": f"kz-{kind}",
        "description": (
            f"A Kazakhstan {name}: 12 digits (spaces and dashes are dropped) with a valid date and control digit. "
            "No pattern can hold the control digit, so the pattern lists a few valid numbers. Blank is null."
        ),
    }
