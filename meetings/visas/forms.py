"""Visa forms: shape only (who may ask, until when and for how long is the service's question)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from meetings.countries import CountrySelect, country_choices
from meetings.i18n import lazy_gettext as _l


class VisaRequestForm(FlaskForm):
    passport_names = StringField(
        _l("Names exactly as in your passport"), validators=[InputRequired(), Length(max=200)],
        description=_l("All given names and surnames, in the order and spelling of the "
                       "passport's data page."))
    passport_number = StringField(_l("Passport number"), validators=[
        InputRequired(), Length(min=5, max=20),
        Regexp(r"^\s*[A-Za-z0-9]+\s*$",
               message=_l("Use only the letters and digits of the passport number."))])
    issuing_state = SelectField(_l("Issuing state"), validators=[InputRequired()],
                                widget=CountrySelect())
    nationality = SelectField(_l("Nationality"), validators=[InputRequired()],
                              widget=CountrySelect())
    date_of_birth = DateField(_l("Date of birth"), validators=[InputRequired()])
    passport_expiry = DateField(_l("Passport expiry date"), validators=[InputRequired()])
    consulate = StringField(
        _l("Consulate or embassy where you will apply"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("For example: Embassy of the Netherlands, Nairobi."))
    function = StringField(_l("Your function"), validators=[InputRequired(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuing_state.choices = country_choices()
        self.nationality.choices = country_choices()


class VisaSettingsForm(FlaskForm):
    enabled = BooleanField(_l("Offer visa support letters"))
    requests_until = DateField(_l("Accept requests until (inclusive)"), validators=[Optional()])


class OfficerForm(FlaskForm):
    email = StringField(_l("Email address of the account"),
                        validators=[InputRequired(), Length(max=254)])


class RefuseForm(FlaskForm):
    message = TextAreaField(_l("Message to the attendee"),
                            validators=[InputRequired(), Length(max=2000)])
