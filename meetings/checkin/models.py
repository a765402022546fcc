"""Check-in: door-staff devices of an edition and every scan they (or organizers) recorded."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import Edition, Session, UTCDateTime, enum_column


class DoorStaff(db.Model):
    """A device of the door staff: it opens the scanner with a secret token (stored hashed).

    Door staff see names, categories and organizations of approved registrations (the roster)
    and nothing else; revoking the device ends its access at once.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    edition: so.Mapped[Edition] = so.relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CheckKind(enum.StrEnum):
    COLLECTION = "collection"  # badge handed over at the desk against photo ID
    ENTRY = "entry"  # daily entry to the venue
    SESSION = "session"  # a session's door
    CHECKOUT = "checkout"


class Refusal(enum.StrEnum):
    """Why a scan did not admit, beyond the badge code's own reasons (badges.codes.Reason)."""

    ADMITTED = "valid"
    UNKNOWN_PERSON = "unknown person"
    ALREADY_COLLECTED = "already collected"
    NOT_COLLECTED = "not collected"
    ALREADY_ADMITTED = "already admitted"
    NOT_FOR_THIS_ROOM = "not for this room"
    PHOTO_ID = "photo ID not checked"


class CheckIn(db.Model):
    """One scan, admitted or refused, counted once by its nonce.

    `registration_id` has no foreign key on purpose (as badge.registration_id): erasure deletes
    the registration and the erasing receiver deletes its check-ins in the same transaction.
    A scan that the device admitted offline but the server found already used is kept, refused,
    with `conflict_with_id` naming the scan that used the badge first.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    nonce: so.Mapped[str] = so.mapped_column(sa.String(64))
    registration_id: so.Mapped[int | None] = so.mapped_column(index=True)
    serial: so.Mapped[int | None] = so.mapped_column()
    kind: so.Mapped[CheckKind] = so.mapped_column(enum_column(CheckKind))
    session_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("session.id", ondelete="SET NULL"), index=True)
    room: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    day: so.Mapped[date] = so.mapped_column()  # the local day of the edition's zone
    admitted: so.Mapped[bool] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.String(40))
    photo_id_checked: so.Mapped[bool] = so.mapped_column(default=False)
    device_admitted: so.Mapped[bool | None] = so.mapped_column()  # what the device showed
    offline: so.Mapped[bool] = so.mapped_column(default=False)
    scanned_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    staff_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("door_staff.id", ondelete="SET NULL"), index=True)
    conflict_with_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("check_in.id", ondelete="SET NULL"))

    session: so.Mapped[Session | None] = so.relationship()
    staff: so.Mapped[DoorStaff | None] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("edition_id", "nonce"),)
