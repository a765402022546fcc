"""What the feeds remember between builds: each event's SEQUENCE and LAST-MODIFIED."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import UTCDateTime


class EventStamp(db.Model):
    """One calendar event as subscribers last saw it, by audience and UID ('public:<uid>').

    SEQUENCE and LAST-MODIFIED move when the fingerprint of the event's rendered text moves,
    and only then: a room renamed moves them, an edit elsewhere in the edition does not.
    """

    key: so.Mapped[str] = so.mapped_column(sa.String(300), primary_key=True)
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(32))
    sequence: so.Mapped[int] = so.mapped_column()
    last_modified: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    __table_args__ = (sa.CheckConstraint("sequence >= 0", name="sequence_non_negative"),)

