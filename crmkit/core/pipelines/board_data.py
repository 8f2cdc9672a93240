"""What a pipeline's board reads: its columns (stages), each column's totals, a page of cards per
column and the next activity of each card, for one user through ``Records(deal).select()``, so a
board holds only the deals its user may see.

Every query reads a bounded range of an index. Totals: one GROUP BY over ``ix_pipelines_deal_totals``
(stage, closed_at, ...): the open deals (closed_at NULL) and those closed in the last
``CLOSED_DAYS`` days, so won and lost columns don't grow with years of history. Cards: the newest
first by id on ``ix_pipelines_deal_board`` (or the owner's index for an agent), ``PAGE`` at a
time with a keyset cursor (the last card's id, and closing time in a won or lost column), never an OFFSET.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, get_currency_precision, get_currency_symbol
from flask_babel import get_timezone
from sqlalchemy import and_, case, func, or_, select, union_all

from crmkit.core.access.models import Department
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.pipelines import totals as kept
from crmkit.core.pipelines.models import Deal, Pipeline, Stage
from crmkit.db import among, utcnow
from crmkit.entities.service import Records

PAGE = 50  # cards per column, then "show more"
CLOSED_DAYS = 30  # won and lost columns show the deals closed this recently, unless a period is chosen
CENT = Decimal("0.01")
PERIODS = ("created", "close")


# filters
def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    """The board's filter bar; a value that doesn't parse is left out rather than refused."""

    owner_id: int | None = None
    department_id: int | None = None
    office_id: int | None = None
    period: str = "created"  # created: when the deal was entered; close: its expected close date
    start: date | None = None
    end: date | None = None
    source: str | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        period = args.get("period")
        return cls(
            owner_id=_int(args.get("owner")),
            department_id=_int(args.get("department")),
            office_id=_int(args.get("office")),
            period=period if period in PERIODS else "created",
            start=_date(args.get("from")),
            end=_date(args.get("to")),
            source=(args.get("source") or "").strip()[:40] or None,
        )

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def args(self) -> dict[str, str]:
        """The filters as query arguments, for links that keep them (show more, moves)."""
        found = {"owner": self.owner_id, "department": self.department_id, "office": self.office_id,
                 "from": self.start, "to": self.end, "source": self.source}
        shown = {name: str(value) for name, value in found.items() if value is not None}
        if self.dated:
            shown["period"] = self.period
        return shown

    def apply(self, statement):
        if self.owner_id is not None:
            statement = statement.where(Deal.owner_id == self.owner_id)
        if self.department_id is not None or self.office_id is not None:
            statement = statement.where(Deal.owner_id.in_(self._owners()))
        if self.source:
            statement = statement.where(Deal.source == self.source)
        if self.period == "close":
            if self.start:
                statement = statement.where(Deal.expected_close_on >= self.start)
            if self.end:
                statement = statement.where(Deal.expected_close_on <= self.end)
        else:
            if self.start:
                statement = statement.where(Deal.created_at >= local_midnight(self.start))
            if self.end:
                statement = statement.where(Deal.created_at < local_midnight(self.end + timedelta(days=1)))
        return statement

    def _owners(self):
        """The users of the chosen department (and those under it) or of the chosen office."""
        users = select(User.id)
        if self.department_id is not None:
            users = users.where(User.department_id.in_(select(department_tree(self.department_id))))
        if self.office_id is not None:
            users = users.where(User.department_id.in_(select(Department.id).where(Department.office_id == self.office_id)))
        return users


def department_tree(department_id: int):
    """A department and every one under it, as a recursive CTE's column."""
    tree = select(Department.id).where(Department.id == department_id).cte("board_departments", recursive=True)
    tree = tree.union(select(Department.id).join(tree, Department.parent_id == tree.c.id))
    return tree.c.id


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), get_timezone()).astimezone(UTC)


def visible_window(filters: Filters, now: datetime | None = None):
    """Which deals a column holds: open ones, and closed ones closed lately (any, with a period)."""
    if filters.dated:
        return None
    return (now or utcnow()) - timedelta(days=CLOSED_DAYS)


# columns
@dataclass
class Column:
    stage: Stage
    name: str
    count: int = 0
    sums: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount
    weighted: dict[str, Decimal] = field(default_factory=dict)
    cards: list[Any] = field(default_factory=list)
    after: dict[str, str] | None = None  # the next page's cursor (query arguments), when there is one

    @property
    def target(self) -> bool:
        """Whether cards may be moved here (an archived stage only keeps what it has)."""
        return self.stage.archived_at is None


def stages_of(db, pipeline: Pipeline) -> list[Stage]:
    statement = select(Stage).where(Stage.pipeline_id == pipeline.id).order_by(Stage.position, Stage.id)
    return list(db.execute(statement).scalars())


