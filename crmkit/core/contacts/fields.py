"""marshmallow fields for phones, emails, IINs and BINs, so forms, the API and imports all store
them in one form (E.164, normalised emails, bare 12 digits) and refuse the same typos.

Each loads from a string. A blank string counts as no value: None when the field allows none,
else the "Field may not be null." error. Messages are translated when raised (flask_babel's
``gettext``: the current user's language in a request, the source English outside an app).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import email_validator
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from marshmallow import ValidationError, fields

from crmkit.core.contacts import documented, kz_ids, phones
from crmkit.i18n import gettext

# A plain ASCII address: a dot-atom of RFC 5322 atext, then host name labels of letters, digits, hyphens.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"({_ATEXT}+(?:\.{_ATEXT}+)*)@((?:{_LABEL}\.)+{_LABEL})")
_R_LDH = re.compile(r"(?:^|\.)..--")  # "ab--" labels, Punycode's "xn--" among them


def plain_email(text: str) -> str | None:
    """What email-validator normalises a plain ASCII address to (its domain lowercased), without
    its ~100 us of Unicode and IDNA work; None for anything else, which email-validator decides.

    Only addresses it accepts whatever its options are taken: at most 254 characters, a local
    part of at most 64, a domain with a dot ending in a letter, no special-use name, no "ab--"
    label, no role name it lowercases ("Info@"). tests/test_emails_fast.py compares the two.
    """
    found = _PLAIN_EMAIL.fullmatch(text) if len(text) <= 254 else None
    if found is None:
        return None
    local, domain = found.groups()
    domain = domain.lower()
    if len(local) > 64 or not domain[-1].isalpha() or _R_LDH.search(domain):
        return None
    if local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        return None
    if any(domain == name or domain.endswith("." + name) for name in email_validator.SPECIAL_USE_DOMAIN_NAMES):
        return None
    return f"{local}@{domain}"


def normalize_email(raw: str) -> str:
    """The address as email-validator normalises it: the domain lowercased, an internationalised
    domain in Unicode ("иван@почта.рф", also when typed in punycode); ValueError when invalid."""
    text = raw.strip()
    found = plain_email(text)
    if found is not None:
        return found
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(gettext("Not a valid email address.")) from None


class _Text(fields.String):
    """A string field whose blank value means "none" and whose loaded value is ``convert(text)``.

    ``openapi`` is what the OpenAPI document says of its values (crmkit.core.contacts.documented).
    """

    openapi: dict[str, Any] = {}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            if self.allow_none:
                return None
            raise self.make_error("null")
        return self.convert(text)

    def convert(self, text: str) -> str | None:
        raise NotImplementedError


class _List(_Text):
    """Several values in one text, one per line (or separated by "," or ";"): loaded normalised,
    without repeats, one per line. The error names the entry that failed."""

    def __init__(self, *args: Any, metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, metadata={"multiline": True, **(metadata or {})}, **kwargs)

    def one(self, entry: str) -> str:
        raise NotImplementedError

    def error(self, entry: str) -> str:
        raise NotImplementedError

    def key(self, value: str) -> str:
        return value

    def convert(self, text: str) -> str | None:
        loaded: dict[str, str] = {}
        errors = []
        for entry in phones.split(text):
            try:
                value = self.one(entry)
            except ValueError:
                errors.append(self.error(entry))
                continue
            loaded.setdefault(self.key(value), value)
        if errors:
            raise ValidationError(errors)
        if loaded:
            return "\n".join(loaded.values())
        if self.allow_none:  # only separators were typed
            return None
        raise self.make_error("null")


class Phone(_Text):
    """A phone number, loaded in E.164 ("+77011234567"); read in the default region when typed without +."""

    phone_numbers = True  # pages offer phone_actions on it (crmkit.core.records.phone_actions)

    openapi = documented.phone()

    def convert(self, text: str) -> str:
        try:
            return phones.normalize(text, phones.default_region())
        except ValueError as error:
            raise ValidationError(str(error)) from None


class PhoneList(_List):
    """Several phone numbers, loaded in E.164, one per line."""

    phone_numbers = True  # pages offer phone_actions on it (crmkit.core.records.phone_actions)

    openapi = documented.phone(multiple=True)

    def one(self, entry: str) -> str:
        return phones.normalize(entry, phones.default_region())

    def error(self, entry: str) -> str:
        return gettext("'%(value)s' is not a valid phone number.", value=entry)


class EmailAddress(_Text):
    """An email address, normalised; internationalised domains are welcome."""

    openapi = documented.email()

    def convert(self, text: str) -> str:
        try:
            return normalize_email(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class EmailList(_List):
    """Several email addresses, normalised, one per line; repeats differing only in case dropped."""

    openapi = documented.email(multiple=True)

    def one(self, entry: str) -> str:
        return normalize_email(entry)

    def error(self, entry: str) -> str:
        return gettext("'%(value)s' is not a valid email address.", value=entry)

    def key(self, value: str) -> str:
        return value.casefold()


class _KzId(_Text):
    check: Callable[[str], str]

    def convert(self, text: str) -> str:
        try:
            return self.check(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class IIN(_KzId):
    """A Kazakhstan individual identification number, loaded as 12 digits."""

    check = staticmethod(kz_ids.validate_iin)
    openapi = documented.kz_id("iin")


class BIN(_KzId):
    """A Kazakhstan business identification number, loaded as 12 digits."""

    check = staticmethod(kz_ids.validate_bin)
    openapi = documented.kz_id("bin")


def typed_phones(raw_values: Iterable[str | None], region: str | None = None) -> dict[str, str]:
    """Each valid phone in E.164, mapped to the text typed for it ("+77011234567": "8 (701) 123-45-67").

    Each raw value may hold several phones; invalid ones and blanks are left out, and when one
    number was typed twice the first typing is kept.
    """
    typed: dict[str, str] = {}
    for raw in raw_values:
        if not isinstance(raw, str):
            continue
        region = region or phones.default_region()  # once: reading the app's setting costs more than the cached parse
        for entry in phones.split(raw):
            try:
                typed.setdefault(phones.normalize(entry, region), entry)
            except ValueError:
                continue
    return typed
