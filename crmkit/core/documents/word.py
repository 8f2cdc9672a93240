"""Word templates: an admin's .docx with Jinja placeholders (docxtpl), checked before it is saved
and filled into a .docx when a document is made.

A placeholder is written in Word as ``{{ record.title }}``; a deal's line items fill a table with
one row per item through ``{%tr for item in items %}`` ... ``{%tr endfor %}`` rows (docxtpl's row
tags). The names are the HTML templates' (crmkit.core.documents.sandbox), checked the same way;
a problem is reported by the part of the document (body, header, footer), the paragraph's number
and its text, since a Word file has no lines an admin could count. Filling runs in Jinja's
sandbox with every value escaped for XML, so a field holding ``<`` or ``&`` can't break the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from crmkit.core.documents import sandbox
from crmkit.core.documents.sandbox import Problem
from crmkit.i18n import gettext as _

DEFAULT_MAX_SIZE = 5 * 1024 * 1024
MAX_UNPACKED = 60 * 1024 * 1024  # a few MB of Word file never unpacks to more; a zip bomb does
PARAGRAPH = re.compile(r"<w:p([ >])")
TAGS = re.compile(r"<[^>]+>")


class Unreadable(ValueError):
    """Not a Word file docxtpl can read (with the reason, in the user's language)."""


@cache
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def max_size() -> int:
    from flask import current_app

    return int(current_app.config.get("DOCUMENTS_TEMPLATE_MAX_SIZE") or DEFAULT_MAX_SIZE)


def opened(data: bytes) -> DocxTemplate:
    """The template, read; ``Unreadable`` for a file that is not a .docx or unpacks too large."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(item.file_size for item in archive.infolist()) > MAX_UNPACKED:
                raise Unreadable(_("the file unpacks to more than a Word document can hold"))
            if "word/document.xml" not in archive.namelist():
                raise Unreadable(_("the file is not a Word document (.docx)"))
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        if isinstance(error, Unreadable):
            raise
        raise Unreadable(_("the file is not a Word document (.docx)")) from error
    return template


def parts(template: DocxTemplate) -> list[tuple[str, str]]:
    """Each part's Jinja source (body, headers, footers) as docxtpl renders it: one paragraph a line."""
    found = [(_("body"), template.patch_xml(template.get_xml()))]
    for uri, label in ((template.HEADER_URI, _("header")), (template.FOOTER_URI, _("footer"))):
        for _key, part in template.get_headers_footers(uri):
            found.append((label, template.patch_xml(template.get_part_xml(part))))
    return [(label, PARAGRAPH.sub(r"\n<w:p\1", source)) for label, source in found]


def place(label: str, source: str, line: int | None) -> str:
    """Where line ``line`` of a part is, for the admin: "body, paragraph 4 («Договор № {{ … »)"."""
    lines = source.splitlines()
    if not line or line > len(lines):
        return label
    text = " ".join(TAGS.sub("", lines[line - 1]).split())
    text = text if len(text) <= 70 else text[:69] + "…"
    return _("%(part)s, paragraph %(number)d («%(text)s»)", part=label, number=max(line - 1, 1), text=text)


def problems(data: bytes, entity: Any) -> list[str]:
    """What is wrong with a Word template for ``entity`` (None: any record), each with its place,
    in the current language; empty when it may be saved."""
    if len(data) > max_size():
        from crmkit.core.files.service import human_size

        return [_("The file is larger than %(limit)s.", limit=human_size(max_size()))]
    try:
        template = opened(data)
    except Unreadable as error:
        return [str(error)]
    found: list[str] = []
    env = environment()
    for label, source in parts(template):
        try:
            tree = env.parse(source)
            env.compile(source)
        except TemplateSyntaxError as error:
            found.append(f"{place(label, source, error.lineno)}: {sandbox.unreadable(error)}")
            continue
        found += [f"{place(label, source, problem.line)}: {problem.message}" for problem in sandbox.name_problems(tree, entity)]
    return found


def render(data: bytes, values: dict[str, Any]) -> bytes:
    """The filled .docx; Jinja's errors (a value the template can't use) are raised as they are."""
    template = DocxTemplate(io.BytesIO(data))
    template.render(values, jinja_env=environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def text_of(data: bytes) -> list[str]:
    """The paragraphs and table rows of a .docx as plain text, for the preview and for tests."""
    from docx import Document as WordDocument

    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = WordDocument(io.BytesIO(data))
    shown = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            shown.append(Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            shown += [" | ".join(cell.text for cell in row.cells) for row in Table(child, document).rows]
    return [line for line in shown if line.strip()]


__all__ = ["DEFAULT_MAX_SIZE", "Problem", "Unreadable", "problems", "render", "text_of"]
