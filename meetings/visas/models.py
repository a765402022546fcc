"""Visa support: per-edition settings, the edition's visa officers, requests and their history."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import Edition, User, UTCDateTime, enum_column
from meetings.registration.models import Registration
from meetings.visas.crypto import Sealed, SealedDate


class VisaSettings(db.Model):
    """Whether an edition offers visa support letters, and until which day it takes requests."""

    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True)
    enabled: so.Mapped[bool] = so.mapped_column(default=False)
    requests_until: so.Mapped[date | None] = so.mapped_column()


# The users who read and decide an edition's visa requests (organizers do not, unless listed).
visa_officer = sa.Table(
    "visa_officer",
    db.metadata,
    sa.Column("edition_id", sa.ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class VisaStatus(enum.StrEnum):
    REQUESTED = "requested"
    ISSUED = "issued"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (VisaStatus.REQUESTED, VisaStatus.ISSUED)


def sealed(column: str) -> Sealed:
    return Sealed(f"visa_request.{column}")


class VisaRequest(db.Model):
    """One request for a letter; the passport fields are sealed (crypto.py).

    `registration_id` has no foreign key on purpose, as for badges: erasure deletes the
    registration, and the erasing receiver deletes its visa requests in the same transaction.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    registration_id: so.Mapped[int] = so.mapped_column(index=True)
    reference: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    status: so.Mapped[VisaStatus] = so.mapped_column(enum_column(VisaStatus))
    requested_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Why the officer refused, shown to the attendee.
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    passport_names: so.Mapped[str] = so.mapped_column(sealed("passport_names"))
    passport_number: so.Mapped[str] = so.mapped_column(sealed("passport_number"))
    issuing_state: so.Mapped[str] = so.mapped_column(sealed("issuing_state"))
    nationality: so.Mapped[str] = so.mapped_column(sealed("nationality"))
    date_of_birth: so.Mapped[date] = so.mapped_column(SealedDate("visa_request.date_of_birth"))
    passport_expiry: so.Mapped[date] = so.mapped_column(
        SealedDate("visa_request.passport_expiry"))
    consulate: so.Mapped[str] = so.mapped_column(sealed("consulate"))
    function: so.Mapped[str] = so.mapped_column(sealed("function"))

    edition: so.Mapped[Edition] = so.relationship()
    registration: so.Mapped[Registration] = so.relationship(
        primaryjoin="foreign(VisaRequest.registration_id) == Registration.id", viewonly=True)
    history: so.Mapped[list["VisaEvent"]] = so.relationship(
        back_populates="request", cascade="all, delete-orphan", passive_deletes=True,
        order_by="VisaEvent.id")


class VisaEvent(db.Model):
    """One step of a request's history: who moved it to which state, when, and why."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("visa_request.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[VisaStatus] = so.mapped_column(enum_column(VisaStatus))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    request: so.Mapped[VisaRequest] = so.relationship(back_populates="history")
    user: so.Mapped[User | None] = so.relationship()
