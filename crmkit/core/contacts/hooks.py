"""People and organisations as a built-in plugin: two entities on the entity framework, and the
index of their phones and emails kept in step with every change and import."""

from __future__ import annotations

from flask import url_for

from crmkit import Action, EntityType, Panel, db, hookimpl
from crmkit.core.contacts import (
    channels,
    commands,
    relations,
    relations_views,
    vcard_views,
)
from crmkit.core.contacts.models import Channel, Employment, Organization, Person
from crmkit.core.contacts.schemas import OrganizationSchema, PersonSchema
from crmkit.i18n import lazy_gettext as _l

ROLE_FILTERS = ("is_client", "is_prospect", "is_supplier", "is_partner", "is_competitor")
CHANNEL_EVENTS = ("after_create", "after_update", "after_merge", "after_unmerge")


@hookimpl
def register_models():
    return [Organization, Person, Employment, Channel]


@hookimpl
def register_entities():
    return [
        EntityType(
            name="organization",
            model=Organization,
            schema=OrganizationSchema,
            label=_l("Organisation"),
            label_plural=_l("Organisations"),
            list_columns=("name", "phone", "email", "industry", "segment"),
            filters=(*ROLE_FILTERS, "industry", "size", "segment", "source", "parent_id", "name"),
            sort_keys=("name",),
            search_fields=("name", "legal_name", "bin", "phone", "other_phones", "email", "other_emails", "tags"),
            dedup_keys=("phone", "email", "bin"),
            nav_order=20,
        ),
        EntityType(
            name="person",
            model=Person,
            schema=PersonSchema,
            label=_l("Contact"),
            label_plural=_l("Contacts"),
            list_columns=("name", "phone", "email", "position", "segment"),
            filters=(*ROLE_FILTERS, "organization_id", "segment", "source", "name"),
            sort_keys=("name",),
            search_fields=("name", "phone", "other_phones", "email", "other_emails", "iin", "tags", "position"),
            dedup_keys=("phone", "email", "iin"),
            nav_order=10,
        ),
    ]


@hookimpl
def entity_event(event, entity, record, changes, user):
    if entity.key in channels.CONTACT_ENTITIES and event in CHANNEL_EVENTS:
        channels.sync(db.session(), entity.key, record)


@hookimpl
def records_imported(entity, created_ids, updated_ids, user):
    if entity.key in channels.CONTACT_ENTITIES:
        channels.sync_ids(db.session(), entity.key, entity.model, [*created_ids, *updated_ids])


@hookimpl
def register_blueprints():
    return [relations_views.bp, vcard_views.bp]


@hookimpl
def entity_panels(entity, record, user):
    """An organisation's people and branches; a person's other jobs."""
    if entity.key == "organization":
        can_add_person = relations.records_of("person", user).can("create")
        can_add_branch = relations.records_of("organization", user).can("create")
        return [
            Panel(_l("People"), "contacts/people_panel.html", {
                "organization": record, "people": relations.people_of(record, user), "can_add": can_add_person}, order=20),
            Panel(_l("Branches"), "contacts/branches_panel.html", {
                "organization": record, "branches": relations.branches_of(record, user), "can_add": can_add_branch}, order=30),
        ]
    if entity.key == "person":
        can_edit = relations.records_of("person", user).can("edit")
        return [
            Panel(_l("Other jobs"), "contacts/jobs_panel.html", {
                "person": record, "jobs": relations.jobs_of(record, user), "can_edit": can_edit,
                "organization": relations.organization_field(user) if can_edit else None}, order=20),
        ]
    return []


@hookimpl
def register_commands():
    return [commands.contacts]


@hookimpl(specname="entity_actions")
def vcard_action(entity, record, user):
    """Download a person's card, for whoever sees the person."""
    if entity.key == "person":
        return [Action(_l("vCard"), url_for("contacts_vcard.person", record_id=record.id), order=90)]
    return []


@hookimpl
def entity_list_actions(entity, user, args):
    """vCards of the contacts list: export what it shows, import a .vcf."""
    if entity.key != "person":
        return []
    people = relations.records_of("person", user)
    actions = []
    if people.can("export"):
        actions.append(Action(_l("Export vCard"), url_for("contacts_vcard.export", **args), order=10))
    if people.can("import") and people.can("create"):
        actions.append(Action(_l("Import vCard"), url_for("contacts_vcard.upload"), order=20))
    return actions
