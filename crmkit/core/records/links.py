"""Fields that point at another record (``metadata["link"]``): the linked record's title on pages
and lists, and on forms a way to choose one among those the user may see: a select when they are
few, else a picker (a text box that searches, crmkit/static/picker.js) whose typed text the server
resolves when no suggestion was chosen."""

from __future__ import annotations

from typing import Any, Self

from flask import current_app, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from crmkit import db as database
from crmkit import search
from crmkit.core.auth.models import User
from crmkit.entities.errors import RecordError
from crmkit.entities.linking import USER
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

OWNER = "owner_id"
SELECT_UP_TO = 200  # a link field lists this many visible records at most in a select; past that, a picker
SUGGESTIONS = 20  # what a picker offers at a time
TYPED = "-title"  # a picker sends the chosen id as <name> and its text box as <name>-title
NO_KIND = _l("Choose what kind of record it is about first.")
NONE_FOUND = _l("Nothing matches this name. Type part of it and choose from the suggestions.")
SEVERAL = _l("Several records match this name. Type more of it, or choose from the suggestions.")


class Unresolved(str):
    """Text typed in a picker that names no single record the user sees.

    The form shows it back as typed. As a number (the framework's whole-number reading, or
    ``int()``) it raises the reason, which marshmallow reports as that field's error beside any others, so the
    form is shown again and nothing is saved.
    """

    reason: str

    def __new__(cls, typed: str, reason: str) -> Self:
        text = super().__new__(cls, typed)
        text.reason = reason
        return text

    def __int__(self) -> int:
        raise ValidationError(self.reason)


def records_for(entity_key: str) -> Records | None:
    entities = current_app.extensions["crmkit"].entities
    entity = next((e for e in entities if e.key == entity_key), None)
    return Records(entity, current_user) if entity is not None else None


def title_column(records: Records):
    return getattr(records.model, records.entity.title_field)


def user_names(ids: set[int]) -> dict[int, str]:
    """How the given users are shown (their name, else their email), inactive ones too; one query."""
    ids = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    if not ids:
        return {}
    statement = select(User.id, User.name, User.email).where(User.id.in_(ids))
    return {row.id: row.name or row.email for row in database.session().execute(statement)}


def user_choices(value: Any = None, me: bool = False) -> list[tuple[str, str]]:
    """The users a user field may be set to, active ones by name; the field's current user is kept
    even when no longer active, so saving a form leaves it as it was. ``me``: for a list's
    filter, "me" (whoever looks at the list) first, and former users too, to find their records."""
    statement = select(User.id, User.name, User.email, User.is_active).order_by(User.name, User.email)
    if not me:
        statement = statement.where(User.is_active.is_(True))
    options = [(str(row.id), user_label(row.name or row.email, row.is_active)) for row in database.session().execute(statement)]
    if value not in (None, "") and str(value) not in {option for option, _label in options} and str(value).isdigit():
        options.insert(0, (str(value), user_label(user_names({int(value)}).get(int(value), f"#{value}"), False)))
    return [("me", _("Me")), ("team", _("My team")), *options] if me else options


def user_label(name: str, active: bool) -> str:
    return name if active else _("%(name)s (inactive)", name=name)


def titles(entity_key: str, ids: set[int]) -> dict[int, str]:
    """Titles of the given records that the user sees (users' names for ``USER``); one query."""
    if entity_key == USER:
        return user_names(ids)
    records = records_for(entity_key)
    ids = {i for i in ids if isinstance(i, int)}
    if records is None or not ids or not records.can("view"):
        return {}
    model = records.model
    dialect = records.db.get_bind().dialect.name
    statement = (records.select(include_archived=True).with_only_columns(model.id, title_column(records))
                 .where(database.among(model.id, ids, dialect)))
    return {row[0]: str(row[1]) for row in records.db.execute(statement)}


def few_choices(records: Records) -> list[tuple[str, str]] | None:
    """The visible records by title when there are at most SELECT_UP_TO, else None: read with a
    LIMIT in whatever order is cheapest, never a count of the table."""
    statement = records.select().with_only_columns(records.model.id, title_column(records)).limit(SELECT_UP_TO + 1)
    rows = records.db.execute(statement).all()
    if len(rows) > SELECT_UP_TO:
        return None
    return [(str(i), str(title)) for i, title in sorted(rows, key=lambda row: (str(row[1]).casefold(), row[0]))]


