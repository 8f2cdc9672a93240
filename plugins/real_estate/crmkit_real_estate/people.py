"""What a person is to the agency: buyer, seller, landlord or tenant, and the districts they
prefer. Typed fields on the person (entity_extensions), in a table of the plugin's own, so lists
filter on them (``?real_estate.is_buyer=true``) through an index."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlmodel import Field, SQLModel

from crmkit import api

messages = api.Messages(__name__)
_l = messages.lazy_gettext

ROLES = ("is_buyer", "is_seller", "is_landlord", "is_tenant")


class PersonRole(SQLModel, table=True):
    """One row per person the agency knows in a real-estate role."""

    __tablename__ = "real_estate_person"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="contacts_person.id", unique=True)
    is_buyer: bool = Field(default=False, index=True)
    is_seller: bool = Field(default=False, index=True)
    is_landlord: bool = Field(default=False, index=True)
    is_tenant: bool = Field(default=False, index=True)
    districts: str | None = Field(default=None, max_length=500)


def flag(label):
    return fields.Boolean(load_default=False, metadata={"label": label})


class PersonRoleSchema(Schema):
    is_buyer = flag(_l("Buyer"))
    is_seller = flag(_l("Seller"))
    is_landlord = flag(_l("Landlord"))
    is_tenant = flag(_l("Tenant"))
    districts = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={
        "label": _l("Preferred districts"), "help": _l("Separated by commas, as the objects name them."),
    })


MODELS = [PersonRole]
EXTENSIONS = [api.EntityExtension("person", PersonRoleSchema, model=PersonRole, label=_l("Real estate"))]


def districts_of(value: str | None) -> list[str]:
    """The preferred districts as a list, blanks and repeats dropped."""
    seen: list[str] = []
    for part in (value or "").split(","):
        name = part.strip()
        if name and name.casefold() not in {s.casefold() for s in seen}:
            seen.append(name)
    return seen
