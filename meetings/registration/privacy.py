"""Personal data: erasure on request, purge after the retention period, the participant list."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.mail.service import erase_messages_of
from meetings.models import Edition
from meetings.registration import signals
from meetings.registration.models import (
    Invitation,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
)
from meetings.registration.seats import change_status, lock_edition, promote_waiting
from meetings.registration.service import notify_promoted
from meetings.registration.tokens import delete_tokens

OPEN_STATUSES = (RegistrationStatus.UNVERIFIED, RegistrationStatus.PENDING,
                 RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED)


def anonymize(registration: Registration, *, now: datetime) -> None:
    """Strip everything personal; category, country and status remain as an anonymous count."""
    delete_tokens(registration)
    signals.erasing.send(registration)
    erase_messages_of(registration.id)
    registration.email = None
    for name in ("given_name", "family_name", "organization", "job_title", "dietary",
                 "accessibility"):
        setattr(registration, name, "")
    registration.answers = {}
    registration.listed = False
    registration.anonymized_at = now
    registration.updated_at = now
    for event in registration.history:
        event.note = ""
    db.session.flush()


def erase(registration: Registration, *, now: datetime) -> None:
    """The attendee erases their data: the seat is freed, the row becomes an anonymous count."""
    settings = lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.is_anonymized:
        return
    signals.leaving.send(registration, now=now)
    if registration.status in OPEN_STATUSES:
        change_status(registration, RegistrationStatus.CANCELLED, now=now, actor="attendee")
    anonymize(registration, now=now)
    registration.history.append(RegistrationEvent(at=now, actor="attendee",
                                                  note="personal data erased"))
    notify_promoted(promote_waiting(settings, now), now)


def purge_after(edition: Edition, retention_days: int) -> date:
    """The first day on which an edition's personal data may be purged."""
    return edition.ends_on + timedelta(days=retention_days + 1)


def purge_edition(edition: Edition, *, retention_days: int, now: datetime) -> int:
    """Anonymize every registration of a past edition; returns how many were anonymized."""
    if now.date() < purge_after(edition, retention_days):
        raise DomainError(_l("This edition's retention period runs until %(day)s.",
                             day=purge_after(edition, retention_days).isoformat()))
    registrations = db.session.scalars(sa.select(Registration).where(
        Registration.edition_id == edition.id, Registration.anonymized_at.is_(None))).all()
    for registration in registrations:
        anonymize(registration, now=now)
    for invitation in db.session.scalars(
            sa.select(Invitation).where(Invitation.edition_id == edition.id)):
        invitation.email = None
    db.session.flush()
    return len(registrations)


def participants(edition_id: int) -> sa.Select:
    """Approved attendees who agreed to appear in the participant list, by name."""
    return (
        sa.select(Registration)
        .where(Registration.edition_id == edition_id,
               Registration.status == RegistrationStatus.APPROVED,
               Registration.listed.is_(True))
        .order_by(Registration.family_name, Registration.given_name)
    )
