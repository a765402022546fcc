"""Agenda feature: tracks, speakers, sessions; the public agenda and the organizer's grid."""

from meetings.agenda import catalog_views, manage_views, views  # noqa: F401  (their pages are on bp)
from meetings.agenda.blueprint import bp

__all__ = ["bp"]
