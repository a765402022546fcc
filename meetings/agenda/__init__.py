"""Agenda feature."""

from meetings.agenda.views import bp

__all__ = ["bp"]
