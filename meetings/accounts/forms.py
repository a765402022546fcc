"""Account forms: shape checks only."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from meetings.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(check_deliverability=False),
                                                Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(check_deliverability=False),
                                                Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)],
                             description=_l("At least 10 characters. Leave empty to keep it."))
    is_admin = BooleanField(_l("Administrator (manages organizers and every edition)"))
    active = BooleanField(_l("Account active"), default=True)
    editions = SelectMultipleField(_l("Editions this organizer manages"), coerce=int,
                                   validators=[Optional()])
