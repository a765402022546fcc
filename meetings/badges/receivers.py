"""Badges' answers to registration's signals (connected when the package is imported)."""

from datetime import datetime

import sqlalchemy as sa

from meetings.badges import service
from meetings.badges.models import Badge
from meetings.extensions import db
from meetings.mail_site import MailSite
from meetings.models import utcnow
from meetings.registration import signals
from meetings.registration.exports import iso
from meetings.registration.models import Registration
from meetings.registration.personal_data import Section


@signals.leaving.connect
def revoke_badge(registration: Registration, *, now: datetime, site: MailSite) -> None:
    """Cancelled, rejected or erased: the badge's code goes on the revocation list."""
    service.withdraw(registration, now=now)


@signals.erasing.connect
def forget_badges(registration: Registration) -> None:
    """Erasure (and purge): serials stay revoked, the badges themselves go.

    The signal carries no time; the revocation is stamped when it happens.
    """
    service.forget(registration, now=utcnow())


@signals.personal_data.connect
def personal_data_sections(registration: Registration) -> list[Section]:
    """The badges issued to the person: serial, name in Latin letters, dates."""
    badges = db.session.scalars(sa.select(Badge).where(
        Badge.registration_id == registration.id).order_by(Badge.id))
    return [Section("badges", Badge.__tablename__, [
        {"serial": b.serial, "latin_name": b.latin_name, "issued_at": iso(b.issued_at),
         "printed_at": iso(b.printed_at), "revoked_at": iso(b.revoked_at),
         "reprint_reason": b.reprint_reason} for b in badges])]
