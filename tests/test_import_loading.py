"""How an import loads its rows (crmkit.core.transfer.loading): the values and errors the schema
itself gives, with each distinct input of a plain field checked once."""

from __future__ import annotations

from datetime import date

import pytest
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from crmkit.core.transfer.loading import CACHED_VALUES, RowLoader


class Deal(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=20))
    stage = fields.String(allow_none=True, validate=validate.OneOf(["new", "won", "lost"]))
    urgent = fields.Boolean(load_default=False)
    amount = fields.Integer(allow_none=True, strict=False)
    due = fields.Date(allow_none=True)
    note = fields.String(allow_none=True, validate=lambda text: "!" not in text)

    @post_load
    def shout(self, values, **_kwargs):
        if values.get("urgent"):
            values["name"] = values["name"].upper()
        return values


NAMES = ["name", "stage", "urgent", "amount", "due", "note"]


def spy_on(schema: Schema, name: str) -> list:
    """The inputs the field's deserialize is called with from now on."""
    calls = []
    field = schema.load_fields[name]
    deserialize = field.deserialize

    def spy(value, *args, **kwargs):
        calls.append(value)
        return deserialize(value, *args, **kwargs)

    field.deserialize = spy
    return calls


def test_a_row_loads_as_the_schema_loads_it():
    schema = Deal()
    loader = RowLoader(schema, NAMES)
    rows = [
        {"name": "Окна", "stage": "new", "urgent": True, "amount": "1500", "due": "2026-12-31", "note": "x"},
        {"name": "Двери", "stage": None, "urgent": "false", "amount": None, "due": None, "note": None},
        {"name": "Окна", "stage": "new", "amount": "1500"},
    ]
    for row in rows + rows:  # the second time from what the loader kept
        assert loader.load(row) == schema.load(row, partial=True)
    assert loader.load(rows[0])["due"] == date(2026, 12, 31)


def test_each_distinct_input_of_a_plain_field_is_checked_once():
    schema = Deal()
    calls = spy_on(schema, "stage")
    loader = RowLoader(schema, NAMES)
    for stage in ["new", "won", "new", "new", "won"]:
        assert loader.load({"name": "a", "stage": stage})["stage"] == stage
    assert calls == ["new", "won"]


def test_a_bad_input_is_refused_every_time_it_comes():
    loader = RowLoader(Deal(), NAMES)
    for _ in range(3):
        with pytest.raises(ValidationError):
            loader.load({"name": "a", "stage": "maybe"})


def test_an_input_equal_to_another_of_another_type_is_checked_on_its_own():
    loader = RowLoader(Deal(), NAMES)
    assert loader.load({"name": "a", "amount": 1})["amount"] == 1
    with pytest.raises(ValidationError):  # True == 1, but an integer field refuses a boolean
        loader.load({"name": "a", "amount": True})


def test_a_field_with_a_validator_of_its_own_is_checked_every_time():
    schema = Deal()
    calls = spy_on(schema, "note")
    loader = RowLoader(schema, NAMES)
    for _ in range(3):
        loader.load({"name": "a", "note": "same"})
    assert calls == ["same"] * 3


def test_a_blank_cell_of_a_field_that_allows_none_is_none_without_a_check():
    schema = Deal()
    calls = spy_on(schema, "note")
    loader = RowLoader(schema, NAMES)
    assert loader.load({"name": "a", "note": None})["note"] is None
    assert calls == []


def test_a_field_keeps_no_more_than_cached_values_inputs():
    schema = Deal()
    calls = spy_on(schema, "name")
    loader = RowLoader(schema, NAMES)
    names = [f"n{i}" for i in range(CACHED_VALUES + 5)]
    for name in names + names:
        loader.load({"name": name})
    assert calls == names + names[CACHED_VALUES:]


def test_a_schema_with_schema_level_checks_loads_its_rows_itself():
    class Checked(Deal):
        @validates_schema
        def check(self, values, **_kwargs):
            pass

    assert not RowLoader(Checked(), NAMES).usable
    assert RowLoader(Deal(), NAMES).usable
