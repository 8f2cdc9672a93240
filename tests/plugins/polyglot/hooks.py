"""One page whose words come from this plugin's own catalog and whose layout from the core's."""

from flask import Blueprint, render_template, request
from crmkit import NavItem, hookimpl
from crmkit.plugin_i18n import Messages

_l = Messages(__name__).lazy_gettext

bp = Blueprint("polyglot", __name__, url_prefix="/polyglot")


@bp.route("/")
def index():
    return render_template("polyglot/index.html", calls=request.args.get("calls", 1, type=int))


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Phrasebook"), endpoint="polyglot.index", order=60)]
