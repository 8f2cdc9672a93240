"""A complaints register whose words are its own: a status "New" that must not rename the core's
"New" button, labels in its catalog, a page and a record panel translated in its domain."""

from flask import Blueprint, render_template
from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import EntityType, Panel, Record, hookimpl
from crmkit.plugin_i18n import Messages

messages = Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

STATUSES = {"new": _l("New"), "closed": _l("Closed")}
bp = Blueprint("wording", __name__, url_prefix="/wording")


class Complaint(Record, table=True):
    __tablename__ = "wording_complaint"

    title: str = Field(max_length=200, index=True)
    status: str = Field(default="new", max_length=20, index=True)


class ComplaintSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Title")})
    status = fields.String(
        load_default="new",
        validate=validate.OneOf(list(STATUSES)),
        metadata={"label": _l("Status"), "choices_labels": STATUSES},
    )


@bp.route("/")
def index():
    return render_template("wording/index.html", history=[], calls=3)


@hookimpl
def register_models():
    return [Complaint]


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_entities():
    return [
        EntityType(
            name="complaint",
            model=Complaint,
            schema=ComplaintSchema,
            label=_l("Complaint"),
            label_plural=_l("Complaints"),
            list_columns=("title", "status"),
            filters=("status",),
            title_field="title",
        )
    ]


@hookimpl
def entity_panels(entity, record, user):
    if entity.key != "wording.complaint":
        return []
    return [Panel(_l("Review"), "wording/panel.html", {"status": record.status})]


def status_line(count: int) -> str:
    """A plural from the plugin's catalog, with its language's plural rule."""
    return messages.ngettext("%(num)d complaint is new", "%(num)d complaints are new", count)
