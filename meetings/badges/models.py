"""Badges: one signing key per edition, the badges issued, and the serials revoked for good."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import Edition, UTCDateTime, enum_column
from meetings.registration.models import Registration


class BadgeKey(db.Model):
    """An edition's Ed25519 key pair; its id is the key id in every code it signs.

    The private key is stored only sealed (keys.py); `last_serial` numbers the edition's badges
    and never goes back, so a serial once revoked is never given to another badge.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), unique=True)
    public_key: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32))
    sealed_private_key: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(128))
    last_serial: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    edition: so.Mapped[Edition] = so.relationship()


class Badge(db.Model):
    """A badge issued to an approved registration; reprinting issues a new one.

    `registration_id` has no foreign key on purpose: erasure deletes the registration, and the
    erasing receiver deletes its badges (after revoking their serials) in the same transaction;
    the revocation list keeps only (edition, serial).
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    registration_id: so.Mapped[int] = so.mapped_column(index=True)
    serial: so.Mapped[int] = so.mapped_column()
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    printed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Why this badge replaced the previous one (lost, misspelt…), given by the organizer.
    reprint_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # The name in Latin letters when the person writes it in another script (optional).
    latin_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    registration: so.Mapped[Registration] = so.relationship(
        primaryjoin="foreign(Badge.registration_id) == Registration.id", viewonly=True)

    __table_args__ = (sa.UniqueConstraint("edition_id", "serial"),)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RevocationReason(enum.StrEnum):
    # Cancelled or rejected: registration's `leaving` signal says a seat is given up, not which.
    WITHDRAWN = "withdrawn"
    ERASED = "erased"
    REPRINTED = "reprinted"


class RevokedBadge(db.Model):
    """A serial no scanner may admit again. No link to the registration: it outlives erasure."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    serial: so.Mapped[int] = so.mapped_column()
    reason: so.Mapped[RevocationReason] = so.mapped_column(enum_column(RevocationReason))
    revoked_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("edition_id", "serial"),)
