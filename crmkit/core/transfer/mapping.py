"""File columns to entity fields: guessed from field names and labels in every language, then
adjusted by a person (the mapping page) or by ``--map column=field``.

A mapping is kept as ``{"<column index>": "<field>"}`` so that two columns with one header stay
apart; columns left out are ignored.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from marshmallow import validate

from crmkit.core.transfer.reading import normalise
from crmkit.entities.declaration import EntityType
from crmkit.i18n import gettext as _


class MappingError(ValueError):
    pass


def importable_fields(entity: EntityType) -> list[str]:
    """Fields a file may fill: the schema's that are columns of the table (rows are inserted in
    bulk; a field its plugin keeps elsewhere, a deal's competitors, is set on the record)."""
    columns = entity.model.__table__.c
    return [name for name, field in entity.schema._declared_fields.items() if not field.dump_only and name in columns]


def names_of(entity: EntityType, field_name: str) -> set[str]:
    """Every way a header may spell the field: its name and its label in each language."""
    names = {normalise(field_name)}
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            names.add(normalise(entity.field_label(field_name)))
    return names


def choice_words(schema_field) -> dict[str, str]:
    """A choice field's codes and labels in every language, ``normalise``d, to the code: a file
    may say "Сайт", "website" or "Website"; a word two choices share is left to neither."""
    found = next((check.choices for check in schema_field.validators if isinstance(check, validate.OneOf)), ())
    codes = [code for code in found if isinstance(code, str)]
    labels = schema_field.metadata.get("choices_labels")
    if not codes or not isinstance(labels, dict):  # a mapping of its own (a deal's stages) reads the database
        return {}
    words: dict[str, set[str]] = {}
    for code in codes:
        words.setdefault(normalise(code), set()).add(code)
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            for code in codes:
                if code in labels:
                    words.setdefault(normalise(str(labels[code])), set()).add(code)
    return {word: next(iter(codes)) for word, codes in words.items() if len(codes) == 1}


def automap(entity: EntityType, columns: list[str]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name in importable_fields(entity):
        for spelling in names_of(entity, name):
            lookup.setdefault(spelling, name)
    mapping: dict[str, str] = {}
    for index, column in enumerate(columns):
        field_name = lookup.get(normalise(column))
        if field_name and field_name not in mapping.values():
            mapping[str(index)] = field_name
    return mapping


def apply_overrides(entity: EntityType, columns: list[str], mapping: dict[str, str], pairs: list[str]) -> dict[str, str]:
    """``column=field`` pairs from the command line; ``column=`` leaves a column out."""
    result = dict(mapping)
    fields = importable_fields(entity)
    for pair in pairs:
        column, sep, field_name = pair.rpartition("=")
        if not sep:
            raise MappingError(_("--map takes COLUMN=FIELD, not %(pair)r", pair=pair))
        indexes = [i for i, c in enumerate(columns) if c == column or normalise(c) == normalise(column)]
        if not indexes:
            raise MappingError(_("the file has no column %(column)r", column=column))
        field_name = field_name.strip()
        if field_name and field_name not in fields:
            raise MappingError(
                _("%(entity)s has no field %(field)r; fields: %(fields)s", entity=entity.key, field=field_name, fields=", ".join(fields))
            )
        for key, value in list(result.items()):
            if value == field_name:
                del result[key]
        if field_name:
            result[str(indexes[0])] = field_name
        else:
            result.pop(str(indexes[0]), None)
    return result


def clean(entity: EntityType, columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Keep pairs that name a real column and field, each field at most once."""
    fields = set(importable_fields(entity))
    result: dict[str, str] = {}
    for key, field_name in mapping.items():
        if str(key).isdigit() and int(key) < len(columns) and field_name in fields and field_name not in result.values():
            result[str(key)] = field_name
    return result
