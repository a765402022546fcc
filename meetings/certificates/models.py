"""Who was sent the link to their certificate (so a second bulk send mails no one twice).

The certificate itself is never stored: it is drawn from the check-ins each time it is asked
for. `registration_id` has no foreign key on purpose (as check_in.registration_id): erasure
deletes the registration, and the erasing receiver deletes these rows in the same transaction.
"""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import UTCDateTime


class CertificateSent(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"))
    registration_id: so.Mapped[int] = so.mapped_column(index=True)
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("edition_id", "registration_id"),)