def fill_choices(fields: list[Any], selects: bool = True) -> list[Any]:
    """Make each link field a select of the records the user may pick, or a picker when they are
    many (or when the field holds typed text to show back); ``selects=False``: pickers only, as a
    list's filters have, sparing every list page the query. Returns the fields, for templates."""
    known: dict[str, list[tuple[str, str]] | None] = {}  # per target entity: fields pointing at one share its query
    for field in fields:
        if field.kinds_of_records and not field.choices:
            field.choices, field.input_type = kinds_of_records(field.value, field.not_kinds), "select"
            continue
        if field.pair:  # a pair's id: always a picker, its entity chosen beside it
            pair_picker(field)
            continue
        if not field.link or field.choices or field.search_url:
            continue
        if field.link == USER:  # users are few: always a select
            field.choices, field.input_type = user_choices(field.value, me=not selects), "select"
            continue
        records = records_for(field.link)
        if records is None or not records.can("view"):
            continue
        value = field.value
        options = None
        if selects and not isinstance(value, Unresolved):
            if field.link not in known:
                known[field.link] = few_choices(records)
            options = list(known[field.link]) if known[field.link] is not None else None
        if options is None:
            field.search_url = url_for("records.pick", entity_key=field.link)
            typed = isinstance(value, Unresolved)  # shown back as typed, with no id chosen
            field.title = str(value) if typed else shown_title(field.link, value)
            field.value = "" if typed else value
            continue
        if value not in (None, "") and str(value) not in {option for option, _label in options}:
            options.insert(0, (str(value), shown_title(field.link, value)))
        field.choices = options
        field.input_type = "select"
    return fields


