"""The sandbox templates run in, and ``validate``: what a template may name is known before it is
saved, so a typo or a removed field is refused with its line instead of failing at send time.

A template sees ``record`` (the record's fields by name, shown as pages show them, plus ``id``,
``title`` and ``url``), ``recipient`` and ``sender`` (``name``, ``email``) and ``link`` (the
record's page). It runs in Jinja's ``SandboxedEnvironment``: no attribute starting with ``_``,
no unsafe callables; names and fields outside those above are refused by ``validate``.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from crmkit.i18n import gettext as _

PEOPLE_FIELDS = ("name", "email")
RECORD_EXTRA = ("id", "title", "url")
NAMES = ("record", "recipient", "sender", "link")


class Problem(NamedTuple):
    """One reason a template is refused: which part (``subject`` or ``body``), the line, the message."""

    part: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = _("line %(line)d", line=self.line) if self.line else ""
        part = _("Subject") if self.part == "subject" else _("Body")
        return f"{part}, {where}: {self.message}" if where else f"{part}: {self.message}"


@cache
def environment(autoescape: bool) -> SandboxedEnvironment:
    """HTML bodies escape every value; subjects are plain text."""
    return SandboxedEnvironment(autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def record_fields(entity: Any) -> set[str]:
    """What ``record.<name>`` may name for this entity: its schema's fields, the owner and the extras."""
    return {*entity.schema._declared_fields, "owner_id", *RECORD_EXTRA}


def check(source: str, part: str, entity: Any, autoescape: bool) -> list[Problem]:
    env = environment(autoescape)
    try:
        tree = env.parse(source)
        env.compile(source)  # unknown filters and tests are found when compiling
    except TemplateSyntaxError as error:
        return [Problem(part, error.lineno, _("the template cannot be read: %(error)s", error=error.message or ""))]
    fields = record_fields(entity)
    problems: list[Problem] = []
    local = {target.name for target in tree.find_all(nodes.Name) if target.ctx in ("store", "param")}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        problem = problem_of(node, fields, local)
        if problem:
            problems.append(Problem(part, node.lineno, problem))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.message))


def problem_of(node: nodes.Node, fields: set[str], local: set[str]) -> str | None:
    if isinstance(node, nodes.Name):
        if node.ctx == "load" and node.name not in NAMES and node.name not in local and node.name not in ("loop", "range"):
            return _("unknown name «%(name)s»; a template knows record, recipient, sender and link", name=node.name)
        return None
    attribute = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
    if isinstance(attribute, str) and attribute.startswith("_"):
        return _("«%(name)s» is not allowed in a template", name=attribute)
    if not isinstance(node.node, nodes.Name) or node.node.name in local:
        return None
    owner = node.node.name
    if owner == "record" and isinstance(attribute, str) and attribute not in fields:
        return _("the record has no field «%(name)s»", name=attribute)
    if owner in ("recipient", "sender") and isinstance(attribute, str) and attribute not in PEOPLE_FIELDS:
        return _("«%(who)s» has only name and email, not «%(name)s»", who=owner, name=attribute)
    return None


def validate(subject: Any, body: str | None = None, entity: Any = None) -> list[Problem]:
    """The problems of a template, empty when it may be saved: syntax errors, unknown names and
    fields, attributes starting with ``_``, each with its part and line, in the current language.

    Called as ``validate(subject, body, entity)`` (``entity`` a key or ``EntityType``), or with a
    stored ``MailTemplate`` alone, checking every language it has (the message names the language).
    """
    from crmkit import api

    if body is None and entity is None and hasattr(subject, "texts"):
        template = subject
        try:
            declared = api.entity(template.entity)
        except LookupError:
            return [Problem("body", None, _("the entity «%(entity)s» is not installed", entity=template.entity))]
        found = []
        for language, text in sorted(template.texts.items()):
            for problem in validate(text.get("subject", ""), text.get("body", ""), declared):
                found.append(problem._replace(message=f"[{language}] {problem.message}"))
        return found
    declared = api.entity(entity)
    return [*check(subject or "", "subject", declared, autoescape=False),
            *check(body or "", "body", declared, autoescape=True)]
