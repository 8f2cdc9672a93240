"""Pipelines as a built-in plugin: deals on the entity framework, moving through the stages of
configurable pipelines by the framework's workflow."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.pipelines.models import (
    Deal,
    DealCompetitor,
    DealPerson,
    LineItem,
    LossReason,
    Pipeline,
    PriceItem,
    Stage,
)


@hookimpl
def register_models():
    return [Pipeline, Stage, LossReason, Deal, DealPerson, DealCompetitor, PriceItem, LineItem]
