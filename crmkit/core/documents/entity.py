"""The ``document`` entity: the archive. The framework gives it its list at ``/document/`` (filters,
search, saved views, CSV/XLSX export), its page, the REST API and permissions; a document's
status moves draft → sent → signed through its workflow.

Generated documents are owned by the owner of the record they were made from, so an agent sees
in the archive the documents of the records they see; their file is an attachment of that record
and downloads through it, checked against the record itself.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from crmkit import EntityType, State, Workflow
from crmkit.core.documents.models import DOCUMENT_TYPES, LANGUAGES, Document
from crmkit.core.pipelines.models import CURRENCIES
from crmkit.core.pipelines.schemas import Money
from crmkit.i18n import lazy_gettext as _l

KEY = "document"
TYPE_LABELS = {"offer": _l("Commercial offer"), "contract": _l("Contract"), "act": _l("Act"),
               "invoice": _l("Invoice"), "other": _l("Other document")}
LANGUAGE_LABELS = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
STATES = (
    State("draft", _l("Draft")),
    State("sent", _l("Sent")),
    State("signed", _l("Signed"), kind="closed"),
)
WORKFLOW = Workflow("status", STATES, {
    None: ["draft", "sent", "signed"],
    "draft": ["sent", "signed"],
    "sent": ["draft", "signed"],
    "signed": ["sent"],
})


class DocumentSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=255), metadata={"label": _l("Title")})
    doc_type = fields.String(validate=validate.OneOf(DOCUMENT_TYPES),
                             metadata={"label": _l("Document type"), "choices_labels": TYPE_LABELS})
    number = fields.String(load_default="", validate=validate.Length(max=50), metadata={"label": _l("Number")})
    doc_version = fields.Integer(dump_only=True, metadata={"label": _l("Version")})
    doc_date = fields.Date(allow_none=True, metadata={"label": _l("Date")})
    status = fields.String(validate=validate.OneOf([s.key for s in STATES]),
                           metadata={"label": _l("Status"), "choices_labels": {s.key: s.label for s in STATES}})
    language = fields.String(validate=validate.OneOf(LANGUAGES),
                             metadata={"label": _l("Language"), "choices_labels": LANGUAGE_LABELS})
    organization_id = fields.Integer(allow_none=True, strict=False, metadata={"label": _l("Organisation"), "link": "organization"})
    person_id = fields.Integer(allow_none=True, strict=False, metadata={"label": _l("Person"), "link": "person"})
    total = Money(allow_none=True, metadata={"label": _l("Total")})
    currency = fields.String(allow_none=True, validate=validate.OneOf(CURRENCIES),
                             metadata={"label": _l("Currency"), "choices_labels": {c: c for c in CURRENCIES}})
    filename = fields.String(dump_only=True, metadata={"label": _l("File")})


def entity_type() -> EntityType:
    return EntityType(
        "document", Document, DocumentSchema, _l("Document"), _l("Documents"),
        list_columns=("number", "title", "doc_type", "doc_date", "organization_id", "person_id", "status", "doc_version", "total"),
        filters=("doc_type", "status", "organization_id", "person_id", "language"),
        sort_keys=("doc_date", "number"), search_fields=("title", "number", "filename"), title_field="title",
        default_sort="-id", nav_order=820, workflow=WORKFLOW,  # the archive: a tool, behind the Tools menu
    )
