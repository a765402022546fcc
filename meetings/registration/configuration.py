"""Organizers set registration up: settings and capacity, categories, questions, invitations."""

import secrets
from datetime import datetime

import sqlalchemy as sa

from meetings.countries import country_name
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.mail_site import MailSite
from meetings.models import Edition
from meetings.registration.models import (
    LAW_ENFORCEMENT,
    Delegation,
    Invitation,
    Organization,
    QuestionKind,
    Registration,
    RegistrationCategory,
    RegistrationMode,
    RegistrationQuestion,
    RegistrationSettings,
)
from meetings.registration.notify import send_invitation_mail
from meetings.registration.seats import lock_edition, promote_waiting
from meetings.registration.service import edition_is_over, notify_promoted
from meetings.secret_tokens import hash_token

DEFAULT_CATEGORIES = (
    ("law_enforcement", "Law enforcement", True),
    ("government", "Government", False),
    ("international_organization", "International organization", False),
    ("industry", "Industry", True),
    ("academia", "Academia", False),
    ("civil_society", "Civil society", False),
    ("media", "Media", True),
    ("speaker", "Speaker or invitee", False),
)


def settings_of(edition_id: int) -> RegistrationSettings | None:
    """An edition's registration settings (None until an organizer sets registration up)."""
    return db.session.scalar(
        sa.select(RegistrationSettings).where(RegistrationSettings.edition_id == edition_id))


def is_open(edition_id: int, now: datetime) -> bool:
    """Whether the edition takes registrations at `now` (set up, and within its dates)."""
    settings = settings_of(edition_id)
    return settings is not None and settings.is_open(now)


def categories_of(edition_id: int) -> sa.Select:
    """An edition's participant categories in display order."""
    return (sa.select(RegistrationCategory)
            .where(RegistrationCategory.edition_id == edition_id)
            .order_by(RegistrationCategory.position, RegistrationCategory.id))


def delegations_of(edition_id: int) -> sa.Select:
    """The edition's delegations by organization name."""
    return (sa.select(Delegation).join(Delegation.organization)
            .where(Delegation.edition_id == edition_id)
            .order_by(Organization.name, Organization.country))


def delegation_label(delegation: Delegation) -> str:
    """How a delegation is named in choices: the organization and its country."""
    organization = delegation.organization
    return f"{organization.name} ({country_name(organization.country)})" \
        if organization.country else organization.name


def nomination_for(edition_id: int, code: str) -> Invitation | None:
    """The usable nomination a code opens (for showing the form; register() checks again)."""
    code = (code or "").strip()
    if not code:
        return None
    invitation = db.session.scalar(sa.select(Invitation).where(
        Invitation.edition_id == edition_id, Invitation.code_hash == hash_token(code)))
    if invitation is None or invitation.delegation_id is None or not invitation.is_usable:
        return None
    return invitation


def questions_of(edition_id: int) -> sa.Select:
    """An edition's custom questions in display order."""
    return (sa.select(RegistrationQuestion)
            .where(RegistrationQuestion.edition_id == edition_id)
            .order_by(RegistrationQuestion.position, RegistrationQuestion.id))


def set_up(edition: Edition, *, now: datetime) -> RegistrationSettings:
    """Create an edition's settings and the standard categories: closed (no dates, no privacy
    notice), no capacity, organizers approve."""
    settings = settings_of(edition.id)
    if settings is not None:
        return settings
    settings = RegistrationSettings(edition_id=edition.id, mode=RegistrationMode.APPROVAL,
                                    updated_at=now)
    db.session.add(settings)
    for position, (code, name, approval) in enumerate(DEFAULT_CATEGORIES):
        db.session.add(RegistrationCategory(edition_id=edition.id, code=code, name=name,
                                            requires_approval=approval, position=position))
    db.session.flush()
    return settings


def update_settings(edition: Edition, *, opens_at: datetime | None, closes_at: datetime | None,
                    capacity: int | None, mode: RegistrationMode, auto_promote: bool,
                    privacy_notice: str, now: datetime, site: MailSite,
                    controller: str = "") -> list[Registration]:
    """Save the settings; a raised capacity promotes from the waiting list at once.

    Registration stays closed while both dates are empty; it opens only with both dates and
    a privacy notice, and never on an edition that is over.
    """
    check_opening(edition, opens_at=opens_at, closes_at=closes_at,
                  privacy_notice=privacy_notice, now=now)
    settings = lock_edition(edition.id)
    settings.opens_at, settings.closes_at = opens_at, closes_at
    settings.capacity, settings.mode, settings.auto_promote = capacity, mode, auto_promote
    settings.privacy_notice, settings.controller = privacy_notice, controller.strip()
    settings.updated_at = now
    db.session.flush()
    promoted = promote_waiting(settings, now)
    notify_promoted(promoted, now, site=site)
    return promoted


