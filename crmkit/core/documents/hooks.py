"""Documents as a built-in plugin: the ``document`` entity (the archive), the templates admins
write, the "Create document" button on record pages and the file panel of a document."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from crmkit import Action, NavItem, Panel, Permission, api, hookimpl
from crmkit import db as database
from crmkit.core.access.policy import user_can
from crmkit.core.documents import entity as document_entity
from crmkit.core.documents import commands, generation, uploaded, views, word
from crmkit.core.documents.models import Document, DocumentSequence, DocumentTemplate
from crmkit.i18n import lazy_gettext as _l

KEY = document_entity.KEY


@hookimpl
def register_models():
    return [DocumentTemplate, DocumentSequence, Document]


@hookimpl
def register_entities():
    return [document_entity.entity_type()]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_permissions():
    return [Permission(views.PERMISSION, _l("Write document templates"), _l("Documents"))]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Document templates"), endpoint="documents.templates", order=936)] if user_can(user, views.PERMISSION) else []


@hookimpl
def entity_event(event, entity, record, changes, user):
    if entity.key == KEY and event == "before_create":
        generation.fill_origin(record)


@hookimpl
def entity_actions(entity, record, user):
    """"Create document" on the page of a record some template is written for."""
    if entity.key == KEY or getattr(record, "is_archived", False) or not api.can(user, f"{KEY}.create"):
        return []
    if not api.can(user, entity.permission("edit")) or not generation.has_templates(entity.key):
        return []
    return [Action(_l("Create document"), url_for("documents.make", entity_key=entity.key, record_id=record.id), order=60)]


@hookimpl
def entity_panels(entity, record, user):
    """A document's file (downloaded through the record it belongs to) and its other versions."""
    if entity.key != KEY:
        return []
    versions = []
    if record.entity and record.number:
        versions = list(database.session().execute(
            select(Document).where(Document.entity == record.entity, Document.record_id == record.record_id,
                                   Document.number == record.number).order_by(Document.doc_version).limit(50)).scalars())
    context = {
        "download": url_for("files.download", attachment_id=record.attachment_id) if record.attachment_id else None,
        "filename": record.filename,
        "source": api.detail_url(record.entity, record.record_id) if record.entity and record.record_id else None,
        "versions": [(row, api.detail_url(KEY, row)) for row in versions],
    }
    return [Panel(_l("File"), "documents/panel.html", context, order=5)]


@hookimpl
def attachment_event(event, attachment, entity_key, user):
    """A document uploaded to a record enters the archive; a deleted file leaves its document."""
    if event == "after_create":
        uploaded.entered(attachment, entity_key, user)
    elif event == "before_delete":
        uploaded.released(attachment)


@hookimpl
def init_app(app):
    app.config.setdefault("DOCUMENTS_TEMPLATE_MAX_SIZE", word.DEFAULT_MAX_SIZE)


@hookimpl
def register_commands():
    return [commands.documents_group]
