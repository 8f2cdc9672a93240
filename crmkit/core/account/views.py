"""/account: every user's own name, language, time zone and password; the two-factor login and
the signed-in sessions have their own modules on the same blueprint."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crmkit import db
from crmkit.core.auth import sessions
from crmkit.core.auth.policy import password_problem
from crmkit.core.auth.service import UserError, change_password
from crmkit.core.org.service import valid_timezone
from crmkit.i18n import LANGUAGE_NAMES
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language"))
    timezone = StringField(_l("Time zone"), validators=[Optional(), Length(max=64)])

    def validate_timezone(self, field):
        if field.data and not valid_timezone(field.data.strip()):
            raise ValidationError(_("Unknown time zone; use a name such as Asia/Almaty."))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])

    def validate_current_password(self, field):
        if not current_user.check_password(field.data or ""):
            raise ValidationError(_("The current password is wrong."))

    def validate_new_password(self, field):
        if problem := password_problem(field.data or "", current_user.email, current_user.name):
            raise ValidationError(problem)


def forms(profile_data=None, password_data=None):
    profile = ProfileForm(formdata=profile_data, obj=None if profile_data else current_user)
    profile.locale.choices = [("", _("As the browser asks"))] + [
        (code, LANGUAGE_NAMES.get(code, code), {"lang": code}) for code in current_app.config["LANGUAGES"]
    ]  # each language in its own words, marked as such
    password = PasswordForm(formdata=password_data)
    return profile, password


@bp.route("/", methods=["GET"])
def index():
    profile, password = forms()
    return page(profile, password)


def page(profile, password, status=200):
    live = sessions.live_sessions(db.session(), current_user.id)
    current = sessions.current()
    return render_template(
        "account/index.html", profile=profile, password=password, sessions=live,
        current_session_id=current.id if current else None,
    ), status


@bp.route("/profile", methods=["POST"])
def profile():
    profile, password = forms(profile_data=request.form)
    if profile.validate():
        user = current_user._get_current_object()
        user.name = (profile.name.data or "").strip()
        user.locale = profile.locale.data or None
        user.timezone = (profile.timezone.data or "").strip() or None
        db.session().add(user)
        db.session().commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.index"))
    return page(profile, password, 422)


@bp.route("/password", methods=["POST"])
def password():
    profile, password = forms(password_data=request.form)
    if password.validate():
        user = current_user._get_current_object()
        try:
            current = sessions.current()
            change_password(db.session(), user, password.new_password.data, keep_session_id=current.id if current else None)
        except UserError as error:
            password.new_password.errors.append(str(error))
        else:
            flash(_("Your password is changed; you were logged out everywhere else."), "success")
            return redirect(url_for("account.index"))
    return page(profile, password, 422)


from crmkit.core.account import sessions_views, two_factor_views  # noqa: E402,F401 - routes on bp
