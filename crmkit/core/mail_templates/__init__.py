"""Email templates: Jinja in a sandbox over a record's fields, one subject and body per language,
edited and previewed by admins, rendered in the recipient's language and sent after commit.
The same templates serve automation rules now and campaigns later (see docs/mail-templates.md).

- ``validate(subject, body, entity)`` (or ``validate(template)``): the problems, empty when fine;
- ``render(template_key_or_id, record, *, entity, language) -> Rendered(subject, html, text)``;
- ``send(template_key_or_id, record, *, entity, to_user=None, to_address=None)``: after commit;
- ``find(key_or_id)``: the stored template or None.
"""

from crmkit.core.mail_templates.rendering import Rendered, RenderError, find, render, send
from crmkit.core.mail_templates.sandbox import Problem, validate

__all__ = ["Problem", "RenderError", "Rendered", "find", "render", "send", "validate"]
