"""When an edition's personal data may be purged: read by the purge and by manage-link expiry."""

from datetime import date, timedelta

from meetings.models import Edition


def purge_after(edition: Edition, retention_days: int) -> date:
    """The first day on which an edition's personal data may be purged."""
    return edition.ends_on + timedelta(days=retention_days + 1)
