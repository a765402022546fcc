"""Door-staff devices: created by organizers with a secret token shown once, revoked at will."""

import secrets
from datetime import datetime

import sqlalchemy as sa

from meetings.checkin.models import DoorStaff
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import Edition
from meetings.secret_tokens import hash_token

MAX_NAME = 120


def staff_of(edition_id: int) -> sa.Select:
    """The edition's door-staff devices, active first, newest first."""
    return (sa.select(DoorStaff).where(DoorStaff.edition_id == edition_id)
            .order_by(DoorStaff.revoked_at.is_not(None), DoorStaff.id.desc()))


def create_staff(edition: Edition, name: str, *, now: datetime) -> tuple[DoorStaff, str]:
    """A new device for the door staff and its token (only its hash is stored)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Name the device or the person at the door."), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(_l("Keep the name under %(n)d characters.", n=MAX_NAME), field="name")
    token = secrets.token_urlsafe(32)
    staff = DoorStaff(edition_id=edition.id, name=name, token_hash=hash_token(token),
                      created_at=now)
    db.session.add(staff)
    db.session.flush()
    return staff, token


def revoke_staff(edition: Edition, staff_id: int | None, *, now: datetime) -> DoorStaff:
    """End a device's access (its token stops working at once)."""
    staff = db.session.get(DoorStaff, staff_id) if staff_id else None
    if staff is None or staff.edition_id != edition.id:
        raise DomainError(_l("There is no such door-staff device in this edition."))
    if staff.revoked_at is None:
        staff.revoked_at = now
        db.session.flush()
    return staff


def staff_by_token(token: str) -> DoorStaff | None:
    """The active device a token opens, or None."""
    if not token or len(token) > 100:
        return None
    staff = db.session.scalar(sa.select(DoorStaff).where(
        DoorStaff.token_hash == hash_token(token)))
    return staff if staff is not None and staff.is_active else None
