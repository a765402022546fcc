"""Focal points: the people who speak for a delegation, designated by an organizer."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import User, UTCDateTime
from meetings.registration.models import Delegation


class FocalPoint(db.Model):
    """An invitation to speak for a delegation, bound to one email address.

    The link in the invitation only works for a signed-in account with that address: a
    forwarded invitation leads the other person nowhere (the sign-in link for a new account is
    mailed to the invited address, never shown). Only the hash of the link's token is stored.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    delegation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    invited_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # When the last digest of people awaiting endorsement went out (none twice a day).
    digest_sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    delegation: so.Mapped[Delegation] = so.relationship(lazy="joined")
    user: so.Mapped[User | None] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("delegation_id", "email"),)

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None and self.revoked_at is None
