"""People as vCards, out and in: what phones, mail programs and address books exchange.

Export writes vCard 3.0 (RFC 2426) or 4.0 (RFC 6350) with vobject, a batch of people at a time.
Import reads UTF-8 cards, and the Windows-1251 and quoted-printable of old phones' vCard 2.1;
each card is checked by the Person schema, people already known by phone or email
(``contacts_channel``) are skipped or updated, and it saves whole or not at all (vcard_import.py). A name is kept
as "Фамилия Имя Отчество"; N splits it into family, given and additional names and back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import vobject
from flask import current_app
from sqlmodel import Session

from crmkit.core.contacts import channels
from crmkit.entities import listing
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

VERSIONS = ("3.0", "4.0")
BATCH = 500
CHANNEL_FIELDS = (("phone", "phone", "other_phones"), ("email", "email", "other_emails"))
ADDRESS_PARTS = ("box", "extended", "street", "city", "region", "code", "country")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED_PRINTABLE = re.compile(r"[;:](?:ENCODING=)?QUOTED-PRINTABLE(?:[;:]|$)", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$")


class VCardError(ValueError):
    """The file as a whole is not something to import; the message says why."""


def entity(key: str):
    return current_app.extensions["crmkit"].entities.get(key)


# names


def split_name(name: str) -> tuple[str, str, str]:
    """(family, given, additional) of "Фамилия Имя Отчество"; one word is a given name, and
    everything after the second word is the patronymic ("Серік ұлы" stays whole)."""
    words = (name or "").split()
    if len(words) < 2:
        return "", (words[0] if words else ""), ""
    return words[0], words[1], " ".join(words[2:])


def join_name(family: str, given: str, additional: str) -> str:
    return " ".join(part for part in (family, given, additional) if part)


# export


def phone_type(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "VOICE"
    return "CELL" if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE else "VOICE"


def card_of(person: Any, organization: str | None = None, version: str = "3.0") -> vobject.base.Component:
    """One person as a vCard; the main phone and email are marked preferred."""
    four = version == "4.0"
    card = vobject.vCard()
    if four:
        card.add("version").value = "4.0"
    card.add("uid").value = f"crmkit-person-{person.id}"
    card.add("fn").value = person.name
    family, given, additional = split_name(person.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given, additional=additional)
    if organization:
        card.add("org").value = [organization]
    if person.position:
        card.add("title").value = person.position
    values = list(channels.values_of(person))
    for index, number in enumerate(v for kind, v in values if kind == "phone"):
        line = card.add("tel")
        if four:
            line.value = f"tel:{number}"
            line.params.update(VALUE=["uri"], TYPE=[phone_type(number).lower()], **({"PREF": ["1"]} if index == 0 else {}))
        else:
            line.value, line.type_paramlist = number, [phone_type(number), *(["PREF"] if index == 0 else [])]
    for index, address in enumerate(v for kind, v in values if kind == "email"):
        line = card.add("email")
        line.value = address
        if four:
            line.params.update({"PREF": ["1"]} if index == 0 else {})
        else:
            line.type_paramlist = ["INTERNET", *(["PREF"] if index == 0 else [])]
    if person.address:
        card.add("adr").value = vobject.vcard.Address(street=person.address)
    if person.description:
        card.add("note").value = person.description
    if person.website:
        card.add("url").value = person.website
    if person.birthday:
        card.add("bday").value = person.birthday.strftime("%Y%m%d" if four else "%Y-%m-%d")
    tags = [tag.strip() for tag in (person.tags or "").split(",") if tag.strip()]
    if tags:
        card.add("categories").value = tags
    return card


def organization_names(user: Any, ids: Iterable[int | None], db: Session | None = None) -> dict[int, str]:
    """Names of the organisations the user sees, among ``ids``; one query."""
    records = Records(entity("organization"), user, db)
    ids = {i for i in ids if i}
    if not ids or not records.can("view"):
        return {}
    model = records.model
    statement = records.select(include_archived=True).with_only_columns(model.id, model.name).where(model.id.in_(ids))
    return {row[0]: row[1] for row in records.db.execute(statement)}


def export(records: Records, filters: dict[str, str] | None = None, version: str = "3.0", archived: bool = False) -> Iterator[str]:
    """The cards of the people the user sees, filtered as the list is, read in keyset batches by id.

    A filter the list can't use raises ``listing.ListError`` at the first ``next()``.
    """
    model = records.model
    statement = listing.apply_filters(
        records.select(include_archived=archived), records.entity, filters or {}, records.extension_groups()
    )
    last_id = 0
    while True:
        batch = list(records.db.execute(statement.where(model.id > last_id).order_by(model.id).limit(BATCH)).scalars())
        if not batch:
            return
        names = organization_names(records.user, (person.organization_id for person in batch), records.db)
        yield "".join(card_of(person, names.get(person.organization_id), version).serialize() for person in batch)
        if len(batch) < BATCH:
            return
        last_id = batch[-1].id


# reading


@dataclass
class Card:
    """One card of a file: its number in the file, the person's fields as form input, and what
    is wrong with it (each bad field's messages; ``_card`` when it can't be read at all)."""

    number: int
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    organization: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1251, as old phones and Outlook wrote."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace")


def logical_lines(text: str) -> Iterator[str]:
    """Lines with quoted-printable soft breaks (a value line ending in "=") joined, as vCard 2.1 wrote them."""
    pending = None
    for line in _LINE_BREAK.split(text):
        if pending is not None:
            line = pending + (line[1:] if line[:1] in (" ", "\t") else line)
        head = line.split(":", 1)[0] + ":"
        if line.endswith("=") and _QUOTED_PRINTABLE.search(head):
            pending = line[:-1]
            continue
        pending = None
        yield line


def split_cards(text: str) -> list[str]:
    """The text of each card, in file order; anything outside BEGIN:VCARD ... END:VCARD is ignored."""
    cards, current, depth = [], None, 0
    for line in logical_lines(text):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            current = current if current is not None else []
            depth += 1
        if current is not None:
            current.append(line)
        if word == "END:VCARD" and current is not None:
            depth -= 1
            if depth == 0:
                cards.append("\r\n".join(current) + "\r\n")
                current = None
    if current is not None:
        cards.append("\r\n".join(current) + "\r\n")  # unterminated: reported as unreadable
    return cards


def parse(raw: bytes) -> list[Card]:
    """Every card of a .vcf file; a card that can't be read carries the error instead of data."""
    blocks = split_cards(decode(raw))
    if not blocks:
        raise VCardError(_("No vCards found in this file."))
    return [read_card(number, block) for number, block in enumerate(blocks, start=1)]


