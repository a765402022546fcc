"""Venues feature."""

from meetings.venues import views  # noqa: F401  (their pages are on bp)
from meetings.venues.blueprint import bp

__all__ = ["bp"]
