"""What a document template may name, and ``validate``: a syntax error or an unknown field is
refused with its line before the template is saved, not when someone generates a document.

A template (HTML or Word) sees ``document`` (number, date, version, title), ``record`` (the record's
fields as its page shows them), ``organization`` and ``person`` (the counterparty's fields, empty
when there is none), ``user`` (who makes it: name, email, today's date in their language), and for
a deal ``items`` (its line items) and ``totals`` (net, VAT, total and the total in words). It runs in Jinja's ``SandboxedEnvironment`` with every value escaped.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

DOCUMENT_FIELDS = {"number": _l("Number"), "date": _l("Date"), "version": _l("Version"), "title": _l("Title")}
ITEM_FIELDS = {"position": _l("Line number"), "name": _l("Name"), "unit": _l("Unit"), "quantity": _l("Quantity"),
               "price": _l("Price"), "discount_percent": _l("Discount, %"), "vat_rate": _l("VAT, %"),
               "net": _l("Net"), "vat": _l("VAT"), "total": _l("Total")}
TOTAL_FIELDS = {"net": _l("Net"), "vat": _l("VAT"), "total": _l("Total"), "currency": _l("Currency"),
                "in_words": _l("Total in words")}
USER_FIELDS = {"name": _l("Name"), "email": _l("Email"), "date": _l("Today, in the user's language")}
RECORD_EXTRA = ("id", "title", "url", "owner_id")
LINE_ITEM_ENTITIES = ("deal",)


class Problem(NamedTuple):
    line: int | None
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s", line=self.line, message=self.message) if self.line else self.message


@cache
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def entity_fields(entity: Any) -> set[str]:
    return {*entity.schema._declared_fields, *RECORD_EXTRA}


def known(entity: Any) -> dict[str, set[str] | None]:
    """Each name a template for ``entity`` may use and the fields it has (None: any)."""
    from crmkit import api

    names: dict[str, set[str] | None] = {"document": set(DOCUMENT_FIELDS), "record": entity_fields(entity) if entity else None,
                                         "organization": entity_fields(api.entity("organization")),
                                         "person": entity_fields(api.entity("person")), "user": set(USER_FIELDS)}
    if entity is None or entity.key in LINE_ITEM_ENTITIES:
        names["items"] = None
        names["totals"] = set(TOTAL_FIELDS)
    return names


def loop_items(tree: nodes.Template) -> set[str]:
    """The names bound by ``{% for item in items %}``: their fields are the line item's."""
    return {loop.target.name for loop in tree.find_all(nodes.For)
            if isinstance(loop.iter, nodes.Name) and loop.iter.name == "items" and isinstance(loop.target, nodes.Name)}


def validate(source: str, entity: Any) -> list[Problem]:
    """The problems of a template for ``entity`` (an EntityType, None for any entity), each with
    its line and a message in the current language; empty when it may be saved."""
    env = environment()
    try:
        tree = env.parse(source)
        env.compile(source)
    except TemplateSyntaxError as error:
        return [Problem(error.lineno, unreadable(error))]
    return name_problems(tree, entity)


def unreadable(error: TemplateSyntaxError) -> str:
    return _("the template cannot be read: %(error)s", error=error.message or "")


def name_problems(tree: nodes.Template, entity: Any) -> list[Problem]:
    """The names and fields ``tree`` uses that a template for ``entity`` doesn't have, by line."""
    names = known(entity)
    items = loop_items(tree)
    local = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    problems = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        message = problem_of(node, names, items, local)
        if message:
            problems.add(Problem(node.lineno, message))
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def problem_of(node: nodes.Node, names: dict, items: set[str], local: set[str]) -> str | None:
    if isinstance(node, nodes.Name):
        if node.ctx == "load" and node.name not in names and node.name not in local and node.name not in ("loop", "range"):
            return _("unknown name «%(name)s»; a template knows %(names)s", name=node.name, names=", ".join(sorted(names)))
        return None
    attribute = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
    if isinstance(attribute, str) and attribute.startswith("_"):
        return _("«%(name)s» is not allowed in a template", name=attribute)
    if not isinstance(node.node, nodes.Name) or not isinstance(attribute, str):
        return None
    owner = node.node.name
    if owner in items:
        return None if attribute in ITEM_FIELDS else _("a line item has no field «%(name)s»", name=attribute)
    if owner in local:
        return None
    fields = names.get(owner)
    if fields is not None and attribute not in fields:
        return _("«%(owner)s» has no field «%(name)s»", owner=owner, name=attribute)
    return None
