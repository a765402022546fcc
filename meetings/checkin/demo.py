"""Demo check-ins for the upcoming edition: a door-staff device and a few scans at the desk and
the entry (one refused: a badge collected twice)."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from meetings.checkin import service
from meetings.checkin.models import CheckKind
from meetings.checkin.staff import create_staff
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration.models import Registration, RegistrationStatus


def add_demo_checkins(edition: Edition, *, now: datetime) -> None:
    """Badges collected by the first three approved attendees, two entries, one refusal."""
    people = db.session.scalars(
        sa.select(Registration.id).where(Registration.edition_id == edition.id,
                                         Registration.status == RegistrationStatus.APPROVED)
        .order_by(Registration.id).limit(3)).all()
    staff, _token = create_staff(edition, "Registration desk (demo)", now=now)
    scans = [service.Scan(nonce=f"demo-{edition.id}-{n}", kind=kind, registration_id=person,
                          photo_id_checked=True, scanned_at=now - timedelta(minutes=30 - n))
             for n, (kind, person) in enumerate(
                 [(CheckKind.COLLECTION, p) for p in people]
                 + [(CheckKind.ENTRY, p) for p in people[:2]]
                 + [(CheckKind.COLLECTION, p) for p in people[:1]])]
    service.record_scans(edition, scans, staff=staff, now=now)