def totals(records: Records, stages: list[Stage], filters: Filters, since) -> dict[int, tuple[int, dict, dict]]:
    """Per stage: the count, the sum per currency and the sum weighted by probability (the deal's,
    else the stage's; a won deal weighs its whole amount, a lost one nothing), of the open stages'
    deals and the closed stages' recent ones. From the kept totals (totals.py) when the filters
    allow, else summed from the deals."""
    if not stages:
        return {}
    open_ids = [stage.id for stage in stages if stage.kind == "open"]
    closed_ids = [stage.id for stage in stages if stage.kind != "open"]
    if since is None or filters.source or not records.can("view"):  # a period or a source: the totals don't say
        sums = live_sums(records, filters, open_ids, closed_ids, since)
    else:
        sums = kept_sums(records, filters, open_ids, closed_ids, since)
    return columns_of(stages, sums)


def kept_sums(records: Records, filters: Filters, open_ids: list[int], closed_ids: list[int], since) -> dict:
    """The kept totals of the owners the user sees (and the filters choose), and for the first day
    of the window, which the kept days don't split, the deals closed since ``since`` that day."""
    owners = records.access.owner_ids(records.access.level(records.entity.key))  # what Records.select() narrows to
    if filters.owner_id is not None:
        owners = {filters.owner_id} if owners is None else owners & {filters.owner_id}
    if filters.department_id is not None or filters.office_id is not None:
        chosen = set(records.db.execute(filters._owners()).scalars())
        owners = chosen if owners is None else owners & chosen
    first_day = kept.day_of(since)
    sums = kept.read(records.db, open_ids, closed_ids, first_day, owners)
    if closed_ids:
        for key, part in live_sums(records, filters, [], closed_ids, since, kept.day_start(first_day + 1)).items():
            sums.setdefault(key, kept.Sums()).add(part)
    return sums


def live_sums(records: Records, filters: Filters, open_ids: list[int], closed_ids: list[int], since, until=None) -> dict:
    """The same sums from the deals: one GROUP BY over the open stages' deals and the closed
    stages' closed in [since, until)."""
    base = filters.apply(records.select())
    columns = (Deal.stage_id, Deal.currency, Deal.amount, Deal.probability)
    closing = [closed_since(since)] + ([Deal.closed_at < until] if until is not None else [])
    parts = [base.where(Deal.stage_id.in_(closed_ids), *closing).with_only_columns(*columns)] if closed_ids else []
    if open_ids:
        parts.insert(0, base.where(Deal.stage_id.in_(open_ids)).with_only_columns(*columns))
    if not parts:
        return {}
    rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("board_deals")
    statement = select(
        rows.c.stage_id, rows.c.currency, func.count(), func.count(rows.c.amount), func.sum(rows.c.amount),
        func.sum(case((rows.c.probability.is_(None), rows.c.amount))), func.sum(rows.c.amount * rows.c.probability),
    ).group_by(rows.c.stage_id, rows.c.currency)
    return {(stage_id, currency): kept.Sums(count, amounts, money(total), money(by_stage), money(by_deal))
            for stage_id, currency, count, amounts, total, by_stage, by_deal in records.db.execute(statement)}


