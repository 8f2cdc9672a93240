"""What people and programs may set on people and organisations; forms, the API and imports
all read these, so a phone is normalised and an IIN checked the same way everywhere."""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from crmkit.core.contacts.fields import (
    BIN,
    IIN,
    EmailAddress,
    EmailList,
    Phone,
    PhoneList,
    typed_phones,
)
from crmkit.core.contacts.phones import pretty
from crmkit.i18n import lazy_gettext as _l

SEGMENTS = ("a", "b", "c")
SEGMENT_LABELS = {"a": _l("A: key"), "b": _l("B: regular"), "c": _l("C: occasional")}
SOURCES = ("website", "referral", "cold_call", "exhibition", "advertising", "social", "partner", "other")
SOURCE_LABELS = {
    "website": _l("Website"),
    "referral": _l("Referral"),
    "cold_call": _l("Cold call"),
    "exhibition": _l("Exhibition"),
    "advertising": _l("Advertising"),
    "social": _l("Social networks"),
    "partner": _l("Partner"),
    "other": _l("Other"),
}
INDUSTRIES = ("construction", "real_estate", "retail", "wholesale", "manufacturing", "it", "finance",
              "logistics", "services", "government", "education", "healthcare", "agriculture", "energy", "other")
INDUSTRY_LABELS = {
    "construction": _l("Construction"),
    "real_estate": _l("Real estate"),
    "retail": _l("Retail"),
    "wholesale": _l("Wholesale"),
    "manufacturing": _l("Manufacturing"),
    "it": _l("IT and telecom"),
    "finance": _l("Finance and insurance"),
    "logistics": _l("Logistics"),
    "services": _l("Services"),
    "government": _l("Government"),
    "education": _l("Education"),
    "healthcare": _l("Healthcare"),
    "agriculture": _l("Agriculture"),
    "energy": _l("Energy and mining"),
    "other": _l("Other"),
}
SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
ROLE_FIELDS = ("is_client", "is_prospect", "is_supplier", "is_partner", "is_competitor")


def pretty_phones(value: str) -> str:
    """E.164 numbers, one per line, as people read them: +7 701 123 4567 (never broken across lines)."""
    return "\n".join(pretty(line).replace(" ", "\u00a0") for line in value.splitlines())


def text(label, max_length: int | None = None, **metadata):
    checks = [validate.Length(max=max_length)] if max_length else []
    return fields.String(allow_none=True, validate=checks, metadata={"label": label, **metadata})


def choice(label, choices, labels=None):
    return fields.String(
        allow_none=True, validate=validate.OneOf(choices), metadata={"label": label, "choices_labels": labels or {}}
    )


class CounterpartySchema(Schema):
    """Fields people and organisations share, in the order forms show them."""

    phone = Phone(allow_none=True, metadata={"label": _l("Phone"), "display": pretty_phones})
    other_phones = PhoneList(
        allow_none=True, metadata={"label": _l("Other phones"), "help": _l("One per line."), "display": pretty_phones}
    )
    email = EmailAddress(allow_none=True, metadata={"label": _l("Email")})
    other_emails = EmailList(allow_none=True, metadata={"label": _l("Other emails"), "help": _l("One per line.")})
    is_client = fields.Boolean(load_default=False, metadata={"label": _l("Client")})
    is_prospect = fields.Boolean(load_default=False, metadata={"label": _l("Prospect")})
    is_supplier = fields.Boolean(load_default=False, metadata={"label": _l("Supplier")})
    is_partner = fields.Boolean(load_default=False, metadata={"label": _l("Partner")})
    is_competitor = fields.Boolean(load_default=False, metadata={"label": _l("Competitor")})
    segment = choice(_l("Segment"), SEGMENTS, SEGMENT_LABELS)
    source = choice(_l("Source"), SOURCES, SOURCE_LABELS)
    tags = text(_l("Tags"), 500, help=_l("Separated by commas."))
    messengers = text(_l("Messengers"), 2000, multiline=True, help=_l("Telegram, WhatsApp and others, one per line."))
    website = fields.Url(allow_none=True, validate=validate.Length(max=500), metadata={"label": _l("Website")})
    address = text(_l("Address"), 2000, multiline=True)
    description = text(_l("Description"), 20000, multiline=True)
    phones_typed = fields.Dict(dump_only=True, metadata={"label": _l("Phones as typed")})

    @post_load(pass_original=True)
    def keep_typed_phones(self, values, original, **_kwargs):
        """Keep each phone as it was typed beside its E.164 form, so nothing typed is lost."""
        if isinstance(original, dict) and ("phone" in values or "other_phones" in values):
            values["phones_typed"] = typed_phones([original.get("phone"), original.get("other_phones")])
        tags = values.get("tags")
        if tags:
            values["tags"] = ", ".join(dict.fromkeys(t.strip() for t in tags.split(",") if t.strip()))
        return values


class OrganizationSchema(CounterpartySchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Name")})
    legal_name = text(_l("Legal name"), 300)
    bin = BIN(allow_none=True, metadata={"label": _l("BIN"), "help": _l("Business identification number, 12 digits.")})
    parent_id = fields.Integer(
        allow_none=True, strict=False, metadata={"label": _l("Head organisation"), "link": "organization",
                                                 "help": _l("Set for a branch.")}
    )
    industry = choice(_l("Industry"), INDUSTRIES, INDUSTRY_LABELS)
    size = choice(_l("Size"), SIZES, {s: _l("%(size)s employees", size=s) for s in SIZES})



class PersonSchema(CounterpartySchema):
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=200),
        metadata={"label": _l("Full name"), "help": _l("Last name, first name, patronymic.")},
    )
    organization_id = fields.Integer(
        allow_none=True, strict=False, metadata={"label": _l("Organisation"), "link": "organization"}
    )
    position = text(_l("Position"), 200)
    iin = IIN(allow_none=True, metadata={"label": _l("IIN"), "help": _l("Individual identification number, 12 digits.")})
    birthday = fields.Date(allow_none=True, metadata={"label": _l("Birthday")})


def put_first(schema: type[Schema], names: tuple[str, ...]) -> None:
    """Forms show fields in declaration order; a subclass's own fields belong before the shared ones."""
    declared = schema._declared_fields
    schema._declared_fields = {**{n: declared[n] for n in names}, **declared}


put_first(OrganizationSchema, ("name", "legal_name", "bin", "parent_id", "industry", "size"))
put_first(PersonSchema, ("name", "organization_id", "position"))
