"""Feeds feature."""

from meetings.feeds.views import bp

__all__ = ["bp"]
