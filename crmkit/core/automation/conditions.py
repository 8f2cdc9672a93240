"""A rule's conditions: field comparisons in and/or groups, checked against a record.

Stored as ``{"match": "all" | "any", "items": [...]}``, where an item is a comparison
``{"field": name, "op": op, "value": value}`` or another group. The owner's department is the
pseudo-field ``owner_department``; a deal's pipeline and stage are its fields ``pipeline_id`` and
``stage_id``. No items: the conditions always hold.
"""

from __future__ import annotations

from typing import Any

from crmkit.core.automation import declared
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

OPS = {
    "eq": _l("is"), "ne": _l("is not"), "lt": _l("is less than"), "gt": _l("is greater than"),
    "contains": _l("contains"), "empty": _l("is empty"), "not_empty": _l("is not empty"), "in": _l("is one of"),
}
NO_VALUE = ("empty", "not_empty")


def holds(entity: Any, record: Any, conditions: dict | None) -> bool:
    if not conditions or not conditions.get("items"):
        return True
    results = (_item(entity, record, item) for item in conditions["items"])
    return any(results) if conditions.get("match") == "any" else all(results)


def _item(entity: Any, record: Any, item: dict) -> bool:
    if "items" in item:
        return holds(entity, record, item)
    name, op = item["field"], item["op"]
    actual = declared.read(record, name)
    if op == "empty":
        return actual in (None, "", [])
    if op == "not_empty":
        return actual not in (None, "", [])
    info = declared.condition_fields(entity)[name]
    if op == "in":
        return actual in [declared.typed(info, value) for value in (item.get("value") or [])]
    expected = declared.typed(info, item.get("value"))
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "contains":
        return actual is not None and str(expected).casefold() in str(actual).casefold()
    if actual is None or expected is None:
        return False
    try:
        return actual < expected if op == "lt" else actual > expected
    except TypeError:
        return False


def problems(entity: Any, conditions: dict | None, path: tuple = ("conditions",)) -> list[tuple[tuple, str]]:
    """What is wrong with the conditions, each as (path, message in the user's language)."""
    if not conditions:
        return []
    found = []
    if conditions.get("match", "all") not in ("all", "any"):
        found.append((path + ("match",), _("Conditions: match must be all or any.")))
    known = declared.condition_fields(entity)
    for index, item in enumerate(conditions.get("items") or [], start=1):
        where = path + ("items", index - 1)
        if not isinstance(item, dict):
            found.append((where, _("Condition %(n)d is not a comparison or a group.", n=index)))
        elif "items" in item:
            found.extend(problems(entity, item, where))
        elif item.get("field") not in known:
            found.append((where + ("field",), _("Condition %(n)d: %(entity)s has no field «%(field)s».",
                                                n=index, entity=entity.label, field=item.get("field"))))
        elif item.get("op") not in OPS:
            found.append((where + ("op",), _("Condition %(n)d: unknown comparison «%(op)s».", n=index, op=item.get("op"))))
        elif item["op"] not in NO_VALUE:
            values = item.get("value") if item["op"] == "in" else [item.get("value")]
            if item["op"] == "in" and not isinstance(values, list):
                found.append((where + ("value",), _("Condition %(n)d: «is one of» takes a list of values.", n=index)))
                continue
            for value in values:
                try:
                    declared.typed(known[item["field"]], value)
                except declared.BadValue as error:
                    found.append((where + ("value",), _("Condition %(n)d: the value of «%(field)s» must be %(expected)s.",
                                                        n=index, field=known[item["field"]].label, expected=error.args[0])))
    return found


def describe(entity: Any, conditions: dict | None) -> str:
    """The conditions as a sentence, for the rules list and the dry run."""
    if not conditions or not conditions.get("items"):
        return _("always")
    parts = []
    for item in conditions["items"]:
        if "items" in item:
            parts.append(f"({describe(entity, item)})")
            continue
        info = declared.condition_fields(entity).get(item.get("field"))
        label = info.label if info is not None else item.get("field")
        if item["op"] in NO_VALUE:
            parts.append(f"{label} {OPS[item['op']]}")
            continue
        values = item.get("value") if item["op"] == "in" else [item.get("value")]
        shown = ", ".join(declared.choice_label(entity, item["field"], v) if info is not None else str(v) for v in values or [])
        parts.append(f"{label} {OPS.get(item['op'], item['op'])} {shown}")
    joiner = f" {_('or')} " if conditions.get("match") == "any" else f" {_('and')} "
    return joiner.join(parts)
