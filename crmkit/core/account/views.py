"""/account: every user's own name, language, time zone and password."""

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
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crmkit import db
from crmkit.core.auth.service import UserError, change_password, password_problem
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
        if problem := password_problem(field.data or ""):
            raise ValidationError(problem)


def forms(profile_data=None, password_data=None):
    profile = ProfileForm(formdata=profile_data, obj=None if profile_data else current_user)
    profile.locale.choices = [("", _("As the browser asks"))] + [
        (code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]
    ]
    password = PasswordForm(formdata=password_data)
    return profile, password


@bp.route("/", methods=["GET"])
def index():
    profile, password = forms()
    return render_template("account/index.html", profile=profile, password=password)


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
    return render_template("account/index.html", profile=profile, password=password), 422


@bp.route("/password", methods=["POST"])
def password():
    profile, password = forms(password_data=request.form)
    if password.validate():
        user = current_user._get_current_object()
        try:
            change_password(db.session(), user, password.new_password.data)
        except UserError as error:
            password.new_password.errors.append(str(error))
        else:
            login_user(user)  # this browser stays logged in with the new token; every other session ends
            flash(_("Your password is changed; you were logged out everywhere else."), "success")
            return redirect(url_for("account.index"))
    return render_template("account/index.html", profile=profile, password=password), 422
