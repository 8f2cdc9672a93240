"""Word files for the documents tests, made with python-docx: a template is a list of
paragraphs, optionally a table of line items between docxtpl's row tags."""

from __future__ import annotations

import io

from docx import Document as WordDocument


def docx(*paragraphs: str, items: bool = False, footer: str | None = None, item_field: str = "total") -> bytes:
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    if items:
        table = document.add_table(rows=3, cols=2)
        table.rows[0].cells[0].text = "{%tr for item in items %}"
        table.rows[1].cells[0].text = "{{ item.name }}"
        table.rows[1].cells[1].text = f"{{{{ item.{item_field} }}}}"
        table.rows[2].cells[0].text = "{%tr endfor %}"
    if footer is not None:
        document.sections[0].footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
