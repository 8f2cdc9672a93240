"""What the pipelines' reports share: the pipeline and currency they are read in, the deals the
reader counts (visibility and the filter bar, as ``Context.conditions`` gives them), stage names
and the drill-down arguments that list the deals behind a figure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import CURRENCIES, Pipeline
from crmkit.core.pipelines.reports.stays import FunnelStay
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports import Filter
from crmkit.reports.context import Context

SECONDS_PER_DAY = 86400


def currency_choices(_ctx: Context) -> list[tuple[str, Any]]:
    """The currencies; none chosen (the bar's "any") reads amounts in the pipeline's own."""
    return [(code, code) for code in CURRENCIES]


CURRENCY = Filter("currency", _l("Amounts in"), choices=currency_choices,
                  condition=lambda ctx, table, value: table.c.currency == value)


def pipeline_of(ctx: Context) -> Pipeline | None:
    """The pipeline chosen in the bar, else the first one on the board; the choice is written back
    into ``ctx.values`` so that the conditions and the drill-down name it."""
    pipelines = sorted(names.pipelines().values(), key=lambda p: (p.archived_at is not None, p.position, p.id))
    chosen = names.pipelines().get(ctx.values.get("pipeline")) or next(iter(pipelines), None)
    if chosen is not None:
        ctx.values["pipeline"] = chosen.id
    return chosen


def currency_of(ctx: Context, pipeline: Pipeline) -> str:
    chosen = ctx.values.get("currency")
    return chosen if chosen in CURRENCIES else pipeline.currency


def dimension_of(ctx: Context) -> str:
    """The side by side's ``by`` switch as funnel_sql's dimension: the owner, their department or its office."""
    return {"department": "department", "office": "office"}.get(ctx.values.get("by"), "owner")


def stays(ctx: Context) -> list:
    """The conditions on the kept stays (``pipelines_funnel_stay``, only unarchived deals' rows)
    of the deals the reader counts: visible to them, of the chosen pipeline, owners and source."""
    return ctx.conditions(FunnelStay.__table__, period_field=None, where=False)


def stage_label(stage_id: int) -> str:
    return names.stage_name(stage_id)


def days(seconds: float | None) -> Decimal | None:
    return None if seconds is None else Decimal(seconds / SECONDS_PER_DAY).quantize(Decimal("0.1"))


def percent(share: float | None) -> Decimal | None:
    return None if share is None else Decimal(share * 100).quantize(Decimal("0.1"))


def figure_args(ctx: Context, **figure: Any) -> dict[str, str]:
    """The deal list's arguments showing exactly the deals behind a figure: the frame's
    ``?in_report=`` link, which runs ``members`` (below) again for whoever opens the list."""
    return ctx.members_args(**{name: value for name, value in figure.items() if value is not None})

