"""Edition forms: shape checks only (slug, time zone and venue rules live in the service)."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from meetings.i18n import lazy_gettext as _l
from meetings.models import EditionFormat

FORMAT_LABELS = {
    EditionFormat.IN_PERSON: _l("In person"),
    EditionFormat.VIRTUAL: _l("Virtual"),
    EditionFormat.HYBRID: _l("Hybrid"),
}
NO_VENUE = 0
KEEP_LOCAL, KEEP_INSTANTS = "keep_local", "keep_instants"
SLUG_HINT = _l("Lower-case letters, digits and hyphens; the start year when left empty.")


class DeleteForm(FlaskForm):
    """The edition's slug, typed to confirm deleting an edition that has registrations, and
    whether to email its registrants."""

    confirmation = StringField(_l("Type the address (slug) of the edition to confirm"),
                               validators=[Optional(), Length(max=60)])
    # Unticked unless the page ticks it: a POST without the box tells nobody.
    tell_registrants = BooleanField(
        _l("Email the registrants that the edition is cancelled"),
        description=_l("Everyone who holds or waits for a seat gets it (not cancelled, refused "
                       "or unconfirmed registrations). It links to no page of this edition. "
                       "Untick it and nobody is told."))


class EditionForm(FlaskForm):
    ordinal = IntegerField(_l("Ordinal"), validators=[InputRequired(), NumberRange(min=1, max=999)],
                           description=_l("5 for the 5th edition."))
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    slug = StringField(_l("Address (slug)"), validators=[Optional(), Length(max=60)],
                       description=SLUG_HINT)
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    format = SelectField(_l("Format"), choices=[SelectChoice(value.value, label)
                                  for value, label in FORMAT_LABELS.items()],
                         default=EditionFormat.IN_PERSON.value)
    venue_id = SelectField(_l("Venue"), coerce=int, default=NO_VENUE,
                        description=_l("Required for in-person and hybrid editions."))
    timezone = StringField(_l("Time zone"), validators=[Optional(), Length(max=64)],
                           description=_l("Type to search the list, e.g. Europe/Amsterdam; the "
                                          "venue's time zone when left empty."))
    # Shown only on an edition with sessions; the service asks for it when the zone changes.
    session_times = RadioField(
        _l("If you change the time zone, the sessions…"), validate_choice=False,
        choices=[SelectChoice(KEEP_LOCAL, _l("keep their local times (10:00 stays 10:00 in the "
                                             "new zone; calendars and attendees are told of "
                                             "the move)")),
                 SelectChoice(KEEP_INSTANTS, _l("keep their instants (their local times "
                                                "change)"))])
    host_event = StringField(_l("Host event"), validators=[Optional(), Length(max=200)],
                             description=_l("For example “within INTERPOL World 2019”."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)],
                                description=_l("Markdown."))


class CopyForm(FlaskForm):
    title = StringField(_l("Title of the new edition"),
                        validators=[InputRequired(), Length(max=200)])
    slug = StringField(_l("Address (slug)"), validators=[Optional(), Length(max=60)],
                       description=SLUG_HINT)
    ordinal = IntegerField(_l("Ordinal"), validators=[InputRequired(), NumberRange(min=1, max=999)])
    starts_on = DateField(_l("First day"), validators=[InputRequired()],
                          description=_l("Sessions move by the same number of days and keep "
                                         "their local times."))
