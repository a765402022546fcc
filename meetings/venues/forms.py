"""Venue and room forms: shape checks only (country, zone and coordinates: the service)."""

from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from meetings.i18n import lazy_gettext as _l


class VenueForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    address = StringField(_l("Street address"), validators=[Optional(), Length(max=500)])
    city = StringField(_l("City"), validators=[InputRequired(), Length(max=120)])
    # Choices are set per request (country names follow the locale); the service checks the code.
    country = SelectField(_l("Country"), validators=[InputRequired()], validate_choice=False)
    timezone = StringField(_l("Time zone"), validators=[InputRequired(), Length(max=64)],
                           description=_l("An IANA name such as Europe/Amsterdam."))
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)],
                          description=_l("Decimal degrees, for example 52.0894."))
    longitude = FloatField(_l("Longitude"),
                           validators=[Optional(), NumberRange(min=-180, max=180)],
                           description=_l("Decimal degrees, for example 4.2829."))
    accessibility_notes = TextAreaField(
        _l("Accessibility notes"), validators=[Optional(), Length(max=10000)],
        description=_l("Markdown. Step-free access, hearing loops, quiet rooms, parking…"))


class RoomForm(FlaskForm):
    name = StringField(_l("Room name"), validators=[InputRequired(), Length(max=120)])
    capacity = IntegerField(_l("Capacity"),
                            validators=[Optional(), NumberRange(min=1, max=100000)],
                            description=_l("Seats; leave empty when unknown."))
    floor = StringField(_l("Floor"), validators=[Optional(), Length(max=40)])