def columns_of(stages: list[Stage], sums: dict) -> dict[int, tuple[int, dict, dict]]:
    """Each column's count, sums and weighted sums per currency from its (stage, currency) sums."""
    by_id = {stage.id: stage for stage in stages}
    found: dict[int, tuple[int, dict, dict]] = {}
    for (stage_id, currency), part in sorted(sums.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        stage = by_id.get(stage_id)
        if stage is None or part.deals == 0:
            continue
        number, amounts, weighted = found.setdefault(stage_id, (0, {}, {}))
        weight = (part.unweighted * stage.probability + part.weighted) / 100
        if stage.kind != "open":  # a closed deal's chance is settled: won counts whole, lost nothing
            weight = part.amount if stage.kind == "won" else Decimal(0)
        if part.amounts:
            amounts[currency] = money(part.amount)
            weighted[currency] = weight.quantize(CENT)
        found[stage_id] = (number + part.deals, amounts, weighted)
    return found


def money(value: Any) -> Decimal:
    """A sum as Decimal to the tiyn (SQLite sums NUMERIC as floating point)."""
    return Decimal(str(value or 0)).quantize(CENT)


CARD_COLUMNS = (Deal.id, Deal.version, Deal.title, Deal.stage_id, Deal.organization_id, Deal.amount, Deal.currency,
                Deal.stage_entered_at, Deal.closed_at)


def closed_since(since):
    return Deal.closed_at.is_not(None) if since is None else Deal.closed_at >= since


def cards(records: Records, stage: Stage, filters: Filters, since, cursor=None, limit: int = PAGE) -> tuple[list[Any], dict | None]:
    """A page of a column's deals and the cursor of the next (None: no more). Open columns go
    newest first (by id, on ix_pipelines_deal_board); won and lost ones most recently closed
    first (by closed_at, on ix_pipelines_deal_totals), so years of closed deals are never read
    to find the last month's. Rows of the columns a card shows: a board draws 250 of them."""
    statement = filters.apply(records.select()).where(Deal.stage_id == stage.id)
    after = _int((cursor or {}).get("after"))
    if stage.kind == "open":
        if after is not None:
            statement = statement.where(Deal.id < after)
        # archived_at is NULL on every row here; naming it lets PostgreSQL read the board index in
        # order (an IS NULL condition doesn't count as equality for ordering), not walk the primary key
        order = (Deal.archived_at.desc(), Deal.id.desc())
    else:
        statement = statement.where(closed_since(since))
        closed = _moment((cursor or {}).get("closed"))
        if after is not None and closed is not None:
            statement = statement.where(or_(Deal.closed_at < closed, and_(Deal.closed_at == closed, Deal.id < after)))
        order = (Deal.closed_at.desc(), Deal.id.desc())
    statement = statement.with_only_columns(*CARD_COLUMNS).order_by(*order).limit(limit + 1)
    found = list(records.db.execute(statement))
    shown = found[:limit]
    if len(found) <= limit:
        return shown, None
    last = shown[-1]
    return shown, {"after": str(last.id)} if stage.kind == "open" else {"after": str(last.id), "closed": last.closed_at.isoformat()}


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def next_activities(user: Any, deal_ids: list[int], activities: Records | None, now: datetime | None = None) -> dict[int, Any]:
    """The earliest open task or meeting still to come about each deal, that the user sees (its
    subject and time); one query."""
    if not deal_ids or activities is None or not activities.can("view"):
        return {}
    now = now or utcnow()
    still_open = or_(
        (Activity.kind == "task") & (Activity.status == "open"),
        (Activity.kind == "meeting") & or_(Activity.status.is_(None), Activity.status == "open")
        & (func.coalesce(Activity.ends_at, Activity.happened_at) >= now),
    )
    rank = func.row_number().over(partition_by=Activity.about_id, order_by=(Activity.happened_at, Activity.id)).label("rank")
    ranked = (
        activities.select()
        .where(Activity.about_entity == "deal", among(Activity.about_id, deal_ids, activities.db.get_bind().dialect.name),
               Activity.happened_at.is_not(None), still_open)
        .with_only_columns(Activity.id, rank)
        .subquery("ranked")
    )
    shown = select(Activity.about_id, Activity.subject, Activity.happened_at)
    statement = shown.join(ranked, ranked.c.id == Activity.id).where(ranked.c.rank == 1)
    return {row.about_id: row for row in activities.db.execute(statement)}


class MoneyFormat:
    """Amounts written exactly as babel's format_currency writes them in ``locale``, without its
    lookups on every call (a board shows 250 amounts): the plain pattern of our languages (groups
    of three, two decimals) is applied directly; anything else is left to babel."""

    def __init__(self, locale):
        self.locale = locale
        pattern = locale.currency_formats["standard"]
        symbols = locale.number_symbols.get("latn", locale.number_symbols)
        self.plain = pattern.grouping == (3, 3) and pattern.frac_prec == (2, 2) and "¤" not in pattern.pattern.strip("¤\xa0 ")
        self.prefix, self.suffix = pattern.prefix[0], pattern.suffix[0]
        self.group, self.point = symbols["group"], symbols["decimal"]
        self.symbols: dict[str, str] = {}

    def __call__(self, amount: Any, currency: str) -> str:
        if amount is None:
            return ""
        if not self.plain or amount < 0 or get_currency_precision(currency) != 2:
            return format_currency(amount, currency, locale=self.locale)
        if currency not in self.symbols:
            self.symbols[currency] = get_currency_symbol(currency, self.locale)
        digits = f"{Decimal(amount):,.2f}".replace(",", "\0").replace(".", self.point).replace("\0", self.group)
        return (self.prefix + digits + self.suffix).replace("¤", self.symbols[currency])


def rotting(deal: Deal, stage: Stage, now: datetime | None = None) -> bool:
    """An open deal left in its stage longer than the stage's ``rot_days``."""
    if stage.kind != "open" or not stage.rot_days or deal.stage_entered_at is None:
        return False
    entered = deal.stage_entered_at if deal.stage_entered_at.tzinfo else deal.stage_entered_at.replace(tzinfo=UTC)
    return entered < (now or utcnow()) - timedelta(days=stage.rot_days)
