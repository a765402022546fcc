"""The attendee's own agenda: workshop seats, personal-agenda choices and the feed address."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import Session, UTCDateTime, enum_column
from meetings.registration.models import Registration


class WorkshopStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class WorkshopSeat(db.Model):
    """An approved attendee's place (or place in the queue) in a workshop with a capacity."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    registration_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    # No cascade: a session someone has chosen cannot be deleted (agenda/service.py turns the
    # refusal into a message); checked at the end of the statement, so deleting the whole
    # edition, which removes the choices too, still works.
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("session.id", ondelete="NO ACTION"), index=True
    )
    status: so.Mapped[WorkshopStatus] = so.mapped_column(enum_column(WorkshopStatus))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    registration: so.Mapped[Registration] = so.relationship(backref=so.backref(
        "workshops", cascade="all, delete-orphan", order_by="WorkshopSeat.id"))
    session: so.Mapped[Session] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("registration_id", "session_id"),)


class PersonalFeed(db.Model):
    """An approved attendee's calendar address: only a nonce and the token's SHA-256 are stored.

    The token is an HMAC of the nonce under a server key (FEED_TOKEN_KEY, else SECRET_KEY), so
    the manage page can show the address again, while a copy of the database alone gives none.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    registration_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    nonce: so.Mapped[str] = so.mapped_column(sa.String(64))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    registration: so.Mapped[Registration] = so.relationship()


class AgendaChoice(db.Model):
    """A session an approved attendee put on their personal agenda (no seat involved)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    registration_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    # No cascade: a session someone has chosen cannot be deleted (agenda/service.py turns the
    # refusal into a message); checked at the end of the statement, so deleting the whole
    # edition, which removes the choices too, still works.
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("session.id", ondelete="NO ACTION"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    session: so.Mapped[Session] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("registration_id", "session_id"),)
