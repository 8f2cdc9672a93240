"""The mailbox form: every setting checked with a message per field; the password never shown."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from crmkit.core.intake_mail import sealing
from crmkit.core.intake_mail.models import DEFAULT_KEYWORD, Mailbox
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

SECURITY_LABELS = {
    "ssl": _l("TLS from the start (usually port 993)"),
    "starttls": _l("STARTTLS (usually port 143)"),
    "none": _l("None: only on a trusted network"),
}
DONE_LABELS = {
    "flag": _l("Mark them with a flag and leave them in the folder"),
    "move": _l("Move them to another folder"),
}
_HOST = re.compile(r"^[A-Za-z0-9.\-]{1,253}$|^\[?[0-9A-Fa-f:.]+\]?$")
_ATOM = re.compile(r"^\$?[A-Za-z0-9_.\-]{1,59}$")  # an IMAP keyword: no spaces, brackets, quotes or backslash
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
FIELDS = ("name", "host", "port", "security", "username", "folder", "alias", "done_action", "done_keyword",
          "done_folder", "poll_minutes", "max_message_kb", "take_existing", "active")


class MailboxForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the mailbox.")), Length(max=100)])
    host = StringField(_l("IMAP server"), validators=[DataRequired(_l("Enter the server's name, such as imap.mail.kz.")), Length(max=255)])
    port = IntegerField(_l("Port"), default=993, validators=[DataRequired(_l("Enter a port from 1 to 65535.")),
                                                              NumberRange(1, 65535, _l("Enter a port from 1 to 65535."))])
    security = SelectField(_l("Security"), choices=[SelectChoice(k, v) for k, v in SECURITY_LABELS.items()], default="ssl")
    username = StringField(_l("User name"), validators=[DataRequired(_l("Enter the user name the mailbox logs in with.")), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[Length(max=500)])
    folder = StringField(_l("Folder to read"), default="INBOX", validators=[DataRequired(_l("Enter a folder, such as INBOX.")), Length(max=200)])
    alias = StringField(_l("Address leads are written to"), validators=[Optional(), Length(max=320)],
                        description=_l("For source detection (a source's mailbox value); the user name when empty."))
    done_action = SelectField(_l("Taken messages"), choices=[SelectChoice(k, v) for k, v in DONE_LABELS.items()], default="flag")
    done_keyword = StringField(_l("Flag"), default=DEFAULT_KEYWORD, validators=[Length(max=60)])
    done_folder = StringField(_l("Folder for taken messages"), validators=[Length(max=200)])
    poll_minutes = IntegerField(_l("Check every (minutes)"), default=5,
                                validators=[DataRequired(_l("From 1 to 1440 minutes.")), NumberRange(1, 1440, _l("From 1 to 1440 minutes."))])
    max_message_kb = IntegerField(_l("Largest message read whole (KB)"), default=10240,
                                  validators=[DataRequired(_l("From 64 to 102400 KB.")), NumberRange(64, 102400, _l("From 64 to 102400 KB."))])
    take_existing = BooleanField(_l("Also take the messages already in the folder"), default=False)
    active = BooleanField(_l("Checked for new messages"), default=True)
    version = HiddenField()

    def __init__(self, *args, mailbox: Mailbox | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox

    def validate_host(self, field) -> None:
        field.data = (field.data or "").strip()
        if not _HOST.match(field.data):
            raise ValidationError(_("Enter the server's name alone, without imap:// or a port."))

    def validate_password(self, field) -> None:
        if not field.data and (self.mailbox is None or not self.mailbox.password_sealed):
            raise ValidationError(_("Enter the mailbox's password."))

    def validate_alias(self, field) -> None:
        field.data = (field.data or "").strip().lower() or None
        if field.data and not _EMAIL.match(field.data):
            raise ValidationError(_("Enter an email address."))

    def validate_done_keyword(self, field) -> None:
        field.data = (field.data or "").strip() or DEFAULT_KEYWORD
        if not _ATOM.match(field.data):
            raise ValidationError(_("Use letters, digits, _ . - and an optional leading $ (such as $CrmkitLead)."))

    def validate_done_folder(self, field) -> None:
        field.data = (field.data or "").strip() or None
        if self.done_action.data == "move":
            if not field.data:
                raise ValidationError(_("Enter the folder taken messages are moved to."))
            if field.data == (self.folder.data or "").strip():
                raise ValidationError(_("Choose a folder other than the one that is read."))

    def apply_to(self, mailbox: Mailbox) -> Mailbox:
        """Copy the typed settings onto ``mailbox``; a blank password keeps the stored one."""
        for name in FIELDS:
            value = getattr(self, name).data
            if isinstance(value, str):
                value = value.strip() or (None if name in ("alias", "done_folder") else "")
            setattr(mailbox, name, value)
        if self.password.data:
            mailbox.password_sealed = sealing.seal(self.password.data)
        return mailbox

    def stale(self, mailbox: Mailbox) -> bool:
        return bool(self.version.data) and self.version.data != str(mailbox.version)