def check_opening(edition: Edition, *, opens_at: datetime | None, closes_at: datetime | None,
                  privacy_notice: str, now: datetime) -> None:
    """The rules for dates that open registration (both dates, a privacy notice, an edition
    that is not over); no dates at all keeps registration closed."""
    if opens_at is None and closes_at is None:
        return
    if edition_is_over(edition, now):
        raise DomainError(_l("This edition is over: registration cannot open. Leave both "
                             "dates empty."), field="opens_at")
    if opens_at is None:
        raise DomainError(_l("Give the date registration opens (or leave both dates empty "
                             "to keep it closed)."), field="opens_at")
    if closes_at is None:
        raise DomainError(_l("Give the date registration closes (or leave both dates empty "
                             "to keep it closed)."), field="closes_at")
    if closes_at <= opens_at:
        raise DomainError(_l("Registration must close after it opens."), field="closes_at")
    if not privacy_notice.strip():
        raise DomainError(_l("Write the privacy notice before registration opens: people "
                             "must read it to register."), field="privacy_notice")


def save_category(edition: Edition, category: RegistrationCategory | None, *, name: str,
                  quota: int | None, requires_approval: bool,
                  now: datetime, site: MailSite) -> RegistrationCategory:
    """Add a category or change one (a raised quota promotes from the waiting list)."""
    settings = lock_edition(edition.id)
    if category is None:
        code = slug_code(name)
        if db.session.scalar(sa.select(RegistrationCategory.id).where(
                RegistrationCategory.edition_id == edition.id, RegistrationCategory.code == code)):
            raise DomainError(_l("A category with this name already exists."), field="name")
        category = RegistrationCategory(edition_id=edition.id, code=code,
                                        position=len(db.session.scalars(categories_of(edition.id)).all()))
        db.session.add(category)
    category.name, category.quota = name.strip(), quota
    # Law enforcement sees closed sessions: it always needs approval (see seats.seat_status).
    category.requires_approval = requires_approval or category.code == LAW_ENFORCEMENT
    db.session.flush()
    notify_promoted(promote_waiting(settings, now), now, site=site)
    return category


def slug_code(name: str) -> str:
    """A stable code for a category name ('Civil society' -> 'civil_society')."""
    code = "".join(c if c.isalnum() else "_" for c in name.strip().lower()).strip("_")
    return code[:40] or "category"


def delete_question(question: RegistrationQuestion) -> None:
    """Remove a question; answers already given stay in the registrations."""
    db.session.delete(question)
    db.session.flush()


def clean_choices(kind: QuestionKind, choices_text: str) -> str:
    """The choices one per line, trimmed; choice questions need at least two."""
    choices = [c.strip() for c in choices_text.splitlines() if c.strip()]
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE) and len(choices) < 2:
        raise DomainError(_l("Give at least two choices, one per line."), field="choices_text")
    return "\n".join(choices)


def add_question(edition: Edition, *, label: str, kind: QuestionKind, choices_text: str,
                 required: bool, sensitive: bool = False) -> RegistrationQuestion:
    """Add a custom question to the registration form."""
    choices = clean_choices(kind, choices_text)
    position = len(db.session.scalars(questions_of(edition.id)).all())
    question = RegistrationQuestion(edition_id=edition.id, label=label.strip(), kind=kind,
                                    choices_text=choices, required=required,
                                    sensitive=sensitive, position=position)
    db.session.add(question)
    db.session.flush()
    return question


def edit_question(question: RegistrationQuestion, *, label: str, choices_text: str,
                  required: bool, sensitive: bool) -> RegistrationQuestion:
    """Change a question's wording, choices and flags (its kind stays: answers were given to
    it); answers already given stay as they were."""
    question.choices_text = clean_choices(question.kind, choices_text)
    question.label, question.required = label.strip(), required
    question.sensitive = sensitive
    db.session.flush()
    return question


def move_question(question: RegistrationQuestion, step: int) -> None:
    """Move a question one place up (step -1) or down (+1); positions are renumbered 0…n-1."""
    questions = list(db.session.scalars(questions_of(question.edition_id)))
    index = questions.index(question)
    target = index + step
    if 0 <= target < len(questions):
        questions[index], questions[target] = questions[target], questions[index]
    for position, each in enumerate(questions):
        each.position = position
    db.session.flush()


def mark_sensitive(question: RegistrationQuestion, sensitive: bool) -> None:
    """Mark a question's answers sensitive (short retention, catering export only) or not."""
    question.sensitive = sensitive
    db.session.flush()


def invite(edition: Edition, emails: list[str], *, now: datetime,
           site: MailSite) -> list[Invitation]:
    """Create one single-use code per address and email it (only its hash is kept)."""
    invitations = []
    for email in emails:
        code = secrets.token_urlsafe(12)
        invitation = Invitation(edition_id=edition.id, email=email.strip().lower(),
                                code_hash=hash_token(code), created_at=now)
        db.session.add(invitation)
        db.session.flush()
        send_invitation_mail(invitation, code, edition, now=now, site=site)
        invitations.append(invitation)
    return invitations


def revoke(invitation: Invitation, *, now: datetime) -> None:
    """Revoke an unused invitation code."""
    if invitation.used_at is not None:
        raise DomainError(_l("This invitation has already been used."))
    invitation.revoked_at = now
    db.session.flush()
