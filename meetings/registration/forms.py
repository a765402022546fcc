"""Registration forms: shape checks only (seats, duplicates and dates are the service's job)."""

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from meetings.countries import CountrySelect, country_choices
from meetings.i18n import gettext
from meetings.i18n import lazy_gettext as _l
from meetings.registration.models import QuestionKind, RegistrationMode, RegistrationQuestion

LANGUAGES = (("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية"),
             ("zh", "中文"), ("ru", "Русский"))


def sensitive_purpose() -> str:
    """What happens to a need or a sensitive answer, with the days from the settings."""
    return gettext("Optional. Used only to arrange catering and access for you. Only this "
                   "meeting's organizers see it; they pass it on to the venue's catering and "
                   "access staff only as far as needed. It is deleted automatically %(days)d "
                   "days after the meeting ends.",
                   days=current_app.config["SENSITIVE_DATA_RETENTION_DAYS"])


# Rendered when the form is shown, so the number of days follows the setting.
SENSITIVE_PURPOSE = LazyString(sensitive_purpose)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DetailsForm(FlaskForm):
    given_name = StringField(_l("Given name"), validators=[InputRequired(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[InputRequired(), Length(max=100)])
    organization = StringField(_l("Organization"), validators=[InputRequired(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[InputRequired()], widget=CountrySelect())
    language = SelectField(_l("Preferred language for emails"),
                           choices=[SelectChoice(c, n) for c, n in LANGUAGES],
                           default="en", validators=[InputRequired()])
    dietary = TextAreaField(_l("Dietary needs"), validators=[Optional(), Length(max=500)],
                            description=SENSITIVE_PURPOSE)
    accessibility = TextAreaField(_l("Accessibility needs"),
                                  validators=[Optional(), Length(max=500)],
                                  description=SENSITIVE_PURPOSE)
    listed = BooleanField(_l("Show my name, organization and country in the participant list "
                             "(optional)"),
                          description=_l("Only approved attendees who appear in the list "
                                         "themselves can see it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


def optional_int(value) -> int | None:
    """A select's value as a number; the empty "choose" option as None."""
    return None if value in ("", None) else int(value)


CHOOSE = _l("— choose —")


class RegistrationForm(DetailsForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(check_deliverability=False),
                                                Length(max=254)])
    # Starts on "— choose —" (value ""), so nobody lands in a category by default.
    category = SelectField(_l("Participant category"), coerce=optional_int,
                           validators=[InputRequired(_l("Choose your participant category."))])
    invitation_code = StringField(_l("Invitation code"), validators=[Optional(), Length(max=64)])
    # Offered when the edition has delegations; a nomination's code fixes it instead.
    delegation = SelectField(_l("Delegation"), coerce=optional_int, validators=[Optional()],
                             description=_l("If your organization takes part as a delegation, "
                                            "choose it: its focal point is asked to endorse "
                                            "you."))
    consent = BooleanField(_l("I have read the privacy notice and agree that my data is "
                              "processed as it describes"),
                           validators=[InputRequired(_l("Please accept the privacy notice to "
                                                        "register."))])
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)])


def question_field(question: RegistrationQuestion):
    """The WTForms field for one custom question."""
    shared = {"validators": [InputRequired()] if question.required else [Optional()],
              "description": SENSITIVE_PURPOSE if question.sensitive else ""}
    choices = [SelectChoice(c, c) for c in question.choices]
    match question.kind:
        case QuestionKind.SHORT_TEXT:
            shared["validators"].append(Length(max=300))
            return StringField(question.label, **shared)
        case QuestionKind.LONG_TEXT:
            shared["validators"].append(Length(max=3000))
            return TextAreaField(question.label, **shared)
        case QuestionKind.SINGLE_CHOICE:
            return RadioField(question.label, choices=choices, **shared)
        case QuestionKind.MULTIPLE_CHOICE:
            return MultiCheckboxField(question.label, choices=choices, **shared)
        case _:
            return BooleanField(question.label, **shared)


def with_questions(form_class, questions: list[RegistrationQuestion]):
    """A subclass of form_class with one field `q<id>` per custom question."""
    fields = {f"q{question.id}": question_field(question) for question in questions}
    return type(form_class.__name__, (form_class,), fields)


def answers_from(form, questions: list[RegistrationQuestion]) -> dict:
    """The answers as stored: {question id: text, list or bool}."""
    return {str(q.id): form[f"q{q.id}"].data for q in questions}


class LostLinkForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(check_deliverability=False),
                                                Length(max=254)])


class ConfirmForm(FlaskForm):
    """A one-button form (CSRF only)."""


class SettingsForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens at (edition time)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (edition time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()])
    capacity = IntegerField(_l("Total capacity"), validators=[Optional(),
                                                              NumberRange(min=0, max=100000)],
                            description=_l("Empty for no limit. Pending and approved "
                                           "registrations hold seats."))
    mode = SelectField(_l("Mode"), choices=[
        SelectChoice(RegistrationMode.OPEN.value, _l("Open: confirmed registrations are approved")),
        SelectChoice(RegistrationMode.APPROVAL.value,
                     _l("Approval: organizers approve every registration")),
        SelectChoice(RegistrationMode.INVITATION.value, _l("Invitation only: a code is required")),
    ], validators=[InputRequired()])
    auto_promote = BooleanField(_l("Promote from the waiting list automatically when a seat "
                                   "frees"))
    privacy_notice = TextAreaField(_l("Privacy notice (Markdown)"),
                                   validators=[Optional(), Length(max=20000)])
    controller = TextAreaField(
        _l("Who is responsible for the data, and how to reach them"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown on the edition's privacy page, e.g. the organizing body, its "
                       "address and a contact email. Empty: “the organizers of this meeting”."))


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    quota = IntegerField(_l("Quota"), validators=[Optional(), NumberRange(min=0, max=100000)],
                         description=_l("Empty for no quota."))
    requires_approval = BooleanField(_l("Requires approval"))


QUESTION_KINDS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionKind.CHECKBOX: _l("Checkbox"),
}


class QuestionForm(FlaskForm):
    label = StringField(_l("Question"), validators=[InputRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind.value, label)
                                            for kind, label in QUESTION_KINDS.items()],
                       validators=[InputRequired()])
    choices_text = TextAreaField(_l("Choices, one per line"),
                                 validators=[Optional(), Length(max=3000)])
    required = BooleanField(_l("Required"))
    sensitive = BooleanField(
        _l("Sensitive (health, beliefs and the like)"),
        description=_l("Answers are left out of the general exports, appear only in the "
                       "catering and access export and are deleted soon after the meeting, "
                       "with dietary and accessibility needs."))


class QuestionEditForm(FlaskForm):
    """A question's wording, choices and flags; its kind stays (answers were given to it)."""

    label = QuestionForm.label
    choices_text = QuestionForm.choices_text
    required = QuestionForm.required
    sensitive = QuestionForm.sensitive


class InvitationForm(FlaskForm):
    emails = TextAreaField(_l("Email addresses, one per line"),
                           validators=[InputRequired(), Length(max=20000)])

    def validate_emails(self, field):
        lines = email_lines(field.data)
        if len(lines) > 200:
            raise ValidationError(_l("Invite at most 200 people at a time."))
        for line in lines:
            try:
                validate_email(line, check_deliverability=False)
            except EmailNotValidError as error:
                raise ValidationError(_l("“%(line)s” is not a valid email address.",
                                         line=line[:100])) from error


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Message to the registrant (optional)"),
                         validators=[Optional(), Length(max=2000)])


def email_lines(text: str) -> list[str]:
    """Non-empty lines of a textarea, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
