"""Records for the statistics, sources, offers and demo tests, made the way people make them: the
admin's pages for configuration (lead sources, a pipeline), the records service for records, the
core's inventory links for what calls, showings, leads and deals are about."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from crmkit import api
from crmkit.testing import csrf_token

PROPERTY = "real_estate.property"
FLAT = {"kind": "apartment", "deal_type": "sale", "city": "Алматы", "district": "Бостандыкский р-н", "street": "Абая",
        "building": "10", "area": "54.50", "rooms": 2, "price": "42000000"}


def add_object(user, **fields):
    return api.Records(PROPERTY, user).create({**FLAT, **fields})


def about(subject: str, record, property_id: int, user):
    api.link_items(subject, record.id, [(PROPERTY, property_id)], user=user)
    api.session().commit()
    return record


def log_call(user, property_id, our_address=None, direction="inbound", at=None):
    call = api.Records("activity", user).create({
        "kind": "call", "subject": "Звонок по объекту", "direction": direction, "our_address": our_address,
        "their_address": "+77011234567", "outcome": "answered", "happened_at": (at or datetime.now(UTC)).isoformat()})
    return about("activity", call, property_id, user)


def log_showing(user, property_id, at=None):
    meeting = api.Records("activity", user).create({
        "kind": "meeting", "subject": "Показ", "happened_at": (at or datetime.now(UTC)).isoformat()})
    return about("activity", meeting, property_id, user)


def add_lead(user, property_id, source_id=None, name="Покупатель"):
    lead = api.Records("lead", user).create({"name": name, "phones": "+77017654321", "source_id": source_id})
    return about("lead", lead, property_id, user)


def add_deal(user, property_id, pipeline_id, title="Продажа квартиры"):
    deal = api.Records("deal", user).create({"title": title, "pipeline_id": pipeline_id})
    return about("deal", deal, property_id, user)


def add_person(user, name="Данияр Ахметов"):
    return api.Records("person", user).create({"name": name})


def add_pipeline(admin_client) -> int:
    """A pipeline made on the admin's page; its id read from where the page sends the admin."""
    token = csrf_token(admin_client, "/admin/pipelines/")
    response = admin_client.post("/admin/pipelines/", data={"name_en": "Sales", "currency": "KZT", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/admin/pipelines/(\d+)", response.headers["Location"]).group(1))


def add_source(admin_client, key, name, **matches) -> int:
    """A lead source made on the admin's page, with the values (a tracking number) that point to it."""
    token = csrf_token(admin_client, "/admin/leads/sources/new")
    response = admin_client.post("/admin/leads/sources",
                                 data={"key": key, "name_en": name, "active": "on", "csrf_token": token, **matches})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return next(s["id"] for s in api.lead_sources() if s["key"] == key)


def csv_rows(response) -> list[list[str]]:
    import csv
    import io

    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
