"""Delegation forms: shape only (quotas, bindings and who may act are the service's rules)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from meetings.countries import CountrySelect, country_choices
from meetings.i18n import lazy_gettext as _l
from meetings.registration.forms import CHOOSE, optional_int
from meetings.registration.models import EndorsementRule, OrganizationKind

KIND_LABELS = {
    OrganizationKind.POLICE: _l("Police force"),
    OrganizationKind.MINISTRY: _l("Ministry or government agency"),
    OrganizationKind.NCB: _l("INTERPOL National Central Bureau"),
    OrganizationKind.INTERNATIONAL: _l("International organization"),
    OrganizationKind.INDUSTRY: _l("Industry"),
    OrganizationKind.ACADEMIA: _l("Academia"),
    OrganizationKind.CIVIL_SOCIETY: _l("Civil society"),
}

RULE_LABELS = {
    EndorsementRule.NONE: _l("No endorsement stage: focal points see who claims their "
                             "organization; organizers decide alone"),
    EndorsementRule.DELEGATIONS: _l("Focal point first: whoever claims a delegation waits for "
                                    "its focal point's endorsement before organizers decide"),
    EndorsementRule.LAW_ENFORCEMENT: _l("As above, and law-enforcement participants must come "
                                        "through a law-enforcement delegation"),
}


def email_field(label):
    return EmailField(label, validators=[InputRequired(), Email(check_deliverability=False),
                                         Length(max=254)])


def quota_field():
    return IntegerField(_l("Quota of seats (empty: no limit of its own)"),
                        validators=[Optional(), NumberRange(min=0, max=100000)])


class DelegationForm(FlaskForm):
    name = StringField(_l("Organization"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label)
                                           for k, label in KIND_LABELS.items()],
                       validators=[InputRequired()])
    country = SelectField(_l("Country"), validators=[InputRequired()], widget=CountrySelect())
    quota = quota_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class DelegationSettingsForm(FlaskForm):
    quota = quota_field()
    law_enforcement = BooleanField(_l("Law-enforcement organization (its focal points endorse "
                                      "law-enforcement participants)"))


class RuleForm(FlaskForm):
    rule = SelectField(_l("Approval in stages"),
                       choices=[SelectChoice(r.value, label) for r, label in RULE_LABELS.items()],
                       validators=[InputRequired()])


class FocalPointForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    email = email_field(_l("Email"))


class NominationForm(FlaskForm):
    name = StringField(_l("Delegate's full name"), validators=[InputRequired(), Length(max=200)])
    email = email_field(_l("Delegate's email"))
    category = SelectField(_l("Participant category"), coerce=optional_int,
                           validators=[InputRequired(_l("Choose a participant category."))])

    def offer(self, categories) -> "NominationForm":
        self.category.choices = [SelectChoice("", CHOOSE)] + [
            SelectChoice(c.id, c.name) for c in categories]
        return self


class SubstitutionForm(NominationForm):
    registration = SelectField(_l("Delegate to replace"), coerce=optional_int,
                               validators=[InputRequired(_l("Choose the delegate to replace."))])
    name = StringField(_l("Substitute's full name"), validators=[InputRequired(),
                                                                 Length(max=200)])
    email = email_field(_l("Substitute's email"))
    category = SelectField(_l("Participant category (empty: as the person replaced)"),
                           coerce=optional_int, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        # Shown on the same page as the nomination form: its own ids (and names), so that each
        # label names its own field.
        kwargs.setdefault("prefix", "substitute")
        super().__init__(*args, **kwargs)
