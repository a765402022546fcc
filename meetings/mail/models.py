"""The outbox: every message is a row first, so a rollback or an SMTP outage loses nothing."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.mail.encryption import SealedText
from meetings.models import UTCDateTime, enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENT = "sent"  # accepted by the SMTP server (or printed, without MAIL_SERVER)
    FAILED = "failed"  # given up: shown to organizers, who may retry it


class OutboxMessage(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    # The registration a message is about, so erasing one person's data spares their other mail.
    registration_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    # Encrypted at rest and emptied once delivered; deferred, so only the sender loads them.
    text_body: so.Mapped[str] = so.mapped_column(SealedText, deferred=True,
                                                   deferred_group="body")
    html_body: so.Mapped[str] = so.mapped_column(SealedText, default="", deferred=True,
                                                   deferred_group="body")
    status: so.Mapped[OutboxStatus] = so.mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_attempt_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)
