"""Check-in's answers to registration's signals (connected when the package is imported)."""

import sqlalchemy as sa

from meetings.checkin import service
from meetings.checkin.models import CheckIn
from meetings.extensions import db
from meetings.registration import signals
from meetings.registration.exports import iso
from meetings.registration.models import Registration
from meetings.registration.personal_data import Section


@signals.erasing.connect
def forget_check_ins(registration: Registration) -> None:
    """Erasure (and purge): every scan that names the person goes."""
    service.forget(registration.id)


@signals.personal_data.connect
def personal_data_sections(registration: Registration) -> list[Section]:
    """The scans of the person's badge: when, where, admitted or why not."""
    rows = db.session.scalars(sa.select(CheckIn).where(
        CheckIn.registration_id == registration.id).order_by(CheckIn.id))
    return [Section("check_ins", CheckIn.__tablename__, [
        {"kind": row.kind.value, "session": row.session.title if row.session else None,
         "room": row.room, "day": row.day.isoformat(), "admitted": row.admitted,
         "reason": row.reason, "photo_id_checked": row.photo_id_checked,
         "scanned_at": iso(row.scanned_at), "badge_serial": row.serial} for row in rows])]
