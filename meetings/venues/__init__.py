"""Venues feature."""

from meetings.venues.views import bp

__all__ = ["bp"]
