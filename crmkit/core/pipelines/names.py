"""Names that admins type per language (pipelines, stages, loss reasons), shown in the user's
language, and the small per-request lookups that show a deal's pipeline and stage by name.

The fallback order: the user's language, then English, Russian, Kazakh, then any name filled.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from flask_babel import get_locale
from sqlalchemy import select

from crmkit import db
from crmkit.core.pipelines.models import LossReason, Pipeline, Stage

LANGUAGES = ("ru", "kk", "en")
FALLBACK = ("en", "ru", "kk")
LOOKUP_LIMIT = 1000  # pipelines and stages are configuration: a handful, never a big table


def language() -> str:
    locale = get_locale() if has_app_context() else None
    return locale.language if locale is not None else "en"


def shown(names: dict[str, str] | None, lang: str | None = None) -> str:
    """The name in ``lang`` (the request's by default), else the first filled one of the fallbacks."""
    names = names or {}
    for code in (lang or language(), *FALLBACK):
        if (names.get(code) or "").strip():
            return names[code].strip()
    return next((value for value in names.values() if value and value.strip()), "")


def from_form(form: Any, prefix: str = "name") -> dict[str, str]:
    """``name_ru``, ``name_kk``, ``name_en`` of a posted form as a names mapping, empty ones left out."""
    return {code: value for code in LANGUAGES if (value := (form.get(f"{prefix}_{code}") or "").strip())}


def _cached(key: str, model: type) -> dict[int, Any]:
    """Rows of a configuration table by id, read once per request (or app context)."""
    found = g.get(key) if has_app_context() else None
    if found is None:
        rows = db.session().execute(select(model).order_by(model.id).limit(LOOKUP_LIMIT)).scalars()
        found = {row.id: row for row in rows}
        if has_app_context():
            setattr(g, key, found)
    return found


STATES_KEY = "deal_states_by_pipeline"  # crmkit.core.pipelines.deals.stage_states


def forget() -> None:
    """Drop this request's cached pipelines and stages (after an admin changed them)."""
    for key in ("pipelines_by_id", "stages_by_id", "loss_reasons_by_id", STATES_KEY):
        g.pop(key, None)


def pipelines() -> dict[int, Pipeline]:
    return _cached("pipelines_by_id", Pipeline)


def stages() -> dict[int, Stage]:
    return _cached("stages_by_id", Stage)


def loss_reasons() -> dict[int, LossReason]:
    return _cached("loss_reasons_by_id", LossReason)


def pipeline_name(pipeline_id: Any) -> str:
    pipeline = pipelines().get(pipeline_id)
    return shown(pipeline.names) if pipeline is not None else f"#{pipeline_id}"


def stage_name(stage_id: Any) -> str:
    stage = stages().get(stage_id)
    return shown(stage.names) if stage is not None else f"#{stage_id}"


def loss_reason_name(reason_id: Any) -> str:
    reason = loss_reasons().get(reason_id)
    return shown(reason.names) if reason is not None else f"#{reason_id}"


class Labels:
    """A mapping-like view of names by id for a form's select (``choices_labels``)."""

    def __init__(self, name_of):
        self.name_of = name_of

    def get(self, key: Any, default: Any = None) -> Any:
        return self.name_of(key)
