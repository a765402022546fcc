"""Feeds feature."""

from meetings.feeds import views  # noqa: F401  (their pages are on bp)
from meetings.feeds.blueprint import bp

__all__ = ["bp"]