def read_card(number: int, block: str) -> Card:
    try:
        component = vobject.readOne(block)
        data, organization = person_data(component)
    except (vobject.base.VObjectError, ValueError, LookupError, UnicodeError, AttributeError) as error:
        return Card(number, "", errors={"_card": [_("This card can't be read: %(problem)s", problem=str(error)[:200])]})
    return Card(number, data.get("name", ""), data, organization)


def text_of(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(part for part in (text_of(v) for v in value) if part)
    return str(value or "").strip()


def preferred(line: Any) -> bool:
    types = [t.upper() for t in line.params.get("TYPE", []) + list(line.singletonparams)]
    return "PREF" in types or "PREF" in line.params


def phone_text(value: str) -> str:
    """A TEL value as typed; a tel: URI loses its scheme and keeps an extension."""
    text = value.strip()
    if text.lower().startswith("tel:"):
        number, *params = text[4:].split(";")
        extension = next((p[4:] for p in params if p.lower().startswith("ext=")), "")
        text = f"{number} ext {extension}" if extension else number
    return text


def birthday_text(value: str) -> str | None:
    """ISO date for the schema; None for a date without a year (--0307), which has no place to go."""
    text = value.strip()
    if text.startswith("--"):
        return None
    found = _DATE.match(text)
    return f"{found[1]}-{found[2]}-{found[3]}" if found else text


def values_of(lines: dict[str, list[Any]], name: str) -> list[str]:
    """The non-blank values of one property, preferred ones (PREF) first."""
    found = sorted(lines.get(name, []), key=lambda line: not preferred(line))
    return [text for text in (text_of(line.value) for line in found) if text]


def address_of(value: Any) -> str:
    return ", ".join(part for part in (text_of(getattr(value, name, "")) for name in ADDRESS_PARTS) if part)


def person_data(component: Any) -> tuple[dict[str, Any], str | None]:
    """Person form input from a card, only the fields it has, and the name of its organisation."""
    lines = component.contents
    n = lines["n"][0].value if lines.get("n") else None
    name = join_name(text_of(n.family), text_of(n.given), text_of(n.additional)) if hasattr(n, "family") else ""
    data: dict[str, Any] = {"name": name or next(iter(values_of(lines, "fn")), "")}
    for kind, main, others in CHANNEL_FIELDS:
        found = values_of(lines, "tel" if kind == "phone" else kind)
        found = [phone_text(v) for v in found] if kind == "phone" else found
        data.update({main: found[0]} if found else {})
        data.update({others: "\n".join(found[1:])} if len(found) > 1 else {})
    for source, target, joiner in (("title", "position", None), ("url", "website", None), ("note", "description", "\n\n")):
        found = values_of(lines, source)
        if found:
            data[target] = joiner.join(found) if joiner else found[0]
    addresses = [text for text in (address_of(line.value) for line in lines.get("adr", [])) if text]
    if addresses:
        data["address"] = "\n".join(addresses)
    birthday = birthday_text(next(iter(values_of(lines, "bday")), "--"))
    if birthday:
        data["birthday"] = birthday
    tags = [tag.strip() for line in lines.get("categories", []) for value in listed(line.value) for tag in value.split(",")]
    if any(tags):
        data["tags"] = ", ".join(tag for tag in tags if tag)
    organization = listed(lines["org"][0].value) if lines.get("org") else []
    return data, (text_of(organization[0]) if organization else "") or None


def listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value or "")]
