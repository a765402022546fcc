"""Personal data: erasure on request, purge after the retention period, the participant list."""

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.mail.service import erase_invitation_messages, erase_messages_of
from meetings.mail_site import MailSite
from meetings.models import AuditEntry, Edition
from meetings.registration import signals
from meetings.registration.erased_counts import ErasedRegistrationCount, count_erased
from meetings.registration.models import (
    Invitation,
    Registration,
    RegistrationStatus,
)
from meetings.registration.purge_date import purge_after
from meetings.registration.seats import change_status, lock_edition, promote_waiting
from meetings.registration.service import notify_promoted
from meetings.registration.tokens import delete_tokens

OPEN_STATUSES = (RegistrationStatus.UNVERIFIED, RegistrationStatus.PENDING,
                 RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED)


def anonymize(registration: Registration) -> None:
    """Delete a registration and everything personal that hangs off it or names it.

    What remains is an anonymous count (category, country, status, day; see erased_counts).
    """
    count_erased(registration)
    delete_tokens(registration)
    signals.erasing.send(registration)
    erase_messages_of(registration.id)
    forget_invitations(invitations_of(registration))
    if registration.email:
        redact_audit(registration.email)
    db.session.delete(registration)
    db.session.flush()


def invitations_of(registration: Registration) -> sa.Select:
    """The invitation a registration used and any other invitation of the edition to its email."""
    return sa.select(Invitation).where(
        Invitation.edition_id == registration.edition_id,
        sa.or_(Invitation.id == registration.invitation_id,
               Invitation.email == registration.email))


def forget_invitations(invitations: sa.Select) -> None:
    """Delete these invitations and their emails (address and code hash name the person)."""
    erase_invitation_messages(invitations)
    for invitation in db.session.scalars(invitations):
        db.session.delete(invitation)


def redact_audit(email: str) -> None:
    """Take an email address out of the audit log (entries such as a retried email name it)."""
    db.session.execute(sa.update(AuditEntry)
                       .where(AuditEntry.summary.contains(email, autoescape=True))
                       .values(summary=sa.func.replace(AuditEntry.summary, email, "[erased]")))


def erase(registration: Registration, *, now: datetime, site: MailSite) -> None:
    """The attendee erases their data: the seat is freed, the registration is deleted."""
    settings = lock_edition(registration.edition_id)
    # Another request may have erased it while this one waited for the lock.
    registration = db.session.get(Registration, registration.id, populate_existing=True)
    if registration is None:
        return
    signals.leaving.send(registration, now=now, site=site)
    if registration.status in OPEN_STATUSES:
        change_status(registration, RegistrationStatus.CANCELLED, now=now, actor="attendee")
    anonymize(registration)
    notify_promoted(promote_waiting(settings, now), now, site=site)


class Purged(NamedTuple):
    registrations: int
    tables: list[sa.Table]  # to rewrite after the commit (VACUUM FULL), so nothing stays readable


def purge_edition(edition: Edition, *, retention_days: int, now: datetime) -> Purged:
    """Erase every registration of a past edition (anonymous counts remain) and what features
    above keep about its people."""
    if now.date() < purge_after(edition, retention_days):
        raise DomainError(_l("This edition's retention period runs until %(day)s.",
                             day=purge_after(edition, retention_days).isoformat()))
    registrations = db.session.scalars(sa.select(Registration).where(
        Registration.edition_id == edition.id)).all()
    for registration in registrations:
        anonymize(registration)
    forget_invitations(sa.select(Invitation).where(Invitation.edition_id == edition.id))
    tables = [table for _, changed in signals.purging.send(edition) for table in changed]
    db.session.flush()
    return Purged(len(registrations), [*personal_tables(), *tables])


def personal_tables() -> list[sa.Table]:
    """The tables erasure and purge delete from or rewrite (for VACUUM after a purge)."""
    named = {"registration", "invitation", "outbox_message", "feed_cache", "audit_entry",
             ErasedRegistrationCount.__tablename__}
    return [table for table in db.metadata.sorted_tables if table.name in named or any(
        key.column.table.name == "registration" for key in table.foreign_keys)]


def participants(edition_id: int) -> sa.Select:
    """Approved attendees who agreed to appear in the participant list, by name."""
    return (
        sa.select(Registration)
        .where(Registration.edition_id == edition_id,
               Registration.status == RegistrationStatus.APPROVED,
               Registration.listed.is_(True))
        .order_by(Registration.family_name, Registration.given_name)
    )
