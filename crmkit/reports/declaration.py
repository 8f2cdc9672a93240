"""What a plugin says about a report; the frame gives it the rest.

A report is declared once, through the ``register_reports`` hook, in one of two forms:

- Declared: ``Report(name, label, entity, dimensions=..., measures=...)``. The frame compiles it
  into ONE aggregate SELECT over the entity's table (``GROUP BY`` the chosen dimension), with the
  filter bar's conditions and the user's record visibility in the same SQL, and links every figure
  to the entity's list filtered the same way (the drill-down).
- Scripted: ``Report(name, label, entity, script=build)`` for figures that are not one GROUP BY
  (a funnel, a heatmap, an ABC split). ``build(ctx)`` gets a ``Context`` (the parsed filters, the
  visibility condition, the user's time zone, bucket expressions, the database session), runs its
  own SQLAlchemy Core selects and returns a ``Result``: columns, rows (each figure with its
  drill-down) and a ``Chart``.

Either way the frame draws the filter bar, the chart (SVG on the server), the table, CSV and XLSX
export, saved reports, scheduled mailings and the benchmark. Nothing here loads records into Python:
every figure is an aggregate computed by the database.

Keys: a core report is called by its name (``clients_new``); a plugin's carries the plugin's name
(``real_estate.showings``), like entity keys. Running one needs the permission
``reports.<key>.view`` (granted by ``*.view`` patterns too) and the entity's ``<entity>.view``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crmkit.reports.context import Context

# The filters of the common bar, in the order the bar shows them.
COMMON_FILTERS = ("period", "office", "department", "employee", "pipeline", "source")
# Presets of the period filter; "custom" reads ``start`` and ``end`` dates (the user's time zone).
PERIODS = ("today", "this_week", "this_month", "last_month", "this_quarter", "this_year", "all", "custom")
TIME_BUCKETS = ("day", "week", "month")  # weeks start on Monday, all in the user's time zone
AGGREGATES = ("count", "sum", "avg", "min", "max", "count_distinct")
CHART_KINDS = ("bar", "hbar", "line", "pie", "funnel", "heatmap", "none")
VALUE_KINDS = ("int", "decimal", "money", "percent", "text", "date", "duration")


@dataclass(frozen=True)
class Dimension:
    """A column the figures are grouped by (one row of the table per value).

    :param name: its key in URLs (``?by=owner``) and in ``Result`` rows.
    :param label: the column heading, a lazy gettext string.
    :param column: the entity table's column holding the value (``"owner_id"``, ``"source"``);
        for a time dimension, the moment column bucketed (``"created_at"``).
    :param bucket: ``"day"``, ``"week"`` or ``"month"`` for a time dimension, counted in the user's
        time zone; None for a plain value.
    :param names: how values are shown: a function ``names(ctx, values) -> {value: text}`` run once
        with all the values of the page (one query, e.g. user ids to names); None shows the value
        itself, a choice through the entity's ``display`` (``"call"`` -> "Call"). The frame names
        ``owner``-like dimensions itself when ``column == "owner_id"``, and time buckets by date.
    :param drill: the entity-list filter a value maps to (``"owner_id"`` -> ``?owner_id=7``); by
        default ``column``. A time bucket drills as ``<column>__gte``/``<column>__lt`` in UTC. None
        (with ``column`` unfit for the list) links no figure of this dimension.
    :param expression: instead of ``column``, ``expression(ctx, table)`` giving a Core expression to
        group by (e.g. the owner's department through a join condition); give ``drill_args`` too.
    :param drill_args: for an ``expression``, ``drill_args(ctx, value) -> {arg: text}``, the list
        filters matching one value; None links no figure of this dimension.
    """

    name: str
    label: Any
    column: str | None = None
    bucket: str | None = None
    names: Callable[[Context, Sequence[Any]], dict[Any, str]] | None = None
    drill: str | None = ""
    expression: Callable[[Context, Any], Any] | None = None
    drill_args: Callable[[Context, Any], dict[str, str]] | None = None

    def __post_init__(self) -> None:
        if (self.column is None) == (self.expression is None):
            raise ValueError(f"dimension {self.name!r} needs exactly one of column and expression")
        if self.bucket is not None and self.bucket not in TIME_BUCKETS:
            raise ValueError(f"dimension {self.name!r}: bucket must be one of {TIME_BUCKETS}")


@dataclass(frozen=True)
class Measure:
    """A figure computed for each group: an SQL aggregate.

    :param name: its key in ``?measure=`` and in ``Result`` rows.
    :param label: the column heading, a lazy gettext string.
    :param aggregate: ``count`` (rows; ``column`` unused), ``count_distinct``, ``sum``, ``avg``,
        ``min`` or ``max`` of ``column``.
    :param column: the entity table's column aggregated.
    :param kind: how the figure is shown and exported: ``int``, ``decimal``, ``money``, ``percent``.
    :param where: only rows matching these entity fields count toward this measure (``{"kind":
        "call"}``): a ``CASE`` inside the aggregate, so several measures still make one query; the
        drill-down adds the same fields as list filters.
    :param expression: instead of ``aggregate``/``column``, ``expression(ctx, table)`` giving a Core
        aggregate (``func.sum(table.c.won_amount)``); its figures link to the group's records.
    """

    name: str
    label: Any
    aggregate: str = "count"
    column: str | None = None
    kind: str = "int"
    where: dict[str, Any] = field(default_factory=dict)
    expression: Callable[[Context, Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.expression is None and self.aggregate not in AGGREGATES:
            raise ValueError(f"measure {self.name!r}: aggregate must be one of {AGGREGATES}")
        if self.expression is None and self.aggregate != "count" and not self.column:
            raise ValueError(f"measure {self.name!r}: {self.aggregate} needs a column")
        if self.kind not in VALUE_KINDS:
            raise ValueError(f"measure {self.name!r}: kind must be one of {VALUE_KINDS}")


@dataclass(frozen=True)
class Filter:
    """A filter a report adds to the common bar, read from the query string under ``name``.

    :param name: the query-string key (``?segment=vip``); must not be one of the common filters'.
    :param label: the field's label, a lazy gettext string.
    :param kind: the input: ``choice`` (a select of ``choices``), ``int``, ``text``, ``date``, ``bool``.
    :param choices: for ``choice``: ``choices(ctx) -> [(value, label), ...]``.
    :param default: the value when the query string has none (a text, as typed), or None.
    :param column: the simple case: rows whose entity column equals the value; the drill-down adds
        ``?<column>=<value>``. Leave None and give ``condition`` for anything else.
    :param condition: ``condition(ctx, table, value) -> Core condition`` added to the WHERE; also
        usable by a scripted report through ``ctx.values[name]``.
    :param drill_args: ``drill_args(ctx, value) -> {arg: text}``, list filters matching ``condition``.
    """

    name: str
    label: Any
    kind: str = "choice"
    choices: Callable[[Context], Sequence[tuple[str, Any]]] | None = None
    default: str | None = None
    column: str | None = None
    condition: Callable[[Context, Any, Any], Any] | None = None
    drill_args: Callable[[Context, Any], dict[str, str]] | None = None


@dataclass(frozen=True)
class Column:
    """A column of a scripted report's table.

    :param name: the key of its values in each ``Row``.
    :param label: the heading, a lazy gettext string.
    :param kind: one of ``VALUE_KINDS``: how values are formatted on the page and typed in XLSX.
    """

    name: str
    label: Any
    kind: str = "int"


@dataclass(frozen=True)
class Row:
    """One row of a report's table.

    :param values: column name -> value (numbers stay numbers: Decimal, int, float; None is blank).
    :param drill: column name -> the list query args of the records behind that figure
        (``{"count": {"owner_id": "7", "created_at__gte": "..."}}``); figures without one aren't links.
    :param entity: the entity key the drill-downs of this row list, when not the report's.
    """

    values: dict[str, Any]
    drill: dict[str, dict[str, str]] = field(default_factory=dict)
    entity: str | None = None


@dataclass(frozen=True)
class Series:
    """One series of a chart: a label and one value per ``Chart.x_labels`` entry."""

    label: Any
    values: Sequence[float | int | None]


@dataclass(frozen=True)
class Chart:
    """A chart the frame draws as SVG on the server.

    :param kind: ``bar``, ``hbar``, ``line``, ``pie``, ``funnel`` (pygal), ``heatmap`` (a grid: one
        series per row, one value per column) or ``none``.
    :param x_labels: the categories (bars, points, slices, heatmap columns), already translated.
    :param series: the data; a pie or funnel draws the first series' values as its slices.
    :param title: shown above the chart, or None.
    """

    kind: str
    x_labels: Sequence[str]
    series: Sequence[Series]
    title: Any = None


@dataclass(frozen=True)
class Result:
    """What a report computed: what the page, the exports and the mailing show.

    :param columns: the table's columns, in order; the first is usually the dimension.
    :param rows: the table's rows.
    :param chart: the chart above the table, or None for none.
    :param totals: an optional last row (``Row``) shown in bold and exported last.
    """

    columns: Sequence[Column]
    rows: Sequence[Row]
    chart: Chart | None = None
    totals: Row | None = None


@dataclass(frozen=True)
class Report:
    """A report, declared through ``register_reports``.

    :param name: short name, unique within the plugin (``"clients_new"``).
    :param label: its title, a lazy gettext string.
    :param entity: the key of the entity whose records are behind every figure (``"deal"``,
        ``"organization"``): visibility and the drill-down come from it.
    :param description: a sentence under the title on /reports, a lazy gettext string.
    :param dimensions: what the table may be grouped by; the user picks one (``?by=``), the first
        is the default. Declared form only.
    :param measures: the figures per group; the chart draws the first, or the one the user picks
        (``?measure=``). Declared form only.
    :param filters: filters this report adds to the common bar.
    :param common: which of ``COMMON_FILTERS`` the bar shows; ``period`` needs ``period_field``,
        ``pipeline`` and ``source`` need ``pipeline_field``/``source_field``; ``office``,
        ``department`` and ``employee`` narrow by ``owner_field``.
    :param period_field: the moment column the period bounds (``"created_at"``, ``"closed_at"``).
    :param owner_field: the column naming the employee a record counts for.
    :param pipeline_field: the column holding a deal's pipeline, or None.
    :param source_field: the column holding the source, or None.
    :param where: fixed conditions on entity fields every figure obeys (``{"is_client": True}``);
        the drill-down adds them as list filters.
    :param default_period: the period preset when the query string names none.
    :param chart: the chart kind (``CHART_KINDS``) of a declared report.
    :param script: the scripted form: ``script(ctx) -> Result``. Run its own Core selects, apply
        ``ctx.visible(entity_key, owner_column)`` and ``ctx.conditions(table)`` in them, never load
        records into Python; give each figure's drill-down in ``Row.drill``.
    :param members: for figures no list filter can express (an ABC class, clients idle for N
        days): ``members(ctx, figure) -> Core select of the entity's ids`` behind the figure named
        by ``figure`` (a dict of texts the script chose, e.g. ``{"class": "A"}``). Link a figure to
        its records with ``Row.drill = {column: ctx.members_args(**figure)}``: the entity's list then
        shows exactly ``members``' ids (``?in_report=...``), counted as the figure was.
    :param raw_sql: for benchmarks: ``raw_sql(ctx) -> [(sql text, params), ...]`` (or one such
        pair), the hand-written SQL of the default view as an admin sees it (``:name`` parameters;
        moments as aware datetimes), which benchmarks/measures/reports.py times beside the page.
    :param order: where the report sits on /reports.
    """

    name: str
    label: Any
    entity: str
    description: Any = ""
    dimensions: tuple[Dimension, ...] = ()
    measures: tuple[Measure, ...] = ()
    filters: tuple[Filter, ...] = ()
    common: tuple[str, ...] = COMMON_FILTERS
    period_field: str | None = "created_at"
    owner_field: str = "owner_id"
    pipeline_field: str | None = None
    source_field: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    default_period: str = "this_month"
    chart: str = "bar"
    script: Callable[[Context], Result] | None = None
    members: Callable[[Context, dict[str, str]], Any] | None = None
    raw_sql: Callable[[Context], Any] | None = None
    order: int = 100
    plugin: str = ""  # filled in by the registry

    def __post_init__(self) -> None:
        if self.script is None and not (self.dimensions and self.measures):
            raise ValueError(f"report {self.name!r} needs dimensions and measures, or a script")
        if self.chart not in CHART_KINDS:
            raise ValueError(f"report {self.name!r}: chart must be one of {CHART_KINDS}")
        if self.default_period not in PERIODS:
            raise ValueError(f"report {self.name!r}: default_period must be one of {PERIODS}")
        unknown = set(self.common) - set(COMMON_FILTERS)
        if unknown:
            raise ValueError(f"report {self.name!r}: unknown common filters {sorted(unknown)}")
        clash = {f.name for f in self.filters} & (set(COMMON_FILTERS) | {"start", "end", "by", "measure"})
        if clash:
            raise ValueError(f"report {self.name!r}: filter names {sorted(clash)} are the frame's")

    @property
    def key(self) -> str:
        """Core reports are called by their name; others carry their plugin's: ``real_estate.showings``."""
        if not self.plugin or self.plugin.startswith("core."):
            return self.name
        return f"{self.plugin}.{self.name}"

    @property
    def permission(self) -> str:
        return f"reports.{self.key}.view"

    @property
    def scripted(self) -> bool:
        return self.script is not None

    def shows(self, common_filter: str) -> bool:
        """Whether the bar offers ``common_filter`` for this report (it needs its column)."""
        needs = {"period": self.period_field, "pipeline": self.pipeline_field, "source": self.source_field}
        return common_filter in self.common and needs.get(common_filter, True) is not None

    def dimension(self, name: str | None) -> Dimension:
        return next((d for d in self.dimensions if d.name == name), self.dimensions[0])

    def owned_by(self, plugin: str) -> Report:
        return replace(self, plugin=plugin)
