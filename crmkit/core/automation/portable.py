"""Rules as YAML files that move between instances: users by email, departments, pipelines and
stages by name (in English, else the first name filled), email templates by key; never a
database id. ``export`` writes them in a stable order, ``apply`` checks every rule first and
saves all or none, naming the line of each problem.

PyYAML (already a dependency of our dependencies) is used for its composer: every node carries
its start mark, so a problem found in a rule's data is reported at the line that holds it; safe
dumping with the keys in our order gives the same text for the same rules.
"""

from __future__ import annotations

import difflib
from typing import Any

import yaml
from flask_babel import force_locale
from sqlalchemy import select

from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.automation import catalog, declared, rules
from crmkit.core.automation.models import Rule
from crmkit.i18n import gettext as _

RULE_KEYS = ("name", "entity", "enabled", "trigger", "conditions", "actions")


class FileProblems(ValueError):
    """A file that can't be applied; ``problems`` lists (line or None, message)."""

    def __init__(self, problems: list[tuple[int | None, str]]):
        super().__init__("\n".join(f"{line}: {message}" if line else message for line, message in problems))
        self.problems = problems


class Unknown(ValueError):
    """A name in the file that names nothing on this instance."""


# one value, both ways
def _by_id(db: Any, model: type, value: Any) -> Any:
    try:
        return db.get(model, int(value))
    except (TypeError, ValueError):
        return None


def _user_out(db: Any, value: Any) -> Any:
    user = _by_id(db, User, value)
    return user.email if user is not None else value


def _user_in(db: Any, value: Any) -> int:
    user = db.execute(select(User).where(User.email == str(value).strip().lower())).scalar_one_or_none()
    if user is None:
        raise Unknown(_("there is no user with the email «%(value)s».", value=value))
    return user.id


def _department_in(db: Any, value: Any) -> int:
    found = db.execute(select(Department.id).where(Department.name == str(value)).limit(2)).scalars().all()
    if len(found) != 1:
        raise Unknown(_("there is no single department named «%(value)s».", value=value))
    return found[0]


def _labels(entity: Any, name: str) -> Any:
    field = entity.schema._declared_fields.get(name)
    return field.metadata.get("choices_labels") if field is not None else None


def value_out(db: Any, entity: Any, name: str, value: Any) -> Any:
    """A field's value as a file writes it."""
    if value is None:
        return None
    info = declared.condition_fields(entity).get(name)
    kind = info.kind if info is not None else None
    if kind == "user":
        return _user_out(db, value)
    if kind == "department":
        department = _by_id(db, Department, value)
        return department.name if department is not None else value
    if kind == "choice" and info.choices and isinstance(info.choices[0], int) and (labels := _labels(entity, name)):
        return str(labels.get(int(value)))
    return value


def value_in(db: Any, entity: Any, name: str, value: Any) -> Any:
    """A field's value as the file wrote it, back as the rule stores it."""
    if value in (None, ""):
        return value
    info = declared.condition_fields(entity).get(name)
    kind = info.kind if info is not None else None
    if kind == "user":
        return _user_in(db, value)
    if kind == "department":
        return _department_in(db, value)
    if kind == "choice" and info.choices and isinstance(info.choices[0], int) and (labels := _labels(entity, name)):
        matching = [choice for choice in info.choices if str(labels.get(choice)) == str(value)]
        if len(matching) != 1:
            raise Unknown(_("«%(value)s» names no single choice of «%(field)s».", value=value, field=info.label))
        return matching[0]
    return value


def _params(db: Any, entity: Any, kind: Any, given: dict, out: bool) -> dict:
    converted = {"type": given.get("type")}
    for param in kind.params:
        if param.name not in given:
            continue
        value = given[param.name]
        if param.kind == "user" or (param.kind == "assignee" and value not in rules.ASSIGNEES):
            value = _user_out(db, value) if out else _user_in(db, value)
        elif param.kind == "department":
            value = value_out(db, entity, declared.OWNER_DEPARTMENT, value) if out else _department_in(db, value)
        elif param.kind == "state" and entity.workflow is not None:
            value = (value_out if out else value_in)(db, entity, entity.workflow.field, value)
            value = value if out else str(value)
        elif param.kind == "value":
            value = (value_out if out else value_in)(db, entity, given.get(param.of), value)
        converted[param.name] = value
    converted.update({k: v for k, v in sorted(given.items()) if k not in converted})
    return converted


def _conditions(db: Any, entity: Any, group: dict, out: bool) -> dict:
    if not group or not group.get("items"):
        return {}
    convert = value_out if out else value_in
    items = []
    for item in group["items"]:
        if isinstance(item, dict) and "items" in item:
            items.append(_conditions(db, entity, item, out))
        elif isinstance(item, dict) and "value" in item:
            values = item["value"]
            shown = [convert(db, entity, item.get("field"), v) for v in values] if isinstance(values, list) else \
                convert(db, entity, item.get("field"), values)
            items.append({"field": item.get("field"), "op": item.get("op"), "value": shown})
        else:
            items.append(item)
    return {"match": group.get("match", "all"), "items": items}


