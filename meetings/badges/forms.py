"""Badge forms: shape only (who may be printed and why is the service's question)."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from meetings.i18n import lazy_gettext as _l

SHEETS = [SelectChoice("a4", _l("A4, four badges a page, with cut marks")),
          SelectChoice("a6", _l("A6, one badge a page"))]
SCOPES = [SelectChoice("new", _l("All not yet printed")),
          SelectChoice("selected", _l("Those selected")),
          SelectChoice("all", _l("All approved"))]


class PrintForm(FlaskForm):
    scope = RadioField(_l("Badges"), choices=SCOPES, default="new", validators=[InputRequired()])
    sheet = RadioField(_l("Sheet"), choices=SHEETS, default="a4", validators=[InputRequired()])
    registrations = SelectMultipleField(_l("Selected"), coerce=int, choices=[],
                                        validate_choice=False, validators=[Optional()])


class ReprintForm(FlaskForm):
    reason = StringField(_l("Reason for reprinting"),
                         validators=[InputRequired(), Length(max=200)])


class LatinNameForm(FlaskForm):
    latin_name = StringField(_l("Name in Latin letters"), validators=[Optional(), Length(max=200)])
