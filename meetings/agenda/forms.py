"""Agenda forms: shape checks only (conflicts and ownership are checked in the service)."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from meetings.i18n import lazy_gettext as _l
from meetings.models import SessionAccess, SessionStatus, SessionType, SpeakerRole

SPEAKER_ROWS = 6
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

TYPE_LABELS = {
    SessionType.KEYNOTE: _l("Keynote"),
    SessionType.PLENARY: _l("Plenary"),
    SessionType.PANEL: _l("Panel"),
    SessionType.WORKSHOP: _l("Workshop"),
    SessionType.SIDE_EVENT: _l("Side event"),
    SessionType.BREAK: _l("Break"),
    SessionType.NETWORKING: _l("Networking"),
}
ACCESS_LABELS = {
    SessionAccess.PUBLIC: _l("Public"),
    SessionAccess.REGISTERED: _l("Registered participants"),
    SessionAccess.CLOSED: _l("Closed (law enforcement only)"),
}
STATUS_LABELS = {
    SessionStatus.SCHEDULED: _l("Scheduled"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}
ROLE_LABELS = {
    SpeakerRole.SPEAKER: _l("Speaker"),
    SpeakerRole.MODERATOR: _l("Moderator"),
    SpeakerRole.PANELLIST: _l("Panellist"),
}
# The UN's six official languages, by ISO 639-1 code.
LANGUAGE_LABELS = {
    "en": _l("English"),
    "fr": _l("French"),
    "es": _l("Spanish"),
    "ar": _l("Arabic"),
    "zh": _l("Chinese"),
    "ru": _l("Russian"),
}


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(key), label) for key, label in labels.items()]


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    type = SelectField(_l("Type"), choices=choices(TYPE_LABELS), default=SessionType.PLENARY.value)
    start = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMATS, validators=[InputRequired()])
    end = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMATS, validators=[InputRequired()])
    room = SelectField(_l("Room"), choices=[], default="")
    track = SelectField(_l("Track"), choices=[], default="")
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)],
                                description=_l("Markdown: **bold**, *italic*, [links](https://…), "
                                               "lists."))
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_LABELS), default="en")
    access = SelectField(_l("Access"), choices=choices(ACCESS_LABELS),
                         default=SessionAccess.PUBLIC.value)
    chatham_house = BooleanField(_l("Held under the Chatham House Rule"))
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS),
                         default=SessionStatus.SCHEDULED.value)
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=100000)],
                            description=_l("Workshops and side events only; leave empty for no "
                                           "limit."))
    online_url = URLField(_l("Online participation link"),
                          validators=[Optional(), Length(max=500)],
                          description=_l("http or https. Never shown on public pages."))


for _row in range(1, SPEAKER_ROWS + 1):
    setattr(SessionForm, f"speaker_{_row}", SelectField(_l("Speaker %(n)d", n=_row), choices=[],
                                                        default=""))
    setattr(SessionForm, f"role_{_row}", SelectField(_l("Role of speaker %(n)d", n=_row),
                                                     choices=choices(ROLE_LABELS),
                                                     default=SpeakerRole.SPEAKER.value))
del _row


class TrackForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    slug = StringField(_l("Address name"), validators=[
        Optional(), Length(max=60),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
               message=_l("Use lowercase letters, digits and hyphens only.")),
    ], description=_l("Used in the track's calendar feed address. Leave empty to make it from the "
                      "name."))
    colour = ColorField(_l("Colour"), default="#1f5fa8", validators=[
        InputRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use a colour like #1f5fa8.")),
    ], description=_l("Shown as a stripe beside the track's sessions."))


class SpeakerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    organization = StringField(_l("Organization"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), choices=[], default="")
    bio = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=5000)],
                        description=_l("Markdown."))
