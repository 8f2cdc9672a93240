"""/account/two-factor: switch one's own two-factor login on (scan, confirm a code, keep the recovery
codes) and off (with a current code). The logic is in crmkit.core.auth.two_factor."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from crmkit import audit, db
from crmkit.core.account.views import bp
from crmkit.core.auth import throttle, two_factor
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l


class ConfirmForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"), validators=[DataRequired(_l("Enter the code."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class DisableForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"), validators=[DataRequired(_l("Enter the code."))],
        render_kw={"autocomplete": "one-time-code"},
    )


class StartForm(FlaskForm):
    """Only the CSRF token: starting enrolment changes the stored secret."""


def show(confirm=None, disable=None, codes=None, status=200):
    user = current_user._get_current_object()
    pending = user.totp_secret is not None and not user.has_two_factor
    return render_template(
        "account/two_factor.html",
        user=user,
        pending=pending,
        qr=two_factor.qr_svg(user) if pending else None,
        start=StartForm(),
        confirm=confirm or ConfirmForm(),
        disable=disable or DisableForm(),
        codes=codes,
        unused=two_factor.unused_recovery_codes(db.session(), user) if user.has_two_factor else 0,
        required=two_factor.required_for(user),
    ), status


@bp.route("/two-factor", methods=["GET"], endpoint="two_factor")
def two_factor_page():
    return show()


@bp.route("/two-factor/start", methods=["POST"])
def two_factor_start():
    """A new secret to scan; a user who has 2FA on must switch it off first."""
    user = current_user._get_current_object()
    if StartForm().validate_on_submit() and not user.has_two_factor:
        two_factor.start_enrolment(db.session(), user)
    return redirect(url_for("account.two_factor"))


@bp.route("/two-factor/confirm", methods=["POST"])
def two_factor_confirm():
    """The first right code switches 2FA on; the recovery codes are shown on this response only."""
    user = current_user._get_current_object()
    form = ConfirmForm()
    if form.validate_on_submit() and user.totp_secret and not user.has_two_factor:
        session = db.session()
        codes = two_factor.confirm_enrolment(session, user, form.code.data or "")
        if codes:
            audit.record("two_factor_enabled")
            return show(codes=codes)
        session.rollback()
        form.code.errors.append(_("Wrong code; check the time on your phone and try the current one."))
    return show(confirm=form, status=422)


@bp.route("/two-factor/disable", methods=["POST"])
def two_factor_disable():
    user = current_user._get_current_object()
    form = DisableForm()
    if form.validate_on_submit() and user.has_two_factor:
        if throttle.login_blocked(user.email):  # a stolen session must not guess its way to 2FA off
            abort(429)
        session = db.session()
        if two_factor.verify(session, user, form.code.data or ""):
            two_factor.switch_off(session, user)
            audit.record("two_factor_disabled", commit=False)
            session.commit()
            flash(_("Two-factor login is off."), "success")
            return redirect(url_for("account.two_factor"))
        session.rollback()
        throttle.login_failed(user.email)
        form.code.errors.append(_("Wrong code; try the current one from your app."))
    return show(disable=form, status=422)
