"""Account forms: shape checks only (password rules live in accounts.passwords)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from meetings.accounts.passwords import MAX_PASSWORD_LENGTH
from meetings.i18n import lazy_gettext as _l

EMAIL_CHECKS = [InputRequired(), Email(check_deliverability=False), Length(max=254)]
NEW_PASSWORD_HINT = _l("At least 10 characters. A few unrelated words are easy to remember and "
                       "hard to guess; common passwords are refused.")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=EMAIL_CHECKS)
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40)],
                       description=_l("The 6-digit code from your authenticator app, or one of "
                                      "your recovery codes."))


class EmailForm(FlaskForm):
    email = EmailField(_l("Email"), validators=EMAIL_CHECKS)


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), description=NEW_PASSWORD_HINT,
                             validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField(_l("New password again"), validators=[
        InputRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), description=NEW_PASSWORD_HINT,
                                 validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField(_l("New password again"), validators=[
        InputRequired(), EqualTo("new_password", message=_l("The two passwords differ."))])


class TurnOffTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=200)])
    code = StringField(_l("Code from your authenticator app"),
                       validators=[InputRequired(), Length(max=40)])


class StartTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=200)])


class ButtonForm(FlaskForm):
    """A form that is only a button (its CSRF token is the point)."""


class PolicyForm(FlaskForm):
    require_two_factor = BooleanField(_l("Require two-factor authentication for every account"))


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=EMAIL_CHECKS)
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    is_admin = BooleanField(_l("Administrator (manages organizers and every edition)"))
    active = BooleanField(_l("Account active"), default=True)
    # Checkboxes, not a multi-select: no Ctrl-click, and every edition is in view.
    editions = SelectMultipleField(_l("Editions this organizer manages"), coerce=int,
                                   validators=[Optional()], widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput(),
                                   description=_l("Administrators manage every edition."))