def kinds_of_records(value: Any = None, leave_out: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The entities a pair (about_entity/about_id) may point at: those the user sees but
    ``leave_out``, by label; the stored one kept, so saving leaves it as it was."""
    options = [(e.key, str(e.label)) for e in current_app.extensions["crmkit"].entities
               if e.key not in leave_out and Records(e, current_user).can("view")]
    if value and value not in {key for key, _label in options}:
        options.append((str(value), str(value)))
    return options


def pair_picker(field: Any) -> None:
    """A pair's id field as a picker among the records of the entity its sibling names; with no
    entity chosen yet, a picker with nowhere to search until one is (crmkit/static/forms.js)."""
    value = field.value
    field.search_url = url_for("records.pick", entity_key=field.link) if field.link else ""
    typed = isinstance(value, Unresolved)
    field.title = str(value) if typed else (shown_title(field.link, value) if field.link else "")
    field.value = "" if typed else value


def pair_from_form(form: Any, key: str, entity_key: str, name: str, entity_name: str) -> dict[str, Any]:
    """A pair's picker as schema input: both halves empty when nothing is typed, else the entity
    chosen and the record the text names in it (``from_form``)."""
    typed = form.get(key + TYPED, "").strip()
    target = form.get(entity_key, "").strip()
    if not typed:
        return {name: None, entity_name: None}
    if not target:
        return {name: Unresolved(typed, str(NO_KIND)), entity_name: None}
    return {name: from_form(form, key, target), entity_name: target}


def shown_title(entity_key: str, value: Any) -> str:
    """What a form shows for a link's value: the record's title, ``#id`` for one the user can't see."""
    if value in (None, ""):
        return ""
    if not str(value).isdigit():
        return f"#{value}"
    return titles(entity_key, {int(value)}).get(int(value), f"#{value}")


def matches(records: Records, q: str, limit: int = SUGGESTIONS) -> list[tuple[int, str]]:
    """(id, title) of the visible, unarchived records that ``q`` finds, through crmkit.search
    (most recently changed first); for an entity with no search fields, titles starting with it."""
    title = title_column(records)
    if records.entity.search_fields:
        groups = search.search(records.user, q, entity=records.entity, limit=limit, db=records.db)
        return [(record.id, str(getattr(record, records.entity.title_field))) for group in groups for record in group.records]
    statement = records.select().with_only_columns(records.model.id, title).where(title.startswith(q, autoescape=True))
    return [tuple(row) for row in records.db.execute(statement.order_by(title).limit(limit))]


def newest(records: Records, limit: int = SUGGESTIONS) -> list[tuple[int, str]]:
    """(id, title) of the newest visible records, for a picker opened before anything is typed:
    newest by id, the one index that orders them (``updated_at`` has none)."""
    model = records.model
    statement = records.select().with_only_columns(model.id, title_column(records)).order_by(model.id.desc()).limit(limit)
    return [tuple(row) for row in records.db.execute(statement)]


def resolve(entity_key: str, typed: str) -> str | Unresolved:
    """The id of the one visible record ``typed`` names: the one titled exactly so, else the one
    the search finds, else among the search's hits the one titled so but for case."""
    records = records_for(entity_key)
    if records is None or not records.can("view"):
        return Unresolved(typed, str(NONE_FOUND))
    title = title_column(records)
    exact = records.db.execute(records.select().with_only_columns(records.model.id).where(title == typed).limit(2)).scalars().all()
    found = [(record_id, typed) for record_id in exact] or matches(records, typed)
    if len(found) > 1 and len(exact) < 2:
        found = [row for row in found if row[1].casefold() == typed.casefold()] or found
    if len(found) == 1:
        return str(found[0][0])
    return Unresolved(typed, str(SEVERAL if found else NONE_FOUND))


def from_form(form: Any, key: str, entity_key: str) -> str | None:
    """A link field's value as a form sent it. A select or number input sends the id; a picker
    sends the chosen id and the text in its box, and the text decides: empty clears the field, the
    chosen record's title (or the ``#id`` shown for one not visible) keeps it, anything else is
    looked up (``resolve``)."""
    if key + TYPED not in form:
        return form.get(key)
    typed = form.get(key + TYPED, "").strip()
    if not typed:
        return None
    chosen = form.get(key, "").strip()
    if chosen.isdigit() and typed in (titles(entity_key, {int(chosen)}).get(int(chosen), "").strip(), f"#{chosen}"):
        return chosen  # left as shown; one the user can't see is refused on saving, as any link is
    return resolve(entity_key, typed)


def group_titles(groups: list[Any]) -> dict[str, str]:
    """For a record's page: dotted name -> title of each extension field's linked record or user."""
    wanted: dict[str, set[int]] = {}
    for field in (f for group in groups for f in group.fields if f.link and isinstance(f.value, int)):
        wanted.setdefault(field.link, set()).add(field.value)
    found = {target: titles(target, ids) for target, ids in wanted.items()}
    return {f.name: found[f.link][f.value] for group in groups for f in group.fields
            if f.link in found and f.value in found[f.link]}


def history_values(entity, parts: list[Any], history: list[Any]):
    """How a record's history shows a value: a link's (own or an extension's) by its record's
    title or its user's name, one query per target for the whole history; else as pages do."""
    targets = {name: field.metadata["link"] for name, field in entity.schema._declared_fields.items() if field.metadata.get("link")}
    for part in parts:
        targets.update({f"{part.namespace}.{name}": field.metadata["link"]
                        for name, field in part.schema._declared_fields.items() if field.metadata.get("link")})
    targets.setdefault(OWNER, USER)  # every record's owner, given to another
    pairs = {name: field.metadata["link_entity_field"] for name, field in entity.schema._declared_fields.items()
             if field.metadata.get("link_entity_field")}
    wanted: dict[str, set[int]] = {}
    for change in history:
        changes = change.changes or {}
        for name, pair in changes.items():
            if name in targets and isinstance(pair, list):
                wanted.setdefault(targets[name], set()).update(v for v in pair if isinstance(v, int))
        for name, entity_name in pairs.items():  # a pair names its entity in the same change
            ids, keys = changes.get(name), changes.get(entity_name)
            if isinstance(ids, list) and isinstance(keys, list):
                for key, value in zip(keys, ids, strict=False):
                    if key and isinstance(value, int):
                        wanted.setdefault(key, set()).add(value)
    found: dict[str, dict[int, str]] = {}
    for target, ids in wanted.items():
        try:
            found[target] = titles(target, ids)
        except RecordError:
            found[target] = {}
    labels = {e.key: e.label for e in current_app.extensions["crmkit"].entities}

    def shown(name: str, value: Any) -> Any:
        if name in targets and isinstance(value, int):
            return found.get(targets[name], {}).get(value, f"#{value}")
        if name in pairs.values() and value in labels:
            return labels[value]
        if name in pairs and isinstance(value, int):  # the one entity of the history holding this id
            named = [found[key][value] for key in found if key in labels and value in found[key]]
            return named[0] if len(named) == 1 else f"#{value}"
        return entity.display(name, value)

    return shown


def link_titles(entity, rows: list[Any], fields: list[str]) -> dict[str, dict[Any, str]]:
    """For a list or detail page: field name -> {id: title} of the records its link fields point at
    (the owner's name for ``owner_id``); for a pair's id field, {(entity key, id): title}. One
    query per entity pointed at."""
    found: dict[str, dict[Any, str]] = {}
    for name in fields:
        schema_field = entity.schema._declared_fields.get(name)
        target = USER if name == OWNER else schema_field.metadata.get("link") if schema_field is not None else None
        if schema_field is not None and (pair := schema_field.metadata.get("link_entity_field")):
            found[name] = pair_titles(rows, name, pair)
            continue
        if not target:
            continue
        try:
            found[name] = titles(target, {getattr(row, name, None) for row in rows})
        except RecordError:
            found[name] = {}
    return found


def pair_titles(rows: list[Any], name: str, entity_name: str) -> dict[tuple[str, int], str]:
    """{(entity key, id): title} of the records a pair points at, one query per entity."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        key, value = getattr(row, entity_name, None), getattr(row, name, None)
        if key and isinstance(value, int):
            wanted.setdefault(key, set()).add(value)
    found: dict[tuple[str, int], str] = {}
    for key, ids in wanted.items():
        try:
            found.update({(key, i): title for i, title in titles(key, ids).items()})
        except RecordError:
            continue
    return found


def by_id(linked: dict[str, dict[Any, str]]) -> dict[str, dict[int, str]]:
    """For one record's page: a pair's titles by id alone (one record points at one entity)."""
    return {name: {(k[1] if isinstance(k, tuple) else k): title for k, title in found.items()} for name, found in linked.items()}
