"""How a value is shown in a list's cell and on a record's page, rendered in Python.

A Jinja macro call per cell was a quarter of a list page's time; here each column's way of showing
a value is decided once per page, and each cell is one function call: links by their record's title, yes/no, dates in the user's zone and
language, decimals grouped in the user's locale, choices by their label, phones pretty-printed
(``EntityType.display``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from flask import current_app, url_for
from flask_babel import format_date, format_decimal
from markupsafe import Markup, escape

from crmkit.entities.declaration import EntityType
from crmkit.i18n import gettext as _
from crmkit.i18n import datetime_filter

EMPTY = Markup('<span class="muted">—</span>')


def column_renderer(entity: EntityType, column: str, titles: dict | None) -> Callable[[Any], Markup]:
    """How one column shows its values: a function of the value, made once per page.

    A page repeats values (segments, sources, positions), and each shown choice label is a
    translation lookup: each distinct value is rendered once per page.
    """
    yes, no = escape(_("yes")), escape(_("no"))
    shown: dict[Any, Markup] = {}

    def show(value: Any) -> Markup:
        try:
            return shown[value]
        except KeyError:
            shown[value] = markup = render(value)
            return markup
        except TypeError:  # an unhashable value (JSON): nothing to reuse
            return render(value)

    def render(value: Any) -> Markup:
        if value is None:
            return EMPTY
        if titles is not None:
            return escape(titles.get(value, f"#{value}"))
        if value is True:
            return yes
        if value is False:
            return no
        if isinstance(value, datetime):
            return escape(datetime_filter(value, "short"))
        if isinstance(value, date):
            return escape(format_date(value, "medium"))
        shown = entity.display(column, value)
        return escape(decimal_text(shown) if isinstance(shown, Decimal) else shown)

    return show


def decimal_text(value: Decimal) -> str:
    """A stored decimal in the user's locale with the places its column keeps (an amount of
    2044168.00 reads "2 044 168,00" in Russian), never in exponent form."""
    places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
    return format_decimal(value, format="#,##0" + ("." + "0" * places if places else ""))


def table_cells(entity: EntityType, items: Sequence[Any], columns: Sequence[str], linked: dict) -> list[list[Markup]]:
    """Each record's cells, in column order."""
    shows = [cell_function(entity, column, linked.get(column), items) for column in columns]
    return [[show(record) for show in shows] for record in items]


def cell_function(entity: EntityType, column: str, titles: dict | None, items: Sequence[Any]) -> Callable[[Any], Markup]:
    """How one column shows a record: a pair (about_entity/about_id) as a link to the record it
    names, a computed column (the schema's ``computed_columns``) by its values for the whole page,
    any other by its value (``column_renderer``)."""
    field = entity.schema._declared_fields.get(column)
    if field is not None and (pair := field.metadata.get("link_entity_field")):
        return pair_renderer(column, pair, titles or {})
    if (computed := getattr(entity.schema, "computed_columns", {}).get(column)) is not None:
        values = computed.values(items)
        return lambda record: escape(values[record.id]) if values.get(record.id) else EMPTY
    show = column_renderer(entity, column, titles)
    return lambda record: show(getattr(record, column, None))


def pair_renderer(column: str, entity_column: str, titles: dict) -> Callable[[Any], Markup]:
    """A pair's cell: the title of the record it names, linked to its page; ``#id`` for one the
    user can't see."""
    entities = current_app.extensions["crmkit"].entities
    prefixes: dict[str, str] = {}

    def show(record: Any) -> Markup:
        key, value = getattr(record, entity_column, None), getattr(record, column, None)
        if not key or value is None:
            return EMPTY
        title = titles.get((key, value))
        if title is None or key not in entities:
            return escape(f"#{value}")
        if key not in prefixes:
            prefixes[key] = url_for(f"records.{entities.get(key).endpoint_prefix}_detail", record_id=0)[:-1]
        return Markup('<a href="{}{}">{}</a>').format(prefixes[key], value, title)

    return show


class Row(NamedTuple):
    """One line of a list: the record's id and title (for the checkbox's label), its page, its cells."""

    id: int
    title: str
    link: str
    cells: list[Markup]


def table_rows(entity: EntityType, items: Sequence[Any], columns: Sequence[str], linked: dict) -> list[Row]:
    """A list page's rows; the title is read here, once, since Jinja's ``attr`` filter costs a
    static attribute lookup per row."""
    title_field = entity.title_field
    return [Row(record.id, getattr(record, title_field, None) or "", link, row_cells)
            for record, link, row_cells in zip(items, detail_links(entity, items),
                                               table_cells(entity, items, columns, linked), strict=True)]


def detail_links(entity: EntityType, items: Sequence[Any]) -> list[str]:
    """Each record's page address: one url_for, then the ids (the rule is ``<base>/<int:record_id>``,
    views.register); fifty trips through the router were a tenth of the list page."""
    prefix = url_for(f"records.{entity.endpoint_prefix}_detail", record_id=0)[:-1]
    return [f"{prefix}{record.id}" for record in items]