def convert(db: Any, data: dict, out: bool) -> dict:
    """A rule's data with ids turned into names (``out``) or names back into ids."""
    entity = rules.entity_of(data.get("entity"))
    if entity is None:
        return data
    converted = {key: data[key] for key in ("name", "entity", "enabled") if key in data}
    trigger = data.get("trigger") or {}
    kind = catalog.triggers().get(trigger.get("type"))
    converted["trigger"] = _params(db, entity, kind, trigger, out) if kind is not None else trigger
    converted["conditions"] = _conditions(db, entity, data.get("conditions") or {}, out)
    converted["actions"] = []
    for action in data.get("actions") or []:
        kind = catalog.actions().get((action or {}).get("type"))
        converted["actions"].append(_params(db, entity, kind, action, out) if kind is not None else action)
    if not converted["conditions"]:
        converted.pop("conditions")
    return converted


# files
def dump(items: list[dict]) -> str:
    return yaml.safe_dump({"rules": items}, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


def export(db: Any) -> str:
    found = db.execute(select(Rule).order_by(Rule.position, Rule.name)).scalars()
    with force_locale("en"):
        return dump([convert(db, rules.as_data(rule), out=True) for rule in found])


def _lines(node: Any, path: tuple = ()) -> dict[tuple, int]:
    """The line (from 1) of every node of a composed YAML document, by its path."""
    found = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found.update(_lines(value, path + (key.value,)))
            found[path + (key.value,)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            found.update(_lines(value, path + (index,)))
    return found


def _line(lines: dict[tuple, int], path: tuple) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def read(db: Any, text: str) -> list[dict]:
    """The rules of a file as ``rules.check`` takes them; raises ``FileProblems``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise FileProblems([(mark.line + 1 if mark else None, _("Not valid YAML: %(error)s", error=getattr(error, "problem", error)))]) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise FileProblems([(1, _("The file must hold a list under «rules:».") )])
    lines = _lines(node)
    problems, found, names = [], [], set()
    with force_locale("en"):
        for index, given in enumerate(data["rules"]):
            where = ("rules", index)
            if not isinstance(given, dict):
                problems.append((_line(lines, where), _("Rule %(n)d is not a mapping.", n=index + 1)))
                continue
            label = _("Rule «%(name)s»", name=given.get("name") or index + 1)
            try:
                converted = convert(db, given, out=False)
            except Unknown as error:
                problems.append((_line(lines, where), f"{label}: {error}"))
                continue
            cleaned, wrong = rules.check(converted)
            problems += [(_line(lines, where + path), f"{label}: {message}") for path, message in wrong]
            if cleaned.get("name") in names:
                problems.append((_line(lines, where + ("name",)), _("%(rule)s: the name is used twice.", rule=label)))
            names.add(cleaned.get("name"))
            found.append(converted)
    if problems:
        raise FileProblems(problems)
    return found


def apply(db: Any, text: str, user: Any) -> dict[str, list[str]]:
    """Make the instance's rules those of the file: all saved, or none (``FileProblems``)."""
    wanted = read(db, text)
    existing = {rule.name: rule for rule in db.execute(select(Rule)).scalars()}
    done: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
    try:
        for position, data in enumerate(wanted):
            rule = existing.pop(data["name"], None)
            if rule is not None and rules.as_data(rule) == rules.check(data)[0] and rule.position == position:
                continue
            saved = rules.save(db, data, user, rule, commit=False)
            saved.position = position
            done["changed" if rule is not None else "added"].append(data["name"])
        for rule in existing.values():
            _remove(db, rule)
            done["removed"].append(rule.name)
        db.commit()
    except rules.RuleInvalid as error:
        db.rollback()
        raise FileProblems([(None, message) for _path, message in error.problems]) from None
    except BaseException:
        db.rollback()
        raise
    return done


def _remove(db: Any, rule: Rule) -> None:
    from sqlalchemy import update

    from crmkit.core.automation.models import RuleRun

    db.execute(update(RuleRun).where(RuleRun.rule_id == rule.id).values(rule_id=None))
    db.delete(rule)
    db.flush()


def diff(db: Any, text: str, name: str) -> str:
    """A unified diff from the instance's rules to the file's, both written as ``export`` writes."""
    wanted = read(db, text)
    with force_locale("en"):
        theirs = dump([convert(db, rules.check(data)[0], out=True) for data in wanted])
    ours = export(db)
    return "".join(difflib.unified_diff(ours.splitlines(True), theirs.splitlines(True), "instance", name))
