"""The funnel computed again in plain Python by replaying the generated histories
(tests/deal_histories.py), the independent side of every funnel test."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.deal_histories import DealHistory, World


@dataclass
class Expected:
    entered: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    stays: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    won_at: dict[int, datetime] = field(default_factory=dict)
    lost: set[int] = field(default_factory=set)
    won_amounts: list[Decimal] = field(default_factory=list)
    cycles: list[int] = field(default_factory=list)


def key_of(world: World, deal: DealHistory, dimension: str | None) -> Any:
    if dimension is None:
        return 0
    if dimension == "owner":
        return deal.owner
    department = world.department_of.get(deal.owner)
    if dimension == "department":
        return department
    return world.office_of.get(department) if department is not None else None


def seconds(start: datetime, end: datetime) -> int:
    return round((end - start).total_seconds())


def in_scope(world: World, owners: set[int] | None, **filters: Any):
    """The deals a reader seeing ``owners`` (None: all) counts, not archived, matching ``filters``."""
    for deal in world.deals:
        if deal.archived or (owners is not None and deal.owner not in owners):
            continue
        if any(getattr(deal, name) != value for name, value in filters.items()):
            continue
        yield deal


def funnels(world: World, deals, start: datetime, end: datetime, now: datetime, currency: str,
            dimension: str | None = None) -> dict[Any, Expected]:
    kinds = {stage: world.kinds[stage] for stage in world.stages.values()}
    found: dict[Any, Expected] = {}
    for deal in deals:
        moves = sorted(deal.moves, key=lambda m: (m.at, m.id))
        for index, move in enumerate(moves):
            if move.stage not in kinds or not start <= move.at < end:
                continue
            expected = found.setdefault(key_of(world, deal, dimension), Expected())
            expected.entered[move.stage].add(deal.id)
            if kinds[move.stage] == "open":
                until = moves[index + 1].at if index + 1 < len(moves) else now
                expected.stays[move.stage].append(seconds(move.at, until))
            elif kinds[move.stage] == "won":
                expected.won_at[deal.id] = max(move.at, expected.won_at.get(deal.id, move.at))
            else:
                expected.lost.add(deal.id)
    everyone = deals_by_id(world)
    for expected in found.values():
        won = [everyone[deal_id] for deal_id in expected.won_at]
        expected.won_amounts = [d.won_amount for d in won if d.currency == currency and d.won_amount is not None]
        expected.cycles = [seconds(d.created_at, expected.won_at[d.id]) for d in won]
    return found


def deals_by_id(world: World) -> dict[int, DealHistory]:
    return {deal.id: deal for deal in world.deals}


def number(value) -> float | None:
    return None if value is None else float(value)


def mean(values) -> float | None:
    return statistics.fmean(values) if values else None


def median(values) -> float | None:
    return float(statistics.median(values)) if values else None


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def average_money(values: list[Decimal]) -> Decimal | None:
    return money(sum(values) / len(values)) if values else None


def stage_at(deal: DealHistory, moment: datetime) -> int | None:
    """The stage a deal was in at ``moment``: the target of its last move up to then."""
    passed = [m for m in sorted(deal.moves, key=lambda m: (m.at, m.id)) if m.at <= moment]
    return passed[-1].stage if passed else None


def snapshot(world: World, deals, moment: datetime, currency: str, dimension: str | None = None):
    """``{key: {stage: (deals, amount)}}`` of the open stages at ``moment``."""
    opens = set(world.open_stages)
    counts: dict[Any, dict[int, list]] = defaultdict(lambda: defaultdict(lambda: [0, None]))
    for deal in deals:
        stage = stage_at(deal, moment)
        if stage not in opens:
            continue
        figures = counts[key_of(world, deal, dimension)][stage]
        figures[0] += 1
        if deal.currency == currency and deal.amount is not None:
            figures[1] = (figures[1] or Decimal(0)) + deal.amount
    return {key: {stage: tuple(value) for stage, value in stages.items()} for key, stages in counts.items()}
