"""Certificates' answers to registration's signals (connected when the package is imported)."""

import sqlalchemy as sa

from meetings.certificates import service
from meetings.certificates.models import CertificateSent
from meetings.extensions import db
from meetings.registration import signals
from meetings.registration.exports import iso
from meetings.registration.models import Registration
from meetings.registration.personal_data import Section


@signals.erasing.connect
def forget_certificate_mail(registration: Registration) -> None:
    """Erasure (and purge): the record of the certificate mail goes; with the registration and
    its check-ins gone, the certificate's reference no longer verifies."""
    service.forget(registration.id)


@signals.manage_page.connect
def manage_page_part(registration: Registration, *, token: str) -> dict:
    """Someone checked in at least once finds their certificate on the manage page."""
    attendance = service.attendance_of(registration)
    if attendance is None:
        return {}
    return {"page_sections": ["certificates/_manage_section.html"],
            "certificate_days": attendance.days}


@signals.personal_data.connect
def personal_data_sections(registration: Registration) -> list[Section]:
    """When the link to the certificate was mailed (the certificate itself is never stored)."""
    rows = db.session.scalars(sa.select(CertificateSent).where(
        CertificateSent.registration_id == registration.id).order_by(CertificateSent.id))
    return [Section("certificate_mail", CertificateSent.__tablename__,
                    [{"sent_at": iso(row.sent_at)} for row in rows])]
