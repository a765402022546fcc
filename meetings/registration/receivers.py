"""Registration's answers to the editions feature's signals (connected when imported)."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from meetings.database import count_of
from meetings.dates import LocalTimeError, to_local, to_utc
from meetings.editions import signals as edition_signals
from meetings.extensions import db
from meetings.mail.service import erase_messages_about
from meetings.mail_site import MailSite
from meetings.models import Edition
from meetings.registration import configuration
from meetings.registration.models import (
    SEAT_HOLDING,
    Delegation,
    Registration,
    RegistrationCategory,
    RegistrationQuestion,
    RegistrationSettings,
    RegistrationStatus,
)
from meetings.registration.notify import send_edition_cancelled_mail

WAITING_OR_SEATED = (*SEAT_HOLDING, RegistrationStatus.WAITLISTED)


def registrations_of(edition: Edition) -> sa.Select:
    return sa.select(Registration.id).where(Registration.edition_id == edition.id)


@edition_signals.counting_contents.connect
def count_registrations(edition: Edition) -> dict[str, int]:
    return {"registrations": count_of(registrations_of(edition))}


def registrants_to_tell(edition: Edition) -> sa.Select:
    """Registrations told if the edition is cancelled: those holding or waiting for a seat with
    an address (never cancelled, refused or unconfirmed ones: they expect nothing of it)."""
    return sa.select(Registration).where(
        Registration.edition_id == edition.id, Registration.status.in_(WAITING_OR_SEATED),
        Registration.email.is_not(None), Registration.email != "").order_by(Registration.id)


@edition_signals.counting_registrants.connect
def count_registrants(edition: Edition) -> int:
    return count_of(registrants_to_tell(edition))


@edition_signals.deleting.connect
def delete_registrations(edition: Edition, *, tell_registrants: bool = False,
                         now: datetime | None = None, site: MailSite | None = None) -> None:
    """Registrations go first, with their workshop seats and agenda choices (the database
    lets a session go only once nothing names it), and the mail that could only reach them.

    When the organizer chose to tell the registrants, their emails are queued before: tied to no
    registration, they outlive it and go out once the deletion commits.
    """
    if tell_registrants:
        for registration in db.session.scalars(registrants_to_tell(edition)):
            send_edition_cancelled_mail(registration, now=now, site=site)
    erase_messages_about(registrations_of(edition))
    db.session.execute(sa.delete(Registration).where(Registration.edition_id == edition.id))


@edition_signals.copied.connect
def copy_registration_setup(copy: Edition, *, source: Edition, shift: timedelta,
                            now: datetime) -> None:
    """A copy keeps the source's registration settings, categories, questions, privacy notice
    and delegations with their quotas, dates moved by `shift` (same local time), never its
    registrations, nominations or focal points (each edition invites its own).

    Registration of the copy starts closed: when the moved dates would take sign-ups at `now`,
    it closes at `now`, and the organizer opens it by setting new dates.
    """
    settings = configuration.settings_of(source.id)
    if settings is None:
        return
    opens_at = moved(settings.opens_at, shift, copy.timezone)
    closes_at = moved(settings.closes_at, shift, copy.timezone)
    if (opens_at is None or opens_at <= now) and (closes_at is None or closes_at > now):
        opens_at, closes_at = (opens_at if opens_at and opens_at < now else None), now
    db.session.add(RegistrationSettings(
        edition_id=copy.id, opens_at=opens_at, closes_at=closes_at, capacity=settings.capacity,
        mode=settings.mode, auto_promote=settings.auto_promote,
        privacy_notice=settings.privacy_notice, controller=settings.controller,
        endorsement_rule=settings.endorsement_rule, updated_at=now))
    for category in db.session.scalars(configuration.categories_of(source.id)):
        db.session.add(RegistrationCategory(
            edition_id=copy.id, code=category.code, name=category.name, quota=category.quota,
            requires_approval=category.requires_approval, position=category.position))
    for question in db.session.scalars(configuration.questions_of(source.id)):
        db.session.add(RegistrationQuestion(
            edition_id=copy.id, label=question.label, kind=question.kind,
            choices_text=question.choices_text, required=question.required,
            sensitive=question.sensitive, position=question.position))
    for delegation in db.session.scalars(configuration.delegations_of(source.id)):
        db.session.add(Delegation(edition_id=copy.id, organization_id=delegation.organization_id,
                                  quota=delegation.quota))
    db.session.flush()


def moved(instant: datetime | None, shift: timedelta, zone: str) -> datetime | None:
    """The instant `shift` later at the same local time (plain UTC arithmetic in a DST gap)."""
    if instant is None:
        return None
    try:
        return to_utc(to_local(instant, zone).replace(tzinfo=None) + shift, zone)
    except LocalTimeError:
        return instant + shift
