"""The funnel's figures, read from the statements of ``funnel_sql`` (two for a period, one for a
date), with the ratios between them: conversion to the next stage and the win rate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crmkit.core.pipelines.models import Stage
from crmkit.core.pipelines.reports import funnel_sql
from crmkit.core.pipelines.reports.funnel_sql import StageRef


@dataclass
class StageFigures:
    """One stage of one funnel; ``conversion``: the share of its entries the next stage had (the
    next open stage, or winning after the last one), None for closed stages or when none entered."""

    stage: StageRef
    entered: int = 0
    avg_seconds: float | None = None
    median_seconds: float | None = None
    conversion: float | None = None


@dataclass
class Funnel:
    """The funnel of one key (an owner, department or office; 0 for the whole pipeline)."""

    key: Any
    stages: list[StageFigures] = field(default_factory=list)
    won: int = 0
    lost: int = 0
    won_total: Decimal | None = None
    won_counted: int = 0  # the won deals with an amount in the currency
    cycle_seconds: float | None = None

    @property
    def won_average(self) -> Decimal | None:
        """The won deals' average amount, to the tiyn from the exact total (SQLite's AVG is a float)."""
        return decimal(self.won_total / self.won_counted) if self.won_counted and self.won_total is not None else None

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    def stage(self, stage_id: int) -> StageFigures:
        return next(figures for figures in self.stages if figures.stage.id == stage_id)


@dataclass
class Snapshot:
    """Open deals per stage at a moment: count and amount (in one currency) of one key."""

    key: Any
    deals: dict[int, int] = field(default_factory=dict)
    amounts: dict[int, Decimal] = field(default_factory=dict)


def stage_refs(session, pipeline_id: int) -> list[StageRef]:
    """The pipeline's stages in board order, archived ones too (old moves went through them)."""
    rows = session.execute(select(Stage.id, Stage.kind).where(Stage.pipeline_id == pipeline_id)
                           .order_by(Stage.position, Stage.id)).all()
    return [StageRef(row.id, row.kind) for row in rows]


def empty(stages: Sequence[StageRef]) -> Funnel:
    """The funnel of a period nothing happened in."""
    found = Funnel(0, [StageFigures(stage) for stage in stages])
    convert(found)
    return found


def decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def number(value: Any) -> float | None:
    return None if value is None else float(value)


def period_funnels(session, scope: Sequence[Any], stages: Sequence[StageRef], start: datetime, end: datetime, now: datetime,
                   currency: str, dimension: str | None = None, timed: bool = True) -> list[Funnel]:
    """One funnel per key that had any entry in the period, in key order (None last); ``scope``:
    the conditions on the kept stays of the deals the reader counts (``common.stays``).
    ``timed``: with the average and median time in each stage (the longest part of the work)."""
    dialect = session.get_bind().dialect.name
    funnels: dict[Any, Funnel] = {}

    def funnel(key: Any) -> Funnel:
        if key not in funnels:
            funnels[key] = Funnel(key, [StageFigures(stage) for stage in stages])
        return funnels[key]

    by_key = {stage.id: index for index, stage in enumerate(stages)}
    if timed:
        statement = funnel_sql.stage_statement(dialect, scope, stages, start, end, now, dimension)
    else:
        statement = funnel_sql.entry_statement(scope, stages, start, end, dimension)
    for row in session.execute(statement):
        figures = funnel(row.key).stages[by_key[row.stage]]
        figures.entered = row.entered
        if timed:
            figures.avg_seconds, figures.median_seconds = number(row.avg_seconds), number(row.median_seconds)
    statement = funnel_sql.closing_statement(dialect, scope, stages, start, end, currency, dimension)
    for row in session.execute(statement):
        found = funnel(row.key)
        found.won, found.lost = row.won, row.lost
        found.won_total, found.won_counted = decimal(row.won_total), row.won_counted
        found.cycle_seconds = number(row.cycle_seconds)
    for found in funnels.values():
        convert(found)
    return sorted(funnels.values(), key=lambda f: (f.key is None, f.key))


def total(funnels: Sequence[Funnel], stages: Sequence[StageRef]) -> Funnel:
    """The whole funnel from its groups' (without the times in stage): a deal's stays all carry its
    one owner, so each deal is in one group and its entries and closing add up once."""
    found, cycles = Funnel(0, [StageFigures(stage) for stage in stages]), 0.0
    for funnel in funnels:
        for figures, part in zip(found.stages, funnel.stages, strict=True):
            figures.entered += part.entered
        found.won, found.lost, found.won_counted = found.won + funnel.won, found.lost + funnel.lost, found.won_counted + funnel.won_counted
        if funnel.won_total is not None:
            found.won_total = (found.won_total or Decimal(0)) + funnel.won_total
        cycles += (funnel.cycle_seconds or 0.0) * funnel.won
    found.cycle_seconds = cycles / found.won if found.won else None
    convert(found)
    return found


def convert(funnel: Funnel) -> None:
    """Each open stage's conversion: the next open stage's entries (after the last: the deals won)
    over its own."""
    open_stages = [figures for figures in funnel.stages if figures.stage.kind == "open"]
    following = [figures.entered for figures in open_stages[1:]] + [funnel.won]
    for figures, then in zip(open_stages, following, strict=True):
        figures.conversion = then / figures.entered if figures.entered else None


def snapshots(session, scope: Sequence[Any], stages: Sequence[StageRef], moment: datetime, currency: str,
              dimension: str | None = None) -> list[Snapshot]:
    """Open deals per stage at ``moment``, per key, rebuilt from the moves; ``scope``: the
    conditions on the kept stays of the deals the reader counts (``common.stays``)."""
    found: dict[Any, Snapshot] = {}
    for row in session.execute(funnel_sql.as_of_statement(scope, stages, moment, currency, dimension)):
        snapshot = found.setdefault(row.key, Snapshot(row.key))
        stage_id = int(row.stage)
        snapshot.deals[stage_id] = row.deals
        if row.amount is not None:
            snapshot.amounts[stage_id] = decimal(row.amount)
    return sorted(found.values(), key=lambda s: (s.key is None, s.key))
