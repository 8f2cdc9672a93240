"""Admins' changes to pipelines, their stages, loss reasons and the price list.

Stages keep their history: archiving a stage only stops new moves into it (the workflow offers
live stages as targets), its deals and the transitions that passed through it stay. Positions are
renumbered 0..n-1 on every reorder, so "up" and "down" are a swap of neighbours.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import CURRENCIES, STAGE_KINDS, LossReason, Pipeline, PriceItem, Stage
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

# A new pipeline's stages: names, probability, kind, colour, rot days.
DEFAULT_STAGES = (
    ({"en": "Qualification", "ru": "Квалификация", "kk": "Біліктілік"}, 10, "open", "#60a5fa", 14),
    ({"en": "Proposal", "ru": "Предложение", "kk": "Ұсыныс"}, 40, "open", "#a78bfa", 14),
    ({"en": "Negotiation", "ru": "Переговоры", "kk": "Келіссөз"}, 70, "open", "#f59e0b", 7),
    ({"en": "Won", "ru": "Выиграна", "kk": "Сәтті"}, 100, "won", "#16a34a", None),
    ({"en": "Lost", "ru": "Проиграна", "kk": "Сәтсіз"}, 0, "lost", "#dc2626", None),
)
LIST_LIMIT = 500


def saved(session) -> None:
    """Commit, and drop the request's cached pipelines, stages and reasons (names.py), so what
    follows in the same request (a deal made right after, the demo) reads the change."""
    session.commit()
    names.forget()


class SetupError(ValueError):
    """Bad admin input; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def pipelines(session) -> list[Pipeline]:
    statement = select(Pipeline).order_by(Pipeline.archived_at.is_not(None), Pipeline.position, Pipeline.id)
    return list(session.execute(statement.limit(LIST_LIMIT)).scalars())


def stages_of(session, pipeline_id: int) -> list[Stage]:
    statement = select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position, Stage.id)
    return list(session.execute(statement.limit(LIST_LIMIT)).scalars())


def need_a_name(names: dict[str, str]) -> None:
    if not names:
        raise SetupError({"name": [_("Give a name in at least one language.")]})


def create_pipeline(session, names: dict[str, str], department_id: int | None = None, currency: str = "KZT") -> Pipeline:
    """A pipeline with the default stages, placed last."""
    need_a_name(names)
    if currency not in CURRENCIES:
        raise SetupError({"currency": [_("Choose one of the currencies offered.")]})
    last = session.execute(select(func.max(Pipeline.position))).scalar()
    pipeline = Pipeline(names=names, department_id=department_id, currency=currency, position=(last or 0) + 1)
    session.add(pipeline)
    session.flush()
    for position, (stage_names, probability, kind, color, rot_days) in enumerate(DEFAULT_STAGES):
        session.add(Stage(pipeline_id=pipeline.id, names=dict(stage_names), position=position, probability=probability,
                          kind=kind, color=color, rot_days=rot_days))
    saved(session)
    return pipeline


def update_pipeline(session, pipeline: Pipeline, names: dict[str, str], department_id: int | None, currency: str) -> None:
    need_a_name(names)
    if currency not in CURRENCIES:
        raise SetupError({"currency": [_("Choose one of the currencies offered.")]})
    pipeline.names, pipeline.department_id, pipeline.currency = names, department_id, currency
    saved(session)


