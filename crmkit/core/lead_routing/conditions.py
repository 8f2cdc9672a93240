"""What an assignment rule can test, all declared on ``lead_assignment_conditions``: the lead's
source and channel, words in its request, and every field plugins and admins add to the lead (a
city, a region, a kind of property), plus whatever other plugins offer.

A rule stores ``{condition key: [values]}``: every condition it names must hold (and), each by any
of its values (or). A condition no active plugin offers any more fails, so a rule never matches
more widely than the admin wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from marshmallow import fields as mf

from crmkit import db
from crmkit.core.leads import channels
from crmkit.core.leads.sources import all_sources, source_name
from crmkit.entities import extensions
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import AssignmentCondition

PREFIX = "lead_routing"
FIELD_PREFIX = f"{PREFIX}.field."


def folded(value: Any) -> str:
    return str(value).strip().casefold()


def source_matches(lead: Any, values: list[str]) -> bool:
    return lead.source_id is not None and str(lead.source_id) in values


def channel_matches(lead: Any, values: list[str]) -> bool:
    return lead.channel in values


def words_match(lead: Any, values: list[str]) -> bool:
    text = folded(lead.request or "")
    return any(folded(word) in text for word in values if folded(word))


def source_choices() -> list[tuple[str, str]]:
    return [(str(source_id), source_name(source_id)) for source_id in all_sources()]


def channel_choices() -> list[tuple[str, str]]:
    return [(key, str(source.label)) for key, source in channels.declared().items()]


def builtin() -> list[AssignmentCondition]:
    return [
        AssignmentCondition(f"{PREFIX}.source", _l("Source"), source_matches, source_choices),
        AssignmentCondition(f"{PREFIX}.channel", _l("Channel"), channel_matches, channel_choices),
        AssignmentCondition(f"{PREFIX}.words", _l("Words in the request"), words_match),
        *field_conditions(),
    ]


def field_conditions() -> list[AssignmentCondition]:
    """A condition per text or choice field that plugins (and admins' custom fields) add to the lead."""
    from crmkit import api

    try:
        lead = api.entity("lead")
    except LookupError:
        return []
    found = []
    for group in extensions.groups(lead, db.session()):
        for name, field in group.schema._declared_fields.items():
            if field.dump_only or not isinstance(field, (mf.String, mf.Integer)):
                continue
            label = _("%(field)s (%(group)s)", field=field.metadata.get("label") or name, group=group.title)
            found.append(AssignmentCondition(f"{FIELD_PREFIX}{group.namespace}.{name}", label,
                                             field_matcher(lead, group, name), field_choices(field)))
    return found


def field_matcher(entity: Any, group: Any, name: str) -> Callable[[Any, list[str]], bool]:
    def matches(lead: Any, values: list[str]) -> bool:
        current = extensions.current(db.session(), lead, [group]).get(group.namespace) or {}
        value = current.get(name)
        return value is not None and folded(value) in {folded(v) for v in values}

    return matches


def field_choices(field: Any) -> Callable[[], list[tuple[str, str]]] | None:
    labels = field.metadata.get("choices_labels")
    if not isinstance(labels, dict):
        return None
    return lambda: [(str(key), str(label)) for key, label in labels.items()]


def available() -> dict[str, AssignmentCondition]:
    """Every condition active plugins offer, by key, in plugin order."""
    found: dict[str, AssignmentCondition] = {}
    for returned in current_app.extensions["crmkit"].pm.hook.lead_assignment_conditions():
        for condition in returned or ():
            found.setdefault(condition.key, condition)
    return found


def holds(conditions: dict[str, list[str]], lead: Any, known: dict[str, AssignmentCondition]) -> bool:
    """Whether ``lead`` meets every condition a rule names."""
    for key, values in (conditions or {}).items():
        if not values:
            continue
        condition = known.get(key)
        if condition is None or not condition.matches(lead, [str(v) for v in values]):
            return False
    return True


def described(conditions: dict[str, list[str]], known: dict[str, AssignmentCondition]) -> list[str]:
    """A rule's conditions as the admin page lists them: "Source: Krisha, OLX"."""
    lines = []
    for key, values in (conditions or {}).items():
        condition = known.get(key)
        if condition is None:
            lines.append(_("%(condition)s (no longer offered): %(values)s", condition=key, values=", ".join(values)))
            continue
        labels = dict(condition.choices()) if condition.choices else {}
        lines.append(f"{condition.label}: {', '.join(labels.get(v, v) for v in values)}")
    return lines
