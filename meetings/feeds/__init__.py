"""Feeds feature."""

from meetings.feeds import receivers, views  # noqa: F401  (pages on bp; receivers)
from meetings.feeds.blueprint import bp

__all__ = ["bp"]