def stage_values(form: Any, names: dict[str, str]) -> dict[str, Any]:
    """A stage's fields from a posted form, or SetupError naming each bad one."""
    errors: dict[str, list[str]] = {}
    if not names:
        errors["name"] = [_("Give a name in at least one language.")]
    kind = form.get("kind", "open")
    if kind not in STAGE_KINDS:
        errors["kind"] = [_("Choose open, won or lost.")]
    probability = whole(form.get("probability", "0"), 0, 100, "probability", errors)
    rot_text = (form.get("rot_days") or "").strip()
    rot_days = whole(rot_text, 1, 3650, "rot_days", errors) if rot_text else None
    color = (form.get("color") or "#6b7280").strip()
    if not (len(color) == 7 and color.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
        errors["color"] = [_("A colour like #3366cc.")]
    if errors:
        raise SetupError(errors)
    return {"names": names, "kind": kind, "probability": probability, "rot_days": rot_days, "color": color.lower()}


def whole(text: str, low: int, high: int, name: str, errors: dict[str, list[str]]) -> int:
    try:
        value = int((text or "").strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        errors[name] = [_("A whole number from %(low)d to %(high)d.", low=low, high=high)]
        return low
    return value


def add_stage(session, pipeline: Pipeline, values: dict[str, Any]) -> Stage:
    """A new stage, placed before the pipeline's first closed stage when it is open, else last."""
    stages = stages_of(session, pipeline.id)
    first_closed = next((i for i, s in enumerate(stages) if s.kind != "open"), len(stages))
    at = first_closed if values["kind"] == "open" else len(stages)
    stage = Stage(pipeline_id=pipeline.id, **values)
    stages.insert(at, stage)
    session.add(stage)
    renumber(stages)
    saved(session)
    return stage


def update_stage(session, stage: Stage, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(stage, name, value)
    saved(session)


def renumber(rows: list[Any]) -> None:
    for position, row in enumerate(rows):
        row.position = position


def move(session, rows: list[Any], row: Any, direction: str) -> None:
    """Swap ``row`` with its neighbour above (``up``) or below (``down``) in ``rows``."""
    index = rows.index(row)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    renumber(rows)
    saved(session)


def set_archived(session, row: Any, archived: bool) -> None:
    """Archive (no new deals go there; history stays) or bring back a pipeline, stage, reason or price."""
    row.archived_at = utcnow() if archived else None
    saved(session)


def loss_reasons(session) -> list[LossReason]:
    statement = select(LossReason).order_by(LossReason.archived_at.is_not(None), LossReason.position, LossReason.id)
    return list(session.execute(statement.limit(LIST_LIMIT)).scalars())


def add_loss_reason(session, names: dict[str, str]) -> LossReason:
    need_a_name(names)
    last = session.execute(select(func.max(LossReason.position))).scalar()
    reason = LossReason(names=names, position=(last or 0) + 1)
    session.add(reason)
    saved(session)
    return reason


def price_items(session, after_name: str | None = None, limit: int = 100) -> list[PriceItem]:
    """The price list by name, a page at a time (``after_name``: the last name of the page before)."""
    statement = select(PriceItem).order_by(PriceItem.name, PriceItem.id)
    if after_name is not None:
        statement = statement.where(PriceItem.name > after_name)
    return list(session.execute(statement.limit(limit)).scalars())


def price_values(form: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = (form.get("name") or "").strip()
    if not 1 <= len(name) <= 200:
        errors["name"] = [_("Give a name of up to 200 characters.")]
    code = (form.get("code") or "").strip() or None
    if code and len(code) > 50:
        errors["code"] = [_("Up to 50 characters.")]
    unit = (form.get("unit") or "").strip()
    if len(unit) > 20:
        errors["unit"] = [_("Up to 20 characters.")]
    currency = form.get("currency", "KZT")
    if currency not in CURRENCIES:
        errors["currency"] = [_("Choose one of the currencies offered.")]
    price = decimal_in(form.get("price"), Decimal("0"), Decimal("9999999999999999.99"), "price", errors)
    vat_rate = decimal_in(form.get("vat_rate") or "0", Decimal("0"), Decimal("100"), "vat_rate", errors)
    if errors:
        raise SetupError(errors)
    return {"name": name, "code": code, "unit": unit, "currency": currency, "price": price, "vat_rate": vat_rate}


def decimal_in(text: Any, low: Decimal, high: Decimal, name: str, errors: dict[str, list[str]]) -> Decimal:
    """A number with at most two decimal places between ``low`` and ``high`` (a comma works as the point)."""
    try:
        value = Decimal(str(text or "").strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not low <= value <= high or value != value.quantize(Decimal("0.01")):
        errors[name] = [_("A number from %(low)s to %(high)s with at most two decimals.", low=low, high=high)]
        return low
    return value
