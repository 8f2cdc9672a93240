"""Two panels: on a subject's page (a call, a lead, a deal) the items it is about; on an item's
page the calls, showings, leads and deals about it, newest first, as far as the user sees them."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from crmkit import db as database
from crmkit.core.inventory import picking, service
from crmkit.entities.service import Records
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import Panel

SHOWN = 20
ACTIVITY_LABELS = {"call": _l("Call"), "meeting": _l("Showing"), "email": _l("Email"), "task": _l("Task"), "note": _l("Note")}


def detail(key: str, record_id: int) -> str:
    entity = current_app.extensions["crmkit"].entities.get(key)
    return url_for(f"records.{entity.endpoint_prefix}_detail", record_id=record_id)


def items_panel(entity: Any, record: Any, user: Any) -> Panel | None:
    items = service.items_of(entity.key, record.id, user)
    if not items:
        return None
    records = {}
    for key in {k for k, _i in items}:
        model = service.entity_of(key).model
        ids = [i for k, i in items if k == key]
        records.update({(key, r.id): r for r in database.session().execute(select(model).where(model.id.in_(ids))).scalars()})
    rows = []
    for key, item_id in items:
        found = records.get((key, item_id))
        if found is None:
            continue
        declared = service.declared().get(key)
        rows.append({"title": picking.titles([(key, item_id)])[(key, item_id)], "url": detail(key, item_id),
                     "description": declared.describe(found) if declared and declared.describe else ""})
    return Panel(_l("About objects"), "inventory/items_panel.html", {"rows": rows}, order=35)


def subject_title(entity, row) -> str:
    title = getattr(row, entity.title_field, None)
    return str(title) if title not in (None, "") else f"#{row.id}"


def subjects_panel(entity: Any, record: Any, user: Any) -> Panel | None:
    """The item's subjects the user sees, the newest ``SHOWN``, each named by its kind."""
    found = service.subjects_of(entity.key, record.id, limit=SHOWN, user=user)
    counts = service.count_subjects(entity.key, [record.id]).get(record.id, {})
    entities = current_app.extensions["crmkit"].entities
    loaded: dict[tuple[str, int], Any] = {}
    for key in {k for k, _i, _at in found}:
        model = entities.get(key).model
        ids = [i for k, i, _at in found if k == key]
        loaded.update({(key, r.id): r for r in database.session().execute(select(model).where(model.id.in_(ids))).scalars()})
    rows = []
    for key, subject_id, at in found:
        row = loaded.get((key, subject_id))
        if row is None:
            continue
        subject = entities.get(key)
        kind = ACTIVITY_LABELS.get(getattr(row, "kind", None), subject.label) if key == "activity" else subject.label
        rows.append({"kind": kind, "title": subject_title(subject, row), "url": detail(key, subject_id), "at": at})
    totals = [{"label": entities.get(key).label_plural, "count": n,
               "url": url_for(f"records.{entities.get(key).endpoint_prefix}_list",
                              **{"inventory.items": f"{entity.key}:{record.id}"})}
              for key, n in sorted(counts.items()) if key in entities and Records(entities.get(key), user).can("view")]
    return Panel(_l("Calls, showings, leads and deals"), "inventory/subjects_panel.html",
                 {"rows": rows, "totals": totals}, order=36)
