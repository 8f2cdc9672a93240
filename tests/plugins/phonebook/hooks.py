"""People with a name, a phone number and an email: what the search tests look for."""

from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import EntityType, Record, hookimpl


class Person(Record, table=True):
    __tablename__ = "phonebook_person"

    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    note: str | None = Field(default=None, max_length=500)


class PersonSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "Name"})
    phone = fields.String(allow_none=True, validate=validate.Length(max=40), metadata={"label": "Phone"})
    email = fields.Email(allow_none=True, metadata={"label": "Email"})
    note = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={"label": "Note"})


@hookimpl
def register_models():
    return [Person]


@hookimpl
def register_entities():
    return [
        EntityType(
            name="person",
            model=Person,
            schema=PersonSchema,
            label="Person",
            label_plural="People",
            list_columns=("name", "phone", "email"),
            search_fields=("name", "phone", "email"),
        )
    ]
