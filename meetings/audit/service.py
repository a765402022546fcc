"""Record organizer changes in the audit log."""

from datetime import datetime

import sqlalchemy as sa

from meetings.extensions import db
from meetings.models import AuditEntry, Edition, User, utcnow


def record(user: User | None, action: str, summary: str, *, edition: Edition | None = None,
           now: datetime | None = None) -> AuditEntry:
    """Add one audit entry (flushed with the change it describes, committed with it)."""
    entry = AuditEntry(
        at=now or utcnow(),
        user=user if user is not None and getattr(user, "id", None) else None,
        edition=edition,
        action=action,
        summary=summary[:2000],
    )
    db.session.add(entry)
    return entry


def latest_entries(edition_id: int | None = None) -> sa.Select:
    """Audit entries, newest first, optionally for one edition."""
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if edition_id is not None:
        query = query.where(AuditEntry.edition_id == edition_id)
    return query
