"""Agenda feature: tracks, speakers, sessions; the public agenda and the organizer's grid."""

from meetings.agenda import catalog_views, manage_views  # noqa: F401  (register their routes on bp)
from meetings.agenda.views import bp

__all__ = ["bp"]
