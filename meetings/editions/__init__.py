"""Editions feature."""

from meetings.editions.views import bp

__all__ = ["bp"]
