"""Feeds' answers to registration's signals (connected when the package is imported)."""

from meetings.feeds.cache import forget_stored, personal_key
from meetings.registration import signals
from meetings.registration.models import Registration


@signals.erasing.connect
def forget_personal_feed_body(registration: Registration) -> None:
    """Erasure: the stored personal feed (it lists the sessions the attendee chose) goes."""
    forget_stored(personal_key(registration.id))
