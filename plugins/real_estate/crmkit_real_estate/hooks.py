"""The real_estate plugin's entry module: every hook implementation, each delegating to the part
that does the work (objects, demand, statistics, sources, offers...)."""

from __future__ import annotations

from crmkit import api
from crmkit_real_estate import objects


@api.hookimpl
def register_models():
    return [*objects.MODELS]


@api.hookimpl
def register_entities():
    return [objects.ENTITY]


@api.hookimpl
def entity_event(event, entity, record, changes, user):
    if entity.key == objects.KEY:
        objects.on_event(event, record, changes, user)
