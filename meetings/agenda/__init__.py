"""Agenda feature: tracks, speakers, sessions; the public agenda and the organizer's grid."""

from meetings.agenda import (  # noqa: F401  (pages on bp; receivers of the editions signals)
    catalog_views,
    manage_views,
    receivers,
    views,
)
from meetings.agenda.blueprint import bp

__all__ = ["bp"]
